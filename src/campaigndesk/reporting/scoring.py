"""Scoring units for the monthly bulletin (月度通报) and the annual assessment.

The rules of counting, implemented exactly as below (REPORTING.md); quota periods, due
dates and whether an item counts are in ``reporting.quotas``.

**Units.** A campaign's bulletin lists every unit linked to the campaign (lead unit too),
ordered by name; rows are shown by rank, equal ranks by name.

**Bulletin for month M** (first day S, last day E), per unit:

- *submitted*: with a monthly information quota, the unit's items whose
  ``quota_period_start`` lies in M and that count; without one, the items whose first
  submission (``submitted_at``, local date) lies in M and that count. An item counts when
  submitted on or before its period's due date, not withdrawn, not a false report
  (returned items count).
- *signed_off*: of those, the items now signed off.
- *adopted* by level (central, provincial, municipal, county, township): adoptions dated
  within M of any of the unit's items in the campaign; *headlines*: those with
  ``is_headline``.
- *adoption points*, under the rules in force for M (an adoption's value is its level's
  points × ``headline_multiplier`` when a headline, else × 1):

  - PER_ADOPTION: the sum of the values of the adoptions dated in M;
  - HIGHEST_ONCE: per item, value(E) − value(S − 1 day), where value(d) is the greatest
    value of the item's adoptions dated on or before d (0 without any): an item scores
    once, at its best, and a later better adoption adds only the difference.
- *leader comments*: ``LeaderComment`` rows dated in M on the unit's items; *bonus* =
  their number × ``leader_comment_bonus``.
- *quota*: with a monthly quota, required = count and counted = the items counting for M;
  with a weekly quota, the weeks whose due date falls in M, required = count × weeks and
  counted = the items counting for those weeks; missing = Σ over those periods of
  max(0, count − counted in the period). Without a quota, nothing is required or missing.
- *false reports*: the unit's items flagged false with ``quota_period_start`` in M.
- *penalty* = missing × ``missing_quota_penalty`` + false reports × ``false_report_penalty``.
- *points* = ``base_points`` + adoption points + bonus − penalty (Decimal, 2 places).
- *rank*: competition ranking on points: equal points share a rank and the next rank skips
  (1, 1, 3) — 并列.

**Rules in force for M**: the campaign's ``AssessmentRules`` with the greatest
``valid_from`` on or before S, then the greatest version.

**Annual assessment for year Y**: per unit, the sum of the points in the issued bulletins
of Y's months, taking for each month the latest issue that no issued correction supersedes;
read from the bulletins' snapshots, never recomputed, so a later rule change cannot alter
it. Ranks are shared as in a bulletin.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db.models import Q

from campaigndesk.campaigns.models import Campaign, QuotaTarget
from campaigndesk.regions.models import OutletLevel, Unit

from .models import (
    Adoption,
    AssessmentRules,
    Bulletin,
    InfoItem,
    IssueState,
    ItemState,
    LeaderComment,
    ScoringMode,
)
from .quotas import (
    LOCAL_TZ,
    MONTH,
    counted_by_unit,
    information_quota,
    item_counts,
    month_end,
    month_start,
    quota_units,
)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# Snapshot keys of the outlet levels, highest first.
LEVEL_KEYS: dict[int, str] = {
    OutletLevel.CENTRAL: "central",
    OutletLevel.PROVINCIAL: "provincial",
    OutletLevel.MUNICIPAL: "municipal",
    OutletLevel.COUNTY: "county",
    OutletLevel.TOWNSHIP: "township",
}


def money(value: Decimal | int | str) -> str:
    """A Decimal as the snapshot writes it: a string with two places ("23.00")."""
    return str(Decimal(value).quantize(CENT))


def rules_in_force(*, campaign: Campaign, period_start: datetime.date) -> AssessmentRules | None:
    """The campaign's rules for the period starting ``period_start``: greatest valid_from on
    or before it, then greatest version; None when no version applies yet."""
    return (
        AssessmentRules.objects.filter(campaign=campaign, valid_from__lte=period_start)
        .order_by("-valid_from", "-version")
        .first()
    )


def rules_as_dict(rules: AssessmentRules) -> dict:
    """The rules as the bulletin's snapshot records them."""
    return {
        "version": rules.version,
        "valid_from": rules.valid_from.isoformat(),
        "scoring_mode": rules.scoring_mode,
        "points": {key: money(rules.points_for_level(level)) for level, key in LEVEL_KEYS.items()},
        "headline_multiplier": money(rules.headline_multiplier),
        "leader_comment_bonus": money(rules.leader_comment_bonus),
        "missing_quota_penalty": money(rules.missing_quota_penalty),
        "false_report_penalty": money(rules.false_report_penalty),
        "base_points": money(rules.base_points),
    }


def quota_as_dict(quota: QuotaTarget | None) -> dict | None:
    if quota is None:
        return None
    return {"count": quota.count, "period": quota.period, "due_day": quota.due_day}


def competition_ranks(points: Sequence[Decimal]) -> list[int]:
    """The rank of each value, highest first, equal values sharing a rank (1, 1, 3)."""
    ordered = sorted(points, reverse=True)
    first_position: dict[Decimal, int] = {}
    for position, value in enumerate(ordered, start=1):
        first_position.setdefault(value, position)
    return [first_position[value] for value in points]


def _aware_day_bounds(start: datetime.date, end: datetime.date):
    """[start 00:00, end + 1 day 00:00) in local time, for filtering datetimes by date."""
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=LOCAL_TZ),
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, LOCAL_TZ),
    )


def weeks_due_in(
    *, quota: QuotaTarget, start: datetime.date, end: datetime.date
) -> list[datetime.date]:
    """Mondays of the weeks whose due date (Sunday + due_day) falls in [start, end]."""
    span = datetime.timedelta(days=6 + quota.due_day)
    monday = start - span
    monday -= datetime.timedelta(days=monday.weekday())
    weeks = []
    while monday + span <= end:
        if monday + span >= start:
            weeks.append(monday)
        monday += datetime.timedelta(days=7)
    return weeks


def _adoption_value(adoption: Adoption, rules: AssessmentRules) -> Decimal:
    value = rules.points_for_level(adoption.level)
    return value * rules.headline_multiplier if adoption.is_headline else value


def _adoption_points(
    adoptions: Iterable[Adoption], rules: AssessmentRules, start: datetime.date
) -> dict[int, Decimal]:
    """Per unit id, the adoption points credited to the month beginning ``start`` (the
    adoptions given are all those dated up to the month's end)."""
    by_unit: dict[int, Decimal] = defaultdict(Decimal)
    if rules.scoring_mode == ScoringMode.PER_ADOPTION:
        for adoption in adoptions:
            if adoption.date >= start:
                by_unit[adoption.item.unit_id] += _adoption_value(adoption, rules)
        return by_unit
    # HIGHEST_ONCE: best value by the month's end minus best value before the month.
    best_now: dict[int, Decimal] = defaultdict(Decimal)
    best_before: dict[int, Decimal] = defaultdict(Decimal)
    unit_of: dict[int, int] = {}
    for adoption in adoptions:
        value = _adoption_value(adoption, rules)
        unit_of[adoption.item_id] = adoption.item.unit_id
        best_now[adoption.item_id] = max(best_now[adoption.item_id], value)
        if adoption.date < start:
            best_before[adoption.item_id] = max(best_before[adoption.item_id], value)
    for item_id, unit_id in unit_of.items():
        by_unit[unit_id] += best_now[item_id] - best_before[item_id]
    return by_unit


def bulletin_compute(
    *,
    campaign: Campaign,
    period_start: datetime.date,
    rules: AssessmentRules,
    issuing_office: Unit | None = None,
) -> dict:
    """The bulletin's figures for the month holding ``period_start`` under ``rules``:
    ``{"period", "quota", "rows", "totals"}`` as in the snapshot (see the module
    docstring for every rule). Reads only; raises nothing."""
    start = month_start(period_start)
    end = month_end(start)
    quota = information_quota(campaign)
    # The office issuing the bulletin does not rank itself (in a county plan the lead
    # unit is often the office that receives the items).
    units = [unit for unit in quota_units(campaign) if unit != issuing_office]
    unit_ids = [u.pk for u in units]
    items = InfoItem.objects.filter(campaign=campaign, unit_id__in=unit_ids)

    # Submitted (and signed off) in M.
    submitted: dict[int, int] = defaultdict(int)
    signed_off: dict[int, int] = defaultdict(int)
    if quota is not None and quota.period == MONTH:
        in_month = items.filter(quota_period_start__range=(start, end))
    else:
        low, high = _aware_day_bounds(start, end)
        in_month = items.filter(submitted_at__gte=low, submitted_at__lt=high)
    for item in in_month.filter(submitted_at__isnull=False):
        if item_counts(item, quota=quota):
            submitted[item.unit_id] += 1
            if item.state == ItemState.SIGNED_OFF:
                signed_off[item.unit_id] += 1

    # Quota periods judged in M: the month itself, or the weeks due in it.
    required: dict[int, int] = defaultdict(int)
    counted: dict[int, int] = defaultdict(int)
    missing: dict[int, int] = defaultdict(int)
    if quota is not None:
        periods = (
            [start] if quota.period == MONTH else weeks_due_in(quota=quota, start=start, end=end)
        )
        for period in periods:
            per_unit = counted_by_unit(campaign=campaign, quota=quota, period_start=period)
            for unit_id in unit_ids:
                required[unit_id] += quota.count
                counted[unit_id] += per_unit.get(unit_id, 0)
                missing[unit_id] += max(0, quota.count - per_unit.get(unit_id, 0))

    # Adoptions: all dated up to E (HIGHEST_ONCE needs the earlier ones too).
    adoptions = list(Adoption.objects.filter(item__in=items, date__lte=end).select_related("item"))
    adopted: dict[int, dict[str, int]] = {
        u: dict.fromkeys(LEVEL_KEYS.values(), 0) for u in unit_ids
    }
    headlines: dict[int, int] = defaultdict(int)
    for adoption in adoptions:
        if adoption.date >= start:
            adopted[adoption.item.unit_id][LEVEL_KEYS[adoption.level]] += 1
            if adoption.is_headline:
                headlines[adoption.item.unit_id] += 1
    adoption_points = _adoption_points(adoptions, rules, start)

    comments: dict[int, int] = defaultdict(int)
    for unit_id in LeaderComment.objects.filter(
        item__in=items, date__range=(start, end)
    ).values_list("item__unit_id", flat=True):
        comments[unit_id] += 1

    false_reports: dict[int, int] = defaultdict(int)
    for unit_id in items.filter(
        false_report=True, quota_period_start__range=(start, end)
    ).values_list("unit_id", flat=True):
        false_reports[unit_id] += 1

    rows = []
    for unit in units:
        uid = unit.pk
        bonus = comments[uid] * rules.leader_comment_bonus
        penalty = (
            missing[uid] * rules.missing_quota_penalty
            + false_reports[uid] * rules.false_report_penalty
        )
        points = (rules.base_points + adoption_points[uid] + bonus - penalty).quantize(CENT)
        rows.append(
            {
                "rank": 0,
                "unit_id": uid,
                "unit": unit.name,
                "submitted": submitted[uid],
                "signed_off": signed_off[uid],
                "adopted": adopted[uid],
                "headlines": headlines[uid],
                "leader_comments": comments[uid],
                "false_reports": false_reports[uid],
                "quota_required": required[uid],
                "quota_counted": counted[uid] if quota is not None else submitted[uid],
                "missing": missing[uid],
                "quota_met": missing[uid] == 0,
                "adoption_points": money(adoption_points[uid]),
                "bonus": money(bonus),
                "penalty": money(penalty),
                "points": money(points),
                "_points": points,
            }
        )
    for row, rank in zip(rows, competition_ranks([r["_points"] for r in rows]), strict=True):
        row["rank"] = rank
        del row["_points"]
    # Units are already in name order; a stable sort keeps it within a shared rank.
    rows.sort(key=lambda r: r["rank"])
    totals = {
        "submitted": sum(r["submitted"] for r in rows),
        "signed_off": sum(r["signed_off"] for r in rows),
        "adopted": {key: sum(r["adopted"][key] for r in rows) for key in LEVEL_KEYS.values()},
        "headlines": sum(r["headlines"] for r in rows),
        "leader_comments": sum(r["leader_comments"] for r in rows),
        "false_reports": sum(r["false_reports"] for r in rows),
        "missing": sum(r["missing"] for r in rows),
    }
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "quota": quota_as_dict(quota),
        "rows": rows,
        "totals": totals,
    }


def current_issues(bulletins: Iterable[Bulletin]) -> dict[datetime.date, Bulletin]:
    """Per month, the issued bulletin in force: the latest issue that no issued bulletin
    among ``bulletins`` corrects."""
    issued = [b for b in bulletins if b.state == IssueState.ISSUED]
    corrected = {b.corrects_id for b in issued if b.corrects_id}
    by_month: dict[datetime.date, Bulletin] = {}
    for bulletin in sorted(issued, key=lambda b: (b.issued_at or b.issue_date, b.pk)):
        if bulletin.pk not in corrected:
            by_month[bulletin.period_start] = bulletin
    return by_month


def annual_from_bulletins(*, campaign: Campaign, year: int, bulletins: Iterable[Bulletin]) -> dict:
    """The annual assessment of ``year`` from the snapshots of the given bulletins (see the
    module docstring); pure, raises nothing."""
    by_month = {
        month: bulletin
        for month, bulletin in current_issues(bulletins).items()
        if month.year == year
    }
    months = sorted(by_month)
    names: dict[int, str] = {}
    by_unit: dict[int, dict[str, str]] = defaultdict(dict)
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for month in months:
        for row in by_month[month].snapshot["rows"]:
            uid = row["unit_id"]
            # The latest month's name wins, should a unit have been renamed.
            names[uid] = row["unit"]
            by_unit[uid][month.isoformat()] = row["points"]
            totals[uid] += Decimal(row["points"])
    unit_ids = sorted(names, key=lambda uid: (names[uid], uid))
    ranks = competition_ranks([totals[uid] for uid in unit_ids])
    rows = [
        {
            "rank": rank,
            "unit_id": uid,
            "unit": names[uid],
            "by_month": by_unit[uid],
            "points": money(totals[uid]),
        }
        for uid, rank in zip(unit_ids, ranks, strict=True)
    ]
    rows.sort(key=lambda r: r["rank"])
    return {
        "kind": "annual",
        "campaign": {"id": campaign.pk, "name": campaign.name},
        "year": year,
        "months": [m.isoformat() for m in months],
        "rows": rows,
    }


def annual_assessment(*, actor, campaign: Campaign, year: int) -> dict:
    """The annual assessment of ``campaign`` for ``year`` from the issued bulletins the
    actor may see (none visible: no months, no rows). Raises nothing."""
    from .issuing import bulletin_list  # issuing builds on this module

    bulletins = bulletin_list(actor=actor, campaign=campaign).filter(
        Q(state=IssueState.ISSUED),
        period_start__gte=datetime.date(year, 1, 1),
        period_start__lte=datetime.date(year, 12, 31),
    )
    return annual_from_bulletins(campaign=campaign, year=year, bulletins=bulletins)
