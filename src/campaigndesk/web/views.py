"""Pages (thin: parse the request, call a selector or a service, render)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from campaigndesk.accounts import selectors as account_selectors
from campaigndesk.campaigns import selectors as campaign_selectors
from campaigndesk.campaigns.models import QuotaTarget
from campaigndesk.common.errors import Forbidden, NotFound
from campaigndesk.regions import selectors as region_selectors

AUDIT_PAGE_SIZE = 50
UNIT_PAGE_SIZE = 100
# Offered in the audit page's filter; any other prefix typed by hand works as well.
AUDIT_ACTION_PREFIXES = ["accounts.", "accounts.login.", "regions.", "campaigns.", "ledger."]


def quota_text(quota: QuotaTarget) -> str:
    """A quota as people say it: "3 Information items per unit per month, due by day 5"."""
    text = _("%(count)s %(kind)s per unit %(period)s") % {
        "count": quota.count,
        "kind": quota.get_item_kind_display(),
        "period": quota.get_period_display(),
    }
    if quota.due_day:
        text += ", " + _("due by day %(day)s of the next period") % {"day": quota.due_day}
    else:
        text += ", " + _("due by the last day of the period")
    return text


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
        "quotas": [(q, quota_text(q)) for q in obj.quota_targets.all()],
        "visible_unit_ids": _visible_unit_ids(request.user, shown_units),
    }
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
    context = {
        "unit": obj,
        "campaigns": campaign_selectors.unit_campaigns(actor=request.user, unit=obj),
        "schedule": schedule,
        "visible_unit_ids": _visible_unit_ids(request.user, shown_units),
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
