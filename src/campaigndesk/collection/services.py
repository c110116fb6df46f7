"""Writes on collection tasks: sending a task, opening its rounds, and units' submissions,
whose values become ledger figures through the ledger's own services (so a submitted value
passes the same checks as a figure typed into the ledger, and is counted exactly once)."""

import contextlib
import datetime
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from campaigndesk.accounts.audit import audit_log, records_denials, snapshot
from campaigndesk.accounts.scoping import can_manage, require_manage
from campaigndesk.campaigns.models import Campaign
from campaigndesk.common.errors import DomainError, FieldError, Forbidden
from campaigndesk.ledger import services as ledger
from campaigndesk.ledger.models import Aggregation, Approx, Evidence, Indicator, RecordKind
from campaigndesk.regions.models import Region, Unit
from campaigndesk.regions.paths import is_within

from .models import CollectionRound, CollectionTask, Recurrence, Submission, SubmissionValue
from .periods import DeadlineRule, local_date, periods

# A form asks for counts or for a cumulative snapshot; distinct counts and ratios are
# computed from the ledger and cannot be typed in.
FORM_AGGREGATIONS = (Aggregation.SUM, Aggregation.LATEST)
# FigureRecord.value is DECIMAL(20, 4).
MAX_VALUE = Decimal(10) ** 16
FOUR_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class EvidenceUpload:
    """A file sent with a submission (a photo of the sign-in sheet, a screenshot)."""

    filename: str
    data: bytes
    kind: str = Evidence.Kind.PHOTO


# --- permissions -------------------------------------------------------------------------


def can_submit(actor, unit: Unit) -> bool:
    """Whether the actor may fill in forms for ``unit``: its own unit for a reporter, any
    unit in its subtree for an office (on the unit's behalf), anything for an admin. The
    same rule as filing ledger records, since the values become ledger figures."""
    return ledger.can_write_unit(actor, unit)


def can_manage_task(actor, task: CollectionTask) -> bool:
    return can_manage(actor, region_path=task.region_path)


def _require_submit(actor, unit: Unit) -> None:
    if not can_submit(actor, unit):
        error = Forbidden(_("You may not fill in forms for %(unit)s.") % {"unit": unit.name})
        error.region_path = unit.region_path  # type: ignore[attr-defined]
        error.object_repr = unit.name  # type: ignore[attr-defined]
        raise error


def task_region_for(actor, campaign: Campaign) -> Region:
    """The region a new task belongs to: the campaign's, when the actor is the office over
    it; otherwise the actor's own office region inside the campaign (a county office may
    send its own units a form in a prefecture-wide campaign)."""
    if can_manage(actor, region_path=campaign.region_path):
        return campaign.region
    unit = getattr(actor, "unit", None)
    if (
        unit is not None
        and is_within(unit.region_path, campaign.region_path)
        and can_manage(actor, region_path=unit.region_path)
    ):
        return unit.region
    require_manage(actor, region_path=campaign.region_path, what=str(campaign))
    raise AssertionError("require_manage let an actor through that can_manage refused")


def can_create_task(actor, campaign: Campaign) -> bool:
    try:
        task_region_for(actor, campaign)
    except Forbidden:
        return False
    return True


# --- validation --------------------------------------------------------------------------


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise FieldError("title", _("A task needs a title."))
    if len(title) > 200:
        raise FieldError("title", _("The title is longer than 200 characters."))
    return title


def _clean_indicators(indicators: Iterable[Indicator], *, kept=()) -> list[Indicator]:
    """The indicators chosen, checked; one no longer in use may stay (``kept``: those the
    task asks already) but not be added."""
    chosen = list(indicators)
    kept = {i.pk for i in kept}
    if not chosen:
        raise FieldError("indicators", _("Choose at least one indicator for the form."))
    for indicator in chosen:
        if not isinstance(indicator, Indicator):
            raise FieldError("indicators", _("Unknown indicator."))
        if indicator.aggregation not in FORM_AGGREGATIONS:
            raise FieldError(
                "indicators",
                _("%(name)s is computed from the ledger; it cannot be asked for in a form.")
                % {"name": indicator.name},
            )
        if not indicator.is_active and indicator.pk not in kept:
            raise FieldError(
                "indicators", _("%(name)s is no longer in use.") % {"name": indicator.name}
            )
    return sorted(set(chosen), key=lambda i: (i.category, i.order, i.code))


def _clean_units(units: Iterable[Unit], region: Region, *, kept=()) -> list[Unit]:
    """The units chosen, checked; one no longer active may stay (``kept``: those the task
    asks already: it is not asked while inactive) but not be added."""
    chosen = list(units)
    kept = {u.pk for u in kept}
    if not chosen:
        raise FieldError("units", _("Choose at least one unit to send the form to."))
    for unit in chosen:
        if not isinstance(unit, Unit):
            raise FieldError("units", _("Unknown unit."))
        if not is_within(unit.region_path, region.path):
            raise FieldError(
                "units",
                _("%(unit)s lies outside %(region)s.") % {"unit": unit.name, "region": region.name},
            )
        if not unit.is_active and unit.pk not in kept:
            raise FieldError("units", _("%(unit)s is no longer active.") % {"unit": unit.name})
    return sorted(set(chosen), key=lambda u: (u.region_path, u.name))


def _aware(moment: datetime.datetime) -> datetime.datetime:
    if timezone.is_naive(moment):
        return timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def _local_time(moment: datetime.time, day: datetime.date) -> datetime.time:
    """A time of day as the office's clock shows it: a time given with an offset
    ("09:00Z", "17:00+08:00", from the API) is moved to the site's time zone (on ``day``,
    for a zone with daylight saving) and stored without one, as the deadlines are
    computed in that zone. Raises FieldError for a time that falls on another day there."""
    if moment.utcoffset() is None:
        return moment.replace(tzinfo=None)
    local = datetime.datetime.combine(day, moment).astimezone(timezone.get_default_timezone())
    if local.date() != day:
        # (20:00Z is 04:00 of the next day in Beijing: the weekday or the day of the month
        # given would be a day early; refused rather than guessed)
        raise FieldError(
            "due_time",
            _(
                "%(time)s falls on another day in the office's time zone (%(local)s); give "
                "the time as the office's clock shows it."
            )
            % {"time": moment.isoformat(), "local": local.strftime("%H:%M")},
        )
    return local.time().replace(tzinfo=None)


def _clean_rule(
    *,
    campaign: Campaign,
    recurrence: str,
    first_period_start,
    due_weekday,
    due_day,
    due_time,
    due_at,
) -> DeadlineRule:
    if recurrence not in Recurrence.values:
        raise FieldError("recurrence", _("Choose once, weekly or monthly."))
    if not isinstance(first_period_start, datetime.date) or isinstance(
        first_period_start, datetime.datetime
    ):
        raise FieldError("first_period_start", _("A date is required."))
    if not campaign.start_date <= first_period_start <= campaign.end_date:
        raise FieldError(
            "first_period_start",
            _("%(date)s lies outside the campaign (%(start)s – %(end)s).")
            % {"date": first_period_start, "start": campaign.start_date, "end": campaign.end_date},
        )
    if recurrence == Recurrence.ONCE:
        if not isinstance(due_at, datetime.datetime):
            raise FieldError("due_at", _("A one-off task needs a deadline (date and time)."))
        due_at = _aware(due_at)
        if local_date(due_at) < first_period_start:
            raise FieldError("due_at", _("The deadline falls before the period starts."))
        return DeadlineRule(recurrence, first_period_start, due_at=due_at)
    if not isinstance(due_time, datetime.time):
        raise FieldError("due_time", _("A time of day is required for the deadline."))
    due_time = _local_time(due_time, first_period_start)
    if recurrence == Recurrence.WEEKLY:
        if not isinstance(due_weekday, int) or not 0 <= due_weekday <= 6:
            raise FieldError("due_weekday", _("Choose the weekday of the deadline."))
        return DeadlineRule(
            recurrence, first_period_start, due_weekday=int(due_weekday), due_time=due_time
        )
    if due_day is None or not 1 <= int(due_day) <= 31:
        raise FieldError("due_day", _("Choose a day of the month from 1 to 31."))
    return DeadlineRule(recurrence, first_period_start, due_day=int(due_day), due_time=due_time)


def _task_snapshot(task: CollectionTask) -> dict:
    return {
        **snapshot(task),
        "indicators": sorted(task.indicators.values_list("code", flat=True)),
        "units": sorted(task.units.values_list("pk", flat=True)),
    }


# --- tasks -------------------------------------------------------------------------------


@records_denials("collection.task.create")
def task_create(
    *,
    actor,
    campaign: Campaign,
    title: str,
    indicators: Iterable[Indicator],
    units: Iterable[Unit],
    recurrence: str,
    first_period_start: datetime.date,
    due_time: datetime.time | None = None,
    due_weekday: int | None = None,
    due_day: int | None = None,
    due_at: datetime.datetime | None = None,
    instructions: str = "",
) -> CollectionTask:
    """Send a collection task: a form of ``indicators`` (sum or latest-snapshot ones) to
    ``units`` once (due at ``due_at``), weekly (due on ``due_weekday`` at ``due_time``) or
    monthly (due on day ``due_day`` of the next month at ``due_time``), periods starting at
    ``first_period_start``. Raises Forbidden unless the actor is the office over the
    campaign (or over its own region inside it); FieldError naming the bad field."""
    region = task_region_for(actor, campaign)
    title = _clean_title(title)
    chosen_indicators = _clean_indicators(indicators)
    chosen_units = _clean_units(units, region)
    rule = _clean_rule(
        campaign=campaign,
        recurrence=recurrence,
        first_period_start=first_period_start,
        due_weekday=due_weekday,
        due_day=due_day,
        due_time=due_time,
        due_at=due_at,
    )
    with transaction.atomic():
        task = CollectionTask.objects.create(
            campaign=campaign,
            region=region,
            region_path=region.path,
            title=title,
            instructions=(instructions or "").strip(),
            recurrence=rule.recurrence,
            first_period_start=rule.first_period_start,
            due_weekday=rule.due_weekday,
            due_day=rule.due_day,
            due_time=rule.due_time,
            due_at=rule.due_at,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        task.indicators.set(chosen_indicators)
        task.units.set(chosen_units)
        audit_log(
            actor=actor,
            action="collection.task.created",
            obj=task,
            after=_task_snapshot(task),
            region_path=task.region_path,
        )
    return task


@records_denials("collection.task.update")
def task_update(
    *,
    actor,
    task: CollectionTask,
    title: str | None = None,
    instructions: str | None = None,
    indicators: Iterable[Indicator] | None = None,
    units: Iterable[Unit] | None = None,
    is_active: bool | None = None,
) -> CollectionTask:
    """Change a task's title, instructions, indicators, units or active flag (None leaves
    a field as it is). The schedule stays as sent: send a new task for another one.
    Values already submitted for an indicator taken off the form stay in the ledger.
    Raises Forbidden unless the actor is the office over the task; FieldError."""
    require_manage(actor, region_path=task.region_path, what=str(task))
    new_title = _clean_title(title) if title is not None else None
    new_indicators = new_units = None
    if indicators is not None:
        new_indicators = _clean_indicators(indicators, kept=task.indicators.all())
    if units is not None:
        new_units = _clean_units(units, task.region, kept=task.units.all())
    with transaction.atomic():
        task = CollectionTask.objects.select_for_update().get(pk=task.pk)
        before = _task_snapshot(task)
        if new_title is not None:
            task.title = new_title
        if instructions is not None:
            task.instructions = instructions.strip()
        if is_active is not None:
            if is_active and not task.is_active:
                task.resumed_at = timezone.now()
            elif not is_active and task.is_active:
                # The rounds due so far are opened now: rounds are opened as pages and
                # the scheduler come by, and once closed (then resumed) a task does not
                # open those due before its resumption.
                rounds_ensure(task=task)
            task.is_active = bool(is_active)
        task.save()
        if new_indicators is not None:
            task.indicators.set(new_indicators)
        if new_units is not None:
            # A unit added now is asked from the rounds due after now (see TaskUnit).
            task.units.set(new_units, through_defaults={"added_at": timezone.now()})
        after = _task_snapshot(task)
        if after != {**before, "updated_at": after["updated_at"]}:
            audit_log(
                actor=actor,
                action="collection.task.updated",
                obj=task,
                before=before,
                after=after,
                region_path=task.region_path,
            )
    return task


@records_denials("collection.task.delete")
def task_delete(*, actor, task: CollectionTask) -> None:
    """Delete a task sent by mistake, with its rounds. Raises Forbidden unless the actor is
    the office over the task; DomainError once any unit has answered it: its values are
    ledger figures that name the task as their source, so such a task is closed
    (``task_deactivate``), never deleted."""
    require_manage(actor, region_path=task.region_path, what=str(task))
    with transaction.atomic():
        task = CollectionTask.objects.select_for_update().get(pk=task.pk)
        if Submission.objects.filter(round__task=task).exists():
            raise DomainError(
                _("Units have answered this task: close it instead, so their answers keep it.")
            )
        before = _task_snapshot(task)
        task_id, task_repr, region_path = task.pk, str(task), task.region_path
        try:
            CollectionRound.objects.filter(task=task).delete()
            task.delete()
        except ProtectedError:
            # An answer filed since the check above (submissions do not lock the task).
            raise DomainError(
                _("Units have answered this task: close it instead, so their answers keep it.")
            ) from None
        audit_log(
            actor=actor,
            action="collection.task.deleted",
            object_type="collection.collectiontask",
            object_repr=task_repr,
            before=before,
            extra={"id": task_id},
            region_path=region_path,
        )


def task_deactivate(*, actor, task: CollectionTask) -> CollectionTask:
    """Stop a task: no new rounds, no more submissions (what was submitted stays)."""
    return task_update(actor=actor, task=task, is_active=False)


# --- rounds ------------------------------------------------------------------------------


def rounds_refit(*, campaign: Campaign) -> None:
    """Fit the unanswered rounds of the campaign's tasks to its dates as they are now (run
    when they change, in the same transaction): a round cut short at an earlier end runs
    to its whole period again (or to the new end), one running past a new end is cut
    there, and one that begins after the new end (or ends before a new start) is removed,
    so that no day goes uncollected and no unit owes a form it could not file. An answered
    round keeps its period: its figures are dated by it (and the campaign cannot end
    before them). Audited as the system's doing, as the rounds' opening is."""
    unanswered = (
        CollectionRound.objects.filter(task__campaign=campaign, submissions__isnull=True)
        .select_related("task")
        .order_by("task_id", "period_start")
    )
    by_task: dict[int, list[CollectionRound]] = {}
    for round_ in unanswered:
        by_task.setdefault(round_.task_id, []).append(round_)
    for rounds in by_task.values():
        task = rounds[0].task
        rule = DeadlineRule.of(task)
        until = rounds[-1].period_start
        fitted = {p.start: p for p in periods(rule, until=until, last_day=campaign.end_date)}
        for round_ in rounds:
            period = fitted.get(round_.period_start)
            before = snapshot(round_)
            outside = (
                round_.period_start > campaign.end_date or round_.period_end < campaign.start_date
            )
            if outside:
                round_id, round_repr = round_.pk, str(round_)
                try:
                    with transaction.atomic():
                        round_.delete()
                except ProtectedError:
                    continue  # (answered meanwhile: it keeps its period)
                audit_log(
                    actor=None,
                    action="collection.round.deleted",
                    object_type="collection.collectionround",
                    object_repr=round_repr,
                    before=before,
                    extra={"id": round_id},
                    region_path=task.region_path,
                )
            elif period is not None and period.end != round_.period_end:
                round_.period_end = period.end
                round_.save(update_fields=["period_end"])
                audit_log(
                    actor=None,
                    action="collection.round.updated",
                    obj=round_,
                    before=before,
                    after=snapshot(round_),
                    region_path=task.region_path,
                )


def rounds_ensure(
    *, task: CollectionTask, until: datetime.datetime | datetime.date | None = None
) -> list[CollectionRound]:
    """Open the rounds of an active task whose periods have begun by ``until`` (default:
    now), within the campaign, but for those that fell due while the task was closed;
    idempotent. Returns the rounds it created (audited as the system's doing: nobody
    asked for them, the calendar did)."""
    task = CollectionTask.objects.select_related("campaign").get(pk=task.pk)
    if not task.is_active:
        return []
    if until is None:
        until = timezone.now()
    day = local_date(until) if isinstance(until, datetime.datetime) else until
    campaign = task.campaign
    wanted = [
        period
        for period in periods(DeadlineRule.of(task), until=day, last_day=campaign.end_date)
        if period.end >= campaign.start_date  # (none before a start moved later)
    ]
    existing = set(task.rounds.values_list("period_start", flat=True))
    missing = [p for p in wanted if p.start not in existing]
    if task.resumed_at is not None:  # (not those that fell due while it was closed)
        missing = [p for p in missing if p.due_at >= task.resumed_at]
    if not missing:
        return []
    created = []
    with transaction.atomic():
        for period in missing:
            round_, is_new = CollectionRound.objects.get_or_create(
                task=task,
                period_start=period.start,
                defaults={"period_end": period.end, "due_at": period.due_at},
            )
            if is_new:
                created.append(round_)
                audit_log(
                    actor=None,
                    action="collection.round.created",
                    obj=round_,
                    after=snapshot(round_),
                    region_path=task.region_path,
                )
    return created


# --- submissions -------------------------------------------------------------------------


def _parse_values(
    values: Mapping[str, object], indicators: dict[str, Indicator]
) -> dict[str, tuple[Decimal, str] | None]:
    """Each form indicator's (value, approximation), or None when left blank."""
    unknown = sorted(set(values) - set(indicators))
    if unknown:
        raise FieldError(
            unknown[0], _("%(code)s is not asked for in this form.") % {"code": unknown[0]}
        )
    parsed: dict[str, tuple[Decimal, str] | None] = {}
    for code, indicator in indicators.items():
        raw = values.get(code)
        value, approx = (*raw, "")[:2] if isinstance(raw, (tuple, list)) else (raw, "")
        if value is None or (isinstance(value, str) and not value.strip()):
            parsed[code] = None
            continue
        text = str(value).strip().replace(",", "").replace("，", "")
        try:
            number = Decimal(text)
        except (InvalidOperation, ValueError):
            number = None
        if number is None or not number.is_finite():
            raise FieldError(
                code,
                _("%(name)s: not a number: %(value)s") % {"name": indicator.name, "value": value},
            )
        if number < 0:
            raise FieldError(code, _("%(name)s must not be negative.") % {"name": indicator.name})
        if number >= MAX_VALUE:
            raise FieldError(code, _("%(name)s is too large.") % {"name": indicator.name})
        if number != number.quantize(FOUR_PLACES):  # (the ledger keeps four places)
            raise FieldError(
                code,
                _("At most %(places)s decimal places: %(value)s") % {"places": 4, "value": value},
            )
        approx = approx or ""
        if approx not in Approx.values:
            raise FieldError(code, _("Unknown approximation."))
        parsed[code] = (number.quantize(FOUR_PLACES), approx)
    return parsed


def _values_snapshot(submission: Submission) -> dict[str, list[str]]:
    return {
        sv.indicator.code: [str(sv.value), sv.approx, sv.figure_id]
        for sv in submission.values.select_related("indicator")
    }


def _source(task: CollectionTask, round_: CollectionRound) -> str:
    """The figure's source as stored (and shown to everyone after): in the site's
    language, not in the language of whoever happened to submit the form."""
    with translation.override(settings.LANGUAGE_CODE):
        text = _("collection task %(title)s round %(start)s – %(end)s") % {
            "title": task.title,
            "start": round_.period_start.isoformat(),
            "end": round_.period_end.isoformat(),
        }
    return text[:300]


@contextlib.contextmanager
def _filed_as(code: str) -> Iterator[None]:
    """Report the ledger's refusal of one value as the form's: a fault of the value under
    the indicator's code; any other (the round's date, now outside the campaign's dates,
    say) as the round's, not as a field the unit never saw."""
    try:
        yield
    except FieldError as error:
        if error.field in ("value", "approx"):
            raise FieldError(code, error.message) from None
        raise DomainError(
            _("This round's figures cannot be filed: %(reason)s") % {"reason": error.message}
        ) from None


@records_denials("collection.submission.submit")
def submission_check(*, actor, round: CollectionRound, unit: Unit) -> None:
    """Raise Forbidden (and record the attempt) unless the actor may submit for ``unit``:
    for pages that refuse a posted form before it is parsed."""
    _require_submit(actor, unit)


@records_denials("collection.submission.submit")
def submission_submit(
    *,
    actor,
    round: CollectionRound,
    unit: Unit,
    values: Mapping[str, object],
    evidence: Iterable[EvidenceUpload] = (),
    note: str = "",
    now: datetime.datetime | None = None,
) -> Submission:
    """Submit (or resubmit) ``unit``'s form for a round. ``values`` maps indicator codes
    to ``(value, approx)`` (or a bare value); a blank or missing code means nothing to
    report for it. Each value becomes one ledger figure dated the period's last day; a
    resubmission updates (only where the unit changed its value: an office's correction
    in the ledger stays) or deletes those figures, so nothing is counted twice. Evidence
    files are attached to the submission's first figure. A submission after the deadline
    is flagged late. Raises Forbidden when the actor may not submit for the unit;
    FieldError for a unit the task does not name, an indicator not on the form, a
    negative or non-numeric value; DomainError for a closed task or a locked period.
    Nothing is written when anything is refused."""
    # The task as it is now (the caller's copy may predate closing it or changing it).
    task = CollectionTask.objects.select_related("campaign").get(pk=round.task_id)
    _require_submit(actor, unit)
    if not task.units.filter(pk=unit.pk).exists():
        raise FieldError(
            "unit", _("%(unit)s is not asked to fill in this form.") % {"unit": unit.name}
        )
    if not task.is_active:
        raise DomainError(_("This collection task is closed."))
    campaign = task.campaign
    writer = ledger.RecordWriter(actor=actor, campaign=campaign)
    try:
        writer.check_unlocked(round.period_end)
    except FieldError:
        raise DomainError(
            _("The period %(start)s – %(end)s is locked; ask the office to reopen it.")
            % {"start": round.period_start, "end": round.period_end}
        ) from None
    indicators = {i.code: i for i in task.indicators.all()}
    parsed = _parse_values(values, indicators)
    uploads = list(evidence)
    if uploads and all(v is None for v in parsed.values()):
        raise FieldError("evidence", _("Fill in at least one value to attach evidence to."))
    # Every file checked before any is stored: a file stored and then rolled back with the
    # submission would stay on disk with nothing pointing to it.
    for upload in uploads:
        try:
            ledger.evidence_check(data=upload.data, evidence_kind=upload.kind)
        except FieldError as error:
            raise FieldError(
                "evidence",
                f"{upload.filename}: {error.message}" if upload.filename else error.message,
            ) from None
    now = now or timezone.now()
    by = actor if getattr(actor, "pk", None) else None
    source = _source(task, round)
    with transaction.atomic():
        # The round's row locked first: two first submissions of one unit (a double tap)
        # would otherwise both find none and both insert one.
        list(CollectionRound.objects.select_for_update().filter(pk=round.pk).values_list("pk"))
        submission = Submission.objects.select_for_update().filter(round=round, unit=unit).first()
        before = None
        if submission is None:
            submission = Submission(
                round=round, unit=unit, first_submitted_at=now, is_late=now > round.due_at
            )
        else:
            before = _values_snapshot(submission)
            submission.revision += 1
        submission.submitted_at = now
        submission.submitted_by = by
        submission.note = (note or "").strip()
        submission.save()
        current = {
            sv.indicator.code: sv for sv in submission.values.select_related("indicator", "figure")
        }
        figure_fields = {
            "date": round.period_end,
            "period_start": round.period_start,
            "unit": unit,
            "region": unit.region,
            "source": source,
        }
        anchor = None
        blanked: list[tuple[str, SubmissionValue]] = []
        for code, indicator in indicators.items():
            with _filed_as(code):
                new, old = parsed[code], current.get(code)
                if new is None:
                    if old is not None:
                        blanked.append((code, old))
                    continue
                value, approx = new
                if old is None:
                    old = SubmissionValue(submission=submission, indicator=indicator)
                if old.figure is None:
                    old.figure = ledger.record_create(
                        actor=actor,
                        campaign=campaign,
                        record_kind=RecordKind.FIGURE,
                        indicator=indicator,
                        value=value,
                        approx=approx,
                        **figure_fields,
                    ).record
                else:
                    # Only what the unit changed is written: a value or an approximation
                    # it sent again unchanged stays as the office may have corrected it
                    # in the ledger.
                    changes = {}
                    if value != old.value and value != old.figure.value:
                        changes["value"] = value
                    if approx != old.approx and approx != old.figure.approx:
                        changes["approx"] = approx
                    if changes:
                        old.figure = ledger.record_update(
                            actor=actor,
                            record_kind=RecordKind.FIGURE,
                            record=old.figure,
                            source=source,
                            **changes,
                        ).record
                old.value, old.approx = value, approx
                old.save()
                anchor = anchor or old.figure
        for code, old in blanked:
            with _filed_as(code):
                if old.figure is not None:
                    if anchor is not None:
                        # The form's photos hang on one of its figures: they stay with
                        # the figures that remain.
                        ledger.evidence_move(
                            actor=actor,
                            record_kind=RecordKind.FIGURE,
                            source=old.figure,
                            target=anchor,
                        )
                    ledger.record_delete(
                        actor=actor, record_kind=RecordKind.FIGURE, record=old.figure
                    )
                old.delete()
        for upload in uploads:
            ledger.evidence_add(
                actor=actor,
                record_kind=RecordKind.FIGURE,
                record=anchor,
                data=upload.data,
                filename=upload.filename,
                evidence_kind=upload.kind,
            )
        audit_log(
            actor=actor,
            action="collection.submission." + ("created" if before is None else "updated"),
            obj=submission,
            before=before,
            after=_values_snapshot(submission),
            region_path=unit.region_path,
            extra={
                "round": round.pk,
                "late": submission.is_late,
                "revision": submission.revision,
                "evidence": [u.filename for u in uploads],
            },
        )
    return submission
