"""Bad files and bad rows: a clear error naming row and column, and nothing written."""

import datetime
import io

import openpyxl
import pytest

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.common.errors import DomainError, Forbidden, ImportRejected
from campaigndesk.ledger.io import imports
from campaigndesk.ledger.models import (
    EventRecord,
    Fact,
    ImportBatch,
    MaterialRecord,
    MediaOutput,
    PeriodLock,
)

from .io_files import GOOD, HEADERS, csv_bytes, io_world, run_import, xlsx_bytes

__all__ = ["io_world"]


def assert_nothing_written():
    assert not MediaOutput.objects.exists()
    assert not MaterialRecord.objects.exists()
    assert not EventRecord.objects.exists()
    assert not Fact.objects.exists()
    assert not ImportBatch.objects.exists()
    assert not AuditEntry.objects.filter(action="ledger.batch.imported").exists()


def rejected(actor, campaign, kind, rows, fmt="csv") -> list:
    data = csv_bytes(rows) if fmt == "csv" else xlsx_bytes(rows)
    with pytest.raises(ImportRejected) as caught:
        run_import(actor, campaign, kind, data, f"f.{fmt}")
    assert_nothing_written()
    return [(e.row, e.field, e.message) for e in caught.value.errors]


def only_error(actor, campaign, kind, bad_row, fmt="csv"):
    """Import GOOD rows with ``bad_row`` between them: the one error, nothing written."""
    rows = [HEADERS[kind], GOOD[kind][0], bad_row, GOOD[kind][1]]
    errors = rejected(actor, campaign, kind, rows, fmt)
    assert len(errors) == 1, errors
    return errors[0]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_unknown_unit(io_world, fmt):
    row = ["不存在的单位", "", "2024-02-05", "横幅", "10", "", "", ""]
    number, field, message = only_error(SYSTEM, io_world.campaign, "material", row, fmt)
    assert (number, field) == (3, "单位 (A)")
    assert "No unit is called “不存在的单位”" in message


def test_unknown_outlet(io_world):
    row = ["楚雄市融媒体中心", "", "2024-02-05", "不存在日报", "新闻", "标题", "", "", "", ""]
    assert only_error(SYSTEM, io_world.campaign, "output", row)[:2] == (3, "媒体 (D)")


def test_ambiguous_outlet_without_channel(io_world):
    row = ["楚雄市融媒体中心", "", "2024-02-05", "楚雄融媒", "新闻", "标题", "", "", "", ""]
    number, field, message = only_error(SYSTEM, io_world.campaign, "output", row)
    assert (number, field) == (3, "媒体 (D)") and "fill 渠道" in message


def test_bad_region_code(io_world):
    row = ["楚雄市融媒体中心", "999999", "2024-02-05", "横幅", "10", "", "", ""]
    number, field, message = only_error(SYSTEM, io_world.campaign, "material", row)
    assert (number, field) == (3, "行政区划代码 (B)")
    assert "No region has the code 999999" in message


def test_region_outside_the_campaign(io_world):
    # 妥甸镇 lies in 双柏县, not in the campaign's 楚雄市.
    row = ["楚雄市融媒体中心", "532322100", "2024-02-05", "横幅", "10", "", "", ""]
    number, field, message = only_error(SYSTEM, io_world.campaign, "material", row)
    assert (number, field) == (3, "行政区划代码 (B)")
    assert "outside the campaign's region" in message


def test_negative_count(io_world):
    row = ["楚雄市融媒体中心", "", "2024-02-05", "横幅", "-10", "", "", ""]
    number, field, message = only_error(SYSTEM, io_world.campaign, "material", row)
    assert (number, field, message) == (3, "数量 (E)", "Must not be negative.")
    row = ["鹿城镇人民政府", "", "2024-02-05", "宣讲", "", "-1", "", ""]
    assert only_error(SYSTEM, io_world.campaign, "event", row)[1] == "场次 (F)"


def test_participants_with_zero_sessions(io_world):
    row = ["鹿城镇人民政府", "", "2024-02-05", "宣讲", "", "0", "100", ""]
    number, field, message = only_error(SYSTEM, io_world.campaign, "event", row)
    assert (number, field) == (3, "人次 (G)") and "at least one session" in message


def test_date_outside_the_campaign(io_world):
    row = ["鹿城镇人民政府", "", "2023-12-31", "宣讲", "", "1", "10", ""]
    number, field, message = only_error(SYSTEM, io_world.campaign, "event", row)
    assert (number, field) == (3, "日期 (C)") and "lies outside the campaign" in message


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_wrong_type_in_a_cell(io_world, fmt):
    rows = [
        HEADERS["event"],
        ["鹿城镇人民政府", "", "2024-02-05", "宣讲", "", "十二", "10", ""],
        ["鹿城镇人民政府", "", "下周", "宣讲", "", "1", "10", ""],
        ["鹿城镇人民政府", "", "2024-02-30", "宣讲", "", "1", "1.5", ""],
        ["鹿城镇人民政府", "", "2024-02-05", "联欢", "", "1", "", ""],
    ]
    errors = rejected(SYSTEM, io_world.campaign, "event", rows, fmt)
    assert [(row, field) for row, field, _ in errors] == [
        (2, "场次 (F)"),
        (3, "日期 (C)"),
        (4, "日期 (C)"),
        (4, "人次 (G)"),
        (5, "类型 (D)"),
    ]
    messages = [message for _, _, message in errors]
    assert messages[0] == "Not a whole number: 十二"
    assert messages[1].startswith("Not a date: 下周")
    assert "not a day of the calendar" in messages[2]
    assert "Unknown value “联欢”" in messages[4] and "宣讲(lecture)" in messages[4]


def test_numbers_too_long_to_read_or_split_by_a_space_are_cell_errors(io_world):
    rows = [
        HEADERS["event"],
        ["鹿城镇人民政府", "", "2024-02-05", "宣讲", "", "9" * 5000, "10", ""],
        ["鹿城镇人民政府", "", "2024-02-05", "宣讲", "", "1e999999999", "10", ""],
        ["鹿城镇人民政府", "", "2024-02-05", "宣讲", "", "12 5", " 860 ", ""],
    ]
    rows.append(["鹿城镇人民政府", "", "2024-02-05", "宣讲", "", "1", "200 300", ""])
    errors = rejected(SYSTEM, io_world.campaign, "event", rows)
    assert [(row, field) for row, field, _ in errors] == [
        (2, "场次 (F)"),
        (3, "场次 (F)"),
        (4, "场次 (F)"),
        (5, "人次 (G)"),
    ]
    messages = [message for _, _, message in errors]
    assert messages[0] == "The number 999999999999…999999 is too large."
    assert messages[1] == "The number 1e999999999 is too large."
    assert messages[2:] == ["Not a whole number: 12 5", "Not a whole number: 200 300"]
    material = [*GOOD["material"][0]]
    material[HEADERS["material"].index("数量")] = "1e999999999"
    [(_row, field, message)] = rejected(
        SYSTEM, io_world.campaign, "material", [HEADERS["material"], material]
    )
    assert field == "数量 (E)" and "too large" in message


def test_wrong_header_names_missing_and_unknown_columns(io_world):
    rows = [["单位名字", "日期", "类型", "数量", "日期"], ["x", "2024-02-05", "横幅", "1", ""]]
    errors = rejected(SYSTEM, io_world.campaign, "material", rows)
    assert (1, "单位名字 (A)", "Unknown column “单位名字”.") in errors
    assert (1, "日期 (E)", "The column “日期” appears twice.") in errors
    assert (1, "单位", "The column “单位” is missing.") in errors
    assert errors[-1][2].startswith("The columns of this kind of record are: 单位, 行政区划代码")


def test_reporter_importing_another_units_rows(io_world):
    world = io_world.world
    rows = [
        HEADERS["event"],
        ["鹿城镇人民政府", "", "2024-02-05", "宣讲", "", "1", "10", ""],  # its own unit
        ["楚雄市融媒体中心", "", "2024-02-05", "宣讲", "", "1", "10", ""],
    ]
    errors = rejected(world.reporter, io_world.campaign, "event", rows)
    assert errors == [(3, "单位 (A)", "You may not file records for 楚雄市融媒体中心.")]
    # Its own unit alone is fine.
    result = run_import(world.reporter, io_world.campaign, "event", csv_bytes(rows[:2]), "e.csv")
    assert result.created == 1


def test_an_observer_may_not_import(io_world):
    data = csv_bytes([HEADERS["event"], GOOD["event"][0]])
    with pytest.raises(Forbidden):
        run_import(io_world.world.observer, io_world.campaign, "event", data, "e.csv")
    assert AuditEntry.objects.filter(action="ledger.batch.import", outcome="denied").exists()
    assert_nothing_written()


def test_locked_period(io_world):
    PeriodLock.objects.create(
        campaign=io_world.campaign,
        start=datetime.date(2024, 2, 1),
        end=datetime.date(2024, 2, 10),
    )
    row = ["鹿城镇人民政府", "", "2024-02-08", "宣讲", "", "1", "10", ""]
    rows = [HEADERS["event"], row, GOOD["event"][1]]
    errors = rejected(SYSTEM, io_world.campaign, "event", rows)
    assert len(errors) == 1 and errors[0][1] == "日期 (C)" and "locked" in errors[0][2]


def test_figure_rows(io_world):
    rows = [
        HEADERS["figure"],
        ["鹿城镇人民政府", "", "2024-02-22", "no_such_indicator", "1", "", ""],
        ["鹿城镇人民政府", "", "2024-02-22", "awareness_rate", "1", "", ""],
        ["鹿城镇人民政府", "", "2024-02-22", "respondents", "1", "大概", ""],
        ["鹿城镇人民政府", "", "2024-02-22", "respondents", "1", "", "2024-02-23"],
        ["鹿城镇人民政府", "", "2024-02-22", "respondents", "1.00001", "", ""],
    ]
    errors = rejected(SYSTEM, io_world.campaign, "figure", rows)
    assert [(row, field) for row, field, _ in errors] == [
        (2, "指标 (D)"),
        (3, "指标 (D)"),
        (4, "近似 (F)"),
        (5, "起始日期 (G)"),
        (6, "数值 (E)"),
    ]
    assert "computed from the ledger" in errors[1][2]


def test_external_id_used_twice_in_a_file(io_world):
    header = [*HEADERS["event"], "外部编号"]
    rows = [
        header,
        [*GOOD["event"][0], "E-1"],
        [*GOOD["event"][1], "E-1"],
    ]
    errors = rejected(SYSTEM, io_world.campaign, "event", rows)
    assert errors == [(3, "外部编号 (I)", "The external id E-1 is already used in row 2.")]


def test_every_bad_row_is_reported_even_after_rows_were_written(io_world, monkeypatch):
    # Small chunks: the first chunks are written before the bad rows are read, and the
    # whole import is still rolled back.
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    good = GOOD["material"][0]
    bad_unit = ["无此单位", *good[1:]]
    bad_count = [*good[:4], "很多", *good[5:]]
    rows = [HEADERS["material"], good, good, good, good, bad_unit, good, bad_count, good]
    errors = rejected(SYSTEM, io_world.campaign, "material", rows)
    assert [(row, field) for row, field, _ in errors] == [(6, "单位 (A)"), (8, "数量 (E)")]


def test_at_most_a_thousand_errors_are_listed(io_world):
    rows = [HEADERS["event"]] + [
        ["鹿城镇人民政府", "", "someday", "宣讲", "", "1", "1", ""] for _ in range(1203)
    ]
    with pytest.raises(ImportRejected) as caught:
        run_import(SYSTEM, io_world.campaign, "event", csv_bytes(rows), "e.csv")
    errors = caught.value.errors
    assert len(errors) == 1001
    assert [e.row for e in errors[:1000]] == list(range(2, 1002))
    assert errors[-1].row is None and errors[-1].message.startswith("203 more problems")
    assert caught.value.total == 1203
    assert str(caught.value).endswith("(and 1183 more)")
    assert_nothing_written()


def test_merged_cells_below_a_title_are_rejected(io_world):
    rows = [
        ["标题"],
        HEADERS["event"],
        ["鹿城镇人民政府", "", "2024-02-05", "宣讲", "", "1", "1", ""],
    ]
    with pytest.raises(DomainError, match="B3"):
        run_import(SYSTEM, io_world.campaign, "event", xlsx_bytes(rows, merge="B3:C3"), "e.xlsx")
    assert_nothing_written()


def test_merged_cells_are_rejected(io_world):
    rows = [HEADERS["event"], GOOD["event"][0], GOOD["event"][1]]
    data = xlsx_bytes(rows, merge="A2:A3")
    with pytest.raises(DomainError) as caught:
        run_import(SYSTEM, io_world.campaign, "event", data, "e.xlsx")
    assert "merged cells (A2:A3)" in caught.value.message
    assert "unmerge" in caught.value.message
    assert_nothing_written()


@pytest.mark.parametrize("name", ["old.xls", "renamed.xlsx"])
def test_legacy_xls_is_rejected(io_world, name):
    # The signature of an OLE2 compound file, which is what .xls files are.
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    with pytest.raises(DomainError) as caught:
        run_import(SYSTEM, io_world.campaign, "event", data, name)
    assert "save it as an Excel workbook (.xlsx)" in caught.value.message
    assert_nothing_written()


@pytest.mark.parametrize(
    "data,name,message",
    [
        (b"", "e.csv", "is empty"),
        (b"%PDF-1.4", "e.pdf", "use an Excel workbook (.xlsx) or a CSV file"),
        (b"not a zip", "e.xlsx", "is not an Excel workbook"),
        ("单位,日期,类型\r\n,,\r\n".encode(), "e.csv", "holds no rows below its header"),
        (b"\r\n\r\n", "e.csv", "is empty"),
    ],
)
def test_files_that_cannot_be_imported(io_world, data, name, message):
    with pytest.raises(DomainError) as caught:
        run_import(SYSTEM, io_world.campaign, "event", data, name)
    assert message in caught.value.message
    assert_nothing_written()


def test_a_column_named_bianhao_is_refused_as_ambiguous(io_world):
    # Offices number their rows 1, 2, ... under 编号 in every month's file: read as the
    # external id, the second month's rows would overwrite the first's.
    rows = [["编号", *HEADERS["event"]]]
    rows += [[str(n), *row] for n, row in enumerate(GOOD["event"], start=1)]
    with pytest.raises(ImportRejected) as caught:
        run_import(SYSTEM, io_world.campaign, "event", csv_bytes(rows), "e.csv")
    first = caught.value.errors[0]
    assert (first.row, first.field) == (1, "编号 (A)")
    assert "序号" in first.message and "外部编号" in first.message
    assert_nothing_written()


def test_a_file_of_single_values_has_no_header(io_world):
    # (what a semicolon-less export of one column, or notes above nothing, looks like)
    rows = [["楚雄市宣传品台账"], ["2024年2月"], ["鹿城镇"]]
    with pytest.raises(DomainError) as caught:
        run_import(SYSTEM, io_world.campaign, "event", csv_bytes(rows), "e.csv")
    assert "has no header row" in caught.value.message
    assert "单位" in caught.value.message
    assert_nothing_written()


def test_unknown_record_kind(io_world):
    with pytest.raises(DomainError):
        run_import(SYSTEM, io_world.campaign, "poem", b"x", "e.csv")


def test_a_formula_saved_without_its_value_is_refused_by_its_cell(io_world):
    """A workbook written by a program holds formulas without their values: the figure is
    unknown, and must not be read as a blank."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS["material"])
    sheet.append(
        ["鹿城镇人民政府", None, datetime.date(2024, 2, 5), "标语点位", 10, "条", "=100+200", None]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(DomainError) as error:
        run_import(SYSTEM, io_world.campaign, "material", buffer.getvalue(), "m.xlsx")
    assert "G2" in str(error.value) and "formula" in str(error.value)
    assert not MaterialRecord.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_value_under_no_header_is_refused_once_by_its_column(io_world, fmt):
    """A value in a column without a header belongs to no field: importing its row would
    lose it, so the file is refused, once for that column, naming its first row."""
    header = [*HEADERS["material"], ""]  # (a column the office added without a name)
    good = [*GOOD["material"][0], ""]
    noted = [*GOOD["material"][1], "另有3处"]
    also = [*GOOD["material"][1], "另有4处"]
    errors = rejected(SYSTEM, io_world.campaign, "material", [header, good, noted, also], fmt)
    letter = openpyxl.utils.get_column_letter(len(header))
    assert [(n, f) for n, f, _m in errors] == [(3, letter)]
    assert "另有3处" in errors[0][2] and "no header" in errors[0][2]


def test_a_value_beyond_the_header_is_refused_and_a_blank_column_is_not(io_world):
    beyond = [*GOOD["material"][0], "", "备注：见附件"]
    errors = rejected(SYSTEM, io_world.campaign, "material", [HEADERS["material"], beyond], "csv")
    assert [(n, f) for n, f, _m in errors] == [
        (2, openpyxl.utils.get_column_letter(len(HEADERS["material"]) + 2))
    ]
    # An empty column without a header (or trailing empty cells) is nothing to lose.
    header = [*HEADERS["material"], ""]
    rows = [header, [*GOOD["material"][0], ""], [*GOOD["material"][1], "", ""]]
    result = run_import(SYSTEM, io_world.campaign, "material", csv_bytes(rows), "ok.csv")
    assert result.created == 2


def test_a_row_with_several_bad_cells_is_told_them_all_at_once(io_world):
    """An unknown kind and a negative count in one row: both listed, so one correction
    of the file is enough (a negative count was told only after the kind was put right)."""
    row = ["鹿城镇人民政府", "", "2024-02-07", "讲座", "", "2", "-5", ""]
    errors = rejected(SYSTEM, io_world.campaign, "event", [HEADERS["event"], GOOD["event"][0], row])
    assert [(n, f) for n, f, _m in errors] == [(3, "类型 (D)"), (3, "人次 (G)")]
    assert "negative" in errors[1][2]
