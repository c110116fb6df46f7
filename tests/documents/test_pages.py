"""The documents pages: upload or paste a report, review its figures in context, import
them; the summary-report preview and download; the schedule table pasted as text."""

import io
import re
from types import SimpleNamespace

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from campaigndesk.campaigns.models import ScheduleItem
from campaigndesk.documents.models import SourceReport
from campaigndesk.documents.selectors import figure_context
from campaigndesk.ledger.models import FigureRecord
from campaigndesk.ledger.rollup import rollup

from .helpers import PASTED, REPORT, seed_ledger


@pytest.fixture
def office(world) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.office)
    return client


def test_paste_review_and_import_a_report(world, office):
    url = f"/documents/campaigns/{world.campaign.pk}/reports/"
    response = office.post(url, {"text": REPORT, "title": ""})
    report = SourceReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/documents/reports/{report.pk}/"

    page = office.get(f"/documents/reports/{report.pk}/").content.decode()
    # Each figure in its context, the span highlighted, the suggestion preselected.
    assert "全镇累计开展政策宣讲<mark>36</mark>场次" in page
    first = report.figures.order_by("start")[0]
    row = page[page.index(f'id="figure-{first.pk}"') :]
    row = row[: row.index("</tr>")]
    assert re.search(r'<option value="lectures" selected>', row)

    for figure in report.figures.order_by("start")[:3]:
        response = office.post(f"/documents/figures/{figure.pk}/review/", {"decision": "accept"})
        assert response.status_code == 302
        assert response["Location"].endswith(f"#figure-{figure.pk}")
    # The reviewer chooses another indicator for the fourth figure (86条横幅).
    fourth = report.figures.order_by("start")[3]
    office.post(
        f"/documents/figures/{fourth.pk}/review/",
        {"decision": "accept", "indicator": "led_slogans"},
    )
    response = office.post(
        f"/documents/reports/{report.pk}/import/", {"unit": world.township_unit.pk}
    )
    assert response.status_code == 302
    assert FigureRecord.objects.count() == 4
    totals = rollup(actor=world.office, campaign=world.campaign)
    assert totals.value("lectures") == 36
    assert totals.value("led_slogans") == 86
    page = office.get(f"/documents/reports/{report.pk}/").content.decode()
    assert "4 figures were filed in the ledger" in page
    assert page.count("in the ledger") >= 4


def test_import_without_a_date_for_undated_figures_imports_nothing(world, office):
    office.post(f"/documents/campaigns/{world.campaign.pk}/reports/", {"text": REPORT})
    report = SourceReport.objects.get()
    for figure in report.figures.all():
        office.post(f"/documents/figures/{figure.pk}/review/", {"decision": "accept"})
    response = office.post(
        f"/documents/reports/{report.pk}/import/", {"unit": world.township_unit.pk}, follow=True
    )
    assert "Nothing was imported" in response.content.decode()
    assert FigureRecord.objects.count() == 0


def test_upload_a_gb18030_file_and_a_binary_one(world, office):
    url = f"/documents/campaigns/{world.campaign.pk}/reports/"
    text = "截至2024年3月31日，全市懸掛橫幅1260條。\n"
    upload = SimpleUploadedFile("報告.txt", text.encode("gb18030"), content_type="text/plain")
    assert office.post(url, {"file": upload}).status_code == 302
    assert SourceReport.objects.get().text == text
    binary = SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4)
    response = office.post(url, {"file": binary})
    assert response.status_code == 200
    assert "This file is not text" in response.content.decode()
    assert SourceReport.objects.count() == 1
    response = office.post(url, {})
    assert "Upload a file or paste the report" in response.content.decode()


def test_summary_preview_and_download(world, office):
    as_of = seed_ledger(world)
    url = f"/documents/campaigns/{world.campaign.pk}/summary/?as_of={as_of.isoformat()}"
    page = office.get(url).content.decode()
    assert "和谐库区宣传活动工作情况总结" in page
    assert "（截至2024年5月31日）" in page
    assert "发放宣传单176128余张" in page
    assert page.count('src="data:image/png;base64,') == 3
    assert "summary.docx?as_of=2024-05-31" in page
    response = office.get(
        f"/documents/campaigns/{world.campaign.pk}/summary.docx?as_of={as_of.isoformat()}"
    )
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert "attachment" in response["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.content))
    assert document.paragraphs[0].text == "和谐库区宣传活动工作情况总结"
    body = "\n".join(p.text for p in document.paragraphs)
    assert "发放宣传单176128余张" in body
    # The township alone.
    page = office.get(url + f"&region={world.township.code}").content.decode()
    assert "鹿城镇和谐库区宣传活动工作情况总结" in page
    assert "文艺巡演" not in page


def test_paste_the_schedule_table(world, office, shaoyang_units):
    url = f"/documents/campaigns/{world.campaign.pk}/schedule/"
    assert "Paste the schedule table" in office.get(url).content.decode()
    response = office.post(url, {"text": PASTED, "year": "2023"})
    assert response.status_code == 302
    assert response["Location"] == f"/campaigns/{world.campaign.pk}/schedule/"
    assert ScheduleItem.objects.filter(campaign=world.campaign).count() == 10
    # Again: the numbers are taken, every row is listed, nothing is added.
    response = office.post(url, {"text": PASTED, "year": "2023"})
    assert response.status_code == 422
    assert "Nothing was imported" in response.content.decode()
    assert ScheduleItem.objects.filter(campaign=world.campaign).count() == 10


def test_the_campaign_page_links_to_the_documents(world, office):
    page = office.get(f"/campaigns/{world.campaign.pk}/").content.decode()
    assert f"/documents/campaigns/{world.campaign.pk}/reports/" in page
    assert f"/documents/campaigns/{world.campaign.pk}/summary/" in page
    reporter = Client()
    reporter.force_login(world.reporter)
    page = reporter.get(f"/campaigns/{world.campaign.pk}/").content.decode()
    assert f"/documents/campaigns/{world.campaign.pk}/reports/" not in page


def test_figure_context_stays_on_its_line():
    text = "标题\n共发放宣传单3000张，悬挂横幅86条。\n下一段"
    start = text.index("3000")
    figure = SimpleNamespace(start=start, end=start + 4)
    assert figure_context(text, figure) == ("共发放宣传单", "3000", "张，悬挂横幅86条。")
    assert figure_context(text, figure, width=3) == ("…宣传单", "3000", "张，悬…")


def test_a_summary_asked_at_the_calendars_end_is_an_error_not_a_crash(world, office):
    seed_ledger(world)
    url = f"/documents/campaigns/{world.campaign.pk}/summary/?as_of=9999-12-31"
    response = office.get(url)
    assert response.status_code == 200
    assert "2999-12-31" in response.content.decode()  # the error names the last day asked
