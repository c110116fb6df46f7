"""Units (scoped, paginated, created through the service) and the outlet directory."""

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.regions.models import Outlet, Unit
from campaigndesk.regions.services import unit_add_aliases

from ..factories import OutletFactory

API = "/api/v1"


def _names(response) -> list[str]:
    return [u["name"] for u in response.json()["items"]]


def test_unit_list_is_scoped_to_the_user(login, world):
    office = login("office").get(f"{API}/units").json()
    assert office["count"] == 5
    reporter = login("reporter").get(f"{API}/units")
    assert _names(reporter) == [world.township_unit.name]
    other = login("other_office").get(f"{API}/units")
    assert sorted(_names(other)) == sorted(
        [world.other_county_office_unit.name, world.other_township_unit.name]
    )


def test_unit_list_filters_by_region_subtree_and_kind(login, world):
    client = login("office")
    under = client.get(f"{API}/units", {"region": world.county.code})
    assert sorted(_names(under)) == sorted([world.county_unit.name, world.township_unit.name])
    offices = client.get(f"{API}/units", {"kind": "office"})
    assert sorted(_names(offices)) == sorted(
        [world.office_unit.name, world.other_county_office_unit.name]
    )


def test_unit_list_is_paginated(login, world):
    client = login("admin")
    first = client.get(f"{API}/units", {"page_size": 2}).json()
    assert first["count"] == 5
    assert len(first["items"]) == 2
    last = client.get(f"{API}/units", {"page_size": 2, "page": 3}).json()
    assert len(last["items"]) == 1
    seen = {
        u["id"]
        for p in (1, 2, 3)
        for u in client.get(f"{API}/units", {"page_size": 2, "page": p}).json()["items"]
    }
    assert seen == set(Unit.objects.values_list("pk", flat=True))


def test_unit_list_rejects_an_unknown_kind_and_region(login, world):
    client = login("office")
    bad_kind = client.get(f"{API}/units", {"kind": "castle"})
    assert bad_kind.status_code == 422
    assert [e["field"] for e in bad_kind.json()["errors"]] == ["kind"]
    bad_region = client.get(f"{API}/units", {"region": "999"})
    assert bad_region.status_code == 422
    body = bad_region.json()
    assert body["errors"][0]["field"] == "region"
    assert "999" in body["detail"]


def test_unit_detail_with_aliases(login, world):
    unit_add_aliases(actor=SYSTEM, unit=world.county_unit, aliases=["楚雄市融媒"])
    response = login("observer").get(f"{API}/units/{world.county_unit.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == world.county_unit.name
    assert body["kind"] == "media"
    assert body["region"]["code"] == world.county.code
    assert body["aliases"] == ["楚雄市融媒"]


def test_unit_detail_hidden_and_missing_answer_alike(login, world):
    client = login("other_office")
    hidden = client.get(f"{API}/units/{world.township_unit.pk}")
    missing = client.get(f"{API}/units/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    assert client.get(f"{API}/units/abc").status_code == 422


def test_unit_create_goes_through_the_service(login, world):
    payload = {
        "name": "  鹿城镇  文明实践所 ",
        "kind": "practice_institute",
        "region_code": world.township.code,
        "parent_id": world.township_unit.pk,
        "aliases": ["鹿城實踐所"],
    }
    response = login("office").post(f"{API}/units", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    unit = Unit.objects.get(pk=body["id"])
    assert unit.name == body["name"] == "鹿城镇 文明实践所"
    assert unit.region == world.township
    assert unit.parent == world.township_unit
    assert body["aliases"] == ["鹿城實踐所"]
    assert AuditEntry.objects.filter(action="regions.unit.created", object_id=str(unit.pk)).exists()


def test_unit_create_duplicate_name_is_a_400(login, world):
    payload = {"name": world.county_unit.name, "kind": "media", "region_code": world.county.code}
    response = login("office").post(f"{API}/units", payload, content_type="application/json")
    assert response.status_code == 400
    assert "already exists" in response.json()["detail"]


def test_unit_create_validation_errors_name_the_field(login, world):
    client = login("office")
    missing = client.post(
        f"{API}/units", {"kind": "media", "region_code": "532301"}, content_type="application/json"
    )
    assert missing.status_code == 422
    assert [e["field"] for e in missing.json()["errors"]] == ["name"]
    unknown_region = client.post(
        f"{API}/units",
        {"name": "新单位", "kind": "media", "region_code": "000"},
        content_type="application/json",
    )
    assert unknown_region.status_code == 422
    assert unknown_region.json()["errors"][0]["field"] == "region_code"
    not_json = client.post(f"{API}/units", "{", content_type="application/json")
    assert not_json.status_code in (400, 422)
    assert not_json.json()["detail"]
    assert not Unit.objects.filter(name="新单位").exists()


def test_unit_create_cannot_name_a_hidden_parent(login, world):
    payload = {
        "name": "妥甸镇文明实践所",
        "kind": "practice_institute",
        "region_code": world.other_township.code,
        "parent_id": world.township_unit.pk,
    }
    response = login("other_office").post(f"{API}/units", payload, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "parent_id"
    assert not Unit.objects.filter(name="妥甸镇文明实践所").exists()


def test_unit_create_forbidden_writes_nothing_and_records_the_denial(login, world):
    payload = {"name": "越权单位", "kind": "department", "region_code": world.county.code}
    response = login("other_office").post(f"{API}/units", payload, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["detail"]
    assert not Unit.objects.filter(name="越权单位").exists()
    assert AuditEntry.objects.filter(
        actor=world.other_office, outcome=AuditEntry.Outcome.DENIED
    ).exists()


def test_outlet_list_filters_by_channel_and_level(login, world):
    OutletFactory(name="云南日报", channel="newspaper", level=2)
    OutletFactory(name="楚雄电视台", channel="tv", level=3)
    OutletFactory(name="楚雄发布", channel="wechat", level=3)
    client = login("reporter")
    everything = client.get(f"{API}/outlets").json()
    assert everything["count"] == 3
    level3 = client.get(f"{API}/outlets", {"level": 3}).json()
    assert sorted(o["name"] for o in level3["items"]) == ["楚雄发布", "楚雄电视台"]
    tv = client.get(f"{API}/outlets", {"channel": "tv", "level": 3}).json()
    assert [o["name"] for o in tv["items"]] == ["楚雄电视台"]
    assert tv["items"][0]["channel_label"]
    assert client.get(f"{API}/outlets", {"channel": "pigeon"}).status_code == 422


def test_outlet_create(login, world):
    payload = {
        "name": "楚雄市融媒体中心视频号",
        "channel": "video_account",
        "level": 4,
        "region_code": world.county.code,
        "unit_id": world.county_unit.pk,
    }
    response = login("office").post(f"{API}/outlets", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["region_code"] == world.county.code
    assert body["unit"]["id"] == world.county_unit.pk
    outlet = Outlet.objects.get(pk=body["id"])
    assert (outlet.channel, outlet.level) == ("video_account", 4)


def test_outlet_create_errors(login, world):
    OutletFactory(name="楚雄日报", channel="newspaper", level=3)
    client = login("office")
    duplicate = client.post(
        f"{API}/outlets",
        {"name": "楚雄日报", "channel": "newspaper", "level": 3},
        content_type="application/json",
    )
    assert duplicate.status_code == 400
    assert "楚雄日报" in duplicate.json()["detail"]
    bad_level = client.post(
        f"{API}/outlets",
        {"name": "某报", "channel": "newspaper", "level": 9},
        content_type="application/json",
    )
    assert bad_level.status_code == 422
    assert [e["field"] for e in bad_level.json()["errors"]] == ["level"]
    assert Outlet.objects.count() == 1
