"""The documents API: /extract answers like the `extract` command; a report goes from
upload to the ledger; the summary report and the pasted schedule."""

import io
import json

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from campaigndesk.campaigns.models import ScheduleItem
from campaigndesk.ledger.models import FigureRecord

from .helpers import PASTED, REPORT, seed_ledger

API = "/api/v1"


@pytest.fixture
def office(world) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.office)
    return client


def _json(response) -> dict:
    content = (
        b"".join(response.streaming_content) if response.streaming else response.content
    ).decode()
    return json.loads(content)


def test_extract_gives_the_commands_json(world, office, tmp_path):
    text = "\ufeff" + REPORT.replace("\n", "\r\n")
    path = tmp_path / "report.txt"
    path.write_bytes(text.encode("utf-8"))
    out = io.StringIO()
    call_command("extract", str(path), stdout=out)
    expected = json.loads(out.getvalue())

    upload = SimpleUploadedFile("report.txt", text.encode("utf-8"), content_type="text/plain")
    response = office.post(f"{API}/extract", {"file": upload})
    assert response.status_code == 200
    assert _json(response) == expected
    assert [f["text"] for f in expected["figures"]] == ["36", "4200", "1.2万", "86", "15", "7"]
    assert set(expected["figures"][0]) == {
        "start",
        "end",
        "text",
        "value",
        "measure",
        "approx",
        "counted",
        "as_of",
    }
    # The text itself, in a form field.
    response = office.post(f"{API}/extract", {"text": REPORT})
    assert [f["value"] for f in _json(response)["figures"]] == [36, 4200, 12000, 86, 15, 7]


@pytest.mark.parametrize(
    ("data", "status"),
    [({}, 422), ({"file": SimpleUploadedFile("x.bin", bytes(range(256)) * 4)}, 400)],
)
def test_extract_refuses_bad_input(office, data, status):
    response = office.post(f"{API}/extract", data)
    assert response.status_code == status
    assert response.json()["detail"]


def test_upload_review_import(world, office):
    response = office.post(
        f"{API}/campaigns/{world.campaign.pk}/reports", {"text": REPORT, "title": "五月简报"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["report"]["title"] == "五月简报"
    figures = body["figures"]
    assert [f["suggested_indicator"]["code"] for f in figures][:2] == [
        "lectures",
        "event_participants",
    ]
    assert figures[1]["approx"] == "more"
    listed = office.get(f"{API}/campaigns/{world.campaign.pk}/reports").json()
    assert [r["figure_count"] for r in listed] == [6]

    review = f"{API}/figures/{figures[0]['id']}/review"
    assert (
        office.post(review, {"accepted": True}, content_type="application/json").json()["status"]
        == "accepted"
    )
    response = office.post(
        review, {"accepted": True, "indicator": "nonsense"}, content_type="application/json"
    )
    assert response.status_code == 422
    response = office.post(
        f"{API}/figures/{figures[4]['id']}/review",
        {"accepted": True, "indicator": "news_reports"},
        content_type="application/json",
    )
    assert response.json()["indicator"]["code"] == "news_reports"

    report_id = body["report"]["id"]
    # 15条新闻 has no 截至 date: without a date the import is refused, nothing written.
    response = office.post(
        f"{API}/reports/{report_id}/import",
        {"unit_id": world.township_unit.pk},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(5, "date")]
    assert FigureRecord.objects.count() == 0
    response = office.post(
        f"{API}/reports/{report_id}/import",
        {"unit_id": world.township_unit.pk, "date": "2024-06-10"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["count"] == 2
    assert {r.source for r in FigureRecord.objects.all()} == {f"report:{report_id} 五月简报"}
    figures = office.get(f"{API}/reports/{report_id}/figures").json()["figures"]
    assert [f["record_id"] is not None for f in figures] == [True, False, False, False, True, False]


def test_summary_report_docx(world, office):
    as_of = seed_ledger(world)
    response = office.get(
        f"{API}/campaigns/{world.campaign.pk}/summary-report?as_of={as_of.isoformat()}"
    )
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    assert "发放宣传单176128余张" in "\n".join(p.text for p in document.paragraphs)
    response = office.get(
        f"{API}/campaigns/{world.campaign.pk}/summary-report?region_code={world.other_county.code}"
    )
    assert response.status_code == 422


def test_schedule_import_text(world, office, shaoyang_units):
    response = office.post(
        f"{API}/campaigns/{world.campaign.pk}/schedule/import-text",
        {"text": PASTED, "year": 2023},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert [item["seq"] for item in response.json()["items"]] == list(range(1, 11))
    assert ScheduleItem.objects.count() == 10
    response = office.post(
        f"{API}/campaigns/{world.campaign.pk}/schedule/import-text",
        {"text": "没有表格", "year": 2023},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "text"
