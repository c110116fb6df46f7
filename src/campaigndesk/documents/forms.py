"""Forms of the documents pages: they parse what was typed or uploaded; the services
validate and write."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigndesk.campaigns.models import Campaign
from campaigndesk.common.errors import FieldError
from campaigndesk.ledger.models import Aggregation, Indicator
from campaigndesk.ledger.rollup import RollupFilter
from campaigndesk.regions.models import Region, Unit


class ReportUploadForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Left blank: the first line of the report."),
    )
    file = forms.FileField(
        label=_("Report file"),
        required=False,
        help_text=_("Text (UTF-8 or GB18030), .docx, or a PDF with a text layer."),
    )
    text = forms.CharField(
        label=_("…or paste the report"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "lang": "zh"}),
    )

    def clean(self):
        data = super().clean()
        if not data.get("file") and not (data.get("text") or "").strip():
            raise forms.ValidationError(_("Upload a file or paste the report's text."))
        return data


def enterable_indicators():
    """Indicators a figure can be imported as (not ratios or distinct counts)."""
    return Indicator.objects.filter(is_active=True).exclude(
        aggregation__in=[Aggregation.RATIO, Aggregation.DISTINCT]
    )


class ImportFiguresForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit the figures are filed for"), queryset=None)
    region = forms.ModelChoiceField(
        label=_("Region (default: the unit's)"), queryset=None, required=False
    )
    date = forms.DateField(
        label=_("Date for figures without a 截至 date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )

    def __init__(self, *args, units: list[Unit], regions: list[Region], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units])
        self.fields["region"].queryset = Region.objects.filter(pk__in=[r.pk for r in regions])


class DraftForm(forms.Form):
    as_of = forms.DateField(
        label=_("As of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, *args, campaign: Campaign, regions: list[Region], **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.regions = {r.code: r for r in regions}
        self.fields["region"].choices = [("", _("The whole campaign"))] + [
            (r.code, r.name) for r in regions
        ]

    def clean_as_of(self):
        """Within the dates a rollup answers for (the draft reads the rollup)."""
        day = self.cleaned_data.get("as_of")
        if day is not None:
            try:
                RollupFilter(as_of=day)
            except FieldError as error:
                raise forms.ValidationError(error.message) from None
        return day

    def as_of_date(self) -> datetime.date:
        """The date asked for, else today (or the campaign's end, if earlier)."""
        day = self.cleaned_data.get("as_of") if self.is_valid() else None
        if day is None:
            day = min(timezone.localdate(), self.campaign.end_date)
        return day

    def region_obj(self) -> Region | None:
        code = self.cleaned_data.get("region") if self.is_valid() else None
        return self.regions.get(code) if code else None


class ScheduleTextForm(forms.Form):
    text = forms.CharField(
        label=_("Paste the schedule table"),
        widget=forms.Textarea(attrs={"rows": 16, "lang": "zh"}),
        help_text=_(
            "Copied from a spreadsheet or a document: one row a line with cells separated by "
            "tabs or “|”, or one cell a line ending in “|”. The header row (序号, 宣传主题, "
            "实事名称, 责任单位, 宣传时间) comes first."
        ),
    )
    year = forms.IntegerField(
        label=_("Year of the times in the table"), min_value=1900, max_value=2999
    )
