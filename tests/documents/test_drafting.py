"""The summary report drafted from the ledger: every figure in it is the rollup's, in the
.docx and in the PDF that LibreOffice makes of it."""

import io
import re
from decimal import Decimal

import docx
import pytest
from docx.oxml.ns import qn

from campaigndesk.common.errors import DomainError
from campaigndesk.documents import drafting
from campaigndesk.documents.drafting import CJK_FONT_NAME, summary_draft, summary_report_docx
from campaigndesk.documents.extraction import extract_figures
from campaigndesk.ledger.display import figure_display
from campaigndesk.ledger.models import Aggregation
from campaigndesk.ledger.rollup import RollupFilter, rollup
from tests.libreoffice import pdf_texts

from .helpers import seed_ledger

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def drafted(world):
    as_of = seed_ledger(world)
    data = summary_report_docx(actor=world.office, campaign=world.campaign, as_of=as_of)
    totals = rollup(actor=world.office, campaign=world.campaign, filters=RollupFilter(as_of=as_of))
    rows = [row for row in totals.rows if not row.group and row.value is not None]
    return data, rows, as_of


def _written(row) -> str:
    measure = "%" if row.indicator.aggregation == Aggregation.RATIO else row.indicator.measure_word
    return figure_display(row.value, row.approx, measure)


def _docx_text(data: bytes) -> tuple[str, str]:
    """(body paragraphs, appendix table cells) of a .docx."""
    document = docx.Document(io.BytesIO(data))
    body = "\n".join(p.text for p in document.paragraphs)
    table = "\n".join(
        " | ".join(cell.text for cell in row.cells)
        for table in document.tables
        for row in table.rows
    )
    return body, table


def _check_figures(text: str, rows, *, copies: int = 1) -> None:
    """Every rollup total is written in ``text`` with its measure word and 余/约, and the
    figures the extraction finds in ``text`` are exactly the rollup's values, each written
    ``copies`` times (once in the text, once in the appendix)."""
    compact = re.sub(r"\s+", "", text)
    for row in rows:
        assert _written(row) in compact, (row.indicator.code, _written(row))
    found = extract_figures(compact)
    assert sorted(Decimal(str(f.value)) for f in found) == sorted(
        row.value for row in rows for _copy in range(copies)
    )
    # Approximate totals keep their 余; exact ones have none.
    approx = {row.value: row.approx for row in rows}
    for figure in found:
        if approx[Decimal(str(figure.value))] == "more" and figure.measure:
            assert figure.approx == "more", figure


def test_the_docx_holds_every_rollup_figure_and_nothing_else(drafted):
    data, rows, _as_of = drafted
    codes = {row.indicator.code for row in rows}
    # The ledger in every category; the leaflets filed after the as-of date do not count.
    assert {"meetings", "news_reports", "banners", "lectures", "awareness_rate"} <= codes
    assert next(r for r in rows if r.indicator.code == "leaflets").value == 176128
    body, table = _docx_text(data)
    assert body.startswith("和谐库区宣传活动工作情况总结\n（截至2024年5月31日）")
    assert "176128余张" in body
    assert "知晓率93.4%" in body
    _check_figures(body, rows)
    # The appendix: indicator | figure | measure word, one row per rollup total.
    lines = table.splitlines()
    assert lines[0] == "指标 | 数值 | 量词"
    assert len(lines) == 1 + len(rows)
    assert "发放宣传单 | 176128余 | 张" in lines
    _check_figures(table.replace(" | ", ""), rows)


def test_the_docx_has_its_sections_charts_and_font(drafted, world):
    data, _rows, _as_of = drafted
    document = docx.Document(io.BytesIO(data))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [
        "一、加强组织领导，统筹推进工作",
        "二、突出媒体宣传，营造浓厚氛围",
        "三、强化阵地宣传，扩大覆盖范围",
        "四、开展系列活动，推动宣传进基层",
        "五、宣传成效",
    ]  # no opinion section: the ledger has no opinion figures
    body = "\n".join(p.text for p in document.paragraphs)
    assert "市委常委、宣传部部长李明任组长" in body
    assert "鹿城镇人民政府" in body
    images = [
        part for part in document.part.package.parts if part.partname.startswith("/word/media/")
    ]
    assert len(images) == 3  # media, materials, events
    assert all(image.blob.startswith(PNG) for image in images)
    for name in ("Normal", "Title", "Heading 1"):
        fonts = document.styles[name].element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) == CJK_FONT_NAME
        assert fonts.get(qn("w:asciiTheme")) is None


def test_the_draft_converts_to_pdf_with_the_same_figures(drafted, tmp_path):
    """LibreOffice (headless, with its own profile) makes a PDF of the draft; its text
    (pdftotext) holds the same figures."""
    data, rows, _as_of = drafted
    texts = pdf_texts({"summary.docx": data}, tmp_path, font="DroidSansFallback", modes=("",))
    (text,) = texts["summary.docx"]
    assert "工作情况总结" in text
    _check_figures(text, rows, copies=2)


def test_a_region_narrows_the_figures(world):
    as_of = seed_ledger(world)
    draft = summary_draft(
        actor=world.office, campaign=world.campaign, as_of=as_of, region=world.township
    )
    assert draft.title.startswith("鹿城镇")
    text = "\n".join(p for s in draft.sections for p in s.paragraphs)
    assert "宣讲14场次" in text
    assert "文艺巡演" not in text  # held by the county's unit, not in the township


def test_a_figure_of_zero_is_reported_as_the_dashboard_shows_it(world):
    from campaigndesk.ledger.models import Indicator

    from .helpers import D, record

    as_of = seed_ledger(world)
    record(
        world,
        "figure",
        unit=world.county_unit,
        indicator=Indicator.objects.get(code="views_cumulative"),
        value=Decimal(0),
        approx="",
        date=D(2024, 5, 1),
    )
    draft = summary_draft(actor=world.office, campaign=world.campaign, as_of=as_of)
    name = Indicator.objects.get(code="views_cumulative").name
    assert [row.figure for row in draft.appendix if row.indicator == name] == ["0"]


def test_a_region_outside_the_campaign_is_refused(world):
    as_of = seed_ledger(world)
    with pytest.raises(DomainError):
        summary_draft(
            actor=world.office, campaign=world.campaign, as_of=as_of, region=world.other_county
        )


def test_the_figures_are_the_actors_own(world):
    """A reporter's draft holds only what the reporter sees: its own unit's figures."""
    as_of = seed_ledger(world)
    draft = summary_draft(actor=world.reporter, campaign=world.campaign, as_of=as_of)
    text = "\n".join(p for s in draft.sections for p in s.paragraphs)
    assert "宣讲14场次" in text
    assert "文艺巡演" not in text


def test_an_empty_ledger_drafts_the_frame_without_figures(world):
    draft = summary_draft(
        actor=world.office, campaign=world.campaign, as_of=world.campaign.end_date
    )
    assert draft.appendix == []
    assert [s.heading for s in draft.sections] == ["一、加强组织领导，统筹推进工作"]
    data = drafting.render_docx(draft)
    assert docx.Document(io.BytesIO(data)).paragraphs[0].text == draft.title


def test_a_missing_font_is_a_clear_error(world, monkeypatch, tmp_path):
    monkeypatch.setattr(drafting, "CJK_FONT_PATH", tmp_path / "missing.ttf")
    as_of = seed_ledger(world)
    with pytest.raises(DomainError) as error:
        summary_report_docx(actor=world.office, campaign=world.campaign, as_of=as_of)
    assert error.value.code == "font_missing"
