"""A weekly collection task on the world's campaign (楚雄市, 2024), for these tests, the
page permission matrix and the admin pages.

Three units are asked: A = 鹿城镇人民政府 (the world's reporter), B = 楚雄市民政局 (its
own reporter, made here), C = 楚雄市融媒体中心 (nobody fills in for it). Periods run
Saturday to Friday from 16 November 2024; each is due on the Friday at 17:00.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from campaigndesk.accounts.models import Role, User
from campaigndesk.collection import services
from campaigndesk.collection.models import CollectionRound, CollectionTask, Recurrence, Weekday
from campaigndesk.ledger.models import Indicator
from campaigndesk.regions.models import Unit, UnitKind

from ..factories import UnitFactory, make_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
FIRST_PERIOD = datetime.date(2024, 11, 16)  # a Saturday
DUE = datetime.datetime(2024, 11, 22, 17, 0, tzinfo=SHANGHAI)  # the Friday after
CODES = ["lectures", "event_participants"]


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime.datetime:
    """A moment in November 2024 on the office's clock."""
    return datetime.datetime(2024, month, day, hour, minute, tzinfo=SHANGHAI)


@dataclass
class Collection:
    task: CollectionTask
    round: CollectionRound
    unit_a: Unit
    unit_b: Unit
    unit_c: Unit
    reporter_a: User
    reporter_b: User


def make_collection(world, *, actor=None, now: datetime.datetime | None = None) -> Collection:
    """The office sends the weekly task and the first round opens (as of 20 November)."""
    unit_b = UnitFactory(name="楚雄市民政局", kind=UnitKind.DEPARTMENT, region=world.county)
    reporter_b = make_user("reporter_b", unit_b, Role.REPORTER)
    task = services.task_create(
        actor=actor or world.office,
        campaign=world.campaign,
        title="移民政策宣讲周调度",
        instructions="请填报本周宣讲场次和参与人次。",
        indicators=Indicator.objects.filter(code__in=CODES),
        units=[world.township_unit, unit_b, world.county_unit],
        recurrence=Recurrence.WEEKLY,
        first_period_start=FIRST_PERIOD,
        due_weekday=Weekday.FRIDAY,
        due_time=datetime.time(17, 0),
    )
    (round_,) = services.rounds_ensure(task=task, until=now or at(20, 10))
    return Collection(
        task=task,
        round=round_,
        unit_a=world.township_unit,
        unit_b=unit_b,
        unit_c=world.county_unit,
        reporter_a=world.reporter,
        reporter_b=reporter_b,
    )


def collection_rows(world) -> Collection:
    """A task, a round, a submission and its values (one row of every collection model)."""
    collection = make_collection(world)
    services.submission_submit(
        actor=collection.reporter_a,
        round=collection.round,
        unit=collection.unit_a,
        values={"lectures": ("12", ""), "event_participants": ("860", "more")},
        now=at(21, 9),
    )
    return collection


def matrix_ids(world) -> dict[str, int]:
    """Ids for the page permission matrix: the task, its round, and a submission by A."""
    collection = collection_rows(world)
    return {"collection_task": collection.task.pk, "collection_round": collection.round.pk}
