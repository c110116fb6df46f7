"""The issue's "done when", end to end: the March bulletin of the month walk
(``month_walk.walk_the_month``; hand computation in test_month_walk.py's docstring) is
drafted through the API and issued through its page; then the bulletin PAGE (Django test
client), the API (the bulletin's snapshot) and the issued .docx and .xlsx (downloaded
through both, converted to PDF by LibreOffice headless with a user profile of its own,
read back with pdftotext) all hold the hand-computed numbers. The annual assessment page
and API equal the sum of the issued snapshots, before and after a correction.

The files print 排名 单位 报送 终审 中央 省 市 县 头条 批示 要求 完成 缺报 虚报 得分 (no
township column: township adoptions score 0 and there are none; 虚报 because 鹿城镇 has a
false report); the page and the API also give adoption points, bonus and penalty.
"""

import hashlib
import re

import lxml.html
from django.test import Client
from django.urls import reverse

from campaigndesk.notifications.models import Notification
from campaigndesk.reporting import rendering
from campaigndesk.reporting.models import Bulletin, IssueState
from tests.libreoffice import pdf_texts

from . import web_data as d
from .month_walk import walk_the_month

V = "/api/v1"

# March 2024 under rules v1 (see test_month_walk.py), in the bulletin's order:
# (rank, unit, submitted, signed off, central, provincial, municipal, county, township,
#  headlines, leaders' comments, quota required, counted, met, missing, false reports,
#  adoption points, bonus, penalty, points)
MARCH = [
    ("1", "楚雄市融媒体中心", "3", "2", "1", "2", "1", "0", "0", "1", "1",
     "3", "3", "yes", "0", "0", "36.00", "5.00", "0.00", "51.00"),
    ("2", "东瓜镇人民政府", "3", "1", "0", "0", "1", "1", "0", "0", "0",
     "3", "3", "yes", "0", "0", "4.00", "0.00", "0.00", "14.00"),
    ("2", "紫溪镇人民政府", "3", "2", "0", "0", "0", "2", "0", "0", "0",
     "3", "3", "yes", "0", "0", "4.00", "0.00", "0.00", "14.00"),
    ("4", "鹿城镇人民政府", "2", "2", "0", "0", "1", "1", "0", "0", "0",
     "3", "2", "no", "1", "1", "6.00", "0.00", "12.00", "4.00"),
]  # fmt: skip
# Totals: submitted, signed off, central, provincial, municipal, county, township, headlines.
MARCH_TOTALS = ("11", "7", "1", "2", "3", "4", "0", "1")
# The columns the files print, as indexes into a MARCH row (the unit is checked apart).
FILE_COLUMNS = (0, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 14, 15, 19)

# The annual assessment 2024: February (8 / 4 / 4 / 4) plus March.
ANNUAL = [
    ("1", "楚雄市融媒体中心", "8.00", "51.00", "59.00"),
    ("2", "东瓜镇人民政府", "4.00", "14.00", "18.00"),
    ("2", "紫溪镇人民政府", "4.00", "14.00", "18.00"),
    ("4", "鹿城镇人民政府", "4.00", "4.00", "8.00"),
]
# After the correction of March (b4 no false report: 鹿城镇 3 submitted, quota met,
# no penalty: 10 + 6 = 16.00), still under rules v1.
ANNUAL_CORRECTED = [
    ("1", "楚雄市融媒体中心", "8.00", "51.00", "59.00"),
    ("2", "鹿城镇人民政府", "4.00", "16.00", "20.00"),
    ("3", "东瓜镇人民政府", "4.00", "14.00", "18.00"),
    ("3", "紫溪镇人民政府", "4.00", "14.00", "18.00"),
]


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _body(response) -> bytes:
    assert response.status_code == 200, response.status_code
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


# --- the three readings of one bulletin ------------------------------------------------------


def _cells(element) -> list[str]:
    return [" ".join(cell.text_content().split()) for cell in element.xpath("./th|./td")]


def _page_rows(html: str) -> tuple[list[tuple], tuple]:
    """The bulletin table of the page as MARCH rows and MARCH_TOTALS."""
    [table] = lxml.html.fromstring(html).xpath('//table[@id="bulletin-table"]')
    rows = []
    for tr in table.xpath("./tbody/tr"):
        cells = _cells(tr)
        assert len(cells) == 18, cells
        quota = re.fullmatch(r"(\d+)/(\d+) (✓|missed)", cells[11])
        assert quota, cells[11]
        counted, required, met = quota.groups()
        rows.append((*cells[:11], required, counted, "yes" if met == "✓" else "no", *cells[12:]))
    [foot] = table.xpath("./tfoot/tr")
    totals = _cells(foot)
    assert totals[0] == "Total", totals
    return rows, tuple(totals[1:9])


def _api_rows(snapshot: dict) -> tuple[list[tuple], tuple]:
    """The snapshot's rows and totals as MARCH rows and MARCH_TOTALS."""
    levels = ("central", "provincial", "municipal", "county", "township")
    rows = [
        tuple(
            str(value)
            for value in (
                r["rank"],
                r["unit"],
                r["submitted"],
                r["signed_off"],
                *(r["adopted"][level] for level in levels),
                r["headlines"],
                r["leader_comments"],
                r["quota_required"],
                r["quota_counted"],
                "yes" if r["quota_met"] else "no",
                r["missing"],
                r["false_reports"],
                r["adoption_points"],
                r["bonus"],
                r["penalty"],
                r["points"],
            )
        )
        for r in snapshot["rows"]
    ]
    t = snapshot["totals"]
    totals = tuple(
        str(v)
        for v in (
            t["submitted"],
            t["signed_off"],
            *(t["adopted"][level] for level in levels),
            t["headlines"],
        )
    )
    return rows, totals


def _annual_page_rows(html: str) -> list[tuple]:
    [table] = lxml.html.fromstring(html).xpath('//table[@id="annual-table"]')
    return [tuple(_cells(tr)) for tr in table.xpath("./tbody/tr")]


def _annual_api_rows(data: dict) -> list[tuple]:
    return [
        (
            str(r["rank"]),
            r["unit"],
            *(r["by_month"].get(m, "") for m in data["months"]),
            r["points"],
        )
        for r in data["rows"]
    ]


# --- the files, through LibreOffice --------------------------------------------------------


NUMBER = r"-?\d+(?:\.\d+)?"


def _file_rows(layout: str, width: int) -> list[tuple[str | None, tuple[str, ...]]]:
    """(the unit's text on the line or None, the numbers) of each printed table row: a
    rank, maybe (part of) the unit's name, then ``width`` − 1 numbers ending in 得分."""
    pattern = re.compile(
        rf"^\s*(\d+)\s+(?:(\D\S*)\s+)?((?:{NUMBER}\s+){{{width - 2}}}-?\d+\.\d\d)\s*$",
        re.MULTILINE,
    )
    return [(m.group(2), (m.group(1), *m.group(3).split())) for m in pattern.finditer(layout)]


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _check_file(name: str, texts: tuple[str, str], expected: list[tuple]) -> None:
    layout, raw = texts
    printed = _file_rows(layout, len(FILE_COLUMNS))
    assert [numbers for _unit, numbers in printed] == [
        tuple(row[i] for i in FILE_COLUMNS) for row in expected
    ], (name, layout)
    for (unit_text, _numbers), row in zip(printed, expected, strict=True):
        assert unit_text is None or unit_text in row[1], (name, unit_text, row[1])
        assert row[1] in _compact(raw), (name, row[1])
    # 合计: submitted, signed off, central, provincial, municipal, county, headlines, 批示.
    totals = (*MARCH_TOTALS[:6], MARCH_TOTALS[7], "1")
    assert re.search(r"合计\s+" + r"\s+".join(totals) + r"\s*$", layout, re.MULTILINE), (
        name,
        layout,
    )
    compact = _compact(layout)
    assert "2024年第2期（总第2期）" in compact, name
    assert "东瓜镇人民政府、紫溪镇人民政府得分相同，并列第2名" in compact, name


# --- the test ----------------------------------------------------------------------------------


def test_the_march_bulletin_page_api_and_files_hold_the_same_numbers(world, tmp_path):
    walk = walk_the_month(world)
    campaign = walk.campaign
    api, page = _client(world.office), _client(world.office)

    # Drafted through the API: its preview, the draft page and the hand computation agree.
    response = api.post(
        f"{V}/campaigns/{campaign.pk}/bulletins",
        {
            "period_start": "2024-03-15",
            "signer": "张三",
            "report_to": "州委、州政府",
            "send_to": "各县市委宣传部",
            "distribute_to": "各责任单位",
            "copies": 30,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    draft = response.json()
    assert (draft["state"], draft["period_start"], draft["snapshot"]) == (
        "draft",
        "2024-03-01",
        None,
    )
    bid = draft["id"]
    preview = api.get(f"{V}/bulletins/{bid}/preview").json()
    assert _api_rows(preview) == (MARCH, MARCH_TOTALS)
    draft_page = _body(page.get(reverse("reporting:bulletin_detail", args=[bid]))).decode()
    assert _page_rows(draft_page) == (MARCH, MARCH_TOTALS)

    # Issued through the page.
    response = page.post(
        reverse("reporting:bulletin_issue", args=[bid]), {"issue_date": "2024-04-08"}
    )
    assert response.status_code == 302
    bulletin = Bulletin.objects.get(pk=bid)
    assert bulletin.state == IssueState.ISSUED

    # The API: numbered after February (第1期) and the briefing (a series of its own).
    data = api.get(f"{V}/bulletins/{bid}").json()
    assert (data["state"], data["year"], data["number"], data["total_number"]) == (
        "issued",
        2024,
        2,
        2,
    )
    assert data["issue_date"] == "2024-04-08"
    assert data["snapshot"] == bulletin.snapshot
    assert _api_rows(data["snapshot"]) == (MARCH, MARCH_TOTALS)
    assert [r["unit_id"] for r in data["snapshot"]["rows"]] == [
        walk.unit_a.pk,
        walk.unit_c.pk,
        walk.unit_d.pk,
        walk.unit_b.pk,
    ]
    assert api.get(f"{V}/bulletins/{bid}/preview").json() == data["snapshot"]

    # The page, for the office and for a unit's reporter alike.
    for viewer in (page, _client(world.reporter)):
        html = _body(viewer.get(reverse("reporting:bulletin_detail", args=[bid]))).decode()
        assert _page_rows(html) == (MARCH, MARCH_TOTALS)
        [number] = lxml.html.fromstring(html).xpath('//dd[@id="document-number"]')
        assert number.text_content().strip() == "2024 No. 2 (total 2)"

    # The files: the same bytes through the page and the API, as stored, with their hash.
    docx = _body(page.get(reverse("reporting:bulletin_docx", args=[bid])))
    xlsx = _body(page.get(reverse("reporting:bulletin_xlsx", args=[bid])))
    assert _body(api.get(f"{V}/bulletins/{bid}/docx")) == docx
    assert _body(api.get(f"{V}/bulletins/{bid}/xlsx")) == xlsx
    assert hashlib.sha256(docx).hexdigest() == data["docx_sha256"] == bulletin.docx_sha256
    assert hashlib.sha256(xlsx).hexdigest() == data["xlsx_sha256"] == bulletin.xlsx_sha256

    # Every unit's reporter was told, with a link to the page.
    link = reverse("reporting:bulletin_detail", args=[bid])
    told = Notification.objects.filter(kind=Notification.Kind.BULLETIN_ISSUED, link=link)
    assert sorted(told.values_list("user__unit_id", flat=True)) == sorted(
        [walk.unit_a.pk, walk.unit_b.pk, walk.unit_c.pk, walk.unit_d.pk]
    )
    mine = _client(world.reporter).get(f"{V}/notifications?unread_only=true").json()["items"]
    assert [n["kind"] for n in mine if n["link"].endswith(f"/bulletins/{bid}/")] == [
        "bulletin_issued"
    ]

    # The annual assessment: page and API are the sums of February's and March's snapshots.
    feb_points = {r["unit_id"]: r["points"] for r in walk.feb.snapshot["rows"]}
    assert set(feb_points.values()) == {"8.00", "4.00"}
    annual = api.get(f"{V}/campaigns/{campaign.pk}/annual?year=2024").json()
    assert annual["months"] == ["2024-02-01", "2024-03-01"]
    assert _annual_api_rows(annual) == ANNUAL
    for row in annual["rows"]:
        march_row = next(r for r in data["snapshot"]["rows"] if r["unit_id"] == row["unit_id"])
        total = float(feb_points[row["unit_id"]]) + float(march_row["points"])
        assert float(row["points"]) == total
    annual_url = reverse("reporting:annual", args=[campaign.pk]) + "?year=2024"
    assert _annual_page_rows(_body(page.get(annual_url)).decode()) == ANNUAL

    # A correction (b4 was no false report after all) supersedes March in both.
    response = api.post(
        f"{V}/items/{walk.b4.pk}/false-report",
        {"is_false": False, "note": "复核属实"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    response = api.post(f"{V}/bulletins/{bid}/correct")
    assert response.status_code == 201, response.content
    fix_id = response.json()["id"]
    response = api.post(
        f"{V}/bulletins/{fix_id}/issue", {"issue_date": "2024-04-10"}, "application/json"
    )
    assert response.status_code == 200, response.content
    fixed = response.json()
    assert (fixed["number"], fixed["total_number"], fixed["corrects_id"]) == (3, 3, bid)
    annual = api.get(f"{V}/campaigns/{campaign.pk}/annual?year=2024").json()
    assert _annual_api_rows(annual) == ANNUAL_CORRECTED
    assert _annual_page_rows(_body(page.get(annual_url)).decode()) == ANNUAL_CORRECTED
    # The corrected issue itself is untouched.
    assert api.get(f"{V}/bulletins/{bid}").json()["snapshot"] == data["snapshot"]
    annual_xlsx = _body(
        page.get(reverse("reporting:annual_xlsx", args=[campaign.pk]) + "?year=2024")
    )
    assert _body(api.get(f"{V}/campaigns/{campaign.pk}/annual?year=2024&format=xlsx")) == (
        annual_xlsx
    )

    # The files through LibreOffice hold the page's and the API's numbers.
    texts = pdf_texts(
        {"march_docx.docx": docx, "march_xlsx.xlsx": xlsx, "annual.xlsx": annual_xlsx},
        tmp_path,
    )
    _check_file("march_docx.docx", texts["march_docx.docx"], MARCH)
    _check_file("march_xlsx.xlsx", texts["march_xlsx.xlsx"], MARCH)
    docx_compact = _compact(texts["march_docx.docx"][0])
    for text in ("签发人：张三", "报：州委、州政府", "（共印30份）", "2024年4月8日"):
        assert text in docx_compact, text
    layout, raw = texts["annual.xlsx"]
    for rank, unit, feb, mar, total in ANNUAL_CORRECTED:
        assert re.search(
            rf"^\s*{rank}\s+\S+\s+{re.escape(feb)}\s+{re.escape(mar)}\s+{re.escape(total)}\s*$",
            layout,
            re.MULTILINE,
        ), (unit, layout)
        assert unit in _compact(raw)


def test_briefings_are_numbered_per_year_and_in_total_alike_on_page_api_and_docx(world):
    """第N期 restarts each year, 总第N期 runs on; a correction is the next number; the page,
    the API and the .docx's 版头 show the same."""
    office = _client(world.office)
    first, second = d.signed_off(world), d.signed_off(world)
    numbers = []
    for item, day in ((first, "2024-12-30"), (second, "2025-01-03")):
        response = office.post(
            f"{V}/campaigns/{world.campaign.pk}/briefings",
            {"item_ids": [item.pk], "signer": "张三"},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        bid = response.json()["id"]
        page = office.post(reverse("reporting:briefing_issue", args=[bid]), {"issue_date": day})
        assert page.status_code == 302
        numbers.append(bid)
    response = office.post(f"{V}/briefings/{numbers[1]}/correct")
    assert response.status_code == 201
    fix = response.json()["id"]
    response = office.post(
        f"{V}/briefings/{fix}/issue", {"issue_date": "2025-01-04"}, "application/json"
    )
    assert response.status_code == 200, response.content
    numbers.append(fix)

    expected = [(2024, 1, 1), (2025, 1, 2), (2025, 2, 3)]
    for bid, (year, number, total) in zip(numbers, expected, strict=True):
        data = office.get(f"{V}/briefings/{bid}").json()
        assert (data["year"], data["number"], data["total_number"]) == (year, number, total)
        assert (data["snapshot"]["number"], data["snapshot"]["total_number"]) == (number, total)
        html = _body(office.get(reverse("reporting:briefing_detail", args=[bid]))).decode()
        [shown] = lxml.html.fromstring(html).xpath('//dd[@id="document-number"]')
        assert shown.text_content().strip() == f"{year} No. {number} (total {total})"
        docx = _body(office.get(reverse("reporting:briefing_docx", args=[bid])))
        assert _body(office.get(f"{V}/briefings/{bid}/docx")) == docx
        assert hashlib.sha256(docx).hexdigest() == data["docx_sha256"]
        text = _compact(rendering.document_text(docx))
        assert f"{year}年第{number}期（总第{total}期）" in text, text[:200]
    assert "更正2025年第1期" in _compact(
        rendering.document_text(_body(office.get(f"{V}/briefings/{fix}/docx")))
    )
