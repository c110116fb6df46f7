"""Ledger records of each kind (media outputs, offline materials, events, plain figures):
list, create, read, change, delete, evidence, and the office's verdict on a duplicate.
Everything goes through the ledger's services and selectors."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from campaigndesk.campaigns.models import Campaign
from campaigndesk.campaigns.selectors import access_campaign
from campaigndesk.common.errors import FieldError, NotFound, RowError
from campaigndesk.ledger import selectors, services
from campaigndesk.ledger.models import (
    Evidence,
    Indicator,
    MediaOutput,
    Record,
    RecordKind,
)
from campaigndesk.regions.models import Outlet

from . import ledger_schemas as s
from .pagination import Pages
from .refs import InvalidInput, region_ref, unit_ref
from .schemas import WRITE_ERRORS, ErrorOut

router = Router(tags=["records"])

LIST_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
DETAIL_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}

# The services name the objects a record points at; the API names the ids and codes sent.
API_FIELD = {
    "unit": "unit_id",
    "region": "region_code",
    "outlet": "outlet_id",
    "schedule_item": "schedule_item_id",
}


@dataclass(frozen=True)
class KindApi:
    """How one record kind appears in the API."""

    record_kind: str
    plural: str  # the URL segment
    label: str
    filters: type[Schema]
    create_in: type[Schema]
    patch_in: type[Schema]
    out: type[Schema]
    detail_out: type[Schema]
    written_out: type[Schema]


KINDS = [
    KindApi(
        RecordKind.OUTPUT,
        "outputs",
        "media output",
        s.OutputFilters,
        s.OutputIn,
        s.OutputPatch,
        s.OutputOut,
        s.OutputDetailOut,
        s.OutputWrittenOut,
    ),
    KindApi(
        RecordKind.MATERIAL,
        "materials",
        "offline material",
        s.MaterialFilters,
        s.MaterialIn,
        s.MaterialPatch,
        s.MaterialOut,
        s.MaterialDetailOut,
        s.MaterialWrittenOut,
    ),
    KindApi(
        RecordKind.EVENT,
        "events",
        "event",
        s.EventFilters,
        s.EventIn,
        s.EventPatch,
        s.EventOut,
        s.EventDetailOut,
        s.EventWrittenOut,
    ),
    KindApi(
        RecordKind.FIGURE,
        "figures",
        "plain figure",
        s.FigureFilters,
        s.FigureIn,
        s.FigurePatch,
        s.FigureOut,
        s.FigureDetailOut,
        s.FigureWrittenOut,
    ),
]


@contextmanager
def api_field_names() -> Iterator[None]:
    """Report a service's FieldError under the name the request used (unit -> unit_id)."""
    try:
        yield
    except FieldError as error:
        raise FieldError(API_FIELD.get(error.field, error.field), error.message) from None


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput([RowError(None, field, message)])


def record_values(actor, campaign: Campaign, data: dict) -> dict:
    """The request's fields as the services take them: ids and codes resolved to the
    objects the actor may name (an unknown or hidden one is a 422 naming the field)."""
    values: dict = {}
    for name, value in data.items():
        if isinstance(value, Enum):
            value = value.value
        if name == "unit_id":
            values["unit"] = unit_ref(actor, value, field=name)
        elif name == "region_code":
            if value:  # none: the unit's region (on a change, kept unless the unit changes)
                values["region"] = region_ref(value, field=name)
        elif name == "schedule_item_id":
            item = None
            if value is not None:
                item = campaign.schedule.filter(pk=value).first()
                if item is None:
                    raise _invalid(name, _("Unknown schedule item: %(id)s") % {"id": value})
            values["schedule_item"] = item
        elif name == "outlet_id":
            outlet = Outlet.objects.filter(pk=value).first()
            if outlet is None:
                raise _invalid(name, _("Unknown outlet: %(id)s") % {"id": value})
            values["outlet"] = outlet
        elif name == "indicator":
            indicator = Indicator.objects.filter(code=value, is_active=True).first()
            if indicator is None:
                raise _invalid(name, _("Unknown indicator: %(codes)s") % {"codes": value})
            values["indicator"] = indicator
        else:
            values[name] = value
    return values


def list_filter(actor, kind: KindApi, filters) -> selectors.RollupFilter:
    unit = unit_ref(actor, filters.unit, field="unit") if filters.unit is not None else None
    kind_value = getattr(filters, "kind", None)
    channel = getattr(filters, "channel", None)
    outlet_level = getattr(filters, "outlet_level", None)
    return selectors.RollupFilter(
        region=region_ref(filters.region, field="region") if filters.region else None,
        unit=unit,
        channel=channel.value if channel else None,
        outlet_level=outlet_level.value if outlet_level else None,
        kind=f"{kind.record_kind}:{kind_value.value}" if kind_value else None,
        date_from=filters.date_from,
        date_to=filters.date_to,
        as_of=filters.as_of,
    )


def _with_evidence(kind: KindApi, record: Record) -> Record:
    record.evidence = list(
        selectors.evidence_for(record_kind=kind.record_kind, record=record).select_related(
            "uploaded_by", "verified_by"
        )
    )
    return record


def _access(request: HttpRequest, kind: KindApi, record_id: int) -> Record:
    record = selectors.access_record(actor=request.auth, record_kind=kind.record_kind, id=record_id)
    if kind.record_kind == RecordKind.OUTPUT:
        # The outlet is shown with the output (one query, not one per attribute read).
        record = MediaOutput.objects.select_related("unit", "region", "campaign", "outlet").get(
            pk=record.pk
        )
    return record


def _name(func: Callable, name: str, doc: str) -> Callable:
    # Operation ids come from view names, so each kind's views get their own.
    func.__name__ = func.__qualname__ = name
    func.__doc__ = doc
    return func


def _register(spec: KindApi) -> None:
    rk = spec.record_kind
    tags = [spec.plural]
    Filters, CreateIn, PatchIn = spec.filters, spec.create_in, spec.patch_in

    def list_view(request: HttpRequest, campaign_id: int, filters: Query[Filters]):  # type: ignore[valid-type]
        actor = request.auth
        campaign = access_campaign(actor=actor, id=campaign_id)
        qs = selectors.record_list(
            actor=actor,
            campaign=campaign,
            record_kind=rk,
            filters=list_filter(actor, spec, filters),
            status=filters.status.value if filters.status else None,
        )
        indicator = getattr(filters, "indicator", None)
        if indicator:
            if not Indicator.objects.filter(code=indicator).exists():
                raise _invalid(
                    "indicator", _("Unknown indicator: %(codes)s") % {"codes": indicator}
                )
            qs = qs.filter(indicator__code=indicator)
        return qs

    router.get(
        f"/campaigns/{{campaign_id}}/{spec.plural}",
        response={200: list[spec.out], **LIST_ERRORS},  # type: ignore[name-defined]
        summary=f"The campaign's {spec.plural} the user may see, newest first",
        tags=tags,
    )(paginate(Pages)(_name(list_view, f"{rk}_list", f"List {spec.label} records.")))

    def create_view(request: HttpRequest, campaign_id: int, payload: CreateIn):  # type: ignore[valid-type]
        actor = request.auth
        campaign = access_campaign(actor=actor, id=campaign_id)
        values = record_values(actor, campaign, payload.dict())
        with api_field_names():
            outcome = services.record_create(
                actor=actor, campaign=campaign, record_kind=rk, **values
            )
        record = _with_evidence(spec, outcome.record)
        record.warnings = outcome.warnings
        return Status(201, record)

    router.post(
        f"/campaigns/{{campaign_id}}/{spec.plural}",
        response={201: spec.written_out, 404: ErrorOut, **WRITE_ERRORS},
        summary=f"File a {spec.label} record (warnings say if it looks like a duplicate)",
        tags=tags,
    )(_name(create_view, f"{rk}_create", f"Create a {spec.label} record."))

    def detail_view(request: HttpRequest, record_id: int):
        return _with_evidence(spec, _access(request, spec, record_id))

    router.get(
        f"/{spec.plural}/{{record_id}}",
        response={200: spec.detail_out, **DETAIL_ERRORS},
        summary=f"A {spec.label} record with its evidence",
        tags=tags,
    )(_name(detail_view, f"{rk}_detail", f"Read a {spec.label} record."))

    def update_view(request: HttpRequest, record_id: int, payload: PatchIn):  # type: ignore[valid-type]
        actor = request.auth
        record = _access(request, spec, record_id)
        values = record_values(actor, record.campaign, payload.dict(exclude_unset=True))
        with api_field_names():
            outcome = services.record_update(actor=actor, record_kind=rk, record=record, **values)
        updated = _with_evidence(spec, outcome.record)
        updated.warnings = outcome.warnings
        return updated

    router.patch(
        f"/{spec.plural}/{{record_id}}",
        response={200: spec.written_out, 404: ErrorOut, **WRITE_ERRORS},
        summary=f"Change a {spec.label} record (only the fields sent)",
        tags=tags,
    )(_name(update_view, f"{rk}_update", f"Change a {spec.label} record."))

    def delete_view(request: HttpRequest, record_id: int):
        record = _access(request, spec, record_id)
        with api_field_names():
            services.record_delete(actor=request.auth, record_kind=rk, record=record)
        return Status(204, None)

    router.delete(
        f"/{spec.plural}/{{record_id}}",
        response={204: None, 404: ErrorOut, **WRITE_ERRORS},
        summary=f"Delete a {spec.label} record with its evidence",
        tags=tags,
    )(_name(delete_view, f"{rk}_delete", f"Delete a {spec.label} record."))

    def evidence_view(
        request: HttpRequest,
        record_id: int,
        file: File[UploadedFile],
        kind: Form[Evidence.Kind],
    ):
        actor = request.auth
        record = _access(request, spec, record_id)
        if file.size is not None and file.size > services.EVIDENCE_MAX_BYTES:
            raise FieldError("file", _("The file is larger than 10 MB."))
        evidence = services.evidence_add(
            actor=actor,
            record_kind=rk,
            record=record,
            data=file.read(),
            filename=file.name or "evidence",
            evidence_kind=kind.value,
        )
        return Status(201, evidence)

    router.post(
        f"/{spec.plural}/{{record_id}}/evidence",
        response={201: s.EvidenceOut, 404: ErrorOut, **WRITE_ERRORS},
        summary=f"Attach evidence to a {spec.label} record (photo or PDF, at most 10 MB)",
        tags=tags,
    )(_name(evidence_view, f"{rk}_evidence_add", f"Attach evidence to a {spec.label} record."))


for _spec in KINDS:
    _register(_spec)


@router.post(
    "/outputs/{record_id}/resolve",
    response={200: s.DuplicateResolveOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="The office's verdict on an output flagged as a duplicate",
    tags=["outputs"],
)
def output_duplicate_resolve(request: HttpRequest, record_id: int, payload: s.DuplicateResolveIn):
    kind = KINDS[0]
    record = _access(request, kind, record_id)
    services.output_duplicate_resolve(
        actor=request.auth, record=record, is_duplicate=payload.is_duplicate
    )
    if payload.is_duplicate:
        return {"deleted": True, "record": None}
    return {"deleted": False, "record": _access(request, kind, record_id)}


def _access_evidence(request: HttpRequest, evidence_id: int) -> Evidence:
    """Evidence whose record the actor may see; NotFound alike for missing and hidden."""
    evidence = (
        Evidence.objects.select_related("uploaded_by", "verified_by").filter(pk=evidence_id).first()
    )
    if evidence is None:
        raise NotFound()
    selectors.access_record(
        actor=request.auth, record_kind=evidence.record_kind, id=evidence.record_id
    )
    return evidence


@router.post(
    "/evidence/{evidence_id}/verify",
    response={200: s.EvidenceOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="The office marks a piece of evidence verified",
    tags=["evidence"],
)
def evidence_verify(request: HttpRequest, evidence_id: int):
    evidence = _access_evidence(request, evidence_id)
    return services.evidence_verify(actor=request.auth, evidence=evidence)


@router.get(
    "/evidence/{evidence_id}/file",
    response={200: None, **DETAIL_ERRORS},
    summary="Download a piece of evidence",
    tags=["evidence"],
)
def evidence_file(request: HttpRequest, evidence_id: int):
    evidence = _access_evidence(request, evidence_id)
    return FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=services.evidence_media_type(evidence),
    )
