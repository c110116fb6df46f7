"""Entry forms for ledger records (one per record kind), the ledger list filters and the
import form. Forms only parse what was typed; the ledger services validate and write
(a FieldError from them is shown on its field)."""

import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigndesk.accounts.scoping import can_manage
from campaigndesk.campaigns.models import Campaign
from campaigndesk.ledger.fields import TypedDecimal, TypedInteger
from campaigndesk.ledger.models import (
    Aggregation,
    Approx,
    EventRecord,
    Evidence,
    Indicator,
    MaterialRecord,
    MediaOutput,
    RecordKind,
)
from campaigndesk.regions.models import Outlet, Region, Unit

MAX_EVENT_FIELDS = 6


def whole_number(label, *, required: bool = True, initial=None) -> forms.IntegerField:
    """A count typed on a phone: the numeric keypad, no spinner."""
    return TypedInteger(
        label=label,
        required=required,
        min_value=0,
        initial=initial,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off"}
        ),
    )


def decimal_number(label, *, required: bool = True, places: int = 2) -> forms.DecimalField:
    return TypedDecimal(
        label=label,
        required=required,
        min_value=0,
        decimal_places=places,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def date_field(label, *, required: bool = True, campaign: Campaign | None = None):
    attrs = {"type": "date"}
    if campaign is not None:
        attrs.update(min=campaign.start_date.isoformat(), max=campaign.end_date.isoformat())
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs=attrs, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )


def plain_number(value: Decimal) -> str:
    """A stored number as one would type it: "12" for 12.0000, "6.5" for 6.5000."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _version(record) -> str:
    return record.updated_at.isoformat() if record.updated_at else ""


def place_choices(campaign: Campaign, actor, record=None) -> list[Region]:
    """Where ``actor`` may place a record on a form: the campaign's region and two levels
    below it (a county's townships and villages, a prefecture's counties and townships)
    that lie in the actor's area, and the record's own place wherever it is."""
    from .dashboard import region_choices

    places = [r for r in region_choices(campaign) if can_manage(actor, region_path=r.path)]
    if record is not None and record.region_id not in {r.pk for r in places}:
        places.append(record.region)
    return places


def default_date(campaign: Campaign) -> datetime.date:
    """Today, or the campaign's nearest day when today lies outside it."""
    today = timezone.localdate()
    return min(max(today, campaign.start_date), campaign.end_date)


class RecordForm(forms.Form):
    """The fields every kind shares: the unit (only when the user may file for more than
    one) and the date. ``values()`` gives the service's keyword arguments."""

    record_kind = ""
    field_order: list[str] = []

    def __init__(
        self,
        data=None,
        *,
        campaign: Campaign,
        units: list[Unit],
        initial=None,
        record=None,
        actor=None,
    ):
        initial = dict(initial or {})
        if record is not None:
            initial.update(self.initial_of(record))
        initial.setdefault("date", default_date(campaign))
        super().__init__(data, initial=initial)
        self.record = record
        self.campaign = campaign
        self.units = units
        self.fields["date"] = date_field(_("Date"), campaign=campaign)
        self.places: dict[str, Region] = {}
        if len(units) > 1:
            # An office files for units working anywhere in its area: where it happened.
            # (A reporter's records are where its unit is: its form stays short.)
            self.places = {r.code: r for r in place_choices(campaign, actor, record)}
        if self.places:
            top = min(r.level for r in self.places.values())
            self.fields["region"] = forms.ChoiceField(
                label=_("Place (township or village)"),
                required=False,
                choices=[("", _("Where the unit is"))]
                + [(code, "　" * (r.level - top) + r.name) for code, r in self.places.items()],
            )
        if self.places:
            # (what of the plan it carries out: the timeline shows it against the item)
            self.fields["schedule_item"] = ScheduleItemChoiceField(
                label=_("Schedule item"),
                queryset=campaign.schedule.order_by("seq", "pk"),
                required=False,
                empty_label=_("None"),
            )
        if len(units) > 1:
            self.fields["unit"] = forms.ModelChoiceField(
                label=_("Unit"),
                queryset=Unit.objects.filter(pk__in=[u.pk for u in units]).order_by(
                    "region_path", "name"
                ),
                empty_label=None,
            )
        order = [*self.field_order, "schedule_item"]
        order.insert(order.index("date") + 1, "region")
        self.order_fields(["unit", *order])  # (a field it lacks is passed over)
        if record is not None:
            # The version the form shows, so that a change made meanwhile by someone else
            # is not overwritten with what this form still holds (see ``changed_since``).
            self.fields["seen"] = forms.CharField(
                widget=forms.HiddenInput, required=False, initial=_version(record)
            )

    def changed_since(self) -> bool:
        """Whether the record was changed after this (bound, valid) form was shown."""
        return self.record is not None and self.cleaned_data.get("seen") != _version(self.record)

    def initial_of(self, record) -> dict:
        """The form's values as ``record`` holds them (to edit it): related objects by
        their id, numbers as typed (no trailing zeros of the stored places)."""
        initial = {}
        for name in ("unit", *self.field_order):
            field = record._meta.get_field(name)
            value = getattr(record, field.attname)
            if isinstance(value, Decimal):
                value = plain_number(value)
            initial[name] = value
        initial["schedule_item"] = record.schedule_item_id
        # (the place: blank when it is where the unit is, as the form files it)
        initial["region"] = "" if record.region_id == record.unit.region_id else record.region.code
        return initial

    @property
    def fixed_unit(self) -> Unit | None:
        return self.units[0] if len(self.units) == 1 else None

    def values(self) -> dict:
        data = {
            k: v
            for k, v in self.cleaned_data.items()
            if k in self.fields and k not in ("seen", "region")
        }
        if "region" in self.fields:
            code = self.cleaned_data.get("region")
            if code:
                data["region"] = self.places[code]
            elif self.record is not None:
                data["region"] = None  # (back to where the unit is)
        if self.fixed_unit is not None:
            data["unit"] = self.fixed_unit
        return data


class EventForm(RecordForm):
    """An event in at most six fields (eight for an office choosing the unit and the
    place): a reporter on a phone logs it in under a minute."""

    record_kind = RecordKind.EVENT
    kind = forms.ChoiceField(label=_("Kind of event"), choices=EventRecord.Kind.choices)
    sessions = whole_number(_("Sessions (场次)"), initial=1)
    participants = whole_number(_("Participants (人次)"), initial=0)
    audience = whole_number(_("Audience reached"), required=False)
    site = forms.CharField(label=_("Site"), max_length=200, required=False)
    field_order = ["kind", "date", "sessions", "participants", "audience", "site"]


class ScheduleItemChoiceField(forms.ModelChoiceField):
    """Schedule items by their number and theme, as the timeline lists them."""

    def label_from_instance(self, obj) -> str:
        text = f"{obj.seq}. {obj.theme}"
        return f"{text} — {obj.project}"[:80] if obj.project else text[:80]


class OutletChoiceField(forms.ModelChoiceField):
    """Outlets named with their channel: one newsroom's WeChat account and video account
    share its name."""

    def label_from_instance(self, obj: Outlet) -> str:
        return f"{obj.name}（{obj.get_channel_display()}）"


class OutputForm(RecordForm):
    record_kind = RecordKind.OUTPUT
    outlet = OutletChoiceField(
        label=_("Outlet"), queryset=Outlet.objects.order_by("level", "name", "channel")
    )
    kind = forms.ChoiceField(label=_("Kind of output"), choices=MediaOutput.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    url = forms.CharField(
        label=_("Link"),
        max_length=500,
        required=False,
        widget=forms.URLInput(attrs={"inputmode": "url"}),
    )
    views = whole_number(_("Views / plays"), required=False)
    is_original = forms.BooleanField(
        label=_("Original (not a repost)"), required=False, initial=True
    )
    field_order = ["outlet", "kind", "title", "date", "url", "views", "is_original"]


class MaterialForm(RecordForm):
    record_kind = RecordKind.MATERIAL
    kind = forms.ChoiceField(label=_("Kind of material"), choices=MaterialRecord.Kind.choices)
    quantity = decimal_number(_("Quantity"))
    quantity.help_text = _("For slogan sites, the number of sites (标语点位 counts this).")
    measure_word = forms.CharField(
        label=_("Measure word (张, 条, 块 …)"), max_length=10, required=False
    )
    area_m2 = decimal_number(_("Area (m²)"), required=False)
    sites = whole_number(_("Sites"), required=False)
    sites.help_text = _("Optional: at how many places the quantity was put up (a note).")
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    field_order = ["kind", "quantity", "measure_word", "date", "area_m2", "sites", "note"]


class FigureForm(RecordForm):
    record_kind = RecordKind.FIGURE
    indicator = forms.ModelChoiceField(
        label=_("Indicator"),
        queryset=Indicator.objects.filter(
            is_active=True, aggregation__in=[Aggregation.SUM, Aggregation.LATEST]
        ).order_by("category", "order", "code"),
    )
    value = decimal_number(_("Value"), places=4)
    approx = forms.ChoiceField(label=_("Approximation"), choices=Approx.choices, required=False)
    period_start = date_field(_("Period from (optional)"), required=False)
    source = forms.CharField(label=_("Source"), max_length=300, required=False)
    field_order = ["indicator", "value", "approx", "date", "period_start", "source"]

    def __init__(self, *args, record=None, **kwargs):
        super().__init__(*args, record=record, **kwargs)
        if record is not None:
            # (a figure of an indicator since retired can still be corrected)
            field = self.fields["indicator"]
            field.queryset = (
                field.queryset | Indicator.objects.filter(pk=record.indicator_id)
            ).order_by("category", "order", "code")

    def values(self) -> dict:
        data = super().values()
        data["approx"] = data.get("approx") or ""
        return data


FORMS: dict[str, type[RecordForm]] = {
    RecordKind.EVENT: EventForm,
    RecordKind.OUTPUT: OutputForm,
    RecordKind.MATERIAL: MaterialForm,
    RecordKind.FIGURE: FigureForm,
}


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of evidence"), choices=Evidence.Kind.choices)
    file = forms.FileField(
        label=_("Photo or PDF (at most 10 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,.pdf"}),
    )


class ImportForm(forms.Form):
    record_kind = forms.ChoiceField(label=_("Kind of records"), choices=RecordKind.choices)
    file = forms.FileField(
        label=_("File (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
