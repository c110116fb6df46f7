"""The demo's ledger: the Chuxiong campaign's outputs, shows and materials as its report
states them (to 22 February 2024), filed through the ledger services as the system actor,
so the dashboard of a fresh demo shows the report's own figures.

Each record carries an external id ("demo-…"); a record whose id is already there is not
filed again, so a second run writes nothing.
"""

import datetime
import random
from decimal import Decimal

from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.campaigns.models import Campaign
from campaigndesk.ledger.models import (
    EventRecord,
    FigureRecord,
    Indicator,
    MaterialRecord,
    MediaOutput,
    RecordKind,
)
from campaigndesk.ledger.services import record_create
from campaigndesk.regions.models import Channel, Outlet, Region, Unit

from . import facts as F

D = datetime.date

# (outlet name, channel, output kind, how many, title stem); figures from the report.
CX_OUTPUTS = (
    ("云南卫视《云南新闻联播》", Channel.TV, MediaOutput.Kind.NEWS, 2, "楚雄州移民安置点新春巡演"),
    ("云南卫视《晚间新闻》", Channel.TV, MediaOutput.Kind.NEWS, 1, "搬迁群众的幸福年"),
    ("楚雄州融媒体中心《楚雄新闻联播》", Channel.TV, MediaOutput.Kind.NEWS, 3, "巡演走进安置点"),
    ("楚雄州融媒体中心《民情直通车》", Channel.TV, MediaOutput.Kind.NEWS, 2, "安置点新变化"),
    ("楚雄发布", Channel.VIDEO_ACCOUNT, MediaOutput.Kind.SPECIAL_FILM, 5, "安置点形象专题片"),
    ("楚雄新闻", Channel.VIDEO_ACCOUNT, MediaOutput.Kind.SPECIAL_FILM, 5, "安置点形象专题片"),
    ("楚雄发布", Channel.VIDEO_ACCOUNT, MediaOutput.Kind.VIDEO, 5, "巡演短视频"),
    ("楚雄新闻", Channel.VIDEO_ACCOUNT, MediaOutput.Kind.VIDEO, 5, "巡演短视频"),
    ("楚雄发布", Channel.VIDEO_ACCOUNT, MediaOutput.Kind.LIVE_STREAM, 5, "巡演直播"),
    ("楚雄新闻", Channel.VIDEO_ACCOUNT, MediaOutput.Kind.LIVE_STREAM, 5, "巡演直播"),
    ("楚雄日报", Channel.NEWSPAPER, MediaOutput.Kind.IMAGE_TEXT, 7, "和谐库区·美丽家园"),
    ("云上楚雄", Channel.APP, MediaOutput.Kind.IMAGE_TEXT, 7, "和谐库区·幸福生活"),
    ("楚雄发布", Channel.WECHAT, MediaOutput.Kind.IMAGE_TEXT, 5, "移民搬迁故事"),
    ("云南楚雄网", Channel.WEBSITE, MediaOutput.Kind.IMAGE_TEXT, 7, "搬迁安置成效"),
    ("学习强国楚雄州平台", Channel.XUEXI, MediaOutput.Kind.IMAGE_TEXT, 2, "楚雄移民新家园"),
)
# The report: 10 shows, 3,000 participants in all (人次).
CX_SHOW_PARTICIPANTS = 300
CX_CUMULATIVE_VIEWS = Decimal(6_000_000)  # 全网累计点击量突破600万次
CX_AS_OF = D(2024, 2, 22)
CX_MEDIA_FROM = D(2024, 1, 15)


def ensure_chuxiong_records(*, campaign: Campaign, tour, counts) -> None:
    """File the Chuxiong report's outputs, its ten shows and the cumulative views, once.
    ``tour`` is the plan's tour stops; ``counts`` a Counter the created records add to."""
    existing: set[str] = set()
    for model in (MediaOutput, EventRecord, FigureRecord, MaterialRecord):
        existing.update(
            model.objects.filter(campaign=campaign, external_id__startswith="demo-").values_list(
                "external_id", flat=True
            )
        )
    media_unit = Unit.objects.get(region__code=F.CHUXIONG, name=F.CX_MEDIA)
    prefecture = Region.objects.get(code=F.CHUXIONG)
    rng = random.Random(F.SEED)
    span = (CX_AS_OF - CX_MEDIA_FROM).days

    for outlet_name, channel, kind, how_many, stem in CX_OUTPUTS:
        outlet = Outlet.objects.get(name=outlet_name, channel=channel)
        for n in range(1, how_many + 1):
            external_id = f"demo-{outlet.pk}-{kind}-{n}"
            if external_id in existing:
                continue
            record_create(
                actor=SYSTEM,
                campaign=campaign,
                record_kind=RecordKind.OUTPUT,
                unit=media_unit,
                region=prefecture,
                date=CX_MEDIA_FROM + datetime.timedelta(days=rng.randrange(span + 1)),
                outlet=outlet,
                kind=kind,
                title=f"{stem}({n})",
                views=rng.randrange(20_000, 120_000),
                external_id=external_id,
            )
            counts["ledger records"] += 1

    items = {item.seq: item for item in campaign.schedule.all()}
    for stop in tour:
        external_id = f"demo-show-{stop.seq}"
        if external_id in existing:
            continue
        record_create(
            actor=SYSTEM,
            campaign=campaign,
            record_kind=RecordKind.EVENT,
            unit=Unit.objects.get(region__code=stop.units[0][0], name=stop.units[0][1]),
            region=Region.objects.get(code=stop.township),
            date=stop.day,
            kind=EventRecord.Kind.PERFORMANCE,
            title=f"“和谐库区·美丽家园·幸福生活”巡演·{stop.site}",
            site=stop.site,
            sessions=1,
            participants=CX_SHOW_PARTICIPANTS,
            schedule_item=items.get(stop.seq),
            external_id=external_id,
        )
        counts["ledger records"] += 1

    if "demo-views" not in existing:
        record_create(
            actor=SYSTEM,
            campaign=campaign,
            record_kind=RecordKind.FIGURE,
            unit=media_unit,
            region=prefecture,
            date=CX_AS_OF,
            indicator=Indicator.objects.get(code="views_cumulative"),
            value=CX_CUMULATIVE_VIEWS,
            approx="more",
            source="“和谐库区·美丽家园·幸福生活”系列宣传活动总结",
            external_id="demo-views",
        )
        counts["ledger records"] += 1
