"""Units (scoped to the actor) and the shared outlet directory."""

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from campaigndesk.regions import selectors, services
from campaigndesk.regions.models import Channel, OutletLevel, UnitKind

from .pagination import Pages
from .refs import region_ref, unit_ref
from .schemas import (
    WRITE_ERRORS,
    ErrorOut,
    OutletIn,
    OutletOut,
    UnitDetailOut,
    UnitIn,
    UnitOut,
)

router = Router(tags=["units"])

LIST_ERRORS = {401: ErrorOut, 422: ErrorOut}


class UnitFilters(Schema):
    region: str | None = None
    kind: UnitKind | None = None


class OutletFilters(Schema):
    channel: Channel | None = None
    level: OutletLevel | None = None


@router.get(
    "/units",
    response={200: list[UnitOut], **LIST_ERRORS},
    summary="Units the user may see, under a region (by code) and of a kind",
)
@paginate(Pages)
def unit_list(request: HttpRequest, filters: Query[UnitFilters]):
    region = region_ref(filters.region, field="region") if filters.region else None
    return selectors.unit_list(
        actor=request.auth, region=region, kind=filters.kind.value if filters.kind else None
    )


@router.get(
    "/units/{unit_id}",
    response={200: UnitDetailOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="A unit with its aliases",
)
def unit_detail(request: HttpRequest, unit_id: int):
    return selectors.access_unit(actor=request.auth, id=unit_id)


@router.post("/units", response={201: UnitDetailOut, **WRITE_ERRORS}, summary="Create a unit")
def unit_create(request: HttpRequest, payload: UnitIn):
    actor = request.auth
    region = region_ref(payload.region_code, field="region_code")
    parent = unit_ref(actor, payload.parent_id, field="parent_id") if payload.parent_id else None
    unit = services.unit_create(
        actor=actor,
        name=payload.name,
        kind=payload.kind.value,
        region=region,
        parent=parent,
        aliases=payload.aliases,
    )
    return Status(201, unit)


@router.get(
    "/outlets",
    response={200: list[OutletOut], **LIST_ERRORS},
    summary="The shared outlet directory, by channel and level",
    tags=["outlets"],
)
@paginate(Pages)
def outlet_list(request: HttpRequest, filters: Query[OutletFilters]):
    return selectors.outlet_list(
        channel=filters.channel.value if filters.channel else None,
        level=filters.level.value if filters.level else None,
    )


@router.post(
    "/outlets",
    response={201: OutletOut, **WRITE_ERRORS},
    summary="Add an outlet to the directory",
    tags=["outlets"],
)
def outlet_create(request: HttpRequest, payload: OutletIn):
    actor = request.auth
    region = region_ref(payload.region_code, field="region_code") if payload.region_code else None
    unit = unit_ref(actor, payload.unit_id, field="unit_id") if payload.unit_id else None
    outlet = services.outlet_create(
        actor=actor,
        name=payload.name,
        channel=payload.channel.value,
        level=payload.level.value,
        region=region,
        unit=unit,
    )
    return Status(201, outlet)
