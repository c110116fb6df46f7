"""Good files of every record kind, as .csv (UTF-8, BOM, GB18030, tab) and .xlsx."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.ledger.models import (
    EventRecord,
    FigureRecord,
    ImportBatch,
    MaterialRecord,
    MediaOutput,
)
from campaigndesk.ledger.rollup import rollup

from .io_files import GOOD, HEADERS, csv_bytes, good_file, io_world, run_import, xlsx_bytes

__all__ = ["io_world"]

# What the GOOD rows of each kind add up to (by hand).
EXPECTED = {
    "output": {"articles": 1, "short_videos": 2, "media_outputs": 3, "views": 1500},
    "material": {
        "banners": 1800,
        "slogan_sites": 31,
        "material_area": Decimal("6200.5"),
        "leaflets": 176128,
    },
    "event": {"lectures": 12, "performances": 2, "home_visits": 5, "event_participants": 1260},
    "figure": {"views_cumulative": 12000, "respondents": 200},
}
MODELS = {
    "output": MediaOutput,
    "material": MaterialRecord,
    "event": EventRecord,
    "figure": FigureRecord,
}


def totals(campaign, codes):
    result = rollup(actor=SYSTEM, campaign=campaign, indicators=list(codes))
    return {code: result.value(code) for code in codes}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", ["output", "material", "event", "figure"])
def test_good_file_imports_every_row(io_world, kind, fmt):
    campaign = io_world.campaign
    data, name = good_file(kind, fmt)
    result = run_import(io_world.world.office, campaign, kind, data, name)
    assert not result.already_imported
    assert (result.rows, result.created, result.updated) == (3, 3, 0)
    assert MODELS[kind].objects.filter(campaign=campaign, batch=result.batch).count() == 3
    assert totals(campaign, EXPECTED[kind]) == EXPECTED[kind]
    batch = ImportBatch.objects.get(pk=result.batch.pk)
    assert (batch.row_count, batch.created_count, batch.updated_count) == (3, 3, 0)
    assert batch.filename == name and len(batch.sha256) == 64
    # One audit entry for the batch, none per row.
    entries = AuditEntry.objects.filter(action__startswith="ledger.")
    assert list(entries.values_list("action", flat=True)) == ["ledger.batch.imported"]
    assert entries.get().after["created"] == 3


def test_values_land_in_their_fields(io_world):
    data, name = good_file("output")
    run_import(SYSTEM, io_world.campaign, "output", data, name)
    second = MediaOutput.objects.get(title="搬迁第一天")
    assert second.outlet == io_world.wechat
    assert second.kind == "video" and second.is_original is False
    assert (second.views, second.audience) == (500, 3000)
    assert second.region == io_world.world.township
    assert second.unit == io_world.world.county_unit
    assert second.date == datetime.date(2024, 2, 7)
    third = MediaOutput.objects.get(title="新家")
    assert third.is_original is True and third.views is None and third.language == "zh"
    # A blank region code is the unit's own region.
    assert third.region == io_world.world.township

    data, name = good_file("figure", "xlsx")
    run_import(SYSTEM, io_world.campaign, "figure", data, name)
    figure = FigureRecord.objects.get(value=10000)
    assert figure.approx == "more"
    period = FigureRecord.objects.get(value=12000)
    assert period.period_start == datetime.date(2024, 2, 1) and period.approx == ""


def test_event_defaults_for_blank_cells(io_world):
    rows = [HEADERS["event"], ["鹿城镇人民政府", "", "2024-03-01", "宣讲", "", "", "", ""]]
    run_import(SYSTEM, io_world.campaign, "event", csv_bytes(rows), "e.csv")
    event = EventRecord.objects.get()
    assert (event.sessions, event.participants, event.audience) == (1, 0, None)


def test_event_audience_column_is_read_and_exported(io_world):
    from campaigndesk.ledger.io.columns import KIND_COLUMNS
    from campaigndesk.ledger.io.exports import export_records

    rows = [
        [*HEADERS["event"], "受众"],
        ["鹿城镇人民政府", "", "2024-03-01", "广播", "", "30", "", "", "12000"],
    ]
    run_import(SYSTEM, io_world.campaign, "event", csv_bytes(rows), "e.csv")
    assert EventRecord.objects.get().audience == 12000
    assert "受众人数" in [column.header for column in KIND_COLUMNS["event"]]
    exported = export_records(actor=SYSTEM, campaign=io_world.campaign, record_kind="event")
    header, row = list(csv.reader(io.StringIO(b"".join(exported.chunks).decode("utf-8-sig"))))
    assert dict(zip(header, row, strict=True))["受众人数"] == "12000"


@pytest.mark.parametrize(
    "encoding,bom",
    [("utf-8", False), ("utf-8", True), ("gb18030", False)],
    ids=["utf8", "utf8-bom", "gb18030"],
)
def test_csv_encodings(io_world, encoding, bom):
    rows = [HEADERS["material"], *GOOD["material"]]
    data = csv_bytes(rows, encoding=encoding, bom=bom)
    if encoding == "gb18030":
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")  # really not UTF-8
    result = run_import(SYSTEM, io_world.campaign, "material", data, "m.csv")
    assert result.created == 3
    assert MaterialRecord.objects.filter(kind="slogan_site").get().measure_word == "处"


def test_tab_separated_csv(io_world):
    data = csv_bytes([HEADERS["event"], *GOOD["event"]], delimiter="\t")
    result = run_import(SYSTEM, io_world.campaign, "event", data, "e.tsv")
    assert result.created == 3
    assert EventRecord.objects.get(kind="lecture").site == "安置点广场"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_blank_rows_are_skipped(io_world, fmt):
    rows = [
        ["", "", ""],
        HEADERS["event"],
        GOOD["event"][0],
        ["", "", "", "", "", "", "", ""],
        ["  ", "", "", "", "", "", "", ""],
        GOOD["event"][1],
    ]
    data = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows)
    result = run_import(SYSTEM, io_world.campaign, "event", data, f"e.{fmt}")
    assert (result.rows, result.created) == (2, 2)


def test_traditional_script_headers_and_labels_and_columns_in_any_order(io_world):
    rows = [
        ["類型", "日期", "數量", "單位", "量詞"],
        ["橫幅", "2024年2月5日", "1,800", "楚雄市融媒體中心", "條"],
        ["宣傳單", "2024/2/6", "500", "鹿城鎮人民政府", "張"],
    ]
    result = run_import(SYSTEM, io_world.campaign, "material", csv_bytes(rows), "m.csv")
    assert result.created == 2
    assert totals(io_world.campaign, ["banners", "leaflets"]) == {"banners": 1800, "leaflets": 500}


def test_xlsx_typed_cells_and_later_sheets_ignored(io_world):
    rows = [
        HEADERS["event"],
        ["鹿城镇人民政府", 532301001001, datetime.date(2024, 2, 7), "宣讲", "", 3, 90.0, ""],
        ["鹿城镇人民政府", "532301001000", datetime.datetime(2024, 2, 8), "竞答", "", "2", "", ""],
    ]
    data = xlsx_bytes(rows, extra_sheet=True)
    result = run_import(SYSTEM, io_world.campaign, "event", data, "e.xlsx")
    assert result.created == 2
    lecture = EventRecord.objects.get(kind="lecture")
    assert lecture.region == io_world.world.village and lecture.participants == 90
    # A 12-digit code padded with zeros names the township.
    assert EventRecord.objects.get(kind="quiz").region == io_world.world.township


def test_a_hidden_sheet_before_the_filled_one_is_not_read(io_world):
    workbook = openpyxl.Workbook()
    january = workbook.active
    january.title = "1月"
    january.sheet_state = "hidden"
    january.append(HEADERS["material"])
    january.append(["楚雄市融媒体中心", None, "2024-01-31", "横幅", 5, "条"])
    february = workbook.create_sheet("2月")
    february.append(HEADERS["material"])
    february.append(["楚雄市融媒体中心", None, "2024-02-20", "横幅", 999, "条"])
    workbook.active = 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = run_import(SYSTEM, io_world.campaign, "material", buffer.getvalue(), "m.xlsx")
    assert result.created == 1
    assert MaterialRecord.objects.get().quantity == 999


def test_a_title_above_the_header_and_a_row_number_column_are_passed_over(io_world):
    rows = [
        ["楚雄市宣传品台账"],
        [],
        ["序号", *HEADERS["material"]],
        *[[str(n), *row] for n, row in enumerate(GOOD["material"], start=1)],
    ]
    result = run_import(SYSTEM, io_world.campaign, "material", xlsx_bytes(rows), "m.xlsx")
    assert result.created == len(GOOD["material"])


def test_a_merged_title_and_rows_numbered_in_advance_are_passed_over(io_world):
    width = len(HEADERS["material"]) + 1
    rows = [
        ["楚雄市宣传品台账", *[""] * (width - 1)],
        ["序号", *HEADERS["material"]],
        ["1", *GOOD["material"][0]],
        *[[str(n), *[""] * (width - 1)] for n in range(2, 40)],
    ]
    data = xlsx_bytes(rows, merge=f"A1:{chr(ord('A') + width - 1)}1")
    assert run_import(SYSTEM, io_world.campaign, "material", data, "m.xlsx").created == 1


def test_a_tab_separated_file_with_a_title_line(io_world):
    rows = [["楚雄市,2024 宣传品台账"], HEADERS["material"], *GOOD["material"]]
    data = csv_bytes(rows, delimiter="\t")
    result = run_import(SYSTEM, io_world.campaign, "material", data, "m.csv")
    assert result.created == len(GOOD["material"])


def test_a_semicolon_separated_csv(io_world):
    # (Excel's separator where the decimal mark is a comma)
    data = csv_bytes([HEADERS["event"], *GOOD["event"]], delimiter=";")
    assert run_import(SYSTEM, io_world.campaign, "event", data, "e.csv").created == 3


def test_a_tab_separated_file_whose_note_is_full_of_commas(io_world):
    # The header and its rows agree on the tab; the note's commas outnumber the tabs.
    note = "一,二,三,四,五,六,七,八,九,十,十一,十二"
    rows = [[*HEADERS["event"], "备注"], *[[*row, ""] for row in GOOD["event"]]]
    rows[1][-1] = note
    data = csv_bytes(rows, delimiter="\t")
    assert run_import(SYSTEM, io_world.campaign, "event", data, "e.csv").created == 3
    assert EventRecord.objects.filter(note=note).count() == 1


def test_a_date_with_its_time_of_day_or_typed_as_a_number_is_that_day(io_world):
    rows = [HEADERS["event"]]
    for day in ("2024/2/22 10:30", "2024-02-23 00:00:00", 20240224):
        rows.append(["鹿城镇人民政府", "", day, "宣讲", "", "1", "1", ""])
    result = run_import(SYSTEM, io_world.campaign, "event", xlsx_bytes(rows), "e.xlsx")
    assert result.created == 3
    days = sorted(EventRecord.objects.values_list("date", flat=True))
    assert days == [datetime.date(2024, 2, d) for d in (22, 23, 24)]


def test_outlet_name_shared_by_two_channels_needs_the_channel(io_world):
    header = [*HEADERS["output"], "渠道"]
    rows = [
        header,
        ["楚雄市融媒体中心", "", "2024-02-05", "楚雄融媒", "短视频", "一", "", "", "", "", "抖音"],
    ]
    result = run_import(SYSTEM, io_world.campaign, "output", csv_bytes(rows), "o.csv")
    assert result.created == 1
    assert MediaOutput.objects.get().outlet == io_world.twins[1]


def test_progress_is_reported(io_world):
    calls = []
    data, name = good_file("event")
    from campaigndesk.ledger.io.imports import ledger_import

    ledger_import(
        actor=SYSTEM,
        campaign=io_world.campaign,
        record_kind="event",
        source=data,
        filename=name,
        progress=lambda rows, fraction: calls.append((rows, fraction)),
    )
    assert calls[-1] == (3, 1.0)


def test_path_and_stream_sources(io_world, tmp_path):
    from campaigndesk.ledger.io.imports import ledger_import

    data, name = good_file("material", "xlsx")
    path = tmp_path / name
    path.write_bytes(data)
    result = ledger_import(
        actor=SYSTEM, campaign=io_world.campaign, record_kind="material", source=path
    )
    assert result.created == 3 and result.batch.filename == name

    data, name = good_file("event")
    with open(tmp_path / "x.bin", "wb") as handle:
        handle.write(data)
    with open(tmp_path / "x.bin", "rb") as stream:
        result = ledger_import(
            actor=SYSTEM,
            campaign=io_world.campaign,
            record_kind="event",
            source=stream,
            filename="events.csv",
        )
        assert not stream.closed
    assert result.created == 3


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_file_without_a_name_is_told_by_its_content(io_world, fmt):
    data, _name = good_file("event", fmt)
    result = run_import(SYSTEM, io_world.campaign, "event", data, "")
    assert result.created == 3 and result.batch.filename == "upload"


def test_xlsx_progress_comes_from_the_declared_extent():
    import io

    from openpyxl import Workbook

    from campaigndesk.ledger.io.readers import ImportFile

    workbook = Workbook()
    for n in range(1, 11):
        workbook.active.append([f"row {n}", n])
    buffer = io.BytesIO()
    workbook.save(buffer)
    file = ImportFile(buffer.getvalue(), "ten.xlsx").inspect()
    rows = file.rows()
    for _ in range(4):
        next(rows)
    # The sheet declares A1:B10: 4 of its 10 rows read.
    assert file.fraction() == 0.4
    assert [number for number, _values in rows][-1] == 10
    assert file.fraction() == 1.0


def test_two_spellings_of_one_region_code_in_one_file(io_world):
    rows = [
        HEADERS["event"],
        ["鹿城镇人民政府", "532301001", "2024-02-07", "宣讲", "", "1", "10", ""],
        ["鹿城镇人民政府", "532301001000", "2024-02-08", "宣讲", "", "1", "10", ""],
        # typed with a Chinese input method: full-width digits
        ["鹿城镇人民政府", "５３２３０１００１", "2024-02-09", "宣讲", "", "1", "10", ""],
        ["鹿城镇人民政府", "５３２３０１００１０００", "2024-02-10", "宣讲", "", "1", "10", ""],
    ]
    result = run_import(SYSTEM, io_world.campaign, "event", csv_bytes(rows), "e.csv")
    assert result.created == 4
    assert {r.region for r in EventRecord.objects.all()} == {io_world.world.township}


def test_formula_results_read_as_the_sheet_shows_them(io_world):
    # =3*1.1, =100*1.1 and =B2*0.3 as Excel stores their results: binary noise the sheet
    # (and a CSV saved from it) rounds away.
    rows = [
        HEADERS["material"],
        ["鹿城镇人民政府", "", "2024-02-07", "横幅", 100 * 1.1, "", 3 * 1.1, ""],
        ["鹿城镇人民政府", "", "2024-02-07", "宣传单", 0.07 * 100, "", "", ""],
    ]
    assert rows[1][4] != 110 and rows[1][6] != 3.3 and rows[2][4] != 7
    result = run_import(SYSTEM, io_world.campaign, "material", xlsx_bytes(rows), "m.xlsx")
    assert result.created == 2
    banner = MaterialRecord.objects.get(kind="banner")
    assert (banner.quantity, banner.area_m2) == (110, Decimal("3.3"))
    assert MaterialRecord.objects.get(kind="leaflet").quantity == 7
