"""Locked periods of a campaign's ledger: list, lock (after a bulletin), reopen with a
reason."""

from django.http import HttpRequest
from ninja import Router
from ninja.responses import Status

from campaigndesk.campaigns.selectors import access_campaign
from campaigndesk.common.errors import NotFound
from campaigndesk.ledger import selectors, services
from campaigndesk.ledger.models import PeriodLock

from .ledger_schemas import LockIn, LockOut, ReopenIn
from .schemas import WRITE_ERRORS, ErrorOut

router = Router(tags=["locks"])


def _locks(campaign):
    return selectors.lock_list(campaign=campaign).select_related("locked_by", "reopened_by")


@router.get(
    "/campaigns/{campaign_id}/locks",
    response={200: list[LockOut], 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="The campaign's locked (and reopened) periods, latest first",
)
def lock_list(request: HttpRequest, campaign_id: int):
    campaign = access_campaign(actor=request.auth, id=campaign_id)
    return _locks(campaign)


@router.post(
    "/campaigns/{campaign_id}/locks",
    response={201: LockOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="Lock a period: its records change only after an audited reopening",
)
def period_lock(request: HttpRequest, campaign_id: int, payload: LockIn):
    actor = request.auth
    campaign = access_campaign(actor=actor, id=campaign_id)
    lock = services.period_lock(
        actor=actor, campaign=campaign, start=payload.start, end=payload.end, reason=payload.reason
    )
    return Status(201, _locks(campaign).get(pk=lock.pk))


@router.post(
    "/locks/{lock_id}/reopen",
    response={200: LockOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="Reopen a locked period (the reason is required and audited)",
)
def period_reopen(request: HttpRequest, lock_id: int, payload: ReopenIn):
    actor = request.auth
    lock = PeriodLock.objects.select_related("campaign").filter(pk=lock_id).first()
    if lock is None:
        raise NotFound()
    # A lock is seen by whoever sees its campaign: the same 404 for missing and hidden.
    campaign = access_campaign(actor=actor, id=lock.campaign_id)
    services.period_reopen(actor=actor, lock=lock, reason=payload.reason)
    return _locks(campaign).get(pk=lock.pk)
