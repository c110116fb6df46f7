"""Pages (thin: parse the request, call a selector or a service, render)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode

from campaigndesk.accounts import selectors as account_selectors
from campaigndesk.accounts.scoping import can_manage
from campaigndesk.campaigns import selectors as campaign_selectors
from campaigndesk.common.errors import Forbidden, NotFound
from campaigndesk.regions import selectors as region_selectors

from . import dashboard as board
from . import timeline as schedule_timeline
from .ledger_views import can_file_in
from .memory import remember_campaign, remembered_campaign

AUDIT_PAGE_SIZE = 50
UNIT_PAGE_SIZE = 100
# Offered in the audit page's filter; any other prefix typed by hand works as well.
AUDIT_ACTION_PREFIXES = ["accounts.", "accounts.login.", "regions.", "campaigns.", "ledger."]


def _visible_unit_ids(actor, unit_ids: set[int]) -> set[int]:
    # Unit names are linked only when the reader may open the unit's page (a reporter
    # sees its own unit only), so no link leads to a "not found".
    return set(
        region_selectors.unit_list(actor=actor).filter(pk__in=unit_ids).values_list("pk", flat=True)
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    campaigns = campaign_selectors.campaign_list(actor=request.user)
    return render(request, "web/home.html", {"campaigns": campaigns})


@login_required
def campaign(request: HttpRequest, id: int) -> HttpResponse:
    try:
        obj = campaign_selectors.campaign_detail(actor=request.user, id=id)
    except NotFound:
        raise Http404() from None
    schedule = list(campaign_selectors.schedule_for_campaign(campaign=obj))
    shown_units = {link.unit_id for link in obj.unit_links.all()}
    shown_units.add(obj.lead_unit_id)
    shown_units.update(m.unit_id for m in obj.leading_group.all() if m.unit_id)
    shown_units.update(u.pk for item in schedule for u in item.responsible_units.all())
    context = {
        "campaign": obj,
        "schedule": schedule,
        "overdue_count": sum(1 for item in schedule if item.is_overdue),
        "targets": board.targets(actor=request.user, campaign=obj),
        "can_write": can_file_in(request.user, obj),
        # Office work on the campaign's region (its export templates).
        "can_manage": can_manage(request.user, region_path=obj.region_path),
        "visible_unit_ids": _visible_unit_ids(request.user, shown_units),
    }
    remember_campaign(request, obj.pk)
    return render(request, "web/campaign.html", context)


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    units = region_selectors.unit_list(actor=request.user)
    page = Paginator(units, UNIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/unit_list.html", {"page": page})


@login_required
def unit(request: HttpRequest, id: int) -> HttpResponse:
    try:
        obj = region_selectors.access_unit(actor=request.user, id=id)
    except NotFound:
        raise Http404() from None
    schedule = list(campaign_selectors.schedule_for_unit(actor=request.user, unit=obj))
    shown_units = {u.pk for item in schedule for u in item.responsible_units.all()}
    campaigns = list(campaign_selectors.unit_campaigns(actor=request.user, unit=obj))
    context = {
        "unit": obj,
        "campaigns": campaigns,
        "schedule": schedule,
        "visible_unit_ids": _visible_unit_ids(request.user, shown_units),
        "owes": board.unit_owes(actor=request.user, unit=obj, campaigns=campaigns),
        "done": board.unit_done(actor=request.user, unit=obj, campaigns=campaigns),
    }
    return render(request, "web/unit.html", context)


@login_required
def audit(request: HttpRequest) -> HttpResponse:
    prefix = request.GET.get("action", "").strip()[:100]
    try:
        entries = account_selectors.audit_list(actor=request.user, action_prefix=prefix)
    except Forbidden as error:
        raise PermissionDenied(str(error)) from None
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "action": prefix,
        "query": urlencode({"action": prefix}) if prefix else "",
        "prefixes": AUDIT_ACTION_PREFIXES,
    }
    return render(request, "web/audit.html", context)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The campaign and region chosen (else the last campaign opened, else the newest),
    with its figures as of today."""
    campaigns = list(campaign_selectors.campaign_list(actor=request.user))
    if not campaigns:
        return render(request, "web/dashboard.html", {"campaigns": [], "board": None})
    by_id = {c.pk: c for c in campaigns}
    asked = request.GET.get("campaign", "").strip()
    if asked:
        campaign = by_id.get(int(asked)) if asked.isascii() and asked.isdigit() else None
        if campaign is None:
            raise Http404()
    else:
        campaign = by_id.get(remembered_campaign(request) or 0, campaigns[0])
    remember_campaign(request, campaign.pk)
    region = board.region_within(campaign, request.GET.get("region", "").strip())
    data = board.build(actor=request.user, campaign=campaign, region=region)
    context = {
        "can_write": can_file_in(request.user, campaign),
        "campaigns": campaigns,
        "board": data,
        "regions": [
            (r.code, "　" * (r.level - campaign.region.level) + r.name, r.pk == region.pk)
            for r in board.region_choices(campaign)
        ],
        "charts": {chart.id: chart.as_json() for chart in data.charts},
    }
    return render(request, "web/dashboard.html", context)


@login_required
def timeline(request: HttpRequest, id: int) -> HttpResponse:
    """The schedule as a timeline by theme or by unit, today's line, overdue items marked."""
    try:
        obj = campaign_selectors.access_campaign(actor=request.user, id=id)
    except NotFound:
        raise Http404() from None
    remember_campaign(request, obj.pk)
    by = "unit" if request.GET.get("by") == "unit" else "theme"
    today = timezone.localdate()
    items = list(campaign_selectors.schedule_for_campaign(campaign=obj, today=today))
    context = {
        "campaign": obj,
        "by": by,
        "timeline": schedule_timeline.build(campaign=obj, items=items, by=by, today=today),
        "schedule": items,
        "visible_unit_ids": _visible_unit_ids(
            request.user, {u.pk for item in items for u in item.responsible_units.all()}
        ),
    }
    return render(request, "web/timeline.html", context)
