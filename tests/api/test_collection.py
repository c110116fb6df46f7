"""Collection tasks through the API: send a task, see it with its rounds, submit a unit's
values (they become ledger figures), see who has answered and the reminder."""

import datetime
from zoneinfo import ZoneInfo

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.campaigns.models import Campaign
from campaigndesk.collection import services as collection
from campaigndesk.collection.models import CollectionTask, Submission
from campaigndesk.ledger.models import FigureRecord, Indicator
from campaigndesk.ledger.rollup import rollup

from ..factories import CampaignFactory
from . import ledger_data as data

API = "/api/v1"
JSON = "application/json"


def test_send_a_task(login, world):
    payload = {
        "title": "宣传品月报",
        "instructions": "每月5日前填报",
        "indicators": ["banners", "leaflets"],
        "unit_ids": [world.township_unit.pk, world.county_unit.pk],
        "recurrence": "monthly",
        "first_period_start": "2024-02-01",
        "due_day": 5,
        "due_time": "17:00",
    }
    response = login("office").post(
        f"{API}/campaigns/{world.campaign.pk}/tasks", payload, content_type=JSON
    )
    assert response.status_code == 201, response.content
    body = response.json()
    task = CollectionTask.objects.get(pk=body["id"])
    assert (task.recurrence, task.due_day) == ("monthly", 5)
    assert [i["code"] for i in body["indicators"]] == ["banners", "leaflets"]
    assert {u["id"] for u in body["units"]} == {world.township_unit.pk, world.county_unit.pk}
    assert (body["unit_count"], body["indicator_count"]) == (2, 2)
    # The campaign's months have all begun: one round each, February to December.
    assert len(body["rounds"]) == 11
    assert body["rounds"][-1]["period_start"] == "2024-02-01"
    assert body["rounds"][-1]["missing_count"] == 2
    assert AuditEntry.objects.filter(action="collection.task.created").exists()
    listed = login("reporter").get(f"{API}/campaigns/{world.campaign.pk}/tasks").json()
    assert [t["id"] for t in listed["items"]] == [task.pk]


def test_task_errors_name_the_field(login, world):
    client = login("office")
    base = {
        "title": "周调度",
        "indicators": ["lectures"],
        "unit_ids": [world.township_unit.pk],
        "recurrence": "weekly",
        "first_period_start": "2024-11-16",
        "due_weekday": 4,
        "due_time": "17:00",
    }
    url = f"{API}/campaigns/{world.campaign.pk}/tasks"
    for changes, field in [
        ({"indicators": ["nope"]}, "indicators"),
        ({"indicators": ["awareness_rate"]}, "indicators"),  # computed, not asked
        ({"indicators": []}, "indicators"),
        ({"unit_ids": [999999]}, "unit_ids"),
        ({"unit_ids": [world.office_unit.pk]}, "unit_ids"),  # outside the campaign's region
        ({"recurrence": "daily"}, "recurrence"),
        ({"first_period_start": "2025-01-01"}, "first_period_start"),
        ({"due_time": None}, "due_time"),
        ({"recurrence": "once"}, "due_at"),
    ]:
        response = client.post(url, {**base, **changes}, content_type=JSON)
        assert response.status_code == 422, (changes, response.content)
        assert response.json()["errors"][0]["field"] == field, changes
    assert login("reporter").post(url, base, content_type=JSON).status_code == 403
    assert not CollectionTask.objects.exists()


def test_task_detail_and_update(login, world):
    task, round_ = data.collection_task(world)
    office = login("office")
    detail = office.get(f"{API}/tasks/{task.pk}")
    assert detail.status_code == 200
    assert round_.pk in [r["id"] for r in detail.json()["rounds"]]
    assert login("reporter").get(f"{API}/tasks/{task.pk}").status_code == 403
    assert login("other_office").get(f"{API}/tasks/{task.pk}").status_code == 404

    changed = office.patch(
        f"{API}/tasks/{task.pk}",
        {"title": "宣讲周调度（修订）", "unit_ids": [world.township_unit.pk], "is_active": False},
        content_type=JSON,
    )
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert (body["title"], body["is_active"], body["unit_count"]) == (
        "宣讲周调度（修订）",
        False,
        1,
    )
    bad = office.patch(f"{API}/tasks/{task.pk}", {"title": None}, content_type=JSON)
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["title"]
    assert (
        office.patch(
            f"{API}/tasks/{task.pk}", {"indicators": ["nope"]}, content_type=JSON
        ).status_code
        == 422
    )
    assert (
        login("observer")
        .patch(f"{API}/tasks/{task.pk}", {"title": "x"}, content_type=JSON)
        .status_code
        == 403
    )


def test_submit_and_see_who_has_answered(login, world):
    _task, round_ = data.collection_task(world)
    due = login("reporter").get(f"{API}/collection/due")
    assert due.status_code == 200
    # Every weekly round from 16 November to the campaign's end has begun: 7 owed, the
    # earliest deadline first.
    owed = [d["round_id"] for d in due.json()]
    assert len(owed) == 7 and owed[0] == round_.pk
    assert due.json()[0]["is_overdue"] is True

    response = login("reporter").post(
        f"{API}/rounds/{round_.pk}/submissions",
        {
            "unit_id": world.township_unit.pk,
            "values": {
                "lectures": {"value": "12"},
                "event_participants": {"value": "860", "approx": "more"},
            },
            "note": "含移民安置点",
        },
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["is_late"] is True  # sent long after the deadline
    values = {v["indicator"]: v for v in body["values"]}
    assert values["event_participants"]["display"] == "860余人次"
    figure = FigureRecord.objects.get(pk=values["lectures"]["figure_id"])
    assert figure.value == 12 and figure.unit == world.township_unit
    total = rollup(actor=world.office, campaign=world.campaign, indicators=["lectures"])
    assert total.value("lectures") == 12
    owed_now = [d["round_id"] for d in login("reporter").get(f"{API}/collection/due").json()]
    assert owed_now == owed[1:]

    status = login("office").get(f"{API}/rounds/{round_.pk}")
    assert status.status_code == 200, status.content
    body = status.json()
    assert [s["unit"]["id"] for s in body["late"]] == [world.township_unit.pk]
    assert [s["unit"]["id"] for s in body["missing"]] == [world.county_unit.pk]
    assert body["on_time"] == []
    assert world.county_unit.name in body["reminder"]
    assert world.township_unit.name not in body["reminder"]
    assert body["late"][0]["submission"]["note"] == "含移民安置点"
    assert login("reporter").get(f"{API}/rounds/{round_.pk}").status_code == 403


def test_a_reporter_cannot_tell_which_units_a_task_asks(login, world):
    """A unit not the reporter's is refused alike whether the task names it or not: the
    reporter learns nothing of the task's units (and the attempts are audited)."""
    _task, round_ = data.collection_task(world)
    url = f"{API}/rounds/{round_.pk}/submissions"
    client = login("reporter")
    named, not_named = world.county_unit, world.office_unit
    answers = [
        client.post(url, {"unit_id": unit.pk, "values": {}}, content_type=JSON)
        for unit in (named, not_named)
    ]
    assert [a.status_code for a in answers] == [403, 403]
    assert answers[0].json()["detail"] != answers[1].json()["detail"]  # each names its unit
    assert not Submission.objects.exists()
    # An office answering for its subtree still learns the task does not ask that unit.
    office = login("office").post(url, {"unit_id": not_named.pk, "values": {}}, content_type=JSON)
    assert office.status_code == 422


def test_a_round_outside_the_campaigns_dates_is_refused_as_the_rounds_fault(login, world):
    """The campaign was shortened after the round opened: the figure's date (the period's
    last day) is refused by the ledger, and the answer says so about the round, not under
    a field the form never had."""
    _task, round_ = data.collection_task(world)
    Campaign.objects.filter(pk=world.campaign.pk).update(end_date=datetime.date(2024, 11, 20))
    answer = {"unit_id": world.township_unit.pk, "values": {"lectures": {"value": "12"}}}
    response = login("reporter").post(
        f"{API}/rounds/{round_.pk}/submissions", answer, content_type=JSON
    )
    assert response.status_code == 400, response.content
    assert "errors" not in response.json()
    assert "2024-11-22 lies outside the campaign" in response.json()["detail"]
    assert not Submission.objects.exists() and not FigureRecord.objects.exists()


def test_resubmission_replaces_the_values(login, world):
    _task, round_ = data.collection_task(world)
    client = login("reporter")
    url = f"{API}/rounds/{round_.pk}/submissions"
    first = {"unit_id": world.township_unit.pk, "values": {"lectures": {"value": "12"}}}
    assert client.post(url, first, content_type=JSON).status_code == 201
    again = {"unit_id": world.township_unit.pk, "values": {"lectures": {"value": "15"}}}
    body = client.post(url, again, content_type=JSON).json()
    assert body["revision"] == 2
    assert FigureRecord.objects.get().value == 15
    assert Submission.objects.count() == 1


def test_submission_errors_name_the_field(login, world):
    _task, round_ = data.collection_task(world)
    url = f"{API}/rounds/{round_.pk}/submissions"
    client = login("office")
    for payload, field in [
        ({"unit_id": world.office_unit.pk, "values": {}}, "unit_id"),  # not asked
        (
            {"unit_id": world.township_unit.pk, "values": {"banners": {"value": "1"}}},
            "values.banners",
        ),
        (
            {"unit_id": world.township_unit.pk, "values": {"lectures": {"value": "-1"}}},
            "values.lectures",
        ),
        (
            {"unit_id": world.township_unit.pk, "values": {"lectures": {"value": "many"}}},
            "values.lectures.value",
        ),
        (  # the ledger keeps four places: refused, not rounded away
            {"unit_id": world.township_unit.pk, "values": {"lectures": {"value": "1.23456"}}},
            "values.lectures",
        ),
        (
            {
                "unit_id": world.township_unit.pk,
                "values": {"lectures": {"value": 1, "approx": "roughly"}},
            },
            "values.lectures.approx",
        ),
    ]:
        response = client.post(url, payload, content_type=JSON)
        assert response.status_code == 422, (payload, response.content)
        assert [e["field"] for e in response.json()["errors"]] == [field], payload
    editor = login("editor").post(
        url,
        {"unit_id": world.township_unit.pk, "values": {"lectures": {"value": "1"}}},
        content_type=JSON,
    )
    assert editor.status_code == 403
    assert not Submission.objects.exists()
    assert not FigureRecord.objects.exists()


def test_delete_a_task_nobody_answered_and_refuse_an_answered_one(login, world):
    answered, round_ = data.collection_task(world)
    unanswered, _round = data.collection_task(world)
    submitted = login("reporter").post(
        f"{API}/rounds/{round_.pk}/submissions",
        {"unit_id": world.township_unit.pk, "values": {"lectures": {"value": "2"}}},
        content_type=JSON,
    )
    assert submitted.status_code == 201, submitted.content
    refused = login("office").delete(f"{API}/tasks/{answered.pk}")
    assert refused.status_code == 400
    assert "close it instead" in refused.json()["detail"]
    assert CollectionTask.objects.filter(pk=answered.pk).exists()

    assert login("reporter").delete(f"{API}/tasks/{unanswered.pk}").status_code == 403
    assert login("other_office").delete(f"{API}/tasks/{unanswered.pk}").status_code == 404
    assert CollectionTask.objects.filter(pk=unanswered.pk).exists()
    deleted = login("office").delete(f"{API}/tasks/{unanswered.pk}")
    assert deleted.status_code == 204, deleted.content
    assert not CollectionTask.objects.filter(pk=unanswered.pk).exists()
    assert AuditEntry.objects.filter(action="collection.task.deleted").count() == 1
    assert login("office").get(f"{API}/tasks/{unanswered.pk}").status_code == 404


def test_a_deadline_time_with_an_offset_is_the_offices_clock(login, world):
    url = f"{API}/campaigns/{world.campaign.pk}/tasks"
    base = {
        "title": "周调度",
        "indicators": ["lectures"],
        "unit_ids": [world.township_unit.pk],
        "recurrence": "weekly",
        "first_period_start": "2024-11-16",
        "due_weekday": 4,
    }
    for due_time in ("09:00Z", "17:00+08:00", "17:00"):
        response = login("office").post(url, {**base, "due_time": due_time}, content_type=JSON)
        assert response.status_code == 201, (due_time, response.content)
        task = CollectionTask.objects.get(pk=response.json()["id"])
        assert task.due_time == datetime.time(17, 0), due_time
        assert response.json()["rounds"][-1]["due_at"] == "2024-11-22T09:00:00Z"  # 17:00 local
    # A weekday or a day is a JSON integer: not true, not "4".
    for bad in (
        {"due_weekday": True},
        {"due_weekday": "4"},
        {"due_day": "5", "recurrence": "monthly"},
    ):
        refused = login("office").post(url, {**base, "due_time": "17:00", **bad}, content_type=JSON)
        assert refused.status_code == 422, bad
    # 20:00Z is 04:00 of the next day in Beijing: the weekday would be a day early.
    late = login("office").post(url, {**base, "due_time": "20:00Z"}, content_type=JSON)
    assert late.status_code == 422
    assert [e["field"] for e in late.json()["errors"]] == ["due_time"]


def test_a_county_office_answers_and_sends_forms_in_a_prefecture_campaign(login, world):
    """A prefecture-wide campaign in which the county office (an office user, not a
    reporter) takes part: it sees the campaign, the form sent to it, and answers it; and
    it sends its own townships a form there."""
    campaign = CampaignFactory(
        name="全州宣传月",
        lead_unit=world.office_unit,
        units=[world.other_county_office_unit],
        start_date=datetime.date(2024, 11, 1),
        end_date=datetime.date(2024, 11, 30),
    )
    task = collection.task_create(
        actor=world.office,
        campaign=campaign,
        title="县级月报",
        indicators=Indicator.objects.filter(code__in=["lectures"]),
        units=[world.other_county_office_unit],
        recurrence="once",
        first_period_start=datetime.date(2024, 11, 1),
        due_at=datetime.datetime(2024, 11, 30, 17, 0),
    )
    until = datetime.datetime(2024, 11, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    (round_,) = collection.rounds_ensure(task=task, until=until)
    client = login("other_office")
    assert client.get(f"{API}/campaigns/{campaign.pk}").status_code == 200
    listed = client.get(f"{API}/campaigns/{campaign.pk}/tasks").json()
    assert [t["id"] for t in listed["items"]] == [task.pk]
    owed = [d["round_id"] for d in client.get(f"{API}/collection/due").json()]
    assert round_.pk in owed
    answer = {"unit_id": world.other_county_office_unit.pk, "values": {"lectures": {"value": "4"}}}
    response = client.post(f"{API}/rounds/{round_.pk}/submissions", answer, content_type=JSON)
    assert response.status_code == 201, response.content
    assert FigureRecord.objects.get(campaign=campaign).unit == world.other_county_office_unit
    # Every unit's answers stay the prefecture office's to see.
    assert client.get(f"{API}/rounds/{round_.pk}").status_code == 403
    # Its own form to its township, in the same campaign.
    own = {
        "title": "镇级周报",
        "indicators": ["lectures"],
        "unit_ids": [world.other_township_unit.pk],
        "recurrence": "weekly",
        "first_period_start": "2024-11-02",
        "due_weekday": 4,
        "due_time": "17:00",
    }
    response = client.post(f"{API}/campaigns/{campaign.pk}/tasks", own, content_type=JSON)
    assert response.status_code == 201, response.content
    assert CollectionTask.objects.get(pk=response.json()["id"]).region == world.other_county
    # A campaign of the prefecture none of its units takes part in stays hidden.
    hidden = CampaignFactory(name="州直活动", lead_unit=world.office_unit)
    assert client.get(f"{API}/campaigns/{hidden.pk}").status_code == 404
