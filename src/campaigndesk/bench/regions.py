"""Region benchmarks: loading official subtrees and selecting subtrees at province size."""

import statistics
import time
from collections.abc import Callable

from django.db import connection

from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.regions.models import Region, RegionLevel, Unit
from campaigndesk.regions.paths import subtree_q
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


def _clear_regions() -> None:
    Unit.objects.all().delete()
    # Delete leaves first: parent is PROTECT.
    for level in sorted(RegionLevel.values, reverse=True):
        Region.objects.filter(level=level).delete()


def run(scale: float = 1.0) -> list[Row]:
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
    return rows


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
