"""Collection tasks (周调度): the office sends a form of indicators to units, sees who has
answered each round and gets the reminder text; units submit their values (which become
ledger figures). Thin over collection.services and collection.selectors."""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from campaigndesk.campaigns.selectors import access_campaign
from campaigndesk.collection import selectors, services
from campaigndesk.collection.models import CollectionRound, CollectionTask, Recurrence
from campaigndesk.common.errors import FieldError, Forbidden, RowError
from campaigndesk.ledger.display import figure_display
from campaigndesk.ledger.models import Approx, Indicator
from campaigndesk.regions.models import Unit

from .ledger_schemas import IndicatorRef, plain
from .pagination import Pages
from .refs import InvalidInput, units_ref
from .schemas import WRITE_ERRORS, BodyIn, Count, Day, ErrorOut, Flag, Id, RegionOut, UnitRef

router = Router(tags=["collection"])

READ_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# --- shapes -----------------------------------------------------------------------------


class TaskOut(Schema):
    id: int
    campaign_id: int
    region: RegionOut
    title: str
    instructions: str
    recurrence: str
    recurrence_label: str
    first_period_start: datetime.date
    due_weekday: int | None
    due_day: int | None
    due_time: datetime.time | None
    due_at: datetime.datetime | None
    is_active: bool
    created_at: datetime.datetime
    unit_count: int
    indicator_count: int

    @staticmethod
    def resolve_recurrence_label(obj) -> str:
        return obj.get_recurrence_display()

    @staticmethod
    def resolve_unit_count(obj) -> int:
        count = getattr(obj, "unit_count", None)
        return count if count is not None else obj.units.filter(is_active=True).count()

    @staticmethod
    def resolve_indicator_count(obj) -> int:
        count = getattr(obj, "indicator_count", None)
        return count if count is not None else obj.indicators.count()


class RoundOut(Schema):
    id: int
    period_start: datetime.date
    period_end: datetime.date
    due_at: datetime.datetime
    submitted_count: int
    late_count: int
    missing_count: int


class TaskDetailOut(TaskOut):
    indicators: list[IndicatorRef]
    units: list[UnitRef]
    rounds: list[RoundOut]

    # Read from lists fetched once by _task_detail.
    @staticmethod
    def resolve_indicators(obj) -> list:
        return obj.indicators_list

    @staticmethod
    def resolve_units(obj) -> list:
        return obj.units_list

    @staticmethod
    def resolve_rounds(obj) -> list:
        return obj.rounds_list


class TaskIn(BodyIn):
    title: str = Field(..., max_length=200)
    instructions: str = ""
    indicators: list[str] = Field(..., description="indicator codes (sum or latest ones)")
    unit_ids: list[Id]
    recurrence: Recurrence
    first_period_start: Day
    # (JSON integers, as every count and id of a body: not true, not "4")
    due_weekday: Count | None = Field(None, ge=0, le=6, description="weekly: 0 Monday .. 6 Sunday")
    due_day: Count | None = Field(
        None, ge=1, le=31, description="monthly: the day of the next month"
    )
    due_time: datetime.time | None = Field(None, description="weekly and monthly")
    due_at: datetime.datetime | None = Field(None, description="once: the deadline")


class TaskPatch(BodyIn):
    """Only the fields sent change; none of them may be null."""

    title: str = Field(None, max_length=200)
    instructions: str = None
    indicators: list[str] = None
    unit_ids: list[Id] = None
    is_active: Flag = None


class ValueOut(Schema):
    indicator: str
    value: Decimal
    approx: str
    display: str
    figure_id: int | None


class SubmissionOut(Schema):
    id: int
    round_id: int
    unit: UnitRef
    first_submitted_at: datetime.datetime
    submitted_at: datetime.datetime
    submitted_by: str | None = None
    is_late: bool
    revision: int
    note: str
    values: list[ValueOut]

    @staticmethod
    def resolve_submitted_by(obj) -> str | None:
        return obj.submitted_by.username if obj.submitted_by_id else None

    @staticmethod
    def resolve_values(obj) -> list[dict]:
        return [
            {
                "indicator": sv.indicator.code,
                "value": plain(sv.value),
                "approx": sv.approx,
                "display": figure_display(sv.value, sv.approx, sv.indicator.measure_word),
                "figure_id": sv.figure_id,
            }
            for sv in obj.values.all()
        ]


class UnitStatusOut(Schema):
    unit: UnitRef
    submission: SubmissionOut | None


class RoundStatusOut(Schema):
    id: int
    task_id: int
    task_title: str
    period_start: datetime.date
    period_end: datetime.date
    due_at: datetime.datetime
    is_overdue: bool
    is_locked: bool = Field(description="a period lock holds the round: nothing can be filed")
    period_text: str
    deadline_text: str
    on_time: list[UnitStatusOut]
    late: list[UnitStatusOut]
    missing: list[UnitStatusOut]
    reminder: str = Field(description="ready to paste into the office's group chat")


class SubmittedValue(BodyIn):
    value: Decimal | None = Field(None, description="blank: nothing to report")
    approx: Approx = Approx.EXACT


class SubmissionIn(BodyIn):
    unit_id: Id
    values: dict[str, SubmittedValue] = Field(..., description="indicator code -> value")
    note: str = ""


class DueOut(Schema):
    round_id: int
    task_id: int
    task_title: str
    campaign_id: int
    unit: UnitRef
    period_start: datetime.date
    period_end: datetime.date
    due_at: datetime.datetime
    is_overdue: bool


# --- helpers ----------------------------------------------------------------------------


@contextmanager
def _fields(mapping: dict[str, str], values_prefix: bool = False) -> Iterator[None]:
    """Report a service's FieldError under the name the request used."""
    try:
        yield
    except FieldError as error:
        field = mapping.get(error.field)
        if field is None:
            field = f"values.{error.field}" if values_prefix else error.field
        raise FieldError(field, error.message) from None


TASK_FIELDS = {"units": "unit_ids"}
SUBMISSION_FIELDS = {"unit": "unit_id", "evidence": "evidence", "note": "note"}


def _indicators(codes: list[str]) -> list[Indicator]:
    codes = list(dict.fromkeys(codes))
    found = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise InvalidInput(
            [
                RowError(None, "indicators", _("Unknown indicator: %(codes)s") % {"codes": c})
                for c in unknown
            ]
        )
    return [found[c] for c in codes]


def _require_status(actor, task: CollectionTask) -> None:
    if not selectors.can_view_status(actor, task):
        raise Forbidden(_("Only the office sees every unit's answers."))


def _task_detail(task: CollectionTask) -> CollectionTask:
    task.indicators_list = list(task.indicators.all())
    task.units_list = list(task.units.order_by("region_path", "name"))
    task.rounds_list = list(selectors.round_list(task=task))
    return task


# --- tasks ------------------------------------------------------------------------------


@router.get(
    "/campaigns/{campaign_id}/tasks",
    response={200: list[TaskOut], 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="The campaign's collection tasks the user may see, newest first",
)
@paginate(Pages)
def task_list(request: HttpRequest, campaign_id: int):
    actor = request.auth
    campaign = access_campaign(actor=actor, id=campaign_id)
    return selectors.task_list(actor=actor, campaign=campaign)


@router.post(
    "/campaigns/{campaign_id}/tasks",
    response={201: TaskDetailOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="Send a collection task: indicators, units, once / weekly / monthly deadline",
)
def task_create(request: HttpRequest, campaign_id: int, payload: TaskIn):
    actor = request.auth
    campaign = access_campaign(actor=actor, id=campaign_id)
    indicators = _indicators(payload.indicators)
    units = units_ref(actor, payload.unit_ids, field="unit_ids")
    with _fields(TASK_FIELDS):
        task = services.task_create(
            actor=actor,
            campaign=campaign,
            title=payload.title,
            instructions=payload.instructions,
            indicators=indicators,
            units=units,
            recurrence=payload.recurrence.value,
            first_period_start=payload.first_period_start,
            due_weekday=int(payload.due_weekday) if payload.due_weekday is not None else None,
            due_day=payload.due_day,
            due_time=payload.due_time,
            due_at=payload.due_at,
        )
    services.rounds_ensure(task=task)
    return Status(201, _task_detail(selectors.access_task(actor=actor, id=task.pk)))


@router.get(
    "/tasks/{task_id}",
    response={200: TaskDetailOut, **READ_ERRORS},
    summary="A task with its indicators, units and rounds (reported, late, missing)",
)
def task_detail(request: HttpRequest, task_id: int):
    actor = request.auth
    task = selectors.access_task(actor=actor, id=task_id)
    _require_status(actor, task)
    services.rounds_ensure(task=task)  # the rounds whose periods have begun
    return _task_detail(task)


@router.patch(
    "/tasks/{task_id}",
    response={200: TaskDetailOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="Change a task's title, instructions, indicators, units, or close / reopen it",
)
def task_update(request: HttpRequest, task_id: int, payload: TaskPatch):
    actor = request.auth
    task = selectors.access_task(actor=actor, id=task_id)
    sent = payload.dict(exclude_unset=True)
    changes = {k: v for k, v in sent.items() if k in ("title", "instructions", "is_active")}
    if "indicators" in sent:
        changes["indicators"] = _indicators(sent["indicators"])
    if "unit_ids" in sent:
        changes["units"] = units_ref(actor, sent["unit_ids"], field="unit_ids")
    with _fields(TASK_FIELDS):
        services.task_update(actor=actor, task=task, **changes)
    return _task_detail(selectors.access_task(actor=actor, id=task.pk))


@router.delete(
    "/tasks/{task_id}",
    response={204: None, 404: ErrorOut, **WRITE_ERRORS},
    summary="Delete a task that no unit has answered (one answered is closed instead)",
)
def task_delete(request: HttpRequest, task_id: int):
    actor = request.auth
    task = selectors.access_task(actor=actor, id=task_id)
    services.task_delete(actor=actor, task=task)
    return Status(204, None)


# --- rounds and submissions -------------------------------------------------------------


@router.get(
    "/rounds/{round_id}",
    response={200: RoundStatusOut, **READ_ERRORS},
    summary="Who has answered a round (on time, late, missing) and the reminder text",
)
def round_status(request: HttpRequest, round_id: int):
    actor = request.auth
    round_ = selectors.access_round(actor=actor, id=round_id)
    _require_status(actor, round_.task)
    status = selectors.round_status(round=round_)

    def entries(items) -> list[dict]:
        return [{"unit": s.unit, "submission": s.submission} for s in items]

    return {
        "id": round_.pk,
        "task_id": round_.task_id,
        "task_title": round_.task.title,
        "period_start": round_.period_start,
        "period_end": round_.period_end,
        "due_at": round_.due_at,
        "is_overdue": status.is_overdue,
        "is_locked": status.lock is not None,
        "period_text": selectors.period_text(round_),
        "deadline_text": selectors.deadline_text(round_.due_at),
        "on_time": entries(status.on_time),
        "late": entries(status.late),
        "missing": entries(status.missing),
        "reminder": selectors.reminder_text(round=round_, status=status),
    }


@router.post(
    "/rounds/{round_id}/submissions",
    response={201: SubmissionOut, 404: ErrorOut, **WRITE_ERRORS},
    summary="Submit (or resubmit) a unit's form for a round; values become ledger figures",
)
def submission_submit(request: HttpRequest, round_id: int, payload: SubmissionIn):
    actor = request.auth
    round_: CollectionRound = selectors.access_round(actor=actor, id=round_id)
    unit = round_.task.units.select_related("region").filter(pk=payload.unit_id).first()
    if unit is None:
        # A unit the actor may not answer for is refused as such, named or not: a reporter
        # learns nothing of which units a task asks.
        other = Unit.objects.filter(pk=payload.unit_id).first()
        if other is not None:
            services.submission_check(actor=actor, round=round_, unit=other)
        raise InvalidInput(
            [
                RowError(
                    None,
                    "unit_id",
                    _("The task does not ask this unit: %(id)s") % {"id": payload.unit_id},
                )
            ]
        )
    values = {
        code: None if v.value is None else (str(v.value), v.approx.value)
        for code, v in payload.values.items()
    }
    with _fields(SUBMISSION_FIELDS, values_prefix=True):
        submission = services.submission_submit(
            actor=actor, round=round_, unit=unit, values=values, note=payload.note
        )
    return Status(201, selectors.submission_for(round=round_, unit=unit) or submission)


@router.get(
    "/collection/due",
    response={200: list[DueOut], 401: ErrorOut},
    summary="The forms the user's unit still owes, the earliest deadline first",
)
def forms_due(request: HttpRequest):
    actor = request.auth
    unit = getattr(actor, "unit", None)
    if unit is not None and services.can_submit(actor, unit):
        for task in unit.collection_tasks.filter(is_active=True):
            services.rounds_ensure(task=task)
    return [
        {
            "round_id": due.round.pk,
            "task_id": due.round.task_id,
            "task_title": due.round.task.title,
            "campaign_id": due.round.task.campaign_id,
            "unit": due.unit,
            "period_start": due.round.period_start,
            "period_end": due.round.period_end,
            "due_at": due.round.due_at,
            "is_overdue": due.is_overdue,
        }
        for due in selectors.tasks_due_for(actor=actor)
    ]
