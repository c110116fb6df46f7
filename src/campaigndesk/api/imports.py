"""Importing ledger records from .xlsx / .csv files (all rows or none, one batch per file),
undoing an import, the empty template of each record kind, and exports of records and of
rollups (streamed)."""

import datetime
from enum import StrEnum

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from campaigndesk.campaigns.selectors import access_campaign
from campaigndesk.common.errors import FieldError, NotFound
from campaigndesk.ledger.io import exports, imports, templates
from campaigndesk.ledger.models import ImportBatch, RecordKind

from .pagination import Pages
from .rollups import FactFilters, RollupParams, fact_filter, group_by_of, indicator_codes_of
from .schemas import WRITE_ERRORS, ErrorOut

router = Router(tags=["imports"])

# A 100,000-row sheet is some 10 MB; a file ten times that is not a ledger.
MAX_IMPORT_BYTES = 100 << 20


class Plural(StrEnum):
    OUTPUTS = "outputs"
    MATERIALS = "materials"
    EVENTS = "events"
    FIGURES = "figures"


RECORD_KIND = {
    Plural.OUTPUTS: RecordKind.OUTPUT,
    Plural.MATERIALS: RecordKind.MATERIAL,
    Plural.EVENTS: RecordKind.EVENT,
    Plural.FIGURES: RecordKind.FIGURE,
}


class Format(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"


class TemplateQuery(Schema):
    format: Format = Format.XLSX


class RecordExportQuery(FactFilters):
    format: Format = Format.XLSX


class RollupExportQuery(RollupParams):
    format: Format = Format.XLSX


class BatchOut(Schema):
    id: int
    campaign_id: int
    kind: str
    filename: str
    sha256: str
    row_count: int
    created_count: int
    updated_count: int
    created_by: str | None = None
    created_at: datetime.datetime
    undone_at: datetime.datetime | None
    undone_by: str | None = None

    @staticmethod
    def resolve_created_by(obj) -> str | None:
        return obj.created_by.username if obj.created_by_id else None

    @staticmethod
    def resolve_undone_by(obj) -> str | None:
        return obj.undone_by.username if obj.undone_by_id else None


class ImportOut(Schema):
    batch: BatchOut
    already_imported: bool
    rows: int
    created: int
    updated: int
    duplicates: int
    warnings: list[str]


@router.post(
    "/campaigns/{campaign_id}/imports/{kind}",
    response={200: ImportOut, 201: ImportOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="Import a file of records (.xlsx or .csv): all rows or none",
)
def ledger_import(request: HttpRequest, campaign_id: int, kind: Plural, file: File[UploadedFile]):
    """201 with the new batch; 200 when the same file was imported before (nothing
    written); 422 listing every bad row by row number and column."""
    actor = request.auth
    campaign = access_campaign(actor=actor, id=campaign_id)
    if file.size is not None and file.size > MAX_IMPORT_BYTES:
        raise FieldError(
            "file", _("The file is larger than %(mb)s MB.") % {"mb": MAX_IMPORT_BYTES >> 20}
        )
    result = imports.ledger_import(
        actor=actor,
        campaign=campaign,
        record_kind=RECORD_KIND[kind],
        source=file,
        filename=file.name or "",
    )
    body = {
        "batch": ImportBatch.objects.select_related("created_by", "undone_by").get(
            pk=result.batch.pk
        ),
        "already_imported": result.already_imported,
        "rows": result.rows,
        "created": result.created,
        "updated": result.updated,
        "duplicates": result.duplicates,
        "warnings": result.warnings,
    }
    return Status(200 if result.already_imported else 201, body)


@router.get(
    "/campaigns/{campaign_id}/imports",
    response={200: list[BatchOut], 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="The campaign's imports, newest first (the office sees all, others their own)",
)
@paginate(Pages)
def import_batch_list(request: HttpRequest, campaign_id: int):
    actor = request.auth
    campaign = access_campaign(actor=actor, id=campaign_id)
    return imports.batch_list(actor=actor, campaign=campaign)


@router.post(
    "/imports/{batch_id}/undo",
    response={200: BatchOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="Undo an import: its new records go, the records it updated come back",
)
def import_batch_undo(request: HttpRequest, batch_id: int):
    actor = request.auth
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        raise NotFound()
    # A batch is seen by whom the batch list shows it to (the office, or who imported
    # it): the same 404 for missing and hidden.
    campaign = access_campaign(actor=actor, id=batch.campaign_id)
    if not imports.batch_list(actor=actor, campaign=campaign).filter(pk=batch.pk).exists():
        raise NotFound()
    batch = imports.import_batch_undo(actor=actor, batch=batch)
    return ImportBatch.objects.select_related("created_by", "undone_by").get(pk=batch.pk)


@router.get(
    "/import-templates/{kind}",
    response={200: None, 401: ErrorOut, 422: ErrorOut},
    summary="The empty import template of a record kind (.xlsx or .csv)",
)
def import_template(request: HttpRequest, kind: Plural, query: Query[TemplateQuery]):
    record_kind = RECORD_KIND[kind]
    data = templates.template_file(record_kind=record_kind, format=query.format.value)
    content_type = templates.XLSX_TYPE if query.format == Format.XLSX else templates.CSV_TYPE
    response = HttpResponse(data, content_type=content_type)
    filename = templates.template_filename(record_kind, query.format.value)
    fallback = f"{kind.value}-template.{query.format.value}"
    response["Content-Disposition"] = exports.attachment_header(filename, fallback)
    return response


@router.get(
    "/campaigns/{campaign_id}/exports/{kind}",
    response={200: None, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Export the records of a kind the user may see (.xlsx or .csv, import columns)",
    tags=["exports"],
)
def record_export(
    request: HttpRequest, campaign_id: int, kind: Plural, query: Query[RecordExportQuery]
):
    actor = request.auth
    campaign = access_campaign(actor=actor, id=campaign_id)
    record_kind = RECORD_KIND[kind]
    filters = fact_filter(actor, query)
    if filters.kind and filters.kind.partition(":")[0] != record_kind:
        raise FieldError(
            "kind",
            _("Not a kind of %(kind)s: %(value)s") % {"kind": record_kind, "value": filters.kind},
        )
    file = exports.export_records(
        actor=actor,
        campaign=campaign,
        record_kind=record_kind,
        filters=filters,
        format=query.format.value,
    )
    return file.as_download(f"campaign-{campaign.pk}-{kind.value}.{query.format.value}")


@router.get(
    "/campaigns/{campaign_id}/rollup/export",
    response={200: None, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="The rollup (the same parameters as /rollup) as an .xlsx or .csv table",
    tags=["exports"],
)
def rollup_export(request: HttpRequest, campaign_id: int, query: Query[RollupExportQuery]):
    actor = request.auth
    campaign = access_campaign(actor=actor, id=campaign_id)
    file = exports.export_rollup(
        actor=actor,
        campaign=campaign,
        filters=fact_filter(actor, query),
        group_by=group_by_of(query),
        series=query.series.value if query.series else None,
        indicators=indicator_codes_of(query),
        include_total=query.include_total,
        format=query.format.value,
    )
    return file.as_download(f"campaign-{campaign.pk}-rollup.{query.format.value}")
