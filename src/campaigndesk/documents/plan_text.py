"""A schedule table pasted as text, turned into the CSV that the schedule import reads.

Two layouts are understood, in Simplified or Traditional script:

- one row a line, cells separated by tabs (pasted from a spreadsheet or a Word table) or
  by "|" ("1 | 医疗保障 | … | 10月8-10日 |");
- one cell a line, each cell ending in " |", as a report's appendix table comes out of a
  PDF or web page (the Shaoyang plan): the header cells come first, and the number of
  header cells gives the width of every row. A cell running over several lines ends at
  the line with the "|".

Lines before the header row (the appendix title, "附件") are dropped.
"""

import csv
import io
import re

from django.utils.translation import gettext as _

from campaigndesk.campaigns.schedule_import import SEQ, column_of
from campaigndesk.common.errors import DomainError

from .textnorm import normalize

MAX_TEXT_CHARS = 1_000_000
_MARKDOWN_RULE = re.compile(r"^[\s|:\-—=+]*$")
_FIRST_NUMBER = re.compile(r"^[1１][.、．]?$")


def schedule_csv(text: str) -> bytes:
    """The pasted table as UTF-8 CSV bytes (header row first). Raises DomainError when
    the text is empty, too long, or holds no table with a recognisable header."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise DomainError(_("Paste the schedule table first."), code="empty")
    if len(text) > MAX_TEXT_CHARS:
        raise DomainError(_("The pasted text is too long for a schedule table."), code="too_large")
    lines = [line for line in text.split("\n") if line.strip()]
    if any(len(_split_row(line)) >= 2 for line in lines):
        rows = [_split_row(line) for line in lines if not _MARKDOWN_RULE.match(line)]
    else:
        rows = _rows_from_cells(_cells(lines))
    rows = _from_header(rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def _split_row(line: str) -> list[str]:
    """The cells of a row on one line: tab-separated, else "|"-separated; a leading or
    trailing empty cell ("| a | b |") is dropped."""
    parts = line.split("\t") if "\t" in line else line.split("|")
    cells = [" ".join(part.split()) for part in parts]
    if cells and not cells[0]:
        cells = cells[1:]
    if cells and not cells[-1]:
        cells = cells[:-1]
    return cells


def _cells(lines: list[str]) -> list[str]:
    """One cell per line ending in "|"; lines without one belong to the next cell, once
    the table has begun (before it, they are the title and go)."""
    cells: list[str] = []
    pending: list[str] = []
    started = False
    for line in lines:
        stripped = line.strip()
        if stripped.endswith(("|", "｜")):
            pending.append(stripped.rstrip("|｜").strip())
            cells.append(" ".join(" ".join(pending).split()))
            pending = []
            started = True
        elif started:
            pending.append(stripped)
    # Lines after the last "|" are the text that follows the table.
    return cells


def _rows_from_cells(cells: list[str]) -> list[list[str]]:
    start = next((i for i, cell in enumerate(cells) if column_of(cell)), None)
    if start is None:
        raise _no_header()
    cells = cells[start:]
    if column_of(cells[0]) == SEQ:
        # The header runs up to the first row's number ("1").
        width = next(
            (i for i, cell in enumerate(cells) if _FIRST_NUMBER.match(normalize(cell).text)),
            None,
        )
    else:
        width = next((i for i, cell in enumerate(cells) if not column_of(cell)), None)
    if not width or width < 2:
        raise _no_header()
    return [cells[i : i + width] for i in range(0, len(cells), width)]


def _from_header(rows: list[list[str]]) -> list[list[str]]:
    for index, row in enumerate(rows):
        if len({column_of(cell) for cell in row if cell} - {None}) >= 2:
            return rows[index:]
    raise _no_header()


def _no_header() -> DomainError:
    return DomainError(
        _("No schedule table found: the header row (%(columns)s) is missing.")
        % {"columns": "序号, 宣传主题, 实事名称, 责任单位, 宣传时间"},
        code="no_table",
    )
