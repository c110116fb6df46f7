"""Ledger writes: who may file, change and delete each kind of record, what is refused
(and that nothing is written then), locks, duplicates, and facts following their record."""

import datetime
import io
from decimal import Decimal
from importlib import import_module

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.common.errors import DomainError, FieldError, Forbidden, NotFound
from campaigndesk.ledger import services
from campaigndesk.ledger.models import (
    RECORD_MODELS,
    EventRecord,
    Fact,
    MediaOutput,
    PeriodLock,
    RecordStatus,
)
from campaigndesk.ledger.rollup import RollupFilter, rollup
from campaigndesk.ledger.services import (
    guard_periods,
    output_duplicate_resolve,
    period_lock,
    period_reopen,
    record_create,
    record_delete,
    record_update,
)

from ..concurrency import overlap
from .conftest import URL1, d, indicator

KINDS = ["output", "material", "event", "figure"]
# The indicator each kind's sample record (below) feeds, with the fixture's total for it:
# news_reports O4 | banners M1 1800 + M2 20 | lectures E1 12 + E2 3 | meetings none
MAIN = {
    "output": ("news_reports", 1),
    "material": ("banners", 1820),
    "event": ("lectures", 15),
    "figure": ("meetings", 0),
}
# ... and what the sample adds to it.
ADDS = {"output": 1, "material": 3, "event": 2, "figure": 4}


def sample(lg, record_kind: str, **over) -> dict:
    """Values for a new record of the township unit on 鹿城镇, 2024-05-06."""
    values = {"unit": lg.township_unit, "region": lg.township, "date": d(5, 6)}
    values.update(
        {
            "output": {
                "outlet": lg.daily,
                "kind": "news",
                "title": "五月新闻",
                "views": 10,
                "url": "https://news.example.cn/may",
            },
            "material": {"kind": "banner", "quantity": Decimal("3")},
            "event": {"kind": "lecture", "sessions": 2, "participants": 30, "audience": 400},
            "figure": {"indicator": indicator("meetings"), "value": Decimal("4")},
        }[record_kind]
    )
    values.update(over)
    return values


def value_of(lg, code: str, **filters) -> Decimal:
    return rollup(
        actor=lg.admin, campaign=lg.campaign, filters=RollupFilter(**filters), indicators=[code]
    ).value(code)


def counts(record_kind: str | None = None) -> tuple:
    """Records of every kind, facts and audit entries (for "nothing was written")."""
    return (
        tuple(model.objects.count() for model in RECORD_MODELS.values()),
        Fact.objects.count(),
        AuditEntry.objects.count(),
    )


def denials(action: str) -> int:
    return AuditEntry.objects.filter(action=action, outcome=AuditEntry.Outcome.DENIED).count()


# --- who may write ----------------------------------------------------------------------


@pytest.mark.parametrize("record_kind", KINDS)
def test_create_update_delete(ledger, record_kind):
    code, before = MAIN[record_kind]
    for actor in ("reporter", "township_office", "office", "admin"):
        user = getattr(ledger, actor)
        outcome = record_create(
            actor=user,
            campaign=ledger.campaign,
            record_kind=record_kind,
            **sample(ledger, record_kind),
        )
        record = outcome.record
        assert outcome.warnings == []
        assert record.pk and record.status == RecordStatus.ACTIVE
        assert record.region_path == ledger.township.path
        assert record.unit_region_path == ledger.township_unit.region_path
        assert value_of(ledger, code) == before + ADDS[record_kind], actor
        trail = AuditEntry.objects.filter(object_id=str(record.pk), actor_label=actor)
        assert trail.filter(action=f"ledger.{record_kind}.created").count() == 1

        # move it to 东瓜镇 in March: its contribution moves along
        updated = record_update(
            actor=user,
            record_kind=record_kind,
            record=record,
            region=ledger.township2,
            date=d(3, 20),
        ).record
        assert updated.region_path == ledger.township2.path
        moved = value_of(ledger, code, region=ledger.township2, date_from=d(3, 20))
        assert moved == ADDS[record_kind], actor
        assert value_of(ledger, code, date_from=d(5, 1)) == 0
        entry = trail.get(action=f"ledger.{record_kind}.updated")
        assert entry.before["date"] == "2024-05-06" and entry.after["date"] == "2024-03-20"

        record_delete(actor=user, record_kind=record_kind, record=updated)
        assert not type(record).objects.filter(pk=record.pk).exists()
        assert not Fact.objects.filter(record_kind=record_kind, record_id=record.pk).exists()
        assert value_of(ledger, code) == before
        entry = trail.get(action=f"ledger.{record_kind}.deleted")
        assert entry.before["region_path"] == ledger.township2.path


@pytest.mark.parametrize("record_kind", KINDS)
def test_create_denied_and_audited(ledger, record_kind):
    for actor in ("observer", "editor", "other_reporter", "other_office"):
        before = counts()
        with pytest.raises(Forbidden):
            record_create(
                actor=getattr(ledger, actor),
                campaign=ledger.campaign,
                record_kind=record_kind,
                **sample(ledger, record_kind),
            )
        records, facts, audit = counts()
        assert (records, facts) == before[:2]
        assert audit == before[2] + 1
        entry = AuditEntry.objects.latest("id")
        assert (entry.action, entry.outcome, entry.actor_label) == (
            "ledger.record.create",
            AuditEntry.Outcome.DENIED,
            actor,
        )
        assert entry.region_path == ledger.township_unit.region_path


@pytest.mark.parametrize("record_kind", KINDS)
def test_reporter_writes_only_for_its_own_unit(ledger, record_kind):
    mine = {"output": "O5", "material": "M2", "event": "E1", "figure": "F5"}[record_kind]
    theirs = {"output": "O1", "material": "M1", "event": "E3", "figure": "F1"}[record_kind]
    before = counts()
    with pytest.raises(Forbidden):  # filing for the county's unit
        record_create(
            actor=ledger.reporter,
            campaign=ledger.campaign,
            record_kind=record_kind,
            **sample(ledger, record_kind, unit=ledger.county_unit),
        )
    with pytest.raises(Forbidden):  # changing the county unit's record
        record_update(
            actor=ledger.reporter,
            record_kind=record_kind,
            record=ledger.records[theirs],
            note="改",
        )
    with pytest.raises(Forbidden):  # handing its own record to another unit
        record_update(
            actor=ledger.reporter,
            record_kind=record_kind,
            record=ledger.records[mine],
            unit=ledger.township2_unit,
        )
    with pytest.raises(Forbidden):
        record_delete(actor=ledger.reporter, record_kind=record_kind, record=ledger.records[theirs])
    records, facts, audit = counts()
    assert (records, facts, audit) == (before[0], before[1], before[2] + 4)
    assert denials("ledger.record.create") == 1
    assert denials("ledger.record.update") == 2
    assert denials("ledger.record.delete") == 1
    model = RECORD_MODELS[record_kind]
    assert model.objects.get(pk=ledger.records[mine].pk).unit_id == ledger.township_unit.pk
    # its own record it may change
    record_update(
        actor=ledger.reporter, record_kind=record_kind, record=ledger.records[mine], note="补充"
    )
    assert model.objects.get(pk=ledger.records[mine].pk).note == "补充"


def test_office_writes_only_in_its_subtree(ledger):
    # 鹿城镇's office may file for the township unit, not for 东瓜镇's
    record_create(
        actor=ledger.township_office,
        campaign=ledger.campaign,
        record_kind="event",
        **sample(ledger, "event"),
    )
    with pytest.raises(Forbidden):
        record_create(
            actor=ledger.township_office,
            campaign=ledger.campaign,
            record_kind="event",
            **sample(ledger, "event", unit=ledger.township2_unit),
        )
    with pytest.raises(Forbidden):
        record_update(
            actor=ledger.township_office,
            record_kind="event",
            record=ledger.records["E2"],
            sessions=4,
        )
    assert ledger.records["E2"].__class__.objects.get(pk=ledger.records["E2"].pk).sessions == 3


# --- bad input --------------------------------------------------------------------------


BAD = [
    ("output", {"views": -1}, "views"),
    ("output", {"audience": -5}, "audience"),
    ("output", {"views": "many"}, "views"),
    ("output", {"kind": "podcast"}, "kind"),
    ("output", {"title": "  "}, "title"),
    ("output", {"title": "长" * 301}, "title"),
    ("output", {"outlet": None}, "outlet"),
    ("output", {"url": "not a link"}, "url"),
    ("material", {"quantity": Decimal("-1")}, "quantity"),
    ("material", {"quantity": "lots"}, "quantity"),
    ("material", {"quantity": Decimal("1.234")}, "quantity"),
    ("material", {"quantity": Decimal("1e13")}, "quantity"),
    ("material", {"area_m2": Decimal("-2")}, "area_m2"),
    ("material", {"sites": -1}, "sites"),
    ("event", {"sessions": -1}, "sessions"),
    ("event", {"participants": -3}, "participants"),
    ("event", {"sessions": 0, "participants": 10}, "participants"),
    ("event", {"sessions": 1.5}, "sessions"),
    ("event", {"participants": 10**12}, "participants"),
    ("event", {"audience": -1}, "audience"),
    ("event", {"audience": "a crowd"}, "audience"),
    ("figure", {"value": Decimal("-1")}, "value"),
    ("figure", {"value": Decimal("1.00001")}, "value"),
    ("figure", {"approx": "roughly"}, "approx"),
    ("figure", {"indicator": None}, "indicator"),
    ("figure", {"period_start": d(5, 7)}, "period_start"),
    ("figure", {"period_start": "2024-05-01"}, "period_start"),
    # (the campaign runs from 2024-01-01)
    ("figure", {"period_start": datetime.date(2023, 6, 1)}, "period_start"),
]


@pytest.mark.parametrize("record_kind", KINDS)
def test_bad_values_are_refused_and_nothing_is_written(ledger, record_kind):
    before = counts()
    cases = [(over, field) for kind, over, field in BAD if kind == record_kind]
    assert cases
    for over, field in cases:
        with pytest.raises(FieldError) as error:
            record_create(
                actor=ledger.office,
                campaign=ledger.campaign,
                record_kind=record_kind,
                **sample(ledger, record_kind, **over),
            )
        assert error.value.field == field, over
        assert str(error.value)
    assert counts() == before


@pytest.mark.parametrize("record_kind", KINDS)
def test_bad_common_values(ledger, record_kind):
    cases = [
        ({"date": datetime.date(2025, 1, 1)}, "date", "outside the campaign"),
        ({"date": datetime.date(2023, 12, 31)}, "date", "outside the campaign"),
        ({"date": None}, "date", "required"),
        ({"date": "2024-05-06"}, "date", "required"),
        ({"region": ledger.other_township}, "region", "outside the campaign"),
        ({"region": ledger.prefecture}, "region", "outside the campaign"),
        ({"region": "532301"}, "region", "required"),
        ({"unit": None}, "unit", "required"),
        ({"unit": ledger.township_unit.pk}, "unit", "required"),
        ({"colour": "red"}, "colour", "Unknown field"),
        ({"status": "active"}, "status", "Unknown field"),
    ]
    before = counts()
    for over, field, words in cases:
        with pytest.raises(FieldError) as error:
            record_create(
                actor=ledger.office,
                campaign=ledger.campaign,
                record_kind=record_kind,
                **sample(ledger, record_kind, **over),
            )
        assert error.value.field == field, over
        assert words in str(error.value), over
    # the same checks on an update, which then leaves the record as it was
    record = record_create(
        actor=ledger.office,
        campaign=ledger.campaign,
        record_kind=record_kind,
        **sample(ledger, record_kind),
    ).record
    middle = counts()
    assert middle != before
    for over, field, _words in cases:
        with pytest.raises(FieldError) as error:
            record_update(actor=ledger.office, record_kind=record_kind, record=record, **over)
        assert error.value.field == field, over
    assert counts() == middle
    fresh = type(record).objects.get(pk=record.pk)
    assert (fresh.date, fresh.region_id, fresh.unit_id) == (
        d(5, 6),
        ledger.township.pk,
        ledger.township_unit.pk,
    )


@pytest.mark.parametrize("code", ["villages_covered", "units_active", "awareness_rate"])
def test_computed_indicators_are_not_figures(ledger, code):
    before = counts()
    with pytest.raises(FieldError) as error:
        record_create(
            actor=ledger.office,
            campaign=ledger.campaign,
            record_kind="figure",
            **sample(ledger, "figure", indicator=indicator(code)),
        )
    assert error.value.field == "indicator"
    assert "computed" in str(error.value)
    assert counts() == before


def test_unknown_record_kind(ledger):
    with pytest.raises(DomainError):
        record_create(actor=ledger.office, campaign=ledger.campaign, record_kind="poem")


def test_bad_update_of_a_valid_record_changes_nothing(ledger):
    e1 = ledger.records["E1"]
    before = counts()
    with pytest.raises(FieldError):
        record_update(actor=ledger.office, record_kind="event", record=e1, sessions=0)
    with pytest.raises(FieldError):
        record_update(
            actor=ledger.office, record_kind="event", record=e1, sessions=3, participants=-1
        )
    assert counts() == before
    assert value_of(ledger, "lectures") == 15
    assert value_of(ledger, "event_participants", kind="event") == 1490


# --- facts follow their records ---------------------------------------------------------


def test_update_moves_and_rewrites_contributions(ledger):
    e1 = ledger.records["E1"]
    record_update(
        actor=ledger.office,
        record_kind="event",
        record=e1,
        region=ledger.village_b,
        date=d(3, 5),
        kind="performance",
        sessions=4,
        participants=100,
    )
    result = rollup(
        actor=ledger.office,
        campaign=ledger.campaign,
        group_by=["township"],
        indicators=["lectures", "performances", "event_participants"],
    )
    # lectures: E2 3 left (T2) | performances: E3 2 (T1) + E1 4 (now T2)
    assert result.value("lectures") == 3
    groups = {(r.indicator.code, r.group["township"]): r.value for r in result.rows if r.group}
    assert groups[("performances", "532301001")] == 2
    assert groups[("performances", "532301002")] == 4
    assert ("lectures", "532301001") not in groups
    # participants: 150 + 400 + 80 + 100 (was 860) + F6 1000 = 1730
    assert result.value("event_participants") == 1730
    assert Fact.objects.filter(record_kind="event", record_id=e1.pk).count() == 2
    assert set(
        Fact.objects.filter(record_kind="event", record_id=e1.pk).values_list("date", flat=True)
    ) == {d(3, 5)}

    # a figure's approximation follows an update too: leaflets 176128 + 5000 + 2000 under
    record_update(actor=ledger.office, record_kind="figure", record=ledger.records["F8"], approx="")
    total = rollup(actor=ledger.office, campaign=ledger.campaign, indicators=["leaflets"])
    assert (total.value("leaflets"), total.total("leaflets").approx) == (183128, "more")

    # an output changing kind moves between indicators
    record_update(
        actor=ledger.office, record_kind="output", record=ledger.records["O4"], kind="video"
    )
    assert value_of(ledger, "news_reports") == 0
    assert value_of(ledger, "short_videos") == 3  # O2 O3 O4
    assert value_of(ledger, "media_outputs") == 6


def test_delete_removes_facts_and_evidence(
    ledger, settings, tmp_path, django_capture_on_commit_callbacks
):
    from campaigndesk.ledger.models import Evidence
    from campaigndesk.ledger.services import evidence_add

    settings.MEDIA_ROOT = tmp_path
    e1 = ledger.records["E1"]
    evidence = evidence_add(
        actor=ledger.reporter,
        record_kind="event",
        record=e1,
        data=JPEG,
        filename="签到表.jpg",
        evidence_kind="sign_in",
    )
    stored = tmp_path / evidence.file.name
    assert stored.read_bytes() == JPEG
    with django_capture_on_commit_callbacks(execute=True):
        record_delete(actor=ledger.reporter, record_kind="event", record=e1)
    assert not Fact.objects.filter(record_kind="event", record_id=e1.pk).exists()
    assert not Evidence.objects.filter(record_kind="event", record_id=e1.pk).exists()
    assert not stored.exists()  # the file goes once the deletion is committed
    assert value_of(ledger, "lectures") == 3  # E2
    assert value_of(ledger, "event_participants", kind="event") == 630  # 150 + 400 + 80


# --- locks --------------------------------------------------------------------------------


def test_locked_period_refuses_writes_until_reopened(ledger):
    lock = period_lock(
        actor=ledger.office,
        campaign=ledger.campaign,
        start=d(2, 1),
        end=d(2, 29),
        reason="二月简报已印发",
    )
    assert AuditEntry.objects.filter(action="ledger.period.locked").count() == 1
    e1, e5 = ledger.records["E1"], ledger.records["E5"]  # 02-07 (locked), 03-04 (open)
    o1 = ledger.records["O1"]
    before = counts()
    attempts = [
        lambda: record_create(
            actor=ledger.reporter,
            campaign=ledger.campaign,
            record_kind="event",
            **sample(ledger, "event", date=d(2, 10)),
        ),
        lambda: record_update(actor=ledger.reporter, record_kind="event", record=e1, sessions=1),
        # moving a record out of the locked period is a change to it
        lambda: record_update(actor=ledger.office, record_kind="event", record=e1, date=d(3, 1)),
        # and moving one into it is refused as well
        lambda: record_update(actor=ledger.office, record_kind="event", record=e5, date=d(2, 29)),
        lambda: record_delete(actor=ledger.office, record_kind="event", record=e1),
        lambda: record_delete(actor=ledger.office, record_kind="output", record=o1),
    ]
    for attempt in attempts:
        with pytest.raises(FieldError) as error:
            attempt()
        assert error.value.field == "date"
        assert "locked" in str(error.value)
    assert counts() == before
    # outside the period, writing goes on
    record_update(actor=ledger.office, record_kind="event", record=e5, participants=81)
    with pytest.raises(Forbidden):
        period_reopen(actor=ledger.reporter, lock=lock, reason="改错")
    assert denials("ledger.period.reopen") == 1
    with pytest.raises(FieldError):
        period_reopen(actor=ledger.office, lock=lock, reason="  ")
    period_reopen(actor=ledger.office, lock=lock, reason="更正鹿城镇宣讲场次")
    entry = AuditEntry.objects.get(action="ledger.period.reopened")
    assert entry.after["reopen_reason"] == "更正鹿城镇宣讲场次"
    assert entry.actor_label == "office"
    with pytest.raises(DomainError):
        period_reopen(actor=ledger.office, lock=lock, reason="again")
    record_update(actor=ledger.reporter, record_kind="event", record=e1, sessions=10)
    assert value_of(ledger, "lectures") == 13  # 10 + 3


# (serialized_rollback: the seeded indicators come back after other transactional tests)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("first", ["write", "lock", "long write"])
def test_a_period_locked_while_a_record_is_written(ledger, first, monkeypatch):
    """A record checked against the locked periods and a lock of its period, at once: the
    one that comes second waits for the first to commit. A write checked first commits
    before the lock exists; a lock created first is seen by the write, which is refused.
    Never a record written into a period locked between its check and its commit. A lock
    that waits too long (an import running) is refused with a "try again"."""
    long_write = first == "long write"
    if long_write:
        monkeypatch.setattr(services, "PERIOD_LOCK_WAIT_SECONDS", 0.2)
        first = "write"
    if connection.vendor != "postgresql":
        # SQLite: write transactions begin IMMEDIATE, one at a time; no guard is taken.
        assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            guard_periods(ledger.campaign.pk, exclusive=True)
        assert queries.captured_queries == []
        return

    def write():
        return record_create(
            actor=ledger.reporter,
            campaign=ledger.campaign,
            record_kind="event",
            **sample(ledger, "event", date=d(2, 10)),
        ).record

    def lock():
        return period_lock(
            actor=ledger.office, campaign=ledger.campaign, start=d(2, 1), end=d(2, 29)
        )

    steps = {"write": write, "lock": lock}
    second_name = "lock" if first == "write" else "write"
    both = overlap(steps[first], steps[second_name])
    outcome = {first: both.first, second_name: both.second}
    events = EventRecord.objects.filter(campaign=ledger.campaign, date=d(2, 10))
    written = PeriodLock.objects.filter(campaign=ledger.campaign).count()
    if long_write:
        assert isinstance(outcome["lock"], DomainError), outcome["lock"]
        assert "try" in str(outcome["lock"]) or "再" in str(outcome["lock"])
        assert (written, events.count()) == (0, 1)
        return
    assert both.second_waited, f"the {second_name} did not wait for the {first}"
    assert isinstance(outcome["lock"], PeriodLock), outcome["lock"]
    assert written == 1
    if first == "write":
        assert not isinstance(outcome["write"], BaseException), outcome["write"]
        assert events.count() == 1  # filed before the period was locked
    else:
        assert isinstance(outcome["write"], FieldError), outcome["write"]
        assert outcome["write"].field == "date"
        assert events.count() == 0


def test_lock_by_office_only(ledger):
    for actor in ("reporter", "observer", "other_office"):
        with pytest.raises(Forbidden):
            period_lock(
                actor=getattr(ledger, actor), campaign=ledger.campaign, start=d(2, 1), end=d(2, 2)
            )
    assert denials("ledger.period.lock") == 3
    assert not PeriodLock.objects.exists()
    with pytest.raises(FieldError):
        period_lock(actor=ledger.office, campaign=ledger.campaign, start=d(2, 2), end=d(2, 1))
    # A period wholly outside the campaign (a slip of the year) would lock nothing.
    wrong_year = datetime.date(2023, 2, 1), datetime.date(2023, 2, 29 - 1)
    with pytest.raises(FieldError, match="outside the campaign"):
        period_lock(
            actor=ledger.office, campaign=ledger.campaign, start=wrong_year[0], end=wrong_year[1]
        )
    assert not PeriodLock.objects.exists()


def test_lock_holds_for_duplicate_verdicts(ledger):
    # O6 (02-06) is flagged; a verdict on it changes February's totals
    period_lock(actor=ledger.office, campaign=ledger.campaign, start=d(2, 1), end=d(2, 29))
    for verdict in (False, True):
        with pytest.raises(FieldError):
            output_duplicate_resolve(
                actor=ledger.office, record=ledger.records["O6"], is_duplicate=verdict
            )
    assert MediaOutput.objects.get(pk=ledger.records["O6"].pk).status == RecordStatus.DUPLICATE


# --- duplicates ---------------------------------------------------------------------------


def test_duplicates_are_flagged_and_do_not_count(ledger):
    o6, o8 = ledger.records["O6"], ledger.records["O8"]
    assert o6.status == o8.status == RecordStatus.DUPLICATE
    assert ledger.warnings["O6"] and ledger.warnings["O8"]
    assert ledger.warnings["O1"] == []
    assert not Fact.objects.filter(record_kind="output", record_id__in=[o6.pk, o8.pk]).exists()
    # a title differing only by surrounding or repeated spaces is the same title
    outcome = record_create(
        actor=ledger.reporter,
        campaign=ledger.campaign,
        record_kind="output",
        **sample(ledger, "output", outlet=ledger.video, title=" 移民新村  ", date=d(2, 7), url=""),
    )
    assert outcome.record.status == RecordStatus.DUPLICATE
    assert outcome.warnings
    # the same title on another day or another outlet is not a duplicate
    for over in ({"date": d(2, 8)}, {"outlet": ledger.tv}):
        values = {"outlet": ledger.video, "title": "移民新村", "date": d(2, 7), "url": "", **over}
        outcome = record_create(
            actor=ledger.reporter,
            campaign=ledger.campaign,
            record_kind="output",
            **sample(ledger, "output", **values),
        )
        assert outcome.record.status == RecordStatus.ACTIVE
        assert outcome.warnings == []


def test_a_link_shared_with_tracking_parameters_is_the_same_link(ledger):
    """O1's link as copied from a share (another scheme, a tracking tail, an anchor) is
    O1's link: the new output is flagged. The link is kept as typed."""
    shared = "http://news.example.cn/a/1/?utm_source=wechat&from=timeline#comments"
    outcome = record_create(
        actor=ledger.reporter,
        campaign=ledger.campaign,
        record_kind="output",
        **sample(ledger, "output", title="另一个标题", url=shared),
    )
    assert outcome.record.status == RecordStatus.DUPLICATE
    assert outcome.warnings
    stored = MediaOutput.objects.get(pk=outcome.record.pk)
    assert (stored.url, stored.url_key) == (shared, "news.example.cn/a/1")
    # another page of the same site is not
    outcome = record_create(
        actor=ledger.reporter,
        campaign=ledger.campaign,
        record_kind="output",
        **sample(ledger, "output", title="第三个标题", url="https://news.example.cn/a/2"),
    )
    assert outcome.record.status == RecordStatus.ACTIVE


def test_existing_links_get_their_keys(ledger):
    """The migration that added the key fills it for outputs filed before it."""
    from django.apps import apps

    fill_keys = import_module("campaigndesk.ledger.migrations.0007_output_url_key").fill_keys
    MediaOutput.objects.update(url_key="")
    fill_keys(apps, None)
    keys = dict(MediaOutput.objects.values_list("url", "url_key"))
    assert keys == {
        "": "",
        URL1: "news.example.cn/a/1",
        "https://tv.example.cn/4": "tv.example.cn/4",
    }


def test_stale_link_keys_are_recomputed_by_the_command(ledger):
    """Keys stored under older rules are recomputed (and only those), with one audit
    entry; the outputs' status stays as it was."""
    o1, o4 = ledger.records["O1"], ledger.records["O4"]
    MediaOutput.objects.filter(pk=o1.pk).update(url_key="stale")
    statuses = dict(MediaOutput.objects.values_list("pk", "status"))
    out = io.StringIO()
    call_command("url-keys-refresh", campaign=ledger.campaign.pk, stdout=out)
    assert "1" in out.getvalue()
    keys = dict(MediaOutput.objects.values_list("pk", "url_key"))
    assert (keys[o1.pk], keys[o4.pk]) == ("news.example.cn/a/1", "tv.example.cn/4")
    assert dict(MediaOutput.objects.values_list("pk", "status")) == statuses
    entry = AuditEntry.objects.get(action="ledger.output.url_keys_refreshed")
    assert entry.extra["changed"] == 1
    call_command("url-keys-refresh", stdout=out)  # all campaigns: nothing stale now
    assert AuditEntry.objects.filter(action="ledger.output.url_keys_refreshed").count() == 2
    with pytest.raises(CommandError, match="999999"):
        call_command("url-keys-refresh", campaign=999999)


def test_duplicate_verdicts(ledger):
    o6, o8 = ledger.records["O6"], ledger.records["O8"]
    for actor in ("reporter", "observer", "other_office"):
        with pytest.raises(Forbidden):
            output_duplicate_resolve(actor=getattr(ledger, actor), record=o6, is_duplicate=False)
    assert denials("ledger.output.duplicate_resolve") == 3

    output_duplicate_resolve(actor=ledger.office, record=o6, is_duplicate=False)
    # media_outputs 6 + O6 | articles O1 + O6 | views 3800 + 50
    assert value_of(ledger, "media_outputs") == 7
    assert value_of(ledger, "articles") == 2
    assert value_of(ledger, "views") == 3850
    assert AuditEntry.objects.filter(action="ledger.output.duplicate_cleared").count() == 1
    with pytest.raises(DomainError):  # no longer flagged
        output_duplicate_resolve(actor=ledger.office, record=o6, is_duplicate=False)
    # changing a cleared output (not its link, outlet, title or date) keeps it counting
    fresh = MediaOutput.objects.get(pk=o6.pk)
    outcome = record_update(actor=ledger.reporter, record_kind="output", record=fresh, views=60)
    assert outcome.record.status == RecordStatus.ACTIVE and outcome.warnings == []
    assert value_of(ledger, "views") == 3860

    output_duplicate_resolve(actor=ledger.office, record=o8, is_duplicate=True)
    assert not MediaOutput.objects.filter(pk=o8.pk).exists()
    assert value_of(ledger, "short_videos") == 2
    assert AuditEntry.objects.filter(action="ledger.output.deleted", object_id=str(o8.pk)).exists()


def test_update_into_a_duplicate_is_flagged(ledger):
    o3 = ledger.records["O3"]
    outcome = record_update(
        actor=ledger.office, record_kind="output", record=o3, url="https://tv.example.cn/4"
    )
    assert outcome.record.status == RecordStatus.DUPLICATE
    assert outcome.warnings
    assert value_of(ledger, "short_videos") == 1  # O2 only
    assert not Fact.objects.filter(record_kind="output", record_id=o3.pk).exists()


# --- evidence -----------------------------------------------------------------------------

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"\x00" * 64
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 64


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_evidence_types_and_size(ledger, media):
    from campaigndesk.ledger.models import Evidence
    from campaigndesk.ledger.services import evidence_add

    e1 = ledger.records["E1"]
    for data, name in [(JPEG, "a.jpg"), (PNG, "b.png"), (PDF, "c.pdf"), (WEBP, "d.webp")]:
        evidence = evidence_add(
            actor=ledger.reporter,
            record_kind="event",
            record=e1,
            data=data,
            filename=name,
            evidence_kind="photo",
        )
        assert evidence.size == len(data) and evidence.verified_at is None
        assert (media / evidence.file.name).read_bytes() == data
    assert Evidence.objects.count() == 4
    assert AuditEntry.objects.filter(action="ledger.evidence.added").count() == 4

    before = counts(), Evidence.objects.count()
    bad = [
        (b"MZ\x90\x00" + b"\x00" * 64, "setup.exe"),  # a Windows program
        ("签到名单：张三、李四".encode(), "名单.txt"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 64, "sound.wav"),  # RIFF, not WebP
        (JPEG + b"\x00" * (10 * 1024 * 1024), "huge.jpg"),
        (b"", "empty.jpg"),
    ]
    for data, name in bad:
        with pytest.raises(FieldError) as error:
            evidence_add(
                actor=ledger.reporter,
                record_kind="event",
                record=e1,
                data=data,
                filename=name,
                evidence_kind="photo",
            )
        assert error.value.field == "file", name
    with pytest.raises(FieldError) as error:
        evidence_add(
            actor=ledger.reporter,
            record_kind="event",
            record=e1,
            data=JPEG,
            filename="x.jpg",
            evidence_kind="selfie",
        )
    assert error.value.field == "kind"
    assert (counts(), Evidence.objects.count()) == before
    # refused files leave nothing behind on disk
    stored = sorted(Evidence.objects.values_list("file", flat=True))
    assert sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()) == stored


def test_evidence_exactly_10_mb_is_accepted(ledger, media):
    from campaigndesk.ledger.services import evidence_add

    data = JPEG + b"\x00" * (10 * 1024 * 1024 - len(JPEG))
    evidence = evidence_add(
        actor=ledger.office,
        record_kind="event",
        record=ledger.records["E1"],
        data=data,
        filename="big.jpg",
        evidence_kind="photo",
    )
    assert evidence.size == 10 * 1024 * 1024


def test_evidence_only_for_writers_and_verified_by_the_office(ledger, media):
    from campaigndesk.ledger.services import evidence_add, evidence_verify

    e1 = ledger.records["E1"]
    for actor in ("observer", "other_reporter", "other_office"):
        with pytest.raises(Forbidden):
            evidence_add(
                actor=getattr(ledger, actor),
                record_kind="event",
                record=e1,
                data=JPEG,
                filename="a.jpg",
                evidence_kind="photo",
            )
    assert denials("ledger.evidence.add") == 3
    evidence = evidence_add(
        actor=ledger.reporter,
        record_kind="event",
        record=e1,
        data=JPEG,
        filename="a.jpg",
        evidence_kind="photo",
    )
    for actor in ("reporter", "observer", "other_office"):
        with pytest.raises(Forbidden):
            evidence_verify(actor=getattr(ledger, actor), evidence=evidence)
    assert denials("ledger.evidence.verify") == 3
    evidence.refresh_from_db()
    assert evidence.verified_at is None
    evidence_verify(actor=ledger.township_office, evidence=evidence)
    evidence.refresh_from_db()
    assert evidence.verified_by == ledger.township_office and evidence.verified_at is not None
    assert AuditEntry.objects.filter(action="ledger.evidence.verified").count() == 1


def test_a_moment_is_filed_on_its_local_date(ledger):
    # 20:00 UTC on 29 February is 04:00 on 1 March in Yunnan (UTC+8)
    moment = datetime.datetime(2024, 2, 29, 20, 0, tzinfo=datetime.UTC)
    record = record_create(
        actor=ledger.office,
        campaign=ledger.campaign,
        record_kind="figure",
        **sample(ledger, "figure", date=moment, period_start=moment - datetime.timedelta(days=3)),
    ).record
    assert (record.period_start, record.date) == (d(2, 27), d(3, 1))
    assert Fact.objects.get(record_kind="figure", record_id=record.pk).date == d(3, 1)


def test_wrong_record_kind_for_a_record(ledger):
    e1 = ledger.records["E1"]
    before = counts()
    for service in (record_update, record_delete):
        with pytest.raises(DomainError):
            service(actor=ledger.office, record_kind="output", record=e1)
    assert counts() == before
    assert Fact.objects.filter(record_kind="event", record_id=e1.pk).count() == 2


def test_deleted_meanwhile(ledger):
    from campaigndesk.common.errors import NotFound

    e1 = ledger.records["E1"]
    record_delete(actor=ledger.office, record_kind="event", record=e1)
    with pytest.raises(NotFound):
        record_update(actor=ledger.office, record_kind="event", record=e1, sessions=2)
    with pytest.raises(NotFound):
        record_delete(actor=ledger.office, record_kind="event", record=e1)


def test_region_defaults_to_the_units(ledger):
    values = sample(ledger, "event")
    del values["region"]
    record = record_create(
        actor=ledger.reporter, campaign=ledger.campaign, record_kind="event", **values
    ).record
    assert record.region == ledger.township and record.region_path == ledger.township.path
    record = record_create(
        actor=ledger.office,
        campaign=ledger.campaign,
        record_kind="event",
        **sample(ledger, "event", unit=ledger.township2_unit, region=None),
    ).record
    assert record.region == ledger.township2


def test_save_new_inserts_many_records_with_ids_stamps_and_facts(world):
    from django.utils import timezone

    from campaigndesk.accounts.scoping import SYSTEM
    from campaigndesk.ledger.models import MaterialRecord
    from campaigndesk.ledger.services import RecordWriter

    writer = RecordWriter(actor=SYSTEM, campaign=world.campaign)
    day = world.campaign.start_date
    records = [
        writer.prepare(
            "material",
            {
                "unit": world.township_unit,
                "region": world.village,
                "date": day,
                "kind": "banner",
                "quantity": Decimal(12 + n),
                "measure_word": "条",
                "area_m2": Decimal("3.25") if n == 0 else None,
            },
        )
        for n in range(3)
    ]
    before = timezone.now()
    writer.save_new("material", records)
    stored = list(MaterialRecord.objects.order_by("pk"))
    assert [s.pk for s in stored] == [r.pk for r in records]
    assert not any(r._state.adding for r in records)
    assert [s.quantity for s in stored] == [12, 13, 14]
    assert stored[0].area_m2 == Decimal("3.25") and stored[1].area_m2 is None
    assert all(s.date == day and s.status == RecordStatus.ACTIVE for s in stored)
    assert all(before <= s.created_at <= timezone.now() for s in stored)
    assert all(s.created_at <= s.updated_at <= timezone.now() for s in stored)
    # a banner fact each (12 + 13 + 14), and the area of the first
    facts = Fact.objects.filter(record_kind="material", record_id__in=[r.pk for r in records])
    assert sorted(f.value for f in facts) == [Decimal("3.25"), 12, 13, 14]


@pytest.mark.parametrize("bad", [None, "maybe"])
def test_an_original_flag_that_is_not_yes_or_no_is_a_field_error(ledger, bad):
    o1 = ledger.records["O1"]
    with pytest.raises(FieldError) as error:
        record_update(actor=ledger.office, record_kind="output", record=o1, is_original=bad)
    assert error.value.field == "is_original"
    o1.refresh_from_db()
    assert o1.is_original is True


def test_evidence_moves_with_its_record(ledger, media):
    """Evidence is seen and verified by its record's place: the office over the place a
    record moved to verifies it, the one it left may not."""
    from campaigndesk.ledger.models import Evidence
    from campaigndesk.ledger.services import evidence_add, evidence_verify

    e2 = ledger.records["E2"]  # at 村B (东瓜镇)
    evidence = evidence_add(
        actor=ledger.office,
        record_kind="event",
        record=e2,
        data=PNG,
        filename="a.png",
        evidence_kind="sign_in",
    )
    record_update(actor=ledger.office, record_kind="event", record=e2, region=ledger.village)
    evidence = Evidence.objects.get(pk=evidence.pk)
    assert evidence.region_path == ledger.village.path
    evidence_verify(actor=ledger.township_office, evidence=evidence)
    assert Evidence.objects.get(pk=evidence.pk).verified_at is not None


def test_a_shared_wechat_link_with_escaped_padding_is_a_duplicate(ledger):
    plain = "https://mp.weixin.qq.com/s?__biz=MzA3NjE2NjY4MA==&mid=2650&idx=1&sn=abc"
    shared = (
        "https://mp.weixin.qq.com/s?__biz=MzA3NjE2NjY4MA%3D%3D&mid=2650&idx=1&sn=abc"
        "&chksm=9&scene=21"
    )
    common = dict(
        actor=ledger.reporter,
        campaign=ledger.campaign,
        record_kind="output",
        unit=ledger.township_unit,
        kind="news",
    )
    record_create(date=d(5, 6), outlet=ledger.daily, title="一", url=plain, **common)
    second = record_create(date=d(5, 7), outlet=ledger.video, title="二", url=shared, **common)
    assert second.record.status == RecordStatus.DUPLICATE


def test_a_lock_read_before_another_reopening_is_not_reopened_again(ledger):
    lock = period_lock(actor=ledger.office, campaign=ledger.campaign, start=d(2, 1), end=d(2, 29))
    stale = PeriodLock.objects.get(pk=lock.pk)  # (read by a second request, say)
    period_reopen(actor=ledger.office, lock=lock, reason="更正")
    with pytest.raises(DomainError):
        period_reopen(actor=ledger.office, lock=stale, reason="again")
    assert PeriodLock.objects.get(pk=lock.pk).reopen_reason == "更正"
    assert AuditEntry.objects.filter(action="ledger.period.reopened").count() == 1


def march_lecture(ledger, **fields):
    """A lecture the office files for 东瓜镇 on 1 March, with ``fields`` changed."""
    values = {
        "record_kind": "event",
        "unit": ledger.township2_unit,
        "date": d(3, 1),
        "kind": "lecture",
        "sessions": 1,
        "participants": 10,
        **fields,
    }
    return record_create(actor=ledger.office, campaign=ledger.campaign, **values)


def test_an_inactive_unit_files_nothing_new_but_its_records_can_be_corrected(ledger):
    from campaigndesk.regions.models import Unit

    Unit.objects.filter(pk=ledger.township2_unit.pk).update(is_active=False)
    e2 = ledger.records["E2"]  # 东瓜镇人民政府's
    e2.refresh_from_db()
    before = EventRecord.objects.count()
    with pytest.raises(FieldError) as error:
        march_lecture(ledger, unit=e2.unit)
    assert error.value.field == "unit" and "no longer active" in error.value.message
    with pytest.raises(FieldError):
        record_update(
            actor=ledger.office, record_kind="event", record=ledger.records["E1"], unit=e2.unit
        )
    assert EventRecord.objects.count() == before
    record_update(actor=ledger.office, record_kind="event", record=e2, participants=99)
    e2.refresh_from_db()
    assert e2.participants == 99


def test_a_note_longer_than_an_import_takes_is_refused_everywhere(ledger):
    """The import's column takes 2,000 characters: a longer note written by hand would
    make the record's own export fail to import again."""
    before = EventRecord.objects.count()
    with pytest.raises(FieldError) as error:
        march_lecture(ledger, note="长" * 2001)
    assert error.value.field == "note"
    assert EventRecord.objects.count() == before


def test_a_nul_character_in_text_is_refused_and_minus_zero_is_zero(ledger):
    """PostgreSQL's text cannot hold a NUL (a 500 there, kept on SQLite): refused alike."""
    before = EventRecord.objects.count()
    with pytest.raises(FieldError) as error:
        march_lecture(ledger, note="签到\x00表")
    assert error.value.field == "note"
    assert EventRecord.objects.count() == before
    material = record_create(
        actor=ledger.office,
        campaign=ledger.campaign,
        record_kind="material",
        unit=ledger.township2_unit,
        date=d(3, 1),
        kind="banner",
        quantity=Decimal("-0"),
    ).record
    material.refresh_from_db()
    assert str(material.quantity) in ("0", "0.00") and not material.quantity.is_signed()


def test_editing_an_original_does_not_flag_it_against_its_flagged_copy(ledger):
    o1 = ledger.records["O1"]  # O6 is O1's flagged copy (the same link)
    before = value_of(ledger, "articles")
    record_update(actor=ledger.office, record_kind="output", record=o1, title="库区新貌(修订)")
    assert MediaOutput.objects.get(pk=o1.pk).status == RecordStatus.ACTIVE
    assert value_of(ledger, "articles") == before


def photo_of(ledger, record, filename: str):
    """The office attaches a photo to an event."""
    from campaigndesk.ledger.services import evidence_add

    return evidence_add(
        actor=ledger.office,
        record_kind="event",
        record=record,
        data=JPEG,
        filename=filename,
        evidence_kind="photo",
    )


def test_evidence_follows_the_records_state_at_the_time_of_writing(ledger, media):
    """Evidence services re-read what they were handed: a record deleted, or evidence
    gone with it, since the caller read them is not found (no orphan, no 500)."""
    from campaigndesk.ledger.models import Evidence
    from campaigndesk.ledger.services import evidence_move, evidence_verify

    e1, e4 = ledger.records["E1"], ledger.records["E4"]
    kept = photo_of(ledger, e1, "a.jpg")
    record_delete(actor=ledger.office, record_kind="event", record=e4)
    with pytest.raises(NotFound):
        photo_of(ledger, e4, "b.jpg")
    with pytest.raises(NotFound):
        evidence_move(actor=ledger.office, record_kind="event", source=e1, target=e4)
    assert Evidence.objects.get().pk == kept.pk and kept.record_id == e1.pk
    record_delete(actor=ledger.office, record_kind="event", record=e1)
    with pytest.raises(NotFound):
        evidence_verify(actor=ledger.office, evidence=kept)


def test_a_denied_evidence_move_is_audited(ledger, media):
    from campaigndesk.ledger.services import evidence_move

    e1, e2 = ledger.records["E1"], ledger.records["E2"]
    photo_of(ledger, e1, "a.jpg")
    with pytest.raises(Forbidden):
        evidence_move(actor=ledger.other_reporter, record_kind="event", source=e1, target=e2)
    assert AuditEntry.objects.filter(
        action="ledger.evidence.move", outcome=AuditEntry.Outcome.DENIED
    ).exists()


def test_a_period_is_locked_once_so_that_reopening_opens_it(ledger):
    first = period_lock(actor=ledger.office, campaign=ledger.campaign, start=d(2, 1), end=d(2, 29))
    for start, end in [(d(2, 1), d(2, 29)), (d(2, 15), d(3, 10)), (d(1, 20), d(2, 1))]:
        with pytest.raises(FieldError) as error:
            period_lock(actor=ledger.office, campaign=ledger.campaign, start=start, end=end)
        assert error.value.field == "start" and "2024-02-01" in error.value.message
    assert PeriodLock.objects.count() == 1
    period_lock(actor=ledger.office, campaign=ledger.campaign, start=d(3, 1), end=d(3, 31))
    period_reopen(actor=ledger.office, lock=first, reason="更正二月数据")
    record_update(actor=ledger.office, record_kind="event", record=ledger.records["E1"], sessions=3)
