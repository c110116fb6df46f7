"""A collection task walked from sending to reminders: the office sends a weekly form to
three units, A answers on time, B late, C never; the figures reach the rollup once."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from campaigndesk.accounts.models import AuditEntry, Role
from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.collection import selectors, services
from campaigndesk.collection.models import (
    CollectionRound,
    CollectionTask,
    Submission,
    SubmissionValue,
    TaskUnit,
)
from campaigndesk.common.errors import Forbidden, NotFound
from campaigndesk.ledger.models import Fact, FigureRecord
from campaigndesk.ledger.rollup import rollup
from campaigndesk.ledger.services import record_update
from campaigndesk.regions.models import UnitKind

from ..concurrency import overlap
from ..factories import UnitFactory, make_user
from .helpers import DUE, FIRST_PERIOD, at, make_collection


@pytest.fixture
def collection(world):
    return make_collection(world)


def totals(world, *codes):
    result = rollup(actor=world.office, campaign=world.campaign, indicators=list(codes))
    return {code: (result.value(code), getattr(result.total(code), "parts", 0)) for code in codes}


def submit(collection, who, unit, now, lectures="12", participants="860", approx=""):
    return services.submission_submit(
        actor=who,
        round=collection.round,
        unit=unit,
        values={"lectures": (lectures, ""), "event_participants": (participants, approx)},
        now=now,
    )


def test_the_first_round_opens_with_its_deadline(world, collection):
    round_ = collection.round
    assert (round_.period_start, round_.period_end) == (FIRST_PERIOD, datetime.date(2024, 11, 22))
    assert round_.due_at == DUE
    # Idempotent: asking again (or later the same week) opens nothing new.
    assert services.rounds_ensure(task=collection.task, until=at(22, 18)) == []
    # The next Saturday the second week's round opens, due the Friday after.
    (second,) = services.rounds_ensure(task=collection.task, until=at(23, 8))
    assert second.period_start == datetime.date(2024, 11, 23)
    assert second.due_at == DUE + datetime.timedelta(days=7)
    assert CollectionRound.objects.filter(task=collection.task).count() == 2


def test_a_on_time_b_late_c_missing_and_the_reminder(world, collection):
    assert totals(world, "lectures") == {"lectures": (Decimal(0), 0)}

    # (submitted by someone reading the site in English: the source is the site's words)
    with translation.override("en"):
        a = submit(collection, collection.reporter_a, collection.unit_a, at(21, 9))
    assert not a.is_late
    assert totals(world, "lectures", "event_participants") == {
        "lectures": (Decimal(12), 1),
        "event_participants": (Decimal(860), 1),
    }
    figure = FigureRecord.objects.get(pk=a.values.get(indicator__code="lectures").figure_id)
    assert (figure.unit, figure.region, figure.date, figure.period_start) == (
        collection.unit_a,
        collection.unit_a.region,
        datetime.date(2024, 11, 22),
        FIRST_PERIOD,
    )
    assert figure.source.startswith("调度任务 移民政策宣讲周调度 期次 2024-11-16")

    # Before the deadline the reminder asks B and C to report by Friday 17:00.
    before = selectors.reminder_text(round=collection.round, now=at(22, 9))
    assert "楚雄市民政局" in before and "楚雄市融媒体中心" in before
    assert "鹿城镇人民政府" not in before
    assert "November 22 (Friday) 17:00" in before
    assert "by November 22" in before

    b = submit(collection, collection.reporter_b, collection.unit_b, at(23, 10), "3", "200")
    assert b.is_late
    assert totals(world, "lectures") == {"lectures": (Decimal(15), 2)}

    status = selectors.round_status(round=collection.round, now=at(25, 9))
    assert [s.unit for s in status.on_time] == [collection.unit_a]
    assert [s.unit for s in status.late] == [collection.unit_b]
    assert [s.unit for s in status.missing] == [collection.unit_c]
    assert status.is_overdue

    text = selectors.reminder_text(round=collection.round, now=at(25, 9))
    assert "楚雄市融媒体中心" in text
    assert "楚雄市民政局" not in text and "鹿城镇人民政府" not in text
    assert "移民政策宣讲周调度" in text
    assert "was due by November 22 (Friday) 17:00" in text


def test_the_reminder_in_chinese(world, collection):
    submit(collection, collection.reporter_a, collection.unit_a, at(21, 9))
    text = selectors.reminder_text(round=collection.round, now=at(22, 9), language="zh-hans")
    # The date and weekday come from Django's Chinese formats whatever the catalogue holds.
    assert "11月22日" in text and "星期五" in text and "17:00" in text
    assert "楚雄市民政局" in text and "楚雄市融媒体中心" in text


def test_everyone_answered(world, collection):
    for who, unit in [
        (collection.reporter_a, collection.unit_a),
        (collection.reporter_b, collection.unit_b),
        (world.office, collection.unit_c),  # the office fills in on the unit's behalf
    ]:
        submit(collection, who, unit, at(21, 9))
    text = selectors.reminder_text(round=collection.round, now=at(23, 9))
    assert text.startswith("All units have filled in")
    assert selectors.round_status(round=collection.round).missing == []


def test_resubmission_replaces_values_without_double_counting(world, collection):
    first = submit(collection, collection.reporter_a, collection.unit_a, at(21, 9))
    figure_ids = set(first.values.values_list("figure_id", flat=True))
    assert totals(world, "lectures", "event_participants") == {
        "lectures": (Decimal(12), 1),
        "event_participants": (Decimal(860), 1),
    }

    # After the deadline: a correction; lateness is still judged by the first submission.
    again = submit(collection, collection.reporter_a, collection.unit_a, at(24, 9), "14", "900")
    assert again.pk == first.pk
    assert (again.revision, again.is_late) == (2, False)
    assert again.first_submitted_at == at(21, 9) and again.submitted_at == at(24, 9)
    assert set(again.values.values_list("figure_id", flat=True)) == figure_ids
    assert totals(world, "lectures", "event_participants") == {
        "lectures": (Decimal(14), 1),
        "event_participants": (Decimal(900), 1),
    }
    assert FigureRecord.objects.count() == 2

    # A field left empty takes its figure out of the ledger.
    services.submission_submit(
        actor=collection.reporter_a,
        round=collection.round,
        unit=collection.unit_a,
        values={"lectures": ("14", "")},
        now=at(24, 10),
    )
    assert totals(world, "lectures", "event_participants") == {
        "lectures": (Decimal(14), 1),
        "event_participants": (Decimal(0), 0),
    }
    assert FigureRecord.objects.count() == 1
    assert SubmissionValue.objects.count() == 1
    actions = list(
        AuditEntry.objects.filter(action__startswith="collection.submission.").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == [
        "collection.submission.created",
        "collection.submission.updated",
        "collection.submission.updated",
    ]


def test_a_figure_deleted_in_the_ledger_is_written_again(world, collection):
    from campaigndesk.ledger.services import record_delete

    first = submit(collection, collection.reporter_a, collection.unit_a, at(21, 9))
    value = first.values.get(indicator__code="lectures")
    record_delete(actor=world.office, record_kind="figure", record=value.figure)
    value.refresh_from_db()
    assert value.figure is None
    submit(collection, collection.reporter_a, collection.unit_a, at(21, 10))
    assert totals(world, "lectures") == {"lectures": (Decimal(12), 1)}


def test_evidence_goes_with_the_figures(world, collection):
    from campaigndesk.ledger.models import Evidence

    photo = services.EvidenceUpload(
        filename="签到表.jpg", data=b"\xff\xd8\xff\xe0 sign-in", kind="sign_in"
    )
    submission = services.submission_submit(
        actor=collection.reporter_a,
        round=collection.round,
        unit=collection.unit_a,
        values={"lectures": ("12", ""), "event_participants": ("860", "")},
        evidence=[photo],
        now=at(21, 9),
    )
    (evidence,) = Evidence.objects.all()
    figure_ids = set(submission.values.values_list("figure_id", flat=True))
    assert evidence.record_kind == "figure" and evidence.record_id in figure_ids
    assert evidence.kind == "sign_in" and evidence.original_name == "签到表.jpg"


def test_reporter_cannot_submit_for_another_unit(world, collection):
    with pytest.raises(Forbidden):
        submit(collection, collection.reporter_a, collection.unit_b, at(21, 9))
    assert not Submission.objects.exists() and not Fact.objects.exists()
    denied = AuditEntry.objects.get(action="collection.submission.submit")
    assert denied.outcome == AuditEntry.Outcome.DENIED
    assert denied.actor == collection.reporter_a
    assert denied.object_repr == "楚雄市民政局"


def test_an_office_of_another_region_cannot_see_or_touch_the_task(world, collection):
    other = world.other_office
    with pytest.raises(NotFound):
        selectors.access_task(actor=other, id=collection.task.pk)
    with pytest.raises(NotFound):
        selectors.access_round(actor=other, id=collection.round.pk)
    assert list(selectors.task_list(actor=other, campaign=world.campaign)) == []
    # The same answer as for a task that does not exist.
    with pytest.raises(NotFound):
        selectors.access_task(actor=other, id=999999)
    with pytest.raises(Forbidden):
        services.task_update(actor=other, task=collection.task, title="x")
    with pytest.raises(Forbidden):
        submit(collection, other, collection.unit_a, at(21, 9))
    assert not Submission.objects.exists()


def test_who_sees_which_tasks(world, collection):
    def titles(actor):
        return [t.title for t in selectors.task_list(actor=actor, campaign=world.campaign)]

    for actor in (world.office, world.observer, world.admin, SYSTEM, world.reporter):
        assert titles(actor) == ["移民政策宣讲周调度"], actor
    assert titles(collection.reporter_b) == ["移民政策宣讲周调度"]
    # Neither an office of another county nor a reporter whose unit is not named.
    assert titles(world.other_office) == []
    assert titles(world.other_reporter) == []
    assert selectors.can_view_status(world.observer, collection.task)
    assert not selectors.can_view_status(world.reporter, collection.task)


def test_what_each_unit_owes(world, collection):
    due_a = selectors.tasks_due_for(actor=collection.reporter_a, now=at(21, 8))
    assert [(d.round, d.unit, d.is_overdue) for d in due_a] == [
        (collection.round, collection.unit_a, False)
    ]
    submit(collection, collection.reporter_a, collection.unit_a, at(21, 9))
    assert selectors.tasks_due_for(actor=collection.reporter_a, now=at(21, 10)) == []
    due_b = selectors.tasks_due_for(actor=collection.reporter_b, now=at(23, 7))
    assert [(d.unit, d.is_overdue) for d in due_b] == [(collection.unit_b, True)]
    # Roles that do not fill in forms owe nothing; neither does a unit not asked.
    assert selectors.tasks_due_for(actor=world.observer, now=at(21, 8)) == []
    assert selectors.tasks_due_for(actor=world.other_reporter, now=at(21, 8)) == []
    # A closed task asks for nothing more.
    services.task_deactivate(actor=world.office, task=collection.task)
    assert selectors.tasks_due_for(actor=collection.reporter_b, now=at(23, 7)) == []


def test_a_locked_period_is_no_longer_owed(world, collection):
    from campaigndesk.ledger.services import period_lock

    period_lock(
        actor=world.office,
        campaign=world.campaign,
        start=datetime.date(2024, 11, 1),
        end=datetime.date(2024, 11, 30),
    )
    assert selectors.tasks_due_for(actor=collection.reporter_a, now=at(21, 8)) == []


def test_an_unchanged_resubmission_keeps_the_offices_correction(world, collection):
    first = submit(collection, collection.reporter_a, collection.unit_a, at(21, 9))
    figure = first.values.get(indicator__code="lectures").figure
    record_update(actor=world.office, record_kind="figure", record=figure, value=Decimal(15))
    # The unit sends its form again for its note alone: the office's 15 stands.
    submit(collection, collection.reporter_a, collection.unit_a, at(21, 10))
    assert totals(world, "lectures") == {"lectures": (Decimal(15), 1)}
    # A value the unit changes is written.
    submit(collection, collection.reporter_a, collection.unit_a, at(21, 11), lectures="13")
    assert totals(world, "lectures") == {"lectures": (Decimal(13), 1)}
    assert Submission.objects.get().revision == 3


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_first_submissions_at_once_make_one(world):
    """A double tap on a phone: both answers go through, one after the other, into one
    submission (on PostgreSQL the round's row is locked; SQLite writes one at a time)."""
    collection = make_collection(world)
    if connection.vendor != "postgresql":
        assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        return

    def answer():
        return submit(collection, collection.reporter_a, collection.unit_a, at(21, 9)).pk

    both = overlap(answer, answer)
    assert not isinstance(both.first, BaseException), both.first
    assert not isinstance(both.second, BaseException), both.second
    assert both.second_waited
    assert both.first == both.second
    assert Submission.objects.get().revision == 2
    assert totals(world, "lectures") == {"lectures": (Decimal(12), 1)}


def test_a_unit_added_later_is_asked_from_the_next_deadline(world, collection):
    """Added on Monday 25 November: not missing from the round due the Friday before, nor
    named in its reminder, nor owing it; asked for the round due 29 November."""
    unit_d = UnitFactory(name="楚雄市文化馆", kind=UnitKind.DEPARTMENT, region=world.county)
    reporter_d = make_user("reporter_d", unit_d, Role.REPORTER)
    task = collection.task
    services.task_update(
        actor=world.office,
        task=task,
        units=[collection.unit_a, collection.unit_b, collection.unit_c, unit_d],
    )
    added = TaskUnit.objects.get(task=task, unit=unit_d)
    assert added.added_at is not None  # (now; set back to the Monday below)
    TaskUnit.objects.filter(pk=added.pk).update(added_at=at(25, 9))
    # The units named when the task was sent stay asked for every round.
    assert TaskUnit.objects.filter(task=task, added_at__isnull=True).count() == 3
    (second,) = services.rounds_ensure(task=task, until=at(25, 10))
    first = collection.round

    status = selectors.round_status(round=first, now=at(25, 10))
    asked_first = {collection.unit_a, collection.unit_b, collection.unit_c}
    assert {s.unit for s in status.missing} == asked_first
    assert "楚雄市文化馆" not in selectors.reminder_text(round=first, now=at(25, 10))
    later = selectors.round_status(round=second, now=at(25, 10))
    assert unit_d in [s.unit for s in later.missing]
    counts = {r.pk: r.missing_count for r in selectors.round_list(task=task)}
    assert counts == {first.pk: 3, second.pk: 4}
    owed = selectors.tasks_due_for(actor=reporter_d, now=at(25, 10))
    assert [d.round for d in owed] == [second]
    # It may still answer the earlier round: counted, not blamed.
    submit(collection, reporter_d, unit_d, at(25, 11))
    assert unit_d in [s.unit for s in selectors.round_status(round=first).reported]


def test_a_task_collected_again_skips_the_rounds_due_while_it_was_closed(world, collection):
    task = collection.task
    with mock.patch("django.utils.timezone.now", return_value=at(21, 9)):
        services.task_deactivate(actor=world.office, task=task)
    assert services.rounds_ensure(task=task, until=at(30, 9)) == []  # closed: none
    services.task_update(actor=world.office, task=task, is_active=True)
    task.refresh_from_db()
    assert task.resumed_at is not None  # (now; set back to Wednesday 4 December below)
    CollectionTask.objects.filter(pk=task.pk).update(resumed_at=at(4, 9, month=12))
    opened = services.rounds_ensure(task=task, until=at(4, 10, month=12))
    # Due 29 November (closed then): not opened; due 6 December: opened.
    assert [r.period_start for r in opened] == [datetime.date(2024, 11, 30)]
    assert opened[0].due_at == at(6, 17, month=12)
    assert [
        d.round
        for d in selectors.tasks_due_for(actor=collection.reporter_a, now=at(4, 10, month=12))
    ] == [collection.round, opened[0]]


def test_closing_a_task_opens_the_rounds_due_until_then(world, collection):
    """Rounds open as pages and the scheduler come by: closing a task opens those due so
    far, which a resumption would otherwise skip as due while it was closed."""
    task = collection.task
    with mock.patch("django.utils.timezone.now", return_value=at(10, 9, month=12)):
        services.task_deactivate(actor=world.office, task=task)
    with mock.patch("django.utils.timezone.now", return_value=at(11, 9, month=12)):
        services.task_update(actor=world.office, task=task, is_active=True)
    services.rounds_ensure(task=task, until=at(11, 10, month=12))
    starts = sorted(task.rounds.values_list("period_start", flat=True))
    assert starts == [datetime.date(2024, 11, d) for d in (16, 23, 30)] + [
        datetime.date(2024, 12, 7)
    ]


def test_a_unit_taken_off_the_task_keeps_its_answer_in_every_count(world, collection):
    for who, unit in (
        (collection.reporter_a, collection.unit_a),
        (collection.reporter_b, collection.unit_b),
    ):
        submit(collection, who, unit, at(21, 9))
    services.task_update(
        actor=world.office, task=collection.task, units=[collection.unit_a, collection.unit_c]
    )
    row = selectors.round_list(task=collection.task).get(pk=collection.round.pk)
    status = selectors.round_status(round=collection.round, now=at(21, 10))
    assert row.submitted_count == len(status.reported) == 2
    assert row.missing_count == len(status.missing) == 1


def test_a_changed_approximation_leaves_the_offices_corrected_value(world, collection):
    first = submit(collection, collection.reporter_a, collection.unit_a, at(21, 9))
    figure = first.values.get(indicator__code="event_participants").figure
    record_update(actor=world.office, record_kind="figure", record=figure, value=Decimal(900))
    submit(collection, collection.reporter_a, collection.unit_a, at(21, 10), approx="more")
    figure.refresh_from_db()
    assert (figure.value, figure.approx) == (Decimal(900), "more")


def test_a_blanked_value_leaves_the_forms_photos_with_the_figures_that_remain(world, collection):
    from campaigndesk.ledger.models import Evidence

    photo = services.EvidenceUpload(filename="签到表.png", data=b"\x89PNG\r\n\x1a\n" + bytes(64))
    services.submission_submit(
        actor=collection.reporter_a,
        round=collection.round,
        unit=collection.unit_a,
        values={"lectures": ("3", ""), "event_participants": ("100", "")},
        evidence=[photo],
        now=at(21, 9),
    )
    submission = submit(
        collection, collection.reporter_a, collection.unit_a, at(21, 10), lectures=""
    )
    (evidence,) = Evidence.objects.all()
    assert evidence.record_id == submission.values.get().figure_id
    assert AuditEntry.objects.filter(action="ledger.evidence.moved").count() == 1
    # Nothing left to hang on: they go with the last figure.
    submit(
        collection,
        collection.reporter_a,
        collection.unit_a,
        at(21, 11),
        lectures="",
        participants="",
    )
    assert not Evidence.objects.exists()


def test_a_locked_round_is_owed_neither_on_the_units_page_nor_its_own(world, collection):
    from campaigndesk.ledger.services import period_lock
    from campaigndesk.web import dashboard

    period_lock(
        actor=world.office,
        campaign=world.campaign,
        start=datetime.date(2024, 11, 1),
        end=datetime.date(2024, 11, 30),
    )
    owed = dashboard.unit_owes(
        actor=world.office, unit=collection.unit_a, campaigns=[world.campaign], now=at(25, 9)
    )
    assert owed == [] and selectors.tasks_due_for(actor=collection.reporter_a, now=at(25, 9)) == []


def test_a_unit_made_inactive_is_no_longer_asked(world, collection):
    submit(collection, collection.reporter_b, collection.unit_b, at(21, 9))
    for unit in (collection.unit_b, collection.unit_c):
        unit.is_active = False
        unit.save()
    status = selectors.round_status(round=collection.round, now=at(25, 9))
    assert [s.unit for s in status.reported] == [collection.unit_b]  # its answer stays
    assert [s.unit for s in status.missing] == [collection.unit_a]
    assert collection.unit_c.name not in selectors.reminder_text(
        round=collection.round, now=at(25, 9)
    )
    row = selectors.round_list(task=collection.task).get(pk=collection.round.pk)
    assert (row.submitted_count, row.missing_count) == (1, 1)
    assert selectors.rounds_owed(unit=collection.unit_c, now=at(25, 9)).count() == 0
    # The task list counts the units it asks now.
    listed = selectors.task_list(actor=world.office, campaign=world.campaign).get()
    assert listed.unit_count == collection.task.units.count() - 2


def test_a_closed_tasks_reminder_asks_for_nothing(world, collection):
    services.task_deactivate(actor=world.office, task=collection.task)
    round_ = CollectionRound.objects.get(pk=collection.round.pk)
    text = selectors.reminder_text(round=round_, now=at(21, 9))
    assert "closed" in text and "Please fill in" not in text


def test_a_unit_taken_off_a_task_no_longer_lists_its_form(world, collection):
    submit(collection, collection.reporter_b, collection.unit_b, at(21, 9))
    mine = selectors.unit_submissions(actor=collection.reporter_b, unit=collection.unit_b)
    assert len(mine) == 1
    services.task_update(
        actor=world.office, task=collection.task, units=[collection.unit_a, collection.unit_c]
    )
    assert (
        list(selectors.unit_submissions(actor=collection.reporter_b, unit=collection.unit_b)) == []
    )


def test_editing_a_task_keeps_a_unit_made_inactive(world, collection):
    unit_c = collection.unit_c
    unit_c.is_active = False
    unit_c.save()
    asked = set(collection.task.units.all())
    # The API names the units it has: the inactive one may stay, not be added anew.
    services.task_update(actor=world.office, task=collection.task, units=list(asked), title="改")
    assert set(collection.task.units.all()) == asked
    # The edit page offers it, so saving the page as it is keeps it.
    from campaigndesk.collection.forms import TaskEditForm

    form = TaskEditForm(region=collection.task.region, task=collection.task)
    assert unit_c in form.fields["units"].queryset
