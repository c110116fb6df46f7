"""The campaign services: who may call them, what they reject, what they warn about, and
the audit trail they leave."""

import datetime
from decimal import Decimal

import pytest

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.campaigns import services
from campaigndesk.campaigns.models import (
    Campaign,
    LeadingGroupMember,
    Phase,
    RateTarget,
    ScheduleItem,
)
from campaigndesk.common.errors import DomainError, Forbidden
from campaigndesk.regions.models import RegionLevel

from ..factories import UnitFactory
from .files import HEADER, csv_bytes

D = datetime.date


def _item(world) -> ScheduleItem:
    item = ScheduleItem.objects.create(
        campaign=world.campaign,
        seq=1,
        theme="医疗保障",
        window_start=D(2024, 10, 8),
        window_end=D(2024, 10, 10),
    )
    item.responsible_units.set([world.township_unit])
    return item


# Each service called on world.campaign (or in its region): (name, denial action, call).
CALLS = {
    "campaign_create": (
        "campaigns.campaign.create",
        lambda w, actor: services.campaign_create(
            actor=actor,
            name="新的宣传活动",
            start_date=D(2024, 3, 1),
            end_date=D(2024, 6, 30),
            lead_unit=w.county_unit,
            responsible_units=[w.township_unit],
            strands=["媒体宣传"],
        ),
    ),
    "campaign_update": (
        "campaigns.campaign.update",
        lambda w, actor: services.campaign_update(actor=actor, campaign=w.campaign, name="改名"),
    ),
    "campaign_add_units": (
        "campaigns.unit.add",
        lambda w, actor: services.campaign_add_units(
            actor=actor, campaign=w.campaign, units=[UnitFactory(region=w.village)]
        ),
    ),
    "strand_create": (
        "campaigns.strand.create",
        lambda w, actor: services.strand_create(actor=actor, campaign=w.campaign, name="文艺巡演"),
    ),
    "phase_create": (
        "campaigns.phase.create",
        lambda w, actor: services.phase_create(
            actor=actor,
            campaign=w.campaign,
            name="集中宣传",
            start_date=D(2024, 3, 1),
            end_date=D(2024, 3, 31),
        ),
    ),
    "leading_group_member_add": (
        "campaigns.leading_group.add",
        lambda w, actor: services.leading_group_member_add(
            actor=actor,
            campaign=w.campaign,
            person_name="张三",
            role=LeadingGroupMember.Role.LEADER,
            unit=w.county_unit,
        ),
    ),
    "coverage_target_set": (
        "campaigns.target.set",
        lambda w, actor: services.coverage_target_set(
            actor=actor,
            campaign=w.campaign,
            level=RegionLevel.VILLAGE,
            target_count=1,
            regions=[w.village],
        ),
    ),
    "rate_target_set": (
        "campaigns.target.set",
        lambda w, actor: services.rate_target_set(
            actor=actor, campaign=w.campaign, kind="awareness", target_percent=90
        ),
    ),
    "quota_target_set": (
        "campaigns.target.set",
        lambda w, actor: services.quota_target_set(
            actor=actor,
            campaign=w.campaign,
            item_kind="information",
            count=3,
            period="month",
            due_day=5,
        ),
    ),
    "schedule_item_create": (
        "campaigns.schedule.create",
        lambda w, actor: services.schedule_item_create(
            actor=actor,
            campaign=w.campaign,
            theme="医疗保障",
            window_start=D(2024, 10, 8),
            window_end=D(2024, 10, 10),
            responsible_units=[w.township_unit],
            window_text="10月8-10日",
        ),
    ),
    "schedule_item_set_status": (
        "campaigns.schedule.status",
        lambda w, actor: services.schedule_item_set_status(
            actor=actor, item=_item(w), status=ScheduleItem.Status.DONE
        ),
    ),
    "schedule_import": (
        "campaigns.schedule.import",
        lambda w, actor: services.schedule_import(
            actor=actor,
            campaign=w.campaign,
            data=csv_bytes([HEADER, ["1", "医疗保障", "", "鹿城镇人民政府", "10月8-10日"]]),
            filename="plan.csv",
            year=2024,
        ),
    ),
}


@pytest.mark.parametrize("role", ["office", "admin"])
@pytest.mark.parametrize("service", sorted(CALLS))
def test_the_office_over_the_region_may(world, service, role):
    actor = world.user(role)
    _denial, call = CALLS[service]
    result = call(world, actor)
    assert result is not None
    entries = AuditEntry.objects.filter(actor=actor)
    assert entries.exists()
    assert {e.outcome for e in entries} == {AuditEntry.Outcome.DONE}
    assert all(e.action.startswith("campaigns.") and e.after for e in entries)
    assert {e.region_path for e in entries} == {world.campaign.region_path}


@pytest.mark.parametrize("role", ["reporter", "observer", "other_office", "editor", "reviewer"])
@pytest.mark.parametrize("service", sorted(CALLS))
def test_others_are_denied_and_the_denial_recorded(world, service, role):
    actor = world.user(role)
    denial, call = CALLS[service]
    counts = {m: m.objects.count() for m in (Campaign, Phase, RateTarget, ScheduleItem)}
    with pytest.raises(Forbidden):
        call(world, actor)
    [entry] = AuditEntry.objects.filter(actor=actor)
    assert (entry.action, entry.outcome) == (denial, AuditEntry.Outcome.DENIED)
    assert entry.region_path == world.campaign.region_path
    assert entry.extra["reason"]
    # Nothing changed (a status service's item is made before the denial, by the test).
    if service != "schedule_item_set_status":
        assert counts == {m: m.objects.count() for m in counts}
    world.campaign.refresh_from_db()
    assert world.campaign.name == "和谐库区宣传活动"


def test_the_other_office_manages_its_own_campaign(world):
    strand = services.strand_create(
        actor=world.other_office, campaign=world.other_campaign, name="文艺巡演"
    )
    assert strand.campaign == world.other_campaign


# --- periods and windows ------------------------------------------------------------------


def test_a_campaign_ending_before_it_starts_is_rejected(world):
    count = Campaign.objects.count()
    with pytest.raises(DomainError, match="before it starts"):
        services.campaign_create(
            actor=world.office,
            name="倒过来的活动",
            start_date=D(2024, 6, 1),
            end_date=D(2024, 5, 31),
            lead_unit=world.county_unit,
        )
    assert Campaign.objects.count() == count
    assert not AuditEntry.objects.exists()


def test_an_update_ending_before_it_starts_is_rejected(world):
    with pytest.raises(DomainError, match="before it starts"):
        services.campaign_update(
            actor=world.office, campaign=world.campaign, end_date=D(2023, 12, 31)
        )
    world.campaign.refresh_from_db()
    assert world.campaign.end_date == D(2024, 12, 31)
    assert not AuditEntry.objects.exists()


def test_a_phase_ending_before_it_starts_is_rejected(world):
    with pytest.raises(DomainError, match="before it starts"):
        services.phase_create(
            actor=world.office,
            campaign=world.campaign,
            name="预热",
            start_date=D(2024, 3, 2),
            end_date=D(2024, 3, 1),
        )
    assert not Phase.objects.exists()


def test_a_one_day_phase_is_fine(world):
    phase = services.phase_create(
        actor=world.office,
        campaign=world.campaign,
        name="启动仪式",
        start_date=D(2024, 3, 1),
        end_date=D(2024, 3, 1),
    )
    assert phase.start_date == phase.end_date


def test_a_schedule_window_ending_before_it_starts_is_rejected(world):
    with pytest.raises(DomainError, match="before it starts"):
        services.schedule_item_create(
            actor=world.office,
            campaign=world.campaign,
            theme="医疗保障",
            window_start=D(2024, 10, 10),
            window_end=D(2024, 10, 8),
            responsible_units=[world.township_unit],
        )
    assert not ScheduleItem.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"theme": "  "}, "theme"),
        ({"responsible_units": []}, "responsible unit"),
        ({"seq": 1}, "already exists"),
    ],
)
def test_a_bad_schedule_item_is_rejected(world, kwargs, message):
    _item(world)
    arguments = {
        "theme": "医疗保障",
        "window_start": D(2024, 10, 8),
        "window_end": D(2024, 10, 10),
        "responsible_units": [world.township_unit],
        **kwargs,
    }
    with pytest.raises(DomainError, match=message):
        services.schedule_item_create(actor=world.office, campaign=world.campaign, **arguments)
    assert ScheduleItem.objects.count() == 1


def test_schedule_items_are_numbered_on(world):
    _item(world)
    item = services.schedule_item_create(
        actor=world.office,
        campaign=world.campaign,
        theme="水利建设",
        window_start=D(2024, 10, 30),
        window_end=D(2024, 11, 3),
        responsible_units=[world.township_unit],
    )
    assert item.seq == 2


# --- the leading group and units outside the region ----------------------------------------


def test_a_leading_group_member_from_outside_the_region_is_accepted_with_a_warning(world):
    outcome = services.leading_group_member_add(
        actor=world.office,
        campaign=world.campaign,
        person_name="李四",
        role=LeadingGroupMember.Role.DEPUTY,
        position="副县长",
        unit=world.other_township_unit,
    )
    member = LeadingGroupMember.objects.get(pk=outcome.obj.pk)
    assert member.unit == world.other_township_unit
    assert len(outcome.warnings) == 1
    assert "李四" in outcome.warnings[0] and "妥甸镇人民政府" in outcome.warnings[0]
    entry = AuditEntry.objects.get(action="campaigns.leading_group.member_added")
    assert entry.extra == {"warnings": outcome.warnings}


def test_a_leading_group_member_from_inside_the_region_has_no_warning(world):
    outcome = services.leading_group_member_add(
        actor=world.office,
        campaign=world.campaign,
        person_name="王五",
        role=LeadingGroupMember.Role.MEMBER,
        unit=world.township_unit,
    )
    assert outcome.warnings == []


@pytest.mark.parametrize(("name", "role"), [("", "member"), ("赵六", "boss")])
def test_a_bad_leading_group_member_is_rejected(world, name, role):
    with pytest.raises(DomainError):
        services.leading_group_member_add(
            actor=world.office, campaign=world.campaign, person_name=name, role=role
        )
    assert not LeadingGroupMember.objects.exists()


def test_a_unit_from_outside_the_region_takes_part_with_a_warning(world):
    outcome = services.campaign_add_units(
        actor=world.office, campaign=world.campaign, units=[world.other_township_unit]
    )
    assert len(outcome.warnings) == 1
    assert world.campaign.unit_links.filter(unit=world.other_township_unit).exists()


# --- targets ------------------------------------------------------------------------------


@pytest.mark.parametrize("percent", [-1, Decimal("-0.01"), Decimal("100.01"), 101, 250])
def test_a_rate_outside_0_to_100_is_rejected(world, percent):
    with pytest.raises(DomainError, match="0 and 100"):
        services.rate_target_set(
            actor=world.office, campaign=world.campaign, kind="awareness", target_percent=percent
        )
    assert not RateTarget.objects.exists()


@pytest.mark.parametrize("percent", [0, 100, Decimal("92.5"), 90.0])
def test_a_rate_within_0_to_100_is_set(world, percent):
    target = services.rate_target_set(
        actor=world.office, campaign=world.campaign, kind="satisfaction", target_percent=percent
    )
    assert RateTarget.objects.get(pk=target.pk).target_percent == Decimal(str(percent))


def test_an_unknown_rate_is_rejected(world):
    with pytest.raises(DomainError):
        services.rate_target_set(
            actor=world.office, campaign=world.campaign, kind="happiness", target_percent=90
        )


def test_setting_a_rate_again_replaces_it(world):
    for percent in (80, 95):
        services.rate_target_set(
            actor=world.office, campaign=world.campaign, kind="awareness", target_percent=percent
        )
    assert [t.target_percent for t in RateTarget.objects.all()] == [Decimal(95)]


def test_coverage_of_a_region_outside_the_campaign_is_rejected(world):
    with pytest.raises(DomainError, match="妥甸镇"):
        services.coverage_target_set(
            actor=world.office,
            campaign=world.campaign,
            level=RegionLevel.TOWNSHIP,
            target_count=2,
            regions=[world.township, world.other_township],
        )


@pytest.mark.parametrize(
    "kwargs",
    [{"count": 0}, {"due_day": 29}, {"period": "fortnight"}, {"item_kind": "poem"}],
)
def test_a_bad_quota_is_rejected(world, kwargs):
    arguments = {"item_kind": "information", "count": 3, "period": "month", **kwargs}
    with pytest.raises(DomainError):
        services.quota_target_set(actor=world.office, campaign=world.campaign, **arguments)


# --- the audit trail ----------------------------------------------------------------------


def test_an_update_is_audited_with_before_and_after(world):
    services.campaign_update(actor=world.office, campaign=world.campaign, name="改名后的活动")
    entry = AuditEntry.objects.get(action="campaigns.campaign.updated")
    assert entry.actor == world.office
    assert entry.object_id == str(world.campaign.pk)
    assert entry.before["name"] == "和谐库区宣传活动"
    assert entry.after["name"] == "改名后的活动"


def test_a_status_change_is_audited_with_before_and_after(world):
    item = _item(world)
    services.schedule_item_set_status(actor=world.office, item=item, status="in_progress")
    entry = AuditEntry.objects.get(action="campaigns.schedule.status_set")
    assert (entry.before, entry.after) == ({"status": "planned"}, {"status": "in_progress"})
    assert entry.object_id == str(item.pk)


def test_a_creation_is_audited_with_what_was_created(world):
    services.schedule_item_create(
        actor=world.office,
        campaign=world.campaign,
        theme="医疗保障",
        window_start=D(2024, 10, 8),
        window_end=D(2024, 10, 10),
        responsible_units=[world.township_unit],
    )
    entry = AuditEntry.objects.get(action="campaigns.schedule.created")
    assert entry.before is None
    assert entry.after["theme"] == "医疗保障"
    assert entry.after["window_end"] == "2024-10-10"
    assert entry.after["responsible_units"] == [world.township_unit.pk]


def test_a_rate_change_is_audited(world):
    services.rate_target_set(
        actor=world.office, campaign=world.campaign, kind="awareness", target_percent=90
    )
    entry = AuditEntry.objects.get(action="campaigns.target.rate_set")
    assert Decimal(entry.after["target_percent"]) == Decimal(90)


def test_a_rejected_change_leaves_no_audit_entry(world):
    with pytest.raises(DomainError):
        services.rate_target_set(
            actor=world.office, campaign=world.campaign, kind="awareness", target_percent=101
        )
    assert not AuditEntry.objects.exists()
