"""Quotas of information items (each unit N a month or a week, due by a day of the next
period) and commissioned topics: which period an item counts for, whether it counts, and
who is behind.

The rules (REPORTING.md, "Rules of counting"):

- A quota period is a calendar month (first day .. last day) or a week (Monday .. Sunday);
  its **due date** is its last day + ``QuotaTarget.due_day`` days (due_day 5 for a month
  is the 5th of the next month; 0 is the last day itself).
- An item's ``quota_period_start`` is set on first submission: the period holding the
  submission's local date (Asia/Shanghai), or, if the submitter asks, the previous period
  while its due date has not passed. A resubmission keeps it.
- An item **counts** for its period if it was submitted, its first submission's local date
  is on or before the period's due date, it is not withdrawn and not a false report.
  Returned items still count: they were submitted in time.
- A campaign's information quota is its monthly ``QuotaTarget(item_kind="information")``,
  else its weekly one; without either, items are grouped by month and nothing is owed.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db.models import Q

from campaigndesk.accounts.scoping import can_read, read_scope
from campaigndesk.campaigns.models import Campaign, CampaignUnit, QuotaTarget
from campaigndesk.regions.models import Unit
from campaigndesk.regions.paths import subtree_q

from .models import Commission, InfoItem, ItemState

# Quotas are days on the office's calendar, whatever the server's or the user's zone.
LOCAL_TZ = ZoneInfo("Asia/Shanghai")

MONTH = QuotaTarget.Period.MONTH
WEEK = QuotaTarget.Period.WEEK


def local_date(moment: datetime.datetime) -> datetime.date:
    """The calendar date of ``moment`` in Asia/Shanghai (naive values taken as local)."""
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(LOCAL_TZ).date()


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def previous_month_start(day: datetime.date) -> datetime.date:
    return month_start(month_start(day) - datetime.timedelta(days=1))


def _bounds(period: str, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    if period == WEEK:
        start = day - datetime.timedelta(days=day.weekday())
        return start, start + datetime.timedelta(days=6)
    if period == MONTH:
        return month_start(day), month_end(day)
    if period == QuotaTarget.Period.QUARTER:
        start = datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        return start, month_end(start.replace(month=start.month + 2))
    if period == QuotaTarget.Period.YEAR:
        return datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31)
    raise ValueError(f"unknown quota period {period!r}")


def period_bounds(
    *, period: str, due_day: int, day: datetime.date
) -> tuple[datetime.date, datetime.date, datetime.date]:
    """(first day, last day, due date) of the ``period`` holding ``day``."""
    start, end = _bounds(period, day)
    return start, end, end + datetime.timedelta(days=due_day)


def quota_period_of(
    *, quota: QuotaTarget | None, day: datetime.date
) -> tuple[datetime.date, datetime.date, datetime.date]:
    """(first day, last day, due date) of the quota period holding ``day``; without a quota
    the calendar month, due on its last day."""
    if quota is None:
        return period_bounds(period=MONTH, due_day=0, day=day)
    return period_bounds(period=quota.period, due_day=quota.due_day, day=day)


def information_quota(campaign: Campaign) -> QuotaTarget | None:
    """The campaign's quota of information items: the monthly one, else the weekly one."""
    quotas = {
        q.period: q
        for q in QuotaTarget.objects.filter(
            campaign=campaign, item_kind=QuotaTarget.ItemKind.INFORMATION, period__in=[MONTH, WEEK]
        )
    }
    return quotas.get(MONTH) or quotas.get(WEEK)


def item_counts(item: InfoItem, *, quota: QuotaTarget | None) -> bool:
    """Whether ``item`` counts for its quota period (see the module docstring)."""
    if item.submitted_at is None or item.state == ItemState.WITHDRAWN or item.false_report:
        return False
    submitted_on = local_date(item.submitted_at)
    anchor = item.quota_period_start or submitted_on
    _start, _end, due = quota_period_of(quota=quota, day=anchor)
    return submitted_on <= due


def campaign_units(campaign: Campaign) -> list[Unit]:
    """Every unit linked to a campaign (lead, responsible, members, media), ordered by
    name (code-point order, the same on SQLite and PostgreSQL)."""
    units = [
        link.unit for link in CampaignUnit.objects.filter(campaign=campaign).select_related("unit")
    ]
    return sorted(units, key=lambda u: (u.name, u.pk))


# The plans put the quota on the lead and responsible units (牵头单位, 责任单位); member
# units and media partners help but owe no items, so they are neither ranked nor penalised.
QUOTA_ROLES = (CampaignUnit.Role.LEAD, CampaignUnit.Role.RESPONSIBLE)


def quota_units(campaign: Campaign) -> list[Unit]:
    """The units of a campaign's quotas and bulletins: its lead and responsible units,
    ordered by name."""
    units = [
        link.unit
        for link in CampaignUnit.objects.filter(
            campaign=campaign, role__in=QUOTA_ROLES
        ).select_related("unit")
    ]
    return sorted(units, key=lambda u: (u.name, u.pk))


@dataclass(frozen=True)
class UnitQuota:
    """One unit's standing in one quota period."""

    unit: Unit
    period_start: datetime.date
    period_end: datetime.date
    due: datetime.date
    required: int
    counted: int

    @property
    def missing(self) -> int:
        return max(0, self.required - self.counted)

    @property
    def behind(self) -> bool:
        return self.counted < self.required


def counted_by_unit(
    *, campaign: Campaign, quota: QuotaTarget | None, period_start: datetime.date
) -> dict[int, int]:
    """Per unit id, the items counting for the quota period starting ``period_start``."""
    items = InfoItem.objects.filter(
        campaign=campaign, quota_period_start=period_start, submitted_at__isnull=False
    ).only("id", "unit_id", "state", "false_report", "submitted_at", "quota_period_start")
    counted: dict[int, int] = defaultdict(int)
    for item in items:
        if item_counts(item, quota=quota):
            counted[item.unit_id] += 1
    return counted


def quota_status(
    *, campaign: Campaign, period_start: datetime.date, units: Iterable[Unit] | None = None
) -> list[UnitQuota]:
    """Every campaign unit's counted items against the information quota for the period
    holding ``period_start`` (required 0 when the campaign has no such quota)."""
    quota = information_quota(campaign)
    start, end, due = quota_period_of(quota=quota, day=period_start)
    counted = counted_by_unit(campaign=campaign, quota=quota, period_start=start)
    required = quota.count if quota is not None else 0
    return [
        UnitQuota(
            unit=unit,
            period_start=start,
            period_end=end,
            due=due,
            required=required,
            counted=counted.get(unit.pk, 0),
        )
        for unit in (quota_units(campaign) if units is None else units)
    ]


def open_periods(*, quota: QuotaTarget, on: datetime.date) -> list[datetime.date]:
    """Starts of the quota periods still open on ``on``: the current one, and the previous
    one while its due date has not passed (oldest first)."""
    start, _end, _due = quota_period_of(quota=quota, day=on)
    previous_start, _previous_end, previous_due = quota_period_of(
        quota=quota, day=start - datetime.timedelta(days=1)
    )
    return [previous_start, start] if on <= previous_due else [start]


def _visible_units(actor, units: list[Unit]) -> list[Unit]:
    return [
        u
        for u in units
        if can_read(actor, region_path=u.region_path, unit_id=u.pk, unit_region_path="")
    ]


def units_behind(*, actor, campaign: Campaign, on: datetime.date) -> list[UnitQuota]:
    """The units the actor may see that have counted fewer items than required in a quota
    period still open on ``on`` (the current one, or the previous one before its due date),
    the earliest due first. Empty without an information quota."""
    quota = information_quota(campaign)
    if quota is None:
        return []
    units = _visible_units(actor, quota_units(campaign))
    if not units:
        return []
    behind = []
    for start in open_periods(quota=quota, on=on):
        behind.extend(
            s for s in quota_status(campaign=campaign, period_start=start, units=units) if s.behind
        )
    return behind


class CommissionStatus(NamedTuple):
    """What one unit owes on a commissioned topic: items still owed, delivered by the due
    date, and delivered late (after it)."""

    unit: Unit
    owed: int
    delivered: int
    late: int


def commission_status(*, commission: Commission) -> list[CommissionStatus]:
    """Per unit named in the commission (by name): owed, delivered on time, late. An item
    is delivered when submitted and neither withdrawn nor a false report."""
    units = sorted(commission.units.all(), key=lambda u: (u.name, u.pk))
    on_time: dict[int, int] = defaultdict(int)
    late: dict[int, int] = defaultdict(int)
    items = (
        InfoItem.objects.filter(commission=commission, submitted_at__isnull=False)
        .exclude(state=ItemState.WITHDRAWN)
        .filter(false_report=False)
        .only("id", "unit_id", "submitted_at")
    )
    for item in items:
        if local_date(item.submitted_at) <= commission.due_date:
            on_time[item.unit_id] += 1
        else:
            late[item.unit_id] += 1
    return [
        CommissionStatus(
            unit=u,
            owed=max(0, commission.count_per_unit - on_time[u.pk]),
            delivered=on_time[u.pk],
            late=late[u.pk],
        )
        for u in units
    ]


class CommissionOwed(NamedTuple):
    commission: Commission
    unit: Unit
    owed: int
    delivered: int
    late: int


def commissions_owed(*, actor) -> list[CommissionOwed]:
    """Commissioned topics on which a unit the actor may see still owes items: a reporter's
    own unit, an office's units in its subtree; soonest due first."""
    scope = read_scope(actor)
    if scope.empty:
        return []
    commissions = Commission.objects.all()
    if not scope.everything:
        q = Q(pk__in=[])
        if scope.subtree_path is not None:
            q |= Q(
                pk__in=Commission.units.through.objects.filter(
                    subtree_q("unit__region_path", scope.subtree_path)
                ).values("commission_id")
            )
        if scope.unit_id is not None:
            q |= Q(units=scope.unit_id)
        commissions = commissions.filter(q).distinct()
    result = []
    for commission in commissions.order_by("due_date", "id").prefetch_related("units"):
        for status in commission_status(commission=commission):
            if status.owed and can_read(
                actor, region_path=status.unit.region_path, unit_id=status.unit.pk
            ):
                result.append(CommissionOwed(commission, *status))
    return result
