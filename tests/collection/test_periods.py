"""Periods and deadlines of weekly, monthly and one-off tasks."""

import datetime
from zoneinfo import ZoneInfo

from campaigndesk.collection.models import Recurrence
from campaigndesk.collection.periods import DeadlineRule, periods

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = datetime.date
FIVE_PM = datetime.time(17, 0)


def local(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def test_weekly_deadline_is_the_weekday_on_or_after_the_period_end():
    # Monday-to-Sunday weeks due on Friday: the Friday after the week.
    rule = DeadlineRule(Recurrence.WEEKLY, D(2024, 11, 18), due_weekday=4, due_time=FIVE_PM)
    got = list(periods(rule, until=D(2024, 11, 25), last_day=D(2024, 12, 31)))
    assert [(p.start, p.end, p.due_at) for p in got] == [
        (D(2024, 11, 18), D(2024, 11, 24), local(2024, 11, 29, 17)),
        (D(2024, 11, 25), D(2024, 12, 1), local(2024, 12, 6, 17)),
    ]
    # Saturday-to-Friday weeks due on Friday: the period's last day.
    rule = DeadlineRule(Recurrence.WEEKLY, D(2024, 11, 16), due_weekday=4, due_time=FIVE_PM)
    (first,) = periods(rule, until=D(2024, 11, 22), last_day=D(2024, 12, 31))
    assert (first.end, first.due_at) == (D(2024, 11, 22), local(2024, 11, 22, 17))


def test_periods_stop_at_the_campaign_end():
    rule = DeadlineRule(Recurrence.WEEKLY, D(2024, 12, 21), due_weekday=4, due_time=FIVE_PM)
    got = list(periods(rule, until=D(2025, 3, 1), last_day=D(2024, 12, 31)))
    # The second week is cut short at the campaign's end; its deadline stays the Friday.
    assert [(p.start, p.end, p.due_at) for p in got] == [
        (D(2024, 12, 21), D(2024, 12, 27), local(2024, 12, 27, 17)),
        (D(2024, 12, 28), D(2024, 12, 31), local(2025, 1, 3, 17)),
    ]


def test_monthly_periods_are_calendar_months_due_in_the_next_month():
    rule = DeadlineRule(Recurrence.MONTHLY, D(2024, 1, 15), due_day=31, due_time=FIVE_PM)
    got = list(periods(rule, until=D(2024, 3, 1), last_day=D(2024, 12, 31)))
    assert [(p.start, p.end, p.due_at) for p in got] == [
        # A first period starting mid-month runs to the month's end.
        (D(2024, 1, 15), D(2024, 1, 31), local(2024, 2, 29, 17)),  # day 31 of February
        (D(2024, 2, 1), D(2024, 2, 29), local(2024, 3, 31, 17)),
        (D(2024, 3, 1), D(2024, 3, 31), local(2024, 4, 30, 17)),
    ]


def test_a_december_period_is_due_in_january():
    rule = DeadlineRule(Recurrence.MONTHLY, D(2024, 12, 1), due_day=5, due_time=FIVE_PM)
    (december,) = periods(rule, until=D(2024, 12, 31), last_day=D(2024, 12, 31))
    assert december.due_at == local(2025, 1, 5, 17)


def test_nothing_before_the_first_period():
    rule = DeadlineRule(Recurrence.WEEKLY, D(2024, 11, 16), due_weekday=4, due_time=FIVE_PM)
    assert list(periods(rule, until=D(2024, 11, 15), last_day=D(2024, 12, 31))) == []


def test_one_off_period_runs_to_the_deadline_day():
    due = local(2024, 3, 10, 9, 30)
    rule = DeadlineRule(Recurrence.ONCE, D(2024, 3, 1), due_at=due)
    (only,) = periods(rule, until=D(2024, 12, 1), last_day=D(2024, 12, 31))
    assert (only.start, only.end, only.due_at) == (D(2024, 3, 1), D(2024, 3, 10), due)
