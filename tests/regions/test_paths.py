"""Region paths, the subtree selector and the query plan of the subtree range."""

import pytest
from django.db import connection, transaction

from campaigndesk.regions.models import Region, RegionLevel, Unit
from campaigndesk.regions.paths import (
    child_path,
    codes_of,
    is_within,
    subtree_q,
    subtree_upper_bound,
)
from campaigndesk.regions.selectors import region_ancestors, region_subtree
from tests.factories import UnitFactory, make_region


def test_child_path_appends_code_and_separator():
    assert child_path("", "53") == "53/"
    assert child_path("53/", "5323") == "53/5323/"


def test_upper_bound_is_the_separator_bumped():
    assert subtree_upper_bound("53/5323/") == "53/53230"


def test_upper_bound_rejects_a_non_path():
    with pytest.raises(ValueError):
        subtree_upper_bound("53/5323")


def test_codes_and_within():
    assert codes_of("53/5323/532301/") == ["53", "5323", "532301"]
    assert is_within("53/5323/532301/", "53/5323/")
    assert not is_within("53/53230/", "53/5323/")


@pytest.mark.parametrize(
    ("path", "inside"),
    [
        ("53/5323/", True),
        ("53/5323/532301/", True),
        ("53/5323/Z-9/", True),
        ("53/53230/", False),
        ("53/5323-x/", False),
        ("53/", False),
        ("53/5324/", False),
    ],
)
def test_subtree_bounds_keep_exactly_the_subtree(path, inside):
    upper = subtree_upper_bound("53/5323/")
    assert ("53/5323/" <= path < upper) is inside


def test_subtree_selector_returns_exactly_the_subtree(world):
    # A sibling whose code extends the prefix: a LIKE '53/5323%' would take it.
    sibling = make_region("53230", "前缀相同的区", RegionLevel.PREFECTURE, world.province)
    dashed = make_region("5323-x", "带连字符", RegionLevel.PREFECTURE, world.province)
    got = set(region_subtree(root=world.prefecture).values_list("code", flat=True))
    assert got == {"5323", "532301", "532301001", "532301001001", "532322", "532322100"}
    assert sibling.code not in got and dashed.code not in got
    counties = region_subtree(root=world.prefecture, levels=[RegionLevel.COUNTY])
    assert set(counties.values_list("code", flat=True)) == {"532301", "532322"}
    assert [r.code for r in region_ancestors(region=world.village)] == [
        "53",
        "5323",
        "532301",
        "532301001",
    ]


def test_unit_subtree_uses_region_path(world):
    make_region("53230", "前缀相同的区", RegionLevel.PREFECTURE, world.province)
    stranger = UnitFactory(name="邻区单位", region=Region.objects.get(code="53230"))
    units = Unit.objects.filter(subtree_q("region_path", world.prefecture.path))
    assert stranger not in units
    assert world.township_unit in units and world.other_township_unit in units


# --- Query plans ------------------------------------------------------------------------


def _index_on(model, column: str) -> str:
    """The name of the single-column index on ``column`` (unique or not)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Django's introspection gives inline UNIQUE constraints made-up names; the plan
            # names SQLite's own autoindex.
            cursor.execute(f'PRAGMA index_list("{table}")')
            names = []
            for row in cursor.fetchall():
                cursor.execute(f'PRAGMA index_info("{row[1]}")')
                if [info[2] for info in cursor.fetchall()] == [column]:
                    names.append(row[1])
        else:
            constraints = connection.introspection.get_constraints(cursor, table)
            names = [
                name
                for name, info in constraints.items()
                if info["columns"] == [column] and (info["index"] or info["unique"])
            ]
    assert names, f"no index on {table}.{column}"
    return names[0]


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return "\n".join(str(row[-1]) for row in cursor.fetchall())
        if connection.vendor == "postgresql":
            # The test tables are tiny: forbid sequential scans so the planner shows whether
            # the index CAN serve the range.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())
    raise AssertionError(f"no query-plan check for database {connection.vendor!r}")


def _assert_range_on_index(plan: str, index: str, column: str) -> None:
    if connection.vendor == "sqlite":
        assert "SEARCH" in plan, plan
        assert f"USING INDEX {index} ({column}>? AND {column}<?)" in plan or (
            f"USING COVERING INDEX {index} ({column}>? AND {column}<?)" in plan
        ), plan
    else:
        assert any(
            kind in plan for kind in ("Index Scan", "Index Only Scan", "Bitmap Index Scan")
        ), plan
        assert f"using {index}" in plan or f"on {index}" in plan, plan
        cond = next(line for line in plan.splitlines() if "Index Cond" in line)
        assert f"{column} >=" in cond.replace(f"({column})::text", column), plan
        assert f"{column} <" in cond.replace(f"({column})::text", column), plan
        assert "Filter" not in plan, plan


def test_region_subtree_is_an_index_range(world):
    plan = _plan(region_subtree(root=world.prefecture))
    _assert_range_on_index(plan, _index_on(Region, "path"), "path")


def test_unit_region_path_subtree_is_an_index_range(world):
    plan = _plan(Unit.objects.filter(subtree_q("region_path", world.prefecture.path)))
    _assert_range_on_index(plan, _index_on(Unit, "region_path"), "region_path")
