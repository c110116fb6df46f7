"""The import's pipeline: on PostgreSQL the COPY statements sent by a thread while the next
rows are checked; elsewhere (and here on PostgreSQL too, when asked) a long .xlsx sheet
parsed by another process. Same results as reading and writing in line; a bad row, a
failing COPY, a reader that crashes or hangs: nothing written, and no process or thread
left behind."""

import datetime
import gc
import subprocess
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.common.errors import DomainError, ImportRejected
from campaigndesk.ledger import services
from campaigndesk.ledger.facts import fact_columns
from campaigndesk.ledger.io import imports, readers, xlsx
from campaigndesk.ledger.io.imports import import_batch_undo, ledger_import
from campaigndesk.ledger.models import Fact, ImportBatch, MaterialRecord, MediaOutput
from campaigndesk.ledger.rollup import rollup

from .io_files import GOOD, HEADERS, csv_bytes, io_world, run_import, xlsx_bytes

__all__ = ["io_world"]


def assert_sqlite_writes_its_own_rows(io_world) -> None:
    """On SQLite (where the COPY thread's tests do not apply) the importer writes its rows
    itself: no COPY thread, no switching of constraint modes, every row written."""
    started = []
    original = threading.Thread.start

    def start(thread):
        started.append(thread.name)
        return original(thread)

    data = csv_bytes([HEADERS["material"], *material_rows(3)])
    with CaptureQueriesContext(connection) as queries:
        threading.Thread.start = start
        try:
            result = run_import(SYSTEM, io_world.campaign, "material", data, "m.csv")
        finally:
            threading.Thread.start = original
    assert result.created == 3
    assert "ledger-copy" not in started
    assert not [q for q in queries.captured_queries if "SET CONSTRAINTS" in q["sql"]]


@pytest.fixture
def started(monkeypatch) -> list[subprocess.Popen]:
    """The processes started, to look at."""
    processes: list[subprocess.Popen] = []
    popen = subprocess.Popen

    def spy(*args, **kwargs):
        process = popen(*args, **kwargs)
        processes.append(process)
        return process

    monkeypatch.setattr(xlsx.subprocess, "Popen", spy)
    return processes


@pytest.fixture
def processes(monkeypatch, started) -> list[subprocess.Popen]:
    """Every .xlsx is read by another process (no row read here first, and on
    PostgreSQL too); the processes started."""
    monkeypatch.setattr(readers, "XLSX_PROCESS_MIN_BYTES", 0)
    monkeypatch.setattr(readers, "XLSX_HEAD_START_ROWS", 0)
    monkeypatch.setattr(imports, "READER_PROCESS_BESIDE_COPIES", True)
    return started


def material_rows(count: int) -> list[list]:
    """``count`` good material rows, a day each (quantities 1, 2, 3 ...)."""
    first = datetime.date(2024, 1, 1)
    return [
        [
            "鹿城镇人民政府" if n % 2 else "楚雄市融媒体中心",
            "",
            (first + datetime.timedelta(days=n % 300)).isoformat(),
            "横幅" if n % 3 else "宣传单",
            str(n + 1),
            "条",
            "12.5" if n % 4 == 0 else "",
            "",
        ]
        for n in range(count)
    ]


def stored(campaign) -> list[tuple]:
    """The campaign's material records and their facts, without ids and time stamps."""
    records = {
        r.pk: (r.unit_id, r.region_id, r.date, r.kind, r.quantity, r.area_m2, r.measure_word)
        for r in MaterialRecord.objects.filter(campaign=campaign)
    }
    facts = sorted(
        (records[f.record_id], f.indicator_id, f.value, f.region_path, f.unit_id, f.date)
        for f in Fact.objects.filter(campaign=campaign, record_kind="material")
    )
    return sorted(records.values()) + facts


def assert_nothing_written():
    assert not MaterialRecord.objects.exists()
    assert not Fact.objects.exists()
    assert not ImportBatch.objects.exists()
    assert not AuditEntry.objects.filter(action="ledger.batch.imported").exists()


def assert_no_copy_thread():
    assert not [t for t in threading.enumerate() if t.name == "ledger-copy"]


# --- the same result ---------------------------------------------------------------------


def test_a_sheet_read_by_another_process_imports_as_one_read_here(io_world, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 7)
    data = xlsx_bytes([HEADERS["material"], *material_rows(60)])
    campaign = io_world.campaign

    inline = run_import(SYSTEM, campaign, "material", data, "m.xlsx")
    expected = stored(campaign)
    total = rollup(actor=SYSTEM, campaign=campaign, indicators=["banners"]).value("banners")
    import_batch_undo(actor=SYSTEM, batch=inline.batch)
    assert not MaterialRecord.objects.exists()

    monkeypatch.setattr(readers, "XLSX_PROCESS_MIN_BYTES", 0)
    monkeypatch.setattr(readers, "XLSX_HEAD_START_ROWS", 0)
    monkeypatch.setattr(imports, "READER_PROCESS_BESIDE_COPIES", True)
    result = run_import(SYSTEM, campaign, "material", data, "m.xlsx")
    assert (result.rows, result.created) == (60, 60)
    assert stored(campaign) == expected and len(expected) > 120
    assert rollup(actor=SYSTEM, campaign=campaign, indicators=["banners"]).value("banners") == total
    assert_no_copy_thread()


def test_records_and_their_facts_get_the_same_ids_across_chunks(io_world, monkeypatch):
    # More rows than the first block of ids taken ahead (PostgreSQL), in many chunks.
    monkeypatch.setattr(imports, "CHUNK_ROWS", 300)
    data = csv_bytes([HEADERS["material"], *material_rows(2600)])
    result = run_import(SYSTEM, io_world.campaign, "material", data, "m.csv")
    assert result.created == 2600
    ids = set(MaterialRecord.objects.values_list("pk", flat=True))
    assert len(ids) == 2600
    assert set(Fact.objects.values_list("record_id", flat=True)) == ids
    # Each record's facts follow it: one per quantity, one more per area.
    assert Fact.objects.count() == 2600 + len(range(0, 2600, 4))


def test_duplicates_are_flagged_against_the_chunks_written_before(io_world, monkeypatch):
    # One row a chunk: each chunk's duplicate query must see the rows sent before it.
    monkeypatch.setattr(imports, "CHUNK_ROWS", 1)
    first = GOOD["output"][0]
    same_link = ["鹿城镇人民政府", "", "2024-02-06", "楚雄发布", "新闻", "另一个", *first[6:]]
    same_item = ["鹿城镇人民政府", "", "2024-02-05", "楚雄日报", "新闻", "库区新貌"] + [""] * 4
    rows = [HEADERS["output"], first, GOOD["output"][1], same_link, same_item]
    result = run_import(SYSTEM, io_world.campaign, "output", csv_bytes(rows), "o.csv")
    assert (result.created, result.duplicates) == (4, 2)
    assert MediaOutput.objects.filter(status="duplicate").count() == 2
    # the first row's link as shared (a tracking tail), in a later file: flagged as well
    shared = [*first[:5], "第三个", *first[6:9], first[9] + "?utm_source=wechat&spm=1.2"]
    again = run_import(
        SYSTEM, io_world.campaign, "output", csv_bytes([HEADERS["output"], shared]), "s.csv"
    )
    assert (again.created, again.duplicates) == (1, 1)


def test_a_reading_process_where_this_process_writes_the_rows_itself(
    io_world, monkeypatch, started
):
    monkeypatch.setattr(readers, "XLSX_PROCESS_MIN_BYTES", 0)  # every sheet is "long"
    data = xlsx_bytes([HEADERS["material"], *material_rows(30)])
    assert run_import(SYSTEM, io_world.campaign, "material", data, "m.xlsx").created == 30
    # On PostgreSQL the server's work runs beside this process already (a COPY thread).
    assert len(started) == (0 if connection.vendor == "postgresql" else 1)
    assert all(p.returncode is not None for p in started)


# --- errors: nothing written -------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_bad_row_in_a_late_chunk_writes_nothing(io_world, monkeypatch, processes, fmt):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 5)
    rows = [HEADERS["material"], *material_rows(40)]
    rows.insert(37, ["无此单位", *rows[1][1:]])  # row 38 of the file
    rows.append([*rows[1][:4], "-3", *rows[1][5:]])  # the last row, 43
    data = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows)
    with pytest.raises(ImportRejected) as caught:
        run_import(SYSTEM, io_world.campaign, "material", data, f"m.{fmt}")
    assert [(e.row, e.field) for e in caught.value.errors] == [(38, "单位 (A)"), (43, "数量 (E)")]
    assert_nothing_written()
    assert len(processes) == (1 if fmt == "xlsx" else 0)
    assert all(p.returncode == 0 for p in processes)
    assert_no_copy_thread()
    # The transaction is usable again: the good rows import.
    good = csv_bytes([HEADERS["material"], *material_rows(40)])
    assert run_import(SYSTEM, io_world.campaign, "material", good, "g.csv").created == 40


# The reading process's program, crashing after a few rows (frames of two rows).
CRASHING = """
import os, sys
from campaigndesk.ledger.io import xlsx
xlsx.FRAME_ROWS = 2
cells = xlsx.SheetRows._cells
def cells_then_crash(self, row, read=[]):
    read.append(row)
    if len(read) > 9:
        {crash}
    return cells(self, row)
xlsx.SheetRows._cells = cells_then_crash
xlsx._serve(sys.argv[1])
"""


@pytest.mark.parametrize(
    ("crash", "said"),
    [
        ("raise RuntimeError('the parser broke')", "RuntimeError: the parser broke"),
        ("os._exit(3)", "exit code 3"),
    ],
)
def test_a_reader_that_crashes_is_reported_and_nothing_written(
    io_world, monkeypatch, processes, crash, said
):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)  # rows are written before the crash
    monkeypatch.setattr(xlsx, "_SERVE", CRASHING.format(crash=crash))
    data = xlsx_bytes([HEADERS["material"], *material_rows(30)])
    with pytest.raises(DomainError) as caught:
        run_import(SYSTEM, io_world.campaign, "material", data, "m.xlsx")
    assert "m.xlsx cannot be read as an Excel workbook" in caught.value.message
    assert "the reading process stopped" in caught.value.message
    assert said in caught.value.message
    assert_nothing_written()
    assert [p.returncode for p in processes] == [1 if "raise" in crash else 3]
    assert_no_copy_thread()


def test_a_reader_that_hangs_is_stopped_and_reported(io_world, monkeypatch, processes):
    monkeypatch.setattr(xlsx, "STALL_SECONDS", 1.0)
    monkeypatch.setattr(xlsx, "_SERVE", CRASHING.format(crash="import time; time.sleep(60)"))
    data = xlsx_bytes([HEADERS["material"], *material_rows(30)])
    with pytest.raises(DomainError) as caught:
        run_import(SYSTEM, io_world.campaign, "material", data, "m.xlsx")
    assert "the reading process sent nothing for 1 s" in caught.value.message
    assert_nothing_written()
    assert processes[0].returncode is not None  # killed, not left sleeping


def test_the_reader_stops_when_the_import_does(io_world, processes):
    # A wrong header: the import stops after the first row; the reader, ahead, is killed.
    rows = [["单位", "日期", "不知道"], *material_rows(5000)]
    with pytest.raises(ImportRejected):
        run_import(SYSTEM, io_world.campaign, "material", xlsx_bytes(rows), "m.xlsx")
    assert len(processes) == 1 and processes[0].returncode is not None
    assert_nothing_written()


# --- the COPY thread (PostgreSQL) -------------------------------------------------------


def test_a_failing_copy_is_raised_and_nothing_written(io_world, monkeypatch):
    if connection.vendor != "postgresql":
        assert_sqlite_writes_its_own_rows(io_world)
        return
    monkeypatch.setattr(imports, "CHUNK_ROWS", 5)
    monkeypatch.setattr(services._Copier, "COPY_ROWS", 10)  # statements of ten rows
    statement = services._copy_statement
    calls = []

    def breaking(model, records):
        sql, rows = statement(model, records)
        calls.append(sql)
        if len(calls) == 3:  # the third chunk: a quantity the table's check refuses
            at = services._layout(model).names.index("quantity") + 1
            rows[-1] = (*rows[-1][:at], -1, *rows[-1][at + 1 :])
        return sql, rows

    monkeypatch.setattr(services, "_copy_statement", breaking)
    data = csv_bytes([HEADERS["material"], *material_rows(40)])
    with pytest.raises(IntegrityError) as caught:
        run_import(SYSTEM, io_world.campaign, "material", data, "m.csv")
    assert "material_quantity_nonneg" in str(caught.value)
    assert len(calls) >= 3
    assert_nothing_written()
    assert_no_copy_thread()
    monkeypatch.setattr(services, "_copy_statement", statement)
    assert run_import(SYSTEM, io_world.campaign, "material", data, "m.csv").created == 40


def test_foreign_keys_are_checked_at_the_commit_again_after_an_import(io_world):
    if connection.vendor != "postgresql":
        assert_sqlite_writes_its_own_rows(io_world)
        return
    data = csv_bytes([HEADERS["material"], *material_rows(3)])
    run_import(SYSTEM, io_world.campaign, "material", data, "m.csv")
    fact = Fact.objects.first()
    quote = connection.ops.quote_name
    columns = [Fact._meta.get_field(name).column for name in fact_columns()]
    chosen = ", ".join("%s" if c == "unit_id" else quote(c) for c in columns)
    # A copy of a fact naming a unit that does not exist: refused at the commit, not at
    # the insert (while the import ran, its foreign keys were checked at once).
    inserted = False
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(Fact._meta.db_table)} ({', '.join(map(quote, columns))}) "
            f"SELECT {chosen} FROM {quote(Fact._meta.db_table)} WHERE id = %s",
            [10**9, fact.pk],
        )
        inserted = True
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as the commit would
    assert inserted


def test_frames_from_the_reading_process_hold_cell_values_only():
    import io
    import os
    import pickle

    frame = pickle.dumps(("rows", [(1, (datetime.datetime(2024, 3, 1), 1.5, "x", None))]))
    assert xlsx._Frame(io.BytesIO(frame)).load()[1][0][1][0] == datetime.datetime(2024, 3, 1)
    with pytest.raises(pickle.UnpicklingError):
        xlsx._Frame(io.BytesIO(pickle.dumps(("rows", os.system)))).load()


def test_the_garbage_collector_skips_older_objects_during_an_import_only(io_world):
    frozen_during = []

    def progress(rows, fraction):
        frozen_during.append(gc.get_freeze_count())

    data = csv_bytes([HEADERS["material"], *material_rows(3)])
    # (start with nothing frozen: another test, a bench run, may have frozen objects)
    earlier = gc.get_freeze_count()
    gc.unfreeze()
    ledger_import(
        actor=SYSTEM,
        campaign=io_world.campaign,
        record_kind="material",
        source=data,
        filename="m.csv",
        progress=progress,
    )
    assert frozen_during and min(frozen_during) > 0
    assert gc.get_freeze_count() == 0
    # Objects frozen by someone else (a server before forking) stay frozen.
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        run_import(SYSTEM, io_world.campaign, "material", data + b"\r\n", "n.csv")
        # (Some frozen objects may be freed meanwhile, a few hundred in a full run: a thaw
        # would move them all back, so most staying frozen is the sign.)
        assert frozen * 0.9 < gc.get_freeze_count() <= frozen
    finally:
        gc.unfreeze()
        if earlier:
            gc.freeze()
