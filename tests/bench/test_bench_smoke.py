"""The benchmark sections run end to end at a tiny scale on the test database (the bench
command itself refuses any database not named *bench*, so the modules are called
directly). Figures are not judged here; only that every section produces its rows, that
the generated ledger is what the services would have written, and that the rollup and
the hand-written SQL agree."""

import math
import subprocess

import pytest

from campaigndesk.bench import api, imports, ledger, regions
from campaigndesk.ledger.models import EventRecord, Fact, FigureRecord, MaterialRecord, MediaOutput
from campaigndesk.ledger.rollup import RollupFilter, rollup
from campaigndesk.regions.models import Region, RegionLevel

TINY = 0.0005  # 2,500 ledger records, 100 import rows


def _labels(rows) -> list[str]:
    return [label for label, _figure, _unit, _target in rows]


def _figure(rows, start: str) -> float:
    matches = [figure for label, figure, _unit, _target in rows if label.startswith(start)]
    assert matches, f"no row starting with {start!r} in {_labels(rows)}"
    return matches[0]


@pytest.mark.django_db
def test_ledger_section_generates_the_services_facts_and_measures():
    rows = ledger.run(scale=TINY)
    records = sum(
        m.objects.count() for m in (MediaOutput, MaterialRecord, EventRecord, FigureRecord)
    )
    assert records == _figure(rows, "ledger records") == 2_500
    assert Fact.objects.count() == _figure(rows, "  facts")
    # The tree is Yunnan's, and the records spread over it.
    assert (
        Region.objects.filter(path__startswith="53/", level=RegionLevel.VILLAGE).count() == 14_888
    )
    assert FigureRecord.objects.exclude(approx="").exists()
    # Every case measured, and the rollup agreed with the hand-written SQL each time.
    ratios = [row for row in rows if "rollup / best SQL" in row[0]]
    assert len(ratios) == 9
    assert not [row for row in rows if "DIFFERENT" in row[0]]
    assert all(math.isfinite(figure) and figure > 0 for _l, figure, _u, _t in rows if _u == "ms")

    # A second run at the same scale reuses the data (the marker matches).
    data = ledger.ensure_data(TINY)
    assert data.reused and data.facts == Fact.objects.count()

    # The facts written are those build_facts gives for the stored records.
    checker = ledger.FactRows(check_every=1)
    for kind, model in ledger.MODEL_OF.items():
        for record in model.objects.select_related(
            "region", *(["outlet"] if kind == "output" else [])
        )[:50]:
            stored = sorted(
                tuple(values[n] for n in checker.attnames)
                for values in Fact.objects.filter(record_kind=kind, record_id=record.pk).values()
            )
            rows = checker._rows(kind, record)
            checker.check(kind, record, rows)  # raises unless build_facts gives these rows
            assert sorted(rows) == stored
    # The rollup as the county office counts exactly the county's facts.
    county = data.world.county
    result = rollup(
        actor=data.world.users["county"],
        campaign=data.world.campaign,
        filters=RollupFilter(region=county),
        indicators=["media_outputs"],
    )
    expected = Fact.objects.filter(
        campaign=data.world.campaign,
        indicator__code="media_outputs",
        region_path__startswith=county.path,
    ).count()
    assert result.value("media_outputs") == expected


@pytest.mark.django_db
def test_regions_national_section_at_small_scale_loads_a_province():
    rows = regions.national(TINY)
    assert _figure(rows, "  villages") == 14_888
    assert _figure(rows, "  load / bare insert") > 0
    assert "Yunnan 53 (the nation at scale 1.0)" in rows[0][0]


@pytest.mark.django_db
def test_imports_section_runs_with_a_scale():
    rows = imports.run(scale=TINY)
    assert _figure(rows, "import 100-row .csv") > 0
    assert _figure(rows, "import 100-row .xlsx") > 0
    growths = [row for row in rows if row[0] == "  growth"]
    assert [row[3] for row in growths] == ["< 20", "< 20"]  # the process's and the heap's
    # The heap's peak is measured here; a fresh import process cannot see the test's
    # transaction, so its row says it is measured under `make bench` only.
    assert _figure(rows, "heap peak importing") > 0
    (process_row,) = [row for row in rows if row[0].startswith("import process peak RSS, 10 ")]
    assert math.isnan(process_row[1]) and process_row[3] == "(make bench only)"


def test_a_child_process_peak_is_its_own():
    allocate = (
        "import sys; block = bytearray(80 * 1024 * 1024); block[::4096] = b'x' * len(block[::4096])"
    )
    bare = imports.python_peak_mb(["-c", "pass"])
    peak = imports.python_peak_mb(["-c", allocate])
    assert bare < 60, bare  # not the test process's own size
    assert 80 < peak - bare < 200, (bare, peak)
    with pytest.raises(subprocess.CalledProcessError, match="returned non-zero"):
        imports.python_peak_mb(["-c", "raise SystemExit(3)"])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_api_section_against_a_live_server(live_server):
    rows = api.run(scale=TINY, base_url=live_server.url)
    assert _figure(rows, "API minimal view /healthz") > 0
    assert _figure(rows, "API rollup, county 532301 totals") > 0
    assert _figure(rows, "API events list") > 0
