"""Locked periods and import undo pages (thin): a campaign's locked and reopened periods,
locking and reopening them (the office), undoing an import. Reads go through
``ledger.selectors`` and ``ledger.io.imports``, writes through ``ledger.services`` and
``ledger.io.imports``."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from campaigndesk.accounts.scoping import can_manage
from campaigndesk.campaigns import selectors as campaign_selectors
from campaigndesk.campaigns.models import Campaign
from campaigndesk.common.errors import DomainError, NotFound
from campaigndesk.ledger import selectors as ledger
from campaigndesk.ledger import services as ledger_services
from campaigndesk.ledger.io import imports
from campaigndesk.ledger.models import PeriodLock

from . import memory
from .forms import date_field
from .service_errors import add_service_error, raise_if_refused

REASON_MAX_LENGTH = PeriodLock._meta.get_field("reason").max_length


class LockForm(forms.Form):
    """The period to lock. The service judges it (order, campaign, overlaps)."""

    start = date_field(gettext_lazy("From"))
    end = date_field(gettext_lazy("Until"))
    reason = forms.CharField(
        label=gettext_lazy("Reason (optional)"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        help_text=gettext_lazy("For example: the October bulletin is issued."),
    )


class ReopenForm(forms.Form):
    """Why a locked period is reopened: required, and the service says so when blank."""

    reason = forms.CharField(
        label=gettext_lazy("Reason for reopening"),
        max_length=REASON_MAX_LENGTH,
        required=False,  # (the service refuses a blank reason, with its own message)
    )


def _reopen_form(lock: PeriodLock, data=None) -> ReopenForm:
    # One form per lock on the page: ids of their own, the same parameter name.
    return ReopenForm(data, auto_id=f"id_reopen{lock.pk}_%s")


def _campaign(request: HttpRequest, id: int) -> Campaign:
    try:
        return campaign_selectors.access_campaign(actor=request.user, id=id)
    except NotFound:
        raise Http404() from None


def _require_manage(request: HttpRequest, campaign: Campaign) -> None:
    if not can_manage(request.user, region_path=campaign.region_path):
        raise PermissionDenied(_("Only the office responsible for this region may do this."))


def _locks_page(
    request: HttpRequest,
    campaign: Campaign,
    *,
    form: LockForm | None = None,
    reopened: tuple[int, ReopenForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The campaign's locks; for the office the lock form and a reopen form for each lock
    still locked (``reopened``: the one sent back with its errors, by lock id)."""
    manages = can_manage(request.user, region_path=campaign.region_path)
    locks = ledger.lock_list(campaign=campaign).select_related("locked_by", "reopened_by")
    rows = []
    placed = False
    for lock in locks:
        reopen = None
        if manages and lock.reopened_at is None:
            if reopened is not None and reopened[0] == lock.pk:
                reopen, placed = reopened[1], True
            else:
                reopen = _reopen_form(lock)
        rows.append((lock, reopen))
    if reopened is not None and not placed:
        # (a period reopened meanwhile has no form left to show the error on)
        for error in reopened[1].errors.values():
            messages.error(request, " ".join(error))
    context = {
        "campaign": campaign,
        "rows": rows,
        "can_manage": manages,
        "form": (form or LockForm()) if manages else None,
    }
    return render(request, "web/locks.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def lock_list(request: HttpRequest, id: int) -> HttpResponse:
    """The locked and reopened periods; the office locks a period here."""
    campaign = _campaign(request, id)
    if request.method != "POST":
        memory.remember_campaign(request, campaign.pk)
        return _locks_page(request, campaign)
    _require_manage(request, campaign)
    form = LockForm(request.POST)
    if form.is_valid():
        try:
            lock = ledger_services.period_lock(
                actor=request.user,
                campaign=campaign,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            raise_if_refused(error)
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Locked %(start)s – %(end)s: its records change only after reopening.")
                % {"start": lock.start.isoformat(), "end": lock.end.isoformat()},
            )
            return redirect("web:locks", campaign.pk)
    return _locks_page(request, campaign, form=form, status=422)


@login_required
@require_POST
def lock_reopen(request: HttpRequest, id: int, lock_id: int) -> HttpResponse:
    """Reopen a locked period (the office; the reason is required and audited)."""
    campaign = _campaign(request, id)
    lock = ledger.lock_list(campaign=campaign).filter(pk=lock_id).first()
    if lock is None:
        raise Http404()
    _require_manage(request, campaign)
    form = _reopen_form(lock, request.POST)
    if form.is_valid():
        try:
            lock = ledger_services.period_reopen(
                actor=request.user, lock=lock, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            raise_if_refused(error)
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Reopened %(start)s – %(end)s: its records can change again.")
                % {"start": lock.start.isoformat(), "end": lock.end.isoformat()},
            )
            return redirect("web:locks", campaign.pk)
    return _locks_page(request, campaign, reopened=(lock.pk, form), status=422)


@login_required
@require_POST
def import_undo(request: HttpRequest, id: int, batch_id: int) -> HttpResponse:
    """Undo an import (the office, or who imported it); back to the import page."""
    campaign = _campaign(request, id)
    # The batches the actor may see: the same "not found" for missing and hidden.
    batch = imports.batch_list(actor=request.user, campaign=campaign).filter(pk=batch_id).first()
    if batch is None:
        raise Http404()
    try:
        batch = imports.import_batch_undo(actor=request.user, batch=batch)
    except DomainError as error:
        raise_if_refused(error)
        messages.error(
            request,
            _("The import of %(file)s was not undone: %(reason)s")
            % {"file": batch.filename, "reason": error},
        )
    else:
        messages.success(
            request,
            _(
                "Undid the import of %(file)s: the records it added are gone, "
                "those it updated are as they were."
            )
            % {"file": batch.filename},
        )
    return redirect("web:import", campaign.pk)
