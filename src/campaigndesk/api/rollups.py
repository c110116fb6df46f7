"""The campaign's totals (the one rollup path, ``ledger.rollup.rollup``) and its coverage.
Nothing here adds anything up: the figures are the rollup's, only written out."""

import datetime
from enum import StrEnum

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from campaigndesk.campaigns.selectors import access_campaign
from campaigndesk.common.errors import RowError
from campaigndesk.ledger import selectors
from campaigndesk.ledger.display import row_display
from campaigndesk.ledger.models import RECORD_MODELS, Indicator, RecordKind
from campaigndesk.ledger.rollup import DIMENSIONS
from campaigndesk.regions.models import Channel, Outlet, OutletLevel, Region, RegionLevel, Unit

from .ledger_schemas import CoverageOut, RollupOut
from .refs import InvalidInput, region_ref, unit_ref
from .schemas import ErrorOut

router = Router(tags=["rollup"])

READ_ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class Series(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class CoverageLevel(StrEnum):
    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"


COVERAGE_LEVELS = {
    CoverageLevel.COUNTY: RegionLevel.COUNTY,
    CoverageLevel.TOWNSHIP: RegionLevel.TOWNSHIP,
    CoverageLevel.VILLAGE: RegionLevel.VILLAGE,
}


class FactFilters(Schema):
    """Which facts count, as the rollup narrows them."""

    region: str | None = Field(None, description="a region code: its subtree")
    unit: int | None = Field(None, description="a unit id")
    channel: Channel | None = None
    outlet_level: OutletLevel | None = None
    kind: str | None = Field(
        None, description='a record kind ("event") or a kind of it ("event:lecture")'
    )
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    as_of: datetime.date | None = Field(None, description="facts dated on or before it")


class RollupParams(FactFilters):
    """What to total and how to group it."""

    group_by: str = Field("", description="dimensions, comma-separated: " + ", ".join(DIMENSIONS))
    series: Series | None = Field(None, description="a time series by day, week or month")
    indicators: str = Field("", description="indicator codes, comma-separated (default: all)")
    include_total: bool = Field(True, description="with grouping, a total row per indicator")


class CoverageQuery(FactFilters):
    level: CoverageLevel = CoverageLevel.TOWNSHIP


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput([RowError(None, field, message)])


def _csv(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _kind(value: str | None) -> str | None:
    if not value:
        return None
    record_kind, _sep, sub = value.partition(":")
    model = RECORD_MODELS.get(record_kind)
    if model is None:
        raise _invalid("kind", _("Unknown record kind: %(kind)s") % {"kind": record_kind})
    choices = getattr(model, "Kind", None)
    if sub and (choices is None or sub not in choices.values):
        raise _invalid("kind", _("Unknown kind: %(value)s") % {"value": value})
    return value if sub else record_kind


def fact_filter(actor, query: FactFilters) -> selectors.RollupFilter:
    """The request's filters as the rollup takes them (an unknown code or id is a 422)."""
    return selectors.RollupFilter(
        region=region_ref(query.region, field="region") if query.region else None,
        unit=unit_ref(actor, query.unit, field="unit") if query.unit is not None else None,
        channel=query.channel.value if query.channel else None,
        outlet_level=query.outlet_level.value if query.outlet_level else None,
        kind=_kind(query.kind),
        date_from=query.date_from,
        date_to=query.date_to,
        as_of=query.as_of,
    )


def group_by_of(query: RollupParams) -> list[str]:
    dimensions = _csv(query.group_by)
    errors = [
        RowError(None, "group_by", _("Unknown dimension: %(name)s") % {"name": d})
        for d in dimensions
        if d not in DIMENSIONS
    ]
    if errors:
        raise InvalidInput(errors)
    if "period" in dimensions and query.series is None:
        raise _invalid("series", _("Grouping by period needs a series (day, week or month)."))
    return list(dict.fromkeys(dimensions))


def indicator_codes_of(query: RollupParams) -> list[str] | None:
    codes = list(dict.fromkeys(_csv(query.indicators)))
    if not codes:
        return None
    known = set(Indicator.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InvalidInput(
            [
                RowError(None, "indicators", _("Unknown indicator: %(codes)s") % {"codes": c})
                for c in unknown
            ]
        )
    return codes


def _kind_label(value: str) -> str:
    record_kind, _sep, sub = value.partition(":")
    label = str(RecordKind(record_kind).label) if record_kind in RecordKind.values else value
    choices = getattr(RECORD_MODELS.get(record_kind), "Kind", None)
    if sub and choices is not None and sub in choices.values:
        return f"{label} · {choices(sub).label}"
    return label


def group_labels(group_by: list[str], rows) -> dict[str, dict[str, str]]:
    """Names for the values the rows are grouped by: one query per named thing at most."""
    values: dict[str, set] = {d: set() for d in group_by}
    for row in rows:
        for dimension, value in row.group.items():
            if dimension in values and value not in (None, ""):
                values[dimension].add(value)
    labels: dict[str, dict[str, str]] = {}
    for dimension, seen in values.items():
        if dimension in ("county", "township", "village"):
            found = Region.objects.filter(code__in=seen).values_list("code", "name")
        elif dimension == "unit":
            found = Unit.objects.filter(pk__in=seen).values_list("pk", "name")
        elif dimension == "outlet":
            found = Outlet.objects.filter(pk__in=seen).values_list("pk", "name")
        elif dimension == "channel":
            found = [(v, Channel(v).label) for v in seen if v in Channel.values]
        elif dimension == "outlet_level":
            found = [(v, OutletLevel(v).label) for v in seen if v in OutletLevel.values]
        elif dimension == "kind":
            found = [(v, _kind_label(v)) for v in seen]
        elif dimension == "record_kind":
            found = [(v, RecordKind(v).label) for v in seen if v in RecordKind.values]
        else:  # period: the dates speak for themselves
            continue
        labels[dimension] = {str(key): str(name) for key, name in found}
    return labels


@router.get(
    "/campaigns/{campaign_id}/rollup",
    response={200: RollupOut, **READ_ERRORS},
    summary="The campaign's totals per indicator, filtered, grouped, as a time series",
)
def campaign_rollup(request: HttpRequest, campaign_id: int, query: Query[RollupParams]):
    """The one rollup path (the same figures as every page and export). Each indicator
    aggregates its own way (sum, latest snapshot, distinct, ratio); ``approx`` and
    ``display`` carry the approximation (余 / 约)."""
    actor = request.auth
    campaign = access_campaign(actor=actor, id=campaign_id)
    group_by = group_by_of(query)
    result = selectors.rollup(
        actor=actor,
        campaign=campaign,
        filters=fact_filter(actor, query),
        group_by=group_by,
        series=query.series.value if query.series else None,
        indicators=indicator_codes_of(query),
        include_total=query.include_total,
    )
    return {
        "campaign_id": campaign.pk,
        "group_by": list(result.group_by),
        "series": result.series,
        "rows": [
            {
                "indicator": row.indicator,
                "group": row.group,
                "value": row.value,
                "approx": row.approx,
                "display": row_display(row),
                "parts": row.parts,
            }
            for row in result.rows
        ],
        "labels": group_labels(group_by, result.rows),
    }


@router.get(
    "/campaigns/{campaign_id}/coverage",
    response={200: CoverageOut, **READ_ERRORS},
    summary="Which regions of a level in the campaign's scope have activity, which none",
)
def campaign_coverage(request: HttpRequest, campaign_id: int, query: Query[CoverageQuery]):
    actor = request.auth
    campaign = access_campaign(actor=actor, id=campaign_id)
    filters = fact_filter(actor, query)
    level = COVERAGE_LEVELS[query.level]
    result = selectors.coverage(
        actor=actor, campaign=campaign, level=level, filters=filters, within=filters.region
    )
    return {
        "campaign_id": campaign.pk,
        "level": int(level),
        "level_label": str(RegionLevel(level).label),
        "active": result.active,
        "inactive": result.inactive,
        "active_count": len(result.active),
        "inactive_count": len(result.inactive),
        "rate": result.rate,
    }
