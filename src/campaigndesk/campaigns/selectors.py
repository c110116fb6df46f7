"""Reads of campaigns, scoped to the actor."""

from django.db.models import QuerySet

from campaigndesk.accounts.scoping import visible_q
from campaigndesk.common.errors import NotFound

from .models import Campaign


def campaign_list(*, actor) -> QuerySet[Campaign]:
    """Campaigns the actor may see: those over its office's subtree, or those its unit
    takes part in."""
    q = visible_q(actor, path_field="region_path", unit_field="unit_links__unit")
    return Campaign.objects.filter(q).select_related("lead_unit", "region").distinct()


def access_campaign(*, actor, id: int) -> Campaign:
    """The campaign, or NotFound alike when missing and when not visible to the actor."""
    try:
        return campaign_list(actor=actor).get(pk=id)
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
