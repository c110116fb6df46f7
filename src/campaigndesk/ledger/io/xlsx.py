"""Streaming the rows of an .xlsx worksheet with the values openpyxl's read-only mode gives.

openpyxl opens the workbook (its sheets, shared strings, date styles and epoch, which are
small and read once); this module reads the worksheet's XML itself, because openpyxl's
per-cell Python (a dict and a coordinate parse per cell, a list per row) took most of an
import's time. The XML is fed to lxml's pull parser in blocks and every row is dropped once
read, so memory stays flat however long the sheet is.

The values are those of ``iter_rows(values_only=True)`` after ``reset_dimensions()``:
numbers as int or float, cells of a date style as datetime (time or timedelta for those
styles), shared and inline strings, booleans, error codes (``#N/A``) as text, formulas as
their cached value, blanks as None; a row is as wide as its last cell, and a row missing
from the XML (a blank row) is not yielded but keeps the numbering right.
"""

from collections.abc import Iterator
from typing import IO

from lxml import etree
from openpyxl.cell.text import Text
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.utils.datetime import from_excel, from_ISO8601

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
ROW = MAIN + "row"
CELL = MAIN + "c"
VALUE = MAIN + "v"
INLINE = MAIN + "is"
TEXT = MAIN + "t"
BLOCK = 1 << 16
DIGITS = "0123456789"
# Dates repeat in a sheet (one per day of a campaign): each serial is converted once.
DATE_CACHE_LIMIT = 20_000


class SheetError(ValueError):
    """The worksheet's XML cannot be read (malformed, or a cell that is not what it says)."""


def _number(text: str) -> int | float:
    # As openpyxl: a decimal point or an exponent makes a float.
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


def _row_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        number = float(text)
        if not number.is_integer():
            raise SheetError(f"{text} is not a valid row number") from None
        return int(number)


class SheetRows:
    """The rows of one worksheet of an open read-only workbook, as (row number, values)."""

    def __init__(self, workbook, sheet):
        self.workbook = workbook
        self.sheet = sheet
        self.shared = sheet._shared_strings
        self.date_styles = frozenset(workbook._date_formats)
        self.timedelta_styles = frozenset(workbook._timedelta_formats)
        self.epoch = workbook.epoch
        self._columns: dict[str, int] = {}
        self._dates: dict[tuple[int | float, object], object] = {}

    def __iter__(self) -> Iterator[tuple[int, tuple]]:
        # The part name openpyxl keeps for the sheet (also used for the merged-cell scan).
        with self.workbook._archive.open(str(self.sheet._worksheet_path).lstrip("/")) as source:
            yield from self._parse(source)

    def _parse(self, source: IO[bytes]) -> Iterator[tuple[int, tuple]]:
        parser = etree.XMLPullParser(
            events=("end",),
            tag=ROW,
            resolve_entities=False,
            no_network=True,
            remove_comments=True,
            remove_pis=True,
        )
        counter = 0  # the last row number read (as openpyxl counts)
        last = 0  # the last row number yielded
        row_cells = self._cells
        try:
            while True:
                data = source.read(BLOCK)
                if data:
                    parser.feed(data)
                else:
                    parser.close()
                for _event, row in parser.read_events():
                    number = row.get("r")
                    counter = _row_number(number) if number is not None else counter + 1
                    if counter > last:  # openpyxl skips a row out of order
                        last = counter
                        yield counter, row_cells(row)
                    # Drop what was read: the row, and the (emptied) rows before it.
                    row.clear()
                    parent = row.getparent()
                    if parent is not None:
                        while row.getprevious() is not None:
                            del parent[0]
                if not data:
                    return
        except etree.XMLSyntaxError as error:
            raise SheetError(str(error)) from None

    def _cells(self, row) -> tuple:
        values: list = []
        columns: list[int] = []
        column = 0
        in_order = True  # cells A, B, C ... with none skipped (the usual case)
        cached_column = self._columns
        shared = self.shared
        date_styles = self.date_styles
        # Elements are looked up by tag in lxml's C code: asking each one its tag from
        # Python builds a string per element, which cost more than the rest of a cell.
        for cell in row.iterchildren(CELL):
            ref = cell.get("r")
            if ref:
                letters = ref.rstrip(DIGITS)
                column = cached_column.get(letters, 0)
                if not column:
                    try:
                        column = coordinate_to_tuple(ref)[1]
                    except (ValueError, TypeError):
                        raise SheetError(f"{ref} is not a cell reference") from None
                    cached_column[letters] = column
            else:
                column += 1
            kind = cell.get("t", "n")
            value = None
            if kind == "inlineStr":
                for child in cell.iterchildren(INLINE):
                    value = self._inline(child)
                    break
            else:
                for child in cell.iterchildren(VALUE):
                    value = child.text or None
                    break
                if value is not None:
                    try:
                        if kind == "n":
                            value = _number(value)
                            style = cell.get("s", 0)
                            if style:
                                style = int(style)
                            if style in date_styles:
                                value = self._date(value, style)
                        elif kind == "s":
                            value = shared[int(value)]
                        elif kind == "b":
                            value = bool(int(value))
                        elif kind == "d":
                            value = from_ISO8601(value)
                    except (ValueError, IndexError, TypeError):
                        raise SheetError(
                            f"cell {ref or column} holds {value!r}, not a valid {kind} value"
                        ) from None
            values.append(value)
            columns.append(column)
            if column != len(values):
                in_order = False
        if in_order:
            return tuple(values)
        width = columns[-1]
        out = [None] * width
        for position, value in zip(columns, values, strict=True):
            if 1 <= position <= width:
                out[position - 1] = value
        return tuple(out)

    def _inline(self, element) -> str:
        if len(element) == 1:
            text = element[0]
            if not len(text) and text.tag == TEXT:
                return text.text or ""
        elif not len(element):
            return ""
        # Runs and phonetic hints: the text as openpyxl joins it.
        return Text.from_tree(element).content

    def _date(self, serial: int | float, style: int):
        key = (serial, style)
        found = self._dates.get(key)
        if found is None:
            try:
                found = from_excel(serial, self.epoch, timedelta=style in self.timedelta_styles)
            except (OverflowError, ValueError):
                found = "#VALUE!"  # what openpyxl gives for a serial out of range
            if len(self._dates) < DATE_CACHE_LIMIT:
                self._dates[key] = found
        return found


def sheet_rows(workbook, sheet) -> Iterator[tuple[int, tuple]]:
    """(row number as Excel shows it, values) for every row present in ``sheet``'s XML."""
    return iter(SheetRows(workbook, sheet))
