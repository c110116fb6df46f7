"""Export template pages (thin, for the office over a campaign's region): the campaign's
templates with a fill form each, a new template (the mapping typed one cell a line), its
edit page, delete. Reads and writes go through ``ledger.io.mapping``."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from campaigndesk.accounts.scoping import can_manage
from campaigndesk.campaigns import selectors as campaign_selectors
from campaigndesk.campaigns.models import Campaign
from campaigndesk.common.errors import DomainError, FieldError, Forbidden, NotFound
from campaigndesk.ledger.io import mapping as export_templates
from campaigndesk.ledger.models import ExportTemplate, Indicator
from campaigndesk.ledger.rollup import DIMENSIONS

from . import memory

MAPPING_EXAMPLE = (
    "C5 lectures\n"
    "Sheet1!D7 event_participants region=532301 kind=event:lecture\n"
    "表1!E9 宣讲场次 as_of=2024-02-22 group.township=532301001"
)


def _day(label) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
    )


class TemplateForm(forms.Form):
    """A template's name, workbook and mapping lines; ``entries`` are the lines read,
    ``lines`` the line each came from (to tell a service's "mapping.3.cell" as a line)."""

    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=150)
    file = forms.FileField(
        label=gettext_lazy("The superior office's workbook (.xlsx)"),
        help_text=gettext_lazy("At most 5 MB. Its formatting and formulas are kept."),
    )
    mapping = forms.CharField(
        label=gettext_lazy("Cells to fill, one a line"),
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "cell, indicator code or name, then any of key=value; "
            "a line starting with # is skipped."
        ),
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines: list[int] = []
        if editing:
            self.fields["file"].required = False
            self.fields["file"].label = _("Replace the workbook (.xlsx, optional)")

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > export_templates.MAX_TEMPLATE_BYTES:
            raise forms.ValidationError(_("The template is larger than 5 MB."))
        return upload

    def clean_mapping(self) -> list[dict]:
        try:
            parsed = export_templates.mapping_lines(self.cleaned_data["mapping"])
        except FieldError as error:
            raise forms.ValidationError(str(error)) from None
        self.lines = [number for number, _entry in parsed]
        return [entry for _number, entry in parsed]

    def add_service_error(self, error: DomainError) -> None:
        field = getattr(error, "field", None) or ""
        if field == "mapping" or field.startswith("mapping."):
            self.add_error("mapping", export_templates.mapping_error_on_line(error, self.lines))
        else:
            self.add_error(field if field in self.fields else None, str(error))


class FillForm(forms.Form):
    """The dates a fill applies to the cells that name none."""

    as_of = _day(gettext_lazy("Figures as of"))
    date_from = _day(gettext_lazy("From (optional)"))
    date_to = _day(gettext_lazy("Until (optional)"))

    def clean(self):
        data = super().clean()
        start = data.get("date_from")
        for name in ("date_to", "as_of"):
            if start and data.get(name) and data[name] < start:
                self.add_error(name, _("The last day comes before the first."))
        return data


def _fill_form(template: ExportTemplate, data=None) -> FillForm:
    # One form per template on the page: ids of their own, the same parameter names.
    return FillForm(
        data, auto_id=f"id_fill{template.pk}_%s", initial={"as_of": timezone.localdate()}
    )


def _office_campaign(request: HttpRequest, id: int) -> Campaign:
    try:
        campaign = campaign_selectors.access_campaign(actor=request.user, id=id)
    except NotFound:
        raise Http404() from None
    if not can_manage(request.user, region_path=campaign.region_path):
        raise PermissionDenied(_("Only the office responsible for this region may do this."))
    return campaign


def _template(request: HttpRequest, campaign: Campaign, template_id: int) -> ExportTemplate:
    try:
        template = export_templates.access_export_template(actor=request.user, id=template_id)
    except NotFound:
        raise Http404() from None
    # Under a campaign's address: its own templates and its offices' (for any campaign).
    if template.campaign_id not in (None, campaign.pk):
        raise Http404()
    return template


def _list_page(
    request: HttpRequest,
    campaign: Campaign,
    filled: tuple[int, FillForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The campaign's templates, each with its fill form (``filled``: the one sent back
    with its errors, by template id)."""
    templates = (
        export_templates.export_template_list(actor=request.user, campaign=campaign)
        .defer("workbook")
        .select_related("created_by")
    )
    rows = []
    for template in templates:
        if filled is not None and filled[0] == template.pk:
            rows.append((template, filled[1]))
        else:
            rows.append((template, _fill_form(template)))
    context = {"campaign": campaign, "rows": rows}
    return render(request, "web/export_templates.html", context, status=status)


@login_required
@require_GET
def template_list(request: HttpRequest, id: int) -> HttpResponse:
    campaign = _office_campaign(request, id)
    memory.remember_campaign(request, campaign.pk)
    return _list_page(request, campaign)


def _form_page(
    request: HttpRequest, campaign: Campaign, form: TemplateForm, template=None
) -> HttpResponse:
    context = {
        "campaign": campaign,
        "form": form,
        "template": template,
        "example": MAPPING_EXAMPLE,
        "filter_keys": sorted(export_templates.FILTER_KEYS),
        "dimensions": [d for d in DIMENSIONS if d in export_templates.GROUP_DIMENSIONS],
        "indicators": Indicator.objects.filter(is_active=True),
    }
    return render(request, "web/export_template_form.html", context)


@login_required
def template_new(request: HttpRequest, id: int) -> HttpResponse:
    campaign = _office_campaign(request, id)
    form = TemplateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            template = export_templates.export_template_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                data=upload.read(),
                filename=upload.name,
                mapping=form.cleaned_data["mapping"],
                campaign=campaign,
            )
        except Forbidden as error:
            raise PermissionDenied(str(error)) from None
        except DomainError as error:
            form.add_service_error(error)
        else:
            count = len(template.mapping)
            messages.success(
                request,
                ngettext(
                    "Saved the export template “%(name)s” (%(n)s cell).",
                    "Saved the export template “%(name)s” (%(n)s cells).",
                    count,
                )
                % {"name": template.name, "n": count},
            )
            return redirect("web:export_templates", campaign.pk)
    return _form_page(request, campaign, form)


@login_required
def template_edit(request: HttpRequest, id: int, template_id: int) -> HttpResponse:
    campaign = _office_campaign(request, id)
    template = _template(request, campaign, template_id)
    initial = {
        "name": template.name,
        "mapping": export_templates.mapping_to_lines(template.mapping),
    }
    form = TemplateForm(request.POST or None, request.FILES or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        try:
            template = export_templates.export_template_update(
                actor=request.user,
                template=template,
                name=form.cleaned_data["name"],
                mapping=form.cleaned_data["mapping"],
                data=upload.read() if upload else None,
                filename=upload.name if upload else None,
            )
        except Forbidden as error:
            raise PermissionDenied(str(error)) from None
        except DomainError as error:
            form.add_service_error(error)
            # The service may have changed the object before refusing: show what is saved.
            template = _template(request, campaign, template_id)
        else:
            messages.success(
                request, _("Saved the export template “%(name)s”.") % {"name": template.name}
            )
            return redirect("web:export_templates", campaign.pk)
    return _form_page(request, campaign, form, template)


@login_required
@require_GET
def template_fill(request: HttpRequest, id: int, template_id: int) -> HttpResponse:
    """The filled workbook as a download; a wrong date or a refusal: the list again."""
    campaign = _office_campaign(request, id)
    template = _template(request, campaign, template_id)
    form = _fill_form(template, request.GET)
    if form.is_valid():
        try:
            export = export_templates.export_template_fill(
                actor=request.user,
                template=template,
                campaign=campaign,
                as_of=form.cleaned_data["as_of"],
                date_from=form.cleaned_data["date_from"],
                date_to=form.cleaned_data["date_to"],
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            return export.as_download()
    return _list_page(request, campaign, filled=(template.pk, form), status=400)


@login_required
@require_POST
def template_delete(request: HttpRequest, id: int, template_id: int) -> HttpResponse:
    campaign = _office_campaign(request, id)
    template = _template(request, campaign, template_id)
    # The button sends the confirmation; a bare POST deletes nothing.
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Nothing was deleted: confirm the deletion first."))
        return redirect("web:export_templates", campaign.pk)
    name = template.name
    try:
        export_templates.export_template_delete(actor=request.user, template=template)
    except Forbidden as error:
        raise PermissionDenied(str(error)) from None
    messages.success(request, _("Deleted the export template “%(name)s”.") % {"name": name})
    return redirect("web:export_templates", campaign.pk)
