"""The indicator vocabulary: what the ledger counts."""

from django.http import HttpRequest
from ninja import Router

from campaigndesk.ledger.models import Indicator

from .schemas import ErrorOut, IndicatorOut

router = Router(tags=["indicators"])


@router.get(
    "/indicators",
    response={200: list[IndicatorOut], 401: ErrorOut},
    summary="The active indicators, by category",
)
def indicator_list(request: HttpRequest):
    # A shared vocabulary, not scoped: every signed-in user reads the same list.
    return Indicator.objects.filter(is_active=True).select_related("numerator", "denominator")
