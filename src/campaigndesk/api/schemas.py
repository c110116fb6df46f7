"""Request and response shapes of the JSON API (what the OpenAPI schema documents)."""

import datetime
from decimal import Decimal
from typing import Annotated

import pydantic
from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict, StrictBool, field_validator

from campaigndesk.regions import selectors as region_selectors
from campaigndesk.regions.models import Channel, OutletLevel, UnitKind

from .parser import nul_at, nul_message, surrogate_at, surrogate_message
from .refs import MAX_ID

# --- Errors ------------------------------------------------------------------------------


class ErrorItem(Schema):
    """One problem with the input: the row (imports only), the field, what is wrong."""

    row: int | None = None
    field: str
    message: str


class ErrorOut(Schema):
    """Every error answer: a message fit for a user, and for bad input each problem."""

    detail: str
    errors: list[ErrorItem] | None = None


# The error answers of a write (the OpenAPI schema lists them).
WRITE_ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut}


# --- Request bodies ----------------------------------------------------------------------


class BodyIn(Schema):
    """A request body: a key it does not name is refused (422 naming it), not ignored, so
    that a misspelt or read-only field is not dropped while the client is told it was
    written."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _storable_text(cls, value):
        # PostgreSQL's text cannot hold a NUL (see api/parser.py), and no database text a
        # lone surrogate: either would fail in the database (a 500).
        if nul_at(value) is not None:
            raise ValueError(nul_message())
        if surrogate_at(value) is not None:
            raise ValueError(surrogate_message())
        return value


def _date_text(value: object) -> object:
    # JSON has no dates: a date is sent as text (2024-02-01). A number would otherwise be
    # taken for seconds since 1970.
    if isinstance(value, (str, datetime.date)):
        return value
    raise ValueError(_("A date written YYYY-MM-DD is required."))


# In a body: a count or an id is a JSON integer (not true, not "12"); an id fits the
# database's ids; a flag is true or false (not "no"); a date is text.
Count = Annotated[int, pydantic.Strict()]
Id = Annotated[int, pydantic.Strict(), pydantic.Field(ge=1, le=MAX_ID)]
Flag = StrictBool
Day = Annotated[datetime.date, BeforeValidator(_date_text)]


# --- Regions -----------------------------------------------------------------------------


class RegionOut(Schema):
    code: str
    full_code: str
    name: str
    level: int
    level_label: str
    parent_code: str | None = None

    @staticmethod
    def resolve_level_label(obj) -> str:
        return obj.get_level_display()

    @staticmethod
    def resolve_parent_code(obj) -> str | None:
        # From the path, so that no query is needed for the parent.
        codes = [c for c in obj.path.split("/") if c]
        return codes[-2] if len(codes) > 1 else None


class RegionDetailOut(RegionOut):
    ancestors: list[RegionOut]

    @staticmethod
    def resolve_ancestors(obj) -> list:
        return region_selectors.region_ancestors(region=obj)


# --- Units and outlets -------------------------------------------------------------------


class UnitRef(Schema):
    id: int
    name: str
    kind: str


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    region: RegionOut
    parent_id: int | None
    is_active: bool

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()


class UnitDetailOut(UnitOut):
    aliases: list[str]

    @staticmethod
    def resolve_aliases(obj) -> list[str]:
        return [a.alias for a in obj.aliases.all()]


class UnitIn(BodyIn):
    name: str = Field(..., min_length=1, max_length=150)
    kind: UnitKind
    region_code: str = Field(..., min_length=1, max_length=20)
    parent_id: int | None = None
    aliases: list[str] = []


class OutletOut(Schema):
    id: int
    name: str
    channel: str
    channel_label: str
    level: int
    level_label: str
    region_code: str | None = None
    unit: UnitRef | None

    @staticmethod
    def resolve_region_code(obj) -> str | None:
        return obj.region.code if obj.region_id else None

    @staticmethod
    def resolve_channel_label(obj) -> str:
        return obj.get_channel_display()

    @staticmethod
    def resolve_level_label(obj) -> str:
        return obj.get_level_display()


class OutletIn(BodyIn):
    name: str = Field(..., min_length=1, max_length=150)
    channel: Channel
    level: OutletLevel
    region_code: str | None = None
    unit_id: int | None = None


# --- Campaigns ---------------------------------------------------------------------------


class CampaignOut(Schema):
    id: int
    name: str
    slogan: str
    start_date: datetime.date
    end_date: datetime.date
    lead_unit: UnitRef
    region: RegionOut


class StrandOut(Schema):
    id: int
    name: str
    description: str


class PhaseOut(Schema):
    id: int
    name: str
    start_date: datetime.date
    end_date: datetime.date


class LeadingGroupMemberOut(Schema):
    id: int
    person_name: str
    position: str
    role: str
    role_label: str
    unit: UnitRef | None

    @staticmethod
    def resolve_role_label(obj) -> str:
        return obj.get_role_display()


class CampaignUnitOut(Schema):
    unit: UnitRef
    role: str
    role_label: str

    @staticmethod
    def resolve_role_label(obj) -> str:
        return obj.get_role_display()


class CoverageTargetOut(Schema):
    level: int
    level_label: str
    target_count: int
    region_codes: list[str]

    @staticmethod
    def resolve_level_label(obj) -> str:
        return obj.get_level_display()

    @staticmethod
    def resolve_region_codes(obj) -> list[str]:
        return [r.code for r in obj.regions.all()]


class RateTargetOut(Schema):
    kind: str
    kind_label: str
    target_percent: Decimal

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.get_kind_display()


class QuotaTargetOut(Schema):
    item_kind: str
    item_kind_label: str
    count: int
    period: str
    due_day: int
    description: str

    @staticmethod
    def resolve_item_kind_label(obj) -> str:
        return obj.get_item_kind_display()


class CampaignTargetsOut(Schema):
    coverage: list[CoverageTargetOut]
    rates: list[RateTargetOut]
    quotas: list[QuotaTargetOut]


class CampaignDetailOut(CampaignOut):
    description: str
    strands: list[StrandOut]
    phases: list[PhaseOut]
    leading_group: list[LeadingGroupMemberOut]
    units: list[CampaignUnitOut]
    targets: CampaignTargetsOut

    @staticmethod
    def resolve_units(obj) -> list:
        return list(obj.unit_links.all())

    @staticmethod
    def resolve_targets(obj) -> dict:
        return {
            "coverage": list(obj.coverage_targets.all()),
            "rates": list(obj.rate_targets.all()),
            "quotas": list(obj.quota_targets.all()),
        }


class CampaignIn(BodyIn):
    name: str = Field(..., min_length=1, max_length=200)
    slogan: str = Field("", max_length=300)
    description: str = ""
    start_date: datetime.date
    end_date: datetime.date
    lead_unit_id: int
    # Default: the lead unit's region.
    region_code: str | None = None
    responsible_unit_ids: list[int] = []
    strands: list[str] = []


class ScheduleItemOut(Schema):
    id: int
    seq: int
    theme: str
    project: str
    responsible_units: list[UnitRef]
    window_start: datetime.date
    window_end: datetime.date
    window_text: str
    status: str
    status_label: str
    # The window has closed and the item is neither done nor cancelled.
    is_overdue: bool
    strand: StrandOut | None
    phase: PhaseOut | None

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()


class ScheduleImportOut(Schema):
    items: list[ScheduleItemOut]
    sha256: str
    warnings: list[str]


class ScheduleItemIn(BodyIn):
    theme: str = Field(..., min_length=1, max_length=200)
    project: str = Field("", max_length=500)
    window_start: datetime.date
    window_end: datetime.date
    window_text: str = Field("", max_length=100)
    seq: int | None = Field(None, ge=1)
    responsible_unit_ids: list[int] = Field(..., min_length=1)
    strand_id: int | None = None
    phase_id: int | None = None


# --- Indicators and the signed-in user ---------------------------------------------------


class IndicatorOut(Schema):
    code: str
    name: str
    measure_word: str
    category: str
    category_label: str
    aggregation: str
    aggregation_label: str
    numerator: str | None = None
    denominator: str | None = None
    description: str

    @staticmethod
    def resolve_numerator(obj) -> str | None:
        return obj.numerator.code if obj.numerator_id else None

    @staticmethod
    def resolve_denominator(obj) -> str | None:
        return obj.denominator.code if obj.denominator_id else None

    @staticmethod
    def resolve_category_label(obj) -> str:
        return obj.get_category_display()

    @staticmethod
    def resolve_aggregation_label(obj) -> str:
        return obj.get_aggregation_display()


class MeUnitOut(UnitRef):
    region: RegionOut


class MeOut(Schema):
    username: str
    full_name: str
    unit: MeUnitOut | None
    roles: list[str]
    language: str
