"""Export templates: a superior office's own .xlsx with a saved mapping of indicators to its
cells (list, upload, read, change, delete), and the workbook filled with rollup figures.
Everything goes through ``ledger.io.mapping``."""

import datetime
import json

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from campaigndesk.campaigns.selectors import access_campaign
from campaigndesk.common.errors import FieldError
from campaigndesk.ledger.io import mapping as export_templates
from campaigndesk.ledger.models import ExportTemplate

from .pagination import Pages
from .schemas import WRITE_ERRORS, ErrorOut

router = Router(tags=["export templates"])

MAPPING_HELP = (
    'A JSON list of {"cell": "Sheet1!C5", "indicator": code, "filters": {...}, '
    '"group": {dimension: value}} entries; an error names the entry ("mapping.3.cell").'
)


class MappingEntryOut(Schema):
    cell: str
    indicator: str
    filters: dict[str, str | int] = {}
    group: dict[str, str | int] = {}
    label: str | None = None


class ExportTemplateOut(Schema):
    id: int
    name: str
    filename: str
    campaign_id: int | None
    office_unit_id: int | None
    entries: int
    mapping: list[MappingEntryOut]
    sha256: str
    created_by: str | None = None
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_entries(obj) -> int:
        return len(obj.mapping)

    @staticmethod
    def resolve_created_by(obj) -> str | None:
        return obj.created_by.username if obj.created_by_id else None


class FillQuery(Schema):
    campaign: int | None = None
    as_of: datetime.date | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def _templates(actor, campaign=None):
    # The workbooks (up to 5 MB each) are not part of the answer.
    return (
        export_templates.export_template_list(actor=actor, campaign=campaign)
        .select_related("created_by")
        .defer("workbook")
    )


def _mapping(text: str | None) -> list | None:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError as error:
        raise FieldError(
            "mapping", _("The mapping is not valid JSON: %(error)s") % {"error": error}
        ) from None


def _upload(file: UploadedFile) -> bytes:
    if file.size is not None and file.size > export_templates.MAX_TEMPLATE_BYTES:
        raise FieldError("file", _("The template is larger than 5 MB."))
    return file.read()


def _answer(actor, template: ExportTemplate) -> ExportTemplate:
    return _templates(actor).get(pk=template.pk)


@router.get(
    "/campaigns/{campaign_id}/export-templates",
    response={200: list[ExportTemplateOut], 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="The export templates the user may see for a campaign (its own and its offices')",
)
@paginate(Pages)
def export_template_list(request: HttpRequest, campaign_id: int):
    actor = request.auth
    campaign = access_campaign(actor=actor, id=campaign_id)
    return _templates(actor, campaign)


@router.post(
    "/campaigns/{campaign_id}/export-templates",
    response={201: ExportTemplateOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="Save a superior's .xlsx template with its mapping of cells to indicators",
)
def export_template_create(
    request: HttpRequest,
    campaign_id: int,
    name: Form[str],
    mapping: Form[str],
    file: File[UploadedFile],
):
    """Multipart: ``name``, ``file`` (.xlsx, at most 5 MB) and ``mapping``. The office
    over the campaign's region only."""
    actor = request.auth
    campaign = access_campaign(actor=actor, id=campaign_id)
    template = export_templates.export_template_create(
        actor=actor,
        name=name,
        data=_upload(file),
        filename=file.name or "",
        mapping=_mapping(mapping),  # type: ignore[arg-type]
        campaign=campaign,
    )
    return Status(201, _answer(actor, template))


export_template_create.__doc__ = f"{export_template_create.__doc__} {MAPPING_HELP}"


@router.get(
    "/export-templates/{template_id}",
    response={200: ExportTemplateOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="An export template with its mapping",
)
def export_template_detail(request: HttpRequest, template_id: int):
    actor = request.auth
    template = export_templates.access_export_template(actor=actor, id=template_id)
    return _answer(actor, template)


@router.patch(
    "/export-templates/{template_id}",
    response={200: ExportTemplateOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="Rename a template, replace its mapping or its workbook (only the parts sent)",
)
def export_template_update(
    request: HttpRequest,
    template_id: int,
    name: Form[str | None] = None,
    mapping: Form[str | None] = None,
    file: File[UploadedFile | None] = None,
):
    """Multipart, every part optional: ``name``, ``mapping`` (JSON, as when saving) and
    ``file`` (a new .xlsx; the mapping is checked against it)."""
    actor = request.auth
    template = export_templates.access_export_template(actor=actor, id=template_id)
    template = export_templates.export_template_update(
        actor=actor,
        template=template,
        name=name,
        mapping=_mapping(mapping),
        data=_upload(file) if file is not None else None,
        filename=file.name if file is not None else None,
    )
    return _answer(actor, template)


@router.delete(
    "/export-templates/{template_id}",
    response={204: None, 404: ErrorOut, **WRITE_ERRORS},
    summary="Delete an export template",
)
def export_template_delete(request: HttpRequest, template_id: int):
    actor = request.auth
    template = export_templates.access_export_template(actor=actor, id=template_id)
    export_templates.export_template_delete(actor=actor, template=template)
    return Status(204, None)


@router.get(
    "/export-templates/{template_id}/fill",
    response={200: None, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="The template's workbook with each mapped cell holding its rollup figure (.xlsx)",
    tags=["export templates", "exports"],
)
def export_template_fill(request: HttpRequest, template_id: int, query: Query[FillQuery]):
    """``campaign`` defaults to the template's own (an office's template needs one);
    ``as_of``, ``date_from`` and ``date_to`` apply to the cells that name no dates."""
    actor = request.auth
    template = export_templates.access_export_template(actor=actor, id=template_id)
    campaign = access_campaign(actor=actor, id=query.campaign) if query.campaign else None
    file = export_templates.export_template_fill(
        actor=actor,
        template=template,
        campaign=campaign,
        as_of=query.as_of,
        date_from=query.date_from,
        date_to=query.date_to,
    )
    return file.as_download()
