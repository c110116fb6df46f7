"""Reporting up the chain (信息报送): information items and their review steps,
attachments, adoptions, leaders' comments, commissioned topics, quotas, assessment rules,
briefings, monthly bulletins (with their frozen snapshot) and the annual assessment.
Thin over reporting.services, selectors, quotas, scoring and issuing."""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from campaigndesk.campaigns.models import Campaign, ScheduleItem
from campaigndesk.campaigns.selectors import access_campaign
from campaigndesk.common.errors import FieldError, NotFound, RowError
from campaigndesk.regions.models import Outlet
from campaigndesk.reporting import issuing, quotas, scoring, selectors, services
from campaigndesk.reporting.models import (
    Briefing,
    Bulletin,
    InfoItem,
    ItemState,
    ScoringMode,
)
from campaigndesk.reporting.reminders import reminder_text

from .pagination import Pages
from .refs import InvalidInput, units_ref
from .schemas import WRITE_ERRORS, BodyIn, ErrorOut, UnitRef

router = Router(tags=["reporting"])

READ_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The services name the objects; the API names the ids sent.
API_FIELD = {
    "schedule_item": "schedule_item_id",
    "commission": "commission_id",
    "event": "event_id",
    "outlet": "outlet_id",
    "units": "unit_ids",
    "unit": "unit_id",
    "items": "item_ids",
    "proof_data": "proof",
    "data": "file",
    "name": "file",
}


@contextmanager
def _fields() -> Iterator[None]:
    """Report a service's FieldError under the name the request used."""
    try:
        yield
    except FieldError as error:
        raise FieldError(API_FIELD.get(error.field, error.field), error.message) from None


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput([RowError(None, field, message)])


# --- shapes -----------------------------------------------------------------------------


class ItemOut(Schema):
    id: int
    campaign_id: int
    unit: UnitRef
    title: str
    state: str
    state_label: str
    submitted_at: datetime.datetime | None
    quota_period_start: datetime.date | None
    signed_off_at: datetime.datetime | None
    false_report: bool
    schedule_item_id: int | None
    event_id: int | None
    commission_id: int | None
    updated_at: datetime.datetime

    @staticmethod
    def resolve_state_label(obj) -> str:
        return obj.get_state_display()


class TransitionOut(Schema):
    step: str
    step_label: str
    from_state: str
    to_state: str
    actor: str | None
    reason: str
    at: datetime.datetime

    @staticmethod
    def resolve_step_label(obj) -> str:
        return obj.get_step_display()

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor.username if obj.actor_id else None


class AttachmentOut(Schema):
    id: int
    item_id: int
    name: str = Field(..., alias="original_name")
    file_type: str
    size: int
    sha256: str
    uploaded_at: datetime.datetime


class AdoptionOut(Schema):
    id: int
    item_id: int
    outlet_id: int
    outlet: str
    level: int
    level_label: str
    date: datetime.date
    url: str
    is_headline: bool
    has_proof: bool
    proof_name: str
    proof_sha256: str
    flagged_early: bool

    @staticmethod
    def resolve_outlet(obj) -> str:
        return obj.outlet.name

    @staticmethod
    def resolve_level_label(obj) -> str:
        return obj.get_level_display()

    @staticmethod
    def resolve_has_proof(obj) -> bool:
        return bool(obj.proof)


class LeaderCommentOut(Schema):
    id: int
    item_id: int
    leader: str
    comment: str
    date: datetime.date


class ItemDetailOut(ItemOut):
    body: str
    false_report_note: str
    transitions: list[TransitionOut]
    attachments: list[AttachmentOut]
    adoptions: list[AdoptionOut]
    leader_comments: list[LeaderCommentOut]

    @staticmethod
    def resolve_transitions(obj) -> list:
        return list(selectors.item_timeline(item=obj))

    @staticmethod
    def resolve_attachments(obj) -> list:
        return list(obj.attachments.order_by("id"))

    @staticmethod
    def resolve_adoptions(obj) -> list:
        return list(obj.adoptions.select_related("outlet").order_by("date", "id"))

    @staticmethod
    def resolve_leader_comments(obj) -> list:
        return list(obj.leader_comments.order_by("date", "id"))


class ItemIn(BodyIn):
    title: str = Field(..., max_length=200)
    body: str
    schedule_item_id: int | None = None
    commission_id: int | None = None


class ItemPatch(BodyIn):
    """Only the fields sent change."""

    title: str = Field(None, max_length=200)
    body: str = None
    schedule_item_id: int | None = None
    commission_id: int | None = None


class SubmitIn(BodyIn):
    quota_period_start: datetime.date | None = Field(
        None, description="the previous period, while its due date has not passed"
    )


class EditIn(BodyIn):
    title: str | None = Field(None, max_length=200)
    body: str | None = None
    note: str = ""


class NoteIn(BodyIn):
    note: str = ""


class ReasonIn(BodyIn):
    reason: str = Field(..., min_length=1)


class OptionalReasonIn(BodyIn):
    reason: str = ""


class FalseReportIn(BodyIn):
    is_false: bool = True
    note: str = ""


class LeaderCommentIn(BodyIn):
    leader: str = Field(..., max_length=100)
    date: datetime.date
    comment: str = ""


class UnitStatusOut(Schema):
    unit: UnitRef
    owed: int
    delivered: int
    late: int


class CommissionOut(Schema):
    id: int
    campaign_id: int
    theme: str
    description: str
    due_date: datetime.date
    count_per_unit: int
    units: list[UnitStatusOut]

    @staticmethod
    def resolve_units(obj) -> list:
        return [s._asdict() for s in quotas.commission_status(commission=obj)]


class CommissionIn(BodyIn):
    theme: str = Field(..., max_length=200)
    description: str = ""
    due_date: datetime.date
    count_per_unit: int = 1
    unit_ids: list[int]


class OwedOut(Schema):
    commission_id: int
    campaign_id: int
    theme: str
    due_date: datetime.date
    unit: UnitRef
    owed: int
    delivered: int
    late: int


class UnitQuotaOut(Schema):
    unit: UnitRef
    period_start: datetime.date
    period_end: datetime.date
    due: datetime.date
    required: int
    counted: int
    missing: int


class BehindOut(Schema):
    on: datetime.date
    units: list[UnitQuotaOut]
    reminder: str = Field(description="ready to paste into the units' group chat")


class RulesOut(Schema):
    id: int
    campaign_id: int
    version: int
    valid_from: datetime.date
    scoring_mode: str
    points_central: Decimal
    points_provincial: Decimal
    points_municipal: Decimal
    points_county: Decimal
    points_township: Decimal
    headline_multiplier: Decimal
    leader_comment_bonus: Decimal
    missing_quota_penalty: Decimal
    false_report_penalty: Decimal
    base_points: Decimal
    note: str
    created_at: datetime.datetime


class RulesIn(BodyIn):
    valid_from: datetime.date
    scoring_mode: ScoringMode = ScoringMode.HIGHEST_ONCE
    points_central: Decimal
    points_provincial: Decimal
    points_municipal: Decimal
    points_county: Decimal
    points_township: Decimal = Decimal("0")
    headline_multiplier: Decimal = Decimal("1")
    leader_comment_bonus: Decimal = Decimal("0")
    missing_quota_penalty: Decimal = Decimal("0")
    false_report_penalty: Decimal = Decimal("0")
    base_points: Decimal = Decimal("0")
    note: str = ""


class DocumentOut(Schema):
    id: int
    campaign_id: int
    office: UnitRef
    title: str
    state: str
    year: int
    number: int | None
    total_number: int | None
    issue_date: datetime.date | None
    signer: str
    report_to: str
    send_to: str
    distribute_to: str
    copies: int | None
    corrects_id: int | None
    docx_sha256: str
    issued_at: datetime.datetime | None


class BriefingOut(DocumentOut):
    item_ids: list[int]
    snapshot: dict[str, Any] | None

    @staticmethod
    def resolve_item_ids(obj) -> list[int]:
        return [e.item_id for e in obj.entries.all()]


class BulletinOut(DocumentOut):
    period_start: datetime.date
    rules_id: int | None
    xlsx_sha256: str
    snapshot: dict[str, Any] | None = Field(description="as frozen on issue (null for a draft)")


class HeaderIn(BodyIn):
    title: str = Field(None, max_length=200)
    signer: str = Field("", max_length=50)
    report_to: str = Field("", max_length=500)
    send_to: str = Field("", max_length=500)
    distribute_to: str = Field("", max_length=500)
    copies: int | None = None


class BriefingIn(HeaderIn):
    item_ids: list[int] = []


class BriefingPatch(BodyIn):
    """Only the fields sent change (item_ids replaces the items)."""

    title: str = Field(None, max_length=200)
    signer: str = Field(None, max_length=50)
    report_to: str = Field(None, max_length=500)
    send_to: str = Field(None, max_length=500)
    distribute_to: str = Field(None, max_length=500)
    copies: int | None = None
    item_ids: list[int] = None


class BulletinIn(HeaderIn):
    period_start: datetime.date = Field(..., description="any day of the month")


class BulletinPatch(BodyIn):
    title: str = Field(None, max_length=200)
    period_start: datetime.date = None
    signer: str = Field(None, max_length=50)
    report_to: str = Field(None, max_length=500)
    send_to: str = Field(None, max_length=500)
    distribute_to: str = Field(None, max_length=500)
    copies: int | None = None


class IssueIn(BodyIn):
    issue_date: datetime.date | None = None


# --- helpers ----------------------------------------------------------------------------


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    return access_campaign(actor=request.auth, id=campaign_id)


def _item(request: HttpRequest, item_id: int) -> InfoItem:
    return selectors.access_item(actor=request.auth, id=item_id)


def _detail(request: HttpRequest, item: InfoItem) -> InfoItem:
    return selectors.access_item(actor=request.auth, id=item.pk)


def _references(request: HttpRequest, campaign: Campaign, sent: dict) -> dict:
    """The schedule item and commission a request names, as objects (422 if unknown)."""
    changes = {}
    if "schedule_item_id" in sent:
        sid = sent["schedule_item_id"]
        changes["schedule_item"] = None
        if sid is not None:
            changes["schedule_item"] = ScheduleItem.objects.filter(
                pk=sid, campaign=campaign
            ).first()
            if changes["schedule_item"] is None:
                raise _invalid("schedule_item_id", _("Unknown schedule item: %(id)s") % {"id": sid})
    if "commission_id" in sent:
        cid = sent["commission_id"]
        changes["commission"] = None
        if cid is not None:
            changes["commission"] = (
                selectors.commission_list(actor=request.auth, campaign=campaign)
                .filter(pk=cid)
                .first()
            )
            if changes["commission"] is None:
                raise _invalid(
                    "commission_id", _("Unknown commissioned topic: %(id)s") % {"id": cid}
                )
    return changes


def _download(file_field, filename: str, content_type: str | None = None) -> FileResponse:
    if not file_field:
        raise NotFound()
    response = FileResponse(file_field.open("rb"), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _filename(document, extension: str) -> str:
    if document.number:
        return f"{document.title}{document.year}年第{document.number}期.{extension}"
    return f"{document.title}.{extension}"


def _issued_file(document, field: str, extension: str, content_type: str):
    if document.state != "issued":
        raise NotFound(_("The document has not been issued yet."))
    return _download(getattr(document, field), _filename(document, extension), content_type)


# --- items ------------------------------------------------------------------------------


@router.get(
    "/campaigns/{campaign_id}/items",
    response={200: list[ItemOut], 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="The campaign's items the user may see and where each stands",
)
@paginate(Pages)
def info_item_list(
    request: HttpRequest,
    campaign_id: int,
    state: ItemState | None = None,
    unit_id: int | None = None,
):
    campaign = _campaign(request, campaign_id)
    unit = units_ref(request.auth, [unit_id], field="unit_id")[0] if unit_id else None
    return selectors.item_list(
        actor=request.auth, campaign=campaign, unit=unit, state=state.value if state else None
    )


@router.post(
    "/campaigns/{campaign_id}/items",
    response={201: ItemDetailOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="Draft an information item for the user's unit",
)
def info_item_create(request: HttpRequest, campaign_id: int, payload: ItemIn):
    campaign = _campaign(request, campaign_id)
    sent = payload.dict()
    with _fields():
        item = services.item_create(
            actor=request.auth,
            campaign=campaign,
            title=payload.title,
            body=payload.body,
            **_references(request, campaign, sent),
        )
    return Status(201, _detail(request, item))


@router.get(
    "/items/{item_id}",
    response={200: ItemDetailOut, **READ_ERRORS},
    summary="An item with its timeline, attachments, adoptions and leaders' comments",
)
def info_item_detail(request: HttpRequest, item_id: int):
    return _item(request, item_id)


@router.patch(
    "/items/{item_id}",
    response={200: ItemDetailOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="Change a draft or returned item (its unit) or a submitted one (the editor)",
)
def info_item_update(request: HttpRequest, item_id: int, payload: ItemPatch):
    item = _item(request, item_id)
    sent = payload.dict(exclude_unset=True)
    changes = {k: sent[k] for k in ("title", "body") if k in sent}
    changes.update(_references(request, item.campaign, sent))
    with _fields():
        services.item_update(actor=request.auth, item=item, **changes)
    return _detail(request, item)


def _step(path: str, name: str, summary: str, body: type[Schema], call):
    def view(request: HttpRequest, item_id: int, payload: body):  # type: ignore[valid-type]
        item = _item(request, item_id)
        with _fields():
            call(request.auth, item, payload)
        return _detail(request, item)

    view.__name__ = name
    view.__doc__ = summary
    router.post(
        f"/items/{{item_id}}/{path}",
        response={200: ItemDetailOut, 404: ErrorOut, **WRITE_ERRORS},
        summary=summary,
    )(view)


_step(
    "submit",
    "info_item_submit",
    "Submit a draft item, or resubmit a returned one",
    SubmitIn,
    lambda actor, item, p: services.item_submit(
        actor=actor, item=item, quota_period_start=p.quota_period_start
    ),
)
_step(
    "edit",
    "info_item_edit",
    "编辑: the editor passes a submitted item to review (title and body may change)",
    EditIn,
    lambda actor, item, p: services.item_edit(
        actor=actor, item=item, title=p.title, body=p.body, note=p.note
    ),
)
_step(
    "review",
    "info_item_review",
    "审核: the reviewer passes an edited item to final sign-off",
    NoteIn,
    lambda actor, item, p: services.item_review(actor=actor, item=item, note=p.note),
)
_step(
    "sign-off",
    "info_item_sign_off",
    "终审: the final approver signs a reviewed item off",
    NoteIn,
    lambda actor, item, p: services.item_sign_off(actor=actor, item=item, note=p.note),
)
_step(
    "return",
    "info_item_return",
    "Return an item under review to its unit, with the reason",
    ReasonIn,
    lambda actor, item, p: services.item_return(actor=actor, item=item, reason=p.reason),
)
_step(
    "withdraw",
    "info_item_withdraw",
    "The unit withdraws its item (it no longer counts)",
    OptionalReasonIn,
    lambda actor, item, p: services.item_withdraw(actor=actor, item=item, reason=p.reason),
)
_step(
    "false-report",
    "info_item_false_report",
    "The office marks an item a false report (虚报), or clears the mark",
    FalseReportIn,
    lambda actor, item, p: services.item_flag_false_report(
        actor=actor, item=item, note=p.note, is_false=p.is_false
    ),
)


@router.get(
    "/campaigns/{campaign_id}/queue",
    response={200: list[ItemOut], 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Items waiting for a review step (edit, review, sign_off) where the user signs it",
)
@paginate(Pages)
def info_item_queue(request: HttpRequest, campaign_id: int, step: str = "edit"):
    campaign = _campaign(request, campaign_id)
    return selectors.review_queue(actor=request.auth, step=step, campaign=campaign)


# --- attachments ------------------------------------------------------------------------


@router.post(
    "/items/{item_id}/attachments",
    response={201: AttachmentOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="Attach a photo or file (image, PDF or Office file, size-limited)",
)
def info_item_attachment_add(request: HttpRequest, item_id: int, file: File[UploadedFile]):
    item = _item(request, item_id)
    limit = services.attachment_max_bytes()
    if file.size is not None and file.size > limit:
        raise FieldError("file", _("The file is larger than the limit."))
    with _fields():
        attachment = services.attachment_add(
            actor=request.auth, item=item, name=file.name or "attachment", data=file.read()
        )
    return Status(201, attachment)


@router.get(
    "/attachments/{attachment_id}/file",
    response={200: None, **READ_ERRORS},
    summary="Download an item's attachment",
)
def info_item_attachment_file(request: HttpRequest, attachment_id: int):
    attachment = selectors.access_attachment(actor=request.auth, id=attachment_id)
    return _download(attachment.file, attachment.original_name)


@router.delete(
    "/attachments/{attachment_id}",
    response={204: None, 404: ErrorOut, **WRITE_ERRORS},
    summary="Remove an attachment from a draft or returned item",
)
def info_item_attachment_delete(request: HttpRequest, attachment_id: int):
    attachment = selectors.access_attachment(actor=request.auth, id=attachment_id)
    services.attachment_delete(actor=request.auth, attachment=attachment)
    return Status(204, None)


# --- adoptions and leaders' comments ----------------------------------------------------


@router.get(
    "/campaigns/{campaign_id}/adoptions",
    response={200: list[AdoptionOut], 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Adoptions of the campaign's items the user may see, by date",
)
@paginate(Pages)
def adoption_list(
    request: HttpRequest,
    campaign_id: int,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
):
    campaign = _campaign(request, campaign_id)
    return selectors.adoption_list(
        actor=request.auth, campaign=campaign, date_from=date_from, date_to=date_to
    )


@router.post(
    "/items/{item_id}/adoptions",
    response={201: AdoptionOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="Record an outlet's adoption (采用) of a signed-off item, with link or proof",
)
def adoption_create(
    request: HttpRequest,
    item_id: int,
    outlet_id: Form[int],
    date: Form[datetime.date],
    url: Form[str] = "",
    is_headline: Form[bool] = False,
    proof: File[UploadedFile] = None,
):
    item = _item(request, item_id)
    outlet = Outlet.objects.filter(pk=outlet_id).first()
    if outlet is None:
        raise _invalid("outlet_id", _("Unknown outlet: %(id)s") % {"id": outlet_id})
    with _fields():
        adoption = services.adoption_create(
            actor=request.auth,
            item=item,
            outlet=outlet,
            date=date,
            url=url,
            is_headline=is_headline,
            proof_name=(proof.name or "proof") if proof else "",
            proof_data=proof.read() if proof else None,
        )
    return Status(201, adoption)


@router.get(
    "/adoptions/{adoption_id}/proof",
    response={200: None, **READ_ERRORS},
    summary="Download an adoption's proof file",
)
def adoption_proof(request: HttpRequest, adoption_id: int):
    adoption = selectors.access_adoption(actor=request.auth, id=adoption_id)
    return _download(adoption.proof, adoption.proof_name or "proof")


@router.delete(
    "/adoptions/{adoption_id}",
    response={204: None, 404: ErrorOut, **WRITE_ERRORS},
    summary="Remove an adoption recorded by mistake (the reason is audited)",
)
def adoption_delete(request: HttpRequest, adoption_id: int, reason: str):
    adoption = selectors.access_adoption(actor=request.auth, id=adoption_id)
    with _fields():
        services.adoption_delete(actor=request.auth, adoption=adoption, reason=reason)
    return Status(204, None)


@router.post(
    "/items/{item_id}/leader-comments",
    response={201: LeaderCommentOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="Record a leader's written comment (批示) on an item",
)
def leader_comment_add(request: HttpRequest, item_id: int, payload: LeaderCommentIn):
    item = _item(request, item_id)
    with _fields():
        comment = services.leader_comment_add(
            actor=request.auth,
            item=item,
            leader=payload.leader,
            date=payload.date,
            comment=payload.comment,
        )
    return Status(201, comment)


# --- commissions and quotas -------------------------------------------------------------


@router.get(
    "/campaigns/{campaign_id}/commissions",
    response={200: list[CommissionOut], 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Commissioned topics (约稿) with each unit's owed / delivered / late",
)
@paginate(Pages)
def commission_list(request: HttpRequest, campaign_id: int):
    campaign = _campaign(request, campaign_id)
    return selectors.commission_list(actor=request.auth, campaign=campaign)


@router.post(
    "/campaigns/{campaign_id}/commissions",
    response={201: CommissionOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="Ask named units for items on a theme by a date",
)
def commission_create(request: HttpRequest, campaign_id: int, payload: CommissionIn):
    campaign = _campaign(request, campaign_id)
    units = units_ref(request.auth, payload.unit_ids, field="unit_ids")
    with _fields():
        commission = services.commission_create(
            actor=request.auth,
            campaign=campaign,
            theme=payload.theme,
            description=payload.description,
            due_date=payload.due_date,
            count_per_unit=payload.count_per_unit,
            units=units,
        )
    return Status(201, commission)


@router.get(
    "/commissions/owed",
    response={200: list[OwedOut], 401: ErrorOut},
    summary="What the user's unit (an office: its units) still owes on commissioned topics",
)
def commissions_owed(request: HttpRequest):
    return [
        {
            "commission_id": row.commission.pk,
            "campaign_id": row.commission.campaign_id,
            "theme": row.commission.theme,
            "due_date": row.commission.due_date,
            "unit": row.unit,
            "owed": row.owed,
            "delivered": row.delivered,
            "late": row.late,
        }
        for row in quotas.commissions_owed(actor=request.auth)
    ]


@router.get(
    "/commissions/{commission_id}",
    response={200: CommissionOut, **READ_ERRORS},
    summary="A commissioned topic with each unit's owed / delivered / late",
)
def commission_detail(request: HttpRequest, commission_id: int):
    return selectors.access_commission(actor=request.auth, id=commission_id)


@router.get(
    "/campaigns/{campaign_id}/quota/behind",
    response={200: BehindOut, **READ_ERRORS},
    summary="Units behind the information quota on a day (today by default), with a reminder",
)
def quota_behind(request: HttpRequest, campaign_id: int, on: datetime.date | None = None):
    campaign = _campaign(request, campaign_id)
    on = on or timezone.localdate()
    behind = quotas.units_behind(actor=request.auth, campaign=campaign, on=on)
    return {
        "on": on,
        "units": [
            {
                "unit": s.unit,
                "period_start": s.period_start,
                "period_end": s.period_end,
                "due": s.due,
                "required": s.required,
                "counted": s.counted,
                "missing": s.missing,
            }
            for s in behind
        ],
        "reminder": reminder_text(campaign, behind),
    }


# --- rules ------------------------------------------------------------------------------


@router.get(
    "/campaigns/{campaign_id}/rules",
    response={200: list[RulesOut], **READ_ERRORS},
    summary="Every version of the campaign's assessment rules, newest first",
)
def rules_list(request: HttpRequest, campaign_id: int):
    campaign = _campaign(request, campaign_id)
    return list(selectors.rules_list(actor=request.auth, campaign=campaign))


@router.post(
    "/campaigns/{campaign_id}/rules",
    response={201: RulesOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="Add the next version of the assessment rules, in force from a date",
)
def rules_create(request: HttpRequest, campaign_id: int, payload: RulesIn):
    campaign = _campaign(request, campaign_id)
    values = payload.dict()
    values["scoring_mode"] = payload.scoring_mode.value
    with _fields():
        rules = services.rules_create(actor=request.auth, campaign=campaign, **values)
    return Status(201, rules)


# --- briefings --------------------------------------------------------------------------


def _briefing(request: HttpRequest, briefing_id: int) -> Briefing:
    return issuing.access_briefing(actor=request.auth, id=briefing_id)


def _header(sent: dict) -> dict:
    return {k: v for k, v in sent.items() if k != "item_ids" and not (k == "title" and v is None)}


def _issue(request: HttpRequest, document, issue, kind: str, issue_date, reread):
    """Issue the draft with ``issue`` and return it as read again by ``reread``."""
    with _fields():
        issue(actor=request.auth, **{kind: document}, issue_date=issue_date)
    return reread(request, document.pk)


def _correct(request: HttpRequest, document, correct, kind: str, reread):
    """Start a correction with ``correct`` and return the new draft (201)."""
    draft = correct(actor=request.auth, **{kind: document})
    return Status(201, reread(request, draft.pk))


@router.get(
    "/campaigns/{campaign_id}/briefings",
    response={200: list[BriefingOut], 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="The campaign's briefings the user may read (a unit: the issued ones)",
)
@paginate(Pages)
def briefing_list(request: HttpRequest, campaign_id: int):
    campaign = _campaign(request, campaign_id)
    return issuing.briefing_list(actor=request.auth, campaign=campaign).prefetch_related("entries")


@router.post(
    "/campaigns/{campaign_id}/briefings",
    response={201: BriefingOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="Draft a briefing (工作简报) of signed-off items",
)
def briefing_create(request: HttpRequest, campaign_id: int, payload: BriefingIn):
    campaign = _campaign(request, campaign_id)
    with _fields():
        briefing = issuing.briefing_create(
            actor=request.auth,
            campaign=campaign,
            items=payload.item_ids,
            **_header(payload.dict()),
        )
    return Status(201, _briefing(request, briefing.pk))


@router.get(
    "/briefings/{briefing_id}",
    response={200: BriefingOut, **READ_ERRORS},
    summary="A briefing (issued: with its frozen snapshot)",
)
def briefing_detail(request: HttpRequest, briefing_id: int):
    return _briefing(request, briefing_id)


@router.patch(
    "/briefings/{briefing_id}",
    response={200: BriefingOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="Change a draft briefing (an issued one cannot change: issue a correction)",
)
def briefing_update(request: HttpRequest, briefing_id: int, payload: BriefingPatch):
    briefing = _briefing(request, briefing_id)
    sent = payload.dict(exclude_unset=True)
    changes = _header(sent)
    if "item_ids" in sent:
        changes["items"] = sent["item_ids"]
    with _fields():
        issuing.briefing_update(actor=request.auth, briefing=briefing, **changes)
    return _briefing(request, briefing.pk)


@router.post(
    "/briefings/{briefing_id}/issue",
    response={200: BriefingOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="Number, freeze and render a draft briefing",
)
def briefing_issue(request: HttpRequest, briefing_id: int, payload: IssueIn):
    briefing = _briefing(request, briefing_id)
    return _issue(
        request, briefing, issuing.briefing_issue, "briefing", payload.issue_date, _briefing
    )


@router.post(
    "/briefings/{briefing_id}/correct",
    response={201: BriefingOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="Start a correction of an issued briefing (a new draft that corrects it)",
)
def briefing_correct(request: HttpRequest, briefing_id: int):
    briefing = _briefing(request, briefing_id)
    return _correct(request, briefing, issuing.briefing_correct, "briefing", _briefing)


@router.get(
    "/briefings/{briefing_id}/docx",
    response={200: None, **READ_ERRORS},
    summary="The issued briefing's .docx as stored on issue",
)
def briefing_docx(request: HttpRequest, briefing_id: int):
    return _issued_file(_briefing(request, briefing_id), "docx", "docx", DOCX_TYPE)


# --- bulletins --------------------------------------------------------------------------


def _bulletin(request: HttpRequest, bulletin_id: int) -> Bulletin:
    return issuing.access_bulletin(actor=request.auth, id=bulletin_id)


@router.get(
    "/campaigns/{campaign_id}/bulletins",
    response={200: list[BulletinOut], 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="The campaign's monthly bulletins the user may read (a unit: the issued ones)",
)
@paginate(Pages)
def bulletin_list(request: HttpRequest, campaign_id: int):
    campaign = _campaign(request, campaign_id)
    return issuing.bulletin_list(actor=request.auth, campaign=campaign)


@router.post(
    "/campaigns/{campaign_id}/bulletins",
    response={201: BulletinOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="Draft the monthly bulletin (月度通报) for a month",
)
def bulletin_create(request: HttpRequest, campaign_id: int, payload: BulletinIn):
    campaign = _campaign(request, campaign_id)
    values = _header(payload.dict())
    values["period_start"] = payload.period_start.replace(day=1)
    with _fields():
        bulletin = issuing.bulletin_create(actor=request.auth, campaign=campaign, **values)
    return Status(201, _bulletin(request, bulletin.pk))


@router.get(
    "/bulletins/{bulletin_id}",
    response={200: BulletinOut, **READ_ERRORS},
    summary="A bulletin with its frozen snapshot (null while a draft: see /preview)",
)
def bulletin_detail(request: HttpRequest, bulletin_id: int):
    return _bulletin(request, bulletin_id)


@router.get(
    "/bulletins/{bulletin_id}/preview",
    response={200: dict[str, Any], **READ_ERRORS, 400: ErrorOut},
    summary="The snapshot a draft bulletin would freeze if issued now (issued: its snapshot)",
)
def bulletin_preview(request: HttpRequest, bulletin_id: int):
    bulletin = _bulletin(request, bulletin_id)
    return issuing.bulletin_preview(actor=request.auth, bulletin=bulletin)


@router.patch(
    "/bulletins/{bulletin_id}",
    response={200: BulletinOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="Change a draft bulletin (an issued one cannot change: issue a correction)",
)
def bulletin_update(request: HttpRequest, bulletin_id: int, payload: BulletinPatch):
    bulletin = _bulletin(request, bulletin_id)
    changes = _header(payload.dict(exclude_unset=True))
    if changes.get("period_start"):
        changes["period_start"] = changes["period_start"].replace(day=1)
    with _fields():
        issuing.bulletin_update(actor=request.auth, bulletin=bulletin, **changes)
    return _bulletin(request, bulletin.pk)


@router.post(
    "/bulletins/{bulletin_id}/issue",
    response={200: BulletinOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="Number, compute under the rules in force, freeze and render a draft bulletin",
)
def bulletin_issue(request: HttpRequest, bulletin_id: int, payload: IssueIn):
    bulletin = _bulletin(request, bulletin_id)
    return _issue(
        request, bulletin, issuing.bulletin_issue, "bulletin", payload.issue_date, _bulletin
    )


@router.post(
    "/bulletins/{bulletin_id}/correct",
    response={201: BulletinOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="Start a correction of an issued bulletin (a new draft that corrects it)",
)
def bulletin_correct(request: HttpRequest, bulletin_id: int):
    bulletin = _bulletin(request, bulletin_id)
    return _correct(request, bulletin, issuing.bulletin_correct, "bulletin", _bulletin)


@router.get(
    "/bulletins/{bulletin_id}/docx",
    response={200: None, **READ_ERRORS},
    summary="The issued bulletin's .docx as stored on issue",
)
def bulletin_docx(request: HttpRequest, bulletin_id: int):
    return _issued_file(_bulletin(request, bulletin_id), "docx", "docx", DOCX_TYPE)


@router.get(
    "/bulletins/{bulletin_id}/xlsx",
    response={200: None, **READ_ERRORS},
    summary="The issued bulletin's .xlsx as stored on issue",
)
def bulletin_xlsx(request: HttpRequest, bulletin_id: int):
    return _issued_file(_bulletin(request, bulletin_id), "xlsx", "xlsx", XLSX_TYPE)


# --- annual assessment ------------------------------------------------------------------


@router.get(
    "/campaigns/{campaign_id}/annual",
    response={200: dict[str, Any], **READ_ERRORS},
    summary="The annual assessment: each unit's points per month from the issued bulletins",
)
def annual_assessment(request: HttpRequest, campaign_id: int, year: int, format: str = "json"):
    campaign = _campaign(request, campaign_id)
    data = scoring.annual_assessment(actor=request.auth, campaign=campaign, year=year)
    if format == "xlsx":
        from campaigndesk.reporting.rendering import render_annual_xlsx

        response = HttpResponse(render_annual_xlsx(data), content_type=XLSX_TYPE)
        response["Content-Disposition"] = content_disposition_header(
            True, f"{campaign.name}{year}年度考核.xlsx"
        )
        return response
    return data
