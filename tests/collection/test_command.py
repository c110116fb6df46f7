"""`campaigndesk collection rounds` and `campaigndesk collection remind ROUND`."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from campaigndesk.collection import services
from campaigndesk.collection.models import CollectionRound

from .helpers import at, make_collection


def run(*args) -> str:
    out = StringIO()
    call_command("collection", *args, stdout=out)
    return out.getvalue()


def test_rounds_opens_what_has_begun_and_is_idempotent(world):
    collection = make_collection(world)
    output = run("rounds", "--now", "2024-11-30T08:00")
    assert "2024-11-23 – 2024-11-29" in output and "2024-11-30 – 2024-12-06" in output
    assert "2 new round(s) for 1 active task(s)." in output
    assert CollectionRound.objects.filter(task=collection.task).count() == 3
    assert "0 new round(s)" in run("rounds", "--now", "2024-11-30T20:00")
    # A closed task gets no more rounds.
    services.task_deactivate(actor=world.office, task=collection.task)
    assert "0 new round(s) for 0 active task(s)." in run("rounds", "--now", "2024-12-20T08:00")


def test_remind_prints_the_missing_units(world):
    collection = make_collection(world)
    services.submission_submit(
        actor=collection.reporter_a,
        round=collection.round,
        unit=collection.unit_a,
        values={"lectures": "2"},
        now=at(21, 9),
    )
    output = run("remind", str(collection.round.pk), "--language", "en", "--now", "2024-11-21")
    assert "by November 22 (Friday) 17:00" in output
    assert "楚雄市民政局" in output and "楚雄市融媒体中心" in output
    assert "鹿城镇人民政府" not in output
    chinese = run("remind", str(collection.round.pk), "--language", "zh-hans")
    assert "11月22日" in chinese and "楚雄市民政局" in chinese


def test_remind_an_unknown_round(world):
    with pytest.raises(CommandError, match="No round with id 999"):
        run("remind", "999")
    with pytest.raises(CommandError, match="Not a date and time"):
        run("rounds", "--now", "next friday")
