"""Request and response shapes of the ledger's part of the API: records of each kind, the
rollup, coverage, period locks and evidence."""

import copy
import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema
from pydantic import create_model

from campaigndesk.ledger.display import figure_display, number_display
from campaigndesk.ledger.models import (
    RECORD_MODELS,
    Approx,
    EventRecord,
    MaterialRecord,
    MediaOutput,
    RecordStatus,
)
from campaigndesk.regions.models import Channel, OutletLevel

from .schemas import BodyIn, Count, Day, Flag, Id, RegionOut, UnitRef


def plain(value: Decimal | None) -> Decimal | None:
    """A stored decimal without trailing zeros (1800.00 -> 1800), the same before and after
    a round trip through the database."""
    return None if value is None else Decimal(number_display(value))


_KIND_OF_MODEL = {model: kind for kind, model in RECORD_MODELS.items()}


def record_kind_of(record) -> str:
    return _KIND_OF_MODEL[type(record)]


# --- References -------------------------------------------------------------------------


class OutletRef(Schema):
    id: int
    name: str
    channel: str
    level: int


class IndicatorRef(Schema):
    code: str
    name: str
    measure_word: str
    aggregation: str


# --- Evidence ---------------------------------------------------------------------------


class EvidenceOut(Schema):
    id: int
    record_kind: str
    record_id: int
    kind: str
    kind_label: str
    original_name: str
    size: int
    sha256: str
    uploaded_by: str | None = None
    uploaded_at: datetime.datetime
    verified: bool
    verified_by: str | None = None
    verified_at: datetime.datetime | None

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_uploaded_by(obj) -> str | None:
        return obj.uploaded_by.username if obj.uploaded_by_id else None

    @staticmethod
    def resolve_verified(obj) -> bool:
        return obj.verified_at is not None

    @staticmethod
    def resolve_verified_by(obj) -> str | None:
        return obj.verified_by.username if obj.verified_by_id else None


# --- Records out ------------------------------------------------------------------------


class RecordOut(Schema):
    """What every record has."""

    id: int
    campaign_id: int
    unit: UnitRef
    region: RegionOut
    date: datetime.date
    schedule_item_id: int | None
    note: str
    status: str = Field(description="active: counts; duplicate: flagged, counts once cleared")
    external_id: str
    batch_id: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class OutputOut(RecordOut):
    outlet: OutletRef
    kind: str
    kind_label: str
    title: str
    is_original: bool
    language: str
    views: int | None
    audience: int | None
    url: str

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()


class MaterialOut(RecordOut):
    kind: str
    kind_label: str
    quantity: Decimal
    measure_word: str
    area_m2: Decimal | None
    sites: int | None
    display: str = Field(description="the quantity as written, e.g. 1800条")

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_quantity(obj) -> Decimal | None:
        return plain(obj.quantity)

    @staticmethod
    def resolve_area_m2(obj) -> Decimal | None:
        return plain(obj.area_m2)

    @staticmethod
    def resolve_display(obj) -> str:
        return figure_display(obj.quantity, "", obj.measure_word)


class EventOut(RecordOut):
    kind: str
    kind_label: str
    title: str
    sessions: int
    participants: int
    audience: int | None
    site: str

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()


class FigureOut(RecordOut):
    indicator: IndicatorRef
    value: Decimal
    approx: str = Field(description='"" exact, "more" 余, "about" 约, "under" 近, "at_least"')
    period_start: datetime.date | None
    source: str
    display: str = Field(description="the figure as written, e.g. 176128余张")

    @staticmethod
    def resolve_value(obj) -> Decimal | None:
        return plain(obj.value)

    @staticmethod
    def resolve_display(obj) -> str:
        return figure_display(obj.value, obj.approx, obj.indicator.measure_word)


class _WithEvidence(Schema):
    evidence: list[EvidenceOut]


class _WithWarnings(Schema):
    warnings: list[str] = Field(
        [], description="what the user should know, e.g. that an output looks like a duplicate"
    )


def _detail(base: type[Schema], name: str) -> type[Schema]:
    return type(name, (base, _WithEvidence), {"__module__": __name__})


def _written(base: type[Schema], name: str) -> type[Schema]:
    return type(name, (base, _WithWarnings), {"__module__": __name__})


OutputDetailOut = _detail(OutputOut, "OutputDetailOut")
MaterialDetailOut = _detail(MaterialOut, "MaterialDetailOut")
EventDetailOut = _detail(EventOut, "EventDetailOut")
FigureDetailOut = _detail(FigureOut, "FigureDetailOut")
OutputWrittenOut = _written(OutputDetailOut, "OutputWrittenOut")
MaterialWrittenOut = _written(MaterialDetailOut, "MaterialWrittenOut")
EventWrittenOut = _written(EventDetailOut, "EventWrittenOut")
FigureWrittenOut = _written(FigureDetailOut, "FigureWrittenOut")


# --- Records in -------------------------------------------------------------------------


class RecordIn(BodyIn):
    unit_id: Id
    region_code: str | None = Field(None, description="default: the unit's region")
    date: Day
    schedule_item_id: Id | None = None
    note: str = ""
    external_id: str = Field("", max_length=100)


class OutputIn(RecordIn):
    outlet_id: Id
    kind: MediaOutput.Kind
    title: str = Field(..., max_length=300)
    is_original: Flag = True
    language: str = Field("zh", max_length=20)
    views: Count | None = None
    audience: Count | None = None
    url: str = Field("", max_length=500)


class MaterialIn(RecordIn):
    kind: MaterialRecord.Kind
    quantity: Decimal
    measure_word: str = Field("", max_length=10)
    area_m2: Decimal | None = None
    sites: Count | None = None


class EventIn(RecordIn):
    kind: EventRecord.Kind
    title: str = Field("", max_length=300)
    sessions: Count = 1
    participants: Count = 0
    audience: Count | None = None
    site: str = Field("", max_length=200)


class FigureIn(RecordIn):
    indicator: str = Field(..., description="the indicator's code", max_length=60)
    value: Decimal
    approx: Approx = Approx.EXACT
    period_start: Day | None = None
    source: str = Field("", max_length=300)


def _patch(schema: type[Schema], name: str) -> type[Schema]:
    """``schema`` with every field optional: only the fields sent are changed. A field
    that cannot be empty still refuses an explicit null."""
    fields = {}
    for field_name, info in schema.model_fields.items():
        optional = copy.copy(info)
        optional.default = None
        optional.default_factory = None
        fields[field_name] = (info.annotation, optional)
    return create_model(name, __base__=BodyIn, __module__=__name__, **fields)


OutputPatch = _patch(OutputIn, "OutputPatch")
MaterialPatch = _patch(MaterialIn, "MaterialPatch")
EventPatch = _patch(EventIn, "EventPatch")
FigurePatch = _patch(FigureIn, "FigurePatch")


# --- Record list filters ----------------------------------------------------------------


class RecordFilters(Schema):
    region: str | None = Field(None, description="a region code: records in its subtree")
    unit: int | None = Field(None, description="a unit id")
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    as_of: datetime.date | None = Field(None, description="records dated on or before it")
    status: RecordStatus | None = None


class OutputFilters(RecordFilters):
    channel: Channel | None = None
    outlet_level: OutletLevel | None = None
    kind: MediaOutput.Kind | None = None


class MaterialFilters(RecordFilters):
    kind: MaterialRecord.Kind | None = None


class EventFilters(RecordFilters):
    kind: EventRecord.Kind | None = None


class FigureFilters(RecordFilters):
    indicator: str | None = Field(None, description="an indicator code")


# --- Duplicates, evidence, locks --------------------------------------------------------


class DuplicateResolveIn(BodyIn):
    is_duplicate: Flag = Field(
        ..., description="true: a real duplicate, deleted; false: not one, it starts to count"
    )


class DuplicateResolveOut(Schema):
    deleted: bool
    record: OutputOut | None = None


class LockIn(BodyIn):
    start: Day
    end: Day
    reason: str = Field("", max_length=300)


class ReopenIn(BodyIn):
    reason: str = Field(..., max_length=300)


class LockOut(Schema):
    id: int
    campaign_id: int
    start: datetime.date
    end: datetime.date
    reason: str
    is_locked: bool
    locked_by: str | None = None
    locked_at: datetime.datetime
    reopened_by: str | None = None
    reopened_at: datetime.datetime | None
    reopen_reason: str

    @staticmethod
    def resolve_is_locked(obj) -> bool:
        return obj.reopened_at is None

    @staticmethod
    def resolve_locked_by(obj) -> str | None:
        return obj.locked_by.username if obj.locked_by_id else None

    @staticmethod
    def resolve_reopened_by(obj) -> str | None:
        return obj.reopened_by.username if obj.reopened_by_id else None


# --- Rollup and coverage ----------------------------------------------------------------


class RollupRowOut(Schema):
    indicator: IndicatorRef
    group: dict[str, Any] = Field(
        description="the group's value per dimension ({} for the total row); period: its first day"
    )
    value: Decimal | None
    approx: str = Field(description='"" exact, "more" (余) or "about" (约)')
    display: str = Field(description="the figure as written, e.g. 176128余张")
    parts: int = Field(description="facts (or distinct members) behind the figure")


class RollupOut(Schema):
    campaign_id: int
    group_by: list[str]
    series: str | None
    rows: list[RollupRowOut]
    labels: dict[str, dict[str, str]] = Field(
        description="names for the grouped values, per dimension (region codes, unit and "
        "outlet ids, channels, levels, kinds)"
    )


class CoverageOut(Schema):
    campaign_id: int
    level: int
    level_label: str
    active: list[RegionOut]
    inactive: list[RegionOut]
    active_count: int
    inactive_count: int
    rate: float = Field(description="active / all, from 0 to 1")
