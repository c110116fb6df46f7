"""Draft a campaign's summary report (工作总结) from the ledger: a .docx in the official
register and the same draft as HTML.

``summary_draft`` writes the text once (title, the 截至 line, a section per category of
work, charts, an appendix table); ``summary_report_docx`` and the preview page only lay it
out. Every figure comes from ``ledger.rollup.rollup`` (one call, scoped to the actor) and
is written with ``ledger.display.figure_display``, so the draft says what the dashboard
says. The organisation section also names the leading group, the units and the strands
from the campaign's plan; it counts nothing that the ledger does not. A category without
figures (opinion, effect, ...) has no section.

The report is written in Chinese whatever the interface language, like the figures in it:
it is the office's own document, to be edited and sent on, not interface text.
"""

import base64
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from campaigndesk.campaigns.models import Campaign, CampaignUnit, LeadingGroupMember
from campaigndesk.common.errors import DomainError
from campaigndesk.ledger.display import figure_display
from campaigndesk.ledger.models import Aggregation, IndicatorCategory
from campaigndesk.ledger.rollup import Rollup, RollupFilter, RollupRow, rollup
from campaigndesk.regions.models import Region
from campaigndesk.regions.paths import is_within

# The project's one CJK TrueType font (Debian's fonts-droid-fallback, see the Makefile):
# the .docx styles name it, charts are drawn with it, LibreOffice finds it by that name.
CJK_FONT_PATH = Path(
    getattr(
        settings,
        "CJK_FONT_PATH",
        "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    )
)
CJK_FONT_NAME = getattr(settings, "CJK_FONT_NAME", "Droid Sans Fallback")

_CN_NUMERALS = "一二三四五六七八九十"
# Sections in the order of a summary report, with their headings.
SECTIONS: list[tuple[str, str]] = [
    (IndicatorCategory.ORGANISATION, "加强组织领导，统筹推进工作"),
    (IndicatorCategory.MEDIA, "突出媒体宣传，营造浓厚氛围"),
    (IndicatorCategory.MATERIALS, "强化阵地宣传，扩大覆盖范围"),
    (IndicatorCategory.EVENTS, "开展系列活动，推动宣传进基层"),
    (IndicatorCategory.INFORMATION, "做好信息报送，及时反映动态"),
    (IndicatorCategory.OPINION, "加强舆情引导，守好舆论阵地"),
    (IndicatorCategory.EFFECT, "宣传成效"),
]
_LEADS = {
    IndicatorCategory.ORGANISATION: "在组织保障方面，",
    IndicatorCategory.MEDIA: "各级媒体平台",
    IndicatorCategory.MATERIALS: "线下宣传方面，",
    IndicatorCategory.EVENTS: "活动开展方面，",
    IndicatorCategory.INFORMATION: "信息报送方面，",
    IndicatorCategory.OPINION: "舆情处置方面，",
    IndicatorCategory.EFFECT: "经抽样调查，",
}
# Totals and counts on another scale than the rest of their section: written, not charted.
_NOT_CHARTED = {
    "media_outputs",
    "views",
    "views_cumulative",
    "material_area",
    "materials_cumulative",
    "event_participants",
}
MAX_NAMED_UNITS = 12


@dataclass
class Chart:
    """A bar chart of a section's figures (drawn to PNG with the project's font)."""

    title: str
    labels: list[str]
    values: list[Decimal]

    @cached_property
    def png(self) -> bytes:
        return chart_png(self)

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass
class Section:
    heading: str  # with its number: "一、加强组织领导，统筹推进工作"
    paragraphs: list[str]
    chart: Chart | None = None


@dataclass
class AppendixRow:
    indicator: str
    figure: str  # the number with its 余/约, without the measure word
    measure_word: str


@dataclass
class SummaryDraft:
    """The whole text of a summary report, ready to lay out as .docx or HTML."""

    title: str
    as_of_line: str
    intro: list[str]
    sections: list[Section]
    appendix_title: str
    appendix: list[AppendixRow] = field(default_factory=list)
    as_of: datetime.date | None = None


def cn_date(day: datetime.date) -> str:
    """2024年6月30日 (no leading zeros, as official documents write dates)."""
    return f"{day.year}年{day.month}月{day.day}日"


def _measure(row: RollupRow) -> str:
    return "%" if row.indicator.aggregation == Aggregation.RATIO else row.indicator.measure_word


def row_figure(row: RollupRow) -> str:
    """The figure with its approximation and measure word: "176128余张", "93%"."""
    return figure_display(row.value, row.approx, _measure(row))


def _phrase(row: RollupRow) -> str:
    if row.indicator.category == IndicatorCategory.COVERAGE:
        # "覆盖乡(镇)" counts townships: "覆盖2个乡(镇)".
        noun = row.indicator.name.removeprefix("覆盖")
        return f"{row_figure(row)}{noun}" if noun != row.indicator.name else _named(row)
    return _named(row)


def _named(row: RollupRow) -> str:
    return f"{row.indicator.name}{row_figure(row)}"


def _listing(phrases: list[str]) -> str:
    return "，".join(phrases)


def _names(items: list[str]) -> str:
    return "、".join(items)


def summary_draft(
    *, actor, campaign: Campaign, as_of: datetime.date, region: Region | None = None
) -> SummaryDraft:
    """The summary report of ``campaign`` as of ``as_of`` (in ``region``, by default the
    campaign's), with the figures the actor may see. Raises DomainError for a region
    outside the campaign's."""
    if region is not None and not is_within(region.path, campaign.region_path):
        raise DomainError(
            _("%(region)s lies outside the campaign's region.") % {"region": region.name}
        )
    where = region or campaign.region
    totals = rollup(
        actor=actor,
        campaign=campaign,
        filters=RollupFilter(region=region, as_of=as_of),
    )
    rows = [row for row in totals.rows if not row.group and row.value is not None]
    by_category: dict[str, list[RollupRow]] = {}
    for row in rows:
        by_category.setdefault(row.indicator.category, []).append(row)

    place = "" if where.pk == campaign.region_id else where.name
    title = f"{place}{campaign.name}工作情况总结"
    as_of_text = cn_date(as_of)
    intro = [_intro(campaign, where, as_of_text, by_category.get(IndicatorCategory.COVERAGE, []))]

    sections: list[Section] = []
    for category, heading in SECTIONS:
        category_rows = by_category.get(category, [])
        paragraphs = []
        if category == IndicatorCategory.ORGANISATION:
            paragraphs = _organisation(campaign)
        if category_rows:
            paragraphs.append(_figures_paragraph(category, category_rows, as_of_text))
        if not paragraphs:
            continue
        number = _CN_NUMERALS[len(sections)] if len(sections) < 10 else str(len(sections) + 1)
        sections.append(
            Section(
                heading=f"{number}、{heading}",
                paragraphs=paragraphs,
                chart=_chart(category, category_rows),
            )
        )
    appendix = [
        AppendixRow(
            indicator=row.indicator.name,
            figure=figure_display(row.value, row.approx, ""),
            measure_word=_measure(row),
        )
        for row in _appendix_rows(totals)
    ]
    return SummaryDraft(
        title=title,
        as_of_line=f"（截至{as_of_text}）",
        intro=intro,
        sections=sections,
        appendix_title="附件：主要工作数据统计表",
        appendix=appendix,
        as_of=as_of,
    )


def _appendix_rows(totals: Rollup) -> list[RollupRow]:
    order = {category: i for i, (category, _heading) in enumerate(SECTIONS)}
    order[IndicatorCategory.COVERAGE] = -1
    # (as the dashboard lists them: a snapshot or a rate of 0 is a figure too)
    rows = [row for row in totals.rows if not row.group and row.value is not None]
    return sorted(rows, key=lambda r: order.get(r.indicator.category, 99))


def _intro(campaign: Campaign, where: Region, as_of_text: str, coverage: list[RollupRow]) -> str:
    theme = f"以“{campaign.slogan}”为主题，" if campaign.slogan else ""
    text = (
        f"{cn_date(campaign.start_date)}以来，{where.name}{theme}扎实开展{campaign.name}，"
        f"{campaign.lead_unit.name}牵头抓总，各责任单位密切配合，各项工作有序推进。"
    )
    covered = [_phrase(r) for r in coverage if r.indicator.name.startswith("覆盖")]
    others = [_phrase(r) for r in coverage if not r.indicator.name.startswith("覆盖")]
    if covered or others:
        parts = ([f"活动已覆盖{'、'.join(covered)}"] if covered else []) + others
        text += f"截至{as_of_text}，{'，'.join(parts)}。"
    text += "现将有关情况总结如下。"
    return text


def _person(member: LeadingGroupMember) -> str:
    return f"{member.position}{member.person_name}"


def _organisation(campaign: Campaign) -> list[str]:
    """The leading group, the units taking part and the strands of work, in words."""
    paragraphs = []
    members = list(campaign.leading_group.all().order_by("order", "id"))
    by_role: dict[str, list[str]] = {}
    for member in members:
        by_role.setdefault(member.role, []).append(_person(member))
    Role = LeadingGroupMember.Role
    if by_role.get(Role.LEADER) or by_role.get(Role.DEPUTY):
        parts = []
        if by_role.get(Role.LEADER):
            parts.append(f"{_names(by_role[Role.LEADER])}任组长")
        if by_role.get(Role.DEPUTY):
            parts.append(f"{_names(by_role[Role.DEPUTY])}任副组长")
        if by_role.get(Role.MEMBER):
            parts.append(f"{_names(by_role[Role.MEMBER])}为成员")
        text = f"成立了以{'，'.join(parts)}的工作领导小组"
        extra = []
        if by_role.get(Role.OFFICE_DIRECTOR):
            extra.append(f"{_names(by_role[Role.OFFICE_DIRECTOR])}任领导小组办公室主任")
        if by_role.get(Role.LIAISON):
            extra.append(f"{_names(by_role[Role.LIAISON])}任联络员")
        if extra:
            text += "，" + "，".join(extra)
        paragraphs.append(text + "，定期研究部署，统筹推进各项工作。")
    links = list(
        campaign.unit_links.select_related("unit").order_by("role", "unit__region_path", "id")
    )
    others = [link.unit.name for link in links if link.role != CampaignUnit.Role.LEAD]
    if others:
        named = _names(others[:MAX_NAMED_UNITS])
        paragraphs.append(
            f"{campaign.lead_unit.name}牵头，{named}等单位各司其职、协同配合，形成了工作合力。"
        )
    strands = [strand.name for strand in campaign.strands.all()]
    if strands:
        paragraphs.append(f"围绕{_names(strands)}等工作主线，明确任务分工和时间节点。")
    return paragraphs


def _figures_paragraph(category: str, rows: list[RollupRow], as_of_text: str) -> str:
    lead = _LEADS.get(category, "")
    listing = _listing([_phrase(row) for row in rows])
    if category == IndicatorCategory.MEDIA:
        return f"截至{as_of_text}，{lead}共{listing}。"
    if category == IndicatorCategory.EFFECT:
        return f"{lead}截至{as_of_text}，{listing}。"
    return f"{lead}截至{as_of_text}，共{listing}。"


def _chart(category: str, rows: list[RollupRow]) -> Chart | None:
    """A bar chart when a section has two or more figures on one scale."""
    charted = [
        row
        for row in rows
        if row.indicator.code not in _NOT_CHARTED
        and row.indicator.aggregation == Aggregation.SUM
        and category != IndicatorCategory.EFFECT
    ]
    if len(charted) < 2:
        return None
    title = dict(IndicatorCategory.choices).get(category, "")
    chinese = {
        IndicatorCategory.ORGANISATION: "组织保障",
        IndicatorCategory.MEDIA: "媒体宣传",
        IndicatorCategory.MATERIALS: "线下宣传",
        IndicatorCategory.EVENTS: "宣传活动",
        IndicatorCategory.INFORMATION: "信息报送",
        IndicatorCategory.OPINION: "舆情处置",
    }
    return Chart(
        title=chinese.get(category, str(title)),
        labels=[f"{row.indicator.name}({_measure(row)})" for row in charted],
        values=[row.value for row in charted],
    )


# --- charts -------------------------------------------------------------------------------


def _font_path() -> Path:
    if not CJK_FONT_PATH.is_file():
        raise DomainError(
            _(
                "The Chinese font %(path)s is not installed; run `make setup` (it installs "
                "the Debian package fonts-droid-fallback)."
            )
            % {"path": CJK_FONT_PATH},
            code="font_missing",
        )
    return CJK_FONT_PATH


_registered: set[str] = set()


def chart_font(size: float):
    """The font of every chart label: the project's CJK font, by its path, behind DejaVu
    Sans (shipped inside matplotlib) for digits and Latin letters, which Droid Sans Fallback
    lacks; matplotlib takes each glyph from the first font of the list that has it."""
    from matplotlib import font_manager

    path = str(_font_path())
    if path not in _registered:
        font_manager.fontManager.addfont(path)
        _registered.add(path)
    cjk = font_manager.FontProperties(fname=path).get_name()
    return font_manager.FontProperties(family=["DejaVu Sans", cjk], size=size)


def chart_png(chart: Chart) -> bytes:
    """The chart as a PNG image, every label in the project's fonts (see chart_font)."""
    # The object API (no pyplot): no global state, safe in a threaded server.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    font = chart_font(10)
    figure = Figure(figsize=(6.4, 1.3 + 0.45 * len(chart.labels)), dpi=150)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(chart.labels)))[::-1]
    values = [float(v) for v in chart.values]
    bars = axes.barh(positions, values, color="#b22222")
    axes.set_yticks(positions, chart.labels, fontproperties=font)
    axes.set_title(chart.title, fontproperties=chart_font(12))
    axes.bar_label(
        bars,
        labels=[figure_display(v, "", "") for v in chart.values],
        padding=3,
        fontproperties=font,
    )
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_xlim(0, max(values) * 1.15 if values and max(values) > 0 else 1)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    for label in axes.get_xticklabels():
        label.set_fontproperties(font)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


# --- .docx --------------------------------------------------------------------------------


def _set_font(style_or_run, *, size_pt: float | None = None, bold: bool | None = None) -> None:
    """Name the project's font for every script (w:ascii, w:hAnsi, w:eastAsia, w:cs) and
    drop the theme fonts, which Word would otherwise prefer."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = style_or_run.font
    font.name = CJK_FONT_NAME
    if size_pt is not None:
        font.size = Pt(size_pt)
    if bold is not None:
        font.bold = bold
    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), CJK_FONT_NAME)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)


def render_docx(draft: SummaryDraft) -> bytes:
    """Lay out a draft as a .docx: A4 with the margins of official documents, the title in
    22 pt, body in 16 pt, charts 15 cm wide, the appendix as a table."""
    import docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    _font_path()
    document = docx.Document()
    page = document.sections[0]
    page.page_width, page.page_height = Cm(21), Cm(29.7)
    page.top_margin, page.bottom_margin = Cm(3.7), Cm(3.5)
    page.left_margin, page.right_margin = Cm(2.8), Cm(2.6)
    styles = document.styles
    _set_font(styles["Normal"], size_pt=16)
    styles["Normal"].paragraph_format.line_spacing = Pt(28)
    for name, size in (("Title", 22), ("Heading 1", 16), ("Heading 2", 16)):
        _set_font(styles[name], size_pt=size, bold=True)
        styles[name].font.color.rgb = RGBColor(0, 0, 0)
    _set_font(styles["Table Grid"], size_pt=12)
    document.core_properties.title = draft.title

    title = document.add_paragraph(draft.title, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    as_of = document.add_paragraph(draft.as_of_line)
    as_of.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def body(text: str) -> None:
        paragraph = document.add_paragraph(text)
        paragraph.paragraph_format.first_line_indent = Pt(32)

    for text in draft.intro:
        body(text)
    for section in draft.sections:
        document.add_paragraph(section.heading, style="Heading 1")
        for text in section.paragraphs:
            body(text)
        if section.chart is not None:
            document.add_picture(io.BytesIO(section.chart.png), width=Cm(15))
            document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    if draft.appendix:
        document.add_page_break()
        document.add_paragraph(draft.appendix_title, style="Heading 2")
        table = document.add_table(rows=1, cols=3)
        table.style = styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(table.rows[0].cells, ("指标", "数值", "量词"), strict=True):
            cell.text = text
        for row in draft.appendix:
            cells = table.add_row().cells
            cells[0].text, cells[1].text, cells[2].text = (
                row.indicator,
                row.figure,
                row.measure_word,
            )
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def summary_report_docx(
    *, actor, campaign: Campaign, as_of: datetime.date, region: Region | None = None
) -> bytes:
    """The campaign's summary report as of ``as_of`` as a .docx (see ``summary_draft``).
    Raises DomainError for a region outside the campaign's or a missing font."""
    return render_docx(summary_draft(actor=actor, campaign=campaign, as_of=as_of, region=region))


def docx_filename(draft: SummaryDraft) -> str:
    return f"{draft.title}-{draft.as_of.isoformat() if draft.as_of else ''}.docx"
