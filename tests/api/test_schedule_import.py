"""POST /campaigns/{id}/schedule/import: the upload reaches the import service, and its
all-or-nothing rejection comes back as 422 listing every bad row."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.api import campaigns as campaign_api

API = "/api/v1"
HEADER = "序号,宣传主题,实事名称,责任单位,宣传时间"


def upload(*lines: str, name: str = "plan.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, "\n".join([HEADER, *lines]).encode(), "text/csv")


def url(world) -> str:
    return f"{API}/campaigns/{world.campaign.pk}/schedule/import"


def test_import_creates_the_rows(login, world):
    file = upload(
        f"1,政策宣讲,进村入户,{world.township_unit.name}、{world.county_unit.name},10月8-10日",
        f"2,综合报道,,{world.county_unit.name},12月初",
    )
    response = login("office").post(url(world), {"file": file, "year": 2024})
    assert response.status_code == 201, response.content
    body = response.json()
    assert len(body["sha256"]) == 64
    assert body["warnings"] == []
    assert [(i["seq"], i["theme"], i["window_text"]) for i in body["items"]] == [
        (1, "政策宣讲", "10月8-10日"),
        (2, "综合报道", "12月初"),
    ]
    assert body["items"][0]["window_start"] == "2024-10-08"
    assert {u["id"] for u in body["items"][0]["responsible_units"]} == {
        world.township_unit.pk,
        world.county_unit.pk,
    }
    assert world.campaign.schedule.count() == 2
    batch = AuditEntry.objects.filter(action="campaigns.schedule.imported")
    assert batch.count() == 1
    assert batch.get().extra["sha256"] == body["sha256"]
    schedule = login("reporter").get(f"{API}/campaigns/{world.campaign.pk}/schedule").json()
    assert [i["seq"] for i in schedule] == [1, 2]
    assert schedule[0]["window_end"] == datetime.date(2024, 10, 10).isoformat()


def test_bad_rows_are_all_listed_and_nothing_is_written(login, world):
    file = upload(
        "1,政策宣讲,,不存在的单位,10月8-10日",
        f"2,综合报道,,{world.county_unit.name},13月40日",
    )
    response = login("office").post(url(world), {"file": file, "year": 2024})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"]
    assert sorted(e["row"] for e in body["errors"]) == [2, 3]
    assert all(e["field"] and e["message"] for e in body["errors"])
    assert any("不存在的单位" in e["message"] for e in body["errors"])
    assert world.campaign.schedule.count() == 0


def test_an_unreadable_file_is_a_400(login, world):
    file = SimpleUploadedFile("plan.pdf", b"%PDF-1.4", "application/pdf")
    response = login("office").post(url(world), {"file": file, "year": 2024})
    assert response.status_code == 400
    assert response.json()["detail"]
    assert world.campaign.schedule.count() == 0


def test_file_and_year_are_required(login, world):
    client = login("office")
    no_year = client.post(url(world), {"file": upload()})
    assert no_year.status_code == 422
    assert [e["field"] for e in no_year.json()["errors"]] == ["year"]
    no_file = client.post(url(world), {"year": 2024})
    assert no_file.status_code == 422
    assert [e["field"] for e in no_file.json()["errors"]] == ["file"]


def test_an_oversized_file_is_refused_before_reading(login, world, monkeypatch):
    monkeypatch.setattr(campaign_api, "MAX_IMPORT_BYTES", 10)
    file = upload(f"1,政策宣讲,,{world.township_unit.name},10月8-10日")
    response = login("office").post(url(world), {"file": file, "year": 2024})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"
    assert world.campaign.schedule.count() == 0
