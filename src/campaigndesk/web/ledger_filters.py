"""The ledger list's filters (narrowing it as a rollup is narrowed) and sorting."""

from collections.abc import Callable

from django import forms
from django.db.models import QuerySet
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from campaigndesk.common.errors import FieldError
from campaigndesk.ledger.models import (
    EventRecord,
    MaterialRecord,
    MediaOutput,
    RecordKind,
    RecordStatus,
)
from campaigndesk.ledger.rollup import RollupFilter
from campaigndesk.regions.models import Channel, OutletLevel, Region, Unit

# The columns a list sorts by: key -> ORDER BY field (ties broken by the newest first).
SORTS: dict[str, dict[str, str]] = {
    RecordKind.OUTPUT: {
        "date": "date",
        "unit": "unit__name",
        "outlet": "outlet__name",
        "kind": "kind",
        "title": "title",
        "views": "views",
    },
    RecordKind.MATERIAL: {
        "date": "date",
        "unit": "unit__name",
        "kind": "kind",
        "quantity": "quantity",
        "area": "area_m2",
    },
    RecordKind.EVENT: {
        "date": "date",
        "unit": "unit__name",
        "kind": "kind",
        "sessions": "sessions",
        "participants": "participants",
    },
    RecordKind.FIGURE: {
        "date": "date",
        "unit": "unit__name",
        "indicator": "indicator__name",
        "value": "value",
    },
}
DEFAULT_SORT = "-date"
SUBKINDS = {
    RecordKind.OUTPUT: MediaOutput.Kind.choices,
    RecordKind.MATERIAL: MaterialRecord.Kind.choices,
    RecordKind.EVENT: EventRecord.Kind.choices,
}


def sorted_records(records: QuerySet, kind: str, sort: str) -> tuple[QuerySet, str]:
    """The records ordered by ``sort`` ("views", "-date"); an unknown key sorts by date,
    newest first."""
    key = sort.removeprefix("-")
    field = SORTS[kind].get(key)
    if field is None:
        sort, key, field = DEFAULT_SORT, "date", "date"
    descending = sort.startswith("-")
    order = f"-{field}" if descending else field
    return records.order_by(order, "-date", "-id"), sort


def sort_links(kind: str, sort: str, query: dict) -> dict[str, dict[str, str]]:
    """For each sortable column: the query that sorts by it (ascending first, the other way
    when it is already sorted so) and its aria-sort state."""
    links = {}
    current = sort.removeprefix("-")
    descending = sort.startswith("-")
    for key in SORTS[kind]:
        if key == current:
            state = "descending" if descending else "ascending"
            wanted = key if descending else f"-{key}"
        else:
            state = "none"
            wanted = f"-{key}" if key == "date" else key
        links[key] = {"query": urlencode({**query, "sort": wanted}), "state": state}
    return links


class RollupFilterForm(forms.Form):
    """The base of a form whose subclass builds a RollupFilter in ``rollup_filter()``: the
    filter's own checks (dates within range and in order, kinds that exist) are shown on
    their fields."""

    rollup_filter: "Callable[[], RollupFilter]"  # (each subclass defines it)

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                self.rollup_filter()
            except FieldError as error:
                self.add_error(error.field if error.field in self.fields else None, error.message)
        return data


class LedgerFilterForm(RollupFilterForm):
    """Region, unit, kind and dates; channel, outlet level and status for media outputs."""

    region = forms.ChoiceField(label=_("Region"), required=False)
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )
    date_to = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    outlet_level = forms.ChoiceField(label=_("Outlet level"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, data=None, *, kind: str, regions: list[Region], units: list[Unit]):
        super().__init__(data)
        self.kind = kind
        self.regions = {r.code: r for r in regions}
        self.units = {str(u.pk): u for u in units}
        everything = [("", _("All"))]
        self.fields["region"].choices = everything + [
            (r.code, ("　" * max(0, r.level - regions[0].level)) + r.name) for r in regions
        ]
        if len(units) > 1:
            self.fields["unit"].choices = everything + [(str(u.pk), u.name) for u in units]
        else:
            del self.fields["unit"]
        if kind in SUBKINDS:
            self.fields["kind"].choices = everything + list(SUBKINDS[kind])
        else:
            del self.fields["kind"]
        if kind == RecordKind.OUTPUT:
            self.fields["channel"].choices = everything + list(Channel.choices)
            self.fields["outlet_level"].choices = everything + [
                (str(v), label) for v, label in OutletLevel.choices
            ]
            self.fields["status"].choices = everything + list(RecordStatus.choices)
        else:
            del self.fields["channel"]
            del self.fields["outlet_level"]
            del self.fields["status"]

    def wanted_status(self) -> str | None:
        """The status asked for (media outputs: counting, or suspected duplicates)."""
        return self.cleaned_data.get("status") or None

    def rollup_filter(self) -> RollupFilter:
        data = self.cleaned_data
        sub = data.get("kind")
        level = data.get("outlet_level")
        return RollupFilter(
            region=self.regions.get(data.get("region") or ""),
            unit=self.units.get(data.get("unit") or ""),
            kind=f"{self.kind}:{sub}" if sub else None,
            channel=data.get("channel") or None,
            outlet_level=int(level) if level else None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
