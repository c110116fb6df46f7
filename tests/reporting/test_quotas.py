"""Quota periods, due dates, what counts, who is behind, commissioned topics, and the
`campaigndesk reporting remind` command."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from campaigndesk.accounts.models import Role
from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.campaigns.models import CampaignUnit, QuotaTarget
from campaigndesk.notifications.models import Notification
from campaigndesk.regions.models import UnitKind
from campaigndesk.reporting.models import ItemState
from campaigndesk.reporting.quotas import (
    commission_status,
    commissions_owed,
    item_counts,
    local_date,
    open_periods,
    quota_period_of,
    quota_status,
    units_behind,
)

from ..factories import UnitFactory, make_user
from .factories import (
    CommissionFactory,
    InfoItemFactory,
    QuotaTargetFactory,
    local,
    submitted_item,
)

D = datetime.date


def _item(world, *, unit=None, at, period=None, state=ItemState.SUBMITTED, **fields):
    """A raw submitted item of the world's campaign."""
    return InfoItemFactory(
        campaign=world.campaign,
        unit=unit or world.township_unit,
        state=state,
        submitted_at=at,
        quota_period_start=period,
        **fields,
    )


# --- periods and due dates -------------------------------------------------------------


@pytest.mark.parametrize(
    ("period", "due_day", "day", "expected"),
    [
        # February of a leap year: 29 days; due_day 5 → 5 March.
        ("month", 5, D(2024, 2, 14), (D(2024, 2, 1), D(2024, 2, 29), D(2024, 3, 5))),
        # due_day 0: the last day itself.
        ("month", 0, D(2024, 12, 31), (D(2024, 12, 1), D(2024, 12, 31), D(2024, 12, 31))),
        # Across the year: December due by 5 January.
        ("month", 5, D(2024, 12, 1), (D(2024, 12, 1), D(2024, 12, 31), D(2025, 1, 5))),
        # 2024-03-06 is a Wednesday: the week Monday 4 .. Sunday 10, due Tuesday 12.
        ("week", 2, D(2024, 3, 6), (D(2024, 3, 4), D(2024, 3, 10), D(2024, 3, 12))),
        # A Sunday belongs to the week that began the Monday before.
        ("week", 0, D(2024, 3, 10), (D(2024, 3, 4), D(2024, 3, 10), D(2024, 3, 10))),
        ("quarter", 10, D(2024, 5, 20), (D(2024, 4, 1), D(2024, 6, 30), D(2024, 7, 10))),
    ],
)
def test_quota_period_of(period, due_day, day, expected):
    quota = QuotaTarget(period=period, due_day=due_day, count=3)
    assert quota_period_of(quota=quota, day=day) == expected


def test_without_a_quota_the_period_is_the_month_due_on_its_last_day():
    assert quota_period_of(quota=None, day=D(2023, 2, 10)) == (
        D(2023, 2, 1),
        D(2023, 2, 28),
        D(2023, 2, 28),
    )


def test_local_date_is_shanghai_whatever_the_moment_is_written_in():
    # 2024-03-31 16:30 UTC is 1 April 00:30 in Shanghai.
    moment = datetime.datetime(2024, 3, 31, 16, 30, tzinfo=datetime.UTC)
    assert local_date(moment) == D(2024, 4, 1)
    assert local_date(local(2024, 3, 31, 23, 59)) == D(2024, 3, 31)


def test_open_periods_include_the_previous_until_its_due_date():
    quota = QuotaTarget(period="month", due_day=5, count=3)
    assert open_periods(quota=quota, on=D(2024, 4, 5)) == [D(2024, 3, 1), D(2024, 4, 1)]
    assert open_periods(quota=quota, on=D(2024, 4, 6)) == [D(2024, 4, 1)]


# --- what counts -----------------------------------------------------------------------


def test_item_counts_by_due_date_state_and_false_report(world):
    quota = QuotaTargetFactory(campaign=world.campaign)  # 3 a month, due the 5th
    march = D(2024, 3, 1)
    # Submitted for March on 5 April (the due date): counts; on 6 April it could not.
    assert item_counts(_item(world, at=local(2024, 4, 5, 23), period=march), quota=quota)
    assert not item_counts(_item(world, at=local(2024, 4, 6, 0, 5), period=march), quota=quota)
    # Returned items still count: they were submitted in time.
    assert item_counts(
        _item(world, at=local(2024, 3, 2), period=march, state=ItemState.RETURNED), quota=quota
    )
    assert not item_counts(
        _item(world, at=local(2024, 3, 2), period=march, state=ItemState.WITHDRAWN), quota=quota
    )
    assert not item_counts(
        _item(world, at=local(2024, 3, 2), period=march, false_report=True), quota=quota
    )
    draft = InfoItemFactory(campaign=world.campaign, unit=world.township_unit)
    assert not item_counts(draft, quota=quota)


def test_quota_status_counts_items_per_unit(world):
    QuotaTargetFactory(campaign=world.campaign)
    march = D(2024, 3, 1)
    for day in (4, 5):
        _item(world, at=local(2024, 3, day), period=march)
    _item(world, at=local(2024, 3, 6), period=march, state=ItemState.WITHDRAWN)
    _item(world, unit=world.county_unit, at=local(2024, 4, 2), period=D(2024, 4, 1))
    status = {s.unit.name: s for s in quota_status(campaign=world.campaign, period_start=march)}
    # Units in name order: 楚雄市融媒体中心 (U+695A) before 鹿城镇人民政府 (U+9E7F).
    assert list(status) == ["楚雄市融媒体中心", "鹿城镇人民政府"]
    township = status["鹿城镇人民政府"]
    assert (township.required, township.counted, township.missing, township.due) == (
        3,
        2,
        1,
        D(2024, 4, 5),
    )
    assert (status["楚雄市融媒体中心"].counted, status["楚雄市融媒体中心"].missing) == (0, 3)


def test_submission_through_the_service_sets_the_period_it_counts_for(world):
    QuotaTargetFactory(campaign=world.campaign)
    # Submitted on 3 April naming March (its due date, 5 April, has not passed).
    item = submitted_item(world, at=local(2024, 4, 3), quota_period_start=D(2024, 3, 1))
    assert item.quota_period_start == D(2024, 3, 1)
    [march] = [
        s
        for s in quota_status(campaign=world.campaign, period_start=D(2024, 3, 1))
        if s.unit == world.township_unit
    ]
    assert march.counted == 1


# --- units behind ----------------------------------------------------------------------


def test_units_behind_lists_open_periods_and_respects_scope(world):
    QuotaTargetFactory(campaign=world.campaign, count=2)
    march, april = D(2024, 3, 1), D(2024, 4, 1)
    # Township: 2 for March (met), 1 for April. County unit: 1 for March, none for April.
    _item(world, at=local(2024, 3, 4), period=march)
    _item(world, at=local(2024, 3, 5), period=march)
    _item(world, at=local(2024, 4, 1), period=april)
    _item(world, unit=world.county_unit, at=local(2024, 3, 7), period=march)

    on_3_april = units_behind(actor=world.office, campaign=world.campaign, on=D(2024, 4, 3))
    assert [(s.unit.name, s.period_start, s.counted, s.missing) for s in on_3_april] == [
        ("楚雄市融媒体中心", march, 1, 1),
        ("楚雄市融媒体中心", april, 0, 2),
        ("鹿城镇人民政府", april, 1, 1),
    ]
    # After 5 April March is closed: only April is open.
    on_6_april = units_behind(actor=world.office, campaign=world.campaign, on=D(2024, 4, 6))
    assert [(s.unit.name, s.period_start) for s in on_6_april] == [
        ("楚雄市融媒体中心", april),
        ("鹿城镇人民政府", april),
    ]
    # A reporter sees its own unit only; another county's office sees nothing.
    mine = units_behind(actor=world.reporter, campaign=world.campaign, on=D(2024, 4, 6))
    assert [s.unit for s in mine] == [world.township_unit]
    assert units_behind(actor=world.other_office, campaign=world.campaign, on=D(2024, 4, 6)) == []


def test_weekly_quota_is_judged_per_week(world):
    QuotaTargetFactory(campaign=world.campaign, period="week", count=1, due_day=1)
    # Week of Monday 4 March: one item on Sunday the 10th. On Monday 11 March (its due
    # date) that week is met, the new week is open and empty.
    _item(world, at=local(2024, 3, 10, 22), period=D(2024, 3, 4))
    behind = units_behind(actor=SYSTEM, campaign=world.campaign, on=D(2024, 3, 11))
    assert [(s.unit.name, s.period_start) for s in behind] == [
        ("楚雄市融媒体中心", D(2024, 3, 4)),
        ("楚雄市融媒体中心", D(2024, 3, 11)),
        ("鹿城镇人民政府", D(2024, 3, 11)),
    ]


def test_no_quota_means_nobody_is_behind(world):
    assert units_behind(actor=SYSTEM, campaign=world.campaign, on=D(2024, 3, 11)) == []


# --- commissioned topics ---------------------------------------------------------------


def test_commission_status_owed_delivered_late(world):
    commission = CommissionFactory(
        campaign=world.campaign,
        due_date=D(2024, 3, 20),
        count_per_unit=2,
        units=[world.township_unit, world.county_unit],
    )
    _item(world, at=local(2024, 3, 19), commission=commission)
    _item(world, at=local(2024, 3, 20, 23, 30), commission=commission)  # the due date, late evening
    _item(world, unit=world.county_unit, at=local(2024, 3, 21), commission=commission)
    _item(world, unit=world.county_unit, at=local(2024, 3, 10), commission=commission,
          state=ItemState.WITHDRAWN)  # fmt: skip
    InfoItemFactory(campaign=world.campaign, unit=world.county_unit, commission=commission)
    status = {s.unit.name: s for s in commission_status(commission=commission)}
    assert tuple(status["鹿城镇人民政府"])[1:] == (0, 2, 0)
    assert tuple(status["楚雄市融媒体中心"])[1:] == (2, 0, 1)

    owed = commissions_owed(actor=world.office)
    assert [(o.commission, o.unit.name, o.owed) for o in owed] == [
        (commission, "楚雄市融媒体中心", 2)
    ]
    assert commissions_owed(actor=world.reporter) == []  # its unit delivered both
    assert commissions_owed(actor=world.other_office) == []
    county_reporter = make_user("county_reporter", world.county_unit, Role.REPORTER)
    assert [o.unit for o in commissions_owed(actor=county_reporter)] == [world.county_unit]


# --- the remind command ----------------------------------------------------------------


def _run_remind(*args: str) -> str:
    out = io.StringIO()
    call_command("reporting", "remind", *args, stdout=out)
    return out.getvalue()


def test_remind_notifies_reporters_of_units_behind_once_a_day(world):
    QuotaTargetFactory(campaign=world.campaign, count=1)
    village_unit = UnitFactory(name="北浦社区", kind=UnitKind.OTHER, region=world.village)
    CampaignUnit.objects.create(campaign=world.campaign, unit=village_unit)
    _item(world, unit=village_unit, at=local(2024, 3, 4), period=D(2024, 3, 1))
    county_reporter = make_user("county_reporter", world.county_unit, Role.REPORTER)
    commission = CommissionFactory(
        campaign=world.campaign, due_date=D(2024, 4, 4), units=[world.township_unit]
    )

    # 3 April, due within 3 days: March (due 5 April) is open for both units behind; the
    # village unit met it. April is due 5 May: too far to remind.
    assert "Sent 3 reminder(s)." in _run_remind("--date", "2024-04-03", "--days", "3")
    notes = Notification.objects.order_by("user__username", "kind")
    assert [(n.user.username, n.kind) for n in notes] == [
        ("county_reporter", Notification.Kind.QUOTA_DUE),
        ("reporter", Notification.Kind.COMMISSION),
        ("reporter", Notification.Kind.QUOTA_DUE),
    ]
    quota_note = notes.get(user=county_reporter)
    assert "0 of 1" in quota_note.message and "2024-04-05" in quota_note.message
    assert commission.theme in notes.get(kind=Notification.Kind.COMMISSION).message

    # The same day again: nothing new. The next day: reminded again.
    assert "Sent 0 reminder(s)." in _run_remind("--date", "2024-04-03")
    assert "Sent 3 reminder(s)." in _run_remind("--date", "2024-04-04", "--days", "1")
    # After the due dates nothing of March is reminded; a 0-day window catches no April.
    assert "Sent 0 reminder(s)." in _run_remind("--date", "2024-04-06", "--days", "0")


def test_remind_rejects_an_unknown_campaign(world):
    with pytest.raises(CommandError):
        _run_remind("--campaign", "99999", "--date", "2024-04-03")
