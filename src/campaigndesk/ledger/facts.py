"""Turning a ledger record into its facts (one per indicator it counts towards).

Only the ledger services call this, inside the record's transaction, so a record and its
facts always agree. A record that does not count (a suspected duplicate) has no facts.
"""

import functools
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet

from campaigndesk.regions.models import Region, RegionLevel
from campaigndesk.regions.paths import codes_of

from . import summary
from .models import (
    APPROX_RANK,
    EventRecord,
    Fact,
    FigureRecord,
    Indicator,
    MaterialRecord,
    MediaOutput,
    RecordKind,
    RecordStatus,
)
from .vocabulary import EVENT_KIND_INDICATOR, MATERIAL_KIND_INDICATOR, OUTPUT_KIND_INDICATOR

LEVEL_FIELD = {
    RegionLevel.COUNTY: "county_code",
    RegionLevel.TOWNSHIP: "township_code",
    RegionLevel.VILLAGE: "village_code",
}


class IndicatorCache:
    """Indicators by code, fetched once per use (an import reuses one cache)."""

    def __init__(self) -> None:
        self._by_code: dict[str, Indicator] | None = None

    def __getitem__(self, code: str) -> Indicator:
        if self._by_code is None:
            self._by_code = {i.code: i for i in Indicator.objects.all()}
        return self._by_code[code]


class AncestorCache:
    """The county, township and village codes above (or at) a region, by path; each
    region's answer is remembered (an import asks about the same few regions for every
    one of its rows)."""

    def __init__(self) -> None:
        self._levels: dict[str, int] = {}
        self._answers: dict[str, dict[str, str]] = {}

    def codes(self, region: Region) -> dict[str, str]:
        found = self._answers.get(region.path)
        if found is None:
            found = self._answers[region.path] = self._codes(region)
        return dict(found)  # the caller's own copy

    def _codes(self, region: Region) -> dict[str, str]:
        path_codes = codes_of(region.path)
        missing = [c for c in path_codes if c not in self._levels]
        if missing:
            self._levels.update(
                Region.objects.filter(code__in=missing).values_list("code", "level")
            )
        self._levels[region.code] = region.level
        result = {field: "" for field in LEVEL_FIELD.values()}
        for code in path_codes:
            field = LEVEL_FIELD.get(self._levels.get(code))
            if field:
                result[field] = code
        return result


def _kind_of(record_kind: str, record) -> str:
    return f"{record_kind}:{getattr(record, 'kind', '')}"


def _contributions(record_kind: str, record) -> Iterable[tuple[str | int, Decimal, int]]:
    """(indicator code or id, value, approximation rank) for each indicator the record
    feeds. Zero quantities feed nothing: a record of nothing done is no activity."""
    if record_kind == RecordKind.OUTPUT:
        assert isinstance(record, MediaOutput)
        yield OUTPUT_KIND_INDICATOR[record.kind], Decimal(1), 0
        if record.kind != MediaOutput.Kind.OTHER:
            yield "media_outputs", Decimal(1), 0
        if record.views:
            yield "views", Decimal(record.views), 0
    elif record_kind == RecordKind.MATERIAL:
        assert isinstance(record, MaterialRecord)
        if record.quantity:
            yield MATERIAL_KIND_INDICATOR[record.kind], Decimal(record.quantity), 0
        if record.area_m2:
            yield "material_area", Decimal(record.area_m2), 0
    elif record_kind == RecordKind.EVENT:
        assert isinstance(record, EventRecord)
        if record.sessions:
            yield EVENT_KIND_INDICATOR[record.kind], Decimal(record.sessions), 0
        if record.participants:
            yield "event_participants", Decimal(record.participants), 0
    elif record_kind == RecordKind.FIGURE:
        assert isinstance(record, FigureRecord)
        # A figure names its indicator itself (perhaps one added after the cache was
        # filled); a snapshot of 0 is still the latest snapshot, so it always counts.
        yield record.indicator_id, Decimal(record.value), APPROX_RANK[record.approx or ""]
    else:  # pragma: no cover - guarded by RecordKind
        raise ValueError(record_kind)


def fact_rows(
    record_kind: str,
    record,
    *,
    indicators: IndicatorCache,
    ancestors: AncestorCache,
) -> list[tuple]:
    """The facts of one record (none when it does not count), as rows of ``fact_columns()``."""
    if record.status != RecordStatus.ACTIVE:
        return []
    codes = ancestors.codes(record.region)
    outlet = getattr(record, "outlet", None)
    values = {
        "campaign_id": record.campaign_id,
        "date": record.date,
        "region_path": record.region_path,
        "unit_region_path": record.unit_region_path,
        "region_depth": len(codes_of(record.region_path)),
        "unit_id": record.unit_id,
        "outlet_id": outlet.pk if outlet else None,
        "channel": outlet.channel if outlet else "",
        "outlet_level": outlet.level if outlet else None,
        "kind": _kind_of(record_kind, record),
        "record_kind": record_kind,
        "record_id": record.pk,
        **codes,
    }
    names = fact_columns()
    rows = []
    for indicator, value, rank in _contributions(record_kind, record):
        if not isinstance(indicator, int):
            indicator = indicators[indicator].pk
        values["indicator_id"] = indicator
        values["value"] = value
        values["approx_rank"] = rank
        rows.append(tuple([values[name] for name in names]))
    return rows


@functools.cache
def fact_columns() -> tuple[str, ...]:
    """The attribute names of Fact's columns but its id, in table order."""
    return tuple(f.attname for f in Fact._meta.concrete_fields if not f.primary_key)


def build_facts(
    record_kind: str,
    record,
    *,
    indicators: IndicatorCache,
    ancestors: AncestorCache,
) -> list[Fact]:
    """The facts of one record (none when it does not count), as unsaved Fact objects."""
    names = fact_columns()
    return [
        Fact(**dict(zip(names, row, strict=True)))
        for row in fact_rows(record_kind, record, indicators=indicators, ancestors=ancestors)
    ]


def insert_facts(
    rows: list[tuple],
    *,
    summarise: bool = True,
    send: Callable[[str, list[tuple]], None] | None = None,
) -> None:
    """Insert fact rows (of ``fact_columns()``) in bulk, inside the caller's transaction,
    and (unless ``summarise`` is false: the caller refreshes the summary itself) recompute
    the summary cells they fall in. On PostgreSQL, ``send`` (if given) is handed the COPY
    statement and the rows to run them itself (an import's background copier).

    Facts are written straight through the driver (COPY on PostgreSQL, executemany on
    SQLite) rather than with ``bulk_create``: their values are plain dates, numbers and
    strings that the drivers adapt as Django would, and preparing every value through
    the model fields cost an import more than reading and checking its rows."""
    if not rows:
        return
    connection.ensure_connection()
    quote = connection.ops.quote_name
    names = fact_columns()
    columns = ", ".join(quote(Fact._meta.get_field(name).column) for name in names)
    table = quote(Fact._meta.db_table)
    if connection.vendor == "postgresql":
        statement = f"COPY {table} ({columns}) FROM STDIN"
        if send is not None:
            send(statement, rows)
        else:
            with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
    else:
        marks = ", ".join(["%s"] * len(names))
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)
    if summarise:
        summary.refresh_for_rows(rows, names)


def replace_facts(
    record_kind: str,
    records: Iterable,
    *,
    indicators: IndicatorCache | None = None,
    ancestors: AncestorCache | None = None,
    new: bool = False,
) -> int:
    """Delete and rewrite the facts of ``records`` (call inside their transaction); with
    ``new`` (records just inserted, which have no facts yet) only write them."""
    records = list(records)
    indicators = indicators or IndicatorCache()
    ancestors = ancestors or AncestorCache()
    areas = [] if new else delete_facts(record_kind, [r.pk for r in records], summarise=False)
    rows = [
        row
        for record in records
        for row in fact_rows(record_kind, record, indicators=indicators, ancestors=ancestors)
    ]
    insert_facts(rows, summarise=False)
    # One refresh for the cells the old facts left and the new ones entered.
    summary.refresh(areas + summary.areas_of_rows(rows, fact_columns()))
    return len(rows)


def delete_facts(
    record_kind: str, record_ids: Iterable[int] | QuerySet, *, summarise: bool = True
) -> list[summary.Area]:
    """Delete the facts of the records (ids, or a query of them) inside their transaction,
    and recompute the summary cells they were in (with ``summarise`` false, return those
    cells' areas for the caller to refresh)."""
    if not isinstance(record_ids, QuerySet):
        record_ids = list(record_ids)
    areas = summary.areas_for_records(record_kind, record_ids)
    Fact.objects.filter(record_kind=record_kind, record_id__in=record_ids).delete()
    if summarise:
        summary.refresh(areas)
        return []
    return areas
