"""The figures page (thin): any rollup of a campaign an office asks for on paper — as of a
day or over a period, for a region, a unit, a channel, an outlet level or a kind of
record, grouped by one dimension and/or week by week or month by month — shown as the
table its download holds. It reads ``ledger.rollup.rollup`` (through
``ledger.io.exports``), as the dashboard, the reports and the API do, so every page gives
the same figures."""

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigndesk.campaigns import selectors as campaign_selectors
from campaigndesk.campaigns.models import Campaign
from campaigndesk.common.errors import DomainError, NotFound
from campaigndesk.ledger.io import exports
from campaigndesk.ledger.models import RECORD_MODELS, Indicator, RecordKind
from campaigndesk.ledger.rollup import RollupFilter, rollup
from campaigndesk.regions import selectors as region_selectors
from campaigndesk.regions.models import Channel, OutletLevel, Region, Unit

from . import memory
from .dashboard import region_choices
from .ledger_filters import RollupFilterForm

GROUPS = [
    ("", gettext_lazy("Nothing (totals)")),
    ("township", gettext_lazy("Township")),
    ("county", gettext_lazy("County")),
    ("village", gettext_lazy("Village")),
    ("unit", gettext_lazy("Unit")),
    ("channel", gettext_lazy("Channel")),
    ("outlet_level", gettext_lazy("Outlet level")),
    ("outlet", gettext_lazy("Outlet")),
    ("kind", gettext_lazy("Kind")),
    ("record_kind", gettext_lazy("Kind of records")),
]
SERIES = [
    ("", gettext_lazy("No")),
    ("week", gettext_lazy("Week by week")),
    ("month", gettext_lazy("Month by month")),
]


def _date(label) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )


def kind_choices() -> list[tuple[str, str]]:
    """Each kind of record, and each of its own kinds ("event:lecture"), named as the
    table below names them (``exports.kind_text``)."""
    choices = []
    for record_kind in RecordKind.values:
        choices.append((record_kind, exports.kind_text(record_kind)))
        own = getattr(RECORD_MODELS[record_kind], "Kind", None)
        if own is not None:
            choices += [
                (f"{record_kind}:{code}", exports.kind_text(f"{record_kind}:{code}"))
                for code in own.values
            ]
    return choices


# The page's own column headers (the download keeps the Chinese ones of the file).
PAGE_HEADERS = {
    "county": (gettext_lazy("County code"), gettext_lazy("County")),
    "township": (gettext_lazy("Township code"), gettext_lazy("Township")),
    "village": (gettext_lazy("Village code"), gettext_lazy("Village")),
    "unit": (gettext_lazy("Unit"),),
    "outlet": (gettext_lazy("Outlet"),),
    "channel": (gettext_lazy("Channel"),),
    "outlet_level": (gettext_lazy("Outlet level"),),
    "kind": (gettext_lazy("Kind"),),
    "record_kind": (gettext_lazy("Kind of records"),),
    "period": (gettext_lazy("Period"),),
}


def _shown(cell, words: dict):
    if isinstance(cell, datetime.date):
        return cell.isoformat()  # (a period as the download writes it: 2024-02-19)
    if isinstance(cell, str):
        return words.get(cell, cell)
    return cell


def page_table(result) -> tuple[list[str], list[list]]:
    """The download's table (``exports.rollup_table``) with the page's headers and words
    in the reader's language."""
    header, rows = exports.rollup_table(result)
    dimensions = list(result.group_by)
    if result.series and "period" not in dimensions:
        dimensions.append("period")
    page_header = [_("Indicator code"), _("Indicator")]
    for dimension in dimensions:
        page_header += [str(h) for h in PAGE_HEADERS[dimension]]
    page_header += [_("Value"), _("Approx."), _("Measure word"), _("Figure")]
    if len(page_header) != len(header):  # pragma: no cover - the two tables side by side
        raise AssertionError("the page's headers do not match the download's columns")
    words = {exports.TOTAL: _("Total"), exports.NONE: _("(none)")}
    return page_header, [[_shown(cell, words) for cell in row] for row in rows]


class FiguresForm(RollupFilterForm):
    """What to add up: the rollup's filter, its grouping and its series."""

    region = forms.ChoiceField(label=gettext_lazy("Region"), required=False)
    as_of = _date(gettext_lazy("As of"))
    date_from = _date(gettext_lazy("From"))
    date_to = _date(gettext_lazy("Until"))
    unit = forms.ChoiceField(label=gettext_lazy("Unit"), required=False)
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False)
    outlet_level = forms.ChoiceField(label=gettext_lazy("Outlet level"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    indicator = forms.ChoiceField(label=gettext_lazy("Indicator"), required=False)
    group_by = forms.ChoiceField(label=gettext_lazy("Group by"), required=False, choices=GROUPS)
    series = forms.ChoiceField(label=gettext_lazy("Over time"), required=False, choices=SERIES)

    def __init__(self, data, *, regions: list[Region], units: list[Unit]):
        super().__init__(data)
        self.regions = {r.code: r for r in regions}
        self.units = {str(u.pk): u for u in units}
        everything = [("", _("All"))]
        self.fields["region"].choices = everything + [
            (r.code, ("　" * max(0, r.level - regions[0].level)) + r.name) for r in regions
        ]
        self.fields["unit"].choices = everything + [(str(u.pk), u.name) for u in units]
        self.fields["channel"].choices = everything + list(Channel.choices)
        self.fields["outlet_level"].choices = everything + [
            (str(value), exports.OUTLET_LEVEL_LABELS.get(value, label))
            for value, label in OutletLevel.choices
        ]
        self.fields["kind"].choices = everything + kind_choices()
        self.fields["indicator"].choices = everything + [
            (i.code, f"{i.name}（{i.measure_word}）" if i.measure_word else i.name)
            for i in Indicator.objects.filter(is_active=True).order_by("category", "order")
        ]

    def rollup_filter(self) -> RollupFilter:
        data = self.cleaned_data
        level = data.get("outlet_level")
        return RollupFilter(
            region=self.regions.get(data.get("region") or ""),
            unit=self.units.get(data.get("unit") or ""),
            channel=data.get("channel") or None,
            outlet_level=int(level) if level else None,
            kind=data.get("kind") or None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            as_of=data.get("as_of"),
        )

    def rollup_arguments(self) -> dict:
        """The keyword arguments of ``rollup`` (and of ``export_rollup``) asked for."""
        data = self.cleaned_data
        return {
            "filters": self.rollup_filter(),
            "group_by": [data["group_by"]] if data.get("group_by") else [],
            "series": data.get("series") or None,
            "indicators": [data["indicator"]] if data.get("indicator") else None,
        }


def _campaign(request: HttpRequest, id: int) -> Campaign:
    try:
        return campaign_selectors.access_campaign(actor=request.user, id=id)
    except NotFound:
        raise Http404() from None


def _form(request: HttpRequest, campaign: Campaign) -> FiguresForm:
    units = list(
        region_selectors.unit_list(actor=request.user, region=campaign.region).order_by(
            "region_path", "name"
        )
    )
    return FiguresForm(request.GET, regions=region_choices(campaign), units=units)


@login_required
def figures(request: HttpRequest, id: int) -> HttpResponse:
    """The rollup asked for, as a table, with its .xlsx and .csv downloads."""
    campaign = _campaign(request, id)
    memory.remember_campaign(request, campaign.pk)
    form = _form(request, campaign)
    header, rows, error = [], [], ""
    if form.is_valid():
        try:
            result = rollup(actor=request.user, campaign=campaign, **form.rollup_arguments())
        except DomainError as problem:
            error = str(problem)
        else:
            header, rows = page_table(result)
    query = urlencode({k: v for k, v in request.GET.items() if v and k != "format"})
    context = {
        "campaign": campaign,
        "form": form,
        "header": header,
        "rows": rows,
        "error": error,
        "query": query,
    }
    status = 422 if form.errors or error else 200
    return render(request, "web/figures.html", context, status=status)


@login_required
def figures_export(request: HttpRequest, id: int) -> HttpResponse:
    """The same rollup as the page shows, as a .xlsx or .csv file."""
    campaign = _campaign(request, id)
    form = _form(request, campaign)
    format = request.GET.get("format", "xlsx")
    if format not in ("csv", "xlsx"):
        raise Http404()
    if not form.is_valid():
        lines = [
            f"{form[name].label}：{e}"
            for name, errs in form.errors.items()
            if name in form.fields
            for e in errs
        ]
        lines += [str(e) for e in form.non_field_errors()]
        return HttpResponseBadRequest("\n".join(lines), content_type="text/plain; charset=utf-8")
    try:
        export = exports.export_rollup(
            actor=request.user, campaign=campaign, format=format, **form.rollup_arguments()
        )
    except DomainError as problem:
        return HttpResponseBadRequest(str(problem), content_type="text/plain; charset=utf-8")
    return export.as_download()
