"""Ledger records through the API: each kind's list, create, read, change and delete, with
errors naming the field sent, and the duplicate verdict."""

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.ledger.models import Fact, FigureRecord, MaterialRecord, MediaOutput

from . import ledger_data as data

API = "/api/v1"
JSON = "application/json"


def url(world, plural: str) -> str:
    return f"{API}/campaigns/{world.campaign.pk}/{plural}"


# --- create -----------------------------------------------------------------------------


def test_create_an_output(login, world):
    outlet = data.outlet(channel="video_account", level=4)
    payload = {
        "unit_id": world.county_unit.pk,
        "outlet_id": outlet.pk,
        "kind": "video",
        "title": "  库区新貌  短视频 ",
        "date": "2024-02-10",
        "views": 5300,
        "url": "https://example.org/v/1",
    }
    response = login("office").post(url(world, "outputs"), payload, content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    record = MediaOutput.objects.get(pk=body["id"])
    assert record.title == body["title"] == "库区新貌 短视频"
    assert body["outlet"] == {
        "id": outlet.pk,
        "name": outlet.name,
        "channel": "video_account",
        "level": 4,
    }
    assert body["region"]["code"] == world.county.code  # the unit's region by default
    assert body["unit"]["id"] == world.county_unit.pk
    assert (body["status"], body["warnings"], body["evidence"]) == ("active", [], [])
    assert body["kind_label"]
    assert set(
        Fact.objects.filter(record_kind="output", record_id=record.pk).values_list(
            "indicator__code", "value"
        )
    ) == {("short_videos", 1), ("media_outputs", 1), ("views", 5300)}
    assert AuditEntry.objects.filter(
        action="ledger.output.created", object_id=str(record.pk)
    ).exists()


def test_a_repeated_output_is_flagged_with_a_warning(login, world):
    first = data.output(world, url="https://example.org/a")
    payload = {
        "unit_id": world.township_unit.pk,
        "outlet_id": first.outlet.pk,
        "kind": "article",
        "title": "另一个标题",
        "date": "2024-03-01",
        "url": "https://example.org/a",
    }
    response = login("reporter").post(url(world, "outputs"), payload, content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "duplicate"
    assert len(body["warnings"]) == 1 and "duplicate" in body["warnings"][0]
    assert not Fact.objects.filter(record_kind="output", record_id=body["id"]).exists()


def test_create_a_material_an_event_and_a_figure(login, world):
    client = login("office")
    material = client.post(
        url(world, "materials"),
        {
            "unit_id": world.township_unit.pk,
            "region_code": world.village.code,
            "kind": "slogan_site",
            "quantity": "31",
            "measure_word": "处",
            "area_m2": "6200.50",
            "sites": 31,
            "date": "2024-02-12",
        },
        content_type=JSON,
    )
    assert material.status_code == 201, material.content
    body = material.json()
    assert (body["quantity"], body["area_m2"], body["display"]) == ("31", "6200.5", "31处")
    assert body["region"]["code"] == world.village.code
    assert MaterialRecord.objects.get(pk=body["id"]).region == world.village

    event = client.post(
        url(world, "events"),
        {
            "unit_id": world.township_unit.pk,
            "kind": "lecture",
            "sessions": 12,
            "participants": 860,
            "site": "移民安置点",
            "date": "2024-02-15",
        },
        content_type=JSON,
    )
    assert event.status_code == 201, event.content
    assert (event.json()["sessions"], event.json()["participants"]) == (12, 860)

    figure = client.post(
        url(world, "figures"),
        {
            "unit_id": world.county_unit.pk,
            "indicator": "leaflets",
            "value": "176128",
            "approx": "more",
            "date": "2024-02-20",
            "source": "周调度",
        },
        content_type=JSON,
    )
    assert figure.status_code == 201, figure.content
    body = figure.json()
    assert body["indicator"]["code"] == "leaflets"
    assert (body["value"], body["approx"], body["display"]) == ("176128", "more", "176128余张")
    assert FigureRecord.objects.get(pk=body["id"]).source == "周调度"


def test_service_errors_name_the_field_sent(login, world):
    client = login("office")
    base = {
        "unit_id": world.township_unit.pk,
        "kind": "lecture",
        "sessions": 1,
        "participants": 10,
        "date": "2024-02-15",
    }

    def error(**changes):
        response = client.post(url(world, "events"), {**base, **changes}, content_type=JSON)
        assert response.status_code == 422, response.content
        body = response.json()
        assert body["errors"][0]["message"] in body["detail"]
        return [e["field"] for e in body["errors"]]

    assert error(date="2025-03-01") == ["date"]  # outside the campaign
    assert error(sessions=0) == ["participants"]  # participants need a session
    assert error(participants=-5) == ["participants"]
    assert error(region_code=world.other_township.code) == ["region_code"]  # outside it
    assert error(region_code="999999") == ["region_code"]  # unknown
    assert error(unit_id=999999) == ["unit_id"]
    assert error(schedule_item_id=999999) == ["schedule_item_id"]
    assert error(kind="picnic") == ["kind"]
    assert error(date="2024-02-30") == ["date"]
    outputs = client.post(
        url(world, "outputs"),
        {
            "unit_id": world.township_unit.pk,
            "outlet_id": 999999,
            "kind": "news",
            "title": "x",
            "date": "2024-02-01",
        },
        content_type=JSON,
    )
    assert outputs.status_code == 422
    assert [e["field"] for e in outputs.json()["errors"]] == ["outlet_id"]
    figures = client.post(
        url(world, "figures"),
        {
            "unit_id": world.county_unit.pk,
            "indicator": "awareness_rate",
            "value": "90",
            "date": "2024-02-01",
        },
        content_type=JSON,
    )
    assert figures.status_code == 422  # a ratio is computed, not entered
    assert [e["field"] for e in figures.json()["errors"]] == ["indicator"]
    unknown = client.post(
        url(world, "figures"),
        {
            "unit_id": world.county_unit.pk,
            "indicator": "nonsense",
            "value": "1",
            "date": "2024-02-01",
        },
        content_type=JSON,
    )
    assert [e["field"] for e in unknown.json()["errors"]] == ["indicator"]
    assert not Fact.objects.exists()


def test_a_write_into_a_locked_period_is_refused(login, world):
    data.lock(world)
    response = login("office").post(
        url(world, "materials"),
        {"unit_id": world.township_unit.pk, "kind": "banner", "quantity": 5, "date": "2024-01-15"},
        content_type=JSON,
    )
    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == [{"row": None, "field": "date", "message": body["detail"]}]
    assert "locked" in body["detail"]
    assert not MaterialRecord.objects.exists()


def test_a_reporter_writes_only_for_its_own_unit(login, world):
    client = login("reporter")
    other_unit = client.post(
        url(world, "materials"),
        {"unit_id": world.county_unit.pk, "kind": "banner", "quantity": 5, "date": "2024-02-01"},
        content_type=JSON,
    )
    # The reporter cannot even see the county's unit: the same answer as an unknown id.
    assert other_unit.status_code == 422
    assert other_unit.json()["errors"][0]["field"] == "unit_id"
    editor = login("editor").post(
        url(world, "materials"),
        {"unit_id": world.township_unit.pk, "kind": "banner", "quantity": 5, "date": "2024-02-01"},
        content_type=JSON,
    )
    assert editor.status_code == 403
    assert AuditEntry.objects.filter(actor=world.editor, outcome="denied").exists()
    assert not MaterialRecord.objects.exists()


# --- list -------------------------------------------------------------------------------


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {r["id"] for r in response.json()["items"]}


def test_list_filters_like_the_rollup(login, world):
    paper = data.outlet(name="楚雄日报", channel="newspaper", level=3)
    account = data.outlet(name="楚雄发布", channel="wechat", level=4)
    in_town = data.output(world, outlet_=paper, date=data.D(2024, 2, 1))
    at_county = data.output(
        world,
        unit=world.county_unit,
        outlet_=account,
        kind="video",
        title="视频",
        date=data.D(2024, 3, 1),
    )
    client = login("office")
    plural = url(world, "outputs")
    assert _ids(client.get(plural)) == {in_town.pk, at_county.pk}
    assert _ids(client.get(plural, {"region": world.township.code})) == {in_town.pk}
    assert _ids(client.get(plural, {"unit": world.county_unit.pk})) == {at_county.pk}
    assert _ids(client.get(plural, {"channel": "wechat"})) == {at_county.pk}
    assert _ids(client.get(plural, {"outlet_level": 3})) == {in_town.pk}
    assert _ids(client.get(plural, {"kind": "video"})) == {at_county.pk}
    assert _ids(client.get(plural, {"date_from": "2024-02-15"})) == {at_county.pk}
    assert _ids(client.get(plural, {"date_to": "2024-02-15"})) == {in_town.pk}
    assert _ids(client.get(plural, {"as_of": "2024-02-01"})) == {in_town.pk}
    body = client.get(plural).json()
    assert [r["id"] for r in body["items"]] == [at_county.pk, in_town.pk]  # newest first
    assert body["count"] == 2


def test_list_filters_by_status_and_indicator(login, world):
    flagged = data.flagged_output(world)
    client = login("office")
    assert _ids(client.get(url(world, "outputs"), {"status": "duplicate"})) == {flagged.pk}
    leaflets = data.figure(world, code="leaflets")
    data.figure(world, code="banners", approx="")
    assert _ids(client.get(url(world, "figures"), {"indicator": "leaflets"})) == {leaflets.pk}


def test_list_is_scoped_and_paginated(login, world):
    mine = [data.event(world, date=data.D(2024, 2, d)) for d in (1, 2, 3)]
    county = data.event(world, unit=world.county_unit)
    assert _ids(login("reporter").get(url(world, "events"))) == {r.pk for r in mine}
    assert _ids(login("observer").get(url(world, "events"))) == {county.pk, *(r.pk for r in mine)}
    page = login("office").get(url(world, "events"), {"page_size": 3, "page": 2}).json()
    assert (page["count"], len(page["items"])) == (4, 1)
    assert login("other_office").get(url(world, "events")).status_code == 404


def test_list_filter_errors_name_the_field(login, world):
    client = login("office")
    for params, field in [
        ({"region": "999"}, "region"),
        ({"unit": 999999}, "unit"),
        ({"kind": "picnic"}, "kind"),
        ({"channel": "pigeon"}, "channel"),
        ({"date_from": "2024-13-01"}, "date_from"),
    ]:
        response = client.get(url(world, "events" if field != "channel" else "outputs"), params)
        assert response.status_code == 422, params
        assert [e["field"] for e in response.json()["errors"]] == [field]


# --- read, change, delete ---------------------------------------------------------------


def test_detail_with_evidence(login, world):
    record = data.event(world)
    proof = data.evidence(world, record)
    response = login("reporter").get(f"{API}/events/{record.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == record.pk and body["kind"] == "lecture"
    assert [(e["id"], e["kind"], e["verified"]) for e in body["evidence"]] == [
        (proof.pk, "sign_in", False)
    ]
    hidden = login("other_office").get(f"{API}/events/{record.pk}")
    missing = login("other_office").get(f"{API}/events/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    # A record is found under its own kind only.
    assert login("office").get(f"{API}/materials/{record.pk}").status_code == 404


def test_update_changes_only_the_fields_sent(login, world):
    record = data.material(world, area_m2=120)
    response = login("reporter").patch(
        f"{API}/materials/{record.pk}", {"quantity": "2000"}, content_type=JSON
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["quantity"], body["area_m2"], body["kind"]) == ("2000", "120", "banner")
    assert body["warnings"] == []
    assert (
        Fact.objects.get(
            record_kind="material", record_id=record.pk, indicator__code="banners"
        ).value
        == 2000
    )
    assert AuditEntry.objects.filter(action="ledger.material.updated").exists()
    cleared = login("office").patch(
        f"{API}/materials/{record.pk}", {"area_m2": None}, content_type=JSON
    )
    assert cleared.status_code == 200
    assert cleared.json()["area_m2"] is None
    assert not Fact.objects.filter(record_id=record.pk, indicator__code="material_area").exists()


def test_update_errors_name_the_field(login, world):
    record = data.event(world)
    client = login("office")
    for payload, field in [
        ({"sessions": 0}, "participants"),
        ({"date": "2023-12-31"}, "date"),
        ({"title": None}, "title"),  # cannot be emptied with null
        ({"unit_id": 999999}, "unit_id"),
        ({"sessions": "many"}, "sessions"),
    ]:
        response = client.patch(f"{API}/events/{record.pk}", payload, content_type=JSON)
        assert response.status_code == 422, (payload, response.content)
        assert [e["field"] for e in response.json()["errors"]] == [field], payload
    record.refresh_from_db()
    assert (record.sessions, record.date) == (12, data.D(2024, 2, 15))


def test_update_into_a_duplicate_warns(login, world):
    first = data.output(world, url="https://example.org/a")
    second = data.output(world, outlet_=first.outlet, title="别的", url="https://example.org/b")
    response = login("office").patch(
        f"{API}/outputs/{second.pk}", {"url": "https://example.org/a"}, content_type=JSON
    )
    assert response.status_code == 200
    assert response.json()["status"] == "duplicate"
    assert response.json()["warnings"]


def test_update_and_delete_in_a_locked_period_are_refused(login, world):
    record = data.figure(world, date=data.D(2024, 1, 20))
    data.lock(world)
    client = login("office")
    patched = client.patch(f"{API}/figures/{record.pk}", {"value": "1"}, content_type=JSON)
    assert patched.status_code == 422
    assert patched.json()["errors"][0]["field"] == "date"
    deleted = client.delete(f"{API}/figures/{record.pk}")
    assert deleted.status_code == 422
    assert deleted.json()["errors"][0]["field"] == "date"
    assert FigureRecord.objects.filter(pk=record.pk).exists()


def test_delete(login, world):
    record = data.event(world)
    data.evidence(world, record)
    assert login("editor").delete(f"{API}/events/{record.pk}").status_code == 403
    response = login("reporter").delete(f"{API}/events/{record.pk}")
    assert response.status_code == 204
    assert not Fact.objects.filter(record_kind="event", record_id=record.pk).exists()
    assert AuditEntry.objects.filter(action="ledger.event.deleted").exists()
    assert login("office").get(f"{API}/events/{record.pk}").status_code == 404


# --- duplicates -------------------------------------------------------------------------


def test_resolve_a_duplicate_as_not_one(login, world):
    flagged = data.flagged_output(world)
    response = login("office").post(
        f"{API}/outputs/{flagged.pk}/resolve", {"is_duplicate": False}, content_type=JSON
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["deleted"] is False
    assert body["record"]["status"] == "active"
    assert Fact.objects.filter(record_kind="output", record_id=flagged.pk).exists()


def test_resolve_a_duplicate_as_one_deletes_it(login, world):
    flagged = data.flagged_output(world)
    response = login("office").post(
        f"{API}/outputs/{flagged.pk}/resolve", {"is_duplicate": True}, content_type=JSON
    )
    assert response.json() == {"deleted": True, "record": None}
    assert not MediaOutput.objects.filter(pk=flagged.pk).exists()


def test_resolve_errors(login, world):
    flagged = data.flagged_output(world)
    active = MediaOutput.objects.exclude(pk=flagged.pk).get()
    client = login("office")
    not_flagged = client.post(
        f"{API}/outputs/{active.pk}/resolve", {"is_duplicate": False}, content_type=JSON
    )
    assert not_flagged.status_code == 400
    assert "not flagged" in not_flagged.json()["detail"]
    no_verdict = client.post(f"{API}/outputs/{flagged.pk}/resolve", {}, content_type=JSON)
    assert no_verdict.status_code == 422
    assert [e["field"] for e in no_verdict.json()["errors"]] == ["is_duplicate"]
    reporter = login("reporter").post(
        f"{API}/outputs/{flagged.pk}/resolve", {"is_duplicate": False}, content_type=JSON
    )
    assert reporter.status_code == 403
