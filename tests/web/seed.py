"""A campaign running now, with a ledger to show: the world's campaign moved around today,
its targets and schedule, records of every kind (filed through the ledger services as
SYSTEM) and a weekly collection task with one unit behind. Used by the page tests and the
browser tests (each seeds its own)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.campaigns import services as campaign_services
from campaigndesk.campaigns.models import Campaign, QuotaTarget
from campaigndesk.ledger import services as ledger
from campaigndesk.ledger.models import Indicator
from campaigndesk.regions.models import Outlet, RegionLevel

from ..factories import OutletFactory

DAY = datetime.timedelta(days=1)


@dataclass
class Seeded:
    campaign: Campaign
    today: datetime.date
    outlet_county: Outlet
    outlet_province: Outlet
    township_event: object
    other_event: object
    task: object | None


def seed(world, *, with_collection: bool = True) -> Seeded:
    today = timezone.localdate()
    campaign = world.campaign
    campaign.start_date = today - 70 * DAY
    campaign.end_date = today + 50 * DAY
    campaign.save(update_fields=["start_date", "end_date"])
    other = world.other_campaign
    other.start_date, other.end_date = campaign.start_date, campaign.end_date
    other.save(update_fields=["start_date", "end_date"])

    campaign_services.strand_create(actor=SYSTEM, campaign=campaign, name="媒体宣传")
    campaign_services.coverage_target_set(
        actor=SYSTEM, campaign=campaign, level=RegionLevel.TOWNSHIP, target_count=1
    )
    campaign_services.coverage_target_set(
        actor=SYSTEM, campaign=campaign, level=RegionLevel.VILLAGE, target_count=4
    )
    campaign_services.rate_target_set(
        actor=SYSTEM, campaign=campaign, kind="awareness", target_percent=90
    )
    campaign_services.quota_target_set(
        actor=SYSTEM,
        campaign=campaign,
        item_kind=QuotaTarget.ItemKind.INFORMATION,
        count=3,
        period=QuotaTarget.Period.MONTH,
        due_day=5,
    )
    campaign_services.schedule_item_create(
        actor=SYSTEM,
        campaign=campaign,
        theme="政策宣讲进村",
        project="移民后扶政策宣讲",
        window_start=today - 30 * DAY,
        window_end=today - 3 * DAY,
        responsible_units=[world.township_unit],
    )
    campaign_services.schedule_item_create(
        actor=SYSTEM,
        campaign=campaign,
        theme="文艺巡演",
        project="送戏下乡",
        window_start=today - 2 * DAY,
        window_end=today + 12 * DAY,
        responsible_units=[world.county_unit, world.township_unit],
    )
    campaign_services.schedule_item_create(
        actor=SYSTEM,
        campaign=campaign,
        theme="成果展示",
        window_start=today + 20 * DAY,
        window_end=today + 40 * DAY,
        responsible_units=[world.county_unit],
    )

    outlet_county = OutletFactory(name="楚雄市融媒体中心公众号", channel="wechat", level=4)
    outlet_province = OutletFactory(name="云南日报", channel="newspaper", level=2)

    def record(record_kind: str, **values):
        return ledger.record_create(
            actor=SYSTEM, campaign=campaign, record_kind=record_kind, **values
        ).record

    for n, (unit, outlet, kind, days, views) in enumerate(
        [
            (world.township_unit, outlet_county, "video", 60, 1200),
            (world.township_unit, outlet_county, "news", 40, 800),
            (world.county_unit, outlet_province, "article", 20, 56000),
            (world.county_unit, outlet_county, "news", 5, 300),
        ]
    ):
        record(
            "output",
            unit=unit,
            outlet=outlet,
            kind=kind,
            title=f"和谐库区宣传报道{n}",
            date=today - days * DAY,
            views=views,
        )
    township_event = record(
        "event",
        unit=world.township_unit,
        region=world.village,
        kind="lecture",
        sessions=12,
        participants=860,
        site="北浦社区文化室",
        date=today - 30 * DAY,
    )
    record(
        "event",
        unit=world.county_unit,
        kind="performance",
        sessions=3,
        participants=2400,
        date=today - 10 * DAY,
    )
    record(
        "material",
        unit=world.township_unit,
        kind="banner",
        quantity=Decimal(36),
        measure_word="条",
        date=today - 25 * DAY,
    )
    record(
        "figure",
        unit=world.county_unit,
        indicator=Indicator.objects.get(code="leaflets"),
        value=Decimal(176128),
        approx="more",
        date=today - 8 * DAY,
    )
    record(
        "figure",
        unit=world.county_unit,
        indicator=Indicator.objects.get(code="respondents"),
        value=Decimal(1000),
        date=today - 8 * DAY,
    )
    record(
        "figure",
        unit=world.county_unit,
        indicator=Indicator.objects.get(code="aware_respondents"),
        value=Decimal(930),
        date=today - 8 * DAY,
    )
    other_event = ledger.record_create(
        actor=SYSTEM,
        campaign=world.other_campaign,
        record_kind="event",
        unit=world.other_township_unit,
        kind="lecture",
        sessions=2,
        participants=90,
        date=today - 5 * DAY,
    ).record
    task = _collection(world, campaign, today) if with_collection else None
    return Seeded(
        campaign=campaign,
        today=today,
        outlet_county=outlet_county,
        outlet_province=outlet_province,
        township_event=township_event,
        other_event=other_event,
        task=task,
    )


def _collection(world, campaign, today):
    """A weekly task to the township and the county unit, due each Friday 17:00; the
    township has answered the last closed round, the county has not."""
    from campaigndesk.collection import services as collection
    from campaigndesk.collection.models import Recurrence, Weekday

    task = collection.task_create(
        actor=world.office,
        campaign=campaign,
        title="宣讲周调度",
        indicators=Indicator.objects.filter(code__in=["lectures", "event_participants"]),
        units=[world.township_unit, world.county_unit],
        recurrence=Recurrence.WEEKLY,
        first_period_start=today - 28 * DAY,
        due_weekday=Weekday.FRIDAY,
        due_time=datetime.time(17, 0),
    )
    collection.rounds_ensure(task=task)
    now = timezone.now()
    closed = task.rounds.filter(due_at__lte=now).order_by("-due_at").first()
    collection.submission_submit(
        actor=world.reporter,
        round=closed,
        unit=world.township_unit,
        values={"lectures": ("2", ""), "event_participants": ("150", "")},
    )
    return task


def matrix_records(world) -> dict[str, int]:
    """Records for the page permission matrix (the world's 2024 campaigns): an event of
    the reporter's unit, one of the county unit, one in the other county's campaign."""

    def event(campaign, unit) -> int:
        return ledger.record_create(
            actor=SYSTEM,
            campaign=campaign,
            record_kind="event",
            unit=unit,
            kind="lecture",
            sessions=1,
            participants=30,
            date=datetime.date(2024, 3, 1),
        ).record.pk

    return {
        "township_event": event(world.campaign, world.township_unit),
        "county_event": event(world.campaign, world.county_unit),
        "other_event": event(world.other_campaign, world.other_township_unit),
    }


def matrix_export_template(world) -> dict[str, int]:
    """An export template of the world's campaign (one lecture cell on a bare workbook),
    for the page permission matrix."""
    import io

    import openpyxl

    from campaigndesk.ledger.io.mapping import export_template_create

    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    template = export_template_create(
        actor=SYSTEM,
        name="州宣传进度表",
        data=buffer.getvalue(),
        filename="州报表.xlsx",
        mapping=[{"cell": "C3", "indicator": "lectures"}],
        campaign=world.campaign,
    )
    return {"export_template": template.pk}
