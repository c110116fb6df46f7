"""Issued briefings, bulletins and the annual assessment rendered from their snapshots:
the GB/T 9704 layout of the .docx, numbers as numbers in the .xlsx, the same bytes for the
same snapshot, and every number and name of the snapshot in the PDF LibreOffice makes."""

import copy
import hashlib
import io
import re
import time
import zipfile

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from campaigndesk.common.errors import DomainError
from campaigndesk.documents.drafting import CJK_FONT_NAME
from campaigndesk.reporting.rendering import (
    document_text,
    render_annual_xlsx,
    render_briefing_docx,
    render_bulletin_docx,
    render_bulletin_xlsx,
)
from tests.libreoffice import pdf_texts

# The month of four units, hand-computed under the rules below (highest level once per
# item; central 20, provincial 6, municipal 4, county 2; headline ×2; 批示 +5; −2 per
# missing item, −10 per false report):
#   鹿城镇人民政府   item 1 central headline 40, item 2 provincial 6 (its municipal adoption
#                    adds nothing), item 3 municipal 4 (its county one adds nothing) = 50,
#                    one 批示 +5 → 55.00, rank 1
#   楚雄市融媒体中心 provincial 6 + municipal 4 + municipal 4 + county 2 = 16.00
#   东瓜镇           provincial 6 + provincial 6 + municipal 4 = 16.00 (并列第2名)
#   楚雄州文化和旅游局 1 item counted of 3 → −4, a false report −10 → −14.00, rank 4
BULLETIN = {
    "kind": "bulletin",
    "title": "信息报送工作通报",
    "campaign": {"id": 1, "name": "和谐库区宣传活动"},
    "office": "楚雄州委宣传部",
    "year": 2026,
    "number": 3,
    "total_number": 17,
    "issue_date": "2026-03-06",
    "signer": "张三",
    "report_to": "州委、州政府",
    "send_to": "省委宣传部",
    "distribute_to": "各县市委宣传部，各责任单位",
    "copies": 30,
    "corrects": {"year": 2026, "number": 2, "title": "信息报送工作通报"},
    "period": {"start": "2026-02-01", "end": "2026-02-28"},
    "rules": {
        "version": 2,
        "valid_from": "2026-01-01",
        "scoring_mode": "highest_once",
        "points": {
            "central": "20.00",
            "provincial": "6.00",
            "municipal": "4.00",
            "county": "2.00",
            "township": "0.00",
        },
        "headline_multiplier": "2.00",
        "leader_comment_bonus": "5.00",
        "missing_quota_penalty": "2.00",
        "false_report_penalty": "10.00",
        "base_points": "0.00",
    },
    "quota": {"count": 3, "period": "month", "due_day": 5},
    "rows": [
        {
            "rank": 1,
            "unit_id": 7,
            "unit": "鹿城镇人民政府",
            "submitted": 5,
            "signed_off": 4,
            "adopted": {"central": 1, "provincial": 1, "municipal": 2, "county": 1, "township": 0},
            "headlines": 1,
            "leader_comments": 1,
            "false_reports": 0,
            "quota_required": 3,
            "quota_counted": 5,
            "missing": 0,
            "quota_met": True,
            "adoption_points": "50.00",
            "bonus": "5.00",
            "penalty": "0.00",
            "points": "55.00",
        },
        {
            "rank": 2,
            "unit_id": 8,
            "unit": "楚雄市融媒体中心",
            "submitted": 4,
            "signed_off": 3,
            "adopted": {"central": 0, "provincial": 1, "municipal": 2, "county": 1, "township": 0},
            "headlines": 0,
            "leader_comments": 0,
            "false_reports": 0,
            "quota_required": 3,
            "quota_counted": 4,
            "missing": 0,
            "quota_met": True,
            "adoption_points": "16.00",
            "bonus": "0.00",
            "penalty": "0.00",
            "points": "16.00",
        },
        {
            "rank": 2,
            "unit_id": 9,
            "unit": "东瓜镇",
            "submitted": 3,
            "signed_off": 3,
            "adopted": {"central": 0, "provincial": 2, "municipal": 1, "county": 0, "township": 0},
            "headlines": 0,
            "leader_comments": 0,
            "false_reports": 0,
            "quota_required": 3,
            "quota_counted": 3,
            "missing": 0,
            "quota_met": True,
            "adoption_points": "16.00",
            "bonus": "0.00",
            "penalty": "0.00",
            "points": "16.00",
        },
        {
            "rank": 4,
            "unit_id": 10,
            "unit": "楚雄州文化和旅游局",
            "submitted": 1,
            "signed_off": 0,
            "adopted": {"central": 0, "provincial": 0, "municipal": 0, "county": 0, "township": 0},
            "headlines": 0,
            "leader_comments": 0,
            "false_reports": 1,
            "quota_required": 3,
            "quota_counted": 1,
            "missing": 2,
            "quota_met": False,
            "adoption_points": "0.00",
            "bonus": "0.00",
            "penalty": "14.00",
            "points": "-14.00",
        },
    ],
    "totals": {
        "submitted": 13,
        "signed_off": 10,
        "adopted": {"central": 1, "provincial": 4, "municipal": 5, "county": 2, "township": 0},
        "headlines": 1,
    },
}

# The table as the bulletin prints it: 排名 | 单位 | 报送 | 终审 | 中央 | 省 | 市 | 县 | 头条 |
# 批示 | 要求 | 完成 | 缺报 | 虚报 | 得分 (虚报 because the month has a false report).
BULLETIN_LINES = [
    "1 | 鹿城镇人民政府 | 5 | 4 | 1 | 1 | 2 | 1 | 1 | 1 | 3 | 5 | 0 | 0 | 55.00",
    "2 | 楚雄市融媒体中心 | 4 | 3 | 0 | 1 | 2 | 1 | 0 | 0 | 3 | 4 | 0 | 0 | 16.00",
    "2 | 东瓜镇 | 3 | 3 | 0 | 2 | 1 | 0 | 0 | 0 | 3 | 3 | 0 | 0 | 16.00",
    "4 | 楚雄州文化和旅游局 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 3 | 1 | 2 | 1 | -14.00",
]
BULLETIN_TOTALS = "合计 | 13 | 10 | 1 | 4 | 5 | 2 | 1"

BRIEFING = {
    "kind": "briefing",
    "title": "工作简报",
    "campaign": {"id": 1, "name": "和谐库区宣传活动"},
    "office": "楚雄州委宣传部",
    "year": 2026,
    "number": 5,
    "total_number": 21,
    "issue_date": "2026-03-09",
    "signer": "李四",
    "report_to": "州委、州政府",
    "send_to": "省委宣传部",
    "distribute_to": "各县市委宣传部",
    "copies": 50,
    "corrects": None,
    "items": [
        {
            "id": 5,
            "title": "鹿城镇开展主题宣讲进村组活动",
            "body": "3月2日，鹿城镇组织宣讲队深入12个村（社区）开展宣讲14场次。\n"
            "参与群众1200余人次，发放宣传册3600册。",
            "unit": "鹿城镇人民政府",
            "submitted_at": "2026-03-02T10:00:00+08:00",
        },
        {
            "id": 6,
            "title": "楚雄市融媒体中心推出系列报道",
            "body": "市融媒体中心开设专栏，推出稿件36篇，阅读量85000次。",
            "unit": "楚雄市融媒体中心",
            "submitted_at": "2026-03-03T09:30:00+08:00",
        },
    ],
}

ANNUAL = {
    "kind": "annual",
    "campaign": {"id": 1, "name": "和谐库区宣传活动"},
    "year": 2026,
    "months": ["2026-01-01", "2026-02-01"],
    "rows": [
        {
            "rank": 1,
            "unit_id": 7,
            "unit": "鹿城镇人民政府",
            "by_month": {"2026-01-01": "23.00", "2026-02-01": "55.00"},
            "points": "78.00",
        },
        {
            "rank": 2,
            "unit_id": 8,
            "unit": "楚雄市融媒体中心",
            "by_month": {"2026-01-01": "12.50", "2026-02-01": "16.00"},
            "points": "28.50",
        },
        {
            "rank": 2,
            "unit_id": 9,
            "unit": "东瓜镇",
            "by_month": {"2026-01-01": "12.50", "2026-02-01": "16.00"},
            "points": "28.50",
        },
        {
            "rank": 4,
            "unit_id": 10,
            "unit": "楚雄州文化和旅游局",
            "by_month": {"2026-02-01": "-14.00"},
            "points": "-14.00",
        },
    ],
}
ANNUAL_LINES = [
    "1 | 鹿城镇人民政府 | 23.00 | 55.00 | 78.00",
    "2 | 楚雄市融媒体中心 | 12.50 | 16.00 | 28.50",
    "2 | 东瓜镇 | 12.50 | 16.00 | 28.50",
    "4 | 楚雄州文化和旅游局 |  | -14.00 | -14.00",
]


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- .docx layout -----------------------------------------------------------------------------


def test_the_bulletin_docx_has_the_official_layout():
    document = docx.Document(io.BytesIO(render_bulletin_docx(BULLETIN)))
    page = document.sections[0]
    # In whole millimetres: Word stores twips, so 210 mm comes back as 210.01 mm.
    sizes = [
        page.page_width,
        page.page_height,
        page.top_margin,
        page.bottom_margin,
        page.left_margin,
        page.right_margin,
    ]
    assert [round(size.mm) for size in sizes] == [210, 297, 37, 35, 28, 26]
    paragraphs = list(document.paragraphs)
    texts = [p.text for p in paragraphs]
    # 版头: the bulletin's title large and red, the numbers, 签发人, office and date.
    head = paragraphs[0].runs[0]
    assert texts[0] == "信息报送工作通报"
    assert head.font.color.rgb == RGBColor(0xFF, 0, 0)
    assert head.font.size >= Pt(30)
    assert texts[1:5] == [
        "2026年第3期（总第17期）",
        "签发人：张三",
        "楚雄州委宣传部\t2026年3月6日",
        "（更正 2026年第2期《信息报送工作通报》）",
    ]
    # The red separator line under the office and date.
    bottom = paragraphs[3]._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert bottom.get(qn("w:color")) == "FF0000"
    title = next(p for p in paragraphs if p.text == "关于2026年2月信息报送情况的通报")
    assert title.runs[0].font.size == Pt(22)
    intro = next(p for p in paragraphs if p.text.startswith("现将"))
    assert intro.text == (
        "现将2026年2月（2026年2月1日至2026年2月28日）各单位和谐库区宣传活动信息报送、"
        "审核采用及定额完成情况通报如下。"
    )
    assert (
        "本期按第2版考核细则（2026年1月1日起施行）计分：信息被媒体采用每篇计中央级20分、"
        "省级6分、市级4分、县级2分，头条（头版）乘以2，同一篇信息按其最高采用级别计分一次；"
        "领导批示每次加5分；缺报每篇扣2分，虚报每篇扣10分。"
    ) in texts
    assert "报送定额为每单位每月3篇（次月5日前报送）。" in texts
    assert "注：楚雄市融媒体中心、东瓜镇得分相同，并列第2名。" in texts
    # 版记 at the end.
    assert texts[-5:] == [
        "报：州委、州政府",
        "送：省委宣传部",
        "发：各县市委宣传部，各责任单位",
        "楚雄州委宣传部\t2026年3月6日印发",
        "（共印30份）",
    ]
    normal = document.styles["Normal"]
    assert normal.font.size == Pt(16)
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == CJK_FONT_NAME


def test_the_bulletin_table_holds_the_snapshot_numbers():
    text = document_text(render_bulletin_docx(BULLETIN)).splitlines()
    start = text.index("排名 | 单位 | 报送 | 终审 | 采用 | 头条 | 批示 | 定额 | 缺报 | 虚报 | 得分")
    assert text[start + 1] == (
        "排名 | 单位 | 报送 | 终审 | 中央 | 省 | 市 | 县 | 头条 | 批示 | 要求 | 完成 | 缺报 | "
        "虚报 | 得分"
    )
    assert text[start + 2 : start + 6] == BULLETIN_LINES
    assert text[start + 6] == " | " + BULLETIN_TOTALS + " |  |  |  |  |  | "


def test_a_month_without_quota_or_false_reports_has_no_such_figures():
    snapshot = copy.deepcopy(BULLETIN)
    snapshot["quota"] = None
    snapshot["corrects"] = None
    snapshot["signer"] = ""
    for row in snapshot["rows"]:
        row["false_reports"] = 0
    text = document_text(render_bulletin_docx(snapshot))
    # No quota: 要求 and 缺报 are dashes, not zeros; no 虚报 column; no correction, no 签发人.
    assert "1 | 鹿城镇人民政府 | 5 | 4 | 1 | 1 | 2 | 1 | 1 | 1 | — | 5 | — | 55.00" in text
    assert "虚报 |" not in text
    assert "更正" not in text
    assert "签发人" not in text
    assert "报送定额" not in text


def test_township_adoptions_weekly_quota_and_per_adoption_scoring_are_described():
    snapshot = copy.deepcopy(BULLETIN)
    snapshot["rules"]["scoring_mode"] = "per_adoption"
    snapshot["rules"]["points"]["township"] = "1.00"
    snapshot["rules"]["base_points"] = "10.00"
    snapshot["quota"] = {"count": 1, "period": "week", "due_day": 2}
    snapshot["rows"][2]["adopted"]["township"] = 3
    text = document_text(render_bulletin_docx(snapshot))
    assert "县级2分、乡镇级1分，头条（头版）乘以2，每次采用分别计分；" in text
    assert "虚报每篇扣10分；基础分10分。" in text
    assert "报送定额为每单位每周1篇（周日后2日内报送）。" in text
    # A 乡 column between 县 and 头条, holding 东瓜镇's three township adoptions.
    assert "中央 | 省 | 市 | 县 | 乡 | 头条" in text
    assert "2 | 东瓜镇 | 3 | 3 | 0 | 2 | 1 | 0 | 3 | 0 | 0 | 3 | 3 | 0 | 0 | 16.00" in text


def test_the_briefing_docx_has_each_item_with_its_unit():
    data = render_briefing_docx(BRIEFING)
    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    assert texts[:4] == [
        "工作简报",
        "2026年第5期（总第21期）",
        "签发人：李四",
        "楚雄州委宣传部\t2026年3月9日",
    ]
    first = texts.index("鹿城镇开展主题宣讲进村组活动")
    assert texts[first + 1 : first + 4] == [
        "3月2日，鹿城镇组织宣讲队深入12个村（社区）开展宣讲14场次。",
        "参与群众1200余人次，发放宣传册3600册。",
        "（鹿城镇人民政府供稿）",
    ]
    title = document.paragraphs[first]
    assert title.runs[0].font.bold is True
    assert "（楚雄市融媒体中心供稿）" in texts
    assert "更正" not in "".join(texts)
    assert texts[-2:] == ["楚雄州委宣传部\t2026年3月9日印发", "（共印50份）"]


# --- .xlsx ------------------------------------------------------------------------------------


def test_the_bulletin_xlsx_has_numbers_as_numbers():
    data = render_bulletin_xlsx(BULLETIN)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value == "信息报送工作通报"
    assert "2026年第3期（总第17期）" in sheet["A2"].value
    assert "更正 2026年第2期" in sheet["A2"].value
    assert sheet.freeze_panes == "C5"
    assert [sheet.cell(row=3, column=c).value for c in (1, 2, 5, 11, 15)] == [
        "排名",
        "单位",
        "采用",
        "定额",
        "得分",
    ]
    assert [sheet.cell(row=4, column=c).value for c in range(5, 9)] == ["中央", "省", "市", "县"]
    # Row 5: 鹿城镇人民政府; counts are integers, 得分 a number shown with 2 places.
    assert sheet["A5"].value == 1 and sheet["B5"].value == "鹿城镇人民政府"
    assert sheet["C5"].value == 5 and sheet["C5"].number_format == "0"
    assert sheet["O5"].value == 55 and sheet["O5"].number_format == "0.00"
    assert sheet["O8"].value == -14
    assert sheet["A7"].value == 2  # 东瓜镇 shares rank 2
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["C"].width > 0
    lines = document_text(data).splitlines()
    assert lines[4:8] == BULLETIN_LINES
    assert lines[8] == " | " + BULLETIN_TOTALS
    assert lines[9] == "注：楚雄市融媒体中心、东瓜镇得分相同，并列第2名。"


def test_the_annual_xlsx_totals_each_unit_by_month():
    data = render_annual_xlsx(ANNUAL)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value == "和谐库区宣传活动2026年度信息报送考核得分"
    assert [c.value for c in sheet[3]] == ["排名", "单位", "1月", "2月", "全年得分"]
    assert sheet["E5"].value == 28.5 and sheet["E5"].number_format == "0.00"
    assert sheet["C7"].value is None  # no bulletin point for that unit in January
    assert sheet.freeze_panes == "C4"
    lines = document_text(data).splitlines()
    assert lines[3:7] == ANNUAL_LINES
    assert "并列第2名" in lines[7]


def test_document_text_refuses_other_files():
    with pytest.raises(DomainError):
        document_text(b"%PDF-1.4 not an office file")


# --- the same snapshot, the same bytes --------------------------------------------------------

RENDERERS = [
    ("bulletin.docx", render_bulletin_docx, BULLETIN),
    ("briefing.docx", render_briefing_docx, BRIEFING),
    ("bulletin.xlsx", render_bulletin_xlsx, BULLETIN),
    ("annual.xlsx", render_annual_xlsx, ANNUAL),
]


def test_the_same_snapshot_gives_the_same_bytes():
    first = {name: render(snapshot) for name, render, snapshot in RENDERERS}
    # Past the 2-second resolution of zip timestamps, so the clock would show if it leaked.
    time.sleep(2.1)
    for name, render, snapshot in RENDERERS:
        again = render(copy.deepcopy(snapshot))
        assert hashlib.sha256(again).hexdigest() == hashlib.sha256(first[name]).hexdigest(), name
        with zipfile.ZipFile(io.BytesIO(again)) as package:
            members = package.infolist()
            core = package.read("docProps/core.xml").decode()
        assert members[0].filename == "[Content_Types].xml"
        issued = (2026, 3, 9) if name == "briefing.docx" else (2026, 3, 6)
        if name == "annual.xlsx":
            issued = (2026, 1, 1)  # not issued: the first day of its year
        assert {m.date_time for m in members} == {(*issued, 0, 0, 0)}
        day = "-".join(f"{part:02d}" for part in issued)
        assert f"{day}T00:00:00Z</dcterms:created>" in core
        assert f"{day}T00:00:00Z</dcterms:modified>" in core


def test_a_different_snapshot_gives_different_bytes():
    changed = copy.deepcopy(BULLETIN)
    changed["rows"][0]["points"] = "56.00"
    assert render_bulletin_docx(changed) != render_bulletin_docx(BULLETIN)
    assert render_bulletin_xlsx(changed) != render_bulletin_xlsx(BULLETIN)


# --- LibreOffice: the files open and print the same numbers -----------------------------------


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, tuple[str, str]]:
    """name → (pdftotext -layout text, pdftotext -raw text) of every rendered document,
    converted in one LibreOffice run with its own user profile."""
    # Distinct stems: LibreOffice names each PDF after its source.
    sources = {
        f"{name.replace('.', '_')}.{name.rsplit('.', 1)[1]}": (name, render(snapshot))
        for name, render, snapshot in RENDERERS
    }
    texts = pdf_texts(
        {source: data for source, (_name, data) in sources.items()},
        tmp_path_factory.mktemp("rendered"),
        font="DroidSansFallback",
    )
    return {name: texts[source] for source, (name, _data) in sources.items()}


def _row_printed(layout: str, line: str) -> bool:
    """Is the table row ``line`` ("rank | unit | n | n ...") printed on one line of the
    layout text: the rank, the (possibly wrapped) unit, then the same numbers in order?"""
    cells = line.split(" | ")
    numbers = [re.escape(cell) for cell in cells[2:] if cell]
    pattern = rf"^\s*{cells[0]}\s+\S+\s+" + r"\s+".join(numbers) + r"\s*$"
    return re.search(pattern, layout, re.MULTILINE) is not None


@pytest.mark.parametrize("name", ["bulletin.docx", "bulletin.xlsx"])
def test_the_bulletin_pdf_prints_every_number_and_unit(pdfs, name):
    layout, raw = pdfs[name]
    for line in BULLETIN_LINES:
        assert _row_printed(layout, line), (line, layout)
    assert re.search(r"合计\s+13\s+10\s+1\s+4\s+5\s+2\s+1\s*$", layout, re.MULTILINE), layout
    for row in BULLETIN["rows"]:
        assert row["unit"] in _compact(raw), row["unit"]
    compact = _compact(layout)
    assert "2026年第3期（总第17期）" in compact
    assert "更正2026年第2期" in compact
    assert "并列第2名" in compact


def test_the_bulletin_docx_pdf_has_the_header_and_colophon(pdfs):
    compact = _compact(pdfs["bulletin.docx"][0])
    for text in (
        "信息报送工作通报",
        "签发人：张三",
        "楚雄州委宣传部2026年3月6日",
        "关于2026年2月信息报送情况的通报",
        "报：州委、州政府",
        "送：省委宣传部",
        "发：各县市委宣传部，各责任单位",
        "楚雄州委宣传部2026年3月6日印发",
        "（共印30份）",
    ):
        assert text in compact, text


def test_the_briefing_pdf_has_every_item_and_line(pdfs):
    compact = _compact(pdfs["briefing.docx"][0])
    for text in (
        "工作简报",
        "2026年第5期（总第21期）",
        "签发人：李四",
        "楚雄州委宣传部2026年3月9日",
        "鹿城镇开展主题宣讲进村组活动",
        "开展宣讲14场次",
        "参与群众1200余人次，发放宣传册3600册",
        "（鹿城镇人民政府供稿）",
        "推出稿件36篇，阅读量85000次",
        "（楚雄市融媒体中心供稿）",
        "报：州委、州政府",
        "送：省委宣传部",
        "发：各县市委宣传部",
        "楚雄州委宣传部2026年3月9日印发",
        "（共印50份）",
    ):
        assert text in compact, text


def test_the_annual_pdf_prints_every_unit_and_total(pdfs):
    layout, raw = pdfs["annual.xlsx"]
    for line in ANNUAL_LINES:
        assert _row_printed(layout, line), (line, layout)
    for row in ANNUAL["rows"]:
        assert row["unit"] in _compact(raw)
    assert "和谐库区宣传活动2026年度信息报送考核得分" in _compact(layout)
