"""Bad input to collection tasks: a clear error naming the field, and nothing written."""

import datetime

import pytest

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.collection import services
from campaigndesk.collection.models import CollectionTask, Recurrence, Submission, SubmissionValue
from campaigndesk.common.errors import DomainError, FieldError, Forbidden
from campaigndesk.ledger.models import Evidence, Fact, FigureRecord, Indicator
from campaigndesk.ledger.services import period_lock

from ..factories import CampaignFactory, UnitFactory
from .helpers import FIRST_PERIOD, at, collection_rows, make_collection


@pytest.fixture
def collection(world):
    return make_collection(world)


def nothing_written():
    return (
        Submission.objects.count(),
        SubmissionValue.objects.count(),
        FigureRecord.objects.count(),
        Fact.objects.count(),
        Evidence.objects.count(),
    ) == (0, 0, 0, 0, 0)


def submit(collection, values, unit=None, who=None, **kwargs):
    return services.submission_submit(
        actor=who or collection.reporter_a,
        round=collection.round,
        unit=unit or collection.unit_a,
        values=values,
        now=kwargs.pop("now", at(21, 9)),
        **kwargs,
    )


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"lectures": "12", "leaflets": "5"}, "leaflets", "not asked for in this form"),
        ({"lectures": "12", "event_participants": "-1"}, "event_participants", "negative"),
        ({"lectures": "twelve"}, "lectures", "not a number"),
        ({"lectures": "NaN"}, "lectures", "not a number"),
        ({"lectures": "1e17"}, "lectures", "too large"),
        ({"lectures": ("12", "roughly")}, "lectures", "Unknown approximation"),
    ],
)
def test_bad_values_are_refused(world, collection, values, field, message):
    with pytest.raises(FieldError) as error:
        submit(collection, values)
    assert error.value.field == field
    assert message in str(error.value)
    assert nothing_written()


def test_a_bad_value_in_a_resubmission_leaves_the_first_answer(world, collection):
    submit(collection, {"lectures": "12", "event_participants": "860"})
    with pytest.raises(FieldError):
        submit(collection, {"lectures": "14", "event_participants": "-5"}, now=at(21, 10))
    submission = Submission.objects.get()
    assert submission.revision == 1
    assert sorted(FigureRecord.objects.values_list("value", flat=True)) == [12, 860]


def test_a_unit_the_task_does_not_name(world, collection):
    # The reporter's own unit is allowed in general, but this task does not ask it.
    services.task_update(actor=world.office, task=collection.task, units=[collection.unit_b])
    with pytest.raises(FieldError) as error:
        submit(collection, {"lectures": "12"})
    assert error.value.field == "unit"
    assert "not asked to fill in this form" in str(error.value)
    assert nothing_written()


def test_a_closed_task_takes_no_answers(world, collection):
    services.task_deactivate(actor=world.office, task=collection.task)
    with pytest.raises(DomainError, match="closed"):
        submit(collection, {"lectures": "12"})
    assert nothing_written()
    # No new rounds either.
    assert services.rounds_ensure(task=collection.task, until=at(30, 9)) == []


def test_a_locked_period_takes_no_answers_nor_corrections(world, collection):
    submit(collection, {"lectures": "12"})
    period_lock(
        actor=world.office,
        campaign=world.campaign,
        start=datetime.date(2024, 11, 16),
        end=datetime.date(2024, 11, 22),
    )
    with pytest.raises(DomainError, match="locked"):
        submit(collection, {"lectures": "15"}, now=at(23, 9))
    with pytest.raises(DomainError, match="locked"):
        submit(collection, {"lectures": "3"}, unit=collection.unit_b, who=collection.reporter_b)
    assert list(FigureRecord.objects.values_list("value", flat=True)) == [12]
    assert Submission.objects.get().revision == 1


def test_evidence_needs_a_value_and_an_accepted_file(world, collection):
    photo = services.EvidenceUpload(filename="a.jpg", data=b"\xff\xd8\xff photo")
    with pytest.raises(FieldError) as error:
        submit(collection, {"lectures": ""}, evidence=[photo])
    assert error.value.field == "evidence"
    assert nothing_written()
    exe = services.EvidenceUpload(filename="a.exe", data=b"MZ\x90\x00")
    with pytest.raises(FieldError) as error:
        submit(collection, {"lectures": "12"}, evidence=[exe])
    # (under the form's evidence field, naming the file)
    assert error.value.field == "evidence" and error.value.message.startswith("a.exe: ")
    assert nothing_written()


def test_an_empty_form_is_a_zero_report(world, collection):
    submission = submit(collection, {})
    assert submission.values.count() == 0
    assert FigureRecord.objects.count() == 0
    assert not submission.is_late


# --- sending tasks -------------------------------------------------------------------------


def task_kwargs(world, **changes):
    kwargs = {
        "actor": world.office,
        "campaign": world.campaign,
        "title": "周调度",
        "indicators": Indicator.objects.filter(code="lectures"),
        "units": [world.township_unit],
        "recurrence": Recurrence.WEEKLY,
        "first_period_start": FIRST_PERIOD,
        "due_weekday": 4,
        "due_time": datetime.time(17, 0),
    }
    kwargs.update(changes)
    return kwargs


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"indicators": []}, "indicators"),
        ({"indicators": "ratio"}, "indicators"),
        ({"indicators": "distinct"}, "indicators"),
        ({"units": []}, "units"),
        ({"units": "other county"}, "units"),
        ({"recurrence": "daily"}, "recurrence"),
        ({"first_period_start": datetime.date(2025, 1, 6)}, "first_period_start"),
        ({"due_weekday": None}, "due_weekday"),
        ({"due_weekday": 7}, "due_weekday"),
        ({"due_time": None}, "due_time"),
        ({"recurrence": Recurrence.MONTHLY, "due_day": 0}, "due_day"),
        ({"recurrence": Recurrence.ONCE}, "due_at"),
        (
            {"recurrence": Recurrence.ONCE, "due_at": datetime.datetime(2024, 11, 10, 17, 0)},
            "due_at",
        ),
    ],
)
def test_bad_tasks_are_refused(world, changes, field):
    if changes.get("indicators") in ("ratio", "distinct"):
        changes["indicators"] = Indicator.objects.filter(aggregation=changes["indicators"])[:1]
    if changes.get("units") == "other county":
        changes["units"] = [world.township_unit, world.other_township_unit]
    with pytest.raises(FieldError) as error:
        services.task_create(**task_kwargs(world, **changes))
    assert error.value.field == field
    assert not CollectionTask.objects.exists()


@pytest.mark.parametrize("role", ["reporter", "observer", "editor", "other_office"])
def test_only_the_office_over_the_campaign_sends_tasks(world, role):
    with pytest.raises(Forbidden):
        services.task_create(**task_kwargs(world, actor=world.user(role)))
    assert not CollectionTask.objects.exists()
    assert AuditEntry.objects.get(action="collection.task.create").outcome == "denied"


def test_a_county_office_sends_its_own_units_a_form_in_a_prefecture_campaign(world):
    campaign = CampaignFactory(lead_unit=world.office_unit)  # over the prefecture
    task = services.task_create(
        **task_kwargs(
            world,
            actor=world.other_office,
            campaign=campaign,
            units=[world.other_township_unit],
        )
    )
    assert task.region == world.other_county
    assert task.region_path == world.other_county.path
    # ... but not to units of the other county.
    county_unit = UnitFactory(name="楚雄市某局", region=world.county)
    with pytest.raises(FieldError) as error:
        services.task_create(
            **task_kwargs(world, actor=world.other_office, campaign=campaign, units=[county_unit])
        )
    assert error.value.field == "units"


def test_one_off_task(world):
    task = services.task_create(
        **task_kwargs(
            world,
            recurrence=Recurrence.ONCE,
            due_at=datetime.datetime(2024, 11, 30, 12, 0),  # naive: the office's clock
            due_weekday=None,
            due_time=None,
        )
    )
    assert services.rounds_ensure(task=task, until=at(15, 9)) == []  # not begun yet
    (round_,) = services.rounds_ensure(task=task, until=at(16, 9))
    assert (round_.period_start, round_.period_end) == (FIRST_PERIOD, datetime.date(2024, 11, 30))
    assert round_.due_at == at(30, 12)
    assert services.rounds_ensure(task=task, until=at(30, 9, month=12)) == []


def test_task_update_is_audited_and_keeps_the_schedule(world, collection):
    services.task_update(
        actor=world.office,
        task=collection.task,
        title="新标题",
        indicators=Indicator.objects.filter(code="lectures"),
    )
    task = CollectionTask.objects.get()
    assert task.title == "新标题"
    assert list(task.indicators.values_list("code", flat=True)) == ["lectures"]
    entry = AuditEntry.objects.get(action="collection.task.updated")
    assert entry.before["indicators"] == ["event_participants", "lectures"]
    assert entry.after["indicators"] == ["lectures"]
    # Nothing changed: nothing to audit.
    services.task_update(actor=world.office, task=task, title="新标题")
    assert AuditEntry.objects.filter(action="collection.task.updated").count() == 1


def test_a_task_nobody_answered_can_be_deleted_with_its_rounds(world, collection):
    services.task_delete(actor=world.office, task=collection.task)
    assert not CollectionTask.objects.exists()
    entry = AuditEntry.objects.get(action="collection.task.deleted")
    assert entry.before["title"] == "移民政策宣讲周调度"
    assert entry.extra == {"id": collection.task.pk}
    assert entry.region_path == world.campaign.region_path


def test_an_answered_task_is_closed_never_deleted(world):
    collection = collection_rows(world)
    figures = FigureRecord.objects.count()
    with pytest.raises(DomainError, match="close it instead"):
        services.task_delete(actor=world.office, task=collection.task)
    assert CollectionTask.objects.count() == 1 and Submission.objects.count() == 1
    assert FigureRecord.objects.count() == figures
    assert not AuditEntry.objects.filter(action="collection.task.deleted").exists()


@pytest.mark.parametrize("role", ["reporter", "observer", "other_office"])
def test_only_the_office_over_the_task_deletes_it(world, collection, role):
    with pytest.raises(Forbidden):
        services.task_delete(actor=getattr(world, role), task=collection.task)
    assert CollectionTask.objects.count() == 1
    denied = AuditEntry.objects.get(action="collection.task.delete")
    assert denied.outcome == AuditEntry.Outcome.DENIED


def test_a_refused_file_leaves_no_other_file_behind(world, settings, tmp_path):
    """Every file is checked before any is stored: a photo stored and then rolled back
    with the refused submission would stay on disk."""
    settings.MEDIA_ROOT = tmp_path
    collection = make_collection(world)
    photo = services.EvidenceUpload(filename="a.jpg", data=b"\xff\xd8\xff photo")
    program = services.EvidenceUpload(filename="b.exe", data=b"MZ\x90\x00")
    with pytest.raises(FieldError) as error:
        services.submission_submit(
            actor=collection.reporter_a,
            round=collection.round,
            unit=collection.unit_a,
            values={"lectures": "12"},
            evidence=[photo, program],
            now=at(21, 9),
        )
    assert error.value.field == "evidence" and "b.exe" in error.value.message
    assert not Evidence.objects.exists() and not Submission.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
