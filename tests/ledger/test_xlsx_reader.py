"""The .xlsx row reader gives, cell by cell, what openpyxl's read-only mode gives for the
same file, with the row numbers Excel shows."""

import datetime
import io
import os
import re
import zipfile

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from campaigndesk.common.errors import DomainError
from campaigndesk.ledger.io.readers import ImportFile
from campaigndesk.ledger.io.xlsx import (
    ReaderFailed,
    ReaderProcess,
    SheetError,
    SheetRows,
    UncalculatedFormula,
    first_sheet,
    rows_with_head_start,
    sheet_rows,
)


def openpyxl_rows(data: bytes) -> list[tuple[int, tuple]]:
    """What openpyxl reads: every row it yields, numbered from 1, blank ones left out."""
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()
        rows = list(enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1))
    finally:
        workbook.close()
    return [(number, tuple(values)) for number, values in rows if values]


def our_rows(data: bytes) -> list[tuple[int, tuple]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        rows = list(sheet_rows(workbook, workbook.worksheets[0]))
    finally:
        workbook.close()
    return [(number, values) for number, values in rows if values]


def assert_same(data: bytes) -> list[tuple[int, tuple]]:
    ours, theirs = our_rows(data), openpyxl_rows(data)
    assert ours == theirs
    # Equal values of another type would compare equal (1 == 1.0 == True): types too.
    assert [[type(v) for v in r] for _, r in ours] == [[type(v) for v in r] for _, r in theirs]
    assert ours, "the file should hold rows"
    return ours


def saved(workbook: openpyxl.Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


CELLS = [
    "文本",
    "  spaces kept  ",
    "a & b < c > d \"e\" 'f'",
    "line\nbreak",
    0,
    -17,
    12345678901234,
    3.25,
    -0.001,
    1e20,
    1.5e-7,
    True,
    False,
    None,
    datetime.date(2024, 2, 29),
    datetime.datetime(2024, 3, 1, 13, 45, 30),
    datetime.datetime(1900, 1, 1),
    datetime.time(8, 30),
    "#N/A",
    "2024-03-01",
    "0012",
]


@pytest.mark.parametrize("write_only", [False, True])
def test_every_kind_of_cell(write_only):
    """Shared strings (a normal save) and inline strings (write-only), numbers, booleans,
    dates and times, text that looks like other types."""
    workbook = openpyxl.Workbook(write_only=write_only)
    sheet = workbook.create_sheet("s") if write_only else workbook.active
    sheet.append(["表头", "日期", "数"])
    sheet.append(CELLS)
    sheet.append(list(reversed(CELLS)))
    for n in range(50):
        sheet.append([f"单位{n % 7}", datetime.date(2024, 1, 1) + datetime.timedelta(n), n * 1.5])
    rows = assert_same(saved(workbook))
    assert rows[1][1][14] == datetime.datetime(2024, 2, 29)  # a date cell reads as datetime
    assert rows[1][1][13] is None


def test_number_formats_that_are_dates_and_those_that_are_not():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    formats = [
        "yyyy-mm-dd",
        'yyyy"年"m"月"d"日"',
        "m/d/yy h:mm",
        "[hh]:mm:ss",  # a duration: timedelta
        "mm:ss",
        "0.00",
        "#,##0",
        "0%",
        "@",
        "General",
    ]
    for row, number_format in enumerate(formats, start=1):
        for column, value in enumerate([45292, 45292.75, 0.5, 1, 0], start=1):
            cell = sheet.cell(row=row, column=column, value=value)
            cell.number_format = number_format
    # Built-in date formats by id (14-22, 45-47), as Excel writes them.
    for column, builtin in enumerate(["mm-dd-yy", "d-mmm-yy", "h:mm AM/PM", "mm:ss.0"], start=1):
        cell = sheet.cell(row=20, column=column, value=45000.5)
        cell.number_format = builtin
    assert_same(saved(workbook))


def test_1904_calendar():
    workbook = openpyxl.Workbook()
    workbook.epoch = CALENDAR_MAC_1904
    sheet = workbook.active
    sheet.append(["日期", datetime.date(2024, 5, 6), datetime.datetime(2001, 1, 1, 6, 0)])
    rows = assert_same(saved(workbook))
    assert rows[0][1][1] == datetime.datetime(2024, 5, 6)


def test_blank_rows_and_sparse_cells_keep_their_numbers_and_columns():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = "表头"
    sheet["C4"] = "from C"
    sheet["A7"] = 1
    sheet["D7"] = 4
    sheet["B9"] = None  # a cell without a value (styled), in an otherwise empty row
    sheet["B9"].number_format = "0.00"
    sheet["E12"] = "last"
    rows = assert_same(saved(workbook))
    assert [number for number, _ in rows] == [1, 4, 7, 9, 12]
    assert rows[1][1] == (None, None, "from C")
    assert rows[2][1] == (1, None, None, 4)
    assert rows[3][1] == (None, None)


def test_rich_text_inline_strings():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = CellRichText(["普通", TextBlock(InlineFont(b=True), "加粗"), "结尾"])
    sheet["B1"] = "plain"
    data = saved(workbook)
    rows = assert_same(data)
    assert rows[0][1] == ("普通加粗结尾", "plain")


def rewritten(data: bytes, rewrite) -> bytes:
    """The workbook with its first sheet's XML passed through ``rewrite``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = rewrite(content.decode("utf-8")).encode("utf-8")
            target.writestr(item, content)
    return out.getvalue()


def base_workbook() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for n in range(1, 6):
        sheet.append([f"第{n}行", n, n / 4, datetime.date(2024, 1, n)])
    return saved(workbook)


def test_rows_and_cells_without_references():
    """Some programs leave out ``r`` on rows and cells: they count on from the last."""

    def rewrite(xml: str) -> str:
        xml = re.sub(r'<row r="[0-9]+"', "<row", xml)
        return re.sub(r'(<c) r="[A-Z]+[0-9]+"', r"\1", xml)

    rows = assert_same(rewritten(base_workbook(), rewrite))
    assert [number for number, _ in rows] == [1, 2, 3, 4, 5]


def test_hand_written_cells():
    """Inline strings with entities and runs, empty values, error and formula-string cells,
    booleans and ISO dates as Excel and other programs write them."""
    row = (
        '<row r="7" spans="1:9">'
        '<c r="A7" t="inlineStr"><is><t xml:space="preserve"> &amp;&#21333; </t></is></c>'
        '<c r="B7" t="inlineStr"><is><r><t>一</t></r><r><rPr><b/></rPr><t>二</t></r>'
        '<rPh sb="0" eb="1"><t>ignored</t></rPh></is></c>'
        '<c r="C7" t="inlineStr"><is><t/></is></c>'
        '<c r="D7"><v></v></c>'
        '<c r="E7" t="e"><v>#DIV/0!</v></c>'
        '<c r="F7" t="str"><f>A1&amp;"x"</f><v>cached</v></c>'
        '<c r="G7" t="b"><v>1</v></c>'
        '<c r="H7" t="d"><v>2024-03-01T08:00:00</v></c>'
        '<c r="I7"><f>1+1</f><v>2</v></c>'
        "</row>"
    )

    def rewrite(xml: str) -> str:
        return xml.replace("</sheetData>", row + "</sheetData>")

    rows = assert_same(rewritten(base_workbook(), rewrite))
    assert rows[-1][0] == 7
    assert rows[-1][1][:3] == (" &单 ", "一二", "")


def test_rows_out_of_order_are_skipped_as_openpyxl_does():
    def rewrite(xml: str) -> str:
        return xml.replace(
            "</sheetData>", '<row r="3"><c r="A3" t="inlineStr"><is><t>late</t></is></c></row>'
        ).replace("</worksheet>", "</sheetData></worksheet>")

    rows = assert_same(rewritten(base_workbook(), rewrite))
    assert "late" not in [values[0] for _, values in rows]


def test_broken_xml_is_a_sheet_error():
    data = rewritten(base_workbook(), lambda xml: xml.replace("</row>", "</rw>", 1))
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    with pytest.raises(SheetError):
        list(sheet_rows(workbook, workbook.worksheets[0]))
    workbook.close()


def test_a_cell_that_is_not_what_it_says_is_a_sheet_error():
    data = rewritten(base_workbook(), lambda xml: xml.replace("<v>2</v>", "<v>two</v>", 1))
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    with pytest.raises(SheetError):
        list(sheet_rows(workbook, workbook.worksheets[0]))
    workbook.close()


def test_import_file_reports_a_broken_sheet_as_unreadable():
    data = rewritten(base_workbook(), lambda xml: xml.replace("</row>", "</rw>", 1))
    file = ImportFile(data, "broken.xlsx").inspect()
    with pytest.raises(DomainError) as caught:
        list(file.rows())
    assert "cannot be read as an Excel workbook" in caught.value.message


def test_import_file_rows_and_progress():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for n in range(1, 2001):
        sheet.append([n, f"行{n}"])
    file = ImportFile(saved(workbook), "many.xlsx").inspect()
    seen = 0
    for number, values in file.rows():
        seen += 1
        assert values == (number, f"行{number}")
        if number == 1000:
            assert file.fraction() == pytest.approx(0.5)
    assert seen == 2000
    assert file.fraction() == 1.0


def test_rows_already_read_are_dropped(monkeypatch):
    """Memory stays flat: rows read are dropped from the parsed tree (which holds at most
    the rows of one block of XML)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for n in range(3000):
        sheet.append([n, "x" * 50])
    data = saved(workbook)
    siblings = []
    original = SheetRows._cells

    def spy(self, row):
        siblings.append(sum(1 for _ in row.itersiblings(preceding=True)))
        return original(self, row)

    monkeypatch.setattr(SheetRows, "_cells", spy)
    assert len(our_rows(data)) == 3000
    assert len(siblings) == 3000
    assert max(siblings) <= 1  # the row read just before, emptied


def mixed_sheet() -> bytes:
    """Every kind of cell, a duration, blank rows and sparse cells, over some 700 rows."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["表头", "日期", "数"])
    sheet.append(CELLS)
    duration = sheet.cell(row=3, column=1, value=45292.75)
    duration.number_format = "[hh]:mm:ss"
    for n in range(700):
        if n % 97 == 0:
            continue  # a blank row
        sheet.cell(row=n + 5, column=1, value=f"单位{n % 7}")
        sheet.cell(row=n + 5, column=2 + n % 3, value=datetime.date(2024, 1, 1 + n % 28))
        sheet.cell(row=n + 5, column=6, value=n * 1.5 if n % 2 else n)
    return saved(workbook)


@pytest.mark.parametrize("most", [0, 1, 250, 100_000])
@pytest.mark.parametrize("source", ["stream", "path"])
def test_rows_read_by_another_process_are_those_read_here(tmp_path, source, most):
    """Read here up to ``most`` rows, then by the other process: the same rows, with the
    same types (the frames carry dates, times and durations), none twice."""
    data = mixed_sheet()
    path = tmp_path / "mixed.xlsx"
    path.write_bytes(data)
    with path.open("rb") as handle:
        sheet = first_sheet(handle)
        assert sheet is not None
        try:
            expected = list(SheetRows(sheet))
            with ReaderProcess(path if source == "path" else io.BytesIO(data)) as reader:
                copy = reader._copy  # a stream is copied to a file for the process
                rows = list(rows_with_head_start(sheet, reader, most=most))
        finally:
            sheet.archive.close()
    assert (copy is None) == (source == "path")
    assert copy is None or not os.path.exists(copy)  # removed with the process
    assert rows == expected
    assert [[type(v) for v in r] for _, r in rows] == [[type(v) for v in r] for _, r in expected]
    assert {type(v) for _, r in rows for v in r} >= {
        datetime.datetime,
        datetime.time,
        datetime.timedelta,
        bool,
        int,
        float,
        str,
    }


def test_a_formula_saved_without_its_value_is_refused_here_and_by_another_process():
    """openpyxl reads such a cell as blank; a figure that was never computed is not 0 or
    missing, so the reader names the cell instead."""
    workbook = openpyxl.Workbook()
    workbook.active.append(["数", "和"])
    workbook.active.append([1, "=SUM(1,2)"])
    data = saved(workbook)
    sheet = first_sheet(io.BytesIO(data))
    assert sheet is not None
    with pytest.raises(UncalculatedFormula) as caught:
        list(SheetRows(sheet))
    assert caught.value.cell == "B2"
    with ReaderProcess(io.BytesIO(data)) as reader, pytest.raises(UncalculatedFormula) as caught:
        list(reader)
    assert caught.value.cell == "B2"
    # A formula whose computed text is empty is an empty cell, not an uncomputed one.
    computed = rewritten(
        data,
        lambda xml: xml.replace(
            '<c r="B2"><f>SUM(1,2)</f><v></v></c>', '<c r="B2" t="str"><f>SUM(1,2)</f><v></v></c>'
        ),
    )
    sheet = first_sheet(io.BytesIO(computed))
    assert [values for _, values in SheetRows(sheet)][1] == (1, None)


def test_a_broken_sheet_read_by_another_process_is_a_sheet_error():
    data = rewritten(base_workbook(), lambda xml: xml.replace("</row>", "</rw>", 1))
    with ReaderProcess(io.BytesIO(data)) as reader, pytest.raises(SheetError) as caught:
        list(reader)
    assert not isinstance(caught.value, ReaderFailed)  # reported, not crashed
    assert reader.process.returncode == 0


def with_builtin_format(data: bytes, builtin: int) -> bytes:
    """The workbook with its one date style pointing at built-in format ``builtin`` and no
    format of its own, as a Chinese Excel saves its long date (31: yyyy年m月d日)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/styles.xml":
                text = content.decode("utf-8")
                assert 'numFmtId="14"' in text
                content = text.replace('numFmtId="14"', f'numFmtId="{builtin}"').encode()
            target.writestr(item, content)
    return out.getvalue()


@pytest.mark.parametrize(
    ("builtin", "expected"),
    [
        (31, datetime.datetime(2024, 3, 1)),  # yyyy"年"m"月"d"日"
        (57, datetime.datetime(2024, 3, 1)),  # yyyy"年"m"月"
        (32, 45352),  # h"时"mm"分": a time of day, stays a number
    ],
)
def test_east_asian_builtin_date_formats_are_dates(builtin, expected):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["日期"])
    sheet.cell(row=2, column=1, value=datetime.date(2024, 3, 1)).number_format = "mm-dd-yy"
    data = with_builtin_format(saved(workbook), builtin)
    assert our_rows(data) == [(1, ("日期",)), (2, (expected,))]
    opened = first_sheet(io.BytesIO(data))
    try:
        assert list(SheetRows(opened))[1] == (2, (expected,))
    finally:
        opened.archive.close()
