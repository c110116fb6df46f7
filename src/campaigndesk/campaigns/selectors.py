"""Reads of campaigns, scoped to the actor."""

import datetime

from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    prefetch_related_objects,
)
from django.utils import timezone

from campaigndesk.accounts.scoping import visible_q
from campaigndesk.common.errors import NotFound
from campaigndesk.regions.models import Unit

from .models import (
    Campaign,
    CampaignUnit,
    CoverageTarget,
    LeadingGroupMember,
    QuotaTarget,
    RateTarget,
    ScheduleItem,
)


def campaign_list(*, actor) -> QuerySet[Campaign]:
    """Campaigns the actor may see: those over its office's subtree, those a unit of that
    subtree takes part in (a county office in a prefecture-wide campaign acts for its
    units there), or, for a reporter, those its unit takes part in."""
    q = visible_q(
        actor,
        path_field="region_path",
        unit_field="unit_links__unit",
        unit_path_field="unit_links__unit__region_path",
    )
    return Campaign.objects.filter(q).select_related("lead_unit", "region").distinct()


def access_campaign(*, actor, id: int) -> Campaign:
    """The campaign, or NotFound alike when missing and when not visible to the actor."""
    try:
        return campaign_list(actor=actor).get(pk=id)
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


# The lead unit first, then responsible, member and media units.
_UNIT_ROLE_ORDER = Case(
    *(
        When(role=role, then=Value(i))
        for i, role in enumerate(
            [
                CampaignUnit.Role.LEAD,
                CampaignUnit.Role.RESPONSIBLE,
                CampaignUnit.Role.MEMBER,
                CampaignUnit.Role.MEDIA,
            ]
        )
    ),
    default=Value(99),
)


def campaign_detail(*, actor, id: int) -> Campaign:
    """The campaign with everything its page shows (units, strands, phases, leading group,
    targets) fetched up front; NotFound alike when missing and when not visible."""
    campaign = access_campaign(actor=actor, id=id)
    prefetch_related_objects(
        [campaign],
        Prefetch(
            "unit_links",
            queryset=CampaignUnit.objects.select_related("unit__region").order_by(
                _UNIT_ROLE_ORDER, "unit__region_path", "unit__name"
            ),
        ),
        "strands",
        "phases",
        Prefetch("leading_group", queryset=LeadingGroupMember.objects.select_related("unit")),
        Prefetch("coverage_targets", queryset=CoverageTarget.objects.order_by("level")),
        Prefetch("rate_targets", queryset=RateTarget.objects.order_by("kind")),
        Prefetch("quota_targets", queryset=QuotaTarget.objects.order_by("item_kind", "period")),
    )
    return campaign


def _with_overdue(qs: QuerySet[ScheduleItem], today: datetime.date) -> QuerySet[ScheduleItem]:
    # Overdue: the window has closed and the item is neither done nor cancelled.
    closed = [ScheduleItem.Status.DONE, ScheduleItem.Status.CANCELLED]
    return qs.annotate(
        is_overdue=ExpressionWrapper(
            Q(window_end__lt=today) & ~Q(status__in=closed), output_field=BooleanField()
        )
    )


def schedule_for_campaign(
    *, campaign: Campaign, today: datetime.date | None = None
) -> QuerySet[ScheduleItem]:
    """The campaign's schedule in order, with responsible units and ``is_overdue`` (for a
    campaign the caller already has through ``access_campaign``)."""
    qs = (
        ScheduleItem.objects.filter(campaign=campaign)
        .select_related("strand", "phase")
        .prefetch_related(Prefetch("responsible_units", queryset=Unit.objects.order_by("name")))
        .order_by("seq")
    )
    return _with_overdue(qs, today or timezone.localdate())


def unit_campaigns(*, actor, unit: Unit) -> QuerySet[Campaign]:
    """Campaigns the unit takes part in, among those the actor may see."""
    return campaign_list(actor=actor).filter(unit_links__unit=unit)


def schedule_for_unit(
    *, actor, unit: Unit, today: datetime.date | None = None
) -> QuerySet[ScheduleItem]:
    """Schedule items the unit is responsible for, in campaigns the actor may see, with
    ``is_overdue``."""
    visible = campaign_list(actor=actor).values("pk")
    qs = (
        ScheduleItem.objects.filter(responsible_units=unit, campaign__in=visible)
        .select_related("campaign")
        .prefetch_related(Prefetch("responsible_units", queryset=Unit.objects.order_by("name")))
        .order_by("window_start", "campaign_id", "seq")
    )
    return _with_overdue(qs, today or timezone.localdate())
