"""Exporting ledger records and rollups as .csv (UTF-8 with a BOM, so Excel opens it) or
.xlsx (openpyxl's write-only mode), streamed.

Records are written with the columns of the import template, so an export imports again
(into another campaign, say). Rollup tables read ``ledger.rollup.rollup`` and nothing else.
"""

import csv
import datetime
import io
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from campaigndesk.campaigns.models import Campaign
from campaigndesk.common.errors import DomainError
from campaigndesk.regions.models import Outlet, Region, Unit

from ..models import Approx, RecordKind
from ..rollup import Rollup, RollupFilter, rollup
from ..selectors import record_list
from .columns import CHANNEL_LABELS, columns_for, kind_labels, label, needs_apostrophe
from .templates import CSV_TYPE, SHEET_TITLE, XLSX_TYPE, check_kind_and_format

ROWS_PER_CHUNK = 500
FILE_CHUNK = 256 * 1024


def attachment_header(filename: str, fallback: str | None = None) -> str:
    """Content-Disposition for a download named ``filename``; with ``fallback``, that
    ASCII name too, for the clients that do not read the real (Chinese) one (RFC 6266)."""
    if fallback is None:
        from django.utils.http import content_disposition_header

        return content_disposition_header(True, filename)
    from urllib.parse import quote

    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


@dataclass
class ExportFile:
    """A file being exported: its name, content type and its bytes as they are produced
    (iterate ``chunks`` once, e.g. into a StreamingHttpResponse, or call ``save``)."""

    filename: str
    content_type: str
    chunks: Iterable[bytes]

    def as_download(self, fallback: str | None = None):
        """A streaming HTTP response that hands the file over as an attachment (the web
        pages and the API answer with it alike). ``fallback``: an ASCII name for clients
        that do not read the real (Chinese) one (RFC 6266)."""
        from django.http import StreamingHttpResponse

        response = StreamingHttpResponse(self.chunks, content_type=self.content_type)
        response["Content-Disposition"] = attachment_header(self.filename, fallback)
        return response

    def save(self, path: str | os.PathLike) -> int:
        """Write the file to ``path``; returns its size."""
        size = 0
        with Path(path).open("wb") as handle:
            for chunk in self.chunks:
                handle.write(chunk)
                size += len(chunk)
        return size

    def read(self) -> bytes:
        return b"".join(self.chunks)


def safe_text(value: str) -> str:
    """Text that a spreadsheet opening the CSV shows as text: an apostrophe goes before
    text it would run as a formula (``=HYPERLINK(...)``, or ``+``, ``-``, ``@``, a tab
    first; and before text whose own apostrophes come before such text). The import takes
    it off again (``columns.text_of_export``)."""
    return "'" + value if needs_apostrophe(value) else value


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if type(value) is str:
        return safe_text(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[bytes]:
    """CSV as UTF-8 with a BOM (Excel reads UTF-8 only with it), CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow([_csv_value(v) for v in row])
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _text_cell(sheet, text: str):
    """A cell holding ``text`` as text: without the control characters a worksheet may not
    hold (pasted from Word, say; openpyxl refuses them), and as a string even when it
    begins with "=" (openpyxl would write a formula)."""
    if text[:1] == "'" and needs_apostrophe(text):
        # No formula to guard against in a text cell, but the import takes an apostrophe
        # off such text (a CSV export saved by a spreadsheet): give it one to take.
        text = "'" + text
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", text))
    cell.data_type = "s"
    return cell


def xlsx_chunks(
    title: str, header: Sequence[str], rows: Iterable[Sequence], *, text_columns=()
) -> Iterator[bytes]:
    """An .xlsx of one sheet written in write-only mode (rows go to a temporary file as
    they come, so memory stays flat), then read back in chunks."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    bold = Font(bold=True)
    header_cells = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    text_columns = set(text_columns)
    for row in rows:
        cells = []
        for index, value in enumerate(row):
            if isinstance(value, (datetime.date, datetime.datetime)):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            elif index in text_columns and value not in (None, ""):
                cell = _text_cell(sheet, str(value))
                cell.number_format = "@"
                cells.append(cell)
            elif type(value) is str and value:
                cells.append(_text_cell(sheet, value))
            else:
                cells.append(None if value == "" else value)
        sheet.append(cells)
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
    handle.close()
    try:
        workbook.save(handle.name)
        with open(handle.name, "rb") as saved:
            while chunk := saved.read(FILE_CHUNK):
                yield chunk
    finally:
        os.unlink(handle.name)


# --- records ----------------------------------------------------------------------------


def export_records(
    *,
    actor,
    campaign: Campaign,
    record_kind: str,
    filters: RollupFilter | None = None,
    format: str = "csv",
    status: str | None = None,
) -> ExportFile:
    """The campaign's records of ``record_kind`` that the actor can see (narrowed by
    ``filters`` as a rollup would be, and by ``status`` as ``record_list`` is), oldest
    first, as .csv or .xlsx with the columns of the import template. Raises DomainError
    for an unknown kind, format or status. The rows are read while the file is produced."""
    check_kind_and_format(record_kind, format)
    columns = columns_for(record_kind)
    records = record_list(
        actor=actor, campaign=campaign, record_kind=record_kind, filters=filters, status=status
    ).order_by("date", "id")

    def rows() -> Iterator[list]:
        for record in records.iterator(chunk_size=2000):
            yield [column.cell(record) for column in columns]

    header = [c.header for c in columns]
    stem = f"{campaign.name}-{SHEET_TITLE[record_kind]}"
    if format == "csv":
        return ExportFile(f"{stem}.csv", CSV_TYPE, csv_chunks(header, rows()))
    text = [i for i, c in enumerate(columns) if c.key in ("region", "external_id")]
    return ExportFile(
        f"{stem}.xlsx",
        XLSX_TYPE,
        xlsx_chunks(SHEET_TITLE[record_kind], header, rows(), text_columns=text),
    )


# --- rollups ----------------------------------------------------------------------------

# Headers of the group columns of a rollup table (Chinese, like the import headers).
DIMENSION_HEADERS = {
    "county": ("县代码", "县(市、区)"),
    "township": ("乡镇代码", "乡(镇)"),
    "village": ("村代码", "村(社区)"),
    "unit": ("单位",),
    "outlet": ("媒体",),
    "channel": ("渠道",),
    "outlet_level": ("媒体级别",),
    "kind": ("类型",),
    "record_kind": ("记录种类",),
    "period": ("时段",),
}
OUTLET_LEVEL_LABELS = {1: "中央", 2: "省级", 3: "市级", 4: "县级", 5: "乡镇"}
RECORD_KIND_LABELS = {
    RecordKind.OUTPUT: "媒体宣传",
    RecordKind.MATERIAL: "宣传品",
    RecordKind.EVENT: "活动",
    RecordKind.FIGURE: "数据",
}
# A group whose dimension is blank (a record on the county itself has no township), and
# the ungrouped total row.
NONE = "（无）"
TOTAL = "合计"
# How a rollup total's approximation is written next to it (余: more; 约: about).
APPROX_MARK = {Approx.EXACT: "", Approx.MORE: "余", Approx.ABOUT: "约"}


def approx_mark(approx: str) -> str:
    return APPROX_MARK.get(approx, "")


def figure_text(value: Decimal | None, approx: str) -> str:
    """ "1800余", "约1800", "1800" (how reports quote a total)."""
    if value is None:
        return ""
    number = format(_plain(value), "f") if isinstance(value, Decimal) else str(value)
    if approx == Approx.MORE:
        return f"{number}余"
    if approx in (Approx.ABOUT, Approx.UNDER):
        return f"约{number}" if approx == Approx.ABOUT else f"近{number}"
    if approx == Approx.AT_LEAST:
        return f"不低于{number}"
    return number


def _plain(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()


def number_cell(value: Decimal | None) -> object:
    if value is None:
        return ""
    if value == value.to_integral_value():
        return int(value)
    return value.normalize()


def kind_text(kind: str) -> str:
    """ "event:lecture" as 活动·宣讲; "output" as 媒体宣传."""
    record_kind, _sep, code = str(kind).partition(":")
    head = RECORD_KIND_LABELS.get(record_kind, record_kind)
    labels = kind_labels(record_kind)
    if not code:
        return head
    return f"{head}·{label(labels, code) if labels else code}"


class _Names:
    """Names of the regions, units and outlets a rollup's groups name by code or id."""

    def __init__(self, result: Rollup):
        codes: set[str] = set()
        units: set[int] = set()
        outlets: set[int] = set()
        for row in result.rows:
            for dimension, value in row.group.items():
                if dimension in ("county", "township", "village") and value:
                    codes.add(str(value))
                elif dimension == "unit" and value:
                    units.add(int(value))  # type: ignore[call-overload]
                elif dimension == "outlet" and value:
                    outlets.add(int(value))  # type: ignore[call-overload]
        self.regions = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
        self.units = dict(Unit.objects.filter(pk__in=units).values_list("pk", "name"))
        self.outlets = dict(Outlet.objects.filter(pk__in=outlets).values_list("pk", "name"))

    def cells(self, dimension: str, value) -> list:
        if dimension in ("county", "township", "village"):
            return [value or "", self.regions.get(value, "") if value else NONE]
        if value in (None, ""):
            return [NONE]
        if dimension == "unit":
            return [self.units.get(value, value)]
        if dimension == "outlet":
            return [self.outlets.get(value, value)]
        if dimension == "channel":
            return [label(CHANNEL_LABELS, value)]
        if dimension == "outlet_level":
            return [OUTLET_LEVEL_LABELS.get(value, value)]
        if dimension == "kind":
            return [kind_text(value)]
        if dimension == "record_kind":
            return [RECORD_KIND_LABELS.get(value, value)]
        if dimension == "period":
            return [value]
        return [value]


def rollup_table(result: Rollup) -> tuple[list[str], list[list]]:
    """The header and rows of a rollup as a table: indicator, one or two columns per
    group dimension (合计 on the ungrouped total row, （无） for a blank group), the value,
    its approximation mark, the measure word and the figure as a report quotes it."""
    dimensions = list(result.group_by)
    if result.series and "period" not in dimensions:
        dimensions.append("period")
    header = ["指标代码", "指标"]
    for dimension in dimensions:
        header += DIMENSION_HEADERS[dimension]
    header += ["数值", "近似", "量词", "表述"]
    names = _Names(result)
    rows = []
    for row in result.rows:
        cells: list = [row.indicator.code, row.indicator.name]
        for dimension in dimensions:
            if dimension in row.group:
                cells += names.cells(dimension, row.group[dimension])
            else:  # the ungrouped total row
                cells += [""] * (len(DIMENSION_HEADERS[dimension]) - 1) + [TOTAL]
        cells += [
            number_cell(row.value),
            approx_mark(row.approx),
            row.indicator.measure_word,
            figure_text(row.value, row.approx) + row.indicator.measure_word
            if row.value is not None
            else "",
        ]
        rows.append(cells)
    return header, rows


def export_rollup(
    *,
    actor,
    campaign: Campaign,
    filters: RollupFilter | None = None,
    group_by: Sequence[str] = (),
    series: str | None = None,
    indicators: Iterable[str] | None = None,
    include_total: bool = True,
    format: str = "csv",
) -> ExportFile:
    """A rollup (``ledger.rollup.rollup`` with the same arguments) as a .csv or .xlsx
    table. Raises DomainError for an unknown format, dimension, series or indicator."""
    if format not in ("csv", "xlsx"):
        raise DomainError(_("Unknown format %(format)s: use csv or xlsx.") % {"format": format})
    result = rollup(
        actor=actor,
        campaign=campaign,
        filters=filters,
        group_by=group_by,
        series=series,
        indicators=indicators,
        include_total=include_total,
    )
    header, rows = rollup_table(result)
    stem = f"{campaign.name}-汇总"
    if format == "csv":
        return ExportFile(f"{stem}.csv", CSV_TYPE, csv_chunks(header, rows))
    text = [i for i, h in enumerate(header) if h.endswith("代码")]
    return ExportFile(
        f"{stem}.xlsx", XLSX_TYPE, xlsx_chunks("汇总", header, rows, text_columns=text)
    )
