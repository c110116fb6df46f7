"""The collection pages: the office sends a task and reads a round; a reporter fills in
its form on a phone. (Which role gets which status is in tests/web/test_permission_matrix.)"""

import datetime
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.test import Client

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.collection import services
from campaigndesk.collection.models import CollectionTask, Submission
from campaigndesk.ledger.models import FigureRecord, Indicator
from campaigndesk.ledger.rollup import rollup

from .helpers import at, collection_rows, make_collection


@pytest.fixture
def collection(world):
    return make_collection(world)


def browser(user=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


class Fields(HTMLParser):
    """Form controls (name, id, attributes) and the ids that labels point at."""

    def __init__(self):
        super().__init__()
        self.controls: list[dict] = []
        self.labelled: set[str] = set()
        self.scripts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in {"input", "select", "textarea"} and attrs.get("type") != "hidden":
            self.controls.append({"tag": tag, **attrs})
        if tag == "label" and attrs.get("for"):
            self.labelled.add(attrs["for"])
        if tag == "script":
            self.scripts.append(attrs.get("src", ""))


def parse(response) -> Fields:
    fields = Fields()
    fields.feed(response.content.decode())
    return fields


def main_form_controls(fields: Fields) -> list[dict]:
    # The header's language switcher is the base template's; the page's own form is ours.
    return [c for c in fields.controls if c.get("id") != "id_header_language"]


def test_office_sends_a_task_through_the_form(world):
    client = browser(world.office)
    url = f"/collection/campaigns/{world.campaign.pk}/tasks/new/"
    page = client.get(url)
    assert page.status_code == 200
    assert world.township_unit.name in page.content.decode()
    assert world.other_township_unit.name not in page.content.decode()  # another county
    lectures = Indicator.objects.get(code="lectures")
    response = client.post(
        url,
        {
            "title": "每周宣讲调度",
            "instructions": "",
            "indicators": [lectures.pk],
            "units": [world.township_unit.pk, world.county_unit.pk],
            "recurrence": "weekly",
            "first_period_start": "2024-11-16",
            "due_weekday": "4",
            "due_time": "17:00",
        },
    )
    task = CollectionTask.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/collection/tasks/{task.pk}/"
    assert task.created_by == world.office
    assert set(task.units.all()) == {world.township_unit, world.county_unit}
    # The task page opens the rounds that have begun (the campaign ended in 2024: all),
    # and says that they were all due already (the units owe them as late forms).
    page = client.get(response["Location"]).content.decode()
    assert task.rounds.count() == 7
    assert "2024-11-16 – 2024-11-22" in page
    assert "7 rounds of this task were due before today" in page


def test_a_weekly_task_without_its_weekday_is_sent_back(world):
    client = browser(world.office)
    url = f"/collection/campaigns/{world.campaign.pk}/tasks/new/"
    response = client.post(
        url,
        {
            "title": "每周宣讲调度",
            "indicators": [Indicator.objects.get(code="lectures").pk],
            "units": [world.township_unit.pk],
            "recurrence": "weekly",
            "first_period_start": "2024-11-16",
            "due_weekday": "",
            "due_time": "17:00",
        },
    )
    assert response.status_code == 200
    assert "Choose the weekday of the deadline." in response.content.decode()
    assert not CollectionTask.objects.exists()


def test_a_service_error_shows_on_the_form(world):
    client = browser(world.office)
    response = client.post(
        f"/collection/campaigns/{world.campaign.pk}/tasks/new/",
        {
            "title": "调度",
            "indicators": [Indicator.objects.get(code="lectures").pk],
            "units": [world.township_unit.pk],
            "recurrence": "weekly",
            "first_period_start": "2025-03-01",  # after the campaign
            "due_weekday": "4",
            "due_time": "17:00",
        },
    )
    assert response.status_code == 200
    assert "lies outside the campaign" in response.content.decode()
    assert not CollectionTask.objects.exists()


def test_round_page_lists_units_and_offers_the_reminder(world, collection):
    services.submission_submit(
        actor=collection.reporter_a,
        round=collection.round,
        unit=collection.unit_a,
        values={"lectures": ("12", ""), "event_participants": ("860", "more")},
        now=at(21, 9),
    )
    services.submission_submit(
        actor=collection.reporter_b,
        round=collection.round,
        unit=collection.unit_b,
        values={"lectures": "3"},
        now=at(23, 9),
    )
    response = browser(world.office).get(f"/collection/rounds/{collection.round.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "860余" in body
    for label in ("On time", "Late", "Missing"):
        assert label in body
    fields = parse(response)
    (reminder,) = [c for c in fields.controls if c.get("id") == "reminder-text"]
    assert reminder["tag"] == "textarea" and "readonly" in reminder
    assert "reminder-text" in fields.labelled
    text = body.split('id="reminder-text"', 1)[1].split("</textarea>", 1)[0]
    assert "楚雄市融媒体中心" in text and "楚雄市民政局" not in text
    assert 'data-copy="reminder-text"' in body
    # The copy button's script is served by the app itself (no CDN).
    assert "/static/collection/copy.js" in fields.scripts


def test_reporter_fills_in_its_form_on_a_phone(world, collection):
    client = browser(collection.reporter_a)
    forms = client.get("/collection/forms/").content.decode()
    fill_url = f"/collection/rounds/{collection.round.pk}/units/{collection.unit_a.pk}/"
    assert fill_url in forms
    page = client.get(fill_url)
    body = page.content.decode()
    assert 'name="viewport" content="width=device-width' in body
    fields = parse(page)
    controls = main_form_controls(fields)
    values = [c for c in controls if c.get("name", "").startswith("value_")]
    assert {c["name"] for c in values} == {"value_lectures", "value_event_participants"}
    assert all(c.get("inputmode") == "numeric" for c in values)
    unlabelled = [c.get("name") for c in controls if c.get("id") not in fields.labelled]
    assert unlabelled == []

    response = client.post(
        fill_url,
        {
            "value_lectures": "12",
            "approx_lectures": "",
            "value_event_participants": "1,860",
            "approx_event_participants": "more",
            "note": "安置点宣讲",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/collection/forms/"
    submission = Submission.objects.get()
    assert submission.submitted_by == collection.reporter_a
    assert submission.note == "安置点宣讲"
    result = rollup(actor=world.office, campaign=world.campaign, indicators=["event_participants"])
    assert result.value("event_participants") == Decimal(1860)
    assert result.total("event_participants").approx == "more"
    # The form is no longer owed; it is listed as submitted and opens pre-filled. (The
    # later weeks of the campaign, long begun by the real clock, are still owed.)
    page = client.get("/collection/forms/").content.decode()
    owed, submitted = page.split('id="submitted-title"')
    assert fill_url not in owed and fill_url in submitted
    next_week = collection.task.rounds.get(period_start=datetime.date(2024, 11, 23))
    assert f"/collection/rounds/{next_week.pk}/units/{collection.unit_a.pk}/" in owed
    again = client.get(fill_url).content.decode()
    assert 'value="1860"' in again and "You may correct the values" in again


def test_the_form_page_tells_a_reporter_nothing_of_the_tasks_units(world, collection):
    """Another unit's form is refused alike whether the task asks that unit or not; an
    office gets 404 for a unit of its subtree the task does not ask."""
    client = browser(collection.reporter_a)
    rounds = f"/collection/rounds/{collection.round.pk}/units/"
    named, not_named = collection.unit_b, world.office_unit
    assert [client.get(f"{rounds}{u.pk}/").status_code for u in (named, not_named)] == [403, 403]
    assert client.get(f"{rounds}999999/").status_code == 404
    assert browser(world.office).get(f"{rounds}{not_named.pk}/").status_code == 404


def test_bad_values_come_back_with_errors(world, collection):
    client = browser(collection.reporter_a)
    fill_url = f"/collection/rounds/{collection.round.pk}/units/{collection.unit_a.pk}/"
    response = client.post(fill_url, {"value_lectures": "-3", "value_event_participants": "x"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "greater than or equal to 0" in body
    assert "Enter a number." in body
    assert not Submission.objects.exists() and not FigureRecord.objects.exists()


def test_a_locked_period_shows_the_reason(world, collection):
    from campaigndesk.ledger.services import period_lock

    period_lock(
        actor=world.office,
        campaign=world.campaign,
        start=datetime.date(2024, 11, 1),
        end=datetime.date(2024, 11, 30),
    )
    client = browser(collection.reporter_a)
    fill_url = f"/collection/rounds/{collection.round.pk}/units/{collection.unit_a.pk}/"
    # Before anything is typed, the form says so and cannot be sent.
    page = client.get(fill_url).content.decode()
    assert "2024-11-01 – 2024-11-30 is locked" in page
    assert '<button type="submit" disabled>' in page
    response = client.post(fill_url, {"value_lectures": "3"})
    assert response.status_code == 200
    assert "is locked" in response.content.decode()
    assert not Submission.objects.exists()
    # The office's round page says so too, and its reminder asks for nothing.
    office = browser(world.office)
    body = office.get(f"/collection/rounds/{collection.round.pk}/").content.decode()
    assert "no form of this round can be filed" in body
    assert "please do so" not in body and "Not yet received" not in body
    assert "is locked: no form can be filed" in body
    status = office.get(f"/api/v1/rounds/{collection.round.pk}").json()
    assert status["is_locked"] is True and "is locked" in status["reminder"]


def test_files_chosen_on_a_form_sent_back_are_asked_for_again(world, collection):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from campaigndesk.ledger.models import Evidence

    client = browser(collection.reporter_a)
    fill_url = f"/collection/rounds/{collection.round.pk}/units/{collection.unit_a.pk}/"
    photo = SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")
    response = client.post(
        fill_url, {"value_lectures": "12", "value_event_participants": "86O", "evidence": photo}
    )
    assert response.status_code == 200
    assert "The files were not saved: choose them again." in response.content.decode()
    assert not Evidence.objects.exists()


def test_posting_for_another_unit_is_refused_and_audited(world, collection):
    client = browser(collection.reporter_a)
    response = client.post(
        f"/collection/rounds/{collection.round.pk}/units/{collection.unit_b.pk}/",
        {"value_lectures": "12"},
    )
    assert response.status_code == 403
    assert not Submission.objects.exists()
    denied = AuditEntry.objects.get(action="collection.submission.submit")
    assert (denied.outcome, denied.actor) == ("denied", collection.reporter_a)


def test_office_closes_and_reopens_a_task(world, collection):
    client = browser(world.office)
    url = f"/collection/tasks/{collection.task.pk}/active/"
    assert client.post(url, {"active": "0"}).status_code == 302
    assert not CollectionTask.objects.get().is_active
    forms = browser(collection.reporter_a).get("/collection/forms/").content.decode()
    assert "Nothing to fill in." in forms
    assert client.post(url, {"active": "1"}).status_code == 302
    assert CollectionTask.objects.get().is_active


def test_office_edits_the_units(world, collection):
    client = browser(world.office)
    url = f"/collection/tasks/{collection.task.pk}/edit/"
    assert world.township_unit.name in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "title": "改名后的调度",
            "indicators": [Indicator.objects.get(code="lectures").pk],
            "units": [collection.unit_a.pk],
        },
    )
    assert response.status_code == 302
    task = CollectionTask.objects.get()
    assert task.title == "改名后的调度"
    assert list(task.units.all()) == [collection.unit_a]


def test_office_deletes_a_task_nobody_answered(world, collection):
    client = browser(world.office)
    page = client.get(f"/collection/tasks/{collection.task.pk}/").content.decode()
    assert "Delete the task" in page
    url = f"/collection/tasks/{collection.task.pk}/delete/"
    assert client.get(url).status_code == 405
    assert browser(collection.reporter_a).post(url).status_code == 403
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == f"/collection/campaigns/{world.campaign.pk}/tasks/"
    assert not CollectionTask.objects.exists()


def test_an_answered_task_offers_no_delete_and_refuses_one(world):
    collection = collection_rows(world)
    client = browser(world.office)
    page = client.get(f"/collection/tasks/{collection.task.pk}/").content.decode()
    assert "Delete the task" not in page
    response = client.post(f"/collection/tasks/{collection.task.pk}/delete/", follow=True)
    assert "close it instead" in response.content.decode()
    assert CollectionTask.objects.count() == 1
