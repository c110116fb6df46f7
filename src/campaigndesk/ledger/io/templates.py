"""The empty template of each record kind, to download, fill in and import.

.xlsx: the first sheet holds the header row (the columns an import reads; required ones
shaded) with drop-down lists for kinds; a second sheet explains every column and the
values it takes; for figures a third sheet lists the indicators. .csv: the header row,
UTF-8 with a BOM so that Excel opens it.
"""

import io

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from campaigndesk.common.errors import DomainError

from ..models import Aggregation, Indicator, RecordKind
from .columns import BOOL, CHOICE, DATE, ORIGINAL_LABELS, columns_for

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
FORMATS = ("csv", "xlsx")

# Sheet titles and file names are Chinese like the headers: they are the file format.
SHEET_TITLE = {
    RecordKind.OUTPUT: "媒体宣传作品",
    RecordKind.MATERIAL: "宣传品",
    RecordKind.EVENT: "活动",
    RecordKind.FIGURE: "数据",
}


def check_kind_and_format(record_kind: str, format: str) -> None:
    if record_kind not in SHEET_TITLE:
        raise DomainError(_("Unknown record kind: %(kind)s") % {"kind": record_kind})
    if format not in FORMATS:
        raise DomainError(_("Unknown format %(format)s: use csv or xlsx.") % {"format": format})


def template_filename(record_kind: str, format: str) -> str:
    return f"{SHEET_TITLE[record_kind]}台账导入模板.{format}"


def template_file(*, record_kind: str, format: str) -> bytes:
    """The empty import template of ``record_kind`` ("output", "material", "event",
    "figure") as .xlsx or .csv bytes. Raises DomainError for another kind or format."""
    check_kind_and_format(record_kind, format)
    columns = columns_for(record_kind)
    if format == "csv":
        return ("\ufeff" + ",".join(c.header for c in columns) + "\r\n").encode("utf-8")
    return _xlsx(record_kind, columns)


def _allowed(column) -> str:
    if column.type == BOOL:
        return "、".join(names[0] for names in ORIGINAL_LABELS.values())
    if column.type == CHOICE and column.labels:
        return "、".join(
            f"{names[0]} ({code})" if names[0] else _("blank (exact)")
            for code, names in column.labels.items()
        )
    if column.type == DATE:
        return "2024-03-01"
    return ""


def _xlsx(record_kind: str, columns) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE[record_kind]
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = bold
        if column.required:
            cell.fill = required_fill
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(10, min(40, 4 + 2 * len(column.header)))
        if column.key in ("region", "external_id"):
            # Text, so that Excel keeps 12-digit codes and leading zeros as written.
            sheet.column_dimensions[letter].number_format = "@"
        if column.type == DATE:
            sheet.column_dimensions[letter].number_format = "yyyy-mm-dd"
        if column.type in (CHOICE, BOOL):
            labels = (
                [names[0] for names in ORIGINAL_LABELS.values()]
                if column.type == BOOL
                else [names[0] for names in (column.labels or {}).values() if names[0]]
            )
            formula = '"' + ",".join(labels) + '"'
            if len(formula) <= 255:  # Excel's limit for a list written in the rule
                # Other spellings (synonyms, Traditional script) are accepted too, so the
                # list only suggests.
                rule = DataValidation(
                    type="list", formula1=formula, allow_blank=True, showErrorMessage=False
                )
                sheet.add_data_validation(rule)
                rule.add(f"{letter}2:{letter}10000")
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet("说明")
    notes.append([_("Column"), _("Required"), _("What to enter"), _("Allowed values")])
    for cell in notes[1]:
        cell.font = bold
    for column in columns:
        notes.append(
            [column.header, _("yes") if column.required else "", str(column.note), _allowed(column)]
        )
    notes.append([])
    for line in (
        _("Fill in the first sheet from its second row; keep the header row as it is."),
        _(
            "All rows or none: when any row is wrong, nothing is imported and every problem "
            "is listed by row and column. Blank rows are skipped."
        ),
        _("Do not merge cells. Save as .xlsx (not .xls), or as CSV in UTF-8 or GB18030."),
        _(
            "Importing the same file again into the same campaign does nothing; an import "
            "can be undone."
        ),
    ):
        notes.append([line])
    widths = {"A": 16, "B": 8, "C": 70, "D": 60}
    for letter, width in widths.items():
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    if record_kind == RecordKind.FIGURE:
        listing = workbook.create_sheet("指标")
        listing.append([_("Code"), pgettext("thing", "Name"), _("Measure word"), _("Aggregation")])
        for cell in listing[1]:
            cell.font = bold
        for indicator in Indicator.objects.filter(is_active=True).exclude(
            aggregation__in=[Aggregation.DISTINCT, Aggregation.RATIO]
        ):
            listing.append(
                [
                    indicator.code,
                    indicator.name,
                    indicator.measure_word,
                    str(indicator.get_aggregation_display()),
                ]
            )
        for letter, width in {"A": 26, "B": 20, "C": 10, "D": 18}.items():
            listing.column_dimensions[letter].width = width

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
