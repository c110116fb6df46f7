"""Rows for the reporting pages and API tests (and their permission matrices), built on
the ``world`` fixture through the real services. Items are submitted at 2024-03-04 (the
campaign runs through 2024) by world.reporter for the township unit."""

import datetime

from campaigndesk.notifications.models import Notification
from campaigndesk.notifications.services import notify
from campaigndesk.reporting import issuing, services
from campaigndesk.reporting.models import InfoItem

from ..factories import OutletFactory
from .factories import (
    AssessmentRulesFactory,
    local,
    png_bytes,
    reporting_clock,
    signed_off_item,
    submitted_item,
)

MONTH = datetime.date(2024, 3, 1)


def draft(w, title: str = "鹿城镇草稿") -> InfoItem:
    with reporting_clock(local(2024, 3, 3)):
        return services.item_create(
            actor=w.reporter, campaign=w.campaign, title=title, body="草稿正文"
        )


def submitted(w) -> InfoItem:
    return submitted_item(w, title="鹿城镇宣讲进村")


def edited(w) -> InfoItem:
    item = submitted(w)
    with reporting_clock(local(2024, 3, 4, 11)):
        services.item_edit(actor=w.editor, item=item)
    return item


def reviewed(w) -> InfoItem:
    item = edited(w)
    with reporting_clock(local(2024, 3, 4, 12)):
        services.item_review(actor=w.reviewer, item=item)
    return item


def signed_off(w) -> InfoItem:
    return signed_off_item(w, title="鹿城镇移民后扶宣讲")


def returned(w) -> InfoItem:
    item = submitted(w)
    with reporting_clock(local(2024, 3, 5)):
        services.item_return(actor=w.editor, item=item, reason="请补充参与人数")
    return item


def attachment(w):
    item = draft(w)
    return services.attachment_add(actor=w.reporter, item=item, name="现场.png", data=png_bytes())


def outlet(level: int = 2):
    return OutletFactory(level=level)


def adoption(w, *, proof: bool = True):
    item = signed_off(w)
    return services.adoption_create(
        actor=w.office,
        item=item,
        outlet=outlet(),
        date=datetime.date(2024, 3, 10),
        url="https://example.cn/a",
        is_headline=True,
        proof_name="版面.pdf" if proof else "",
        proof_data=b"%PDF-1.4\n%%EOF\n" if proof else None,
    )


def commission(w):
    return services.commission_create(
        actor=w.office,
        campaign=w.campaign,
        theme="移民后扶专题",
        due_date=datetime.date(2024, 3, 20),
        units=[w.township_unit],
    )


def rules(w):
    return AssessmentRulesFactory(campaign=w.campaign, valid_from=datetime.date(2024, 1, 1))


def briefing(w, *, issue: bool = False):
    item = signed_off(w)
    doc = issuing.briefing_create(actor=w.office, campaign=w.campaign, items=[item])
    if issue:
        doc = issuing.briefing_issue(
            actor=w.office, briefing=doc, issue_date=datetime.date(2024, 3, 8)
        )
    return doc


def bulletin(w, *, issue: bool = False):
    rules(w)
    signed_off(w)
    doc = issuing.bulletin_create(actor=w.office, campaign=w.campaign, period_start=MONTH)
    if issue:
        doc = issuing.bulletin_issue(
            actor=w.office, bulletin=doc, issue_date=datetime.date(2024, 4, 8)
        )
    return doc


def notification(w) -> Notification:
    """A notification of the township's reporter."""
    return notify(users=[w.reporter], kind=Notification.Kind.ITEM_RETURNED, message="退回")[0]
