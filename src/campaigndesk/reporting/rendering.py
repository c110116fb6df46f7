"""Lay out issued briefings and monthly bulletins as GB/T 9704-2012 documents (.docx) and
bulletins and the annual assessment as spreadsheets (.xlsx), from their snapshots only.

Every function here is a pure function of the snapshot dict (see the shared design for its
schema): nothing is read from the database, so regenerating an issued document from its
stored snapshot gives the same text and numbers, and the same bytes: the core properties
carry the issue date instead of the clock and the zip is rewritten with fixed member
timestamps and order.

Like the summary report (``documents.drafting``), the documents are written in Chinese
whatever the interface language: they are the office's own papers. The project installs one
CJK font (Droid Sans Fallback), so it stands in for 方正小标宋 (titles), 仿宋 (body) and
黑体 alike; sizes follow the standard: titles 二号 22 pt, body 三号 16 pt, 版记 四号 14 pt.
"""

import datetime
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from django.utils.translation import gettext as _

from campaigndesk.common.errors import DomainError
from campaigndesk.documents.drafting import CJK_FONT_NAME, _set_font, cn_date

RED = "FF0000"
# Type area of GB/T 9704 on A4: 210 − 28 − 26 = 156 mm wide.
TEXT_WIDTH_MM = 156
LEVELS: list[tuple[str, str]] = [
    ("central", "中央"),
    ("provincial", "省"),
    ("municipal", "市"),
    ("county", "县"),
    ("township", "乡"),
]
LEVEL_NAMES = {
    "central": "中央级",
    "provincial": "省级",
    "municipal": "市级",
    "county": "县级",
    "township": "乡镇级",
}
_BODY_PT = 16
_TITLE_PT = 22
_COLOPHON_PT = 14
_TABLE_PT = 10.5  # 五号, the usual size of a table in an official document
_LINE_PT = 28  # 22 lines to the page, as GB/T 9704 sets
# What may follow w:pBdr inside w:pPr (ECMA-376 order): the borders go before them.
_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip
# Member order of the rewritten zip: the content types first (some readers sniff them).
_FIRST_MEMBERS = ("[Content_Types].xml", "_rels/.rels")


# --- shared helpers ---------------------------------------------------------------------------


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _plain(value: str | int | Decimal) -> str:
    """A decimal as prose writes it: "20.00" → "20", "2.50" → "2.5"."""
    text = format(Decimal(str(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _stamp(snapshot: dict) -> datetime.datetime:
    """The moment the files claim to be made: midnight of the issue date (1 January of the
    year for a draft's preview and for the annual assessment), so that the same snapshot
    gives the same bytes."""
    day = _date(snapshot.get("issue_date")) or datetime.date(
        int(snapshot.get("year") or 2000), 1, 1
    )
    return datetime.datetime(day.year, day.month, day.day)


def issue_number_line(snapshot: dict) -> str:
    """2026年第3期（总第17期）; a draft without numbers says so."""
    year = snapshot.get("year")
    if snapshot.get("number") is None:
        return f"{year}年（未编号）"
    line = f"{year}年第{snapshot['number']}期"
    if snapshot.get("total_number") is not None:
        line += f"（总第{snapshot['total_number']}期）"
    return line


def correction_line(snapshot: dict) -> str:
    """（更正 2026年第2期《…》） when the snapshot corrects an earlier issue, else ""."""
    corrects = snapshot.get("corrects")
    if not corrects:
        return ""
    title = f"《{corrects['title']}》" if corrects.get("title") else ""
    return f"（更正 {corrects['year']}年第{corrects['number']}期{title}）"


def _fixed_zip(data: bytes, stamp: datetime.datetime) -> bytes:
    """The same package with every member dated ``stamp``, in a fixed order, with fixed
    attributes: zipfile otherwise stamps members with the clock."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members = {name: source.read(name) for name in source.namelist()}
    first = [name for name in _FIRST_MEMBERS if name in members]
    order = first + sorted(name for name in members if name not in first)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=stamp.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, members[name], compresslevel=9)
    return out.getvalue()


# --- the bulletin's table (shared by .docx and .xlsx) -----------------------------------------


@dataclass(frozen=True)
class Column:
    """One column of the bulletin table: ``group`` heads the first header row (spanning its
    neighbours of the same group), ``label`` the second; ``points`` marks a 2-place value."""

    group: str
    label: str
    value: Callable[[dict], object]
    width_mm: float = 9
    points: bool = False


def _count(key: str) -> Callable[[dict], object]:
    return lambda row: int(row.get(key) or 0)


def _adopted(level: str) -> Callable[[dict], object]:
    return lambda row: int((row.get("adopted") or {}).get(level) or 0)


def _points(key: str) -> Callable[[dict], object]:
    return lambda row: Decimal(str(row.get(key) or "0.00"))


def bulletin_columns(snapshot: dict) -> list[Column]:
    """The columns of a bulletin: 排名, 单位, 报送, 终审, 采用 by level, 头条, 批示, 定额 要求/完成,
    缺报, 得分. Township adoptions and false reports get a column only when the month has
    any (or township adoptions score), so the usual table fits the A4 type area."""
    rows = snapshot.get("rows") or []
    rules = snapshot.get("rules") or {}
    township_points = Decimal(str((rules.get("points") or {}).get("township") or "0"))
    levels = [
        (key, name)
        for key, name in LEVELS
        if key != "township"
        or township_points
        or any((row.get("adopted") or {}).get("township") for row in rows)
    ]
    no_quota: Callable[[dict], object] = lambda row: "—"  # noqa: E731
    has_quota = snapshot.get("quota") is not None
    columns = [
        Column("排名", "排名", _count("rank")),
        Column("单位", "单位", lambda row: row.get("unit", ""), width_mm=0),
        Column("报送", "报送", _count("submitted")),
        Column("终审", "终审", _count("signed_off")),
        *(Column("采用", name, _adopted(key)) for key, name in levels),
        Column("头条", "头条", _count("headlines")),
        Column("批示", "批示", _count("leader_comments")),
        Column("定额", "要求", _count("quota_required") if has_quota else no_quota),
        Column("定额", "完成", _count("quota_counted")),
        Column("缺报", "缺报", _count("missing") if has_quota else no_quota),
    ]
    if any(row.get("false_reports") for row in rows):
        columns.append(Column("虚报", "虚报", _count("false_reports")))
    columns.append(Column("得分", "得分", _points("points"), width_mm=14, points=True))
    # The unit's name takes what the numbers leave of the type area.
    rest = TEXT_WIDTH_MM - sum(c.width_mm for c in columns)
    return [
        Column(c.group, c.label, c.value, max(rest, 22), c.points) if c.width_mm == 0 else c
        for c in columns
    ]


def column_groups(columns: list[Column]) -> list[tuple[int, int]]:
    """(first, last) index of each run of neighbouring columns under one group heading."""
    groups: list[tuple[int, int]] = []
    for index, column in enumerate(columns):
        if groups and columns[groups[-1][0]].group == column.group:
            groups[-1] = (groups[-1][0], index)
        else:
            groups.append((index, index))
    return groups


def _totals_row(snapshot: dict, columns: list[Column]) -> list[object]:
    """合计: the snapshot's totals under their columns, blank where it has none."""
    totals = snapshot.get("totals") or {}
    adopted = totals.get("adopted") or {}
    by_label = {
        "报送": "submitted",
        "终审": "signed_off",
        "头条": "headlines",
        "批示": "leader_comments",
    }
    names = dict((name, key) for key, name in LEVELS)
    cells: list[object] = []
    for column in columns:
        if column.label == "单位":
            cells.append("合计")
        elif column.group == "采用" and names[column.label] in adopted:
            cells.append(int(adopted[names[column.label]]))
        elif column.label in by_label and by_label[column.label] in totals:
            cells.append(int(totals[by_label[column.label]]))
        else:
            cells.append("")
    return cells


def shared_rank_note(rows: list[dict]) -> str:
    """注：甲、乙得分相同，并列第1名。 for every rank held by more than one unit, else ""."""
    by_rank: dict[int, list[str]] = {}
    for row in rows:
        by_rank.setdefault(int(row["rank"]), []).append(row["unit"])
    shared = [
        f"{'、'.join(units)}得分相同，并列第{rank}名"
        for rank, units in sorted(by_rank.items())
        if len(units) > 1
    ]
    return f"注：{'；'.join(shared)}。" if shared else ""


def _month_name(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月"


def bulletin_intro(snapshot: dict) -> list[str]:
    """The paragraphs before the table: the month and what is counted, the rules in force
    and the quota, in the words of a bulletin."""
    period = snapshot.get("period") or {}
    start, end = _date(period.get("start")), _date(period.get("end"))
    campaign = (snapshot.get("campaign") or {}).get("name", "")
    span = f"（{cn_date(start)}至{cn_date(end)}）" if start and end else ""
    month = _month_name(start) if start else ""
    paragraphs = [f"现将{month}{span}各单位{campaign}信息报送、审核采用及定额完成情况通报如下。"]
    rules = snapshot.get("rules")
    if rules:
        points = rules.get("points") or {}
        levels = "、".join(
            f"{LEVEL_NAMES[key]}{_plain(points[key])}分"
            for key, _name in LEVELS
            if key in points and (key != "township" or Decimal(str(points[key])))
        )
        once = (
            "同一篇信息按其最高采用级别计分一次"
            if rules.get("scoring_mode") == "highest_once"
            else "每次采用分别计分"
        )
        valid_from = _date(rules.get("valid_from"))
        since = f"（{cn_date(valid_from)}起施行）" if valid_from else ""
        text = (
            f"本期按第{rules.get('version')}版考核细则{since}计分：信息被媒体采用每篇计"
            f"{levels}，头条（头版）乘以{_plain(rules.get('headline_multiplier', 1))}，{once}；"
            f"领导批示每次加{_plain(rules.get('leader_comment_bonus', 0))}分；"
            f"缺报每篇扣{_plain(rules.get('missing_quota_penalty', 0))}分，"
            f"虚报每篇扣{_plain(rules.get('false_report_penalty', 0))}分"
        )
        if Decimal(str(rules.get("base_points") or 0)):
            text += f"；基础分{_plain(rules['base_points'])}分"
        paragraphs.append(text + "。")
    quota = snapshot.get("quota")
    if quota:
        due_day = int(quota.get("due_day") or 0)
        if quota.get("period") == "week":
            every = "每周"
            due = f"周日后{due_day}日内报送" if due_day else "当周周日前报送"
        else:
            every = "每月"
            due = f"次月{due_day}日前报送" if due_day else "当月最后一日前报送"
        paragraphs.append(f"报送定额为每单位{every}{quota.get('count')}篇（{due}）。")
    return paragraphs


# --- .docx ------------------------------------------------------------------------------------


def _new_document(snapshot: dict):
    """An A4 document with the margins, fonts and page numbers of GB/T 9704."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    document = docx.Document()
    page = document.sections[0]
    page.page_width, page.page_height = Mm(210), Mm(297)
    page.top_margin, page.bottom_margin = Mm(37), Mm(35)
    page.left_margin, page.right_margin = Mm(28), Mm(26)
    page.footer_distance = Mm(20)
    normal = document.styles["Normal"]
    _set_font(normal, size_pt=_BODY_PT)
    normal.paragraph_format.line_spacing = Pt(_LINE_PT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    _set_font(document.styles["Table Grid"], size_pt=_TABLE_PT)
    # Page number "— 1 —" in 四号 under the type area, as the standard writes it.
    footer = page.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_font(footer.add_run("— "), size_pt=_COLOPHON_PT)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    number = footer.add_run("1")
    _set_font(number, size_pt=_COLOPHON_PT)
    number._r.addprevious(field)
    field.append(number._r)
    _set_font(footer.add_run(" —"), size_pt=_COLOPHON_PT)

    stamp = _stamp(snapshot)
    properties = document.core_properties
    properties.title = snapshot.get("title") or ""
    properties.author = snapshot.get("office") or ""
    properties.last_modified_by = snapshot.get("office") or ""
    properties.comments = ""
    properties.revision = 1
    properties.created = stamp
    properties.modified = stamp
    properties.last_printed = stamp
    return document


def _paragraph(
    document,
    text: str = "",
    *,
    size: float = _BODY_PT,
    bold: bool = False,
    align: str = "left",
    color: str | None = None,
    indent: bool = False,
):
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    paragraph = document.add_paragraph()
    paragraph.alignment = {
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[align]
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(2 * size)
    if size > _LINE_PT - 4:
        # A fixed 28 pt line would clip a large title: let it take what it needs.
        paragraph.paragraph_format.line_spacing = 1.0
    if text:
        run = paragraph.add_run(text)
        _set_font(run, size_pt=size, bold=bold)
        if color:
            run.font.color.rgb = RGBColor.from_string(color)
    return paragraph


def _border(paragraph, **edges: tuple[int, str]) -> None:
    """Give ``paragraph`` borders: edge name (top, bottom, between) → (width in eighths of
    a point, colour)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for edge in ("top", "bottom", "between"):
        if edge not in edges:
            continue
        size, color = edges[edge]
        line = OxmlElement(f"w:{edge}")
        line.set(qn("w:val"), "single")
        line.set(qn("w:sz"), str(size))
        line.set(qn("w:space"), "1")
        line.set(qn("w:color"), color)
        borders.append(line)
    ppr.insert_element_before(borders, *_AFTER_PBDR)


def _right_tab(paragraph) -> None:
    """A right-aligned tab stop at the right edge of the type area (office ⇥ date)."""
    from docx.enum.text import WD_TAB_ALIGNMENT
    from docx.shared import Mm

    paragraph.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT)


def _masthead(document, snapshot: dict, name: str) -> None:
    """版头: the issuing name large and red, 第N期（总第N期）, 签发人, the office and the
    date above a red line, then the correction note if any."""
    from docx.shared import Pt

    size = min(36, int(TEXT_WIDTH_MM / 0.3528 / (len(name) * 1.1 or 1)))
    head = _paragraph(document, name, size=size, bold=True, align="center", color=RED)
    head.paragraph_format.space_before = Pt(12)
    head.paragraph_format.space_after = Pt(12)
    _paragraph(document, issue_number_line(snapshot), align="center")
    if snapshot.get("signer"):
        _paragraph(document, f"签发人：{snapshot['signer']}", align="right")
    line = _paragraph(document)
    _right_tab(line)
    issued = _date(snapshot.get("issue_date"))
    _set_font(
        line.add_run(f"{snapshot.get('office', '')}\t{cn_date(issued) if issued else ''}"),
        size_pt=_BODY_PT,
    )
    _border(line, bottom=(18, RED))
    correction = correction_line(snapshot)
    if correction:
        _paragraph(document, correction, align="center", bold=True)
    _paragraph(document)


def _colophon(document, snapshot: dict) -> None:
    """版记 at the end: 报：/送：/发： between thin rules, the office and 印发 date, closed by a
    thick rule, then （共印N份）."""
    from docx.shared import Pt

    thick, thin = (8, "000000"), (4, "000000")
    lines = [
        f"{label}：{snapshot[key]}"
        for label, key in (("报", "report_to"), ("送", "send_to"), ("发", "distribute_to"))
        if snapshot.get(key)
    ]
    gap = _paragraph(document)
    gap.paragraph_format.space_before = Pt(_LINE_PT)
    for index, text in enumerate(lines):
        paragraph = _paragraph(document, text, size=_COLOPHON_PT)
        paragraph.paragraph_format.left_indent = Pt(_COLOPHON_PT)
        paragraph.paragraph_format.right_indent = Pt(_COLOPHON_PT)
        # Consecutive paragraphs with equal borders form one box: "between" draws the
        # thin rule inside it.
        edges = {"bottom": thin, "between": thin}
        if index == 0:
            edges["top"] = thick
        _border(paragraph, **edges)
    issued = _date(snapshot.get("issue_date"))
    printed = _paragraph(document, size=_COLOPHON_PT)
    printed.paragraph_format.left_indent = Pt(_COLOPHON_PT)
    printed.paragraph_format.right_indent = Pt(_COLOPHON_PT)
    _right_tab(printed)
    _set_font(
        printed.add_run(
            f"{snapshot.get('office', '')}\t{cn_date(issued) + '印发' if issued else ''}"
        ),
        size_pt=_COLOPHON_PT,
    )
    _border(printed, **({"bottom": thick} if lines else {"top": thick, "bottom": thick}))
    if snapshot.get("copies"):
        _paragraph(document, f"（共印{snapshot['copies']}份）", size=_COLOPHON_PT, align="right")


def _save_docx(document, snapshot: dict) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return _fixed_zip(out.getvalue(), _stamp(snapshot))


def render_briefing_docx(snapshot: dict) -> bytes:
    """A briefing (工作简报 第N期) as a GB/T 9704 .docx: 版头, each item's title, body and
    （单位供稿）, 版记."""
    document = _new_document(snapshot)
    _masthead(document, snapshot, snapshot.get("title") or "工作简报")
    for item in snapshot.get("items") or []:
        _paragraph(document, item.get("title", ""), size=_TITLE_PT, bold=True, align="center")
        for text in str(item.get("body", "")).splitlines():
            if text.strip():
                _paragraph(document, text.strip(), align="justify", indent=True)
        if item.get("unit"):
            _paragraph(document, f"（{item['unit']}供稿）", align="right")
        _paragraph(document)
    _colophon(document, snapshot)
    return _save_docx(document, snapshot)


def _cell_text(value: object, column: Column) -> str:
    if column.points and isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def _bulletin_table(document, snapshot: dict, columns: list[Column]) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    rows = snapshot.get("rows") or []
    body = [[column.value(row) for column in columns] for row in rows]
    body.append(_totals_row(snapshot, columns))
    table = document.add_table(rows=2 + len(body), cols=len(columns))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    # Narrow cell margins (0.5 mm) so that two-character headers fit 9 mm columns.
    properties = table._tbl.tblPr
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(round(Mm(0.5).twips)))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    properties.insert_element_before(
        margins, "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange"
    )

    def write(cell, text: str, *, bold: bool = False) -> None:
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.paragraph_format.line_spacing = 1.0
        paragraph.paragraph_format.first_line_indent = Pt(0)
        _set_font(paragraph.add_run(text), size_pt=_TABLE_PT, bold=bold)

    # Fixed layout (autofit off) with the widths in the grid and in every cell:
    # LibreOffice reads the grid, Word the cells.
    for index, column in enumerate(columns):
        table.columns[index].width = Mm(column.width_mm)
    for row in table.rows:
        for index, cell in enumerate(row.cells):
            cell.width = Mm(columns[index].width_mm)
    # Two header rows: a group spanning its levels (采用, 定额) over their labels, and the
    # single columns merged down.
    for first, last in column_groups(columns):
        if first == last and columns[first].group == columns[first].label:
            merged = table.cell(0, first).merge(table.cell(1, first))
            write(merged, columns[first].label, bold=True)
        else:
            merged = table.cell(0, first).merge(table.cell(0, last))
            write(merged, columns[first].group, bold=True)
            for sub in range(first, last + 1):
                write(table.cell(1, sub), columns[sub].label, bold=True)
    for offset, values in enumerate(body):
        last = offset == len(body) - 1
        for index, (column, value) in enumerate(zip(columns, values, strict=True)):
            write(table.cell(2 + offset, index), _cell_text(value, column), bold=last)
    # No row breaks across a page (a unit's name would be cut in two); the header repeats
    # on every page the table runs over.
    for index, row in enumerate(table.rows):
        row_properties = row._tr.get_or_add_trPr()
        row_properties.append(OxmlElement("w:cantSplit"))
        if index < 2:
            row_properties.append(OxmlElement("w:tblHeader"))


def render_bulletin_docx(snapshot: dict) -> bytes:
    """A monthly bulletin (月度通报) as a GB/T 9704 .docx: 版头, the title, the intro (month,
    rules, quota), the table of units with every number of the snapshot, the 并列 note,
    版记."""
    document = _new_document(snapshot)
    _masthead(document, snapshot, snapshot.get("title") or "信息报送工作通报")
    period = snapshot.get("period") or {}
    start = _date(period.get("start"))
    month = _month_name(start) if start else ""
    heading = f"关于{month}信息报送情况的通报"
    _paragraph(document, heading, size=_TITLE_PT, bold=True, align="center")
    _paragraph(document)
    for text in bulletin_intro(snapshot):
        _paragraph(document, text, align="justify", indent=True)
    columns = bulletin_columns(snapshot)
    _paragraph(document, f"{month}各单位信息报送情况统计表", bold=True, align="center")
    _bulletin_table(document, snapshot, columns)
    note = shared_rank_note(snapshot.get("rows") or [])
    if note:
        _paragraph(document, note, size=_TABLE_PT * 1.2)
    _colophon(document, snapshot)
    return _save_docx(document, snapshot)


# --- .xlsx ------------------------------------------------------------------------------------


def _workbook(snapshot: dict, title: str):
    from openpyxl import Workbook

    workbook = Workbook()
    stamp = _stamp(snapshot)
    workbook.properties.title = title
    workbook.properties.creator = snapshot.get("office") or ""
    workbook.properties.lastModifiedBy = snapshot.get("office") or ""
    workbook.properties.created = stamp
    workbook.properties.modified = stamp
    return workbook


def _save_xlsx(workbook, snapshot: dict) -> bytes:
    # openpyxl.save_workbook stamps "modified" with the clock; its writer does not.
    from openpyxl.writer.excel import ExcelWriter

    out = io.BytesIO()
    archive = zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(workbook, archive).save()
    return _fixed_zip(out.getvalue(), _stamp(snapshot))


def _sheet_setup(sheet, *, header_rows: int, frozen: str) -> None:
    """A4 landscape, one page wide, header rows repeated on every page, panes frozen."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"1:{header_rows}"
    sheet.freeze_panes = frozen


@cache
def _styles():
    from openpyxl.styles import Alignment, Border, Font, Side

    thin = Side(style="thin", color="000000")
    return {
        "title": Font(name=CJK_FONT_NAME, size=16, bold=True),
        "plain": Font(name=CJK_FONT_NAME, size=11),
        "bold": Font(name=CJK_FONT_NAME, size=11, bold=True),
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "left": Alignment(horizontal="left", vertical="center", wrap_text=True),
    }


def _put(sheet, row: int, col: int, value: object, *, bold: bool = False):
    styles = _styles()
    cell = sheet.cell(row=row, column=col)
    if isinstance(value, Decimal):
        # A number, not text: 2 places shown, the exact snapshot value stored.
        cell.value = float(value)
        cell.number_format = "0.00"
    else:
        cell.value = value
        if isinstance(value, int):
            cell.number_format = "0"
    cell.font = styles["bold"] if bold else styles["plain"]
    cell.border = styles["border"]
    cell.alignment = styles["center"]
    return cell


def _title_rows(sheet, width: int, lines: list[str]) -> None:
    styles = _styles()
    for number, text in enumerate(lines, start=1):
        cell = sheet.cell(row=number, column=1, value=text)
        cell.font = styles["title"] if number == 1 else styles["plain"]
        cell.alignment = styles["center"]
        sheet.merge_cells(start_row=number, start_column=1, end_row=number, end_column=width)
    sheet.row_dimensions[1].height = 28


def render_bulletin_xlsx(snapshot: dict) -> bytes:
    """The bulletin's table as one sheet: title and period rows, the two header rows, a row
    per unit with numbers as numbers (得分 with 2 places), the 合计 row and the 并列 note."""
    from openpyxl.utils import get_column_letter

    columns = bulletin_columns(snapshot)
    title = snapshot.get("title") or "信息报送工作通报"
    workbook = _workbook(snapshot, title)
    sheet = workbook.active
    period = snapshot.get("period") or {}
    start, end = _date(period.get("start")), _date(period.get("end"))
    issued = _date(snapshot.get("issue_date"))
    subtitle = " ".join(
        part
        for part in (
            issue_number_line(snapshot),
            f"{_month_name(start)}（{cn_date(start)}至{cn_date(end)}）" if start and end else "",
            f"{snapshot.get('office', '')} {cn_date(issued)}" if issued else "",
            correction_line(snapshot),
        )
        if part
    )
    sheet.title = _month_name(start) if start else "通报"
    _title_rows(sheet, len(columns), [title, subtitle])
    top = 3
    for first, last in column_groups(columns):
        if first == last and columns[first].group == columns[first].label:
            _put(sheet, top, first + 1, columns[first].label, bold=True)
            _put(sheet, top + 1, first + 1, None, bold=True)
            sheet.merge_cells(
                start_row=top, start_column=first + 1, end_row=top + 1, end_column=first + 1
            )
        else:
            for sub in range(first, last + 1):
                _put(sheet, top, sub + 1, columns[sub].group if sub == first else None, bold=True)
                _put(sheet, top + 1, sub + 1, columns[sub].label, bold=True)
            sheet.merge_cells(
                start_row=top, start_column=first + 1, end_row=top, end_column=last + 1
            )
    line = top + 2
    for row in snapshot.get("rows") or []:
        for index, column in enumerate(columns, start=1):
            _put(sheet, line, index, column.value(row))
        line += 1
    for index, value in enumerate(_totals_row(snapshot, columns), start=1):
        _put(sheet, line, index, value if value != "" else None, bold=True)
    note = shared_rank_note(snapshot.get("rows") or [])
    if note:
        cell = sheet.cell(row=line + 1, column=1, value=note)
        cell.font = _styles()["plain"]
        sheet.merge_cells(
            start_row=line + 1, start_column=1, end_row=line + 1, end_column=len(columns)
        )
    for index, column in enumerate(columns, start=1):
        # Width in characters of the default font: about 2 mm each.
        sheet.column_dimensions[get_column_letter(index)].width = round(
            column.width_mm / 1.9 + 2, 1
        )
    _sheet_setup(sheet, header_rows=top + 1, frozen=f"C{top + 2}")
    return _save_xlsx(workbook, snapshot)


def render_annual_xlsx(annual: dict) -> bytes:
    """The annual assessment as one sheet: 排名, 单位, the points of each month with an
    issued bulletin, 全年得分; numbers as numbers with 2 places."""
    from openpyxl.utils import get_column_letter

    months = [datetime.date.fromisoformat(month) for month in annual.get("months") or []]
    campaign = (annual.get("campaign") or {}).get("name", "")
    year = annual.get("year")
    title = f"{campaign}{year}年度信息报送考核得分"
    workbook = _workbook(annual, title)
    sheet = workbook.active
    sheet.title = f"{year}年度"
    headers = ["排名", "单位", *(f"{month.month}月" for month in months), "全年得分"]
    _title_rows(
        sheet,
        len(headers),
        [title, "按各月已印发通报（以更正后的一期为准）的得分汇总，得分相同者并列"],
    )
    top = 3
    for index, header in enumerate(headers, start=1):
        _put(sheet, top, index, header, bold=True)
    rows = annual.get("rows") or []
    for line, row in enumerate(rows, start=top + 1):
        by_month = row.get("by_month") or {}
        values: list[object] = [int(row["rank"]), row.get("unit", "")]
        for month in months:
            value = by_month.get(month.isoformat())
            values.append(Decimal(str(value)) if value is not None else None)
        values.append(Decimal(str(row.get("points") or "0.00")))
        for index, value in enumerate(values, start=1):
            _put(sheet, line, index, value)
    note = shared_rank_note(rows)
    if note:
        line = top + len(rows) + 1
        cell = sheet.cell(row=line, column=1, value=note)
        cell.font = _styles()["plain"]
        sheet.merge_cells(start_row=line, start_column=1, end_row=line, end_column=len(headers))
    widths = [6, 28, *(9 for _month in months), 11]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    _sheet_setup(sheet, header_rows=top, frozen=f"C{top + 1}")
    return _save_xlsx(workbook, annual)


# --- reading back -----------------------------------------------------------------------------


def _docx_text(data: bytes) -> str:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    lines: list[str] = []
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(element, document).text)
        elif tag == "tbl":
            for row in Table(element, document).rows:
                cells, seen = [], set()
                for cell in row.cells:
                    # A merged cell is listed once per grid column it spans.
                    if id(cell._tc) not in seen:
                        seen.add(id(cell._tc))
                        cells.append(cell.text)
                lines.append(" | ".join(cells))
    return "\n".join(lines)


def _xlsx_value(cell) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, int | float) and "0.00" in (cell.number_format or ""):
        return f"{value:.2f}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_text(data: bytes) -> str:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data))
    lines: list[str] = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            cells = [_xlsx_value(cell) for cell in row]
            while cells and cells[-1] == "":
                cells.pop()
            if cells:
                lines.append(" | ".join(cells))
    return "\n".join(lines)


def document_text(data: bytes) -> str:
    """The text of a .docx (paragraphs and table rows in order, cells joined by " | ") or an
    .xlsx (each sheet's rows, numbers as shown), to compare documents. Raises DomainError for
    anything else."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
    except zipfile.BadZipFile:
        names = set()
    if "word/document.xml" in names:
        return _docx_text(data)
    if "xl/workbook.xml" in names:
        return _xlsx_text(data)
    raise DomainError(_("This is neither a .docx nor an .xlsx document."), code="not_a_document")
