"""Reads of collection tasks: task lists, what a unit owes, who has reported in a round,
and the reminder text the office pastes into its WeChat group."""

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from campaigndesk.accounts.scoping import read_scope, visible_q
from campaigndesk.campaigns.models import Campaign
from campaigndesk.common.errors import NotFound
from campaigndesk.ledger.models import PeriodLock
from campaigndesk.regions.models import Unit
from campaigndesk.regions.paths import is_within

from .models import CollectionRound, CollectionTask, Submission, SubmissionValue, TaskUnit
from .periods import local_date
from .services import can_manage_task, can_submit

__all__ = [
    "DueForm",
    "RoundStatus",
    "UnitStatus",
    "access_round",
    "access_task",
    "can_manage_task",
    "can_submit",
    "can_view_status",
    "deadline_text",
    "period_text",
    "reminder_text",
    "round_list",
    "round_status",
    "rounds_owed",
    "submission_for",
    "task_list",
    "tasks_due_for",
    "unit_submissions",
]


def _visible_tasks(actor) -> QuerySet[CollectionTask]:
    # An office (and the roles reading its subtree) sees the tasks of its region and those
    # naming a unit of its subtree (it may answer for them: a superior's task naming the
    # county office itself, say); a reporter sees the tasks that name its unit.
    return CollectionTask.objects.filter(
        visible_q(
            actor,
            path_field="region_path",
            unit_field="units",
            unit_path_field="units__region_path",
        )
    ).distinct()


def task_list(*, actor, campaign: Campaign) -> QuerySet[CollectionTask]:
    """The campaign's tasks the actor may see, newest first, with unit and indicator
    counts (``unit_count``: the active units it asks; ``indicator_count``)."""
    visible = _visible_tasks(actor).filter(campaign=campaign).values("pk")
    return (
        CollectionTask.objects.filter(pk__in=visible)
        .select_related("campaign", "region")
        .annotate(
            unit_count=Count("units", filter=Q(units__is_active=True), distinct=True),
            indicator_count=Count("indicators", distinct=True),
        )
        .order_by("-created_at", "-id")
    )


def access_task(*, actor, id: int) -> CollectionTask:
    """The task, or NotFound alike when missing and when not visible to the actor."""
    try:
        return _visible_tasks(actor).select_related("campaign", "region").get(pk=id)
    except (CollectionTask.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def access_round(*, actor, id: int) -> CollectionRound:
    """The round, or NotFound alike when missing and when its task is not visible."""
    try:
        visible = _visible_tasks(actor).values("pk")
        return CollectionRound.objects.select_related("task__campaign", "task__region").get(
            pk=id, task__in=visible
        )
    except (CollectionRound.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def task_answered(*, task: CollectionTask) -> bool:
    """Whether any unit has answered any round of the task (it can then only be closed)."""
    return Submission.objects.filter(round__task=task).exists()


def can_view_status(actor, task: CollectionTask) -> bool:
    """Whether the actor may see every unit's answers to the task (the office and the
    roles reading its region), not only its own unit's."""
    scope = read_scope(actor)
    return scope.everything or (
        scope.subtree_path is not None and is_within(task.region_path, scope.subtree_path)
    )


def _asked_q(prefix: str = "", *, due_at) -> Q:
    """Q for the task memberships (``TaskUnit``, reached through ``prefix``) that ask their
    unit for a round due at ``due_at`` (a value or an expression): named from the start,
    or added before that deadline."""
    return Q(**{f"{prefix}added_at__isnull": True}) | Q(**{f"{prefix}added_at__lte": due_at})


def round_list(*, task: CollectionTask) -> QuerySet[CollectionRound]:
    """The task's rounds, newest first, with ``submitted_count`` and ``late_count`` over
    every answer (as ``round_status`` counts them: a unit taken off the task since keeps
    its answer), and ``missing_count``: the active units asked for the round (see
    ``TaskUnit``) that have not answered it."""
    answered = Submission.objects.filter(round=OuterRef(OuterRef("pk")), unit=OuterRef("unit"))
    missing = (
        TaskUnit.objects.filter(
            _asked_q(due_at=OuterRef("due_at")), task=task, unit__is_active=True
        )
        .filter(~Exists(answered))
        .order_by()
        .values("task")
        .annotate(n=Count("*"))
        .values("n")
    )
    return (
        task.rounds.annotate(
            submitted_count=Count("submissions"),
            late_count=Count("submissions", filter=Q(submissions__is_late=True)),
        )
        .annotate(
            missing_count=Coalesce(Subquery(missing, output_field=IntegerField()), 0),
        )
        .order_by("-period_start")
    )


# --- what a unit owes ---------------------------------------------------------------------


@dataclass
class DueForm:
    """A round the unit has not answered yet."""

    round: CollectionRound
    unit: Unit
    is_overdue: bool


def rounds_owed(*, unit: Unit, now: datetime.datetime) -> QuerySet[CollectionRound]:
    """The rounds that ask ``unit`` (see ``TaskUnit``), whose periods have begun by
    ``now``, that it has not answered and whose period is not locked (a form that could
    not be filed is not owed), the earliest deadline first: of every task (the callers
    narrow them to the tasks they show). None for a unit no longer active."""
    if not unit.is_active:
        return CollectionRound.objects.none()
    locked = _locks_holding(OuterRef("task__campaign"), OuterRef("period_end"))
    return (
        CollectionRound.objects.filter(
            _asked_q("task__memberships__", due_at=F("due_at")),
            task__memberships__unit=unit,
            period_start__lte=local_date(now),
        )
        .exclude(submissions__unit=unit)
        .exclude(Exists(locked))
        .select_related("task__campaign")
        .order_by("due_at", "task_id")
    )


def tasks_due_for(*, actor, now: datetime.datetime | None = None) -> list[DueForm]:
    """The forms the actor's unit still owes: rounds of active tasks naming the unit whose
    periods have begun, not yet answered and not locked, the earliest deadline first.
    Empty for an actor who may not fill in forms for its unit."""
    unit = getattr(actor, "unit", None)
    if unit is None or not can_submit(actor, unit):
        return []
    now = now or timezone.now()
    return [
        DueForm(round=r, unit=unit, is_overdue=now > r.due_at)
        for r in rounds_owed(unit=unit, now=now).filter(task__is_active=True)
    ]


def unit_submissions(*, actor, unit: Unit, limit: int = 20) -> QuerySet[Submission]:
    """The unit's latest submissions (to look at or correct) to tasks that still ask it,
    when the actor may fill in forms for it; none otherwise. (The form of a task that no
    longer names the unit is not its to open: its answer stays in the ledger.)"""
    if not can_submit(actor, unit):
        return Submission.objects.none()
    return (
        Submission.objects.filter(unit=unit, round__task__memberships__unit=unit)
        .select_related("round__task__campaign", "submitted_by")
        .order_by("-submitted_at")[:limit]
    )


def submission_for(*, round: CollectionRound, unit: Unit) -> Submission | None:
    """The unit's submission to the round with its values (``values_by_code``)."""
    submission = (
        Submission.objects.filter(round=round, unit=unit)
        .select_related("submitted_by")
        .prefetch_related(
            Prefetch("values", queryset=SubmissionValue.objects.select_related("indicator"))
        )
        .first()
    )
    if submission is not None:
        submission.values_by_code = {sv.indicator.code: sv for sv in submission.values.all()}
    return submission


# --- who has reported ---------------------------------------------------------------------


@dataclass
class UnitStatus:
    unit: Unit
    submission: Submission | None = None

    @property
    def values_by_code(self) -> dict[str, SubmissionValue]:
        if self.submission is None:
            return {}
        return {sv.indicator.code: sv for sv in self.submission.values.all()}


@dataclass
class RoundStatus:
    """Who has answered a round: on time, late, not yet (``missing``)."""

    round: CollectionRound
    on_time: list[UnitStatus] = field(default_factory=list)
    late: list[UnitStatus] = field(default_factory=list)
    missing: list[UnitStatus] = field(default_factory=list)
    is_overdue: bool = False
    lock: PeriodLock | None = None  # a lock holding the period: nothing can be filed

    @property
    def reported(self) -> list[UnitStatus]:
        return self.on_time + self.late


def round_lock(round: CollectionRound) -> PeriodLock | None:
    """The lock that holds the round's period (its figures are dated on its last day, as
    ``rounds_owed`` judges it), or None: while it holds, no form of the round is filed."""
    return _locks_holding(round.task.campaign_id, round.period_end).order_by("start").first()


def _locks_holding(campaign, period_end) -> QuerySet[PeriodLock]:
    """The locks in force that hold a round of ``campaign`` whose period ends on
    ``period_end`` (values, or references to the outer query's): its figures are dated
    on that day."""
    return PeriodLock.objects.filter(
        campaign=campaign, reopened_at__isnull=True, start__lte=period_end, end__gte=period_end
    )


def round_status(*, round: CollectionRound, now: datetime.datetime | None = None) -> RoundStatus:
    """Sort the units the round asks (see ``TaskUnit``; and any unit that answered though
    not asked, or before it was taken off the task) into on time, late and missing, for a
    round the caller may see. A unit no longer active is not asked (it cannot answer)."""
    now = now or timezone.now()
    units = list(
        Unit.objects.filter(
            is_active=True,
            pk__in=TaskUnit.objects.filter(
                _asked_q(due_at=round.due_at), task=round.task_id
            ).values("unit"),
        )
        .select_related("region")
        .order_by("region_path", "name")
    )
    submissions = {
        s.unit_id: s
        for s in Submission.objects.filter(round=round)
        .select_related("unit", "submitted_by")
        .prefetch_related(
            Prefetch("values", queryset=SubmissionValue.objects.select_related("indicator"))
        )
    }
    named = {u.pk for u in units}
    units += sorted(
        (s.unit for uid, s in submissions.items() if uid not in named),
        key=lambda u: (u.region_path, u.name),
    )
    status = RoundStatus(round=round, is_overdue=now > round.due_at, lock=round_lock(round))
    for unit in units:
        submission = submissions.get(unit.pk)
        entry = UnitStatus(unit=unit, submission=submission)
        if submission is None:
            status.missing.append(entry)
        elif submission.is_late:
            status.late.append(entry)
        else:
            status.on_time.append(entry)
    return status


# --- words --------------------------------------------------------------------------------


def _local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment, timezone.get_default_timezone())


def deadline_text(due_at: datetime.datetime) -> str:
    """A deadline as people say it: "November 22 (Friday) 17:00" / "11月22日（星期五）17:00"."""
    local = _local(due_at)
    return _("%(date)s (%(weekday)s) %(time)s") % {
        "date": formats.date_format(local, "MONTH_DAY_FORMAT"),
        "weekday": formats.date_format(local, "l"),
        "time": local.strftime("%H:%M"),
    }


def rounds_past_due(*, task: CollectionTask, now: datetime.datetime | None = None) -> int:
    """How many of the task's rounds (as opened so far) were due before ``now``."""
    return task.rounds.filter(due_at__lt=now or timezone.now()).count()


def period_text(round: CollectionRound) -> str:
    """The round's period: "November 16 – November 22" / "11月16日至11月22日"."""
    start = formats.date_format(round.period_start, "MONTH_DAY_FORMAT")
    if round.period_start == round.period_end:
        return start
    end = formats.date_format(round.period_end, "MONTH_DAY_FORMAT")
    if round.period_start.year != round.period_end.year:
        start = formats.date_format(round.period_start, "DATE_FORMAT")
        end = formats.date_format(round.period_end, "DATE_FORMAT")
    return _("%(start)s – %(end)s") % {"start": start, "end": end}


def reminder_text(
    *,
    round: CollectionRound,
    now: datetime.datetime | None = None,
    status: RoundStatus | None = None,
    language: str | None = None,
) -> str:
    """A ready-to-paste reminder naming the units that have not answered the round and
    the deadline (in ``language``, default the active one), or a line saying that all
    have answered."""
    if language:
        with translation.override(language):
            return reminder_text(round=round, now=now, status=status)
    status = status or round_status(round=round, now=now)
    words = {
        "title": round.task.title,
        "period": period_text(round),
        "deadline": deadline_text(round.due_at),
        "units": pgettext("list separator", ", ").join(s.unit.name for s in status.missing),
        "count": len(status.missing),
    }
    if not status.missing:
        return _("All units have filled in “%(title)s” (%(period)s).") % words
    if not round.task.is_active:
        return _("“%(title)s” is closed: no form of it can be filed.") % words
    if status.lock is not None:
        # (a reminder would ask for a form that cannot be filed)
        return (
            _(
                "“%(title)s” (%(period)s) is locked: no form can be filed until the office "
                "reopens the period."
            )
            % words
        )
    count = len(status.missing)
    if status.is_overdue:
        return (
            ngettext(
                "[Reminder] “%(title)s” (%(period)s) was due by %(deadline)s. The following "
                "unit has not filled it in yet; please do so at once: %(units)s.",
                "[Reminder] “%(title)s” (%(period)s) was due by %(deadline)s. The following "
                "%(count)s units have not filled it in yet; please do so at once: %(units)s.",
                count,
            )
            % words
        )
    return (
        ngettext(
            "[Reminder] Please fill in “%(title)s” (%(period)s) by %(deadline)s. Not yet "
            "received from: %(units)s.",
            "[Reminder] Please fill in “%(title)s” (%(period)s) by %(deadline)s. Not yet "
            "received from these %(count)s units: %(units)s.",
            count,
        )
        % words
    )
