"""The issue's "Bad input" through the pages and the API (the services' own tests are in
test_workflow, test_attachments, test_adoptions, test_issuing): each is refused with a
clear message and nothing changes. Also: who cannot even see items and drafts (404), and
the notifications a unit gets."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from campaigndesk.accounts.audit import AuditEntry
from campaigndesk.notifications.models import Notification
from campaigndesk.reporting.models import (
    Adoption,
    Briefing,
    Bulletin,
    InfoItem,
    ItemAttachment,
    ItemState,
)

from . import web_data as d
from .factories import exe_bytes, png_bytes, reporter_for, submitted_item

V = "/api/v1"


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- attachments ---------------------------------------------------------------------------


def test_an_attachment_over_the_limit_is_refused_on_the_page_and_the_api(
    world, settings, media_root
):
    settings.REPORTING_ATTACHMENT_MAX_BYTES = 1000
    item = d.draft(world)
    big = png_bytes() + b"\x00" * 1000
    reporter = _client(world.reporter)
    page = reporter.post(
        reverse("reporting:attachment_add", args=[item.pk]),
        {"files": [SimpleUploadedFile("大图.png", big)]},
    )
    assert page.status_code == 200
    assert "大图.png: The file is larger than" in page.content.decode()
    api = reporter.post(
        f"{V}/items/{item.pk}/attachments", {"file": SimpleUploadedFile("大图.png", big)}
    )
    assert api.status_code == 422
    assert api.json()["errors"][0]["field"] == "file"
    assert "larger than" in api.json()["errors"][0]["message"]
    assert ItemAttachment.objects.count() == 0 and _files(media_root) == []


def test_a_bad_file_on_the_item_form_saves_nothing(world, media_root):
    item = d.draft(world)
    reporter = _client(world.reporter)
    response = reporter.post(
        reverse("reporting:item_edit", args=[item.pk]),
        {
            "title": "改过的标题",
            "body": "改过的正文",
            "attachments": [
                SimpleUploadedFile("现场.png", png_bytes()),
                SimpleUploadedFile("setup.png", exe_bytes()),
            ],
        },
    )
    assert response.status_code == 200
    assert "setup.png" in response.content.decode()
    item.refresh_from_db()
    assert (item.title, item.body) == ("鹿城镇草稿", "草稿正文")
    assert ItemAttachment.objects.count() == 0 and _files(media_root) == []
    # A new item with a bad file is not created either.
    response = reporter.post(
        reverse("reporting:item_new", args=[world.campaign.pk]),
        {"title": "新信息", "body": "正文", "attachments": [SimpleUploadedFile("a.pdf", b"MZ")]},
    )
    assert response.status_code == 200 and "a.pdf" in response.content.decode()
    assert not InfoItem.objects.filter(title="新信息").exists()
    # Several files on the item page: one bad, none kept.
    response = reporter.post(
        reverse("reporting:attachment_add", args=[item.pk]),
        {
            "files": [
                SimpleUploadedFile("现场.png", png_bytes()),
                SimpleUploadedFile("setup.png", exe_bytes()),
            ]
        },
    )
    assert response.status_code == 200 and "setup.png" in response.content.decode()
    assert ItemAttachment.objects.count() == 0 and _files(media_root) == []


# --- adoptions ---------------------------------------------------------------------------


def test_an_adoption_dated_before_submission_needs_a_proof_and_is_flagged(world):
    item = d.signed_off(world)  # submitted 2024-03-04
    outlet = d.outlet(level=2)
    office = _client(world.office)
    early = {"outlet_id": outlet.pk, "date": "2024-03-01"}
    response = office.post(f"{V}/items/{item.pk}/adoptions", early)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "proof" and "before the item was submitted" in error["message"]
    page = office.post(
        reverse("reporting:adoption_add", args=[item.pk]),
        {"outlet": outlet.pk, "date": "2024-03-01"},
    )
    assert page.status_code == 200 and "attach a proof file" in page.content.decode()
    assert Adoption.objects.count() == 0

    response = office.post(
        f"{V}/items/{item.pk}/adoptions",
        {**early, "proof": SimpleUploadedFile("版面.pdf", b"%PDF-1.4\n%%EOF\n")},
    )
    assert response.status_code == 201, response.content
    assert (response.json()["flagged_early"], response.json()["has_proof"]) == (True, True)
    other = d.outlet(level=3)
    page = office.post(
        reverse("reporting:adoption_add", args=[item.pk]),
        {
            "outlet": other.pk,
            "date": "2024-03-02",
            "proof": SimpleUploadedFile("截图.png", png_bytes()),
        },
        follow=True,
    )
    html = page.content.decode()
    assert "dated before the item" in html and html.count("dated before submission") == 2
    assert list(Adoption.objects.order_by("id").values_list("flagged_early", flat=True)) == [
        True,
        True,
    ]
    # The same outlet again, on time and with proof: still refused.
    again = office.post(
        f"{V}/items/{item.pk}/adoptions",
        {"outlet_id": outlet.pk, "date": "2024-03-10", "url": "https://example.cn/x"},
    )
    assert again.status_code == 400 and "already adopted" in again.json()["detail"]
    assert Adoption.objects.count() == 2


# --- transitions -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "role", "path", "body"),
    [
        (d.draft, "editor", "edit", {"title": "标题", "body": "正文"}),
        (d.submitted, "approver", "sign-off", {}),
        (d.edited, "editor", "edit", {"title": "标题", "body": "正文"}),
        (d.signed_off, "editor", "return", {"reason": "再改改"}),
        (d.signed_off, "reporter", "withdraw", {}),
        (d.signed_off, "reporter", "submit", {}),
        (d.returned, "reviewer", "review", {}),
    ],
)
def test_a_move_not_allowed_from_the_state_changes_nothing(world, make, role, path, body):
    item = make(world)
    state, steps = item.state, item.transitions.count()
    response = _client(world.user(role)).post(
        f"{V}/items/{item.pk}/{path}", body, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert "not possible for an item that is" in response.json()["detail"]
    item.refresh_from_db()
    assert (item.state, item.transitions.count()) == (state, steps)
    page = _client(world.user(role)).post(
        reverse("reporting:item_step", args=[item.pk, path.replace("-", "_")]), body
    )
    assert page.status_code == 200
    assert "not possible for an item that is" in page.content.decode()
    item.refresh_from_db()
    assert (item.state, item.transitions.count()) == (state, steps)


# --- issued documents --------------------------------------------------------------------


def _stored(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def _frozen(document) -> tuple:
    document.refresh_from_db()
    return (
        document.title,
        document.signer,
        document.copies,
        document.state,
        document.number,
        document.snapshot,
        document.docx_sha256,
        hashlib.sha256(_stored(document.docx)).hexdigest(),
    )


def test_an_issued_bulletin_cannot_be_edited_through_the_page_or_the_api(world):
    bulletin = d.bulletin(world, issue=True)
    before = (*_frozen(bulletin), bulletin.xlsx_sha256)
    audits = AuditEntry.objects.filter(action__startswith="reporting.").count()
    office = _client(world.office)
    url = reverse("reporting:bulletin_edit", args=[bulletin.pk])
    change = {"period_start": "2024-03-01", "title": "改", "signer": "李四", "copies": "9"}
    response = office.post(url, change, follow=True)
    assert response.redirect_chain == [
        (reverse("reporting:bulletin_detail", args=[bulletin.pk]), 302)
    ]
    assert "An issued bulletin cannot be changed; issue a correction." in response.content.decode()
    response = office.patch(
        f"{V}/bulletins/{bulletin.pk}",
        {"title": "改", "signer": "李四", "copies": 9},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "An issued bulletin cannot be changed; issue a correction."
    # Issuing it again is refused too, and keeps its number.
    response = office.post(f"{V}/bulletins/{bulletin.pk}/issue", {}, "application/json")
    assert response.status_code == 400 and "issue a correction" in response.json()["detail"]
    page = office.post(
        reverse("reporting:bulletin_issue", args=[bulletin.pk]),
        {"issue_date": "2024-05-01"},
        follow=True,
    )
    assert "issue a correction" in page.content.decode()
    assert (*_frozen(bulletin), bulletin.xlsx_sha256) == before
    assert Bulletin.objects.count() == 1
    # Nothing was written, not even an audit entry (a refusal of state is no denial).
    assert AuditEntry.objects.filter(action__startswith="reporting.").count() == audits


def test_an_issued_briefing_cannot_be_edited_through_the_page_or_the_api(world):
    briefing = d.briefing(world, issue=True)
    other = d.signed_off(world)
    before = _frozen(briefing)
    items = list(briefing.entries.values_list("item_id", flat=True))
    office = _client(world.office)
    response = office.post(
        reverse("reporting:briefing_edit", args=[briefing.pk]),
        {"title": "改", "signer": "李四", "items": [other.pk]},
        follow=True,
    )
    assert "An issued briefing cannot be changed; issue a correction." in response.content.decode()
    response = office.patch(
        f"{V}/briefings/{briefing.pk}",
        {"title": "改", "item_ids": [other.pk]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "An issued briefing cannot be changed; issue a correction."
    assert _frozen(briefing) == before
    assert list(briefing.entries.values_list("item_id", flat=True)) == items
    assert Briefing.objects.count() == 1


# --- who sees what -----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["county_reporter", "other_reporter"])
def test_a_reporter_of_another_unit_finds_no_items_or_drafts(world, who):
    """The township's items, attachment and proof, and the office's draft briefing and
    bulletin: 404 on the pages and the API for the county unit's reporter (same campaign)
    and the other county's reporter."""
    user = reporter_for(world.county_unit) if who == "county_reporter" else world.other_reporter
    item = d.draft(world)
    attachment = d.attachment(world)
    adoption = d.adoption(world)
    briefing = d.briefing(world)
    bulletin = d.bulletin(world)
    client = _client(user)
    pages = [
        reverse("reporting:item", args=[item.pk]),
        reverse("reporting:item", args=[adoption.item_id]),
        reverse("reporting:attachment", args=[attachment.pk]),
        reverse("reporting:adoption_proof", args=[adoption.pk]),
        reverse("reporting:briefing_detail", args=[briefing.pk]),
        reverse("reporting:bulletin_detail", args=[bulletin.pk]),
    ]
    api = [
        f"{V}/items/{item.pk}",
        f"{V}/items/{adoption.item_id}",
        f"{V}/attachments/{attachment.pk}/file",
        f"{V}/adoptions/{adoption.pk}/proof",
        f"{V}/briefings/{briefing.pk}",
        f"{V}/bulletins/{bulletin.pk}",
        f"{V}/bulletins/{bulletin.pk}/preview",
    ]
    for url in pages + api:
        assert client.get(url).status_code == 404, url
    # Writes are 404 alike, and change nothing.
    assert client.post(f"{V}/items/{item.pk}/submit", {}, "application/json").status_code == 404
    assert client.post(reverse("reporting:item_step", args=[item.pk, "submit"])).status_code == 404
    item.refresh_from_db()
    assert item.state == ItemState.DRAFT
    # Lists leave them out.
    if who == "county_reporter":
        listed = client.get(f"{V}/campaigns/{world.campaign.pk}/items").json()
        assert listed["count"] == 0
        page = client.get(reverse("reporting:items", args=[world.campaign.pk])).content.decode()
        assert item.title not in page
        bulletins = client.get(f"{V}/campaigns/{world.campaign.pk}/bulletins").json()
        assert bulletins["count"] == 0
    # The township's own reporter sees its items but not the office's drafts either.
    own = _client(world.reporter)
    assert own.get(f"{V}/items/{item.pk}").status_code == 200
    assert own.get(f"{V}/bulletins/{bulletin.pk}").status_code == 404
    assert own.get(reverse("reporting:briefing_detail", args=[briefing.pk])).status_code == 404


# --- notifications -----------------------------------------------------------------------


def test_a_unit_is_told_of_a_return_made_on_the_page(world):
    item = d.submitted(world)
    county_item = submitted_item(world, unit=world.county_unit, title="融媒体中心的信息")
    county_reporter = county_item.created_by
    response = _client(world.editor).post(
        reverse("reporting:item_step", args=[item.pk, "return"]), {"reason": "请补充参与人数"}
    )
    assert response.status_code == 302
    [note] = Notification.objects.filter(kind=Notification.Kind.ITEM_RETURNED)
    assert note.user == world.reporter and "请补充参与人数" in note.message
    assert note.link == reverse("reporting:item", args=[item.pk])
    assert not Notification.objects.filter(user=county_reporter).exists()
    # The notifications page lists it for the reporter; the county's reporter has none.
    assert "请补充参与人数" in _client(world.reporter).get("/notifications/").content.decode()
    assert _client(county_reporter).get(f"{V}/notifications").json()["count"] == 0
