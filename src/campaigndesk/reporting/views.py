"""Reporting pages (thin: parse, call a service or selector, render): a unit's items and
where each stands, the item form with attachments, the item page with its timeline and the
step buttons, the office's queue per step, adoptions, leaders' comments, commissions,
units behind the quota, rules versions, briefings, bulletins and the annual assessment."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigndesk.accounts.models import Role
from campaigndesk.accounts.scoping import can_manage, is_admin
from campaigndesk.campaigns import selectors as campaign_selectors
from campaigndesk.campaigns.models import Campaign
from campaigndesk.common.errors import DomainError, Forbidden, NotFound
from campaigndesk.regions.paths import is_within

from . import issuing, quotas, rendering, scoring, selectors, services
from .forms import (
    RULE_FIELDS,
    AdoptionForm,
    AttachmentForm,
    BriefingForm,
    BulletinForm,
    CommissionForm,
    EditStepForm,
    FalseReportForm,
    IssueForm,
    ItemForm,
    LeaderCommentForm,
    NoteForm,
    OptionalReasonForm,
    ReasonForm,
    RulesForm,
    SubmitForm,
)
from .models import (
    Adoption,
    Briefing,
    Bulletin,
    InfoItem,
    IssueState,
    ItemAttachment,
    ItemState,
)
from .reminders import reminder_text

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The office's queue: the tab, the state waiting for it, the role that signs it.
STEPS = [
    ("edit", ItemState.SUBMITTED, Role.EDITOR, _("Edit (编辑)")),
    ("review", ItemState.EDITED, Role.REVIEWER, _("Review (审核)")),
    ("sign_off", ItemState.REVIEWED, Role.APPROVER, _("Sign off (终审)")),
]
STEP_ROLE = {step: role for step, _state, role, _label in STEPS}
STEP_STATE = {step: state for step, state, _role, _label in STEPS}
RETURNABLE = {ItemState.SUBMITTED, ItemState.EDITED, ItemState.REVIEWED}
UNIT_EDITABLE = {ItemState.DRAFT, ItemState.RETURNED}
LEVEL_KEYS = ["central", "provincial", "municipal", "county", "township"]


# --- helpers ------------------------------------------------------------------------------


def _found(getter, **kwargs):
    try:
        return getter(**kwargs)
    except NotFound:
        raise Http404() from None


def _campaign(request: HttpRequest, id: int) -> Campaign:
    return _found(campaign_selectors.access_campaign, actor=request.user, id=id)


def _item(request: HttpRequest, id: int) -> InfoItem:
    return _found(selectors.access_item, actor=request.user, id=id)


def _form_error(form, error: DomainError, request: HttpRequest | None = None) -> None:
    """Show a service's refusal on its field; on a page of several forms (``request``
    given) a refusal not about a field is also shown at the top, where it is seen."""
    field = getattr(error, "field", None)
    on_field = field in form.fields
    form.add_error(field if on_field else None, str(error))
    if request is not None and not on_field:
        messages.error(request, str(error))


def _office_of(actor, campaign: Campaign) -> bool:
    """Office work on the campaign (commissions, rules, briefings, bulletins)."""
    return can_manage(actor, region_path=campaign.region_path)


def _office_over(actor, item: InfoItem) -> bool:
    return can_manage(actor, region_path=item.region_path)


def _can_attach(actor, item: InfoItem) -> bool:
    """The unit while it holds the pen, the editor while the item waits for editing."""
    if is_admin(actor) or _is_units_reporter(actor, item.unit_id):
        return True
    return item.state == ItemState.SUBMITTED and _signs(actor, "edit", item)


def _require_office_over(actor, item: InfoItem) -> None:
    """The page's own guard for office work on an item (the service checks again)."""
    if not _office_over(actor, item):
        raise PermissionDenied(_("Only the office responsible for this region may do this."))


def _signs(actor, step: str, item: InfoItem) -> bool:
    """Whether the actor holds the role of a review step over the item's region (the
    service checks again, with the one-person-one-step rule)."""
    if is_admin(actor):
        return True
    unit = getattr(actor, "unit", None)
    return bool(
        unit and actor.has_role(STEP_ROLE[step]) and is_within(item.region_path, unit.region_path)
    )


def _is_units_reporter(actor, unit_id: int | None) -> bool:
    return bool(actor.has_role(Role.REPORTER) and unit_id is not None and actor.unit_id == unit_id)


def _reports_in(actor, campaign: Campaign) -> bool:
    """Whether the actor files items in the campaign (a reporter of a unit)."""
    return bool(actor.has_role(Role.REPORTER) and actor.unit_id)


def _download(file_field, filename: str, content_type: str | None = None) -> FileResponse:
    if not file_field:
        raise Http404()
    response = FileResponse(file_field.open("rb"), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _bytes(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _periods(campaign: Campaign) -> list[tuple[datetime.date, str]]:
    """Quota periods a first submission may name (the current one and, before its due
    date, the previous one), labelled "2024-03-01 – 2024-03-31"."""
    quota = quotas.information_quota(campaign)
    if quota is None:
        return []
    today = timezone.localdate()
    choices = []
    for start in quotas.open_periods(quota=quota, on=today):
        _s, end, due = quotas.quota_period_of(quota=quota, day=start)
        label = _("%(start)s – %(end)s (due %(due)s)") % {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "due": due.isoformat(),
        }
        choices.append((start, label))
    return choices


# --- home ---------------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The campaigns one reports in or oversees; for a unit what it owes and what was
    returned to it; for the office the queue counts."""
    actor = request.user
    campaigns = list(campaign_selectors.campaign_list(actor=actor))
    today = timezone.localdate()
    behind = []
    if actor.unit_id and actor.has_role(Role.REPORTER):
        for campaign in campaigns:
            behind.extend(
                s
                for s in quotas.units_behind(actor=actor, campaign=campaign, on=today)
                if s.unit.pk == actor.unit_id
            )
    returned = (
        selectors.item_list(actor=actor, state=ItemState.RETURNED)[:20]
        if actor.has_role(Role.REPORTER)
        else []
    )
    context = {
        "campaigns": campaigns,
        "owed": quotas.commissions_owed(actor=actor),
        "behind": behind,
        "returned": returned,
        "is_reporter": actor.has_role(Role.REPORTER),
    }
    return render(request, "reporting/home.html", context)


# --- items --------------------------------------------------------------------------------


@login_required
def item_list(request: HttpRequest, id: int) -> HttpResponse:
    """The campaign's items the user may see and where each stands (a unit: its own)."""
    campaign = _campaign(request, id)
    state = request.GET.get("state", "")
    if state not in ItemState.values:
        state = ""
    items = selectors.item_list(actor=request.user, campaign=campaign, state=state or None)
    context = {
        "campaign": campaign,
        "items": items,
        "state": state,
        "states": ItemState.choices,
        "can_create": _reports_in(request.user, campaign),
        "is_office": _office_of(request.user, campaign),
    }
    return render(request, "reporting/item_list.html", context)


def _uploads(form, field: str) -> list[tuple[str, bytes]]:
    """The files uploaded in ``field`` as (name, data). Each one the service would refuse
    (type, size) is put on the form first, so that a bad file stops the whole form and
    nothing is saved."""
    uploads = []
    for upload in form.cleaned_data.get(field) or []:
        data = upload.read()
        try:
            services.attachment_check(name=upload.name, data=data)
        except DomainError as error:
            form.add_error(field, f"{upload.name}: {error}")
        uploads.append((upload.name, data))
    return uploads


def _add_attachments(request: HttpRequest, item: InfoItem, files) -> list[str]:
    """Attach each (name, data) already checked; the errors of those refused still."""
    errors = []
    for name, data in files:
        try:
            services.attachment_add(actor=request.user, item=item, name=name, data=data)
        except Forbidden:
            raise
        except DomainError as error:
            errors.append(f"{name}: {error}")
    return errors


@login_required
def item_new(request: HttpRequest, id: int) -> HttpResponse:
    campaign = _campaign(request, id)
    if not _reports_in(request.user, campaign):
        raise PermissionDenied(_("Only a unit's reporter files information items."))
    form = ItemForm(request.POST or None, request.FILES or None, campaign=campaign)
    # A bad file refuses the whole form: checked before the item is written.
    valid = request.method == "POST" and form.is_valid()
    uploads = _uploads(form, "attachments") if valid else []
    if valid and not form.errors:
        try:
            item = services.item_create(actor=request.user, campaign=campaign, **form.changes())
            errors = _add_attachments(request, item, uploads)
        except Forbidden as error:
            raise PermissionDenied(str(error)) from None
        except DomainError as error:
            _form_error(form, error)
        else:
            for message in errors:
                messages.error(request, message)
            messages.success(request, _("The item has been saved as a draft."))
            return redirect("reporting:item", id=item.pk)
    return render(
        request, "reporting/item_form.html", {"campaign": campaign, "form": form, "item": None}
    )


@login_required
def item_edit(request: HttpRequest, id: int) -> HttpResponse:
    """The unit changes its draft or returned item."""
    item = _item(request, id)
    if not _is_units_reporter(request.user, item.unit_id) or item.state not in UNIT_EDITABLE:
        raise PermissionDenied(_("Only the unit changes its draft or returned items."))
    initial = {
        "title": item.title,
        "body": item.body,
        "schedule_item": item.schedule_item_id,
        "commission": item.commission_id,
    }
    form = ItemForm(
        request.POST or None, request.FILES or None, campaign=item.campaign, initial=initial
    )
    # A bad file refuses the whole form: checked before the item is written.
    valid = request.method == "POST" and form.is_valid()
    uploads = _uploads(form, "attachments") if valid else []
    if valid and not form.errors:
        try:
            services.item_update(actor=request.user, item=item, **form.changes())
            errors = _add_attachments(request, item, uploads)
        except Forbidden as error:
            raise PermissionDenied(str(error)) from None
        except DomainError as error:
            _form_error(form, error)
        else:
            for message in errors:
                messages.error(request, message)
            messages.success(request, _("The item has been changed."))
            return redirect("reporting:item", id=item.pk)
    return render(
        request,
        "reporting/item_form.html",
        {"campaign": item.campaign, "form": form, "item": item},
    )


def _item_context(request: HttpRequest, item: InfoItem, **forms) -> dict:
    actor = request.user
    own = _is_units_reporter(actor, item.unit_id)
    office = _office_over(actor, item)
    state = item.state
    step = next((s for s, st, _r, _l in STEPS if st == state), None)
    may_step = step is not None and _signs(actor, step, item)
    context = {
        "item": item,
        "campaign": item.campaign,
        "timeline": selectors.item_timeline(item=item),
        "attachments": list(item.attachments.all()),
        "adoptions": list(item.adoptions.select_related("outlet")),
        "comments": list(item.leader_comments.all()),
        "is_office": office,
        "can_change": own and state in UNIT_EDITABLE,
        "can_submit": own and state in UNIT_EDITABLE,
        "can_withdraw": own and state not in {ItemState.WITHDRAWN, ItemState.SIGNED_OFF},
        "step": step,
        "step_label": dict((s, lbl) for s, _st, _r, lbl in STEPS).get(step),
        "can_step": may_step,
        "can_return": state in RETURNABLE
        and any(_signs(actor, s, item) for s, _st, _r, _l in STEPS),
        "can_adopt": office and state == ItemState.SIGNED_OFF,
        "submit_form": forms.get("submit_form")
        or SubmitForm(periods=_periods(item.campaign) if item.submitted_at is None else ()),
        "edit_form": forms.get("edit_form")
        or EditStepForm(initial={"title": item.title, "body": item.body}),
        "note_form": forms.get("note_form") or NoteForm(),
        "return_form": forms.get("return_form") or ReasonForm(),
        "withdraw_form": forms.get("withdraw_form") or OptionalReasonForm(),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
        "adoption_form": forms.get("adoption_form") or AdoptionForm(),
        "comment_form": forms.get("comment_form") or LeaderCommentForm(),
        "false_form": forms.get("false_form")
        or FalseReportForm(initial={"is_false": not item.false_report}),
        "delete_adoption_form": ReasonForm(),
    }
    return context


@login_required
def item_detail(request: HttpRequest, id: int) -> HttpResponse:
    item = _item(request, id)
    return render(request, "reporting/item.html", _item_context(request, item))


def _item_page_with(request: HttpRequest, item: InfoItem, status: int = 200, **forms):
    return render(request, "reporting/item.html", _item_context(request, item, **forms), status)


@login_required
@require_POST
def item_step(request: HttpRequest, id: int, step: str) -> HttpResponse:
    """One move of the workflow: submit (or resubmit), edit, review, sign off, return,
    withdraw. A refused move shows the page again with the reason."""
    item = _item(request, id)
    actor = request.user
    forms = {
        "submit": ("submit_form", SubmitForm(request.POST, periods=_periods(item.campaign))),
        "edit": ("edit_form", EditStepForm(request.POST)),
        "review": ("note_form", NoteForm(request.POST)),
        "sign_off": ("note_form", NoteForm(request.POST)),
        "return": ("return_form", ReasonForm(request.POST)),
        "withdraw": ("withdraw_form", OptionalReasonForm(request.POST)),
    }
    if step not in forms:
        raise Http404()
    name, form = forms[step]
    if not form.is_valid():
        return _item_page_with(request, item, **{name: form})
    data = form.cleaned_data
    try:
        if step == "submit":
            resubmit = item.state == ItemState.RETURNED
            services.item_submit(
                actor=actor, item=item, quota_period_start=data.get("quota_period_start")
            )
            done = _("The item has been resubmitted.") if resubmit else _("Submitted.")
        elif step == "edit":
            services.item_edit(
                actor=actor, item=item, title=data["title"], body=data["body"], note=data["note"]
            )
            done = _("Edited: the item waits for review.")
        elif step == "review":
            services.item_review(actor=actor, item=item, note=data["note"])
            done = _("Reviewed: the item waits for final sign-off.")
        elif step == "sign_off":
            services.item_sign_off(actor=actor, item=item, note=data["note"])
            done = _("Signed off.")
        elif step == "return":
            services.item_return(actor=actor, item=item, reason=data["reason"])
            done = _("The item has been returned to its unit.")
        else:
            services.item_withdraw(actor=actor, item=item, reason=data["reason"])
            done = _("The item has been withdrawn.")
    except Forbidden as error:
        raise PermissionDenied(str(error)) from None
    except DomainError as error:
        _form_error(form, error, request)
        item.refresh_from_db()
        return _item_page_with(request, item, **{name: form})
    messages.success(request, done)
    return redirect("reporting:item", id=item.pk)


@login_required
@require_POST
def attachment_add(request: HttpRequest, id: int) -> HttpResponse:
    item = _item(request, id)
    if not _can_attach(request.user, item):
        raise PermissionDenied(_("Only the unit's reporter may do this."))
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _item_page_with(request, item, attachment_form=form)
    uploads = _uploads(form, "files")
    if form.errors:
        return _item_page_with(request, item, attachment_form=form)
    try:
        errors = _add_attachments(request, item, uploads)
    except Forbidden as error:
        raise PermissionDenied(str(error)) from None
    if errors:
        for message in errors:
            form.add_error("files", message)
        return _item_page_with(request, item, attachment_form=form)
    messages.success(request, _("Attached."))
    return redirect("reporting:item", id=item.pk)


def _attachment(request: HttpRequest, id: int) -> ItemAttachment:
    return _found(selectors.access_attachment, actor=request.user, id=id)


@login_required
def attachment_file(request: HttpRequest, id: int) -> HttpResponse:
    attachment = _attachment(request, id)
    return _download(attachment.file, attachment.original_name)


@login_required
@require_POST
def attachment_delete(request: HttpRequest, id: int) -> HttpResponse:
    attachment = _attachment(request, id)
    try:
        services.attachment_delete(actor=request.user, attachment=attachment)
    except Forbidden as error:
        raise PermissionDenied(str(error)) from None
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The attachment has been removed."))
    return redirect("reporting:item", id=attachment.item_id)


@login_required
@require_POST
def adoption_add(request: HttpRequest, id: int) -> HttpResponse:
    item = _item(request, id)
    _require_office_over(request.user, item)
    form = AdoptionForm(request.POST, request.FILES)
    if not form.is_valid():
        return _item_page_with(request, item, adoption_form=form)
    data = form.cleaned_data
    proof = data.get("proof")
    try:
        adoption = services.adoption_create(
            actor=request.user,
            item=item,
            outlet=data["outlet"],
            date=data["date"],
            url=data["url"],
            is_headline=data["is_headline"],
            proof_name=proof.name if proof else "",
            proof_data=proof.read() if proof else None,
        )
    except Forbidden as error:
        raise PermissionDenied(str(error)) from None
    except DomainError as error:
        _form_error(form, error, request)
        return _item_page_with(request, item, adoption_form=form)
    messages.success(request, _("The adoption has been recorded."))
    if adoption.flagged_early:
        messages.warning(request, _("The adoption is dated before the item's submission."))
    return redirect("reporting:item", id=item.pk)


def _adoption(request: HttpRequest, id: int) -> Adoption:
    return _found(selectors.access_adoption, actor=request.user, id=id)


@login_required
def adoption_proof(request: HttpRequest, id: int) -> HttpResponse:
    adoption = _adoption(request, id)
    return _download(adoption.proof, adoption.proof_name or "proof")


@login_required
@require_POST
def adoption_delete(request: HttpRequest, id: int) -> HttpResponse:
    adoption = _adoption(request, id)
    _require_office_over(request.user, adoption.item)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the adoption is removed."))
        return redirect("reporting:item", id=adoption.item_id)
    try:
        services.adoption_delete(
            actor=request.user, adoption=adoption, reason=form.cleaned_data["reason"]
        )
    except Forbidden as error:
        raise PermissionDenied(str(error)) from None
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The adoption has been removed."))
    return redirect("reporting:item", id=adoption.item_id)


@login_required
@require_POST
def leader_comment_add(request: HttpRequest, id: int) -> HttpResponse:
    item = _item(request, id)
    _require_office_over(request.user, item)
    form = LeaderCommentForm(request.POST)
    if not form.is_valid():
        return _item_page_with(request, item, comment_form=form)
    try:
        services.leader_comment_add(actor=request.user, item=item, **form.cleaned_data)
    except Forbidden as error:
        raise PermissionDenied(str(error)) from None
    except DomainError as error:
        _form_error(form, error, request)
        return _item_page_with(request, item, comment_form=form)
    messages.success(request, _("The leader's comment has been recorded."))
    return redirect("reporting:item", id=item.pk)


@login_required
@require_POST
def false_report(request: HttpRequest, id: int) -> HttpResponse:
    item = _item(request, id)
    _require_office_over(request.user, item)
    form = FalseReportForm(request.POST)
    if not form.is_valid():
        return _item_page_with(request, item, false_form=form)
    try:
        services.item_flag_false_report(
            actor=request.user,
            item=item,
            note=form.cleaned_data["note"],
            is_false=form.cleaned_data["is_false"],
        )
    except Forbidden as error:
        raise PermissionDenied(str(error)) from None
    except DomainError as error:
        _form_error(form, error, request)
        return _item_page_with(request, item, false_form=form)
    messages.success(request, _("Saved."))
    return redirect("reporting:item", id=item.pk)


# --- the office's queue -------------------------------------------------------------------


@login_required
def queue(request: HttpRequest, id: int) -> HttpResponse:
    """The items waiting at each review step (编辑 / 审核 / 终审), with counts."""
    campaign = _campaign(request, id)
    actor = request.user
    if not (is_admin(actor) or actor.has_role(*STEP_ROLE.values(), Role.OFFICE, Role.OBSERVER)):
        raise PermissionDenied(_("The review queue is the office's."))
    step = request.GET.get("step", "edit")
    if step not in STEP_ROLE:
        step = "edit"
    tabs = []
    current = []
    for name, state, _role, label in STEPS:
        # What waits at each step in the reader's scope (the office sees every step; the
        # service still lets only the step's role sign it).
        rows = list(
            selectors.item_list(actor=actor, campaign=campaign, state=state).order_by(
                "submitted_at", "id"
            )
        )
        tabs.append((name, label, len(rows)))
        if name == step:
            current = rows
    context = {"campaign": campaign, "tabs": tabs, "step": step, "items": current}
    return render(request, "reporting/queue.html", context)


# --- commissions and quotas ---------------------------------------------------------------


@login_required
def commission_list(request: HttpRequest, id: int) -> HttpResponse:
    campaign = _campaign(request, id)
    rows = [
        (c, quotas.commission_status(commission=c))
        for c in selectors.commission_list(actor=request.user, campaign=campaign)
    ]
    context = {
        "campaign": campaign,
        "rows": rows,
        "can_create": _office_of(request.user, campaign),
    }
    return render(request, "reporting/commission_list.html", context)


@login_required
def commission_new(request: HttpRequest, id: int) -> HttpResponse:
    campaign = _campaign(request, id)
    if not _office_of(request.user, campaign):
        raise PermissionDenied(_("Only the office responsible for this region may do this."))
    form = CommissionForm(request.POST or None, units=quotas.campaign_units(campaign))
    if request.method == "POST" and form.is_valid():
        try:
            commission = services.commission_create(
                actor=request.user, campaign=campaign, **form.cleaned_data
            )
        except Forbidden as error:
            raise PermissionDenied(str(error)) from None
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The units have been asked."))
            return redirect("reporting:commission_detail", id=commission.pk)
    return render(request, "reporting/commission_form.html", {"campaign": campaign, "form": form})


@login_required
def commission_detail(request: HttpRequest, id: int) -> HttpResponse:
    commission = _found(selectors.access_commission, actor=request.user, id=id)
    context = {
        "campaign": commission.campaign,
        "commission": commission,
        "status": quotas.commission_status(commission=commission),
    }
    return render(request, "reporting/commission.html", context)


@login_required
def quota(request: HttpRequest, id: int) -> HttpResponse:
    """Units behind the information quota today, with a reminder to copy."""
    campaign = _campaign(request, id)
    today = timezone.localdate()
    behind = quotas.units_behind(actor=request.user, campaign=campaign, on=today)
    context = {
        "campaign": campaign,
        "today": today,
        "quota": quotas.information_quota(campaign),
        "behind": behind,
        "reminder": reminder_text(campaign, behind),
    }
    return render(request, "reporting/quota.html", context)


# --- rules --------------------------------------------------------------------------------


@login_required
def rules_list(request: HttpRequest, id: int) -> HttpResponse:
    campaign = _campaign(request, id)
    context = {
        "campaign": campaign,
        "versions": selectors.rules_list(actor=request.user, campaign=campaign),
        "can_create": _office_of(request.user, campaign),
    }
    return render(request, "reporting/rules_list.html", context)


@login_required
def rules_new(request: HttpRequest, id: int) -> HttpResponse:
    campaign = _campaign(request, id)
    if not _office_of(request.user, campaign):
        raise PermissionDenied(_("Only the office responsible for this region may do this."))
    latest = selectors.rules_list(actor=request.user, campaign=campaign).first()
    initial = {f: getattr(latest, f) for f in RULE_FIELDS if f != "note"} if latest else {}
    form = RulesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.rules_create(actor=request.user, campaign=campaign, **form.cleaned_data)
        except Forbidden as error:
            raise PermissionDenied(str(error)) from None
        except DomainError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("A new version of the rules has been added."))
            return redirect("reporting:rules", id=campaign.pk)
    return render(request, "reporting/rules_form.html", {"campaign": campaign, "form": form})


# --- briefings ----------------------------------------------------------------------------


def _briefing(request: HttpRequest, id: int) -> Briefing:
    return _found(issuing.access_briefing, actor=request.user, id=id)


def _signed_off(actor, campaign: Campaign):
    return (
        selectors.item_list(actor=actor, campaign=campaign, state=ItemState.SIGNED_OFF)
        .select_related("unit")
        .order_by("-signed_off_at", "-id")
    )


def _require_office_of(actor, campaign: Campaign) -> None:
    if not _office_of(actor, campaign):
        raise PermissionDenied(_("Only the office responsible for this region may do this."))


def _document_list(request: HttpRequest, id: int, documents, kind: str) -> HttpResponse:
    campaign = _campaign(request, id)
    context = {
        "campaign": campaign,
        "documents": documents(actor=request.user, campaign=campaign),
        "can_create": _office_of(request.user, campaign),
    }
    return render(request, f"reporting/{kind}_list.html", context)


def _save_document(request: HttpRequest, form, save, kind: str, done: str) -> HttpResponse | None:
    """For a valid posted form, run ``save`` (a write that returns the document) and
    redirect to the document with ``done``; None (the form to show again, with any domain
    error on it) otherwise."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        document = save()
    except Forbidden as error:
        raise PermissionDenied(str(error)) from None
    except DomainError as error:
        _form_error(form, error)
        return None
    messages.success(request, done)
    return redirect(f"reporting:{kind}_detail", id=document.pk)


def _issued_to_detail(request: HttpRequest, document, kind: str, message: str):
    """For the edit pages: PermissionDenied unless the actor is the office; for an issued
    document a redirect to it with ``message``; None for a draft."""
    _require_office_of(request.user, document.campaign)
    if document.state == IssueState.DRAFT:
        return None
    messages.error(request, message)
    return redirect(f"reporting:{kind}_detail", id=document.pk)


def _document_form(request: HttpRequest, campaign, form, document, kind: str) -> HttpResponse:
    context = {"campaign": campaign, "form": form, "document": document, "kind": kind}
    return render(request, "reporting/document_form.html", context)


@login_required
def briefing_list(request: HttpRequest, id: int) -> HttpResponse:
    return _document_list(request, id, issuing.briefing_list, "briefing")


@login_required
def briefing_new(request: HttpRequest, id: int) -> HttpResponse:
    campaign = _campaign(request, id)
    _require_office_of(request.user, campaign)
    form = BriefingForm(request.POST or None, items=_signed_off(request.user, campaign))
    saved = _save_document(
        request,
        form,
        lambda: issuing.briefing_create(actor=request.user, campaign=campaign, **form.values()),
        "briefing",
        _("The briefing has been drafted."),
    )
    return saved or _document_form(request, campaign, form, None, "briefing")


@login_required
def briefing_edit(request: HttpRequest, id: int) -> HttpResponse:
    briefing = _briefing(request, id)
    if issued := _issued_to_detail(
        request,
        briefing,
        "briefing",
        _("An issued briefing cannot be changed; issue a correction."),
    ):
        return issued
    initial = {
        f: getattr(briefing, f)
        for f in ["title", "signer", "report_to", "send_to", "distribute_to", "copies"]
    }
    initial["items"] = [e.item_id for e in briefing.entries.all()]
    form = BriefingForm(
        request.POST or None, items=_signed_off(request.user, briefing.campaign), initial=initial
    )
    saved = _save_document(
        request,
        form,
        lambda: issuing.briefing_update(actor=request.user, briefing=briefing, **form.values()),
        "briefing",
        _("The briefing has been changed."),
    )
    return saved or _document_form(request, briefing.campaign, form, briefing, "briefing")


@login_required
def briefing_detail(request: HttpRequest, id: int) -> HttpResponse:
    briefing = _briefing(request, id)
    issued = briefing.state == IssueState.ISSUED
    context = {
        "campaign": briefing.campaign,
        "document": briefing,
        "issued": issued,
        "snapshot": briefing.snapshot if issued else None,
        "entries": [] if issued else list(briefing.entries.select_related("item__unit")),
        "can_manage": _office_of(request.user, briefing.campaign),
        "issue_form": IssueForm(),
        "corrections": list(briefing.corrections.all()),
    }
    return render(request, "reporting/briefing.html", context)


def _issue(request: HttpRequest, document, issue, kind: str) -> HttpResponse:
    form = IssueForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(f"reporting:{kind}_detail", id=document.pk)
    try:
        issue(actor=request.user, **{kind: document}, issue_date=form.cleaned_data["issue_date"])
    except Forbidden as error:
        raise PermissionDenied(str(error)) from None
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Issued."))
    return redirect(f"reporting:{kind}_detail", id=document.pk)


def _correct(request: HttpRequest, document, correct, kind: str) -> HttpResponse:
    try:
        draft = correct(actor=request.user, **{kind: document})
    except Forbidden as error:
        raise PermissionDenied(str(error)) from None
    except DomainError as error:
        messages.error(request, str(error))
        return redirect(f"reporting:{kind}_detail", id=document.pk)
    messages.success(request, _("A correction has been drafted; change it and issue it."))
    return redirect(f"reporting:{kind}_detail", id=draft.pk)


@login_required
@require_POST
def briefing_issue(request: HttpRequest, id: int) -> HttpResponse:
    return _issue(request, _briefing(request, id), issuing.briefing_issue, "briefing")


@login_required
@require_POST
def briefing_correct(request: HttpRequest, id: int) -> HttpResponse:
    return _correct(request, _briefing(request, id), issuing.briefing_correct, "briefing")


def _filename(document, extension: str) -> str:
    if document.number:
        return f"{document.title}{document.year}年第{document.number}期.{extension}"
    return f"{document.title}.{extension}"


def _issued_file(document, field: str, content_type: str) -> HttpResponse:
    """The stored .docx or .xlsx (``field``) of an issued document; 404 for a draft."""
    if document.state != IssueState.ISSUED:
        raise Http404()
    return _download(getattr(document, field), _filename(document, field), content_type)


@login_required
def briefing_docx(request: HttpRequest, id: int) -> HttpResponse:
    return _issued_file(_briefing(request, id), "docx", DOCX_TYPE)


# --- bulletins ----------------------------------------------------------------------------


def _bulletin(request: HttpRequest, id: int) -> Bulletin:
    return _found(issuing.access_bulletin, actor=request.user, id=id)


@login_required
def bulletin_list(request: HttpRequest, id: int) -> HttpResponse:
    return _document_list(request, id, issuing.bulletin_list, "bulletin")


@login_required
def bulletin_new(request: HttpRequest, id: int) -> HttpResponse:
    campaign = _campaign(request, id)
    _require_office_of(request.user, campaign)
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    form = BulletinForm(request.POST or None, initial={"period_start": last_month})
    saved = _save_document(
        request,
        form,
        lambda: issuing.bulletin_create(
            actor=request.user,
            campaign=campaign,
            period_start=form.cleaned_data["period_start"],
            **form.values(),
        ),
        "bulletin",
        _("The bulletin has been drafted."),
    )
    return saved or _document_form(request, campaign, form, None, "bulletin")


@login_required
def bulletin_edit(request: HttpRequest, id: int) -> HttpResponse:
    bulletin = _bulletin(request, id)
    if issued := _issued_to_detail(
        request,
        bulletin,
        "bulletin",
        _("An issued bulletin cannot be changed; issue a correction."),
    ):
        return issued
    initial = {
        f: getattr(bulletin, f)
        for f in [
            "period_start",
            "title",
            "signer",
            "report_to",
            "send_to",
            "distribute_to",
            "copies",
        ]
    }
    form = BulletinForm(request.POST or None, initial=initial)
    saved = _save_document(
        request,
        form,
        lambda: issuing.bulletin_update(
            actor=request.user,
            bulletin=bulletin,
            period_start=form.cleaned_data["period_start"],
            **form.values(),
        ),
        "bulletin",
        _("The bulletin has been changed."),
    )
    return saved or _document_form(request, bulletin.campaign, form, bulletin, "bulletin")


@login_required
def bulletin_detail(request: HttpRequest, id: int) -> HttpResponse:
    """An issued bulletin shows its stored snapshot; a draft the table as it stands now."""
    bulletin = _bulletin(request, id)
    issued = bulletin.state == IssueState.ISSUED
    preview_error = ""
    snapshot = bulletin.snapshot if issued else None
    if not issued:
        try:
            snapshot = issuing.bulletin_preview(actor=request.user, bulletin=bulletin)
        except Forbidden as error:
            raise PermissionDenied(str(error)) from None
        except DomainError as error:
            preview_error = str(error)
    context = {
        "campaign": bulletin.campaign,
        "document": bulletin,
        "issued": issued,
        "snapshot": snapshot,
        "levels": LEVEL_KEYS,
        "preview_error": preview_error,
        "can_manage": _office_of(request.user, bulletin.campaign),
        "issue_form": IssueForm(),
        "corrections": list(bulletin.corrections.all()),
    }
    return render(request, "reporting/bulletin.html", context)


@login_required
@require_POST
def bulletin_issue(request: HttpRequest, id: int) -> HttpResponse:
    return _issue(request, _bulletin(request, id), issuing.bulletin_issue, "bulletin")


@login_required
@require_POST
def bulletin_correct(request: HttpRequest, id: int) -> HttpResponse:
    return _correct(request, _bulletin(request, id), issuing.bulletin_correct, "bulletin")


@login_required
def bulletin_docx(request: HttpRequest, id: int) -> HttpResponse:
    return _issued_file(_bulletin(request, id), "docx", DOCX_TYPE)


@login_required
def bulletin_xlsx(request: HttpRequest, id: int) -> HttpResponse:
    return _issued_file(_bulletin(request, id), "xlsx", XLSX_TYPE)


# --- annual assessment --------------------------------------------------------------------


def _year(request: HttpRequest, campaign: Campaign) -> int:
    value = request.GET.get("year", "")
    if value.isascii() and value.isdigit() and 2000 <= int(value) <= 2100:
        return int(value)
    # A campaign that has ended (or not begun) opens on its nearest year.
    this_year = timezone.localdate().year
    return min(max(this_year, campaign.start_date.year), campaign.end_date.year)


@login_required
def annual(request: HttpRequest, id: int) -> HttpResponse:
    campaign = _campaign(request, id)
    year = _year(request, campaign)
    data = scoring.annual_assessment(actor=request.user, campaign=campaign, year=year)
    months = data.get("months", [])
    context = {
        "campaign": campaign,
        "year": year,
        "annual": data,
        "months": months,
        "rows": [(row, [row["by_month"].get(m, "") for m in months]) for row in data["rows"]],
        "years": range(campaign.start_date.year, campaign.end_date.year + 1),
    }
    return render(request, "reporting/annual.html", context)


@login_required
def annual_xlsx(request: HttpRequest, id: int) -> HttpResponse:
    campaign = _campaign(request, id)
    year = _year(request, campaign)
    data = scoring.annual_assessment(actor=request.user, campaign=campaign, year=year)
    filename = f"{campaign.name}{year}年度考核.xlsx"
    return _bytes(rendering.render_annual_xlsx(data), filename, XLSX_TYPE)


@login_required
def commissions(request: HttpRequest) -> HttpResponse:
    """Every commissioned topic the user may see, and what each unit still owes."""
    rows = [
        (c, quotas.commission_status(commission=c))
        for c in selectors.commission_list(actor=request.user).select_related("campaign")[:200]
    ]
    context = {"rows": rows, "owed": quotas.commissions_owed(actor=request.user)}
    return render(request, "reporting/commissions.html", context)
