"""Rows of the reporting and notification pages for tests/web/test_permission_matrix.py:
the ids they use (one world, every role in turn) and their expected statuses.

Every POST here leaves the rows as they were (or changes them the same way whoever
succeeds), so the roles can be tried one after the other on one world."""

import datetime

from campaigndesk.reporting import issuing, services

from ..matrix_roles import logged_in
from . import web_data as d
from .factories import local, png_bytes, reporting_clock


def visible(default: int, **by_role: int) -> dict[str, int]:
    """The township's rows: the other county's users find nothing."""
    return logged_in(default, other_office=404, other_reporter=404, **by_role)


def matrix_reporting(w) -> dict[str, int]:
    """A draft, a signed-off item with an attachment and an adoption, a commission, rules,
    a draft and an issued briefing and bulletin, a notification of the reporter."""
    draft = d.draft(w)
    with reporting_clock(local(2024, 3, 3)):
        signed = services.item_create(
            actor=w.reporter, campaign=w.campaign, title="鹿城镇宣讲", body="正文"
        )
        kept = services.attachment_add(
            actor=w.reporter, item=signed, name="现场.png", data=png_bytes()
        )
    with reporting_clock(local(2024, 3, 4)):
        services.item_submit(actor=w.reporter, item=signed)
        services.item_edit(actor=w.editor, item=signed)
        services.item_review(actor=w.reviewer, item=signed)
        services.item_sign_off(actor=w.approver, item=signed)
    adoption = services.adoption_create(
        actor=w.office,
        item=signed,
        outlet=d.outlet(),
        date=datetime.date(2024, 3, 10),
        proof_name="版面.pdf",
        proof_data=b"%PDF-1.4\n%%EOF\n",
    )
    d.rules(w)
    briefing = issuing.briefing_create(actor=w.office, campaign=w.campaign, items=[signed])
    issued_briefing = issuing.briefing_create(actor=w.office, campaign=w.campaign, items=[signed])
    issuing.briefing_issue(actor=w.office, briefing=issued_briefing)
    bulletin = issuing.bulletin_create(
        actor=w.office, campaign=w.campaign, period_start=datetime.date(2024, 4, 1)
    )
    issued_bulletin = issuing.bulletin_create(
        actor=w.office, campaign=w.campaign, period_start=d.MONTH
    )
    issuing.bulletin_issue(actor=w.office, bulletin=issued_bulletin)
    return {
        "draft_item": draft.pk,
        "signed_item": signed.pk,
        "attachment": kept.pk,
        "adoption": adoption.pk,
        "commission": d.commission(w).pk,
        "draft_briefing": briefing.pk,
        "briefing": issued_briefing.pk,
        "draft_bulletin": bulletin.pk,
        "bulletin": issued_bulletin.pk,
        "notification": d.notification(w).pk,
    }


C = "/reporting/campaigns/{campaign}"
OFFICE_FORM = {"admin": 200, "office": 200}
SPECS = [
    ("GET", "/reporting/", None, logged_in(200)),
    ("GET", "/reporting/commissions/", None, logged_in(200)),
    ("GET", f"{C}/items/", None, visible(200)),
    ("GET", "/reporting/campaigns/{other_campaign}/items/", None, logged_in(200, reporter=404)),
    # Only a unit's reporter files items (the other county's cannot see the campaign).
    ("GET", f"{C}/items/new/", None, visible(403, reporter=200)),
    # A blank form: shown again with its errors.
    ("POST", f"{C}/items/new/", {}, visible(403, reporter=200)),
    # The queue is the office's (the unit follows its items on the item list).
    ("GET", f"{C}/queue/", None, visible(200, reporter=403)),
    ("GET", f"{C}/commissions/", None, visible(200)),
    ("GET", f"{C}/commissions/new/", None, visible(403, **OFFICE_FORM)),
    ("POST", f"{C}/commissions/new/", {}, visible(403, **OFFICE_FORM)),
    ("GET", f"{C}/quota/", None, visible(200)),
    ("GET", f"{C}/rules/", None, visible(200)),
    ("GET", f"{C}/rules/new/", None, visible(403, **OFFICE_FORM)),
    ("POST", f"{C}/rules/new/", {}, visible(403, **OFFICE_FORM)),
    ("GET", f"{C}/briefings/", None, visible(200)),
    ("GET", f"{C}/briefings/new/", None, visible(403, **OFFICE_FORM)),
    ("POST", f"{C}/briefings/new/", {"copies": "-1"}, visible(403, **OFFICE_FORM)),
    ("GET", f"{C}/bulletins/", None, visible(200)),
    ("GET", f"{C}/bulletins/new/", None, visible(403, **OFFICE_FORM)),
    ("POST", f"{C}/bulletins/new/", {}, visible(403, **OFFICE_FORM)),
    ("GET", f"{C}/annual/", None, visible(200)),
    ("GET", f"{C}/annual.xlsx", None, visible(200)),
    ("GET", "/reporting/campaigns/999999/annual/", None, logged_in(404)),
    # Items: readers of the region and the unit see them.
    ("GET", "/reporting/items/{draft_item}/", None, visible(200)),
    ("GET", "/reporting/items/999999/", None, logged_in(404)),
    ("GET", "/reporting/items/{draft_item}/edit/", None, visible(403, reporter=200)),
    ("POST", "/reporting/items/{draft_item}/edit/", {}, visible(403, reporter=200)),
    ("GET", "/reporting/items/{signed_item}/edit/", None, visible(403)),
    # Review of a draft: refused for its state (the page again, with the reason) to those
    # who sign the step, forbidden to the others.
    (
        "POST",
        "/reporting/items/{draft_item}/step/review/",
        {},
        visible(403, admin=200, reviewer=200),
    ),
    ("GET", "/reporting/items/{draft_item}/step/review/", None, logged_in(405)),
    # No file: the page again with the error, for those who may attach to a draft.
    (
        "POST",
        "/reporting/items/{draft_item}/attachments/",
        {},
        visible(403, admin=200, reporter=200),
    ),
    ("GET", "/reporting/attachments/{attachment}/", None, visible(200)),
    # The attachment of a signed-off item cannot be removed by anyone: back to the item.
    ("POST", "/reporting/attachments/{attachment}/delete/", {}, visible(302)),
    # Office work on an item: a blank adoption or comment form comes back with its errors;
    # marking a draft a false report is refused for its state (the page again).
    ("POST", "/reporting/items/{signed_item}/adoptions/", {}, visible(403, **OFFICE_FORM)),
    ("GET", "/reporting/adoptions/{adoption}/proof/", None, visible(200)),
    # Without a reason nothing is removed.
    (
        "POST",
        "/reporting/adoptions/{adoption}/delete/",
        {},
        visible(403, admin=302, office=302),
    ),
    ("POST", "/reporting/items/{signed_item}/leader-comments/", {}, visible(403, **OFFICE_FORM)),
    ("POST", "/reporting/items/{draft_item}/false-report/", {}, visible(403, **OFFICE_FORM)),
    ("GET", "/reporting/commissions/{commission}/", None, visible(200)),
    # Briefings and bulletins: the unit reads the issued ones, not the drafts.
    ("GET", "/reporting/briefings/{briefing}/", None, visible(200)),
    ("GET", "/reporting/briefings/{draft_briefing}/", None, visible(200, reporter=404)),
    (
        "GET",
        "/reporting/briefings/{draft_briefing}/edit/",
        None,
        visible(403, reporter=404, **OFFICE_FORM),
    ),
    (
        "POST",
        "/reporting/briefings/{draft_briefing}/edit/",
        {"copies": "-1"},
        visible(403, reporter=404, **OFFICE_FORM),
    ),
    # Issuing an issued one and correcting a draft are refused (back to the document).
    (
        "POST",
        "/reporting/briefings/{briefing}/issue/",
        {},
        visible(403, admin=302, office=302),
    ),
    (
        "POST",
        "/reporting/briefings/{draft_briefing}/correct/",
        {},
        visible(403, admin=302, office=302, reporter=404),
    ),
    ("GET", "/reporting/briefings/{briefing}/briefing.docx", None, visible(200)),
    ("GET", "/reporting/briefings/{draft_briefing}/briefing.docx", None, logged_in(404)),
    ("GET", "/reporting/bulletins/{bulletin}/", None, visible(200)),
    ("GET", "/reporting/bulletins/{draft_bulletin}/", None, visible(200, reporter=404)),
    (
        "GET",
        "/reporting/bulletins/{draft_bulletin}/edit/",
        None,
        visible(403, reporter=404, **OFFICE_FORM),
    ),
    (
        "POST",
        "/reporting/bulletins/{draft_bulletin}/edit/",
        {},
        visible(403, reporter=404, **OFFICE_FORM),
    ),
    (
        "POST",
        "/reporting/bulletins/{bulletin}/issue/",
        {},
        visible(403, admin=302, office=302),
    ),
    (
        "POST",
        "/reporting/bulletins/{draft_bulletin}/correct/",
        {},
        visible(403, admin=302, office=302, reporter=404),
    ),
    ("GET", "/reporting/bulletins/{bulletin}/bulletin.docx", None, visible(200)),
    ("GET", "/reporting/bulletins/{bulletin}/bulletin.xlsx", None, visible(200)),
    # Notifications are one's own.
    ("GET", "/notifications/", None, logged_in(200)),
    ("POST", "/notifications/{notification}/open/", {}, logged_in(404, reporter=302)),
    ("GET", "/notifications/{notification}/open/", None, logged_in(405)),
    ("POST", "/notifications/read-all/", {}, logged_in(302)),
]
