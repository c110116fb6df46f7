"""Requests a client gets wrong: each answered with a JSON error naming what is wrong, and
nothing written (never a 500, never a silent success)."""

import pytest

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.ledger.models import EventRecord, MediaOutput, RecordStatus

from . import ledger_data as data

API = "/api/v1"
JSON = "application/json"
HUGE = 10**20  # beyond any database integer


def url(world, plural: str) -> str:
    return f"{API}/campaigns/{world.campaign.pk}/{plural}"


def event_body(world, **extra) -> dict:
    return {"unit_id": world.township_unit.pk, "kind": "lecture", "date": "2024-02-01", **extra}


def fields_of(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


def test_a_page_far_past_the_last_is_refused_by_its_number(login, world):
    data.event(world)
    client = login("office")
    assert client.get(url(world, "events"), {"page": 10**18}).status_code == 422
    far = client.get(url(world, "events"), {"page": 1_000_000})
    assert far.status_code == 200 and far.json()["items"] == []


@pytest.mark.parametrize("path", ["events", "rollup", "coverage"])
def test_a_unit_id_beyond_any_id_is_an_unknown_unit(login, world, path):
    response = login("office").get(url(world, path), {"unit": HUGE})
    assert response.status_code == 422, response.content
    assert fields_of(response) == ["unit"]


def test_ids_beyond_any_id_in_a_body_are_refused(login, world):
    client = login("office")
    response = client.post(url(world, "events"), event_body(world, unit_id=HUGE), content_type=JSON)
    assert response.status_code == 422 and fields_of(response) == ["unit_id"]
    task = {
        "title": "周调度",
        "indicators": ["lectures"],
        "unit_ids": [HUGE],
        "recurrence": "weekly",
        "first_period_start": "2024-02-05",
        "due_weekday": 4,
        "due_time": "17:00",
    }
    response = client.post(url(world, "tasks"), task, content_type=JSON)
    assert response.status_code == 422 and fields_of(response) == ["unit_ids.0"]
    assert not EventRecord.objects.exists()


def test_a_misspelt_or_read_only_field_is_refused_not_ignored(login, world):
    record = data.event(world, title="原题")
    flagged = data.flagged_output(world)
    client = login("office")
    entries = AuditEntry.objects.filter(action__startswith="ledger.").count()
    typo = client.patch(f"{API}/events/{record.pk}", {"titel": "新题"}, content_type=JSON)
    assert typo.status_code == 422 and fields_of(typo) == ["titel"]
    response = login("reporter").patch(
        f"{API}/outputs/{flagged.pk}", {"status": "active"}, content_type=JSON
    )
    assert response.status_code == 422 and fields_of(response) == ["status"]
    created = client.post(url(world, "events"), event_body(world, id=5), content_type=JSON)
    assert created.status_code == 422 and fields_of(created) == ["id"]
    assert MediaOutput.objects.get(pk=flagged.pk).status == RecordStatus.DUPLICATE
    assert EventRecord.objects.get(pk=record.pk).title == "原题"
    assert AuditEntry.objects.filter(action__startswith="ledger.").count() == entries


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("participants", True),  # a JSON true is not 1
        ("sessions", "2"),  # a count is a JSON number
        ("unit_id", True),
        ("date", 1706745600),  # not seconds since 1970
    ],
)
def test_values_of_the_wrong_json_type_are_refused(login, world, field, value):
    response = login("office").post(
        url(world, "events"), event_body(world, **{field: value}), content_type=JSON
    )
    assert response.status_code == 422, response.content
    assert fields_of(response) == [field]
    assert not EventRecord.objects.exists()


def test_a_flag_is_true_or_false(login, world):
    outlet = data.outlet()
    body = {
        "unit_id": world.township_unit.pk,
        "outlet_id": outlet.pk,
        "kind": "news",
        "title": "标题",
        "date": "2024-02-01",
        "is_original": "no",
    }
    response = login("office").post(url(world, "outputs"), body, content_type=JSON)
    assert response.status_code == 422 and fields_of(response) == ["is_original"]
    assert not MediaOutput.objects.exists()


def test_a_body_too_large_is_answered_in_json(login, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = login("office").post(
        url(world, "events"), event_body(world, note="x" * 20_000), content_type=JSON
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    assert not EventRecord.objects.exists()


def test_an_unknown_indicator_in_the_figures_filter_is_named(login, world):
    data.figure(world)
    response = login("office").get(url(world, "figures"), {"indicator": "nonsense"})
    assert response.status_code == 422
    assert fields_of(response) == ["indicator"]


def test_a_nul_character_anywhere_is_refused_by_its_field(login, world):
    """PostgreSQL's text cannot hold one (a 500 there, kept on SQLite): refused before any
    service or lookup sees it, in every endpoint's body and query."""
    from campaigndesk.campaigns.models import Campaign

    client = login("office")
    campaign = {
        "name": "文明城市\x00创建",
        "start_date": "2024-03-01",
        "end_date": "2024-06-30",
        "lead_unit_id": world.office_unit.pk,
        "region_code": world.county.code,
        "strands": ["媒体宣传", "文艺\x00巡演"],
    }
    before = Campaign.objects.count()
    response = client.post(f"{API}/campaigns", campaign, content_type=JSON)
    assert response.status_code == 422 and fields_of(response) == ["name", "strands"]
    assert "NUL" in response.json()["errors"][0]["message"]
    campaign["name"] = "文明城市创建"
    response = client.post(f"{API}/campaigns", campaign, content_type=JSON)
    assert response.status_code == 422 and fields_of(response) == ["strands"]
    assert Campaign.objects.count() == before
    response = client.get(url(world, "events"), {"region": "5323\x00"})
    assert response.status_code == 422 and fields_of(response) == ["region"]
    assert "NUL" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("body", "english", "chinese"),
    [
        ({"sessions": "3"}, "A whole number is required.", "需要整数。"),
        ({"date": 20240205}, "A date written YYYY-MM-DD is required.", "日期须写作 YYYY-MM-DD。"),
        ({"colour": "red"}, "This field is not known here.", "此处没有这个字段。"),
        ({"title": "长" * 301}, "At most 300 characters.", "最多 300 个字符。"),
        (
            {"kind": "dance"},
            "One of 'lecture', 'performance', 'film', 'competition', 'quiz', 'exhibition', "
            "'home_visit', 'meeting', 'study_tour', 'volunteer', 'broadcast' is "
            "required.",
            "须为以下之一：'lecture', 'performance', 'film', 'competition', 'quiz', "
            "'exhibition', 'home_visit', 'meeting', 'study_tour', 'volunteer', 'broadcast'。",
        ),
    ],
)
def test_what_does_not_validate_is_said_in_the_readers_language(
    login, world, body, english, chinese
):
    record = data.event(world)
    client = login("office")
    path = f"{API}/events/{record.pk}"
    response = client.patch(path, body, content_type=JSON)
    assert response.status_code == 422, response.content
    assert [e["message"] for e in response.json()["errors"]] == [english]
    response = client.patch(path, body, content_type=JSON, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert [e["message"] for e in response.json()["errors"]] == [chinese]
