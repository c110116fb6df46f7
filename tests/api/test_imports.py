"""Ledger imports through the API: upload (all rows or none, bad rows listed by row and
column), a repeated file as a reported no-op, undo, the batch list, the templates."""

from django.core.files.uploadedfile import SimpleUploadedFile

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.ledger.models import Fact, ImportBatch, MaterialRecord

API = "/api/v1"
HEADER = "单位,行政区划代码,日期,类型,数量,量词"


def csv_file(*lines: str, name: str = "宣传品.csv") -> SimpleUploadedFile:
    text = "\n".join([HEADER, *lines]) + "\n"
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def upload_url(world, plural: str = "materials") -> str:
    return f"{API}/campaigns/{world.campaign.pk}/imports/{plural}"


def good_file(world) -> SimpleUploadedFile:
    return csv_file(
        f"{world.township_unit.name},,2024-02-01,横幅,1800,条",
        "",  # blank rows are skipped
        f"{world.county_unit.name},{world.village.code},2024-02-02,宣传单,176128,张",
    )


def test_import_creates_a_batch(login, world):
    response = login("office").post(upload_url(world), {"file": good_file(world)})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["rows"], body["created"], body["updated"], body["already_imported"]) == (
        2,
        2,
        0,
        False,
    )
    assert body["batch"]["kind"] == "material"
    assert body["batch"]["filename"] == "宣传品.csv"
    assert body["batch"]["created_by"] == "office"
    assert MaterialRecord.objects.filter(batch_id=body["batch"]["id"]).count() == 2
    assert Fact.objects.filter(indicator__code="leaflets").get().value == 176128


def test_the_same_file_again_is_a_reported_no_op(login, world):
    client = login("office")
    first = client.post(upload_url(world), {"file": good_file(world)}).json()
    again = client.post(upload_url(world), {"file": good_file(world)})
    assert again.status_code == 200
    body = again.json()
    assert body["already_imported"] is True
    assert body["batch"]["id"] == first["batch"]["id"]
    assert body["warnings"]
    assert MaterialRecord.objects.count() == 2


def test_bad_rows_are_listed_by_row_and_column_and_nothing_is_written(login, world):
    file = csv_file(
        f"{world.township_unit.name},,2024-02-01,横幅,-3,条",
        "不存在的单位,,2024-02-01,横幅,5,条",
        f"{world.township_unit.name},,2025-02-01,横幅,5,条",
    )
    response = login("office").post(upload_url(world), {"file": file})
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"]
    assert sorted(e["row"] for e in body["errors"]) == [2, 3, 4]
    assert all(e["field"] and e["message"] for e in body["errors"])
    assert not MaterialRecord.objects.exists()
    assert not ImportBatch.objects.exists()


def test_a_reporter_imports_for_its_own_unit_only(login, world):
    file = csv_file(f"{world.county_unit.name},,2024-02-01,横幅,5,条")
    response = login("reporter").post(upload_url(world), {"file": file})
    assert response.status_code == 422
    assert [e["row"] for e in response.json()["errors"]] == [2]
    assert login("observer").post(upload_url(world), {"file": good_file(world)}).status_code == 403
    assert not MaterialRecord.objects.exists()


def test_upload_errors(login, world, monkeypatch):
    from campaigndesk.api import imports as imports_api

    client = login("office")
    assert [e["field"] for e in client.post(upload_url(world), {}).json()["errors"]] == ["file"]
    legacy = SimpleUploadedFile("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
    rejected = client.post(upload_url(world), {"file": legacy})
    assert rejected.status_code == 400
    assert ".xlsx" in rejected.json()["detail"]
    unknown_kind = client.post(upload_url(world, "pictures"), {"file": good_file(world)})
    assert unknown_kind.status_code == 422
    assert [e["field"] for e in unknown_kind.json()["errors"]] == ["kind"]
    monkeypatch.setattr(imports_api, "MAX_IMPORT_BYTES", 10)
    too_big = client.post(upload_url(world), {"file": good_file(world)})
    assert too_big.status_code == 422
    assert [e["field"] for e in too_big.json()["errors"]] == ["file"]
    assert not MaterialRecord.objects.exists()


def test_undo_and_the_batch_list(login, world):
    office = login("office")
    batch_id = office.post(upload_url(world), {"file": good_file(world)}).json()["batch"]["id"]
    listed = office.get(f"{API}/campaigns/{world.campaign.pk}/imports").json()
    assert [b["id"] for b in listed["items"]] == [batch_id]
    assert (
        login("reporter").get(f"{API}/campaigns/{world.campaign.pk}/imports").json()["count"] == 0
    )  # others see their own imports only
    # A batch out of the list is as one that does not exist, for whoever asks.
    assert login("reporter").post(f"{API}/imports/{batch_id}/undo").status_code == 404
    assert login("reporter").post(f"{API}/imports/999999/undo").status_code == 404
    hidden = login("other_office").post(f"{API}/imports/{batch_id}/undo")
    missing = login("other_office").post(f"{API}/imports/999999/undo")
    assert hidden.status_code == missing.status_code == 404

    undone = office.post(f"{API}/imports/{batch_id}/undo")
    assert undone.status_code == 200, undone.content
    assert (undone.json()["undone_by"], undone.json()["undone_at"] is not None) == (
        "office",
        True,
    )
    assert not MaterialRecord.objects.exists()
    assert not Fact.objects.exists()
    assert AuditEntry.objects.filter(action="ledger.batch.undone").exists()
    again = office.post(f"{API}/imports/{batch_id}/undo")
    assert again.status_code == 400
    # Undone: the same file imports again.
    assert office.post(upload_url(world), {"file": good_file(world)}).status_code == 201


def test_templates(login, world):
    client = login("reporter")
    csv = client.get(f"{API}/import-templates/materials", {"format": "csv"})
    assert csv.status_code == 200
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.content.startswith("\ufeff".encode())
    assert csv.content.decode("utf-8-sig").splitlines()[0].startswith(HEADER)
    assert 'filename="materials-template.csv"' in csv["Content-Disposition"]
    xlsx = client.get(f"{API}/import-templates/figures")
    assert xlsx.status_code == 200
    assert xlsx.content.startswith(b"PK")
    assert "spreadsheetml" in xlsx["Content-Type"]
    assert client.get(f"{API}/import-templates/figures", {"format": "pdf"}).status_code == 422
    assert client.get(f"{API}/import-templates/pictures").status_code == 422


# --- exports ----------------------------------------------------------------------------


def _csv_lines(response) -> list[str]:
    assert response.status_code == 200, response.content
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())  # a BOM, so that Excel opens it
    return body.decode("utf-8-sig").splitlines()


def test_export_records_imports_again(login, world):
    from . import ledger_data as data

    data.material(world)
    data.material(world, unit=world.county_unit, kind="leaflet", quantity=176128, measure_word="张")
    office = login("office")
    url = f"{API}/campaigns/{world.campaign.pk}/exports/materials"
    lines = _csv_lines(office.get(url, {"format": "csv"}))
    assert lines[0].startswith(HEADER)
    assert len(lines) == 3
    assert "campaign-" in office.get(url, {"format": "csv"})["Content-Disposition"]
    # The reporter's export holds its own unit's rows only.
    assert len(_csv_lines(login("reporter").get(url, {"format": "csv"}))) == 2
    only_leaflets = _csv_lines(office.get(url, {"format": "csv", "kind": "material:leaflet"}))
    assert len(only_leaflets) == 2 and "176128" in only_leaflets[1]
    xlsx = office.get(url)
    assert xlsx.status_code == 200
    assert b"".join(xlsx.streaming_content).startswith(b"PK")
    wrong_kind = office.get(url, {"kind": "event:lecture"})
    assert wrong_kind.status_code == 422
    assert [e["field"] for e in wrong_kind.json()["errors"]] == ["kind"]
    assert login("other_office").get(url).status_code == 404


def test_export_rollup(login, world):
    from . import ledger_data as data

    data.figure(world, code="leaflets")
    url = f"{API}/campaigns/{world.campaign.pk}/rollup/export"
    lines = _csv_lines(login("office").get(url, {"format": "csv", "indicators": "leaflets"}))
    assert len(lines) == 2
    assert "176128" in lines[1]
    bad = login("office").get(url, {"group_by": "planet"})
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["group_by"]
