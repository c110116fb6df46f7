"""Documents pages (thin): a campaign's published reports with the upload form, the review
of one report's figures and their import into the ledger, the summary-report draft
(preview and .docx), and the schedule table pasted as text."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campaigndesk.campaigns.models import Campaign
from campaigndesk.campaigns.selectors import access_campaign
from campaigndesk.common.errors import DomainError, Forbidden, ImportRejected, NotFound
from campaigndesk.ledger.models import Indicator
from campaigndesk.regions.models import Region
from campaigndesk.web.dashboard import region_choices
from campaigndesk.web.ledger_views import writable_units

from . import drafting, selectors, services
from .forms import (
    DraftForm,
    ImportFiguresForm,
    ReportUploadForm,
    ScheduleTextForm,
    enterable_indicators,
)
from .models import FigureStatus

FIGURES_PER_PAGE = 100


def _found(getter, **kwargs):
    try:
        return getter(**kwargs)
    except NotFound:
        raise Http404() from None


def _campaign(request: HttpRequest, id: int) -> Campaign:
    return _found(access_campaign, actor=request.user, id=id)


# --- reports ------------------------------------------------------------------------------


@login_required
def report_list(request: HttpRequest, id: int) -> HttpResponse:
    """The campaign's reports; the office uploads or pastes a new one here."""
    campaign = _campaign(request, id)
    if not selectors.can_read_reports(request.user, campaign):
        raise PermissionDenied(_("Published reports are read by the offices of the region."))
    can_upload = selectors.can_manage_reports(request.user, campaign)
    posted = request.method == "POST"
    form = ReportUploadForm(request.POST if posted else None, request.FILES if posted else None)
    if request.method == "POST":
        if not can_upload:
            raise PermissionDenied(_("Only the office responsible for this region may do this."))
        if form.is_valid():
            upload = form.cleaned_data.get("file")
            try:
                if upload is not None:
                    services.check_size(upload.size or 0)
                    data, filename = upload.read(), upload.name or ""
                else:
                    data, filename = form.cleaned_data["text"].encode("utf-8"), ""
                report = services.report_upload(
                    actor=request.user,
                    campaign=campaign,
                    data=data,
                    filename=filename,
                    title=form.cleaned_data.get("title") or "",
                )
            except Forbidden as error:
                raise PermissionDenied(str(error)) from None
            except DomainError as error:
                form.add_error("file" if upload is not None else "text", str(error))
            else:
                messages.success(
                    request,
                    _("%(n)s figures were found. Review them, then import the accepted ones.")
                    % {"n": report.figures.count()},
                )
                if report.figures_truncated:
                    messages.warning(
                        request,
                        _(
                            "The report holds more figures than can be reviewed at once; "
                            "only the first %(n)s were read."
                        )
                        % {"n": services.MAX_FIGURES},
                    )
                return redirect("documents:report", id=report.pk)
    context = {
        "campaign": campaign,
        "reports": selectors.report_list(actor=request.user, campaign=campaign),
        "form": form if can_upload else None,
    }
    return render(request, "documents/report_list.html", context)


def _import_form(request: HttpRequest, campaign: Campaign, data=None) -> ImportFiguresForm:
    units = writable_units(request.user, campaign)
    return ImportFiguresForm(data, units=units, regions=region_choices(campaign))


@login_required
def report(request: HttpRequest, id: int) -> HttpResponse:
    """The figures of one report in context, each with its indicator, to accept or reject;
    the import of the accepted ones at the end."""
    obj = _found(selectors.access_report, actor=request.user, id=id)
    campaign = obj.campaign
    page = Paginator(selectors.report_figures(report=obj), FIGURES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    text = obj.text
    rows = [(figure, selectors.figure_context(text, figure)) for figure in page]
    counts = {status: 0 for status in FigureStatus.values}
    for status in obj.figures.values_list("status", flat=True):
        counts[status] += 1
    waiting = obj.figures.filter(status=FigureStatus.ACCEPTED, record__isnull=True).count()
    can_review = selectors.can_manage_reports(request.user, campaign)
    context = {
        "report": obj,
        "campaign": campaign,
        "page": page,
        "rows": rows,
        "counts": counts,
        "waiting": waiting,
        "indicators": list(enterable_indicators()),
        "can_review": can_review,
        "import_form": _import_form(request, campaign) if can_review else None,
    }
    return render(request, "documents/report.html", context)


@login_required
@require_POST
def figure_review(request: HttpRequest, id: int) -> HttpResponse:
    """Accept (with the indicator chosen) or reject one figure, back to its row."""
    figure = _found(selectors.access_figure, actor=request.user, id=id)
    report = figure.report
    if not selectors.can_manage_reports(request.user, report.campaign):
        raise PermissionDenied(_("Only the office responsible for this region may do this."))
    code = request.POST.get("indicator") or ""
    indicator = Indicator.objects.filter(code=code).first() if code else None
    accepted = request.POST.get("decision") == "accept"
    try:
        services.figure_review(
            actor=request.user, figure=figure, indicator=indicator, accepted=accepted
        )
    except Forbidden as error:
        raise PermissionDenied(str(error)) from None
    except DomainError as error:
        messages.error(request, f"{figure.text}{figure.measure}: {error}")
    page = request.POST.get("page") or ""
    url = reverse("documents:report", kwargs={"id": report.pk})
    if page:
        url += "?" + urlencode({"page": page})
    return redirect(f"{url}#figure-{figure.pk}")


@login_required
@require_POST
def report_import(request: HttpRequest, id: int) -> HttpResponse:
    """File the accepted figures in the ledger, all or none."""
    obj = _found(selectors.access_report, actor=request.user, id=id)
    campaign = obj.campaign
    if not selectors.can_manage_reports(request.user, campaign):
        raise PermissionDenied(_("Only the office responsible for this region may do this."))
    form = _import_form(request, campaign, request.POST)
    errors = []
    if form.is_valid():
        try:
            result = services.report_import_figures(
                actor=request.user,
                report=obj,
                unit=form.cleaned_data["unit"],
                region=form.cleaned_data.get("region"),
                date=form.cleaned_data.get("date"),
            )
        except Forbidden as error:
            raise PermissionDenied(str(error)) from None
        except ImportRejected as error:
            errors = error.errors
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(n)s figures were filed in the ledger with this report as their source.")
                % {"n": len(result.records)},
            )
            return redirect("documents:report", id=obj.pk)
    if errors:
        messages.error(
            request,
            _("Nothing was imported: %(errors)s") % {"errors": "; ".join(map(str, errors))},
        )
    else:
        for error in form.errors.get("__all__", []):
            messages.error(request, error)
        for name, field_errors in form.errors.items():
            if name != "__all__":
                messages.error(request, f"{form.fields[name].label}: {' '.join(field_errors)}")
    return redirect("documents:report", id=obj.pk)


# --- the summary report -------------------------------------------------------------------


def _draft(request: HttpRequest, campaign: Campaign):
    regions = region_choices(campaign)
    form = DraftForm(request.GET or None, campaign=campaign, regions=regions)
    as_of = form.as_of_date()
    region: Region | None = form.region_obj()
    draft = drafting.summary_draft(
        actor=request.user, campaign=campaign, as_of=as_of, region=region
    )
    return form, draft, as_of, region


@login_required
def draft(request: HttpRequest, id: int) -> HttpResponse:
    """The summary report drafted from the ledger, as a page, with its .docx download."""
    campaign = _campaign(request, id)
    form, summary, as_of, region = _draft(request, campaign)
    query = {"as_of": as_of.isoformat(), **({"region": region.code} if region else {})}
    context = {
        "campaign": campaign,
        "form": form,
        "draft": summary,
        "download_query": urlencode(query),
    }
    return render(request, "documents/draft.html", context)


@login_required
def draft_docx(request: HttpRequest, id: int) -> HttpResponse:
    campaign = _campaign(request, id)
    _form, summary, _as_of, _region = _draft(request, campaign)
    response = HttpResponse(
        drafting.render_docx(summary),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = content_disposition_header(
        True, drafting.docx_filename(summary)
    )
    return response


# --- the schedule as text -----------------------------------------------------------------


@login_required
def schedule_text(request: HttpRequest, id: int) -> HttpResponse:
    """Paste the schedule table of a plan; its rows become schedule items, all or none."""
    campaign = _campaign(request, id)
    if not selectors.can_manage_reports(request.user, campaign):
        raise PermissionDenied(_("Only the office responsible for this region may do this."))
    form = ScheduleTextForm(
        request.POST if request.method == "POST" else None,
        initial={"year": campaign.start_date.year},
    )
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            result = services.schedule_import_text(
                actor=request.user,
                campaign=campaign,
                text=form.cleaned_data["text"],
                year=form.cleaned_data["year"],
            )
        except Forbidden as error:
            raise PermissionDenied(str(error)) from None
        except ImportRejected as error:
            errors = error.errors
        except DomainError as error:
            form.add_error("text", str(error))
        else:
            messages.success(
                request,
                _("%(n)s schedule items were added.") % {"n": len(result.items)},
            )
            for warning in result.warnings:
                messages.warning(request, warning)
            return redirect("web:timeline", id=campaign.pk)
    context = {"campaign": campaign, "form": form, "errors": errors}
    return render(request, "documents/schedule_text.html", context, status=422 if errors else 200)
