"""Forms for the reporting pages. They only parse what was typed; the reporting services
validate and write (a FieldError from them is shown on its field)."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigndesk.campaigns.models import Campaign, ScheduleItem
from campaigndesk.regions.models import Outlet, Unit

from .models import AssessmentRules, Commission, InfoItem, ScoringMode

DATE_ATTRS = {"type": "date"}


def date_field(label, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs=DATE_ATTRS, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (photos of an event, say); an empty list when none."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [d for d in (data if isinstance(data, (list, tuple)) else [data]) if d]
        if not files:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


# --- items --------------------------------------------------------------------------------


class ItemForm(forms.Form):
    """A new item, or a draft / returned one changed by its unit."""

    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Body"), widget=forms.Textarea(attrs={"rows": 12}))
    schedule_item = forms.ModelChoiceField(
        label=_("Schedule item it reports on"), queryset=ScheduleItem.objects.none(), required=False
    )
    commission = forms.ModelChoiceField(
        label=_("Commissioned topic it answers"), queryset=Commission.objects.none(), required=False
    )
    attachments = MultipleFileField(
        label=_("Photos and attachments"),
        required=False,
        help_text=_("Images, PDF or Office files."),
    )

    def __init__(self, *args, campaign: Campaign, commissions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["schedule_item"].queryset = ScheduleItem.objects.filter(
            campaign=campaign
        ).order_by("seq")
        self.fields["commission"].queryset = (
            commissions if commissions is not None else Commission.objects.filter(campaign=campaign)
        )

    def changes(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("title", "body", "schedule_item", "commission")}


class SubmitForm(forms.Form):
    """First submission: the quota period the item counts for (the current one unless the
    unit names the previous one while it is still open)."""

    quota_period_start = forms.TypedChoiceField(
        label=_("Counts for the period"),
        required=False,
        coerce=datetime.date.fromisoformat,
        empty_value=None,
    )

    def __init__(self, *args, periods: list[tuple[datetime.date, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("The current period"))]
        choices += [(start.isoformat(), label) for start, label in periods]
        self.fields["quota_period_start"].choices = choices


class EditStepForm(forms.Form):
    """The editor's step (编辑): the text as edited, and a note."""

    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Body"), widget=forms.Textarea(attrs={"rows": 12}))
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False)


class AttachmentForm(forms.Form):
    files = MultipleFileField(label=_("Photos and attachments"))


class FalseReportForm(forms.Form):
    is_false = forms.BooleanField(label=_("False report"), required=False, initial=True)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class LeaderCommentForm(forms.Form):
    leader = forms.CharField(label=_("Leader"), max_length=100)
    date = date_field(_("Date"))
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class OutletChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Outlet) -> str:
        return f"{obj.name}（{obj.get_level_display()}）"


class AdoptionForm(forms.Form):
    outlet = OutletChoiceField(label=_("Outlet"), queryset=Outlet.objects.order_by("level", "name"))
    date = date_field(_("Date"))
    url = forms.CharField(label=_("Link"), max_length=500, required=False)
    is_headline = forms.BooleanField(label=_("Headline / front page"), required=False)
    proof = forms.FileField(
        label=_("Proof file"),
        required=False,
        help_text=_("Required when the adoption is dated before the item's submission."),
    )


# --- office -------------------------------------------------------------------------------


class CommissionForm(forms.Form):
    theme = forms.CharField(label=_("Theme"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    due_date = date_field(_("Due date"))
    count_per_unit = forms.IntegerField(label=_("Items per unit"), min_value=1, initial=1)
    units = forms.ModelMultipleChoiceField(
        label=_("Units asked"), queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units]).order_by(
            "name"
        )


RULE_FIELDS = [
    "valid_from",
    "scoring_mode",
    "points_central",
    "points_provincial",
    "points_municipal",
    "points_county",
    "points_township",
    "headline_multiplier",
    "leader_comment_bonus",
    "missing_quota_penalty",
    "false_report_penalty",
    "base_points",
    "note",
]


class RulesForm(forms.ModelForm):
    """A new version of the assessment rules (versions are never edited)."""

    class Meta:
        model = AssessmentRules
        fields = RULE_FIELDS
        widgets = {"valid_from": forms.DateInput(attrs=DATE_ATTRS, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scoring_mode"].choices = ScoringMode.choices


DISTRIBUTION_FIELDS = ["signer", "report_to", "send_to", "distribute_to", "copies"]


class DistributionForm(forms.Form):
    """The GB/T 9704 header and distribution lines a briefing and a bulletin share."""

    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    signer = forms.CharField(label=_("Signed by (签发人)"), max_length=50, required=False)
    report_to = forms.CharField(label=_("报 (reported to)"), max_length=500, required=False)
    send_to = forms.CharField(label=_("送 (sent to)"), max_length=500, required=False)
    distribute_to = forms.CharField(label=_("发 (distributed to)"), max_length=500, required=False)
    copies = forms.IntegerField(label=_("Copies printed (印数)"), min_value=1, required=False)

    def values(self) -> dict:
        data = {k: self.cleaned_data[k] for k in DISTRIBUTION_FIELDS}
        if self.cleaned_data.get("title"):
            data["title"] = self.cleaned_data["title"]
        return data


class ItemChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: InfoItem) -> str:
        return f"{obj.title}（{obj.unit.name}）"


class BriefingForm(DistributionForm):
    items = ItemChoiceField(
        label=_("Signed-off items"),
        queryset=InfoItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].queryset = items

    def values(self) -> dict:
        return {**super().values(), "items": list(self.cleaned_data["items"])}


class MonthField(forms.DateField):
    """A month typed as 2024-03 (an <input type="month">): its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")

    def __init__(self, **kwargs):
        super().__init__(input_formats=["%Y-%m", "%Y-%m-%d"], **kwargs)

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


class BulletinForm(DistributionForm):
    period_start = MonthField(label=_("Month"))
    field_order = ["period_start", "title", *DISTRIBUTION_FIELDS]


class IssueForm(forms.Form):
    issue_date = date_field(_("Date issued"), required=False)
