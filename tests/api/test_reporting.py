"""The reporting API: an item's walk through the review steps, errors with field paths,
adoptions with a proof file, a bulletin's frozen snapshot, the annual assessment and the
user's notifications."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from campaigndesk.reporting import services
from campaigndesk.reporting.models import InfoItem, ItemState

from ..reporting import web_data as d
from ..reporting.factories import exe_bytes, grant, png_bytes

V = "/api/v1"


def test_item_walk_through_the_api(login, world):
    reporter = login("reporter")
    response = reporter.post(
        f"{V}/campaigns/{world.campaign.pk}/items",
        {"title": "鹿城镇宣讲", "body": "正文"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    item_id = response.json()["id"]
    assert response.json()["state"] == "draft"
    upload = reporter.post(
        f"{V}/items/{item_id}/attachments", {"file": SimpleUploadedFile("a.png", png_bytes())}
    )
    assert upload.status_code == 201 and upload.json()["file_type"] == "png"
    assert reporter.post(f"{V}/items/{item_id}/submit", {}, "application/json").status_code == 200

    for role, path, body in [
        ("editor", "edit", {"title": "鹿城镇宣讲移民政策", "note": "改标题"}),
        ("reviewer", "review", {}),
        ("approver", "sign-off", {"note": "同意"}),
    ]:
        response = login(role).post(f"{V}/items/{item_id}/{path}", body, "application/json")
        assert response.status_code == 200, response.content
    data = reporter.get(f"{V}/items/{item_id}").json()
    assert data["state"] == "signed_off" and data["title"] == "鹿城镇宣讲移民政策"
    assert [(t["step"], t["actor"]) for t in data["transitions"]] == [
        ("submit", "reporter"),
        ("edit", "editor"),
        ("review", "reviewer"),
        ("sign_off", "approver"),
    ]
    assert [a["name"] for a in data["attachments"]] == ["a.png"]


def test_the_same_person_may_not_sign_two_steps(login, world):
    item = d.edited(world)
    response = login("editor").post(f"{V}/items/{item.pk}/review", {}, "application/json")
    assert response.status_code == 403  # the editor is no reviewer
    grant(world.editor, "reviewer")
    response = login("editor").post(f"{V}/items/{item.pk}/review", {}, "application/json")
    assert response.status_code == 400  # it signed the edit step of this round
    item.refresh_from_db()
    assert item.state == ItemState.EDITED


def test_errors_name_the_field(login, world):
    item = d.submitted(world)
    response = login("editor").post(f"{V}/items/{item.pk}/return", {}, "application/json")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["reason"]
    draft = d.draft(world)
    response = login("reporter").post(
        f"{V}/items/{draft.pk}/attachments", {"file": SimpleUploadedFile("x.png", exe_bytes())}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"
    response = login("reporter").post(
        f"{V}/campaigns/{world.campaign.pk}/items",
        {"title": "x", "body": "y", "schedule_item_id": 999999},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "schedule_item_id"
    assert InfoItem.objects.filter(title="x").count() == 0


def test_a_wrong_state_is_a_400_and_changes_nothing(login, world):
    item = d.draft(world)
    response = login("reviewer").post(f"{V}/items/{item.pk}/review", {}, "application/json")
    assert response.status_code == 400
    assert "not possible" in response.json()["detail"]
    item.refresh_from_db()
    assert item.state == ItemState.DRAFT


def test_adoption_with_proof_and_twice_the_same_outlet(login, world):
    item = d.signed_off(world)
    outlet = d.outlet(level=1)
    office = login("office")
    body = {
        "outlet_id": outlet.pk,
        "date": "2024-03-10",
        "is_headline": "true",
        "proof": SimpleUploadedFile("版面.pdf", b"%PDF-1.4\n%%EOF\n"),
    }
    response = office.post(f"{V}/items/{item.pk}/adoptions", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["level"], data["is_headline"], data["has_proof"]) == (1, True, True)
    again = office.post(
        f"{V}/items/{item.pk}/adoptions", {"outlet_id": outlet.pk, "date": "2024-03-11"}
    )
    assert again.status_code in (400, 422)
    assert item.adoptions.count() == 1
    proof = login("observer").get(f"{V}/adoptions/{data['id']}/proof")
    assert proof.status_code == 200
    assert b"".join(proof.streaming_content) == b"%PDF-1.4\n%%EOF\n"


def test_bulletin_snapshot_does_not_change_with_the_rules(login, world):
    bulletin = d.bulletin(world, issue=True)
    observer = login("observer")
    first = observer.get(f"{V}/bulletins/{bulletin.pk}").json()
    assert first["state"] == "issued" and first["number"] == 1
    assert first["snapshot"] == bulletin.snapshot
    services.rules_create(
        actor=world.office,
        campaign=world.campaign,
        valid_from=datetime.date(2024, 1, 1),
        points_central=99,
        points_provincial=99,
        points_municipal=99,
        points_county=99,
        base_points=10,
    )
    assert observer.get(f"{V}/bulletins/{bulletin.pk}").json()["snapshot"] == first["snapshot"]
    annual = observer.get(f"{V}/campaigns/{world.campaign.pk}/annual?year=2024").json()
    assert annual["months"] == ["2024-03-01"]
    assert {r["unit_id"]: r["points"] for r in annual["rows"]} == {
        r["unit_id"]: r["points"] for r in first["snapshot"]["rows"]
    }
    edit = login("office").patch(
        f"{V}/bulletins/{bulletin.pk}", {"signer": "李四"}, content_type="application/json"
    )
    assert edit.status_code == 400 and "correction" in edit.json()["detail"]


def test_quota_behind_with_reminder(login, world):
    from ..reporting.factories import QuotaTargetFactory

    QuotaTargetFactory(campaign=world.campaign, count=3)
    d.submitted(world)  # 2024-03-04, counts for March
    data = (
        login("office").get(f"{V}/campaigns/{world.campaign.pk}/quota/behind?on=2024-03-10").json()
    )
    assert {(u["unit"]["id"], u["counted"], u["missing"]) for u in data["units"]} == {
        (world.township_unit.pk, 1, 2),
        (world.county_unit.pk, 0, 3),
    }
    assert world.township_unit.name in data["reminder"]


def test_notifications_are_the_users_own(login, world):
    item = d.submitted(world)
    login("editor").post(f"{V}/items/{item.pk}/return", {"reason": "补充数据"}, "application/json")
    reporter = login("reporter")
    assert reporter.get(f"{V}/notifications/unread-count").json() == {"unread": 1}
    listed = reporter.get(f"{V}/notifications?unread_only=true").json()
    assert listed["count"] == 1 and "补充数据" in listed["items"][0]["message"]
    assert listed["items"][0]["link"] == f"/reporting/items/{item.pk}/"
    nid = listed["items"][0]["id"]
    assert login("office").post(f"{V}/notifications/{nid}/read").status_code == 404
    assert reporter.post(f"{V}/notifications/{nid}/read").json()["read_at"] is not None
    assert reporter.get(f"{V}/notifications/unread-count").json() == {"unread": 0}
    assert reporter.post(f"{V}/notifications/read-all").json() == {"marked": 0}
