"""Period locks (list, lock, reopen with a reason) and evidence (upload, verify, download)
through the API."""

from django.core.files.uploadedfile import SimpleUploadedFile

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.api import records as records_api
from campaigndesk.ledger.models import Evidence, PeriodLock

from . import ledger_data as data

API = "/api/v1"
JSON = "application/json"


def locks_url(world) -> str:
    return f"{API}/campaigns/{world.campaign.pk}/locks"


def test_lock_list_and_reopen(login, world):
    client = login("office")
    response = client.post(
        locks_url(world),
        {"start": "2024-01-01", "end": "2024-01-31", "reason": "一月通报已发"},
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    lock = response.json()
    assert (lock["start"], lock["end"], lock["is_locked"], lock["locked_by"]) == (
        "2024-01-01",
        "2024-01-31",
        True,
        "office",
    )
    listed = login("reporter").get(locks_url(world))
    assert listed.status_code == 200
    assert [item["id"] for item in listed.json()] == [lock["id"]]

    reopened = client.post(
        f"{API}/locks/{lock['id']}/reopen", {"reason": "补录漏报数据"}, content_type=JSON
    )
    assert reopened.status_code == 200, reopened.content
    body = reopened.json()
    assert (body["is_locked"], body["reopened_by"], body["reopen_reason"]) == (
        False,
        "office",
        "补录漏报数据",
    )
    assert AuditEntry.objects.filter(action="ledger.period.reopened").exists()
    # Reopened: January takes records again.
    created = client.post(
        f"{API}/campaigns/{world.campaign.pk}/events",
        {"unit_id": world.township_unit.pk, "kind": "lecture", "date": "2024-01-10"},
        content_type=JSON,
    )
    assert created.status_code == 201


def test_lock_errors(login, world):
    client = login("office")
    backwards = client.post(
        locks_url(world), {"start": "2024-02-01", "end": "2024-01-01"}, content_type=JSON
    )
    assert backwards.status_code == 422
    assert [e["field"] for e in backwards.json()["errors"]] == ["end"]
    missing = client.post(locks_url(world), {"start": "2024-02-01"}, content_type=JSON)
    assert [e["field"] for e in missing.json()["errors"]] == ["end"]
    assert (
        login("reporter")
        .post(locks_url(world), {"start": "2024-01-01", "end": "2024-01-31"}, content_type=JSON)
        .status_code
        == 403
    )
    assert not PeriodLock.objects.exists()


def test_reopen_errors(login, world):
    lock = data.lock(world)
    client = login("office")
    no_reason = client.post(f"{API}/locks/{lock.pk}/reopen", {"reason": "  "}, content_type=JSON)
    assert no_reason.status_code == 422
    assert [e["field"] for e in no_reason.json()["errors"]] == ["reason"]
    assert client.post(f"{API}/locks/{lock.pk}/reopen", {}, content_type=JSON).status_code == 422
    hidden = login("other_office").post(
        f"{API}/locks/{lock.pk}/reopen", {"reason": "x"}, content_type=JSON
    )
    missing = login("other_office").post(
        f"{API}/locks/999999/reopen", {"reason": "x"}, content_type=JSON
    )
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert (
        client.post(
            f"{API}/locks/{lock.pk}/reopen", {"reason": "第一次"}, content_type=JSON
        ).status_code
        == 200
    )
    again = client.post(f"{API}/locks/{lock.pk}/reopen", {"reason": "又一次"}, content_type=JSON)
    assert again.status_code == 400
    assert "already" in again.json()["detail"]


def test_evidence_upload_verify_and_download(login, world):
    record = data.event(world)
    upload = login("reporter").post(
        f"{API}/events/{record.pk}/evidence", {"file": data.png(), "kind": "sign_in"}
    )
    assert upload.status_code == 201, upload.content
    body = upload.json()
    assert (body["kind"], body["original_name"], body["size"], body["verified"]) == (
        "sign_in",
        "sign-in.png",
        len(data.PNG),
        False,
    )
    assert body["uploaded_by"] == "reporter"
    assert login("reporter").post(f"{API}/evidence/{body['id']}/verify").status_code == 403
    verified = login("office").post(f"{API}/evidence/{body['id']}/verify")
    assert verified.status_code == 200
    assert (verified.json()["verified"], verified.json()["verified_by"]) == (True, "office")
    download = login("observer").get(f"{API}/evidence/{body['id']}/file")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == data.PNG
    assert "sign-in.png" in download["Content-Disposition"]
    assert login("other_office").get(f"{API}/evidence/{body['id']}/file").status_code == 404


def test_evidence_errors_name_the_field(login, world, monkeypatch):
    record = data.material(world)
    client = login("office")
    url = f"{API}/materials/{record.pk}/evidence"
    text = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    wrong_type = client.post(url, {"file": text, "kind": "photo"})
    assert wrong_type.status_code == 422
    assert [e["field"] for e in wrong_type.json()["errors"]] == ["file"]
    wrong_kind = client.post(url, {"file": data.png(), "kind": "selfie"})
    assert [e["field"] for e in wrong_kind.json()["errors"]] == ["kind"]
    no_file = client.post(url, {"kind": "photo"})
    assert [e["field"] for e in no_file.json()["errors"]] == ["file"]
    assert login("editor").post(url, {"file": data.png(), "kind": "photo"}).status_code == 403
    monkeypatch.setattr(records_api.services, "EVIDENCE_MAX_BYTES", 10)
    too_big = client.post(url, {"file": data.png(), "kind": "photo"})
    assert too_big.status_code == 422
    assert [e["field"] for e in too_big.json()["errors"]] == ["file"]
    assert not Evidence.objects.exists()
