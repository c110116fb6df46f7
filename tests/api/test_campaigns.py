"""Campaigns and their schedules through the API."""

import datetime

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.campaigns import services
from campaigndesk.campaigns.models import Campaign, ScheduleItem

API = "/api/v1"
JSON = "application/json"
D = datetime.date


def _names(response) -> list[str]:
    return sorted(c["name"] for c in response.json()["items"])


def test_campaign_list_is_scoped(login, world):
    both = sorted([world.campaign.name, world.other_campaign.name])
    assert _names(login("office").get(f"{API}/campaigns")) == both
    assert _names(login("observer").get(f"{API}/campaigns")) == both
    assert _names(login("reporter").get(f"{API}/campaigns")) == [world.campaign.name]
    assert _names(login("other_office").get(f"{API}/campaigns")) == [world.other_campaign.name]
    body = login("admin").get(f"{API}/campaigns").json()
    assert body["count"] == 2
    item = next(c for c in body["items"] if c["id"] == world.campaign.pk)
    assert item["lead_unit"]["id"] == world.county_unit.pk
    assert item["region"]["code"] == world.county.code


def test_campaign_detail_has_strands_phases_group_units_and_targets(login, world):
    campaign = world.campaign
    services.strand_create(actor=SYSTEM, campaign=campaign, name="媒体宣传")
    services.phase_create(
        actor=SYSTEM,
        campaign=campaign,
        name="集中宣传",
        start_date=D(2024, 3, 1),
        end_date=D(2024, 5, 31),
    )
    services.leading_group_member_add(
        actor=SYSTEM,
        campaign=campaign,
        person_name="李四",
        role="leader",
        position="市委副书记",
        unit=world.county_unit,
    )
    services.coverage_target_set(
        actor=SYSTEM, campaign=campaign, level=5, target_count=12, regions=[world.village]
    )
    services.rate_target_set(actor=SYSTEM, campaign=campaign, kind="awareness", target_percent=90)
    services.quota_target_set(
        actor=SYSTEM,
        campaign=campaign,
        item_kind="information",
        count=3,
        period="month",
        due_day=5,
    )
    response = login("reporter").get(f"{API}/campaigns/{campaign.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == campaign.name
    assert [s["name"] for s in body["strands"]] == ["媒体宣传"]
    assert body["phases"][0]["name"] == "集中宣传"
    assert body["phases"][0]["start_date"] == "2024-03-01"
    member = body["leading_group"][0]
    assert (member["person_name"], member["role"], member["position"]) == (
        "李四",
        "leader",
        "市委副书记",
    )
    assert member["unit"]["id"] == world.county_unit.pk
    assert {(u["unit"]["id"], u["role"]) for u in body["units"]} == {
        (world.county_unit.pk, "lead"),
        (world.township_unit.pk, "responsible"),
    }
    targets = body["targets"]
    assert targets["coverage"] == [
        {
            "level": 5,
            "level_label": targets["coverage"][0]["level_label"],
            "target_count": 12,
            "region_codes": [world.village.code],
        }
    ]
    assert [(r["kind"], float(r["target_percent"])) for r in targets["rates"]] == [
        ("awareness", 90.0)
    ]
    quota = targets["quotas"][0]
    assert (quota["item_kind"], quota["count"], quota["period"], quota["due_day"]) == (
        "information",
        3,
        "month",
        5,
    )


def test_campaign_detail_hidden_and_missing_answer_alike(login, world):
    client = login("other_reporter")
    hidden = client.get(f"{API}/campaigns/{world.campaign.pk}")
    missing = client.get(f"{API}/campaigns/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_campaign_create(login, world):
    payload = {
        "name": "文明城市创建宣传",
        "slogan": "共建文明城市",
        "start_date": "2024-03-01",
        "end_date": "2024-06-30",
        "lead_unit_id": world.office_unit.pk,
        "region_code": world.county.code,
        "responsible_unit_ids": [world.county_unit.pk, world.township_unit.pk],
        "strands": ["媒体宣传", "文艺巡演"],
    }
    response = login("office").post(f"{API}/campaigns", payload, content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    campaign = Campaign.objects.get(pk=body["id"])
    assert campaign.region == world.county
    assert campaign.lead_unit == world.office_unit
    assert body["region"]["code"] == world.county.code
    assert [s["name"] for s in body["strands"]] == ["媒体宣传", "文艺巡演"]
    assert {(u["unit"]["id"], u["role"]) for u in body["units"]} == {
        (world.office_unit.pk, "lead"),
        (world.county_unit.pk, "responsible"),
        (world.township_unit.pk, "responsible"),
    }
    assert AuditEntry.objects.filter(
        action="campaigns.campaign.created", object_id=str(campaign.pk)
    ).exists()


def test_campaign_create_errors(login, world):
    client = login("office")
    base = {
        "name": "新活动",
        "start_date": "2024-06-01",
        "end_date": "2024-03-01",
        "lead_unit_id": world.county_unit.pk,
    }
    backwards = client.post(f"{API}/campaigns", base, content_type=JSON)
    assert backwards.status_code == 400
    assert "before it starts" in backwards.json()["detail"]
    bad_date = client.post(
        f"{API}/campaigns", {**base, "end_date": "2024-02-30"}, content_type=JSON
    )
    assert bad_date.status_code == 422
    assert [e["field"] for e in bad_date.json()["errors"]] == ["end_date"]
    unknown_units = client.post(
        f"{API}/campaigns",
        {**base, "end_date": "2024-12-31", "responsible_unit_ids": [999998, 999999]},
        content_type=JSON,
    )
    assert unknown_units.status_code == 422
    errors = unknown_units.json()["errors"]
    assert [(e["field"], "999998" in e["message"] or "999999" in e["message"]) for e in errors] == [
        ("responsible_unit_ids", True),
        ("responsible_unit_ids", True),
    ]
    assert not Campaign.objects.filter(name="新活动").exists()


def _schedule_item(world, seq, theme, **extra) -> ScheduleItem:
    return services.schedule_item_create(
        actor=SYSTEM,
        campaign=world.campaign,
        theme=theme,
        seq=seq,
        window_start=D(2024, 10, 8),
        window_end=D(2024, 10, 10),
        window_text="10月8-10日",
        responsible_units=[world.township_unit, world.county_unit],
        **extra,
    )


def test_schedule_list_in_order(login, world):
    strand = services.strand_create(actor=SYSTEM, campaign=world.campaign, name="媒体宣传")
    _schedule_item(world, 2, "第二项")
    _schedule_item(world, 1, "第一项", strand=strand)
    response = login("reporter").get(f"{API}/campaigns/{world.campaign.pk}/schedule")
    assert response.status_code == 200
    body = response.json()
    assert [(i["seq"], i["theme"]) for i in body] == [(1, "第一项"), (2, "第二项")]
    first = body[0]
    assert first["window_text"] == "10月8-10日"
    assert (first["window_start"], first["window_end"]) == ("2024-10-08", "2024-10-10")
    assert first["status"] == "planned"
    assert first["strand"]["name"] == "媒体宣传"
    assert body[1]["strand"] is None
    assert {u["id"] for u in first["responsible_units"]} == {
        world.township_unit.pk,
        world.county_unit.pk,
    }


def test_schedule_item_create(login, world):
    phase = services.phase_create(
        actor=SYSTEM,
        campaign=world.campaign,
        name="集中宣传",
        start_date=D(2024, 10, 1),
        end_date=D(2024, 12, 31),
    )
    _schedule_item(world, 1, "已有一项")
    payload = {
        "theme": "民生实事宣传",
        "project": "城区道路改造",
        "window_start": "2024-10-30",
        "window_end": "2024-11-03",
        "window_text": "10月30-11月3日",
        "responsible_unit_ids": [world.township_unit.pk],
        "phase_id": phase.pk,
    }
    url = f"{API}/campaigns/{world.campaign.pk}/schedule"
    response = login("office").post(url, payload, content_type=JSON)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["seq"] == 2  # numbered after the last row
    assert body["phase"]["id"] == phase.pk
    item = ScheduleItem.objects.get(pk=body["id"])
    assert list(item.responsible_units.all()) == [world.township_unit]
    assert item.window_end == D(2024, 11, 3)


def test_schedule_item_create_errors(login, world):
    foreign_strand = services.strand_create(
        actor=SYSTEM, campaign=world.other_campaign, name="别人的"
    )
    _schedule_item(world, 1, "已有一项")
    client = login("office")
    url = f"{API}/campaigns/{world.campaign.pk}/schedule"
    base = {
        "theme": "宣讲",
        "window_start": "2024-10-08",
        "window_end": "2024-10-10",
        "responsible_unit_ids": [world.township_unit.pk],
    }
    backwards = client.post(url, {**base, "window_end": "2024-10-01"}, content_type=JSON)
    assert backwards.status_code == 400
    assert "before it starts" in backwards.json()["detail"]
    taken = client.post(url, {**base, "seq": 1}, content_type=JSON)
    assert taken.status_code == 400
    assert "1" in taken.json()["detail"]
    no_units = client.post(url, {**base, "responsible_unit_ids": []}, content_type=JSON)
    assert no_units.status_code == 422
    assert [e["field"] for e in no_units.json()["errors"]] == ["responsible_unit_ids"]
    other_strand = client.post(url, {**base, "strand_id": foreign_strand.pk}, content_type=JSON)
    assert other_strand.status_code == 422
    assert other_strand.json()["errors"][0]["field"] == "strand_id"
    assert world.campaign.schedule.count() == 1
    missing = client.post(f"{API}/campaigns/999999/schedule", base, content_type=JSON)
    assert missing.status_code == 404
