"""The one rollup path: totals per indicator over the facts, filtered and grouped.

Every figure that the dashboard, the bulletins, the summary report, the exports and the
API show comes from ``rollup``. Each indicator aggregates its own way:

- sum: the facts add up;
- latest: a cumulative "截至…累计" snapshot; in each group the latest-dated fact wins (on
  the same date the one on the widest region, then the newest record), never added up;
- distinct: the number of different counties / townships / villages / units with any
  activity (any fact) in the group;
- ratio: numerator over denominator in percent, each aggregated its own way in the group
  (both are sums for the seeded rates); no rate where either part has no fact.

Approximation carries: a total is "about" when any part is about/under, otherwise "more"
(余) when any part is more/at-least, otherwise exact; a latest snapshot is as exact as the
winning figure, a rate as its least exact part. Values are rounded once, at the end, half
up as a spreadsheet rounds: whole numbers stay whole, fractions keep two places, rates
are given to 0.01 %.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Max, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber, TruncDay, TruncMonth, TruncWeek
from django.utils.translation import gettext as _

from campaigndesk.accounts.scoping import visible_q
from campaigndesk.common.errors import DomainError
from campaigndesk.regions.models import Region, Unit
from campaigndesk.regions.paths import subtree_q

from .models import APPROX_RANK, RANK_APPROX, Aggregation, Approx, Fact, Indicator

# Dimensions a rollup can group by, and the fact column behind each.
DIMENSIONS: dict[str, str] = {
    "county": "county_code",
    "township": "township_code",
    "village": "village_code",
    "unit": "unit_id",
    "outlet": "outlet_id",
    "channel": "channel",
    "outlet_level": "outlet_level",
    "kind": "kind",
    "record_kind": "record_kind",
    "period": "period",
}
DISTINCT_COLUMN = {
    "county": "county_code",
    "township": "township_code",
    "village": "village_code",
    "unit": "unit_id",
}
SERIES = {"day": TruncDay, "week": TruncWeek, "month": TruncMonth}


@dataclass(frozen=True)
class RollupFilter:
    """Which facts count: a campaign, narrowed by any of the dimensions and by dates.
    ``as_of`` keeps facts dated on or before it (as stored now); ``date_from`` and
    ``date_to`` bound a period."""

    region: Region | None = None
    unit: Unit | None = None
    channel: str | None = None
    outlet_level: int | None = None
    kind: str | None = None  # "event" (all events) or "event:lecture"
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    as_of: datetime.date | None = None


@dataclass
class RollupRow:
    indicator: Indicator
    group: dict[str, object]
    value: Decimal | None
    approx: str = Approx.EXACT
    parts: int = 0  # facts (or distinct members) behind the figure

    @property
    def is_approximate(self) -> bool:
        return self.approx != Approx.EXACT


@dataclass
class Rollup:
    rows: list[RollupRow] = field(default_factory=list)
    group_by: tuple[str, ...] = ()
    series: str | None = None

    def total(self, code: str) -> RollupRow | None:
        """The ungrouped row for an indicator (None when no fact fed it)."""
        for row in self.rows:
            if row.indicator.code == code and not row.group:
                return row
        return None

    def value(self, code: str, default: Decimal = Decimal(0)) -> Decimal:
        row = self.total(code)
        return row.value if row is not None and row.value is not None else default

    def by_indicator(self) -> dict[str, list[RollupRow]]:
        grouped: dict[str, list[RollupRow]] = defaultdict(list)
        for row in self.rows:
            grouped[row.indicator.code].append(row)
        return dict(grouped)


def base_facts(*, actor, campaign, filters: RollupFilter) -> QuerySet[Fact]:
    qs = Fact.objects.filter(campaign=campaign).filter(
        visible_q(
            actor,
            path_field="region_path",
            unit_field="unit_id",
            unit_path_field="unit_region_path",
        )
    )
    if filters.region is not None:
        qs = qs.filter(subtree_q("region_path", filters.region.path))
    if filters.unit is not None:
        qs = qs.filter(unit=filters.unit)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.outlet_level:
        qs = qs.filter(outlet_level=filters.outlet_level)
    if filters.kind:
        qs = qs.filter(Q(kind=filters.kind) if ":" in filters.kind else Q(record_kind=filters.kind))
    if filters.date_from:
        qs = qs.filter(date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(date__lte=filters.date_to)
    if filters.as_of:
        qs = qs.filter(date__lte=filters.as_of)
    return qs


def _columns(group_by: Sequence[str], series: str | None) -> list[str]:
    columns = []
    for dimension in group_by:
        if dimension not in DIMENSIONS:
            raise DomainError(_("Unknown dimension: %(name)s") % {"name": dimension})
        if dimension == "period" and series is None:
            raise DomainError(_("Grouping by period needs a series (day, week or month)."))
        columns.append(DIMENSIONS[dimension])
    if series is not None and "period" not in group_by:
        columns.append("period")
    return columns


def _with_period(qs: QuerySet[Fact], series: str | None) -> QuerySet[Fact]:
    if series is None:
        return qs
    if series not in SERIES:
        raise DomainError(_("Unknown series: %(name)s") % {"name": series})
    return qs.annotate(period=SERIES[series]("date"))


def _group_key(values: dict, columns: list[str]) -> tuple:
    return tuple(_normalise_period(values[c]) if c == "period" else values[c] for c in columns)


def _normalise_period(value):
    # Facts hold local calendar dates, so truncating one never needs a time zone; but a
    # backend may hand the truncated date back as a timestamp (midnight of that date, in
    # the time zone it was cast in): its date part is the period.
    return value.date() if isinstance(value, datetime.datetime) else value


def _group_dict(key: tuple, columns: list[str]) -> dict[str, object]:
    names = {column: name for name, column in DIMENSIONS.items()}
    return {names.get(c, c): v for c, v in zip(columns, key, strict=True)}


def rollup(
    *,
    actor,
    campaign,
    filters: RollupFilter | None = None,
    group_by: Sequence[str] = (),
    series: str | None = None,
    indicators: Iterable[str] | None = None,
    include_total: bool = True,
) -> Rollup:
    """Totals per indicator for the campaign's facts visible to the actor, narrowed by
    ``filters``, grouped by ``group_by`` (see DIMENSIONS) and, with ``series`` ("day",
    "week", "month"), as a time series. With grouping, an ungrouped total row per indicator
    is included too unless ``include_total`` is false. Raises DomainError for an unknown
    dimension, series or indicator code. The number of queries does not depend on the
    number of facts (at most 1 + 3 per pass, two passes with grouping)."""
    filters = filters or RollupFilter()
    group_by = tuple(dict.fromkeys(group_by))
    wanted = _indicators(indicators)
    plain = base_facts(actor=actor, campaign=campaign, filters=filters)
    base = _with_period(plain, series)
    columns = _columns(group_by, series)
    rows = _rows(base, wanted, columns)
    if columns and include_total:
        rows = _rows(plain, wanted, []) + rows
    return Rollup(rows=rows, group_by=group_by, series=series)


def _indicators(codes: Iterable[str] | None) -> list[Indicator]:
    qs = Indicator.objects.select_related("numerator", "denominator")
    if codes is None:
        return list(qs.filter(is_active=True))
    codes = list(dict.fromkeys(codes))  # each indicator once, in the order asked
    found = {i.code: i for i in qs.filter(code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise DomainError(_("Unknown indicator: %(codes)s") % {"codes": ", ".join(unknown)})
    return [found[c] for c in codes]


def _rows(base: QuerySet[Fact], wanted: list[Indicator], columns: list[str]) -> list[RollupRow]:
    # Every indicator asked for, and the parts of every ratio asked for, aggregate their
    # own way on unrounded values; only the indicators asked for are returned.
    needed: dict[int, Indicator] = {i.pk: i for i in wanted if i.aggregation != Aggregation.RATIO}
    ratios = [i for i in wanted if i.aggregation == Aggregation.RATIO]
    for ratio in ratios:
        for part in (ratio.numerator, ratio.denominator):
            if part.aggregation != Aggregation.RATIO:
                needed.setdefault(part.pk, part)
    by_aggregation: dict[str, list[Indicator]] = defaultdict(list)
    for indicator in needed.values():
        by_aggregation[indicator.aggregation].append(indicator)
    computed = (
        _sum_rows(base, by_aggregation[Aggregation.SUM], columns)
        + _latest_rows(base, by_aggregation[Aggregation.LATEST], columns)
        + _distinct_rows(base, by_aggregation[Aggregation.DISTINCT], columns)
    )
    asked = {indicator.pk for indicator in wanted}
    rows = [row for row in computed if row.indicator.pk in asked]
    for row in rows:
        row.value = _decimal(row.value)
    # Ratios are computed from the unrounded parts and rounded to 0.01 themselves.
    rows += _ratio_rows(computed, ratios)
    order = {indicator.pk: index for index, indicator in enumerate(wanted)}
    rows.sort(key=lambda r: (order[r.indicator.pk], _sortable(r.group)))
    return rows


def _sortable(group: dict) -> tuple:
    return tuple((v is None, str(v)) for v in group.values())


def _sum_rows(base, indicators: list[Indicator], columns: list[str]) -> list[RollupRow]:
    if not indicators:
        return []
    by_pk = {i.pk: i for i in indicators}
    query = (
        base.filter(indicator_id__in=list(by_pk))
        .values("indicator_id", *columns)
        .annotate(total=Sum("value"), rank=Max("approx_rank"), parts=Count("id"))
        .order_by()
    )
    return [
        RollupRow(
            indicator=by_pk[values["indicator_id"]],
            group=_group_dict(_group_key(values, columns), columns),
            value=_number(values["total"]),
            approx=RANK_APPROX[values["rank"] or 0],
            parts=values["parts"],
        )
        for values in query
    ]


def _latest_rows(base, indicators: list[Indicator], columns: list[str]) -> list[RollupRow]:
    if not indicators:
        return []
    by_pk = {i.pk: i for i in indicators}
    # The winner of each group, ranked in the database (one row per group comes back):
    # the latest date, then the widest region, then the newest record.
    partition = [F("indicator_id"), *(F(column) for column in columns)]
    winners = (
        base.filter(indicator_id__in=list(by_pk))
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=partition,
                order_by=[F("date").desc(), F("region_depth").asc(), F("record_id").desc()],
            ),
            snapshots=Window(Count("id"), partition_by=partition),
        )
        .filter(place=1)
        .values("indicator_id", "value", "approx_rank", "snapshots", *columns)
        .order_by()
    )
    return [
        RollupRow(
            indicator=by_pk[values["indicator_id"]],
            group=_group_dict(_group_key(values, columns), columns),
            value=_number(values["value"]),
            approx=RANK_APPROX[values["approx_rank"] or 0],
            parts=values["snapshots"],
        )
        for values in winners
    ]


def _distinct_rows(base, indicators: list[Indicator], columns: list[str]) -> list[RollupRow]:
    if not indicators:
        return []
    # One query for all of them: a region code is blank on facts above that level.
    counts = {}
    for indicator in indicators:
        column = DISTINCT_COLUMN[indicator.distinct_of]
        blank = ~Q(**{column: ""}) if column.endswith("_code") else None
        counts[f"n{indicator.pk}"] = Count(column, filter=blank, distinct=True)
    if columns:
        results = list(base.values(*columns).annotate(**counts).order_by())
    else:
        results = [base.aggregate(**counts)]
    rows = []
    for indicator in indicators:
        for values in results:
            n = values[f"n{indicator.pk}"]
            if n:
                rows.append(
                    RollupRow(
                        indicator=indicator,
                        group=_group_dict(_group_key(values, columns), columns),
                        value=Decimal(n),
                        parts=n,
                    )
                )
    return rows


def _ratio_rows(parts: list[RollupRow], indicators: list[Indicator]) -> list[RollupRow]:
    """Numerator over denominator in percent, per group where both have facts (a group
    without a numerator has no rate rather than 0 %); approximation carries from both."""
    if not indicators:
        return []
    by_key = {(row.indicator.pk, tuple(row.group.items())): row for row in parts}
    groups = dict.fromkeys(tuple(row.group.items()) for row in parts)
    rows = []
    for ratio in indicators:
        for group in groups:
            numerator = by_key.get((ratio.numerator_id, group))
            denominator = by_key.get((ratio.denominator_id, group))
            if numerator is None or denominator is None or not denominator.value:
                continue
            value = numerator.value * 100 / denominator.value
            rows.append(
                RollupRow(
                    indicator=ratio,
                    group=dict(group),
                    value=value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
                    approx=RANK_APPROX[max(_rank(numerator.approx), _rank(denominator.approx))],
                    parts=numerator.parts + denominator.parts,
                )
            )
    return rows


def _rank(approx: str) -> int:
    return APPROX_RANK[approx]


def _number(value) -> Decimal | None:
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _decimal(value) -> Decimal | None:
    """A figure as shown: whole numbers whole, fractions (areas) to two places, rounded
    half up as a spreadsheet does (no float noise from the database either)."""
    value = _number(value)
    if value is None:
        return None
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
