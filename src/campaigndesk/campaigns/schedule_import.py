"""Reading a schedule table (时间安排表) from .xlsx or .csv into rows, without writing.

The table looks like the attachment of a campaign plan: 序号, 宣传主题, 实事(项目)名称,
责任单位 (several, separated by 、 or commas), 宣传时间 ("10月8-10日", "12月初"). Headers
and times are read script-blind (Traditional or Simplified, full-width digits, pinyin
artifacts from careless conversions). Every problem the file alone can show is collected
as a ``RowError``; matching unit names and numbers already used is the service's job.
"""

import calendar
import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from campaigndesk.common.errors import DomainError, RowError
from campaigndesk.documents.textnorm import match_key, normalize, strip_pinyin_artifacts

from .models import ScheduleItem

# How far down the header row may sit (a title line or two often comes first).
HEADER_SEARCH_ROWS = 10

SEQ = "seq"
THEME = "theme"
PROJECT = "project"
UNITS = "units"
WINDOW = "window"
REQUIRED_COLUMNS = (THEME, UNITS, WINDOW)

# Header names by column, as comparison keys (Simplified, no brackets or punctuation).
_SYNONYMS: dict[str, frozenset[str]] = {
    SEQ: frozenset({"序号", "序", "编号", "no", "no.", "#"}),
    THEME: frozenset({"主题", "宣传主题", "活动主题"}),
    PROJECT: frozenset(
        {"项目", "项目名称", "实事", "实事名称", "实事项目", "实事项目名称", "民生实事", "内容"}
    ),
    UNITS: frozenset({"责任单位", "牵头单位", "单位", "责任部门", "牵头部门", "承办单位"}),
    WINDOW: frozenset({"时间", "宣传时间", "时间安排", "日期", "宣传日期", "时间节点"}),
}
_BRACKETED = re.compile(r"[(\[【][^)\]】]*[)\]】]")
_BRACKETS_AND_MARKS = re.compile(r"[()\[\]【】*]")
# 、 , ， ; ； / and line breaks inside a cell separate unit names.
_UNIT_SEPARATORS = re.compile(r"[、,，;；/／\n\r]+")


@dataclass(frozen=True)
class Window:
    """A time window: first and last day (both included) and the text as written."""

    start: datetime.date
    end: datetime.date
    text: str


class WindowError(ValueError):
    """A time window could not be read; the message says why, fit for a user."""


@dataclass
class ScheduleRow:
    """One row of the file as read (its unit names are still to be matched). ``ok`` is
    False when the file alone shows a problem in it; the row is kept so that its unit
    names and number can still be checked and every problem reported at once."""

    row: int  # the row number as a spreadsheet shows it (1-based, counting title lines)
    seq: int | None
    theme: str
    project: str
    unit_names: list[str]
    window: Window | None
    ok: bool = True


@dataclass
class ParsedSchedule:
    """What the file says: its rows, every error, and the headers as written."""

    rows: list[ScheduleRow] = field(default_factory=list)  # every row that is not blank
    errors: list[RowError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # column -> header as written

    def header(self, column: str) -> str:
        return self.headers.get(column, column)


# --- the time window ----------------------------------------------------------------------

_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_RANGE_SEPARATOR = re.compile(r"[-~—–〜至到]+")
# Parts of a month, as (first day, last day); None as last day: the month's last day.
_PARTS: dict[str, tuple[int, int | None]] = {
    "初": (1, 10),
    "月初": (1, 10),
    "上旬": (1, 10),
    "中": (11, 20),
    "月中": (11, 20),
    "中旬": (11, 20),
    "下旬": (21, None),
    "底": (21, None),
    "末": (21, None),
    "月底": (21, None),
    "月末": (21, None),
    "上半月": (1, 15),
    "下半月": (16, None),
}
_PART_PATTERN = "|".join(sorted(map(re.escape, _PARTS), key=len, reverse=True))
_END = re.compile(
    r"^(?:(?P<year>\d{4})年)?"
    r"(?:(?P<month>\d{1,2})月)?"
    rf"(?:(?P<day>\d{{1,2}})[日号]?|(?P<part>{_PART_PATTERN}))?$"
)


@dataclass(frozen=True)
class _End:
    """One end of a window as written: any of year, month, day or part of a month."""

    year: int | None
    month: int | None
    day: int | None
    part: str | None


def _parse_end(text: str, original: str) -> _End:
    match = _END.match(text)
    if not text or not match:
        raise WindowError(_("Cannot read the time “%(text)s”.") % {"text": original})
    groups = match.groupdict()
    return _End(
        year=int(groups["year"]) if groups["year"] else None,
        month=int(groups["month"]) if groups["month"] else None,
        day=int(groups["day"]) if groups["day"] else None,
        part=groups["part"],
    )


def _day(year: int, month: int, day: int, original: str) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise WindowError(
            _("“%(text)s” names a day that does not exist (%(year)s-%(month)s-%(day)s).")
            % {"text": original, "year": year, "month": month, "day": day}
        ) from None


def _span(end: _End, year: int, month: int, original: str) -> tuple[datetime.date, datetime.date]:
    """The first and last day that one end of a window stands for."""
    if not 1 <= month <= 12:
        raise WindowError(
            _("“%(text)s” names a month that does not exist (%(month)s).")
            % {"text": original, "month": month}
        )
    last = calendar.monthrange(year, month)[1] if 1 <= year <= 9999 else 31
    if end.day is not None:
        day = _day(year, month, end.day, original)
        return day, day
    if end.part is not None:
        first_day, last_day = _PARTS[end.part]
        return _day(year, month, first_day, original), _day(year, month, last_day or last, original)
    if end.month is None:
        # A year alone: the whole year.
        return _day(year, 1, 1, original), _day(year, 12, 31, original)
    return _day(year, month, 1, original), _day(year, month, last, original)


def parse_window(text: str, *, year: int) -> Window:
    """Read a time window as plans write it, in ``year`` unless the text names one.

    Understood: "10月8-10日", "10月8日至10月10日", "10月30-11月3日", "12月28日-1月3日"
    (into the next year, when that keeps the window within half a year), "12月初" (1-10),
    "12月中旬" (11-20), "12月下旬"/"月底" (21 to the last day), "10月" (the whole
    month), "10月8日", "2023年10月8日-2023年10月10日", "2023-10-08~2023-10-10";
    Traditional script and full-width digits alike. Raises WindowError (with a message
    for the user) for what cannot be read, a day that does not exist, and a window that
    ends before it starts.
    """
    original = (text or "").strip()
    if not original:
        raise WindowError(_("The time is missing."))
    plain = "".join(normalize(original).text.split())
    plain = _ISO_DATE.sub(lambda m: f"{m[1]}年{m[2]}月{m[3]}日", plain)
    sides = _RANGE_SEPARATOR.split(plain)
    if len(sides) > 2:
        raise WindowError(_("Cannot read the time “%(text)s”.") % {"text": original})
    first = _parse_end(sides[0], original)
    if first.month is None and (first.day is not None or first.part is not None):
        raise WindowError(_("“%(text)s” does not say which month.") % {"text": original})
    start_year = first.year or year
    start_month = first.month or 1
    start, end = _span(first, start_year, start_month, original)
    if len(sides) == 2:
        second = _parse_end(sides[1], original)
        if second.year is not None:
            if second.month is None and (second.day is not None or second.part is not None):
                raise WindowError(_("“%(text)s” does not say which month.") % {"text": original})
            end_year, end_month = second.year, second.month or 12
        elif second.month is not None:
            end_year, end_month = start_year, second.month
            # "12月28日-1月3日": an end month before the start month is in the next year,
            # when that makes a window of half a year at most ("10月8日-9月10日" is a slip).
            if (
                first.month is not None
                and second.month < first.month
                and 12 - first.month + second.month <= 6
            ):
                end_year += 1
        elif first.month is not None:
            # "10月8-10日": the end takes the start's month.
            end_year, end_month = start_year, start_month
        else:
            raise WindowError(_("“%(text)s” does not say which month.") % {"text": original})
        end = _span(second, end_year, end_month, original)[1]
    if end < start:
        raise WindowError(
            _("The time “%(text)s” ends (%(end)s) before it starts (%(start)s).")
            % {"text": original, "end": end, "start": start}
        )
    return Window(start=start, end=end, text=original)


# --- the file -----------------------------------------------------------------------------


def header_key(text: str) -> set[str]:
    """The comparison keys of a header cell: script-blind, with and without what is in
    brackets ("實事(項目)名稱" answers to 实事名称 and 实事项目名称)."""
    key = match_key(text)
    return {_BRACKETS_AND_MARKS.sub("", _BRACKETED.sub("", key)), _BRACKETS_AND_MARKS.sub("", key)}


def column_of(text: str) -> str | None:
    """Which column a header cell names, or None."""
    keys = header_key(text)
    for column, names in _SYNONYMS.items():
        if keys & names:
            return column
    return None


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _read_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as error:
        raise DomainError(
            _("The file cannot be read as an Excel workbook (.xlsx): %(error)s") % {"error": error}
        ) from None
    try:
        # The first sheet the user sees (a hidden one holds lists, not the schedule).
        visible = [sheet for sheet in workbook.worksheets if sheet.sheet_state == "visible"]
        if not visible:
            raise DomainError(_("The workbook has no visible worksheet."))
        sheet = visible[0]
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise DomainError(
            _("The file is neither UTF-8 nor GB18030 text; save it as CSV (UTF-8).")
        ) from None


def _read_csv(data: bytes) -> list[list[str]]:
    text = _decode(data)
    best: list[list[str]] = []
    best_score = -1
    # Comma or tab: take the one under which a header row shows the most known columns.
    for delimiter in (",", "\t"):
        try:
            reader = csv.reader(io.StringIO(text), delimiter=delimiter)
            rows = [[c.strip() for c in row] for row in reader]
        except csv.Error as error:
            raise DomainError(
                _("The CSV file cannot be read: %(error)s") % {"error": error}
            ) from None
        found = _find_header(rows)
        score = len(found[1]) if found else 0
        if score > best_score:
            best, best_score = rows, score
    return best


def _find_header(rows: list[list[str]]) -> tuple[int, dict[str, int]] | None:
    """The index of the header row and the column of each known header, or None."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns: dict[str, int] = {}
        for position, cell in enumerate(row):
            column = column_of(cell) if cell else None
            if column and column not in columns:
                columns[column] = position
        if len(columns) >= 2:
            return index, columns
    return None


def _parse_seq(text: str) -> int | None:
    plain = normalize(text).text.strip().rstrip(".、")
    return int(plain) if plain.isascii() and plain.isdigit() and int(plain) > 0 else None


def _max_length(column: str) -> int:
    name = {THEME: "theme", PROJECT: "project", WINDOW: "window_text"}[column]
    return ScheduleItem._meta.get_field(name).max_length


def _clean(text: str) -> str:
    return " ".join(strip_pinyin_artifacts(text).split())


def split_unit_names(text: str) -> list[str]:
    """Unit names in a cell, in order, without repeats (separated by 、 , ， ; ； /)."""
    names: list[str] = []
    for name in _UNIT_SEPARATORS.split(text or ""):
        name = " ".join(name.split())
        if name and name not in names:
            names.append(name)
    return names


def read_rows(*, data: bytes, filename: str) -> list[list[str]]:
    """The cells of the first sheet (.xlsx) or of the text table (.csv, .tsv, .txt).
    Raises DomainError for another kind of file or one that cannot be read."""
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix in {"xlsx", "xlsm"}:
        return _read_xlsx(data)
    if suffix in {"csv", "tsv", "txt"}:
        return _read_csv(data)
    raise DomainError(
        _("Cannot import %(name)s: use an Excel workbook (.xlsx) or a CSV file (.csv).")
        % {"name": filename}
    )


def parse_schedule(*, data: bytes, filename: str, year: int) -> ParsedSchedule:
    """Read the schedule table in a file: every row that is not blank, with every problem
    found in it. Raises DomainError for an unsupported or unreadable file."""
    rows = read_rows(data=data, filename=filename)
    result = ParsedSchedule()
    found = _find_header(rows)
    if found is None:
        result.errors.append(
            RowError(
                None,
                "",
                _("No header row (%(columns)s) in the first %(n)s rows.")
                % {
                    "columns": "序号, 宣传主题, 实事名称, 责任单位, 宣传时间",
                    "n": HEADER_SEARCH_ROWS,
                },
            )
        )
        return result
    header_index, columns = found
    header_row = rows[header_index]
    result.headers = {column: header_row[position] for column, position in columns.items()}
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    for column in missing:
        result.errors.append(
            RowError(
                header_index + 1,
                {THEME: "宣传主题", UNITS: "责任单位", WINDOW: "宣传时间"}[column],
                _("This column is missing."),
            )
        )
    if missing:
        return result

    def cell(row: list[str], column: str) -> str:
        position = columns.get(column)
        return row[position].strip() if position is not None and position < len(row) else ""

    seen: dict[int, int] = {}  # number -> the row that used it first
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        if not any(c.strip() for c in row):
            continue
        number = index + 1
        errors: list[RowError] = []
        seq = None
        if SEQ in columns:
            seq_text = cell(row, SEQ)
            seq = _parse_seq(seq_text)
            if seq is None:
                message = (
                    _("The number is missing.")
                    if not seq_text
                    else _("“%(text)s” is not a number.") % {"text": seq_text}
                )
                errors.append(RowError(number, result.header(SEQ), message))
            elif seq in seen:
                errors.append(
                    RowError(
                        number,
                        result.header(SEQ),
                        _("No. %(seq)s is already used in row %(row)s.")
                        % {"seq": seq, "row": seen[seq]},
                    )
                )
            else:
                seen[seq] = number
        theme = _clean(cell(row, THEME))
        if not theme:
            errors.append(RowError(number, result.header(THEME), _("The theme is blank.")))
        project = _clean(cell(row, PROJECT))
        for column, text in ((THEME, theme), (PROJECT, project)):
            limit = _max_length(column)
            if len(text) > limit:
                errors.append(
                    RowError(
                        number,
                        result.header(column),
                        _("Longer than %(limit)s characters.") % {"limit": limit},
                    )
                )
        unit_names = split_unit_names(cell(row, UNITS))
        if not unit_names:
            errors.append(
                RowError(number, result.header(UNITS), _("No responsible unit is given."))
            )
        window = None
        try:
            window = parse_window(cell(row, WINDOW), year=year)
        except WindowError as error:
            errors.append(RowError(number, result.header(WINDOW), str(error)))
        else:
            if len(window.text) > _max_length(WINDOW):
                errors.append(
                    RowError(
                        number,
                        result.header(WINDOW),
                        _("Longer than %(limit)s characters.") % {"limit": _max_length(WINDOW)},
                    )
                )
        result.errors.extend(errors)
        result.rows.append(
            ScheduleRow(
                row=number,
                seq=seq,
                theme=theme,
                project=project,
                unit_names=unit_names,
                window=window,
                ok=not errors and window is not None,
            )
        )
    return result
