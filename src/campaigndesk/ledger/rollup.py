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

Speed. A question the summary holds (``ledger/summary.py``: a region at county level or
above that the actor sees whole, no unit/channel/outlet-level/kind filter, grouped by
county and week or month at most) is answered from it: the pre-aggregated cells of the
whole date buckets in the range, plus the facts of the partial buckets at its ends;
distinct counts up to a date from the members' first buckets, and as a weekly or monthly
series from the member counts. Every other question reads ``Fact`` through the covering
index ``fact_rollup`` (campaign, indicator, region path) INCLUDE (date, value,
approximation, depth, record, county/township/village codes, unit): each query names its
indicators, so a region subtree is one index range per indicator, and on PostgreSQL the
usual rollups are index-only scans once VACUUM has set the visibility map. A visibility
test that the region filter already implies is left out (it would keep the planner off
the index). With a grouping, the totals of sums and latest snapshots are folded from the
groups instead of read again; distinct counts hash distinct pairs instead of COUNT
(DISTINCT). A daily aggregate over every dimension was measured and rejected (on the
bench data it held 1.86 million rows for 1.90 million facts); the summary's coarser
cells (county × bucket) hold 345,192 rows for 9.5 million facts.

A rollup's statements do not depend on each other's answers, so they are gathered first
and sent together: on PostgreSQL in one pipeline, one round trip instead of four or more.
The vocabulary they are built from is the one read last on the connection, read again in
the same pipeline; if it changed meanwhile, the answer is dropped and asked again.
"""

import datetime
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from operator import itemgetter
from typing import Any

from django.db import connection
from django.db.models import (
    CharField,
    Count,
    DateField,
    F,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
    Window,
    signals,
)
from django.db.models.base import ModelState
from django.db.models.functions import Cast, RowNumber, TruncDay, TruncMonth, TruncWeek
from django.utils.translation import gettext as _

from campaigndesk.accounts.scoping import read_scope, visible_q
from campaigndesk.common.errors import DomainError, FieldError
from campaigndesk.regions.models import Region, RegionLevel, Unit
from campaigndesk.regions.paths import is_within, subtree_q, subtree_upper_bound

from . import summary
from .models import (
    RANK_APPROX,
    RECORD_MODELS,
    Aggregation,
    Approx,
    Fact,
    FactFirstSeen,
    FactMemberCount,
    FactPresence,
    FactSummary,
    Indicator,
    MemberKind,
    PeriodGrain,
)

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


# The dates a rollup may be asked about: far beyond any campaign, short of the calendar's
# ends (a week or month bucket past them cannot be computed).
FIRST_DAY = datetime.date(1900, 1, 1)
LAST_DAY = datetime.date(2999, 12, 31)


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

    def __post_init__(self) -> None:
        """Raise FieldError for a date outside FIRST_DAY..LAST_DAY (the weeks and months
        around year 1 or 9999 do not exist), and for dates that end before they start:
        such a filter would answer "nothing done", which reads as a fact rather than as
        a mistake; and for an unknown record kind or kind (it would answer "nothing" too)."""
        if self.kind:
            record_kind, _sep, sub = self.kind.partition(":")
            model = RECORD_MODELS.get(record_kind)
            if model is None:
                raise FieldError("kind", _("Unknown record kind: %(kind)s") % {"kind": record_kind})
            choices = getattr(model, "Kind", None)
            if sub and (choices is None or sub not in choices.values):
                raise FieldError("kind", _("Unknown kind: %(value)s") % {"value": self.kind})
        for name in ("date_from", "date_to", "as_of"):
            day = getattr(self, name)
            if day is not None and not FIRST_DAY <= day <= LAST_DAY:
                raise FieldError(
                    name,
                    _("A date from %(first)s to %(last)s.")
                    % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
                )
        start = self.date_from
        if start is None:
            return
        for name, end in (("date_to", self.date_to), ("as_of", self.as_of)):
            if end is not None and end < start:
                raise FieldError(
                    name,
                    _("%(end)s is before the start date %(start)s.")
                    % {"end": end.isoformat(), "start": start.isoformat()},
                )


# One indicator's unrounded figure in one group, as the database gave it: (indicator id,
# group key, value, approximation rank, facts or members behind it, and for a latest
# snapshot what ranks it, the greatest winning; else ()). Plain tuples: a weekly series
# has thousands, and building objects for them cost more than the query that read them.
Part = tuple[int, tuple, Decimal | None, int, int, tuple]


@dataclass(slots=True)
class RollupRow:
    """One indicator's figure in one group (``group`` empty: the total). The rows of one
    group share one ``group`` dict: read it, do not change it."""

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
    qs = Fact.objects.filter(campaign=campaign)
    if not _region_implies_visibility(actor, filters.region):
        qs = qs.filter(
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


def _region_implies_visibility(actor, region: Region | None) -> bool:
    """Whether every fact in ``region``'s subtree is visible to the actor anyway (an office
    asking about its own subtree or below), so the visibility test can be left out: it is
    an OR over two paths and a unit that keeps the database off the rollup's index."""
    if region is None:
        return False
    scope = read_scope(actor)
    return scope.everything or (
        scope.subtree_path is not None and is_within(region.path, scope.subtree_path)
    )


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
    return qs.annotate(period=_period(series, "date"))


def _period(series: str, column: str):
    # A date, not the timestamp PostgreSQL's DATE_TRUNC gives: thousands of time-zone-
    # aware timestamps cost more to read than the query takes to run.
    return Cast(SERIES[series](column), DateField())


def _normalise_period(value):
    # Facts hold local calendar dates, so truncating one never needs a time zone; but a
    # backend may hand the truncated date back as a timestamp (midnight of that date, in
    # the time zone it was cast in), or as text when read without the ORM's converters
    # (SQLite): its date part is the period.
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    return value


# The dimension named by each fact column ("period" is its own name).
_DIMENSION_OF = {column: name for name, column in DIMENSIONS.items()}


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
    dimension, series or indicator code. The number of statements does not depend on the
    number of facts: at most six (the vocabulary, two each for sums and latest snapshots
    over a date range that cuts buckets, one for distinct counts), sent together on
    PostgreSQL; one more round when the vocabulary changed since it was last read."""
    filters = filters or RollupFilter()
    group_by = tuple(dict.fromkeys(group_by))
    codes = None if indicators is None else list(dict.fromkeys(indicators))
    columns = _columns(group_by, series)
    source = _summary_source(actor, campaign, filters, group_by, series)
    if source is None:
        base = _with_period(base_facts(actor=actor, campaign=campaign, filters=filters), series)
        source = _FactSource(base)
    with_total = bool(columns) and include_total
    # The vocabulary read last is trusted to build the statements and read again beside
    # them; if it changed, the answer is thrown away and asked again of the new one.
    known = _last_vocabulary.get(connection.alias)
    if known is not None and not known.unknown(codes):
        rows = _rows(source, known, codes, columns, with_total=with_total, check=True)
        if rows is not None:
            return Rollup(rows=rows, group_by=group_by, series=series)
    # (when the check found a new vocabulary it read it already: not read twice)
    fresh = _last_vocabulary.get(connection.alias)
    vocabulary = fresh if known is not None and fresh is not known else _Vocabulary.read()
    unknown = vocabulary.unknown(codes)
    if unknown:
        raise DomainError(_("Unknown indicator: %(codes)s") % {"codes": ", ".join(unknown)})
    rows = _rows(source, vocabulary, codes, columns, with_total=with_total)
    return Rollup(rows=rows, group_by=group_by, series=series)


def _fetch(statement: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


Statement = tuple[str, list]


@dataclass(slots=True)
class _Pending:
    """Statements still to be sent, and what to make of their rows (``finish`` gets one
    list of rows per statement). A rollup gathers all of its statements before sending
    any, so that PostgreSQL receives them in one pipeline (see ``_send``)."""

    statements: list[Statement]
    finish: Callable[[list[list[tuple]]], Any]


def _ready(value) -> _Pending:
    """A pending answer that needs no statement."""
    return _Pending([], lambda _results: value)


def _one(statement: str, params: list, finish: Callable[[list[tuple]], Any]) -> _Pending:
    return _Pending([(statement, params)], lambda results: finish(results[0]))


def _both(first: _Pending, second: _Pending, combine: Callable[[Any, Any], Any]) -> _Pending:
    """Both pending answers' statements, and ``combine`` of their answers."""
    cut = len(first.statements)
    return _Pending(
        first.statements + second.statements,
        lambda results: combine(first.finish(results[:cut]), second.finish(results[cut:])),
    )


def _answers(pending: list[_Pending]) -> list:
    """The answers of ``pending``: their statements sent together, then each finished."""
    results = _send([statement for one in pending for statement in one.statements])
    answers, at = [], 0
    for one in pending:
        count = len(one.statements)
        answers.append(one.finish(results[at : at + count]))
        at += count
    return answers


def _send(statements: list[Statement]) -> list[list[tuple]]:
    """The rows of each statement. On PostgreSQL several statements go out in one pipeline:
    the server runs them back to back and the answers come back together, instead of one
    round trip each (on a small rollup the round trips cost as much as the queries)."""
    if len(statements) < 2 or connection.vendor != "postgresql":
        return [_fetch(statement, params) for statement, params in statements]
    connection.ensure_connection()
    cursors = []
    try:
        with connection.wrap_database_errors, connection.connection.pipeline():
            for statement, params in statements:
                cursor = connection.cursor()
                cursors.append(cursor)
                cursor.execute(statement, params)
            return [cursor.fetchall() for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()


class _FactSource:
    """The facts themselves: answers every question."""

    def __init__(self, base: QuerySet[Fact]):
        self.base = base

    def sums(self, indicators: list[Indicator], columns: list[str]) -> _Pending:
        return _sum_parts(self.base, indicators, columns)

    def latest(self, indicators: list[Indicator], columns: list[str]) -> _Pending:
        return _latest_parts(self.base, indicators, columns)

    def distinct(self, indicators, columns, *, with_total, every_indicator):
        return _distinct_parts(
            self.base,
            indicators,
            columns,
            with_total=with_total,
            every_indicator=every_indicator,
        )


# Grouping dimensions the summary holds (see ledger/summary.py).
_SUMMARY_GROUPS = {"county", "period"}
_SUMMARY_LEVELS = {RegionLevel.PROVINCE, RegionLevel.PREFECTURE, RegionLevel.COUNTY}


def _summary_source(actor, campaign, filters: RollupFilter, group_by, series):
    """The summary (with the facts of the partial buckets at the ends of the date range)
    when it can answer the question exactly, else None: the region is at county level or
    above and the actor sees all of it, no unit/channel/outlet level/kind filter, grouped
    by county and week or month at most, and at least one whole bucket in the range."""
    if not summary.enabled():
        return None
    if filters.region is not None and filters.region.level not in _SUMMARY_LEVELS:
        return None
    if filters.region is None:
        if not read_scope(actor).everything:
            return None
    elif not _region_implies_visibility(actor, filters.region):
        return None
    if filters.unit or filters.channel or filters.outlet_level or filters.kind:
        return None
    if not set(group_by) <= _SUMMARY_GROUPS or series not in (None, "week", "month"):
        return None
    low = filters.date_from
    highs = [d for d in (filters.date_to, filters.as_of) if d is not None]
    high = min(highs) if highs else None
    # Whole buckets from ``first`` (a bucket's first day) to ``last`` (a bucket's last).
    first = last = None
    edges = Q()
    if low is not None:
        first = summary.bucket_of(low)
        if first != low:
            first = summary.bucket_end(first) + datetime.timedelta(days=1)
            edges |= Q(date__gte=low, date__lt=first)
    if high is not None:
        start = summary.bucket_of(high)
        last = high
        if summary.bucket_end(start) != high:
            last = start - datetime.timedelta(days=1)
            edges |= Q(date__gte=max(start, low) if low else start, date__lte=high)
    if first is not None and last is not None and first > last:
        return None  # no whole bucket: the facts alone
    edge = None
    if edges:
        undated = RollupFilter(region=filters.region)
        edge = base_facts(actor=actor, campaign=campaign, filters=undated).filter(edges)
        edge = _with_period(edge, series)
    source = _SummarySource(campaign.pk, filters.region, series, edge)
    if first is not None:
        source.cells.add("bucket >= %s", first)
    if last is not None:
        source.cells.add("bucket <= %s", last)
    # Distinct counts up to a date (no start) from the first buckets (of whole buckets; a
    # last partial bucket's members come from its facts).
    if low is None:
        source.first_seen = source.where()
        if high is not None:
            source.first_seen.add("first_bucket <= %s", last)
    if series is not None:
        source.counts, source.partial = _member_counts(source, series, low, high)
    return source


class _Where:
    """SQL conditions joined by AND, with their parameters (the summary's statements are
    written out: building them with the ORM cost more than running them)."""

    def __init__(self, sql: str = "", *params):
        self.conditions: list[str] = [sql] if sql else []
        self.params: list = list(params)

    def add(self, sql: str, *params) -> "_Where":
        self.conditions.append(sql)
        self.params += params
        return self

    def copy(self) -> "_Where":
        where = _Where()
        where.conditions, where.params = list(self.conditions), list(self.params)
        return where

    @property
    def sql(self) -> str:
        return " AND ".join(self.conditions) or "1 = 1"


def _member_counts(source: "_SummarySource", series: str, low, high):
    """The conditions on the member counts of the whole weeks or months between ``low``
    and ``high``, and the (first, last) bucket ranges of the periods the range cuts."""
    grain = PeriodGrain.WEEK if series == "week" else PeriodGrain.MONTH
    counts = source.where().add("grain = %s", int(grain))
    partial: list[tuple[datetime.date, datetime.date]] = []
    if low is not None:
        start = summary.period_start(series, low)
        if start != low:
            partial.append((start, summary.period_end(series, start)))
            start = summary.period_end(series, start) + datetime.timedelta(days=1)
        counts.add("period >= %s", start)
    if high is not None:
        start = summary.period_start(series, high)
        if summary.period_end(series, start) != high:
            partial.append((start, high))
            counts.add("period < %s", start)
        else:
            counts.add("period <= %s", start)
    return counts, partial or None


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _ids(items) -> str:
    return ", ".join(str(int(item)) for item in items) or "NULL"


class _SummarySource:
    """``FactSummary`` and ``FactPresence`` rows of whole buckets, plus (``edge``) the facts
    of the partial buckets at the ends of the date range. ``cells`` narrows the summary
    and the presences, ``first_seen`` (when the question is up to a date) the first
    buckets, ``counts`` (for a series) the member counts of whole periods; ``partial``
    lists the bucket ranges of the periods the date range cuts (None: none)."""

    def __init__(self, campaign_id: int, region: Region | None, series: str | None, edge):
        self.campaign_id = campaign_id
        self.region = region
        self.series = series
        self.edge = edge
        self.cells = self.where()
        self.first_seen: _Where | None = None
        self.counts: _Where | None = None
        self.partial: list[tuple[datetime.date, datetime.date]] | None = None

    def where(self) -> _Where:
        """The campaign and the region's subtree."""
        where = _Where("campaign_id = %s", self.campaign_id)
        if self.region is not None:
            where.add(
                "region_path >= %s AND region_path < %s",
                self.region.path,
                subtree_upper_bound(self.region.path),
            )
        return where

    def _select(self, columns: list[str], date_column: str = "bucket") -> list[str]:
        """The select list naming each of ``columns`` ("period": the bucket's period)."""
        return [
            f"{summary.period_sql(self.series, date_column)} AS period" if c == "period" else c
            for c in columns
        ]

    def _cells(self, indicators: list[Indicator], columns: list[str], figures: str) -> str:
        """The summary's cells of ``indicators`` in range: their indicator, ``columns`` and
        ``figures``."""
        select = "".join(f", {c}" for c in self._select(columns))
        return (
            f"SELECT indicator_id{select}, {figures} FROM {_table(FactSummary)} "
            f"WHERE {self.cells.sql} AND indicator_id IN ({_ids(i.pk for i in indicators)})"
        )

    def sums(self, indicators: list[Indicator], columns: list[str]) -> _Pending:
        if not indicators:
            return _ready([])
        keys = "".join(f", {c}" for c in columns)
        cells = self._cells(indicators, columns, "total, approx_rank, parts")
        statement = (
            f"SELECT indicator_id{keys}, SUM(total), MAX(approx_rank), SUM(parts) "
            f"FROM ({cells}) c GROUP BY indicator_id{keys}"
        )
        pending = _one(statement, self.cells.params, lambda rows: _parts_of_rows(rows, columns))
        return self._with_edge(pending, _sum_parts, _sum_totals, indicators, columns)

    def latest(self, indicators: list[Indicator], columns: list[str]) -> _Pending:
        if not indicators:
            return _ready([])
        keys = "".join(f", {c}" for c in columns)
        cells = self._cells(
            indicators,
            columns,
            "total, approx_rank, parts, latest_date, latest_depth, latest_record",
        )
        # Each cell holds its bucket's winner; the winner of a group wins over them.
        statement = (
            f"SELECT indicator_id{keys}, total, approx_rank, snapshots, latest_date, "
            f"latest_depth, latest_record FROM (SELECT c.*, ROW_NUMBER() OVER (PARTITION BY "
            f"indicator_id{keys} ORDER BY latest_date DESC, latest_depth, latest_record DESC) "
            f"AS place, SUM(parts) OVER (PARTITION BY indicator_id{keys}) AS snapshots "
            f"FROM ({cells}) c) w WHERE place = 1"
        )
        pending = _one(statement, self.cells.params, lambda rows: _latest_of_rows(rows, columns))
        return self._with_edge(pending, _latest_parts, _latest_totals, indicators, columns)

    def _with_edge(self, pending: _Pending, parts_of, merged, indicators, columns) -> _Pending:
        """``pending``'s parts and, when the date range cuts buckets, those of the edge
        facts (``parts_of``), ``merged`` per indicator and group."""
        if self.edge is None:
            return pending
        return _both(
            pending,
            parts_of(self.edge, indicators, columns),
            lambda mine, edge: merged(mine + edge, columns),
        )

    def distinct(self, indicators, columns, *, with_total, every_indicator):
        """Distinct counts: up to a date (no start) from the members' first dates; as a
        weekly or monthly series, counties, townships and villages of whole periods from
        the member counts (each lies under one county, so they add up) and the rest
        (units, partial periods) from the presences and the edge facts. One statement."""
        if not indicators:
            return _ready(([], []))
        wanted = {i.distinct_of for i in indicators}
        kinds = [int(kind) for kind, name in _MEMBER_NAMES.items() if name in wanted]
        # Each piece gives (is a total of a grouping, kind, *key, count).
        pieces: list[tuple[str, list]] = []
        members = functools.partial(self._members, kinds, every_indicator=every_indicator)
        if "period" not in columns:
            pieces.append(members(columns, total=with_total or not columns))
        else:
            counted = [k for k in kinds if k != MemberKind.UNIT] if self.counts is not None else []
            if counted:
                by = "".join(f"{c}, " for c in columns if c != "period")
                pieces.append(
                    (
                        f"SELECT 0, member_kind, {', '.join(columns)}, SUM(members) "
                        f"FROM {_table(FactMemberCount)} WHERE {self.counts.sql} "
                        f"AND member_kind IN ({_ids(counted)}) GROUP BY member_kind, {by}period",
                        self.counts.params,
                    )
                )
            # Units add up over nothing: the region's own count, when asked for the region
            # as a whole (not by county).
            units = (
                MemberKind.UNIT in kinds
                and self.counts is not None
                and self.region is not None
                and columns == ["period"]
            )
            if units:
                pieces.append(
                    (
                        f"SELECT 0, member_kind, period, members FROM {_table(FactMemberCount)} "
                        f"WHERE {self.counts.sql} AND member_kind = %s AND region_path = %s",
                        [*self.counts.params, int(MemberKind.UNIT), self.region.path],
                    )
                )
                counted = [*counted, int(MemberKind.UNIT)]
            # What the counts leave: units (unless counted) and the periods the range cuts
            # (the edge facts lie in those), member by member.
            if not counted:
                pieces.append(members(columns, total=False))
            elif not units or self.partial is not None:
                # (units, or a presence in a cut period)
                either = [] if units else [("member_kind = %s", [int(MemberKind.UNIT)])]
                either += [("bucket BETWEEN %s AND %s", [a, b]) for a, b in self.partial or []]
                narrow = _Where(
                    "(" + " OR ".join(sql for sql, _ in either) + ")",
                    *(p for _, params in either for p in params),
                )
                pieces.append(members(columns, total=False, narrow=narrow))
            if with_total:
                pieces.append(members([], total=True, pad=columns))
        statement = " UNION ALL ".join(
            f"SELECT * FROM ({sql}) x{n}" for n, (sql, _) in enumerate(pieces)
        )
        return _one(
            statement,
            [p for _, params in pieces for p in params],
            lambda results: _counted_parts(
                indicators, results, columns, lambda indicator: _MEMBER_KIND[indicator.distinct_of]
            ),
        )

    def _members(
        self,
        kinds,
        columns,
        *,
        total: bool,
        every_indicator,
        narrow: _Where | None = None,
        pad: Sequence[str] = (),
    ) -> tuple[str, list]:
        """A statement counting distinct members per kind and group of ``columns`` (and
        with ``total`` over all of them; with ``pad``, as the totals of a grouping by
        those columns) member by member: from the first buckets when the question is
        up to a date and not a series, else from the presences (only those ``narrow``
        admits) and the facts of the partial buckets."""
        quote = connection.ops.quote_name
        keys = [quote(column) for column in columns]
        outer = ", ".join([*keys, "k", "m"])
        from_first_seen = self.first_seen is not None and "period" not in columns
        if from_first_seen:
            table, where = _table(FactFirstSeen), self.first_seen.copy()
        else:
            table, where = _table(FactPresence), self.cells.copy()
            if narrow is not None:
                where.add(narrow.sql, *narrow.params)
        where.add(f"member_kind IN ({_ids(kinds)})")
        select = "".join(f"{c}, " for c in self._select(columns))
        pieces = [f"SELECT {select}member_kind AS k, member AS m FROM {table} WHERE {where.sql}"]
        params = list(where.params)
        if self.edge is not None:
            for kind in kinds:
                column = DISTINCT_COLUMN[_MEMBER_NAMES[kind]]
                member = Cast(column, CharField()) if column == "unit_id" else F(column)
                edge = self.edge.filter(indicator_id__in=every_indicator)
                if column.endswith("_code"):
                    edge = edge.exclude(**{column: ""})
                edge = edge.annotate(k=Value(kind), m=member).values(*columns, "k", "m").order_by()
                edge_sql, edge_params = edge.query.sql_with_params()
                pieces.append(f"SELECT {outer} FROM ({edge_sql}) e")
                params += list(edge_params)
        parts = []
        if keys:
            by = ", ".join(keys)
            parts.append(
                f"SELECT 0, k, {by}, COUNT(*) FROM (SELECT DISTINCT {outer} FROM s) p "
                f"GROUP BY k, {by}"
            )
        if total or not keys:
            # (typed: beside a grouping's rows in one UNION)
            blanks = "".join(
                f", CAST(NULL AS {'DATE' if c == 'period' else 'TEXT'})" for c in columns or pad
            )
            parts.append(
                f"SELECT {1 if keys or pad else 0}, k{blanks}, COUNT(*) FROM "
                f"(SELECT DISTINCT k, m FROM s) p GROUP BY k"
            )
        statement = f"WITH s AS ({' UNION ALL '.join(pieces)}) " + " UNION ALL ".join(parts)
        return statement, params


_MEMBER_NAMES = {
    MemberKind.COUNTY: "county",
    MemberKind.TOWNSHIP: "township",
    MemberKind.VILLAGE: "village",
    MemberKind.UNIT: "unit",
}
_MEMBER_KIND = {name: int(kind) for kind, name in _MEMBER_NAMES.items()}


def _date(value) -> datetime.date:
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


class _Vocabulary:
    """Every indicator in the vocabulary's order (``every``), each ratio's parts attached,
    as read by one plain statement (``rows``): the ORM took longer to build the query than
    the database to answer it, on every rollup."""

    def __init__(self, rows: list[tuple]):
        self.rows = rows
        self.every = _indicators_of_rows(rows)
        self.ids = [indicator.id for indicator in self.every]
        self.by_code = {indicator.code: indicator for indicator in self.every}

    @classmethod
    def read(cls) -> "_Vocabulary":
        vocabulary = cls(_fetch(_vocabulary_statement(connection.vendor)[1], []))
        _last_vocabulary[connection.alias] = vocabulary
        return vocabulary

    def unknown(self, codes: list[str] | None) -> list[str]:
        return [code for code in codes or () if code not in self.by_code]

    def wanted(self, codes: list[str] | None) -> list[Indicator]:
        """The indicators asked for (every active one when None, in the vocabulary's
        order)."""
        if codes is None:
            return [indicator for indicator in self.every if indicator.is_active]
        return [self.by_code[code] for code in codes]


# The vocabulary last read on each database connection alias. Its indicators are shared
# by the rollups of a process: read them, do not change them.
_last_vocabulary: dict[str, _Vocabulary] = {}


def _indicators_of_rows(rows: list[tuple]) -> list[Indicator]:
    names = _vocabulary_statement(connection.vendor)[0]
    if signals.pre_init.has_listeners(Indicator) or signals.post_init.has_listeners(Indicator):
        every = [Indicator.from_db(connection.alias, names, row) for row in rows]
    else:
        # Built as Model.__init__ would with nothing listening to its signals, without it:
        # on a small answer these ~50 objects cost as much as the statements.
        new, alias = Indicator.__new__, connection.alias
        every = []
        for row in rows:
            indicator = new(Indicator)
            state = ModelState()
            state.adding, state.db = False, alias
            indicator.__dict__.update(zip(names, row, strict=True))
            indicator._state = state
            every.append(indicator)
    by_pk = {indicator.id: indicator for indicator in every}
    for indicator in every:
        if indicator.numerator_id is not None:
            indicator.numerator = by_pk[indicator.numerator_id]
        if indicator.denominator_id is not None:
            indicator.denominator = by_pk[indicator.denominator_id]
    return every


@functools.cache
def _vocabulary_statement(vendor: str) -> tuple[list[str], str]:
    """(the attribute names, the statement reading the vocabulary) on a ``vendor``
    database."""
    fields = Indicator._meta.concrete_fields
    quote = connection.ops.quote_name
    meta = Indicator._meta
    order = ", ".join(quote(meta.get_field(name).column) for name in meta.ordering)
    statement = (
        f"SELECT {', '.join(quote(f.column) for f in fields)} "
        f"FROM {_table(Indicator)} ORDER BY {order}"
    )
    return [f.attname for f in fields], statement


def _rows(
    source,
    vocabulary: _Vocabulary,
    codes: list[str] | None,
    columns: list[str],
    *,
    with_total: bool = False,
    check: bool = False,
) -> list[RollupRow] | None:
    """The rows of the indicators of ``codes`` (None: every active one) grouped by
    ``columns``, with ``with_total`` the ungrouped totals first. A grouping splits the
    facts, so the totals of sums and latest snapshots are folded from the groups;
    distinct counts (a member may be in several groups) are counted again over the same
    distinct combinations. With ``check``, the vocabulary is read beside the statements
    and None is returned when it is no longer ``vocabulary`` (which it then replaces)."""
    wanted, every_indicator = vocabulary.wanted(codes), vocabulary.ids
    # Every indicator asked for, and the parts of every ratio asked for, aggregate their
    # own way on unrounded values; only the indicators asked for are returned.
    needed: dict[int, Indicator] = {i.id: i for i in wanted if i.aggregation != Aggregation.RATIO}
    ratios = [i for i in wanted if i.aggregation == Aggregation.RATIO]
    for ratio in ratios:
        for part in (ratio.numerator, ratio.denominator):
            if part.aggregation != Aggregation.RATIO:
                needed.setdefault(part.id, part)
    by_aggregation: dict[str, list[Indicator]] = defaultdict(list)
    for indicator in needed.values():
        by_aggregation[indicator.aggregation].append(indicator)
    pending = [
        source.sums(by_aggregation[Aggregation.SUM], columns),
        source.latest(by_aggregation[Aggregation.LATEST], columns),
        source.distinct(
            by_aggregation[Aggregation.DISTINCT],
            columns,
            with_total=with_total,
            every_indicator=every_indicator,
        ),
    ]
    if check:
        pending.append(_one(_vocabulary_statement(connection.vendor)[1], [], lambda rows: rows))
    sums, latest, (distinct, distinct_totals), *vocabulary_rows = _answers(pending)
    if vocabulary_rows and vocabulary_rows[0] != vocabulary.rows:
        _last_vocabulary[connection.alias] = _Vocabulary(vocabulary_rows[0])
        return None
    grouped = _by_indicator(sums + latest + distinct)
    # (the totals before _finish, which puts each indicator's parts in order in place)
    totals = None
    if with_total:
        sum_ids = [i.id for i in by_aggregation[Aggregation.SUM]]
        totals = _folded_sums(grouped, sum_ids) + _latest_totals(latest, []) + distinct_totals
    rows = _finish(grouped, wanted, ratios, columns)
    if totals is None:
        return rows
    return _finish(_by_indicator(totals), wanted, ratios, []) + rows


def _by_indicator(parts: list[Part]) -> dict[int, list[Part]]:
    by_indicator: dict[int, list[Part]] = defaultdict(list)
    for part in parts:
        by_indicator[part[0]].append(part)
    return by_indicator


_VALUE, _RANK, _COUNT = itemgetter(2), itemgetter(3), itemgetter(4)


def _folded_sums(by_indicator: dict[int, list[Part]], ids: list[int]) -> list[Part]:
    """The total of each sum indicator of ``ids`` over its groups (what ``_sum_totals``
    gives with no columns; added up in C, for a series' thousands of parts)."""
    totals: list[Part] = []
    for indicator_id in ids:
        mine = by_indicator.get(indicator_id)
        if not mine:
            continue
        values = list(map(_VALUE, mine))
        try:
            total = sum(values[1:], values[0])
        except TypeError:  # (a group without a value; never from SUM over facts)
            values = [value for value in values if value is not None]
            total = sum(values[1:], values[0]) if values else None
        totals.append((indicator_id, (), total, max(map(_RANK, mine)), sum(map(_COUNT, mine)), ()))
    return totals


def _finish(
    by_indicator: dict[int, list[Part]],
    wanted: list[Indicator],
    ratios: list[Indicator],
    columns: list[str],
) -> list[RollupRow]:
    """The rows of the indicators asked for, from the unrounded parts of each indicator
    (keyed by ``columns``; their lists are put in order in place) and the ratios computed
    from them: in the order asked, each indicator's groups in the order of their values'
    text (blank last), every figure rounded once."""
    # Ratios are computed from the unrounded parts and rounded to 0.01 themselves.
    # (from the parts alone: a ratio's part is never a ratio)
    rates = {ratio.id: _ratio_parts(ratio, by_indicator) for ratio in ratios}
    keys = {part[1] for mine in by_indicator.values() for part in mine}
    by_indicator = {**by_indicator, **rates}
    # A time series has thousands of rows but few distinct groups: the groups are ordered
    # once, and each indicator's rows by that order. Keys of text and dates alone (codes,
    # periods) sort as they are in that order, and each indicator's rows by their key.
    if _natively_ordered(keys):
        ordered = sorted(keys)
        order_of = _KEY
    else:
        ordered = sorted(keys, key=lambda key: tuple((v is None, str(v)) for v in key))
        place = {key: index for index, key in enumerate(ordered)}

        def order_of(part: Part) -> int:
            return place[part[1]]

    # The rows of one group share its dict (see RollupRow).
    names = [_DIMENSION_OF.get(column, column) for column in columns]
    groups = {key: dict(zip(names, key, strict=True)) for key in ordered}
    approx = RANK_APPROX
    one, two, half_up = _ONE, _TWO_PLACES, ROUND_HALF_UP
    rows: list[RollupRow] = []
    for indicator in wanted:
        mine = by_indicator.get(indicator.id)
        if not mine:
            continue
        if len(mine) > 1:
            mine.sort(key=order_of)
        if indicator.id in rates:  # (rounded already)
            rows += [
                RollupRow(indicator, groups[k], v, approx[r], n) for _id, k, v, r, n, _order in mine
            ]
            continue
        # The usual figure is a Decimal: rounded here as ``_decimal`` does, without a call.
        rows += [
            RollupRow(
                indicator,
                groups[k],
                (w if (w := v.quantize(one)) == v else v.quantize(two, rounding=half_up))
                if type(v) is Decimal
                else _decimal(v),
                approx[r],
                n,
            )
            for _id, k, v, r, n, _order in mine
        ]
    return rows


_KEY = itemgetter(1)


def _natively_ordered(keys: set[tuple]) -> bool:
    """Whether the group keys sort as they are in the order of their values' text, blank
    last: each position holds only text, or only dates (whose text is ISO), and no key
    holds a blank (None)."""
    kinds = None
    for key in keys:
        mine = tuple(map(type, key))
        if kinds is None:
            kinds = mine
        elif mine != kinds:
            return False
    return kinds is None or all(kind is str or kind is datetime.date for kind in kinds)


def _ratio_parts(ratio: Indicator, by_indicator: dict[int, list[Part]]) -> list[Part]:
    """Numerator over denominator in percent, per group where both have facts (a group
    without a numerator has no rate rather than 0 %); approximation carries from both."""
    denominators = {part[1]: part for part in by_indicator.get(ratio.denominator_id, ())}
    out: list[Part] = []
    for _numerator, key, value, rank, count, _order in by_indicator.get(ratio.numerator_id, ()):
        denominator = denominators.get(key)
        if denominator is None or not denominator[2] or value is None:
            continue
        rate = value * 100 / denominator[2]
        out.append(
            (
                ratio.id,
                key,
                rate.quantize(_TWO_PLACES, rounding=ROUND_HALF_UP),
                max(rank, denominator[3]),
                count + denominator[4],
                (),
            )
        )
    return out


def _sum_parts(base, indicators: list[Indicator], columns: list[str]) -> _Pending:
    if not indicators:
        return _ready([])
    query = (
        base.filter(indicator_id__in=[i.pk for i in indicators])
        .values("indicator_id", *columns)
        # COUNT(*) rather than of a column: the rollup's index answers it alone.
        .annotate(total=Sum("value"), rank=Max("approx_rank"), parts=Count("*"))
        .order_by()
    )
    statement = _select_named(query, ["indicator_id", *columns, "total", "rank", "parts"])
    return _one(*statement, lambda rows: _parts_of_rows(rows, columns))


def _parts_of_rows(rows: list[tuple], columns: list[str]) -> list[Part]:
    """The parts of grouped rows (indicator, ``columns``, then the sum, the rank and the
    count)."""
    width = len(columns)
    period = columns.index("period") if "period" in columns else None
    # (one column of one query: when its first period is a date, all are)
    if period is not None and rows and type(rows[0][1 + period]) is datetime.date:
        period = None
    # (a sum is a Decimal on PostgreSQL, a float or an int on SQLite)
    if width == 0:
        parts = [(i, (), t, r or 0, n, ()) for i, t, r, n in rows]
    elif width == 1 and period is None:  # (the usual case, read without slicing)
        parts = [(i, (g,), t, r or 0, n, ()) for i, g, t, r, n in rows]
    else:
        parts = []
        for indicator, *rest in rows:
            key = tuple(rest[:width])
            if period is not None:
                key = (*key[:period], _normalise_period(key[period]), *key[period + 1 :])
            total, rank, count = rest[width:]
            parts.append((indicator, key, total, rank or 0, count, ()))
    if parts and set(map(type, map(_VALUE, parts))) != {Decimal}:
        parts = [(i, k, _number(t), r, n, o) for i, k, t, r, n, o in parts]
    return parts


def _sum_totals(parts: list[Part], columns: list[str]) -> list[Part]:
    """The parts added up per indicator and group of ``columns`` (none: per indicator).
    ``columns`` are the parts' own columns or none of them."""
    totals: dict[object, list] = {}
    for indicator, key, value, rank, count, _order in parts:
        at = (indicator, key) if columns else indicator
        total = totals.get(at)
        if total is None:
            totals[at] = [indicator, key if columns else (), value, rank, count]
            continue
        if value is not None:
            total[2] = value if total[2] is None else total[2] + value
        if rank > total[3]:
            total[3] = rank
        total[4] += count
    return [(i, k, v, r, n, ()) for i, k, v, r, n in totals.values()]


def _latest_parts(base, indicators: list[Indicator], columns: list[str]) -> _Pending:
    if not indicators:
        return _ready([])
    # The winner of each group, ranked in the database (one row per group comes back):
    # the latest date, then the widest region, then the newest record.
    partition = [F("indicator_id"), *(F(column) for column in columns)]
    winners = (
        base.filter(indicator_id__in=[i.pk for i in indicators])
        .annotate(
            place=Window(
                RowNumber(),
                partition_by=partition,
                order_by=[F("date").desc(), F("region_depth").asc(), F("record_id").desc()],
            ),
            snapshots=Window(Count("*"), partition_by=partition),
        )
        .filter(place=1)
        .values(
            "indicator_id",
            *columns,
            "value",
            "approx_rank",
            "snapshots",
            "date",
            "region_depth",
            "record_id",
        )
        .order_by()
    )
    names = ["indicator_id", *columns, "value", "approx_rank", "snapshots", "date"]
    statement = _select_named(winners, [*names, "region_depth", "record_id"])
    return _one(*statement, lambda rows: _latest_of_rows(rows, columns))


def _select_named(query: QuerySet, names: list[str]) -> Statement:
    """The statement of a ``values()`` query reading ``names`` in that order, as plain
    rows: with thousands of groups, Django's per-value converters cost more than the
    query (the values need none: numbers become Decimal in ``_number``, periods dates in
    ``_normalise_period``)."""
    sql, params = query.query.sql_with_params()
    quote = connection.ops.quote_name
    return f"SELECT {', '.join(map(quote, names))} FROM ({sql}) q", list(params)


def _latest_of_rows(rows: list[tuple], columns: list[str]) -> list[Part]:
    """The parts of latest snapshots given as (indicator, ``columns``, the winning value,
    its rank, the number of snapshots, then its date, region depth and record)."""
    width = len(columns)
    period = columns.index("period") if "period" in columns else None
    parts = []
    for indicator, *rest in rows:
        key = tuple(rest[:width])
        if period is not None:
            key = (*key[:period], _normalise_period(key[period]), *key[period + 1 :])
        total, rank, snapshots, day, depth, record = rest[width:]
        parts.append(
            (
                indicator,
                key,
                _number(total),
                rank or 0,
                int(snapshots),
                (_date(day), -depth, record),
            )
        )
    return parts


def _latest_totals(parts: list[Part], columns: list[str]) -> list[Part]:
    """The winner among the parts per indicator and group of ``columns`` (none: per
    indicator), counting the snapshots of all of them."""
    totals: dict[tuple, Part] = {}
    counts: dict[tuple, int] = defaultdict(int)
    for part in parts:
        key = (part[0], part[1] if columns else ())
        counts[key] += part[4]
        best = totals.get(key)
        if best is None or part[5] > best[5]:
            totals[key] = part
    return [(p[0], key[1], p[2], p[3], counts[key], p[5]) for key, p in totals.items()]


def _distinct_parts(
    base,
    indicators: list[Indicator],
    columns: list[str],
    *,
    with_total: bool,
    every_indicator: list[int],
) -> _Pending:
    """The distinct counts per group, and (``with_total``, for a grouping) ungrouped."""
    if not indicators:
        return _ready(([], []))
    # One query for all of them. The distinct combinations of the groups and the members
    # are collapsed first (a plain GROUP BY over the facts); then, for each member, the
    # distinct (group, member) pairs among those are counted per group and, for a
    # grouping, the distinct members overall. Hashing distinct pairs is much cheaper than
    # COUNT(DISTINCT ...), which sorts its input once per member column and group. A
    # region code is blank on facts above that level. Every fact's indicator is an
    # Indicator row (a protected foreign key), so naming them all changes nothing but
    # lets the database walk the rollup's index, indicator by indicator.
    members = list(dict.fromkeys(DISTINCT_COLUMN[i.distinct_of] for i in indicators))
    inner = (
        base.filter(indicator_id__in=every_indicator)
        .values(*dict.fromkeys([*columns, *members]))
        .distinct()
        .order_by()
    )
    sql, params = inner.query.sql_with_params()
    quote = connection.ops.quote_name
    keys = [quote(column) for column in columns]
    parts = []
    for index, member in enumerate(members):
        name = quote(member)
        present = f" WHERE {name} <> ''" if member.endswith("_code") else ""
        pairs = ", ".join(dict.fromkeys([*keys, name]))
        if keys:
            by = ", ".join(keys)
            parts.append(
                f"SELECT 0, {index}, {by}, COUNT(*) FROM "
                f"(SELECT DISTINCT {pairs} FROM s{present}) p GROUP BY {by}"
            )
        if with_total or not keys:
            blanks = "".join(", NULL" for _ in keys)
            parts.append(
                f"SELECT {1 if keys else 0}, {index}{blanks}, COUNT(*) FROM "
                f"(SELECT DISTINCT {name} FROM s{present}) p"
            )
    statement = f"WITH s AS ({sql}) " + " UNION ALL ".join(parts)
    return _one(
        statement,
        list(params),
        lambda results: _counted_parts(
            indicators,
            results,
            columns,
            lambda indicator: members.index(DISTINCT_COLUMN[indicator.distinct_of]),
        ),
    )


def _counted_parts(
    indicators: list[Indicator], results: list[tuple], columns: list[str], member_of
) -> tuple[list[Part], list[Part]]:
    """The parts of distinct counts given as (is a total of a grouping, member, *group key,
    count): per indicator those of its member (``member_of(indicator)``), grouped and
    totals apart."""
    period = columns.index("period") if "period" in columns else None
    # (each row read once: several indicators may count the same member)
    by_member: dict[object, list[tuple]] = defaultdict(list)
    for total, member, *key, n in results:
        if not n:
            continue
        if total:
            key = ()
        elif period is not None:
            key[period] = _normalise_period(key[period])
        by_member[member].append((bool(total), tuple(key), Decimal(n), n))
    grouped: list[Part] = []
    totals: list[Part] = []
    for indicator in indicators:
        id_ = indicator.id
        for total, key, value, n in by_member.get(member_of(indicator), ()):
            (totals if total else grouped).append((id_, key, value, 0, n, ()))
    return grouped, totals


def _number(value) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, float):
        # SQLite adds decimals as floats: every stored value has at most four places
        # (the fact's field), so their sum is recovered exactly by rounding to four.
        return Decimal(repr(value)).quantize(_FOUR_PLACES)
    return value if isinstance(value, Decimal) else Decimal(str(value))


_FOUR_PLACES = Decimal("0.0001")
_TWO_PLACES = Decimal("0.01")
_ONE = Decimal(1)


def _decimal(value) -> Decimal | None:
    """A figure as shown: whole numbers whole, fractions (areas) to two places, rounded
    half up as a spreadsheet does (no float noise from the database either)."""
    if type(value) is not Decimal:
        value = _number(value)
        if value is None:
            return None
    whole = value.quantize(_ONE)
    if whole == value:
        return whole
    return value.quantize(_TWO_PLACES, rounding=ROUND_HALF_UP)
