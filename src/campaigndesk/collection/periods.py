"""The periods of a collection task and their deadlines (pure date arithmetic).

Deadlines are wall-clock times in the installation's time zone (settings.TIME_ZONE): an
office that says "Friday 17:00" means 17:00 where it sits, whatever the server's zone.
"""

import calendar
import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import timezone

from .models import Recurrence

WEEK = datetime.timedelta(days=7)
DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date
    due_at: datetime.datetime


@dataclass(frozen=True)
class DeadlineRule:
    """What a task says about its periods (the fields of CollectionTask)."""

    recurrence: str
    first_period_start: datetime.date
    due_weekday: int | None = None
    due_day: int | None = None
    due_time: datetime.time | None = None
    due_at: datetime.datetime | None = None

    @classmethod
    def of(cls, task) -> "DeadlineRule":
        return cls(
            recurrence=task.recurrence,
            first_period_start=task.first_period_start,
            due_weekday=task.due_weekday,
            due_day=task.due_day,
            due_time=task.due_time,
            due_at=task.due_at,
        )


def local_datetime(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """``day`` at ``time`` on the office's clock, as an aware datetime."""
    moment = datetime.datetime.combine(day, time)
    return timezone.make_aware(moment, timezone.get_default_timezone())


def local_date(moment: datetime.datetime) -> datetime.date:
    """The office's calendar day at ``moment``."""
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def weekly_due_date(period_end: datetime.date, weekday: int) -> datetime.date:
    """The first ``weekday`` on or after the period's last day."""
    return period_end + datetime.timedelta(days=(weekday - period_end.weekday()) % 7)


def monthly_due_date(month_end: datetime.date, day: int) -> datetime.date:
    """Day ``day`` of the month after ``month_end`` (the month's last day if shorter)."""
    first = month_end + DAY
    return first.replace(day=min(day, calendar.monthrange(first.year, first.month)[1]))


def periods(
    rule: DeadlineRule, *, until: datetime.date, last_day: datetime.date
) -> Iterator[Period]:
    """The periods that have begun by ``until``, none starting after ``last_day`` (the
    campaign's end); a period running past ``last_day`` is cut short there (its deadline
    stays where the full period puts it)."""
    start = rule.first_period_start
    if rule.recurrence == Recurrence.ONCE:
        if start <= until and start <= last_day and rule.due_at is not None:
            end = min(local_date(rule.due_at), last_day)
            yield Period(start=start, end=max(end, start), due_at=rule.due_at)
        return
    while start <= until and start <= last_day:
        if rule.recurrence == Recurrence.WEEKLY:
            full_end = start + WEEK - DAY
            due_day = weekly_due_date(full_end, rule.due_weekday or 0)
        elif rule.recurrence == Recurrence.MONTHLY:
            full_end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
            due_day = monthly_due_date(full_end, rule.due_day or 1)
        else:
            raise ValueError(f"unknown recurrence {rule.recurrence!r}")
        yield Period(
            start=start,
            end=min(full_end, last_day),
            due_at=local_datetime(due_day, rule.due_time or datetime.time(0, 0)),
        )
        start = full_end + DAY
