"""Opening an import file and streaming its rows, one at a time.

- .xlsx: ``xlsx.first_sheet`` opens the workbook and ``xlsx.SheetRows`` streams the first
  worksheet's rows with the values openpyxl's read-only mode would give (rows are parsed
  as they are read, so memory stays flat); the sheet's stated dimensions are ignored (some
  programs write wrong ones, which would cut rows short). A long sheet is parsed by
  another process (``xlsx.ReaderProcess``), so that the import checks and writes rows
  on one core while the next ones are parsed on another.
- Merged cells are rejected. Read-only mode does not expose them, and a full (not
  read-only) load would hold the whole sheet in memory, so the sheet's XML is scanned for
  ``<mergeCell ref="...">`` elements as it is decompressed, before any row is read: a
  byte scan, no XML parse, a few percent of the time the rows take.
- Legacy .xls (and any OLE2 compound file, which is also what an encrypted workbook is) is
  rejected with a message to save it as .xlsx.
- .csv (.tsv, .txt): UTF-8 with or without BOM when the whole file is valid UTF-8 (checked
  while hashing it), otherwise GB18030; comma- or tab-separated, whichever the first line
  uses more.
"""

import codecs
import contextlib
import csv
import hashlib
import io
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from django.utils.translation import gettext as _

from campaigndesk.common.errors import DomainError

from .xlsx import (
    ReaderProcess,
    Sheet,
    SheetError,
    SheetRows,
    UncalculatedFormula,
    first_sheet,
    process_available,
    rows_with_head_start,
)

XLSX = "xlsx"
CSV = "csv"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
CHUNK = 1 << 20
# The sheet's declared extent (<dimension ref="A1:H20001"/>), near the start of its XML.
DIMENSION_REF = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s[^>]*?\bref\s*=\s*[\"'][A-Z]*\d*:?[A-Z]*(\d+)[\"']"
)
MERGE_REF = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?\bref\s*=\s*[\"']([^\"']+)[\"']")
MERGE_OVERLAP = 1024  # bytes kept between chunks so an element split by a chunk is found
MERGED_NOTED = 50  # merged ranges noted at most (a sheet of more is refused anyway)
# A worksheet with at least this much XML (some 12,000 rows of a template) is parsed by
# another process (``xlsx.ReaderProcess``); starting one costs about 0.2 s.
XLSX_PROCESS_MIN_BYTES = 4 << 20
# While that process starts up (some 0.2 s), the first rows are read here: at most these.
XLSX_HEAD_START_ROWS = 20_000

Source = bytes | str | os.PathLike | BinaryIO


# The separators a .csv may use, in the order a tie goes, and how many of its first
# records decide which (see ImportFile._delimiter).
CSV_DELIMITERS = (",", "\t", ";")
DELIMITER_SAMPLE_RECORDS = 12


class ImportFile:
    """A file to import: its bytes (given as bytes, a path or a seekable binary stream),
    name, format, size, SHA-256 and, for text, its encoding. ``inspect()`` reads it once;
    ``rows()`` then streams its rows as (row number as a spreadsheet shows it, values)."""

    def __init__(self, source: Source, filename: str | None = None):
        self._data: bytes | None = None
        self._path: Path | None = None
        self._stream: BinaryIO | None = None
        if isinstance(source, (bytes, bytearray, memoryview)):
            self._data = bytes(source)
        elif isinstance(source, (str, os.PathLike)):
            self._path = Path(source)
        elif hasattr(source, "read"):
            stream = source
            if not (hasattr(stream, "seekable") and stream.seekable()):
                spooled = tempfile.SpooledTemporaryFile(max_size=16 << 20)  # noqa: SIM115
                while chunk := stream.read(CHUNK):
                    spooled.write(chunk)
                stream = spooled
            self._stream = stream  # type: ignore[assignment]
        else:
            raise TypeError("source must be bytes, a path or a binary stream")
        name = filename or (self._path.name if self._path else getattr(source, "name", ""))
        self.filename = os.path.basename(str(name or "")) or "upload"
        self.format = ""
        self.size = 0
        self.sha256 = ""
        self.utf8 = True
        self._estimate: int | None = None  # rows the sheet says it has (xlsx)
        self._row = 0
        self.merged: list[str] = []  # the merged cells of the sheet read (see refuse_merged)
        self._sheet_title = ""
        self._raw: BinaryIO | None = None

    @contextlib.contextmanager
    def open(self) -> Iterator[BinaryIO]:
        if self._data is not None:
            yield io.BytesIO(self._data)
        elif self._path is not None:
            try:
                handle = self._path.open("rb")
            except OSError as error:
                raise DomainError(
                    _("Cannot read %(name)s: %(error)s")
                    % {"name": self.filename, "error": error.strerror or error}
                ) from None
            with handle:
                yield handle
        else:
            assert self._stream is not None
            self._stream.seek(0)
            yield self._stream

    def inspect(self) -> "ImportFile":
        """Read the file once: hash, size, format; for text, whether it is UTF-8. Raises
        DomainError for an empty file, a legacy .xls and a kind of file not supported."""
        suffix = Path(self.filename).suffix.lower()
        digest = hashlib.sha256()
        head = b""
        decoder = codecs.getincrementaldecoder("utf-8")()
        text = suffix in {".csv", ".tsv", ".txt"}
        utf8 = text or not suffix
        with self.open() as handle:
            while chunk := handle.read(CHUNK):
                if len(head) < 8:
                    head += chunk[: 8 - len(head)]
                digest.update(chunk)
                self.size += len(chunk)
                if utf8:
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError:
                        utf8 = False
        if utf8:
            try:
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8 = False
        self.sha256 = digest.hexdigest()
        self.utf8 = utf8
        if self.size == 0:
            raise DomainError(_("%(name)s is empty.") % {"name": self.filename})
        if suffix == ".xls" or head.startswith(OLE_MAGIC):
            raise DomainError(
                _(
                    "%(name)s is a legacy Excel file (.xls, or an encrypted workbook), which "
                    "cannot be read. Open it in Excel or WPS and save it as an Excel "
                    "workbook (.xlsx) without a password, then import that file."
                )
                % {"name": self.filename}
            )
        if not suffix:
            # No name to tell by (an upload without one): tell by the content.
            suffix = ".xlsx" if head.startswith(ZIP_MAGIC) else ".csv"
            text = suffix == ".csv"
        if suffix in {".xlsx", ".xlsm"}:
            if not head.startswith(ZIP_MAGIC):
                raise DomainError(
                    _("%(name)s is not an Excel workbook (.xlsx); it cannot be read.")
                    % {"name": self.filename}
                )
            self.format = XLSX
        elif text:
            if head.startswith(ZIP_MAGIC):
                raise DomainError(
                    _("%(name)s is an Excel workbook, not a CSV file; name it .xlsx.")
                    % {"name": self.filename}
                )
            self.format = CSV
        else:
            raise DomainError(
                _("Cannot import %(name)s: use an Excel workbook (.xlsx) or a CSV file (.csv).")
                % {"name": self.filename}
            )
        return self

    # --- rows -------------------------------------------------------------------------

    def rows(self, *, reader_process: bool = True) -> Iterator[tuple[int, tuple]]:
        """(row number, cell values) for every row, blank ones included, as read. A long
        .xlsx sheet is parsed by another process unless ``reader_process`` is false."""
        if self.format == XLSX:
            return self._xlsx_rows(reader_process)
        if self.format == CSV:
            return self._csv_rows()
        raise DomainError(_("The file was not inspected."))  # pragma: no cover

    def fraction(self) -> float | None:
        """How much of the file has been read (0..1), when that can be told."""
        if self.format == CSV and self._raw is not None and self.size:
            try:
                return min(1.0, self._raw.tell() / self.size)
            except (OSError, ValueError):
                return None
        if self.format == XLSX and self._estimate:
            return min(1.0, self._row / self._estimate)
        return None

    def _xlsx_rows(self, reader_process: bool) -> Iterator[tuple[int, tuple]]:
        with self.open() as handle:
            try:
                sheet = first_sheet(handle)
            except Exception as error:  # openpyxl raises many kinds for a broken file
                raise DomainError(
                    _("%(name)s cannot be read as an Excel workbook (.xlsx): %(error)s")
                    % {"name": self.filename, "error": error}
                ) from None
            if sheet is None:
                raise DomainError(_("%(name)s has no worksheet.") % {"name": self.filename})
            reader: ReaderProcess | None = None
            rows: Iterator[tuple[int, tuple]] | None = None
            try:
                if (
                    reader_process
                    and sheet.xml_size >= XLSX_PROCESS_MIN_BYTES
                    and process_available()
                ):
                    # A long sheet: parsed by another process while this one checks and
                    # writes the rows already read. Started first: it starts up while
                    # the sheet is looked through for merged cells here.
                    if self._path is None:
                        handle.seek(0)
                    reader = ReaderProcess(self._path if self._path is not None else handle)
                # The progress estimate is the row count the sheet declares, if it does
                # (files written in streaming mode do not; counting would parse it twice).
                self._estimate = self._check_merged(sheet)
                if reader is not None:
                    rows = rows_with_head_start(sheet, reader, most=XLSX_HEAD_START_ROWS)
                else:
                    rows = iter(SheetRows(sheet))
                try:
                    for number, values in rows:
                        self._row = number
                        yield number, values
                except UncalculatedFormula as error:
                    raise DomainError(
                        _(
                            "Cell %(cell)s holds a formula saved without its value (the file "
                            "was written by a program): open the file in Excel or WPS, save "
                            "it and import it again."
                        )
                        % {"cell": error.cell}
                    ) from None
                except SheetError as error:
                    raise DomainError(
                        _("%(name)s cannot be read as an Excel workbook (.xlsx): %(error)s")
                        % {"name": self.filename, "error": error}
                    ) from None
            finally:
                close = getattr(rows, "close", None)
                if close is not None:
                    close()
                if reader is not None:
                    reader.close()  # a reading process stops with the import
                sheet.archive.close()

    def _check_merged(self, sheet: Sheet) -> int | None:
        """Note the sheet's merged cells (``merged``: at most MERGED_NOTED; the importer
        refuses those that reach its header, ``refuse_merged``); return the number of rows
        it declares (None when it declares none)."""
        refs: list[str] = []
        declared = None
        with sheet.archive.open(sheet.path) as xml:
            tail = b""
            while chunk := xml.read(CHUNK):
                if not tail:  # the first chunk: the declaration comes before the rows
                    found = DIMENSION_REF.search(chunk)
                    declared = int(found.group(1)) if found else None
                window = tail + chunk
                # The regular expression tries every "<": a plain search first (there is
                # none among the rows) took a 100,000-row sheet's scan from 0.17 s to
                # 0.06 s, most of which is decompressing it.
                if b"mergeCell" in window:
                    for match in MERGE_REF.finditer(window):
                        # A match wholly inside the overlap was found with the last chunk.
                        if match.end() > len(tail):
                            refs.append(match.group(1).decode("ascii", "replace"))
                if len(refs) >= MERGED_NOTED:
                    break
                tail = window[-MERGE_OVERLAP:]
        self.merged, self._sheet_title = refs, sheet.title
        return declared

    def refuse_merged(self, header_row: int) -> None:
        """Raise DomainError when merged cells reach the header row (``header_row``) or
        the rows below it: an import needs one value per cell. Merged cells above it (a
        title across the sheet) are no concern."""
        from openpyxl.utils.cell import range_boundaries

        def reaches(ref: str) -> bool:
            try:
                return range_boundaries(ref)[3] >= header_row
            except (TypeError, ValueError):
                return True

        # (when the list was cut short, what was not noted may reach them)
        found = (
            self.merged if len(self.merged) >= MERGED_NOTED else list(filter(reaches, self.merged))
        )
        if found:
            raise DomainError(
                _(
                    "The sheet “%(sheet)s” has merged cells (%(cells)s). An import needs one "
                    "value per cell: unmerge them (and fill each cell), then import again."
                )
                % {"sheet": self._sheet_title, "cells": ", ".join(found[:10])}
            )

    def _delimiter(self, encoding: str) -> str:
        """The separator that splits the first records into the same number of cells
        most often: a header and its rows agree on it, while a title line above them (one
        cell) or a note full of commas in a tab-separated file does not. A comma wins a
        tie, then a tab, then a semicolon (Excel's separator in some locales)."""
        with self.open() as handle:
            sample = handle.read(64 * 1024)
        text = sample.decode(encoding, errors="ignore").lstrip("\ufeff")
        best, best_score = ",", 0
        for delimiter in CSV_DELIMITERS:
            widths = []
            with contextlib.suppress(csv.Error):
                for values in csv.reader(io.StringIO(text), delimiter=delimiter):
                    if any(value.strip() for value in values):
                        widths.append(len(values))
                    if len(widths) == DELIMITER_SAMPLE_RECORDS:
                        break
            split = [width for width in widths if width > 1]
            score = max((split.count(width) for width in set(split)), default=0)
            if score > best_score:
                best, best_score = delimiter, score
        return best

    def _csv_rows(self) -> Iterator[tuple[int, tuple]]:
        encoding = "utf-8-sig" if self.utf8 else "gb18030"
        delimiter = self._delimiter(encoding)
        number = 0
        with self.open() as raw:
            self._raw = raw
            text = io.TextIOWrapper(raw, encoding=encoding, newline="")
            try:
                for number, values in enumerate(csv.reader(text, delimiter=delimiter), start=1):
                    yield number, tuple(values)
            except UnicodeDecodeError:
                raise DomainError(
                    _("%(name)s is neither UTF-8 nor GB18030 text; save it as CSV (UTF-8).")
                    % {"name": self.filename}
                ) from None
            except csv.Error as error:
                raise DomainError(
                    _("%(name)s cannot be read as CSV near row %(row)s: %(error)s")
                    % {"name": self.filename, "row": number + 1, "error": error}
                ) from None
            finally:
                self._raw = None
                # Leave a caller's stream open: the wrapper would close it.
                with contextlib.suppress(ValueError):
                    text.detach()
