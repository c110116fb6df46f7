"""A campaign's dates changed after its tasks' rounds opened: the unanswered rounds follow
them, so that no day goes uncollected and no unit owes a form it could not file."""

import datetime

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.campaigns.services import campaign_update
from campaigndesk.collection import selectors, services
from campaigndesk.collection.models import CollectionRound, Recurrence
from campaigndesk.common.errors import FieldError
from campaigndesk.ledger.models import Indicator

from .helpers import at, make_collection

D = datetime.date


def periods_of(task) -> list[tuple[datetime.date, datetime.date]]:
    rounds = CollectionRound.objects.filter(task=task).order_by("period_start")
    return list(rounds.values_list("period_start", "period_end"))


def test_extending_the_campaign_widens_the_round_cut_at_its_old_end(world):
    # The world's campaign ends on 31 December 2024, a Tuesday.
    task = services.task_create(
        actor=world.office,
        campaign=world.campaign,
        title="周报",
        indicators=Indicator.objects.filter(code="lectures"),
        units=[world.township_unit],
        recurrence=Recurrence.WEEKLY,
        first_period_start=D(2024, 12, 28),
        due_weekday=0,
        due_time=datetime.time(9, 0),
    )
    services.rounds_ensure(task=task, until=D(2024, 12, 30))
    assert periods_of(task) == [(D(2024, 12, 28), D(2024, 12, 31))]
    campaign_update(actor=world.office, campaign=world.campaign, end_date=D(2025, 3, 31))
    services.rounds_ensure(task=task, until=D(2025, 1, 12))
    # 1 to 3 January belong to the first round again
    assert periods_of(task) == [
        (D(2024, 12, 28), D(2025, 1, 3)),
        (D(2025, 1, 4), D(2025, 1, 10)),
        (D(2025, 1, 11), D(2025, 1, 17)),
    ]
    entry = AuditEntry.objects.get(action="collection.round.updated")
    assert entry.actor is None
    assert (entry.before["period_end"], entry.after["period_end"]) == ("2024-12-31", "2025-01-03")


def test_shortening_the_campaign_cuts_and_removes_the_rounds_past_its_end(world):
    c = make_collection(world)
    services.rounds_ensure(task=c.task, until=at(30, 10))
    assert periods_of(c.task) == [
        (D(2024, 11, 16), D(2024, 11, 22)),
        (D(2024, 11, 23), D(2024, 11, 29)),
        (D(2024, 11, 30), D(2024, 12, 6)),
    ]
    campaign_update(actor=world.office, campaign=world.campaign, end_date=D(2024, 11, 24))
    assert periods_of(c.task) == [
        (D(2024, 11, 16), D(2024, 11, 22)),
        (D(2024, 11, 23), D(2024, 11, 24)),
    ]
    assert AuditEntry.objects.filter(action="collection.round.deleted").count() == 1
    # What the unit owes it can file.
    owed = selectors.tasks_due_for(actor=c.reporter_a, now=at(2, 10, month=12))
    rounds = [due.round for due in owed]
    assert [r.period_start for r in rounds] == [D(2024, 11, 16), D(2024, 11, 23)]
    for round_ in rounds:
        services.submission_submit(
            actor=c.reporter_a,
            round=round_,
            unit=c.unit_a,
            values={"lectures": ("1", "")},
            now=at(2, 10, month=12),
        )
    assert not selectors.tasks_due_for(actor=c.reporter_a, now=at(2, 10, month=12))


def test_an_answered_round_keeps_its_period(world):
    c = make_collection(world)
    services.rounds_ensure(task=c.task, until=at(30, 10))
    last = CollectionRound.objects.get(task=c.task, period_start=D(2024, 11, 30))
    services.submission_submit(
        actor=c.reporter_a,
        round=last,
        unit=c.unit_a,
        values={"lectures": ("1", "")},
        now=at(30, 10),
    )
    # Its figure is dated 6 December: the campaign cannot end before it.
    try:
        campaign_update(actor=world.office, campaign=world.campaign, end_date=D(2024, 11, 24))
    except FieldError as error:
        assert error.field == "end_date"
    else:
        raise AssertionError("the campaign ended before a figure it holds")
    assert periods_of(c.task)[-1] == (D(2024, 11, 30), D(2024, 12, 6))
    # A shortening that leaves it inside changes nothing of it.
    campaign_update(actor=world.office, campaign=world.campaign, end_date=D(2024, 12, 10))
    assert periods_of(c.task)[-1] == (D(2024, 11, 30), D(2024, 12, 6))


def test_a_later_start_removes_the_rounds_before_it_for_good(world):
    c = make_collection(world)
    services.rounds_ensure(task=c.task, until=at(30, 10))
    campaign_update(actor=world.office, campaign=world.campaign, start_date=D(2024, 11, 25))
    # the round of 16–22 November lies wholly before the new start; 23–29 reaches into it
    assert periods_of(c.task) == [
        (D(2024, 11, 23), D(2024, 11, 29)),
        (D(2024, 11, 30), D(2024, 12, 6)),
    ]
    services.rounds_ensure(task=c.task, until=at(30, 10))  # (not opened again)
    assert periods_of(c.task)[0] == (D(2024, 11, 23), D(2024, 11, 29))
    entry = AuditEntry.objects.get(action="collection.round.deleted")
    assert entry.before["period_start"] == "2024-11-16" and entry.object_id == ""
    assert entry.extra["id"]
