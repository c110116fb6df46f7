"""The reporting pages: a unit files an item with a photo, the office takes it through
编辑 → 审核 → 终审, records an adoption and a leader's comment; the queue's counts; a
return with its reason; the quota reminder; bulletins show their frozen snapshot."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from campaigndesk.reporting import issuing, services
from campaigndesk.reporting.models import Adoption, InfoItem, ItemState, ItemTransition

from . import web_data as d
from .factories import QuotaTargetFactory, exe_bytes, png_bytes


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def as_user(client, user) -> Client:
    client.force_login(user)
    return client


def test_a_unit_files_an_item_and_the_office_signs_it_off(client, world):
    c = as_user(client, world.reporter)
    response = c.post(
        f"/reporting/campaigns/{world.campaign.pk}/items/new/",
        {
            "title": "鹿城镇开展移民政策宣讲",
            "body": "3月4日，鹿城镇在北浦社区开展宣讲。",
            "attachments": [SimpleUploadedFile("现场.png", png_bytes())],
        },
    )
    assert response.status_code == 302
    item = InfoItem.objects.get()
    assert response["Location"] == f"/reporting/items/{item.pk}/"
    assert (item.state, item.unit, item.title) == (
        ItemState.DRAFT,
        world.township_unit,
        "鹿城镇开展移民政策宣讲",
    )
    assert [a.original_name for a in item.attachments.all()] == ["现场.png"]

    url = f"/reporting/items/{item.pk}/"
    assert c.post(url + "step/submit/", {}).status_code == 302
    item.refresh_from_db()
    assert item.state == ItemState.SUBMITTED and item.submitted_at is not None

    steps = [
        (
            world.editor,
            "edit",
            {"title": "鹿城镇宣讲移民政策", "body": "改过的正文", "note": "精简"},
        ),
        (world.reviewer, "review", {"note": ""}),
        (world.approver, "sign_off", {"note": "同意"}),
    ]
    for user, step, data in steps:
        page = as_user(client, user).get(url).content.decode()
        assert f'value="{step}"' in page, f"{user} sees the {step} button"
        assert client.post(url + f"step/{step}/", data).status_code == 302
    item.refresh_from_db()
    assert item.state == ItemState.SIGNED_OFF
    assert item.title == "鹿城镇宣讲移民政策"
    assert list(item.transitions.values_list("step", "actor__username")) == [
        ("submit", "reporter"),
        ("edit", "editor"),
        ("review", "reviewer"),
        ("sign_off", "approver"),
    ]
    page = as_user(client, world.reporter).get(url).content.decode()
    assert "Signed off" in page and "同意" in page  # the unit sees where it stands


def test_steps_show_only_to_their_role(client, world):
    item = d.submitted(world)
    url = f"/reporting/items/{item.pk}/"
    assert 'value="edit"' in as_user(client, world.editor).get(url).content.decode()
    for user in (world.reviewer, world.office, world.observer, world.reporter):
        assert 'value="edit"' not in as_user(client, user).get(url).content.decode()
    # The office alone does not sign a step: the service refuses it.
    response = as_user(client, world.office).post(url + "step/edit/", {"title": "x", "body": "y"})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.state == ItemState.SUBMITTED


def test_a_return_needs_a_reason_and_the_unit_resubmits(client, world):
    item = d.submitted(world)
    url = f"/reporting/items/{item.pk}/"
    c = as_user(client, world.reviewer)
    assert c.post(url + "step/return/", {"reason": ""}).status_code == 200
    item.refresh_from_db()
    assert item.state == ItemState.SUBMITTED
    assert c.post(url + "step/return/", {"reason": "请补充参与人数"}).status_code == 302
    item.refresh_from_db()
    assert item.state == ItemState.RETURNED
    c = as_user(client, world.reporter)
    page = c.get(url).content.decode()
    assert "请补充参与人数" in page and 'value="submit"' in page and "Resubmit" in page
    assert "请补充参与人数" in c.get("/notifications/").content.decode()
    assert c.post(url + "step/submit/", {}).status_code == 302
    item.refresh_from_db()
    assert item.state == ItemState.SUBMITTED
    assert item.transitions.last().step == ItemTransition.Step.RESUBMIT


def test_a_refused_move_shows_the_reason_and_changes_nothing(client, world):
    item = d.draft(world)
    response = as_user(client, world.reviewer).post(f"/reporting/items/{item.pk}/step/review/", {})
    assert response.status_code == 200
    assert "not possible for an item that is Draft" in response.content.decode()
    item.refresh_from_db()
    assert item.state == ItemState.DRAFT


def test_a_bad_attachment_is_refused_on_its_field(client, world):
    item = d.draft(world)
    response = as_user(client, world.reporter).post(
        f"/reporting/items/{item.pk}/attachments/",
        {"files": [SimpleUploadedFile("setup.png", exe_bytes())]},
    )
    assert response.status_code == 200
    assert "setup.png" in response.content.decode()
    assert item.attachments.count() == 0


def test_queue_counts_each_step(client, world):
    d.submitted(world)
    d.submitted(world)
    d.edited(world)
    d.reviewed(world)
    d.signed_off(world)
    page = as_user(client, world.office).get(
        f"/reporting/campaigns/{world.campaign.pk}/queue/?step=review"
    )
    counts = dict(
        re.findall(
            r'data-step="(\w+)">[^<]*<span class="count" data-count="(\d+)"', page.content.decode()
        )
    )
    assert counts == {"edit": "2", "review": "1", "sign_off": "1"}
    assert len(re.findall(r"<tr data-item=", page.content.decode())) == 1
    assert (
        as_user(client, world.reporter)
        .get(f"/reporting/campaigns/{world.campaign.pk}/queue/")
        .status_code
        == 403
    )


def test_the_unit_sees_only_its_items(client, world):
    mine = d.submitted(world)
    county = world.county_unit
    from .factories import submitted_item

    theirs = submitted_item(world, unit=county, title="融媒体中心的信息")
    page = (
        as_user(client, world.reporter)
        .get(f"/reporting/campaigns/{world.campaign.pk}/items/")
        .content.decode()
    )
    assert mine.title in page and theirs.title not in page
    page = (
        as_user(client, world.office)
        .get(f"/reporting/campaigns/{world.campaign.pk}/items/")
        .content.decode()
    )
    assert mine.title in page and theirs.title in page


def test_the_office_records_an_adoption_and_a_leaders_comment(client, world):
    item = d.signed_off(world)
    outlet = d.outlet(level=1)
    c = as_user(client, world.office)
    response = c.post(
        f"/reporting/items/{item.pk}/adoptions/",
        {
            "outlet": outlet.pk,
            "date": "2024-03-10",
            "url": "https://example.cn/a",
            "is_headline": "on",
        },
    )
    assert response.status_code == 302
    adoption = Adoption.objects.get()
    assert (adoption.outlet, adoption.level, adoption.is_headline) == (outlet, 1, True)
    # The same outlet again: refused on the form, nothing added.
    again = c.post(
        f"/reporting/items/{item.pk}/adoptions/", {"outlet": outlet.pk, "date": "2024-03-11"}
    )
    assert again.status_code == 200
    assert Adoption.objects.count() == 1
    response = c.post(
        f"/reporting/items/{item.pk}/leader-comments/",
        {"leader": "李书记", "date": "2024-03-12", "comment": "写得好"},
    )
    assert response.status_code == 302
    page = c.get(f"/reporting/items/{item.pk}/").content.decode()
    assert outlet.name in page and "李书记" in page and "写得好" in page


def test_quota_page_names_the_units_behind_with_a_reminder(client, world):
    QuotaTargetFactory(campaign=world.campaign, count=3)
    page = (
        as_user(client, world.office)
        .get(f"/reporting/campaigns/{world.campaign.pk}/quota/")
        .content.decode()
    )
    # Nobody has submitted this month: both campaign units are behind by 3.
    reminder = re.search(r'<textarea id="reminder"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert world.township_unit.name in reminder and world.county_unit.name in reminder
    assert "0 of 3 items" in reminder


def test_bulletin_page_shows_the_frozen_snapshot_after_a_rule_change(client, world):
    bulletin = d.bulletin(world, issue=True)
    row = bulletin.snapshot["rows"][0]
    url = f"/reporting/bulletins/{bulletin.pk}/"
    page = as_user(client, world.observer).get(url).content.decode()
    assert f"{bulletin.snapshot['year']} No. {bulletin.snapshot['number']}" in page
    points_before = re.findall(r'class="num points">([^<]+)<', page)
    assert points_before == [r["points"] for r in bulletin.snapshot["rows"]]
    services.rules_create(
        actor=world.office,
        campaign=world.campaign,
        valid_from=datetime.date(2024, 1, 1),
        points_central=100,
        points_provincial=100,
        points_municipal=100,
        points_county=100,
        base_points=50,
    )
    page = client.get(url).content.decode()
    assert re.findall(r'class="num points">([^<]+)<', page) == points_before
    assert row["unit"] in page
    docx = client.get(f"{url}bulletin.docx")
    assert docx.status_code == 200 and b"".join(docx.streaming_content)[:2] == b"PK"
    xlsx = client.get(f"{url}bulletin.xlsx")
    assert xlsx.status_code == 200


def test_issuing_from_the_page_and_editing_an_issued_bulletin_is_refused(client, world):
    bulletin = d.bulletin(world)
    c = as_user(client, world.office)
    page = c.get(f"/reporting/bulletins/{bulletin.pk}/").content.decode()
    assert 'id="bulletin-table"' in page  # the draft's preview
    assert (
        c.post(
            f"/reporting/bulletins/{bulletin.pk}/issue/", {"issue_date": "2024-04-08"}
        ).status_code
        == 302
    )
    bulletin.refresh_from_db()
    assert bulletin.state == "issued" and bulletin.number == 1
    response = c.get(f"/reporting/bulletins/{bulletin.pk}/edit/", follow=True)
    assert "cannot be changed" in response.content.decode()


def test_briefing_draft_choose_items_issue_and_correct(client, world):
    item = d.signed_off(world)
    c = as_user(client, world.office)
    response = c.post(
        f"/reporting/campaigns/{world.campaign.pk}/briefings/new/",
        {"items": [item.pk], "signer": "张三"},
    )
    assert response.status_code == 302
    briefing = issuing.briefing_list(actor=world.office, campaign=world.campaign).get()
    assert [e.item_id for e in briefing.entries.all()] == [item.pk]
    c.post(f"/reporting/briefings/{briefing.pk}/issue/", {"issue_date": "2024-03-08"})
    briefing.refresh_from_db()
    assert briefing.state == "issued"
    page = c.get(f"/reporting/briefings/{briefing.pk}/").content.decode()
    assert item.title in page and "张三" in page
    response = c.post(f"/reporting/briefings/{briefing.pk}/correct/")
    correction = issuing.briefing_list(actor=world.office).get(corrects=briefing)
    assert response["Location"] == f"/reporting/briefings/{correction.pk}/"


def test_commission_shows_each_units_owed_and_delivered(client, world):
    c = as_user(client, world.office)
    response = c.post(
        f"/reporting/campaigns/{world.campaign.pk}/commissions/new/",
        {
            "theme": "移民后扶专题",
            "due_date": "2024-03-20",
            "count_per_unit": "2",
            "units": [world.township_unit.pk, world.county_unit.pk],
        },
    )
    assert response.status_code == 302
    commission = world.campaign.commissions.get()
    from .factories import submitted_item

    submitted_item(world, commission=commission)
    page = c.get(f"/reporting/commissions/{commission.pk}/").content.decode()
    cells = r'<tr data-unit="(\d+)"><td>[^<]*</td><td class="num">(\d+)</td><td class="num">(\d+)'
    rows = {unit: (owed, delivered) for unit, owed, delivered in re.findall(cells, page)}
    assert rows == {str(world.township_unit.pk): ("1", "1"), str(world.county_unit.pk): ("2", "0")}
    home = as_user(client, world.reporter).get("/reporting/").content.decode()
    assert "移民后扶专题" in home  # what the unit owes
