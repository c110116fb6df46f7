"""The one rollup path: totals per indicator over the facts, filtered and grouped.

Every figure that the dashboard, the bulletins, the summary report, the exports and the
API show comes from ``rollup``. Each indicator aggregates its own way:

- sum: the facts add up;
- latest: a cumulative "截至…累计" snapshot; in each group the latest-dated fact wins (on
  the same date the one on the widest region, then the newest record), never added up;
- distinct: the number of different counties / townships / villages / units with any
  activity (any fact) in the group;
- ratio: numerator over denominator (both summed in the group), in percent.

Approximation carries: a total is "about" when any part is about/under, otherwise "more"
(余) when any part is more/at-least, otherwise exact.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek
from django.utils.translation import gettext as _

from campaigndesk.accounts.scoping import visible_q
from campaigndesk.common.errors import DomainError
from campaigndesk.regions.models import Region, Unit
from campaigndesk.regions.paths import subtree_q

from .models import RANK_APPROX, Aggregation, Approx, Fact, Indicator

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
    # TruncDay & co. give datetimes on some backends and dates on others.
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
    dimension, series or indicator code."""
    filters = filters or RollupFilter()
    group_by = tuple(group_by)
    wanted = _indicators(indicators)
    base = _with_period(base_facts(actor=actor, campaign=campaign, filters=filters), series)
    columns = _columns(group_by, series)
    rows = _rows(base, wanted, columns)
    if columns and include_total:
        rows = (
            _rows(base_facts(actor=actor, campaign=campaign, filters=filters), wanted, []) + rows
        )
    return Rollup(rows=rows, group_by=group_by, series=series)


def _indicators(codes: Iterable[str] | None) -> list[Indicator]:
    qs = Indicator.objects.select_related("numerator", "denominator").filter(is_active=True)
    if codes is None:
        return list(qs)
    codes = list(codes)
    found = {
        i.code: i
        for i in Indicator.objects.select_related("numerator", "denominator").filter(code__in=codes)
    }
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise DomainError(_("Unknown indicator: %(codes)s") % {"codes": ", ".join(unknown)})
    return [found[c] for c in codes]


def _rows(base: QuerySet[Fact], wanted: list[Indicator], columns: list[str]) -> list[RollupRow]:
    by_aggregation: dict[str, list[Indicator]] = defaultdict(list)
    for indicator in wanted:
        by_aggregation[indicator.aggregation].append(indicator)
    sums_needed = {i.pk: i for i in by_aggregation[Aggregation.SUM]}
    for ratio in by_aggregation[Aggregation.RATIO]:
        sums_needed.setdefault(ratio.numerator_id, ratio.numerator)
        sums_needed.setdefault(ratio.denominator_id, ratio.denominator)
    sums = _sum_rows(base, sums_needed, columns)
    rows: list[RollupRow] = [
        row
        for row in sums
        if row.indicator.aggregation == Aggregation.SUM
        and row.indicator in by_aggregation[Aggregation.SUM]
    ]
    rows += _latest_rows(base, by_aggregation[Aggregation.LATEST], columns)
    rows += _distinct_rows(base, by_aggregation[Aggregation.DISTINCT], columns)
    rows += _ratio_rows(sums, by_aggregation[Aggregation.RATIO])
    order = {indicator.pk: index for index, indicator in enumerate(wanted)}
    rows.sort(key=lambda r: (order[r.indicator.pk], _sortable(r.group)))
    return rows


def _sortable(group: dict) -> tuple:
    return tuple((v is None, str(v)) for v in group.values())


def _sum_rows(base, indicators: dict[int, Indicator], columns: list[str]) -> list[RollupRow]:
    if not indicators:
        return []
    query = (
        base.filter(indicator_id__in=list(indicators))
        .values("indicator_id", *columns)
        .annotate(total=Sum("value"), rank=Max("approx_rank"), parts=Count("id"))
        .order_by()
    )
    return [
        RollupRow(
            indicator=indicators[values["indicator_id"]],
            group=_group_dict(_group_key(values, columns), columns),
            value=_decimal(values["total"]),
            approx=RANK_APPROX[values["rank"] or 0],
            parts=values["parts"],
        )
        for values in query
    ]


def _latest_rows(base, indicators: list[Indicator], columns: list[str]) -> list[RollupRow]:
    if not indicators:
        return []
    by_pk = {i.pk: i for i in indicators}
    # Snapshots are few (figures, not activity records); pick the winner of each group
    # in order: latest date, then the widest region, then the newest record.
    facts = (
        base.filter(indicator_id__in=list(by_pk))
        .values("indicator_id", "value", "approx_rank", *columns)
        .order_by("indicator_id", "-date", "region_depth", "-record_id")
    )
    winners: dict[tuple, RollupRow] = {}
    counts: dict[tuple, int] = defaultdict(int)
    for values in facts:
        key = (values["indicator_id"], _group_key(values, columns))
        counts[key] += 1
        if key not in winners:
            winners[key] = RollupRow(
                indicator=by_pk[values["indicator_id"]],
                group=_group_dict(key[1], columns),
                value=_decimal(values["value"]),
                approx=RANK_APPROX[values["approx_rank"]],
            )
    for key, row in winners.items():
        row.parts = counts[key]
    return list(winners.values())


def _distinct_rows(base, indicators: list[Indicator], columns: list[str]) -> list[RollupRow]:
    rows = []
    for indicator in indicators:
        column = DISTINCT_COLUMN[indicator.distinct_of]
        query = base.exclude(**{column: ""}) if column.endswith("_code") else base
        if columns:
            groups = query.values(*columns).annotate(n=Count(column, distinct=True)).order_by()
        else:
            groups = [query.aggregate(n=Count(column, distinct=True))]
        for values in groups:
            if values["n"]:
                rows.append(
                    RollupRow(
                        indicator=indicator,
                        group=_group_dict(_group_key(values, columns), columns),
                        value=Decimal(values["n"]),
                        parts=values["n"],
                    )
                )
    return rows


def _ratio_rows(sums: list[RollupRow], indicators: list[Indicator]) -> list[RollupRow]:
    if not indicators:
        return []
    by_key = {(row.indicator.pk, tuple(row.group.items())): row for row in sums}
    groups = {tuple(row.group.items()) for row in sums}
    rows = []
    for ratio in indicators:
        for group in groups:
            numerator = by_key.get((ratio.numerator_id, group))
            denominator = by_key.get((ratio.denominator_id, group))
            if denominator is None or not denominator.value:
                continue
            top = numerator.value if numerator is not None else Decimal(0)
            rank = max(_rank(denominator.approx), _rank(numerator.approx) if numerator else 0)
            rows.append(
                RollupRow(
                    indicator=ratio,
                    group=dict(group),
                    value=(top * 100 / denominator.value).quantize(Decimal("0.01")),
                    approx=RANK_APPROX[rank],
                    parts=denominator.parts + (numerator.parts if numerator else 0),
                )
            )
    return rows


def _rank(approx: str) -> int:
    from .models import APPROX_RANK

    return APPROX_RANK[approx]


def _decimal(value) -> Decimal | None:
    if value is None:
        return None
    value = value if isinstance(value, Decimal) else Decimal(str(value))
    # Counts are whole numbers; keep fractions (areas) to two places, drop float noise.
    return (
        value.quantize(Decimal(1))
        if value == value.to_integral_value()
        else value.quantize(Decimal("0.01"))
    )
