"""Campaigns and their schedules, scoped to the actor."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from campaigndesk.campaigns import selectors, services
from campaigndesk.common.errors import RowError

from .pagination import Pages
from .refs import InvalidInput, region_ref, unit_ref, units_ref
from .schemas import (
    WRITE_ERRORS,
    CampaignDetailOut,
    CampaignIn,
    CampaignOut,
    ErrorOut,
    ScheduleImportOut,
    ScheduleItemIn,
    ScheduleItemOut,
)

router = Router(tags=["campaigns"])

# A schedule table is a page or two; anything near this size is not one.
MAX_IMPORT_BYTES = 5 << 20

DETAIL_ERRORS = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@router.get(
    "/campaigns",
    response={200: list[CampaignOut], 401: ErrorOut},
    summary="Campaigns the user may see",
)
@paginate(Pages)
def campaign_list(request: HttpRequest):
    return selectors.campaign_list(actor=request.auth)


@router.get(
    "/campaigns/{campaign_id}",
    response={200: CampaignDetailOut, **DETAIL_ERRORS},
    summary="A campaign with its strands, phases, leading group, units and targets",
)
def campaign_detail(request: HttpRequest, campaign_id: int):
    return selectors.campaign_detail(actor=request.auth, id=campaign_id)


@router.post(
    "/campaigns", response={201: CampaignDetailOut, **WRITE_ERRORS}, summary="Create a campaign"
)
def campaign_create(request: HttpRequest, payload: CampaignIn):
    actor = request.auth
    lead_unit = unit_ref(actor, payload.lead_unit_id, field="lead_unit_id")
    region = region_ref(payload.region_code, field="region_code") if payload.region_code else None
    units = units_ref(actor, payload.responsible_unit_ids, field="responsible_unit_ids")
    campaign = services.campaign_create(
        actor=actor,
        name=payload.name,
        start_date=payload.start_date,
        end_date=payload.end_date,
        lead_unit=lead_unit,
        region=region,
        slogan=payload.slogan,
        description=payload.description,
        responsible_units=units,
        strands=payload.strands,
    )
    return Status(201, selectors.campaign_detail(actor=actor, id=campaign.pk))


@router.get(
    "/campaigns/{campaign_id}/schedule",
    response={200: list[ScheduleItemOut], **DETAIL_ERRORS},
    summary="The campaign's schedule, in order",
)
def schedule_list(request: HttpRequest, campaign_id: int):
    campaign = selectors.access_campaign(actor=request.auth, id=campaign_id)
    return selectors.schedule_for_campaign(campaign=campaign)


@router.post(
    "/campaigns/{campaign_id}/schedule",
    response={201: ScheduleItemOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="Add a row to the campaign's schedule",
)
def schedule_item_create(request: HttpRequest, campaign_id: int, payload: ScheduleItemIn):
    actor = request.auth
    campaign = selectors.access_campaign(actor=actor, id=campaign_id)
    units = units_ref(actor, payload.responsible_unit_ids, field="responsible_unit_ids")
    strand = _part(campaign.strands, payload.strand_id, "strand_id", _("Unknown strand: %(id)s"))
    phase = _part(campaign.phases, payload.phase_id, "phase_id", _("Unknown phase: %(id)s"))
    item = services.schedule_item_create(
        actor=actor,
        campaign=campaign,
        theme=payload.theme,
        project=payload.project,
        window_start=payload.window_start,
        window_end=payload.window_end,
        window_text=payload.window_text,
        seq=payload.seq,
        responsible_units=units,
        strand=strand,
        phase=phase,
    )
    return Status(201, _schedule_rows(campaign, [item.pk]).get())


@router.post(
    "/campaigns/{campaign_id}/schedule/import",
    response={201: ScheduleImportOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="Import the campaign's schedule table (.xlsx or .csv), all rows or none",
)
def schedule_import(
    request: HttpRequest,
    campaign_id: int,
    file: File[UploadedFile],
    year: Form[int],
):
    actor = request.auth
    campaign = selectors.access_campaign(actor=actor, id=campaign_id)
    if file.size is not None and file.size > MAX_IMPORT_BYTES:
        raise InvalidInput(
            [
                RowError(
                    None,
                    "file",
                    _("The file is larger than %(mb)s MB.") % {"mb": MAX_IMPORT_BYTES >> 20},
                )
            ]
        )
    result = services.schedule_import(
        actor=actor, campaign=campaign, data=file.read(), filename=file.name or "", year=year
    )
    return Status(
        201,
        {
            "items": list(_schedule_rows(campaign, [i.pk for i in result.items])),
            "sha256": result.sha256,
            "warnings": result.warnings,
        },
    )


def _schedule_rows(campaign, ids: list[int]):
    # Read back as the schedule list shows them (units, strand, phase, overdue flag).
    return selectors.schedule_for_campaign(campaign=campaign).filter(pk__in=ids)


def _part(related, id: int | None, field: str, message: str):
    """A strand or phase of this campaign named by id, or None when no id is given."""
    if id is None:
        return None
    part = related.filter(pk=id).first()
    if part is None:
        raise InvalidInput([RowError(None, field, message % {"id": id})])
    return part
