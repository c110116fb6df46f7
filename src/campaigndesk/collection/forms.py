"""Forms for the collection pages: sending a task, and filling one in on a phone."""

import datetime
from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaigndesk.ledger.fields import TypedDecimal
from campaigndesk.ledger.models import Approx, Evidence, Indicator
from campaigndesk.regions.models import Region, Unit
from campaigndesk.regions.paths import subtree_q

from .models import Recurrence, Weekday
from .services import FORM_AGGREGATIONS, EvidenceUpload


def form_indicators():
    return Indicator.objects.filter(is_active=True, aggregation__in=FORM_AGGREGATIONS)


def task_units(region: Region):
    """Units a task over ``region`` may name."""
    return Unit.objects.filter(subtree_q("region_path", region.path), is_active=True).order_by(
        "region_path", "name"
    )


def indicator_label(indicator: Indicator) -> str:
    """ "宣讲（场次）": the name with its measure word, as the form asks for it."""
    if indicator.measure_word:
        return f"{indicator.name}（{indicator.measure_word}）"
    return indicator.name


class IndicatorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Indicator) -> str:
        return indicator_label(obj)


class TaskEditForm(forms.Form):
    """What can change after a task is sent."""

    title = forms.CharField(label=_("Title"), max_length=200)
    instructions = forms.CharField(
        label=_("Instructions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    indicators = IndicatorChoiceField(
        label=_("Indicators on the form"),
        queryset=Indicator.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Units asked to fill it in"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, region: Region, task=None, **kwargs):
        super().__init__(*args, **kwargs)
        indicators, units = form_indicators(), task_units(region)
        if task is not None:
            # What the task asks already stays on offer, no longer in use or not: saving
            # the page must not drop it unseen.
            indicators = Indicator.objects.filter(
                Q(pk__in=indicators) | Q(pk__in=task.indicators.all())
            ).order_by("category", "order", "code")
            units = Unit.objects.filter(Q(pk__in=units) | Q(pk__in=task.units.all())).order_by(
                "region_path", "name"
            )
        self.fields["indicators"].queryset = indicators
        self.fields["units"].queryset = units


class TaskForm(TaskEditForm):
    """A new task: the fields of TaskEditForm and the schedule."""

    recurrence = forms.ChoiceField(
        label=_("Repeats"),
        choices=Recurrence.choices,
        initial=Recurrence.WEEKLY,
        widget=forms.RadioSelect,
    )
    first_period_start = forms.DateField(
        label=_("First period starts"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "Weekly periods run seven days from this date, monthly ones are calendar months."
        ),
    )
    due_weekday = forms.TypedChoiceField(
        label=_("Weekly: due on"),
        choices=Weekday.choices,
        coerce=int,
        empty_value=None,
        required=False,
        initial=Weekday.FRIDAY,
        help_text=_("The first such weekday on or after the last day of each period."),
    )
    due_day = forms.IntegerField(
        label=_("Monthly: due on day of the next month"),
        min_value=1,
        max_value=31,
        required=False,
        initial=5,
    )
    due_time = forms.TimeField(
        label=_("Due at (time of day)"),
        required=False,
        initial=datetime.time(17, 0),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    due_at = forms.DateTimeField(
        label=_("Once: deadline"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f]


class FillForm(forms.Form):
    """One value (and how exact it is) per indicator of the task, a note, evidence."""

    def __init__(self, *args, indicators: list[Indicator], **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            self.fields[f"value_{indicator.code}"] = TypedDecimal(
                label=indicator_label(indicator),
                required=False,
                min_value=Decimal(0),
                max_digits=20,
                decimal_places=4,
                widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            )
            self.fields[f"approx_{indicator.code}"] = forms.ChoiceField(
                label=_("How exact: %(name)s") % {"name": indicator.name},
                choices=Approx.choices,
                required=False,
            )
        self.fields["note"] = forms.CharField(
            label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
        )
        self.fields["evidence"] = MultipleFileField(
            label=_("Photos or scans (sign-in sheets, screenshots)"),
            required=False,
            widget=MultipleFileInput(attrs={"accept": "image/*,application/pdf"}),
        )
        self.fields["evidence_kind"] = forms.ChoiceField(
            label=_("The files are"),
            choices=Evidence.Kind.choices,
            initial=Evidence.Kind.PHOTO,
            required=False,
        )

    def rows(self):
        """(indicator, value field, approximation field) for the template."""
        return [(i, self[f"value_{i.code}"], self[f"approx_{i.code}"]) for i in self.indicators]

    def values(self) -> dict[str, tuple[Decimal | None, str]]:
        data = self.cleaned_data
        return {
            i.code: (data.get(f"value_{i.code}"), data.get(f"approx_{i.code}") or "")
            for i in self.indicators
        }

    def uploads(self) -> list[EvidenceUpload]:
        kind = self.cleaned_data.get("evidence_kind") or Evidence.Kind.PHOTO
        return [
            EvidenceUpload(filename=f.name, data=f.read(), kind=kind)
            for f in self.cleaned_data.get("evidence") or []
        ]

    @staticmethod
    def field_for(code: str) -> str:
        return f"value_{code}"
