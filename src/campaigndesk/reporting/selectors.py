"""Reads of reporting, scoped to the actor: items and where each stands, the office's queue
per review step, an item's timeline, adoptions, commissioned topics and what each unit
owes (counted in ``quotas``, re-exported here), and the assessment rules in force."""

import datetime

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from campaigndesk.accounts.scoping import is_admin, visible_q
from campaigndesk.campaigns.models import Campaign
from campaigndesk.common.errors import FieldError, NotFound
from campaigndesk.regions.models import Unit
from campaigndesk.regions.paths import subtree_q

from .models import (
    Adoption,
    AssessmentRules,
    Commission,
    InfoItem,
    ItemAttachment,
    ItemTransition,
)
from .quotas import CommissionOwed, commission_status, commissions_owed
from .services import REVIEW_STEPS

__all__ = [
    "CommissionOwed",
    "access_adoption",
    "access_attachment",
    "access_commission",
    "access_item",
    "adoption_list",
    "commission_list",
    "commission_status",
    "commissions_owed",
    "item_list",
    "item_timeline",
    "review_queue",
    "rules_in_force",
    "rules_list",
]


def _item_q(actor) -> Q:
    return visible_q(actor, path_field="region_path", unit_field="unit_id")


def item_list(
    *,
    actor,
    campaign: Campaign | None = None,
    unit: Unit | None = None,
    state: str | None = None,
) -> QuerySet[InfoItem]:
    """Items the actor may see (its office's subtree, or its own unit's), narrowed by
    campaign, unit and state; latest submitted first (drafts first of all)."""
    qs = InfoItem.objects.filter(_item_q(actor))
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    if unit is not None:
        qs = qs.filter(unit=unit)
    if state:
        qs = qs.filter(state=state)
    # Drafts (no submission time) first on SQLite and PostgreSQL alike: they sort NULLs apart.
    return qs.select_related("unit", "campaign").order_by(
        F("submitted_at").desc(nulls_first=True), "-id"
    )


def access_item(*, actor, id: int) -> InfoItem:
    """One item, or NotFound alike when missing and when not visible to the actor."""
    try:
        return (
            InfoItem.objects.filter(_item_q(actor))
            .select_related("unit", "campaign", "schedule_item", "event", "commission")
            .get(pk=id)
        )
    except (InfoItem.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def review_queue(*, actor, step: str, campaign: Campaign | None = None) -> QuerySet[InfoItem]:
    """The items waiting for ``step`` (edit, review, sign_off) in the subtree where the
    actor holds that step's role, oldest submission first; empty without the role.
    Raises FieldError for an unknown step."""
    if step not in REVIEW_STEPS:
        raise FieldError("step", _("Unknown step: %(step)s") % {"step": step})
    role, from_state, _to = REVIEW_STEPS[step]
    qs = InfoItem.objects.filter(state=from_state)
    if not is_admin(actor):
        unit = getattr(actor, "unit", None)
        if unit is None or not actor.has_role(role):
            return InfoItem.objects.none()
        qs = qs.filter(subtree_q("region_path", unit.region_path))
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs.select_related("unit", "campaign").order_by("submitted_at", "id")


def item_timeline(*, item: InfoItem) -> QuerySet[ItemTransition]:
    """The steps of an item (one the caller has already accessed), oldest first."""
    return item.transitions.select_related("actor").order_by("at", "id")


def access_attachment(*, actor, id: int) -> ItemAttachment:
    """One attachment of an item the actor may see, or NotFound."""
    try:
        return (
            ItemAttachment.objects.filter(
                visible_q(actor, path_field="item__region_path", unit_field="item__unit_id")
            )
            .select_related("item")
            .get(pk=id)
        )
    except (ItemAttachment.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


# --- adoptions --------------------------------------------------------------------------


def _adoption_q(actor) -> Q:
    return visible_q(actor, path_field="item__region_path", unit_field="item__unit_id")


def adoption_list(
    *,
    actor,
    campaign: Campaign | None = None,
    item: InfoItem | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[Adoption]:
    """Adoptions of items the actor may see, by date (oldest first)."""
    qs = Adoption.objects.filter(_adoption_q(actor))
    if campaign is not None:
        qs = qs.filter(item__campaign=campaign)
    if item is not None:
        qs = qs.filter(item=item)
    if date_from is not None:
        qs = qs.filter(date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(date__lte=date_to)
    return qs.select_related("item", "item__unit", "outlet").order_by("date", "id")


def access_adoption(*, actor, id: int) -> Adoption:
    """One adoption of an item the actor may see, or NotFound."""
    try:
        return Adoption.objects.filter(_adoption_q(actor)).select_related("item").get(pk=id)
    except (Adoption.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


# --- commissioned topics ----------------------------------------------------------------


def _commission_q(actor) -> Q:
    # An office sees the topics of campaigns in its subtree and those asked of its units;
    # a reporter, those asked of its unit.
    return visible_q(
        actor,
        path_field="campaign__region_path",
        unit_field="units",
        unit_path_field="units__region_path",
    )


def commission_list(*, actor, campaign: Campaign | None = None) -> QuerySet[Commission]:
    """Commissioned topics the actor may see, soonest due first."""
    ids = Commission.objects.filter(_commission_q(actor))
    if campaign is not None:
        ids = ids.filter(campaign=campaign)
    # Filtering through the units relation repeats rows; select them by id instead.
    return (
        Commission.objects.filter(pk__in=ids.values("pk"))
        .select_related("campaign")
        .prefetch_related("units")
        .order_by("due_date", "id")
    )


def access_commission(*, actor, id: int) -> Commission:
    """One commissioned topic the actor may see, or NotFound."""
    try:
        return commission_list(actor=actor).get(pk=id)
    except (Commission.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


# --- assessment rules -------------------------------------------------------------------


def rules_in_force(*, campaign: Campaign, on: datetime.date) -> AssessmentRules | None:
    """The campaign's rules for a period starting ``on``: the version with the latest
    ``valid_from`` not after it (the highest version among equals); None if none."""
    return (
        AssessmentRules.objects.filter(campaign=campaign, valid_from__lte=on)
        .order_by("-valid_from", "-version")
        .first()
    )


def rules_list(*, actor, campaign: Campaign) -> QuerySet[AssessmentRules]:
    """Every version of a campaign's rules (newest first); empty for an actor who may not
    see the campaign."""
    from campaigndesk.campaigns.selectors import campaign_list

    if not campaign_list(actor=actor).filter(pk=campaign.pk).exists():
        return AssessmentRules.objects.none()
    return AssessmentRules.objects.filter(campaign=campaign).order_by("-valid_from", "-version")


# The role whose holders see each step's queue (the web app shows them the tab).
QUEUE_ROLES: dict[str, str] = {step: role for step, (role, _f, _t) in REVIEW_STEPS.items()}
