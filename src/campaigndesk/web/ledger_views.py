"""Ledger pages (thin): record lists with filters, sorting, pages and export; one record
with its evidence, and its edit, delete and duplicate verdict; the entry forms; the import
page with its templates. Reads go through ``ledger.selectors``, writes through
``ledger.services`` and ``ledger.io``."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigndesk.accounts.scoping import can_manage
from campaigndesk.campaigns import selectors as campaign_selectors
from campaigndesk.campaigns.models import Campaign
from campaigndesk.common.errors import DomainError, Forbidden, ImportRejected, NotFound
from campaigndesk.ledger import selectors as ledger
from campaigndesk.ledger import services as ledger_services
from campaigndesk.ledger.io import exports, imports, templates
from campaigndesk.ledger.models import RECORD_MODELS, Evidence, RecordKind, RecordStatus
from campaigndesk.regions import selectors as region_selectors
from campaigndesk.regions.models import Unit

from . import memory
from .dashboard import region_choices
from .forms import FORMS, EvidenceForm, ImportForm, plain_number
from .ledger_filters import LedgerFilterForm, sort_links, sorted_records
from .service_errors import add_service_error, raise_if_refused

PAGE_SIZE = 50
KINDS = [(kind, label) for kind, label in RecordKind.choices]


def _campaign(request: HttpRequest, id: int) -> Campaign:
    try:
        return campaign_selectors.access_campaign(actor=request.user, id=id)
    except NotFound:
        raise Http404() from None


def writable_units(actor, campaign: Campaign) -> list[Unit]:
    """Units in the campaign's region the actor may file records for (its own unit for a
    reporter, its subtree's units for an office)."""
    units = region_selectors.unit_list(actor=actor, region=campaign.region).order_by(
        "region_path", "name"
    )
    return [unit for unit in units if ledger_services.can_write_unit(actor, unit)]


def can_file_in(actor, campaign: Campaign) -> bool:
    """Whether the actor may file records for any unit of the campaign's region."""
    units = region_selectors.unit_list(actor=actor, region=campaign.region)
    return any(ledger_services.can_write_unit(actor, unit) for unit in units.iterator())


# --- lists --------------------------------------------------------------------------------


def _filtered(request: HttpRequest, campaign: Campaign, kind: str):
    units = list(
        region_selectors.unit_list(actor=request.user, region=campaign.region).order_by(
            "region_path", "name"
        )
    )
    form = LedgerFilterForm(
        request.GET or None, kind=kind, regions=region_choices(campaign), units=units
    )
    valid = form.is_bound and form.is_valid()
    filters = form.rollup_filter() if valid else None
    status = form.wanted_status() if valid and "status" in form.fields else None
    return form, filters, status


def _error_lines(form) -> str:
    """The form's errors one a line, each after its field's label."""
    lines = []
    for name, errors in form.errors.items():
        label = form[name].label if name in form.fields else ""
        lines += [f"{label}：{error}" if label else str(error) for error in errors]
    return "\n".join(lines)


@login_required
def record_list(request: HttpRequest, id: int, kind: str) -> HttpResponse:
    campaign = _campaign(request, id)
    memory.remember_campaign(request, campaign.pk)
    form, filters, status = _filtered(request, campaign, kind)
    records = ledger.record_list(
        actor=request.user, campaign=campaign, record_kind=kind, filters=filters, status=status
    )
    if form.errors:
        # A filter that cannot be read narrows to nothing (with its error shown), never
        # widens the list to the whole ledger.
        records = records.none()
    sort = request.GET.get("sort", "")
    records, sort = sorted_records(records, kind, sort)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {k: v for k, v in request.GET.items() if k not in ("page", "format") and v}
    context = {
        "campaign": campaign,
        "kind": kind,
        "kinds": KINDS,
        "form": form,
        "page": page,
        "sort": sort,
        "sort_links": sort_links(kind, sort, {k: v for k, v in query.items() if k != "sort"}),
        "query": urlencode(query),
        "export_query": urlencode({k: v for k, v in query.items() if k != "sort"}),
        "can_write": can_file_in(request.user, campaign),
        # (so that the office finds the outputs waiting for its verdict)
        "flagged": ledger.record_list(
            actor=request.user, campaign=campaign, record_kind=kind, status=RecordStatus.DUPLICATE
        ).count()
        if kind == RecordKind.OUTPUT and status != RecordStatus.DUPLICATE
        else 0,
    }
    return render(request, "web/ledger_list.html", context)


@login_required
def record_export(request: HttpRequest, id: int, kind: str) -> HttpResponse:
    """The filtered list as .csv or .xlsx (the columns of the import template)."""
    campaign = _campaign(request, id)
    form, filters, status = _filtered(request, campaign, kind)
    format = request.GET.get("format", "csv")
    if format not in templates.FORMATS:
        raise Http404()
    if form.errors:
        # Not the whole ledger for a filter that cannot be read.
        return HttpResponseBadRequest(_error_lines(form), content_type="text/plain; charset=utf-8")
    export = exports.export_records(
        actor=request.user,
        campaign=campaign,
        record_kind=kind,
        filters=filters,
        format=format,
        status=status,
    )
    return export.as_download()


def _record(request: HttpRequest, campaign: Campaign, kind: str, record_id: int):
    """The record of ``kind`` in ``campaign`` the actor may see (404 alike otherwise)."""
    try:
        record = ledger.access_record(actor=request.user, record_kind=kind, id=record_id)
    except NotFound:
        raise Http404() from None
    if record.campaign_id != campaign.pk:
        raise Http404()
    return record


def _record_url(campaign: Campaign, kind: str, record) -> str:
    return reverse("web:record", args=[campaign.pk, kind, record.pk])


@login_required
def record_detail(request: HttpRequest, id: int, kind: str, record_id: int) -> HttpResponse:
    """One record, for whoever may see it (the same "not found" otherwise), with its
    evidence; for whoever may file for its unit, its edit and delete and an evidence
    upload; for the office, the verdict on evidence and on a suspected duplicate."""
    campaign = _campaign(request, id)
    record = _record(request, campaign, kind, record_id)
    model = RECORD_MODELS[kind]
    shown = [
        f
        for f in model._meta.get_fields()
        if getattr(f, "concrete", False)
        and f.name
        not in {
            "id",
            "campaign",
            "region_path",
            "unit_region_path",
            "batch",
            "created_by",
            "url_key",
        }
    ]
    fields = []
    for field in shown:
        if field.choices:
            value = getattr(record, f"get_{field.name}_display")()
        else:
            value = getattr(record, field.name)
        if isinstance(value, Decimal):
            value = plain_number(value)  # ("12", not the stored "12.0000")
        fields.append((field.verbose_name, value))
    is_office = can_manage(request.user, region_path=record.region_path)
    is_duplicate = getattr(record, "status", None) == RecordStatus.DUPLICATE
    context = {
        "lock": ledger.lock_holding(campaign_id=campaign.pk, date=record.date),
        "original": ledger.duplicate_original(actor=request.user, record=record)
        if is_duplicate
        else None,
        "campaign": campaign,
        "kind": kind,
        "record": record,
        "fields": fields,
        "evidence": ledger.evidence_for(record_kind=kind, record=record),
        "can_edit": ledger_services.can_write_unit(request.user, record.unit),
        "is_office": is_office,
        "is_duplicate": is_duplicate,
        "evidence_form": EvidenceForm(),
    }
    return render(request, "web/record.html", context)


def _writable_record(request: HttpRequest, id: int, kind: str, record_id: int):
    """(campaign, record) for a change: 404 for a record one may not see, 403 for one
    whose unit one may not file for."""
    campaign = _campaign(request, id)
    record = _record(request, campaign, kind, record_id)
    if not ledger_services.can_write_unit(request.user, record.unit):
        raise PermissionDenied(
            _("You may not change the records of %(unit)s.") % {"unit": record.unit}
        )
    return campaign, record


@login_required
def record_edit(request: HttpRequest, id: int, kind: str, record_id: int) -> HttpResponse:
    """The record's entry form filled in with what it holds; saving changes only what
    was changed (a record in a locked period is refused, with the reason)."""
    campaign, record = _writable_record(request, id, kind, record_id)
    units = writable_units(request.user, campaign)
    if record.unit_id not in {unit.pk for unit in units}:
        units = sorted([*units, record.unit], key=lambda unit: (unit.region_path, unit.name))
    form_class = FORMS[kind]
    data = request.POST if request.method == "POST" else None
    form = form_class(data, campaign=campaign, units=units, record=record, actor=request.user)
    if request.method == "POST" and form.is_valid() and form.changed_since():
        messages.warning(
            request,
            _(
                "Someone changed this record after you opened it; its present values are "
                "shown. Make your change again."
            ),
        )
        return redirect(reverse("web:record_edit", args=[campaign.pk, kind, record.pk]))
    if request.method == "POST" and form.is_valid():
        try:
            outcome = ledger_services.record_update(
                actor=request.user, record_kind=kind, record=record, **form.values()
            )
        except NotFound:
            raise Http404() from None
        except DomainError as error:  # (a refusal too: shown on the form)
            add_service_error(form, error)
        else:
            messages.success(request, _("Saved: %(record)s.") % {"record": outcome.record})
            for warning in outcome.warnings:
                messages.warning(request, warning)
            return redirect(_record_url(campaign, kind, outcome.record))
    context = {
        "campaign": campaign,
        "kind": kind,
        "kind_label": RecordKind(kind).label,
        "record": record,
        "form": form,
        "fixed_unit": form.fixed_unit,
    }
    return render(request, "web/record_edit.html", context, status=422 if form.errors else 200)


@login_required
def record_delete(request: HttpRequest, id: int, kind: str, record_id: int) -> HttpResponse:
    """GET asks to confirm; POST deletes the record with its facts and evidence (audited),
    unless its period is locked."""
    campaign, record = _writable_record(request, id, kind, record_id)
    if request.method == "POST":
        try:
            ledger_services.record_delete(actor=request.user, record_kind=kind, record=record)
        except DomainError as error:
            raise_if_refused(error)
            messages.error(request, str(error))
            return redirect(_record_url(campaign, kind, record))
        messages.success(request, _("Deleted: %(record)s.") % {"record": record})
        return redirect(reverse("web:ledger", args=[campaign.pk, kind]))
    context = {"campaign": campaign, "kind": kind, "record": record}
    return render(request, "web/record_delete.html", context)


@login_required
@require_POST
def evidence_add(request: HttpRequest, id: int, kind: str, record_id: int) -> HttpResponse:
    """Attach a photo, sign-in sheet or screenshot to the record (whoever may file for its
    unit); a refused file is named with the reason, and nothing is kept."""
    campaign, record = _writable_record(request, id, kind, record_id)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _error_lines(form))
        return redirect(_record_url(campaign, kind, record))
    upload = form.cleaned_data["file"]
    try:
        if upload.size is not None and upload.size > ledger_services.EVIDENCE_MAX_BYTES:
            raise DomainError(_("The file is larger than 10 MB."))
        ledger_services.evidence_add(
            actor=request.user,
            record_kind=kind,
            record=record,
            data=upload.read(),
            filename=upload.name or "evidence",
            evidence_kind=form.cleaned_data["kind"],
        )
    except DomainError as error:
        raise_if_refused(error)
        messages.error(request, f"{upload.name}：{error}")
    else:
        messages.success(request, _("Attached: %(name)s.") % {"name": upload.name})
    return redirect(_record_url(campaign, kind, record))


def _evidence(request: HttpRequest, campaign: Campaign, evidence_id: int) -> Evidence:
    """Evidence of the campaign whose record the actor may see (404 alike otherwise)."""
    evidence = Evidence.objects.filter(pk=evidence_id, campaign=campaign).first()
    if evidence is None:
        raise Http404()
    _record(request, campaign, evidence.record_kind, evidence.record_id)
    return evidence


@login_required
def evidence_file(request: HttpRequest, id: int, evidence_id: int) -> HttpResponse:
    """The evidence file, as a download under the name it was uploaded with."""
    campaign = _campaign(request, id)
    evidence = _evidence(request, campaign, evidence_id)
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=ledger_services.evidence_media_type(evidence),
    )


@login_required
@require_POST
def evidence_verify(request: HttpRequest, id: int, evidence_id: int) -> HttpResponse:
    """The office marks the evidence verified (audited; the first verifier stays)."""
    campaign = _campaign(request, id)
    evidence = _evidence(request, campaign, evidence_id)
    try:
        evidence = ledger_services.evidence_verify(actor=request.user, evidence=evidence)
    except DomainError as error:
        raise_if_refused(error)
        raise
    messages.success(request, _("Verified: %(name)s.") % {"name": evidence.original_name})
    return redirect(
        reverse("web:record", args=[campaign.pk, evidence.record_kind, evidence.record_id])
    )


@login_required
@require_POST
def duplicate_resolve(request: HttpRequest, id: int, record_id: int) -> HttpResponse:
    """The office's verdict on an output flagged as a suspected duplicate: a duplicate is
    deleted; otherwise the output starts to count."""
    campaign = _campaign(request, id)
    kind = RecordKind.OUTPUT
    record = _record(request, campaign, kind, record_id)
    verdict = request.POST.get("verdict")
    if verdict not in ("duplicate", "original"):
        return HttpResponseBadRequest(
            _("Choose a verdict."), content_type="text/plain; charset=utf-8"
        )
    try:
        ledger_services.output_duplicate_resolve(
            actor=request.user, record=record, is_duplicate=verdict == "duplicate"
        )
    except DomainError as error:
        raise_if_refused(error)
        messages.error(request, str(error))
        return redirect(_record_url(campaign, kind, record))
    if verdict == "duplicate":
        messages.success(request, _("Deleted as a duplicate: %(record)s.") % {"record": record})
        return redirect(reverse("web:ledger", args=[campaign.pk, kind]))
    messages.success(request, _("Counted: %(record)s.") % {"record": record})
    return redirect(_record_url(campaign, kind, record))


# --- entry --------------------------------------------------------------------------------


@login_required
def entry(request: HttpRequest) -> HttpResponse:
    """Quick entry: straight to the event form of the last campaign (or the only one) the
    user may file for; otherwise a choice of campaign and kind of record."""
    choices = []
    for campaign in campaign_selectors.campaign_list(actor=request.user):
        if writable_units(request.user, campaign):
            choices.append(campaign)
    remembered = memory.remembered_campaign(request)
    if "choose" not in request.GET:
        target = next((c for c in choices if c.pk == remembered), None)
        if target is None and len(choices) == 1:
            target = choices[0]
        if target is not None:
            return redirect("web:record_new", target.pk, RecordKind.EVENT)
    return render(request, "web/entry.html", {"campaigns": choices, "kinds": KINDS})


@login_required
def record_new(request: HttpRequest, id: int, kind: str) -> HttpResponse:
    """The entry form of a record kind; after saving, the same form again with the last
    unit and site filled in."""
    campaign = _campaign(request, id)
    units = writable_units(request.user, campaign)
    if not units:
        raise PermissionDenied(_("You may not file records in this campaign."))
    memory.remember_campaign(request, campaign.pk)
    remembered = memory.remembered_entry(request)
    initial = {k: v for k, v in remembered.items() if k != "unit" or len(units) > 1}
    if initial.get("unit") not in {u.pk for u in units}:
        initial.pop("unit", None)
    form_class = FORMS[kind]
    form = form_class(
        request.POST or None,
        campaign=campaign,
        units=units,
        initial=initial,
        actor=request.user,
    )
    if request.method == "POST" and form.is_valid():
        values = form.values()
        try:
            outcome = ledger_services.record_create(
                actor=request.user, campaign=campaign, record_kind=kind, **values
            )
        except DomainError as error:  # (a refusal too: shown on the form)
            add_service_error(form, error)
        else:
            memory.remember_entry(request, values)
            messages.success(
                request,
                _("Saved: %(record)s, %(date)s.")
                % {"record": outcome.record, "date": outcome.record.date.isoformat()},
            )
            for warning in outcome.warnings:
                messages.warning(request, warning)
            return HttpResponseRedirect(request.path)
    context = {
        "campaign": campaign,
        "kind": kind,
        "kind_label": RecordKind(kind).label,
        "kinds": KINDS,
        "form": form,
        "fixed_unit": form.fixed_unit,
    }
    return render(request, "web/record_form.html", context)


# --- import -------------------------------------------------------------------------------


@login_required
def record_import(request: HttpRequest, id: int) -> HttpResponse:
    """Upload a filled-in template: all rows or none; every bad row is listed."""
    campaign = _campaign(request, id)
    if not writable_units(request.user, campaign):
        raise PermissionDenied(_("You may not import records into this campaign."))
    memory.remember_campaign(request, campaign.pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors, problems = [], 0
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        kind = form.cleaned_data["record_kind"]
        try:
            result = imports.ledger_import(
                actor=request.user,
                campaign=campaign,
                record_kind=kind,
                source=upload,
                filename=upload.name,
            )
        except ImportRejected as error:
            errors, problems = error.errors, error.total
        except Forbidden as error:
            raise PermissionDenied(str(error)) from None
        except DomainError as error:
            form.add_error("file", str(error))
        else:
            if result.already_imported:
                for warning in result.warnings:
                    messages.warning(request, warning)
            else:
                messages.success(
                    request,
                    _("Imported %(rows)s rows: %(created)s new, %(updated)s updated.")
                    % {"rows": result.rows, "created": result.created, "updated": result.updated},
                )
                for warning in result.warnings:
                    messages.warning(request, warning)
            return redirect(reverse("web:ledger", args=[campaign.pk, kind]))
    context = {
        "campaign": campaign,
        "form": form,
        "errors": errors,
        "problems": problems,
        "kinds": KINDS,
        "batches": imports.batch_list(actor=request.user, campaign=campaign)[:20],
    }
    status = 422 if errors else 200
    return render(request, "web/import.html", context, status=status)


@login_required
def import_template(request: HttpRequest, id: int, kind: str, format: str) -> HttpResponse:
    _campaign(request, id)  # the template is the same for every campaign one may see
    data = templates.template_file(record_kind=kind, format=format)
    content_type = templates.XLSX_TYPE if format == "xlsx" else templates.CSV_TYPE
    response = HttpResponse(data, content_type=content_type)
    filename = templates.template_filename(kind, format)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
