"""Sight through the API matches the pages: a record of a campaign the actor cannot open
is not found (alike for reading, changing and its evidence), and a file someone else
imported is refused without telling whose import it was."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.ledger.services import evidence_add, record_create

API = "/api/v1"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _event_of_a_unit_not_taking_part(world):
    """The prefecture office files, in the county campaign, an event for a township unit of
    the other county: that county's office cannot open the campaign."""
    return record_create(
        actor=world.office,
        campaign=world.campaign,
        record_kind="event",
        unit=world.other_township_unit,
        region=world.township,
        date=datetime.date(2024, 2, 7),
        kind="lecture",
        sessions=2,
        participants=40,
    ).record


def test_a_record_of_a_campaign_out_of_sight_is_not_found(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    event = _event_of_a_unit_not_taking_part(world)
    evidence = evidence_add(
        actor=SYSTEM,
        record_kind="event",
        record=event,
        data=PNG,
        filename="a.png",
        evidence_kind="photo",
    )
    client = _client(world.other_office)
    assert client.get(f"{API}/campaigns/{world.campaign.pk}").status_code == 404
    assert client.get(f"{API}/events/{event.pk}").status_code == 404
    response = client.patch(
        f"{API}/events/{event.pk}", {"participants": 4000}, content_type="application/json"
    )
    assert response.status_code == 404
    assert client.delete(f"{API}/events/{event.pk}").status_code == 404
    assert client.get(f"{API}/evidence/{evidence.pk}/file").status_code == 404
    event.refresh_from_db()
    assert event.participants == 40
    # The office over the campaign still reaches it.
    assert _client(world.office).get(f"{API}/events/{event.pk}").status_code == 200


def _file(world) -> SimpleUploadedFile:
    text = "单位,行政区划代码,日期,类型,数量,量词\n"
    text += f"{world.county_unit.name},{world.village.code},2024-02-02,宣传单,176128,张\n"
    return SimpleUploadedFile("县里的宣传品.csv", text.encode(), content_type="text/csv")


def test_a_file_someone_else_imported_is_refused_without_their_batch(world):
    url = f"{API}/campaigns/{world.campaign.pk}/imports/materials"
    office = _client(world.office)
    first = office.post(url, {"file": _file(world)})
    assert first.status_code == 201, first.content
    again = _client(world.reporter).post(url, {"file": _file(world)})
    assert again.status_code == 400
    body = again.content.decode()
    assert "already imported" in body
    assert "office" not in body and str(first.json()["batch"]["id"]) not in body
    # Whoever imported it is told which batch it was, as before.
    mine = office.post(url, {"file": _file(world)})
    assert mine.status_code == 200 and mine.json()["already_imported"] is True
