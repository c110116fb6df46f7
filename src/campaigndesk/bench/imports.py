"""Import benchmarks: throughput of 100,000-row .csv and .xlsx files, and memory growth.

- CSV: ``ledger_import`` against a bare bulk insert of the same rows already parsed
  (``bulk_create`` of the records, and of the records with their facts), goal >= 0.5x;
- xlsx: ``ledger_import`` against openpyxl's read-only parse of the same file alone (in
  a fresh process, as the import's own reader), the medians of three runs each, goal
  >= 0.7x;
- memory: the peak resident memory of a fresh ``campaigndesk import`` process importing
  10,000 and 100,000 rows (what the whole process holds, C libraries included; on SQLite
  the sheet is read in a second process, not counted), and the Python heap's peak
  (tracemalloc) in this process; the growth between the two sizes, goal < 20 MB.

Each import is undone afterwards and the tables vacuumed before each measurement
(``settle``), so the figures do not depend on what ran before.
"""

import datetime
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

from django.db import connection, transaction

from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.campaigns.models import Campaign
from campaigndesk.documents.textnorm import match_key
from campaigndesk.ledger import summary
from campaigndesk.ledger.facts import (
    AncestorCache,
    IndicatorCache,
    fact_columns,
    fact_rows,
    insert_facts,
)
from campaigndesk.ledger.io.columns import columns_for
from campaigndesk.ledger.io.imports import import_batch_undo, ledger_import
from campaigndesk.ledger.models import (
    Fact,
    FactFirstSeen,
    FactMemberCount,
    FactPresence,
    FactSummary,
    ImportBatch,
    MaterialRecord,
)
from campaigndesk.regions.models import Region, RegionLevel, Unit, UnitKind
from campaigndesk.regions.paths import child_path

Row = tuple[str, float, str, str]
KINDS = ["横幅", "宣传单", "标语点位", "展板", "LED滚动标语"]
KIND_CODES = ["banner", "leaflet", "slogan_site", "exhibition_board", "led_slogan"]


def _region(code: str, name: str, level: int, parent: Region | None) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        region = Region.objects.create(
            code=code,
            name=name,
            level=level,
            parent=parent,
            path=child_path(parent.path if parent else "", code),
        )
    return region


def setup() -> tuple[Campaign, list[Unit], list[Region]]:
    """A campaign over 楚雄市 with ten township units (the regions are made if the official
    tree is not loaded)."""
    province = _region("53", "云南省", RegionLevel.PROVINCE, None)
    prefecture = _region("5323", "楚雄彝族自治州", RegionLevel.PREFECTURE, province)
    county = _region("532301", "楚雄市", RegionLevel.COUNTY, prefecture)
    townships = list(Region.objects.filter(parent=county, level=RegionLevel.TOWNSHIP)[:10])
    for n in range(len(townships), 10):
        townships.append(
            _region(f"532301{n + 900:03d}", f"基准镇{n}", RegionLevel.TOWNSHIP, county)
        )
    units = []
    for n, township in enumerate(townships):
        name = f"基准导入单位{n}"
        unit = Unit.objects.filter(name=name, region=township).first() or Unit.objects.create(
            name=name,
            kind=UnitKind.TOWNSHIP_COMMITTEE,
            region=township,
            region_path=township.path,
            name_key=match_key(name),
        )
        units.append(unit)
    lead = units[0]
    campaign = Campaign.objects.filter(name="基准导入活动").first() or Campaign.objects.create(
        name="基准导入活动",
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2024, 12, 31),
        lead_unit=lead,
        region=county,
        region_path=county.path,
    )
    return campaign, units, townships


def rows(count: int, units: list[Unit]):
    """Material rows: unit, region code (blank), date, kind, quantity, measure word, area,
    sites."""
    for n in range(count):
        day = datetime.date(2024, 1, 1) + datetime.timedelta(days=n % 360)
        area = f"{n % 97}.5" if n % 7 == 0 else ""
        yield [
            units[n % len(units)].name,
            "",
            day.isoformat(),
            KINDS[n % len(KINDS)],
            str(n % 500 + 1),
            "件",
            area,
            "",
        ]


def write_csv(path: Path, count: int, units: list[Unit]) -> None:
    header = [c.header for c in columns_for("material")][:8]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        handle.write(",".join(header) + "\r\n")
        for row in rows(count, units):
            handle.write(",".join(row) + "\r\n")


def write_xlsx(path: Path, count: int, units: list[Unit]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("宣传品")
    sheet.append([c.header for c in columns_for("material")][:8])
    for row in rows(count, units):
        sheet.append(
            [
                row[0],
                None,
                datetime.date.fromisoformat(row[2]),
                row[3],
                int(row[4]),
                row[5],
                float(row[6]) if row[6] else None,
                None,
            ]
        )
    workbook.save(path)


def settle() -> None:
    """Vacuum what the previous measurement left dead (an undone import, a rolled-back
    insert), so that each one starts from the same tables whether or not autovacuum has
    come by (PostgreSQL; SQLite reuses its free pages)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    models = (MaterialRecord, Fact, FactSummary, FactPresence, FactFirstSeen, FactMemberCount)
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def timed_import(campaign: Campaign, path: Path) -> tuple[float, int]:
    settle()
    start = time.perf_counter()
    result = ledger_import(actor=SYSTEM, campaign=campaign, record_kind="material", source=path)
    elapsed = time.perf_counter() - start
    import_batch_undo(actor=SYSTEM, batch=result.batch)
    return elapsed, result.created


def bare_insert(campaign: Campaign, count: int, units: list[Unit], *, facts: bool) -> float:
    """bulk_create of the same rows already parsed (no reading, no checks), rolled back."""
    by_name = {u.name: u for u in units}
    regions = {u.pk: u.region for u in units}
    built = []
    for row in rows(count, units):
        unit = by_name[row[0]]
        built.append(
            MaterialRecord(
                campaign=campaign,
                unit=unit,
                region=regions[unit.pk],
                region_path=unit.region_path,
                unit_region_path=unit.region_path,
                date=datetime.date.fromisoformat(row[2]),
                kind=KIND_CODES[KINDS.index(row[3])],
                quantity=Decimal(row[4]),
                measure_word=row[5],
                area_m2=Decimal(row[6]) if row[6] else None,
            )
        )
    caches = (IndicatorCache(), AncestorCache())
    areas: set = set()
    settle()
    start = time.perf_counter()
    with transaction.atomic():
        for index in range(0, len(built), 1000):
            chunk = built[index : index + 1000]
            MaterialRecord.objects.bulk_create(chunk, batch_size=1000)
            if facts:
                new_facts = [
                    row
                    for record in chunk
                    for row in fact_rows("material", record, indicators=caches[0],
                                         ancestors=caches[1])
                ]  # fmt: skip
                insert_facts(new_facts, summarise=False)
                areas.update(summary.areas_of_rows(new_facts, fact_columns()))
        if facts:
            # The summary once, for every cell the facts touched (as an import does).
            summary.refresh(sorted(areas))
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    return elapsed


_PARSE = """
import sys, time
from openpyxl import load_workbook
start = time.perf_counter()
workbook = load_workbook(sys.argv[1], read_only=True, data_only=True)
sheet = workbook.worksheets[0]
sheet.reset_dimensions()
for _values in sheet.iter_rows(values_only=True):
    pass
workbook.close()
print(time.perf_counter() - start)
"""


def openpyxl_parse(path: Path) -> float:
    """Seconds openpyxl's read-only mode takes to read every row of ``path``, timed in a
    fresh process (openpyxl imported first). In this process the parse would run at a
    speed set by what the process holds (the garbage collector's full passes grow with
    it): 20 to 26 thousand rows a second depending on which benchmarks ran before."""
    done = subprocess.run(
        [sys.executable, "-c", _PARSE, str(path)], capture_output=True, text=True, check=True
    )
    return float(done.stdout.strip())


def heap_peak(campaign: Campaign, path: Path) -> float:
    """The Python heap's peak while importing ``path``, in MB above the start."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    result = ledger_import(actor=SYSTEM, campaign=campaign, record_kind="material", source=path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    import_batch_undo(actor=SYSTEM, batch=result.batch)
    return (peak - base) / 1e6


# Runs a module (or "-c" code) in a fresh interpreter and writes its peak resident memory
# (VmHWM: this process image's own high-water mark; rusage would count the parent's pages
# the child had between fork and exec) to the file named first.
_PEAK_WRAPPER = """
import atexit, runpy, sys
report, args = sys.argv[1], sys.argv[2:]
def _write():
    with open("/proc/self/status") as status:
        kb = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(report, "w") as out:
        out.write(kb)
atexit.register(_write)
if args[0] == "-c":
    sys.argv = ["-c", *args[2:]]
    exec(compile(args[1], "<string>", "exec"), {"__name__": "__main__"})
else:
    sys.argv = args
    runpy.run_module(args[0], run_name="__main__", alter_sys=True)
"""


def python_peak_mb(args: list[str]) -> float:
    """Run ``python -m args[0] args[1:]`` (or ``python -c code`` with ``["-c", code]``)
    in a fresh process; its peak resident memory in MB. Raises CalledProcessError when
    it fails."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "peak"
        errors = Path(folder) / "stderr"
        with errors.open("wb") as stderr:  # a file: nobody reads a pipe meanwhile
            done = subprocess.run(
                [sys.executable, "-c", _PEAK_WRAPPER, str(report), *args],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                check=False,
            )
        if done.returncode:
            raise subprocess.CalledProcessError(
                done.returncode, args, stderr=errors.read_text(errors="replace")
            )
        return int(report.read_text()) * 1024 / 1e6


def process_peak(campaign: Campaign, path: Path) -> float:
    """The peak resident memory of a fresh ``campaigndesk import`` process importing
    ``path`` (the import is undone afterwards); NaN on a database another process cannot
    see (the test suite's, inside its transaction)."""
    # Another process sees only committed rows of the database DATABASE_URL names: the
    # bench database, outside any transaction (not the test suite's).
    if "bench" not in str(connection.settings_dict["NAME"]) or connection.in_atomic_block:
        return float("nan")
    command = ["campaigndesk", "import", "material", str(path), "--campaign", str(campaign.pk)]
    before = set(ImportBatch.objects.filter(campaign=campaign).values_list("pk", flat=True))
    peak = python_peak_mb(command)
    new = list(ImportBatch.objects.filter(campaign=campaign).exclude(pk__in=before))
    if len(new) != 1:
        raise RuntimeError(f"the import process left {len(new)} batches here, not 1")
    import_batch_undo(actor=SYSTEM, batch=new[0])
    return peak


FULL_ROWS = 100_000
XLSX_RUNS = 3


def run(scale: float = 1.0, count: int | None = None) -> list[Row]:
    """The import benchmarks on ``count`` rows (100,000 at scale 1.0; at least 100)."""
    count = count if count is not None else max(round(FULL_ROWS * scale), 100)
    campaign, units, _townships = setup()
    out: list[Row] = []
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "materials.csv"
        xlsx_path = Path(folder) / "materials.xlsx"
        small_path = Path(folder) / "small.csv"
        write_csv(csv_path, count, units)
        write_xlsx(xlsx_path, count, units)
        write_csv(small_path, count // 10, units)

        elapsed, created = timed_import(campaign, csv_path)
        csv_rate = created / elapsed
        out.append((f"import {count:,}-row .csv", csv_rate, "rows/s", ""))
        bare = bare_insert(campaign, count, units, facts=False)
        out.append(("  bare bulk_create of the parsed rows", count / bare, "rows/s", ""))
        out.append(("  import / bare insert", (count / elapsed) / (count / bare), "x", ">= 0.5"))
        bare_facts = bare_insert(campaign, count, units, facts=True)
        out.append(("  bare bulk_create of rows + facts", count / bare_facts, "rows/s", ""))
        out.append(("  import / bare insert with facts", bare_facts / elapsed, "x", ""))

        # The goal nearest its mark: three runs of each, in turn, and the medians.
        imports, parses = [], []
        for _ in range(XLSX_RUNS):
            elapsed, created = timed_import(campaign, xlsx_path)
            imports.append(elapsed)
            parses.append(openpyxl_parse(xlsx_path))
        elapsed, parse = statistics.median(imports), statistics.median(parses)
        out.append(
            (f"import {count:,}-row .xlsx (median of {XLSX_RUNS})", created / elapsed, "rows/s", "")
        )
        out.append(
            ("  openpyxl read-only parse alone (a fresh process)", count / parse, "rows/s", "")
        )
        out.append(("  import / parse", parse / elapsed, "x", ">= 0.7"))
        out.append(("  files (csv, xlsx)", os.path.getsize(csv_path) / 1e6, "MB", ""))

        small = process_peak(campaign, small_path)
        large = process_peak(campaign, csv_path)
        label = "(make bench only)" if math.isnan(small) else ""
        out.append((f"import process peak RSS, {count // 10:,} rows", small, "MB", label))
        out.append((f"import process peak RSS, {count:,} rows", large, "MB", label))
        out.append(("  growth", large - small, "MB", "< 20"))

        small = heap_peak(campaign, small_path)
        large = heap_peak(campaign, csv_path)
        out.append((f"heap peak importing {count // 10:,} rows", small, "MB", ""))
        out.append((f"heap peak importing {count:,} rows", large, "MB", ""))
        out.append(("  growth", large - small, "MB", "< 20"))
    return out
