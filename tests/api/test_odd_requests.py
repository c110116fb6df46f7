"""Requests a client can send that the schemas never see, or that hold text no database
can store: each is answered in JSON, in the reader's language, naming the field where
there is one, and nothing is written."""

import json
import re

import pytest
from django.test import Client

from campaigndesk.ledger.links import link_key
from campaigndesk.ledger.models import EventRecord, MediaOutput

from . import ledger_data as data

API = "/api/v1"
JSON = "application/json"
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def chinese(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://example.org/a%00b", "example.org/a%00b"),
        ("https://example.org/p?x=%00", "example.org/p?x=%00"),
        ("https://example.org/p?%00=1", "example.org/p?%00=1"),
    ],
)
def test_an_escaped_nul_in_a_link_stays_escaped_in_its_key(url, key):
    assert link_key(url) == key


def test_an_output_with_an_escaped_nul_in_its_link_is_stored(login, world):
    outlet = data.outlet()
    response = login("office").post(
        f"{API}/campaigns/{world.campaign.pk}/outputs",
        {
            "unit_id": world.township_unit.pk,
            "outlet_id": outlet.pk,
            "kind": "article",
            "title": "宣讲",
            "date": "2024-02-01",
            "url": "https://example.org/a%00b",
        },
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    assert "\x00" not in MediaOutput.objects.get().url_key


@pytest.mark.parametrize("field", ["note", "region_code", "site"])
def test_half_a_character_is_refused_by_its_field_in_the_readers_language(login, world, field):
    # (json writes the lone surrogate as \ud800, as a client's JSON would)
    raw = json.dumps(
        {
            "unit_id": world.township_unit.pk,
            "kind": "lecture",
            "date": "2024-02-01",
            field: "a\ud800b",
        }
    )
    response = login("office").post(
        f"{API}/campaigns/{world.campaign.pk}/events", raw, content_type=JSON, **ZH
    )
    assert response.status_code == 422, response.content[:200]
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == [field]
    assert chinese(errors[0]["message"])
    assert not EventRecord.objects.exists()


def test_half_a_character_in_a_change_is_refused(login, world):
    event = data.event(world)
    response = login("office").patch(
        f"{API}/events/{event.pk}", '{"note": "\\udfff"}', content_type=JSON
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["note"]
    event.refresh_from_db()
    assert event.note == ""


def test_a_body_that_is_not_json_is_said_so(login, world):
    response = login("office").post(
        f"{API}/campaigns/{world.campaign.pk}/events", "{bad", content_type=JSON, **ZH
    )
    assert response.status_code == 400
    assert chinese(response.json()["detail"])
    assert response.json()["errors"][0]["field"] == ""


def test_a_number_too_long_in_the_query_is_refused_in_the_readers_language(login, world):
    response = login("office").get(
        f"{API}/campaigns/{world.campaign.pk}/events", {"unit": "9" * 5000}, **ZH
    )
    assert response.status_code == 422
    assert all(chinese(e["message"]) for e in response.json()["errors"])


def test_a_write_without_its_csrf_token_is_told_why(world):
    client = Client(enforce_csrf_checks=True, **ZH)
    client.force_login(world.office)
    event = data.event(world)
    response = client.patch(f"{API}/events/{event.pk}", {"sessions": 3}, content_type=JSON)
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"] and chinese(response.json()["detail"])


def test_a_method_or_address_the_api_does_not_have_is_answered_in_json(login, world):
    event = data.event(world)
    client = login("office")
    response = client.put(f"{API}/events/{event.pk}", {}, content_type=JSON)
    assert response.status_code == 405
    assert response["Content-Type"].startswith(JSON)
    assert {"GET", "PATCH", "DELETE"} <= {m.strip() for m in response["Allow"].split(",")}
    assert response.json()["detail"]
    missing = client.get(f"{API}/no-such-thing")
    assert missing.status_code == 404 and missing["Content-Type"].startswith(JSON)
    # A record not found keeps the API's own answer.
    assert client.get(f"{API}/events/999999").json()["detail"]
    # The pages keep theirs.
    assert not client.get("/no-such-page/")["Content-Type"].startswith(JSON)
