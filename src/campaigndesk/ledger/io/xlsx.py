"""Streaming the rows of an .xlsx worksheet with the values openpyxl's read-only mode gives.

openpyxl reads the workbook's small parts (its sheets, shared strings, date styles and
epoch) once; this module reads the worksheet's XML itself, because openpyxl's per-cell
Python (a dict and a coordinate parse per cell, a list per row) took most of an import's
time. The XML is fed to lxml's pull parser in blocks and every row is dropped once read,
so memory stays flat however long the sheet is.

``first_sheet`` opens the workbook without ``load_workbook``: in read-only mode that reads
every worksheet's XML through once more just to look for a ``<dimension>`` element, which
files written in streaming mode lack — a whole extra parse of the rows.

The values are those of ``iter_rows(values_only=True)`` after ``reset_dimensions()``:
numbers as int or float, cells of a date style as datetime (time or timedelta for those
styles), shared and inline strings, booleans, error codes (``#N/A``) as text, formulas as
their cached value, blanks as None; a row is as wide as its last cell, and a row missing
from the XML (a blank row) is not yielded but keeps the numbering right. One difference,
on purpose: a cell in one of the East Asian built-in date formats (a Chinese Excel's
long date, format 31) is a date here, where openpyxl gives its serial number.

``ReaderProcess`` gives the same rows parsed by a separate Python process (``_serve``),
sent back in pickled frames through a pipe, so that an import parses on one core while it
checks and writes on another (``rows_with_head_start`` reads the first rows here while
that process starts up). The pipe's capacity bounds how far the reader runs ahead, so
memory stays flat there too.
"""

import contextlib
import datetime
import io
import logging
import os
import pickle
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, BinaryIO

from lxml import etree
from openpyxl.cell.text import Text
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.utils.datetime import from_excel, from_ISO8601

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
ROW = MAIN + "row"
CELL = MAIN + "c"
VALUE = MAIN + "v"
INLINE = MAIN + "is"
FORMULA = MAIN + "f"
TEXT = MAIN + "t"
BLOCK = 1 << 16
DIGITS = "0123456789"
# Dates repeat in a sheet (one per day of a campaign): each serial is converted once.
DATE_CACHE_LIMIT = 20_000

log = logging.getLogger(__name__)


class SheetError(ValueError):
    """The worksheet's XML cannot be read (malformed, or a cell that is not what it says)."""


class UncalculatedFormula(SheetError):
    """A cell holds a formula saved without its value (a workbook written by a program
    and never opened in a spreadsheet): its figure is unknown, not blank."""

    def __init__(self, cell: str) -> None:
        super().__init__(f"cell {cell} holds a formula without its value")
        self.cell = cell


class ReaderFailed(SheetError):
    """The reading process stopped without finishing (it crashed, was killed, or sent
    nothing for ``STALL_SECONDS``)."""


@dataclass
class Sheet:
    """What reading one worksheet's rows needs, from its open workbook."""

    archive: zipfile.ZipFile
    path: str  # the part name of the worksheet's XML in the archive
    title: str
    shared: Sequence[str]
    date_styles: frozenset[int]
    timedelta_styles: frozenset[int]
    epoch: datetime.datetime

    @property
    def xml_size(self) -> int:
        """The size of the worksheet's XML, uncompressed, in bytes."""
        return self.archive.getinfo(self.path).file_size


def first_sheet(handle: BinaryIO | str | os.PathLike) -> Sheet | None:
    """The first visible worksheet of an .xlsx workbook (None when it has none), read as
    ``load_workbook(read_only=True, data_only=True)`` reads it but for the pass over the
    rows; close ``sheet.archive`` when done. Raises what openpyxl raises for a broken
    workbook."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    reader = ExcelReader(handle, read_only=True, data_only=True)
    try:
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        # The sheets ``workbook.worksheets`` lists: not chart sheets, not dangling ones;
        # and of those the first the user sees (a hidden one holds last month's rows or
        # the lists behind drop-downs, not what was filled in).
        for sheet, rel in reader.parser.find_sheets():
            if rel.target not in reader.valid_files or "chartsheet" in rel.Type:
                continue
            if sheet.state not in (None, "visible"):
                continue
            return Sheet(
                archive=reader.archive,
                path=str(rel.target).lstrip("/"),
                title=sheet.name,
                shared=reader.shared_strings,
                date_styles=_date_styles(reader.wb),
                timedelta_styles=frozenset(reader.wb._timedelta_formats),
                epoch=reader.wb.epoch,
            )
    except BaseException:
        reader.archive.close()
        raise
    reader.archive.close()
    return None


def sheet_of(workbook, sheet) -> Sheet:
    """The ``Sheet`` of a worksheet of a workbook openpyxl opened read-only."""
    # openpyxl 3.1 keeps the sheet's part name here; if a later version drops it the
    # reader tests fail rather than reading the wrong part.
    return Sheet(
        archive=workbook._archive,
        path=str(sheet._worksheet_path).lstrip("/"),
        title=sheet.title,
        shared=sheet._shared_strings,
        date_styles=_date_styles(workbook),
        timedelta_styles=frozenset(workbook._timedelta_formats),
        epoch=workbook.epoch,
    )


# Built-in number formats that ECMA-376 leaves to the locale and openpyxl does not know:
# in a Chinese Excel these are its dates (31 is yyyy"年"m"月"d"日"; 32–35, 55 and 56 are
# times of day and stay numbers). A sheet saved there refers to them by number alone.
EAST_ASIAN_DATE_FORMATS = frozenset({27, 28, 29, 30, 31, 36, 50, 51, 52, 53, 54, 57, 58})


def _date_styles(workbook) -> frozenset[int]:
    """The workbook's cell styles that hold dates: openpyxl's, and those of the East Asian
    built-in date formats."""
    east_asian = (
        index
        for index, style in enumerate(workbook._cell_styles)
        if style.numFmtId in EAST_ASIAN_DATE_FORMATS
    )
    return frozenset(workbook._date_formats).union(east_asian)


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
    """The rows of one worksheet, as (row number, values)."""

    def __init__(self, sheet: Sheet):
        self.sheet = sheet
        self.shared = sheet.shared
        self.date_styles = sheet.date_styles
        self.timedelta_styles = sheet.timedelta_styles
        self.epoch = sheet.epoch
        self._columns: dict[str, int] = {}
        self._dates: dict[tuple[int | float, object], object] = {}

    def __iter__(self) -> Iterator[tuple[int, tuple]]:
        with self.sheet.archive.open(self.sheet.path) as source:
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
                child = None
                for child in cell.iterchildren(VALUE):
                    value = child.text or None
                    break
                if value is None and (kind != "str" or child is None):
                    # A formula without a value (openpyxl writes an empty one): never
                    # computed. (An empty text result is <v></v> in a "str" cell.)
                    for _formula in cell.iterchildren(FORMULA):
                        raise UncalculatedFormula(ref or str(column))
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
    """(row number as Excel shows it, values) for every row present in ``sheet``'s XML
    (a worksheet of a workbook openpyxl opened read-only)."""
    return iter(SheetRows(sheet_of(workbook, sheet)))


# --- reading in another process ---------------------------------------------------------

FRAME_ROWS = 500  # rows per frame sent through the pipe
PIPE_BYTES = 1 << 20  # the pipe's capacity asked for (Linux): how far the reader runs ahead
# A reader that sends nothing for this long is taken for hung: it is killed and reported.
STALL_SECONDS = 300.0
_HEAD = struct.Struct(">I")
# The reading process's program. openpyxl imports numpy when it can, for writing numpy
# numbers to cells; reading needs none of it, and the import is a third of the start.
_SERVE = (
    "import sys; sys.modules.setdefault('numpy', None); "
    "from campaigndesk.ledger.io.xlsx import _serve; _serve(sys.argv[1])"
)
_CELL_TYPES = {"datetime", "date", "time", "timedelta", "timezone"}


def process_available() -> bool:
    """Whether this process can start a Python interpreter for the reader (not when
    embedded, as under uWSGI, where ``sys.executable`` is not Python)."""
    name = os.path.basename(sys.executable or "").lower()
    return name.startswith(("python", "pypy"))


class _Frame(pickle.Unpickler):
    """Unpickles a frame of rows: plain values and the datetime types, nothing else."""

    def find_class(self, module: str, name: str):
        if module == "datetime" and name in _CELL_TYPES:
            return getattr(datetime, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not a cell value")


class ReaderProcess:
    """Another Python process parsing the first worksheet of the workbook ``source`` (a
    path, or a binary stream at its start, copied to the process), started at once.
    Iterating gives the rows ``SheetRows`` gives; it raises SheetError for a sheet that
    cannot be read and ReaderFailed when the process stops without finishing. ``close``
    (or leaving the ``with`` block) kills the process if it still runs."""

    def __init__(self, source: str | os.PathLike | BinaryIO):
        self._copy: str | None = None
        if isinstance(source, (str, os.PathLike)):
            path = str(Path(source).resolve())
        else:
            # A stream (an upload): copied to a file of its own for the process to open,
            # not fed through a pipe it would only read once started up, while this
            # process waited (and the stream is read here meanwhile).
            with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as copy:
                self._copy = path = copy.name
                shutil.copyfileobj(source, copy, 1 << 20)
        # The package as this process found it, whether installed or run from the source.
        src = str(Path(__file__).resolve().parents[3])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._finished = False
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _SERVE, path],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=self._errors,
                env=env,
            )
        except BaseException:
            self._errors.close()
            self._remove_copy()
            raise
        assert self.process.stdout is not None
        _widen(self.process.stdout.fileno())

    def __iter__(self) -> Iterator[tuple[int, tuple]]:
        assert self.process.stdout is not None
        pipe = _Pipe(self.process.stdout.fileno())
        while True:
            head = pipe.read(_HEAD.size)
            size = _HEAD.unpack(head)[0] if len(head) == _HEAD.size else 0
            data = pipe.read(size) if size else b""
            if not size or len(data) != size:
                raise self._failed(stalled=pipe.stalled)
            kind, payload = _Frame(io.BytesIO(data)).load()
            if kind == "rows":
                yield from payload
                continue
            self._finished = True  # it said all it had to say: let it exit by itself
            if kind == "uncalculated":
                raise UncalculatedFormula(payload)
            if kind == "error":
                raise SheetError(payload)
            return

    def ready(self) -> bool:
        """Whether the process has sent something (rows, or its end) not read yet."""
        assert self.process.stdout is not None
        return bool(select.select([self.process.stdout.fileno()], [], [], 0)[0])

    def close(self) -> None:
        process = self.process
        if self._finished:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
        if process.poll() is None:
            process.kill()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()
        self._errors.close()
        self._remove_copy()

    def _remove_copy(self) -> None:
        if self._copy is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._copy)
            self._copy = None

    def __enter__(self) -> "ReaderProcess":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _failed(self, *, stalled: bool) -> ReaderFailed:
        if stalled:
            self.process.kill()
        code = self.process.wait()
        self._errors.seek(0)
        said = self._errors.read().decode("utf-8", "replace").strip()
        last = said.splitlines()[-1] if said else ""
        if said:
            log.error("The .xlsx reading process stopped (exit code %s):\n%s", code, said)
        if stalled:
            return ReaderFailed(f"the reading process sent nothing for {STALL_SECONDS:.0f} s")
        return ReaderFailed(
            f"the reading process stopped (exit code {code})" + (f": {last}" if last else "")
        )


def rows_with_head_start(
    sheet: Sheet, reader: ReaderProcess, *, most: int
) -> Iterator[tuple[int, tuple]]:
    """The rows of ``sheet``: read here (``most`` rows at most) until ``reader``, a
    process reading the same sheet, has rows to give; then from it, past the rows read
    here. The first rows are thus checked and written while the process starts up."""
    last = 0
    if most > 0:
        for count, (number, values) in enumerate(SheetRows(sheet), start=1):
            yield number, values
            last = number
            if count >= most or reader.ready():
                break
        else:
            return
    for number, values in reader:
        if number > last:
            yield number, values


def _widen(fd: int) -> None:
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)  # type: ignore[attr-defined]
    except (ImportError, AttributeError, OSError):
        pass  # not Linux, or above the system's limit: the default capacity will do


class _Pipe:
    """Reads exactly n bytes from a pipe, or fewer when it ends or stalls."""

    def __init__(self, fd: int):
        self.fd = fd
        self.stalled = False

    def read(self, size: int) -> bytes:
        parts: list[bytes] = []
        wanted = size
        deadline = time.monotonic() + STALL_SECONDS
        while wanted:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                self.stalled = True
                break
            part = os.read(self.fd, min(wanted, 1 << 20))
            if not part:
                break
            parts.append(part)
            wanted -= len(part)
        return b"".join(parts)


def _serve(path: str) -> None:
    """The reading process: the rows of the first worksheet of the workbook at ``path``
    as frames on stdout: ("rows", [...]) until ("end", None), or ("error", message) for
    a sheet that cannot be read."""
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write between the frames

    def send(message: tuple) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        out.write(_HEAD.pack(len(data)))
        out.write(data)

    with open(path, "rb") as handle:
        sheet = first_sheet(handle)
        if sheet is None:
            send(("error", "the workbook has no worksheet"))
        else:
            try:
                chunk: list[tuple[int, tuple]] = []
                for row in SheetRows(sheet):
                    chunk.append(row)
                    if len(chunk) >= FRAME_ROWS:
                        send(("rows", chunk))
                        chunk = []
                send(("rows", chunk))
                send(("end", None))
            except UncalculatedFormula as error:
                send(("uncalculated", error.cell))
            except SheetError as error:
                send(("error", str(error)))
            finally:
                sheet.archive.close()
    out.flush()
