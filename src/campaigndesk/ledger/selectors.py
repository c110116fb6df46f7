"""Reads of the ledger: record lists, single records, coverage. Totals come from
``rollup`` (re-exported here) and nowhere else."""

from dataclasses import dataclass, replace

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from campaigndesk.accounts.scoping import read_scope, visible_q
from campaigndesk.campaigns.models import Campaign
from campaigndesk.campaigns.selectors import campaign_list
from campaigndesk.common.errors import DomainError, NotFound
from campaigndesk.regions.models import Region, RegionLevel
from campaigndesk.regions.paths import is_within, subtree_q

from .facts import LEVEL_FIELD
from .models import RECORD_MODELS, Evidence, Fact, PeriodLock, Record, RecordStatus
from .rollup import Rollup, RollupFilter, RollupRow, base_facts, rollup

__all__ = [
    "Coverage",
    "Rollup",
    "RollupFilter",
    "RollupRow",
    "access_record",
    "coverage",
    "evidence_for",
    "lock_list",
    "record_list",
    "rollup",
]


def record_list(
    *,
    actor,
    campaign: Campaign,
    record_kind: str,
    filters: RollupFilter | None = None,
    status: str | None = None,
) -> QuerySet[Record]:
    """The campaign's records of a kind visible to the actor (its office subtree by region
    or unit region, or its own unit), narrowed like a rollup and, with ``status``, to the
    media outputs that count or to the suspected duplicates; newest first. Raises
    DomainError for an unknown record kind or status."""
    model = RECORD_MODELS.get(record_kind)
    if model is None:
        raise DomainError(_("Unknown record kind: %(kind)s") % {"kind": record_kind})
    if status and status not in RecordStatus.values:
        raise DomainError(_("Unknown status: %(status)s") % {"status": status})
    qs = model.objects.filter(campaign=campaign).filter(
        visible_q(
            actor,
            path_field="region_path",
            unit_field="unit_id",
            unit_path_field="unit_region_path",
        )
    )
    filters = filters or RollupFilter()
    if filters.region is not None:
        qs = qs.filter(subtree_q("region_path", filters.region.path))
    if filters.unit is not None:
        qs = qs.filter(unit=filters.unit)
    if filters.date_from:
        qs = qs.filter(date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(date__lte=filters.date_to)
    if filters.as_of:
        qs = qs.filter(date__lte=filters.as_of)
    if filters.kind:
        # "event" or "event:lecture", as in a rollup: another record kind matches nothing.
        wanted_kind, _sep, own_kind = filters.kind.partition(":")
        if wanted_kind != record_kind:
            return model.objects.none()
        if own_kind and hasattr(model, "kind"):
            qs = qs.filter(kind=own_kind)
    if status:
        # (every kind but the outputs always counts)
        if record_kind != "output":
            return qs if status == RecordStatus.ACTIVE else model.objects.none()
        qs = qs.filter(status=status)
    if record_kind == "output":
        if filters.channel:
            qs = qs.filter(outlet__channel=filters.channel)
        if filters.outlet_level:
            qs = qs.filter(outlet__level=filters.outlet_level)
        qs = qs.prefetch_related("outlet")
    elif filters.channel or filters.outlet_level:
        # Only media outputs have an outlet (a rollup filtered so counts nothing else).
        return model.objects.none()
    if record_kind == "figure":
        qs = qs.prefetch_related("indicator")
    # Related rows are fetched for the page only: joined in, the database would join
    # every record of the subtree before sorting them and keeping a page.
    return qs.prefetch_related("unit", "region").order_by("-date", "-id")


def access_record(*, actor, record_kind: str, id: int) -> Record:
    """One record, or NotFound alike when missing and when not visible to the actor: it
    must lie in the actor's sight and in a campaign the actor may open (as on the pages,
    which reach a record through its campaign)."""
    model = RECORD_MODELS.get(record_kind)
    if model is None:
        raise NotFound()
    try:
        return (
            model.objects.filter(
                visible_q(
                    actor,
                    path_field="region_path",
                    unit_field="unit_id",
                    unit_path_field="unit_region_path",
                ),
                campaign__in=campaign_list(actor=actor).values("pk"),
            )
            .select_related("unit", "region", "campaign")
            .get(pk=id)
        )
    except (model.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def evidence_for(*, record_kind: str, record: Record) -> QuerySet[Evidence]:
    """The evidence of a record (one the caller has already accessed), oldest first."""
    return Evidence.objects.filter(record_kind=record_kind, record_id=record.pk).order_by("id")


def lock_holding(*, campaign_id: int, date) -> PeriodLock | None:
    """The locked period (not reopened) of the campaign that holds ``date``, if any."""
    return PeriodLock.objects.filter(
        campaign_id=campaign_id, reopened_at__isnull=True, start__lte=date, end__gte=date
    ).first()


def duplicate_original(*, actor, record) -> Record | None:
    """The counting output that a suspected duplicate repeats (the same link, or the same
    outlet, title and date), if the actor may see it; the earliest filed."""
    from .models import MediaOutput

    return (
        MediaOutput.objects.filter(record.twins_q(), campaign_id=record.campaign_id)
        .filter(status=RecordStatus.ACTIVE)
        .filter(
            visible_q(
                actor,
                path_field="region_path",
                unit_field="unit_id",
                unit_path_field="unit_region_path",
            )
        )
        .exclude(pk=record.pk)
        .order_by("id")
        .first()
    )


def lock_list(*, campaign: Campaign) -> QuerySet[PeriodLock]:
    """The campaign's locked (and reopened) periods, latest first."""
    return PeriodLock.objects.filter(campaign=campaign).order_by("-start")


@dataclass
class Coverage:
    """Regions of a level in the campaign's scope, split by whether they had activity."""

    level: int
    active: list[Region]
    inactive: list[Region]

    @property
    def rate(self) -> float:
        total = len(self.active) + len(self.inactive)
        return len(self.active) / total if total else 0.0


def coverage(
    *,
    actor,
    campaign: Campaign,
    level: int,
    filters: RollupFilter | None = None,
    within: Region | None = None,
) -> Coverage:
    """For a campaign and a level (county, township, village): which regions under the
    campaign's region (or ``within`` it) that the actor can see have any activity it can
    see, and which have none. An office sees the regions of its subtree (and the one
    holding it), a reporter those around its unit's region, and both those with activity
    they see (the regions the covered counts count): a region outside its view is not
    listed at all, rather than as "no activity"."""
    column = LEVEL_FIELD.get(level)
    if column is None:
        raise DomainError(_("Coverage is counted for counties, townships or villages."))
    # The campaign's scope, narrowed to ``within`` (a region above the campaign's region
    # does not widen it; one beside it leaves nothing).
    root_path = campaign.region_path
    if within is not None and is_within(within.path, root_path):
        root_path = within.path
    elif within is not None and not is_within(root_path, within.path):
        return Coverage(level=RegionLevel(level), active=[], inactive=[])
    regions = list(
        Region.objects.filter(subtree_q("path", root_path), level=level).order_by("path")
    )
    if filters is None:
        filters = RollupFilter()
    if within is not None and filters.region is None:
        filters = replace(filters, region=within)
    facts: QuerySet[Fact] = base_facts(actor=actor, campaign=campaign, filters=filters)
    active_codes = set(
        facts.exclude(**{column: ""}).values_list(column, flat=True).distinct().order_by()
    )
    scope = read_scope(actor)
    if not scope.everything:
        regions = [r for r in regions if _in_view(r, scope, actor, active_codes)]
    return Coverage(
        level=RegionLevel(level),
        active=[r for r in regions if r.code in active_codes],
        inactive=[r for r in regions if r.code not in active_codes],
    )


def _in_view(region: Region, scope, actor, active_codes: set[str]) -> bool:
    """Whether coverage lists ``region`` for an actor of ``scope`` (not everything): a
    region with activity the actor sees (an office's own units may work beyond its area,
    and the covered counts count it there too), or one of its view."""

    def around(path: str) -> bool:
        return is_within(region.path, path) or is_within(path, region.path)

    if region.code in active_codes:
        return True
    if scope.subtree_path is not None and around(scope.subtree_path):
        return True
    if scope.unit_id is not None:
        return around(actor.unit.region_path)
    return False
