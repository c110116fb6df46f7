"""The facts pre-aggregated per county and date bucket, so that a rollup over a prefecture
or a province reads thousands of rows instead of millions.

Four tables, written only here and always in the transaction that writes the facts:

- ``FactSummary``: per campaign, indicator, county and bucket, the sum of the values (or
  for a latest snapshot the winning fact), the least exact approximation and the number of
  facts;
- ``FactPresence``: per campaign, county and bucket, every county, township, village and
  unit that had any fact there (what the distinct counts of a period count);
- ``FactFirstSeen``: per campaign and county, the first bucket of every member there
  (what the distinct counts up to a date count: far fewer rows than a year of presences);
- ``FactMemberCount``: per campaign, county and week or month, how many counties,
  townships and villages had facts (what weekly and monthly distinct counts add up).

"County" is the fact's region path cut at its county ("53/5323/532301/"); a fact above
county level, or in a tree without counties, keeps its own path. A bucket is the part of a
Monday-to-Sunday week that lies in one calendar month, so a week and a month are each a
union of whole buckets, and a date range is whole buckets plus at most two partial ones.

The rollup (``ledger/rollup.py``) answers from these tables when the question fits them (a
region at county level or above that the actor sees whole, no unit, channel, outlet level
or kind filter, grouped by nothing but county and week or month) and reads the facts of
the partial buckets at the ends of a date range; any other question reads the facts. The
answer is the same either way (tested over random data).

Maintenance recomputes the touched (county, bucket) cells from the facts with the same SQL
as a full rebuild (``summary_rebuild``): one way to compute a cell, whichever write led to
it. Inserting a fact could add to a cell in place, but deleting one cannot take back a
maximum or a winner, so both recompute.
"""

import contextlib
import contextvars
import datetime
import operator
from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.db import connection

from campaigndesk.common.locks import advisory_xact_lock
from campaigndesk.regions.paths import subtree_upper_bound

from .models import (
    Aggregation,
    Fact,
    FactFirstSeen,
    FactMemberCount,
    FactPresence,
    FactSummary,
    Indicator,
    MemberKind,
    PeriodGrain,
)

# Above this many (county, bucket range) areas a refresh recomputes the whole campaign:
# one pass over its facts is cheaper than hundreds of range conditions.
MAX_AREAS = 200

_enabled: contextvars.ContextVar[bool] = contextvars.ContextVar("summary_enabled", default=True)


@contextlib.contextmanager
def facts_only() -> Iterator[None]:
    """Within this block the rollup reads the facts only (tests compare both paths)."""
    token = _enabled.set(False)
    try:
        yield
    finally:
        _enabled.reset(token)


def enabled() -> bool:
    return _enabled.get()


# --- Buckets -------------------------------------------------------------------------------


def week_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def period_start(grain: str, day: datetime.date) -> datetime.date:
    """The first day of the week ("week") or month ("month") holding ``day``."""
    return week_of(day) if grain == "week" else month_of(day)


def period_end(grain: str, start: datetime.date) -> datetime.date:
    if grain == "week":
        return start + datetime.timedelta(days=6)
    return (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(
        days=1
    )


def bucket_of(day: datetime.date) -> datetime.date:
    """The first day of the bucket holding ``day``: its week's Monday, or the first of its
    month when the week began in the month before."""
    monday = day - datetime.timedelta(days=day.weekday())
    return max(monday, day.replace(day=1))


def bucket_end(start: datetime.date) -> datetime.date:
    """The last day of the bucket beginning on ``start``: its Sunday or its month's end."""
    return min(period_end("week", week_of(start)), period_end("month", month_of(start)))


def cut_path(region_path: str, county_code: str, township_code: str = "") -> str:
    """The path a fact is summarised under: its county's; in a tree without counties its
    township's; above those levels its own. Each county, township and village code is
    thereby under exactly one cut, which makes their distinct counts add up over cuts."""
    for code in (county_code, township_code):
        if code:
            index = f"/{region_path}".find(f"/{code}/")
            if index >= 0:
                return region_path[: index + len(code) + 1]
    return region_path


def _bucket_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        stamp = f"CAST({column} AS timestamp)"
        return (
            f"GREATEST(CAST(DATE_TRUNC('week', {stamp}) AS date), "
            f"CAST(DATE_TRUNC('month', {stamp}) AS date))"
        )
    return f"MAX(date({column}, 'weekday 0', '-6 days'), date({column}, 'start of month'))"


def _cut_sql() -> str:
    find = "STRPOS" if connection.vendor == "postgresql" else "INSTR"

    def cut_at(code: str) -> str:
        return (
            f"SUBSTR(region_path, 1, {find}('/' || region_path, '/' || {code} || '/') "
            f"+ LENGTH({code}))"
        )

    return (
        f"CASE WHEN county_code <> '' THEN {cut_at('county_code')} "
        f"WHEN township_code <> '' THEN {cut_at('township_code')} ELSE region_path END"
    )


# --- Maintenance ---------------------------------------------------------------------------

Area = tuple[int, str, datetime.date, datetime.date]  # campaign, cut path, first/last bucket


# The fact columns that place a fact in the summary.
PLACE = ("campaign_id", "region_path", "county_code", "township_code", "date")


def areas_of(cells: Iterable[tuple]) -> list[Area]:
    """The (campaign, cut path, first bucket, last bucket) ranges covering facts given by
    their PLACE columns; adjacent buckets join one range."""
    buckets: dict[tuple[int, str], set[datetime.date]] = defaultdict(set)
    for campaign_id, region_path, county_code, township_code, day in cells:
        if isinstance(day, str):
            day = datetime.date.fromisoformat(day)
        cut = cut_path(region_path, county_code, township_code)
        buckets[(campaign_id, cut)].add(bucket_of(day))
    areas: list[Area] = []
    for (campaign_id, path), starts in buckets.items():
        ordered = sorted(starts)
        first = last = ordered[0]
        for start in ordered[1:]:
            if start == bucket_end(last) + datetime.timedelta(days=1):
                last = start
                continue
            areas.append((campaign_id, path, first, last))
            first = last = start
        areas.append((campaign_id, path, first, last))
    return areas


def place_of(names: tuple[str, ...]):
    """A getter of the PLACE columns of a fact row given as a tuple of the columns
    ``names``."""
    return operator.itemgetter(*[names.index(n) for n in PLACE])


def areas_of_rows(rows: list[tuple], names: tuple[str, ...]) -> list[Area]:
    """The areas of fact rows given as tuples of the columns ``names``."""
    return areas_of(map(place_of(names), rows))


def refresh_for_rows(rows: list[tuple], names: tuple[str, ...]) -> None:
    """Recompute the cells of fact rows (tuples of the columns ``names``) just written."""
    if rows:
        refresh(areas_of_rows(rows, names))


def areas_for_records(record_kind: str, record_ids) -> list[Area]:
    """The areas the facts of these records (ids, or a query of them) lie in; read before
    the facts go."""
    if isinstance(record_ids, list):
        chunks = [record_ids[start : start + 5000] for start in range(0, len(record_ids), 5000)]
    else:
        chunks = [record_ids]
    cells = set()
    for chunk in chunks:
        cells.update(
            Fact.objects.filter(record_kind=record_kind, record_id__in=chunk)
            .values_list(*PLACE)
            .distinct()
            .order_by()
        )
    return areas_of(cells)


def refresh(areas: list[Area]) -> None:
    """Recompute the summary cells of ``areas`` from the facts (inside the facts'
    transaction); a campaign with more than MAX_AREAS areas is recomputed whole."""
    by_campaign: dict[int, list[Area]] = defaultdict(list)
    for area in areas:
        by_campaign[area[0]].append(area)
    # (campaigns in order: two writers take their campaigns' locks in the same order)
    for campaign_id, mine in sorted(by_campaign.items()):
        if len(mine) > MAX_AREAS:
            _recompute(campaign_id, None)
        else:
            for start in range(0, len(mine), 50):
                _recompute(campaign_id, mine[start : start + 50])


def summary_rebuild(*, campaign_id: int | None = None) -> None:
    """Recompute the whole summary (of one campaign, or of all) from the facts: after a
    bulk load that wrote facts directly, or to repair. Call inside a transaction."""
    campaigns = (
        [campaign_id]
        if campaign_id is not None
        else list(Fact.objects.order_by().values_list("campaign_id", flat=True).distinct())
    )
    if campaign_id is None:
        FactSummary.objects.all().delete()
        FactPresence.objects.all().delete()
        FactFirstSeen.objects.all().delete()
        FactMemberCount.objects.all().delete()
    for campaign in sorted(campaigns):
        _recompute(campaign, None)


# The first key of the summary's advisory locks (PostgreSQL), the campaign id the second.
LOCK_NAMESPACE = 0x5344


def serialise(campaign_id: int) -> None:
    """Make concurrent summary refreshes of one campaign wait for each other until the
    earlier one's transaction ends. Two writers recomputing the same cells (a county's,
    or the units of the province above it) would otherwise each delete the rows the other
    had not committed yet and collide inserting them. On PostgreSQL a transaction-level
    advisory lock (``common.locks``); SQLite admits one writing transaction at a time."""
    advisory_xact_lock(LOCK_NAMESPACE, campaign_id)


# (kind, the fact's column or expression naming the member, the condition for one)
_MEMBERS = [
    (MemberKind.COUNTY, "county_code", "county_code <> ''"),
    (MemberKind.TOWNSHIP, "township_code", "township_code <> ''"),
    (MemberKind.VILLAGE, "village_code", "village_code <> ''"),
    (MemberKind.UNIT, "CAST(unit_id AS TEXT)", None),
]


def _recompute(campaign_id: int, areas: list[Area] | None) -> None:
    """Delete and re-insert the summary cells of ``areas`` (all when None) of a campaign."""
    serialise(campaign_id)
    quote = connection.ops.quote_name
    fact = quote(Fact._meta.db_table)
    summary = quote(FactSummary._meta.db_table)
    presence = quote(FactPresence._meta.db_table)
    latest_ids = list(
        Indicator.objects.filter(aggregation=Aggregation.LATEST).values_list("pk", flat=True)
    )
    latest_in = ", ".join(str(pk) for pk in latest_ids) or "NULL"

    # Which facts: the campaign's, in the areas' subtrees and dates (an index range each
    # on (campaign, region path, date)); then only those whose own cell is in an area.
    where = ["campaign_id = %s"]
    params: list = [campaign_id]
    cell_where = ""
    cell_params: list = []
    if areas is not None:
        ranges, cells = [], []
        for _campaign, path, first, last in areas:
            ranges.append("(region_path >= %s AND region_path < %s AND date BETWEEN %s AND %s)")
            params += [path, subtree_upper_bound(path), first, bucket_end(last)]
            cells.append("(cut = %s AND bucket BETWEEN %s AND %s)")
            cell_params += [path, first, last]
        where.append("(" + " OR ".join(ranges) + ")")
        cell_where = " WHERE " + " OR ".join(cells)
    inner = (
        f"SELECT * FROM (SELECT campaign_id, indicator_id, value, approx_rank, date, "
        f"region_depth, record_id, county_code, township_code, village_code, unit_id, "
        f"{_cut_sql()} AS cut, {_bucket_sql('date')} AS bucket FROM {fact} "
        f"WHERE {' AND '.join(where)}) f{cell_where}"
    )
    inner_params = params + cell_params

    with connection.cursor() as cursor:
        # Each table's index leads with (campaign, indicator or kind, path): naming them
        # all makes the delete a few index ranges instead of a scan of the campaign.
        indicator_ids = ", ".join(str(pk) for pk in Indicator.objects.values_list("pk", flat=True))
        kinds = ", ".join(str(int(kind)) for kind in MemberKind)
        leading = {
            summary: f"indicator_id IN ({indicator_ids or 'NULL'})",
            presence: f"member_kind IN ({kinds})",
        }
        for table in (summary, presence):
            if areas is None:
                cursor.execute(f"DELETE FROM {table} WHERE campaign_id = %s", [campaign_id])
                continue
            conditions, delete_params = [], [campaign_id]
            for _campaign, path, first, last in areas:
                conditions.append("(region_path = %s AND bucket BETWEEN %s AND %s)")
                delete_params += [path, first, last]
            cursor.execute(
                f"DELETE FROM {table} WHERE campaign_id = %s AND {leading[table]} "
                f"AND ({' OR '.join(conditions)})",
                delete_params,
            )
        columns = (
            "campaign_id, indicator_id, region_path, county_code, bucket, total, approx_rank, "
            "parts, latest_date, latest_depth, latest_record"
        )
        cursor.execute(
            f"INSERT INTO {summary} ({columns}) "
            f"SELECT campaign_id, indicator_id, cut, county_code, bucket, SUM(value), "
            f"MAX(approx_rank), COUNT(*), NULL, NULL, NULL FROM ({inner}) s "
            f"WHERE indicator_id NOT IN ({latest_in}) "
            f"GROUP BY campaign_id, indicator_id, cut, county_code, bucket",
            inner_params,
        )
        if latest_ids:
            cell = "indicator_id, cut, bucket"
            cursor.execute(
                f"INSERT INTO {summary} ({columns}) "
                f"SELECT campaign_id, indicator_id, cut, county_code, bucket, value, approx_rank, "
                f"n, date, region_depth, record_id FROM (SELECT s.*, ROW_NUMBER() OVER "
                f"(PARTITION BY {cell} ORDER BY date DESC, region_depth, record_id DESC) AS rn, "
                f"COUNT(*) OVER (PARTITION BY {cell}) AS n FROM ({inner}) s "
                f"WHERE indicator_id IN ({latest_in})) w WHERE rn = 1",
                inner_params,
            )
        selects = []
        for kind, member, present in _MEMBERS:
            selects.append(
                f"SELECT DISTINCT campaign_id, cut, county_code, bucket, {int(kind)}, {member} "
                f"FROM s{' WHERE ' + present if present else ''}"
            )
        cursor.execute(
            f"INSERT INTO {presence} (campaign_id, region_path, county_code, bucket, "
            f"member_kind, member) WITH s AS ({inner}) " + " UNION ALL ".join(selects),
            inner_params,
        )
    _recompute_first_seen(campaign_id, None if areas is None else [a[1] for a in areas])
    _recompute_counts(campaign_id, areas)
    _recompute_unit_counts(campaign_id, areas)


def period_sql(grain: str, column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(DATE_TRUNC('{grain}', CAST({column} AS timestamp)) AS date)"
    if grain == "week":
        return f"date({column}, 'weekday 0', '-6 days')"
    return f"date({column}, 'start of month')"


def _ancestors(path: str) -> list[str]:
    """The paths of a cut and of every region above it."""
    codes = [code for code in path.split("/") if code]
    return ["".join(f"{code}/" for code in codes[: n + 1]) for n in range(len(codes))]


def _recompute_unit_counts(campaign_id: int, areas: list[Area] | None) -> None:
    """Recount the units with facts per week and month under every region at or above
    the cuts of ``areas`` (all when None). A unit may file in several counties, so unlike
    places its counts do not add up over counties: each region gets its own."""
    quote = connection.ops.quote_name
    presence = quote(FactPresence._meta.db_table)
    counts = quote(FactMemberCount._meta.db_table)
    unit = int(MemberKind.UNIT)
    if areas is None:
        paths = FactPresence.objects.filter(campaign_id=campaign_id, member_kind=unit)
        cuts = paths.order_by().values_list("region_path", flat=True).distinct()
        ranges = {ancestor: None for cut in cuts for ancestor in _ancestors(cut)}
    else:
        ranges: dict[str, tuple | None] = {}
        for _campaign, path, first, last in areas:
            for ancestor in _ancestors(path):
                low, high = ranges.get(ancestor) or (first, last)
                ranges[ancestor] = (min(low, first), max(high, last))
    with connection.cursor() as cursor:
        if areas is None:
            cursor.execute(
                f"DELETE FROM {counts} WHERE campaign_id = %s AND member_kind = %s",
                [campaign_id, unit],
            )
        for grain, code in (("week", PeriodGrain.WEEK), ("month", PeriodGrain.MONTH)):
            period = period_sql(grain, "bucket")
            for ancestor, span in ranges.items():
                where = "campaign_id = %s AND member_kind = %s AND region_path >= %s"
                where += " AND region_path < %s"
                params = [campaign_id, unit, ancestor, subtree_upper_bound(ancestor)]
                if span is not None:
                    start = period_start(grain, span[0])
                    end_start = period_start(grain, bucket_end(span[1]))
                    cursor.execute(
                        f"DELETE FROM {counts} WHERE campaign_id = %s AND grain = %s AND "
                        f"member_kind = %s AND region_path = %s AND period BETWEEN %s AND %s",
                        [campaign_id, code, unit, ancestor, start, end_start],
                    )
                    where += " AND bucket BETWEEN %s AND %s"
                    params += [start, period_end(grain, end_start)]
                cursor.execute(
                    f"INSERT INTO {counts} (campaign_id, region_path, county_code, grain, "
                    f"period, member_kind, members) SELECT %s, %s, '', {int(code)}, period, "
                    f"{unit}, COUNT(*) FROM (SELECT DISTINCT {period} AS period, member "
                    f"FROM {presence} WHERE {where}) p GROUP BY period",
                    [campaign_id, ancestor, *params],
                )


def _recompute_counts(campaign_id: int, areas: list[Area] | None) -> None:
    """Recount the weekly and monthly members (counties, townships, villages) of the weeks
    and months that hold ``areas`` (all when None), from the presences."""
    quote = connection.ops.quote_name
    presence = quote(FactPresence._meta.db_table)
    counts = quote(FactMemberCount._meta.db_table)
    kinds = f"{int(MemberKind.COUNTY)}, {int(MemberKind.TOWNSHIP)}, {int(MemberKind.VILLAGE)}"
    with connection.cursor() as cursor:
        for grain, code in (("week", PeriodGrain.WEEK), ("month", PeriodGrain.MONTH)):
            where, params = "campaign_id = %s", [campaign_id]
            delete_where = f"campaign_id = %s AND grain = %s AND member_kind IN ({kinds})"
            delete_params = [campaign_id, code]
            if areas is not None:
                ranges, deletes = [], []
                for _campaign, path, first, last in areas:
                    start = period_start(grain, first)
                    end_start = period_start(grain, bucket_end(last))
                    ranges.append("(region_path = %s AND bucket BETWEEN %s AND %s)")
                    params += [path, start, period_end(grain, end_start)]
                    deletes.append("(region_path = %s AND period BETWEEN %s AND %s)")
                    delete_params += [path, start, end_start]
                where += " AND (" + " OR ".join(ranges) + ")"
                delete_where += " AND (" + " OR ".join(deletes) + ")"
            cursor.execute(f"DELETE FROM {counts} WHERE {delete_where}", delete_params)
            period = period_sql(grain, "bucket")
            cursor.execute(
                f"INSERT INTO {counts} (campaign_id, region_path, county_code, grain, period, "
                f"member_kind, members) SELECT campaign_id, region_path, county_code, "
                f"{int(code)}, period, member_kind, COUNT(*) FROM (SELECT DISTINCT campaign_id, "
                f"region_path, county_code, {period} AS period, member_kind, member "
                f"FROM {presence} WHERE {where} AND member_kind IN ({kinds})) p "
                f"GROUP BY campaign_id, region_path, county_code, period, member_kind",
                params,
            )


def _recompute_first_seen(campaign_id: int, paths: list[str] | None) -> None:
    """Delete and re-insert the first buckets of the members of the counties ``paths``
    (all when None), from their presences (after those are current)."""
    quote = connection.ops.quote_name
    presence = quote(FactPresence._meta.db_table)
    first = quote(FactFirstSeen._meta.db_table)
    # Naming every kind lets both tables' indexes (campaign, kind, path, ...) be used.
    kinds = ", ".join(str(int(kind)) for kind in MemberKind)
    where, params = f"campaign_id = %s AND member_kind IN ({kinds})", [campaign_id]
    if paths is not None:
        paths = sorted(set(paths))
        where += f" AND region_path IN ({', '.join(['%s'] * len(paths))})"
        params += paths
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {first} WHERE {where}", params)
        cursor.execute(
            f"INSERT INTO {first} (campaign_id, region_path, county_code, member_kind, member, "
            f"first_bucket) SELECT campaign_id, region_path, county_code, member_kind, member, "
            f"MIN(bucket) FROM {presence} WHERE {where} "
            f"GROUP BY campaign_id, region_path, county_code, member_kind, member",
            params,
        )
