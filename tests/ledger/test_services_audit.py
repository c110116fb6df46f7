"""What the ledger services write to the audit trail, and what they keep out of sight:
verification, deletion with evidence, edits that change nothing, and imports naming
records the importer cannot see."""

import pytest

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.ledger.io.imports import ImportRejected, import_batch_undo
from campaigndesk.ledger.models import EventRecord
from campaigndesk.ledger.services import evidence_verify, record_delete, record_update

from .io_files import csv_bytes, io_world, run_import
from .test_services import photo_of

__all__ = ["io_world"]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


EVENT_HEADER = ["单位", "行政区划代码", "日期", "类型", "标题", "场次", "人次", "地点", "外部编号"]


def test_verifying_is_audited_with_its_before_and_after_and_happens_once(ledger, media):
    photo = photo_of(ledger, ledger.records["E1"], "sign-in.jpg")
    evidence_verify(actor=ledger.township_office, evidence=photo)
    entry = AuditEntry.objects.filter(action="ledger.evidence.verified").get()
    assert entry.before == {"verified_by_id": None, "verified_at": None}
    assert entry.after["verified_by_id"] == ledger.township_office.pk
    assert entry.after["verified_at"]

    again = evidence_verify(actor=ledger.office, evidence=photo)
    assert again.verified_by == ledger.township_office  # who verified it first stays
    assert AuditEntry.objects.filter(action="ledger.evidence.verified").count() == 1


def test_deleting_a_record_names_the_evidence_that_goes_with_it(ledger, media):
    e1 = ledger.records["E1"]
    photo = photo_of(ledger, e1, "sign-in.jpg")
    record_delete(actor=ledger.office, record_kind="event", record=e1)
    entry = AuditEntry.objects.filter(action="ledger.event.deleted").get()
    [gone] = entry.extra["evidence"]
    assert (gone["id"], gone["original_name"]) == (photo.pk, "sign-in.jpg")


def test_an_edit_that_changes_nothing_writes_nothing_and_leaves_the_import_undoable(ledger):
    row = ["鹿城镇人民政府", "", "2024-02-08", "宣讲", "院坝会", "2", "40", "", "E-9"]
    batch = run_import(
        ledger.reporter, ledger.campaign, "event", csv_bytes([EVENT_HEADER, row]), "a.csv"
    ).batch
    record = EventRecord.objects.get(batch=batch)
    stamp = record.updated_at
    entries = AuditEntry.objects.count()

    record_update(actor=ledger.reporter, record_kind="event", record=record, participants=40)

    record.refresh_from_db()
    assert record.updated_at == stamp
    assert AuditEntry.objects.count() == entries
    import_batch_undo(actor=ledger.reporter, batch=batch)
    assert not EventRecord.objects.filter(pk=record.pk).exists()


def test_an_import_does_not_tell_a_reporter_about_records_out_of_sight(ledger):
    hidden = ledger.records["E2"]  # 东瓜镇's; the reporter is 鹿城镇's
    row = ["鹿城镇人民政府", "", "2024-05-07", "宣讲", "", "1", "1", "", f"#{hidden.pk}"]
    result = run_import(
        ledger.reporter, ledger.campaign, "event", csv_bytes([EVENT_HEADER, row]), "a.csv"
    )
    # As for an id that matches nothing: a new record of the reporter's own unit.
    assert result.created == 1
    hidden.refresh_from_db()
    assert (hidden.sessions, hidden.external_id) == (3, "")

    EventRecord.objects.filter(pk=hidden.pk).update(external_id="DG-1")
    row[-1] = "DG-1"
    try:
        run_import(
            ledger.reporter, ledger.campaign, "event", csv_bytes([EVENT_HEADER, row]), "b.csv"
        )
    except ImportRejected as rejected:
        [error] = rejected.errors
    else:
        raise AssertionError("an external id another unit holds was accepted")
    assert "DG-1" in str(error) and "东瓜镇" not in str(error)


# --- flagged copies when what they copied stops counting ------------------------------


def status_of(record) -> str:
    from campaigndesk.ledger.models import MediaOutput

    return MediaOutput.objects.get(pk=record.pk).status


def test_copies_count_again_when_their_original_is_deleted_or_changed(ledger):
    from campaigndesk.ledger.models import RecordStatus
    from campaigndesk.ledger.rollup import rollup

    def outputs() -> int:
        result = rollup(actor=ledger.office, campaign=ledger.campaign, indicators=["media_outputs"])
        return result.value("media_outputs")

    counted = outputs()
    o1, o2, o6, o8 = (ledger.records[k] for k in ("O1", "O2", "O6", "O8"))
    record_delete(actor=ledger.office, record_kind="output", record=o1)
    assert status_of(o6) == RecordStatus.ACTIVE  # O1 gone: its copy counts instead
    entry = AuditEntry.objects.filter(action="ledger.output.duplicate_cleared").get()
    assert (entry.object_id, entry.extra["reason"]) == (str(o6.pk), "repeats no output that counts")

    record_update(actor=ledger.office, record_kind="output", record=o2, title="改了标题")
    assert status_of(o8) == RecordStatus.ACTIVE  # O2 is no longer what O8 repeats
    # O1 out and O6 in; O8 in: one more than before.
    assert outputs() == counted + 1


def test_of_two_copies_the_first_counts_and_the_second_stays_flagged(ledger):
    from campaigndesk.ledger.models import RecordStatus
    from campaigndesk.ledger.services import record_create

    o1, o6 = ledger.records["O1"], ledger.records["O6"]
    second = record_create(
        actor=ledger.office,
        campaign=ledger.campaign,
        record_kind="output",
        unit=o6.unit,
        outlet=o6.outlet,
        kind="article",
        title="又一次转载",
        date=o6.date,
        url=o1.url,
    ).record
    assert second.status == RecordStatus.DUPLICATE
    record_delete(actor=ledger.office, record_kind="output", record=o1)
    assert (status_of(o6), status_of(second)) == (RecordStatus.ACTIVE, RecordStatus.DUPLICATE)


def test_a_copy_in_a_locked_period_stays_flagged(ledger):
    from campaigndesk.ledger.models import RecordStatus
    from campaigndesk.ledger.services import period_lock

    from .conftest import d

    o1, o6 = ledger.records["O1"], ledger.records["O6"]  # 02-05 and 02-06
    period_lock(actor=ledger.office, campaign=ledger.campaign, start=d(2, 6), end=d(2, 6))
    record_delete(actor=ledger.office, record_kind="output", record=o1)
    assert status_of(o6) == RecordStatus.DUPLICATE


def test_an_undo_moving_an_output_back_onto_a_twin_flags_it(io_world):
    from campaigndesk.accounts.scoping import SYSTEM
    from campaigndesk.ledger.models import MediaOutput, RecordStatus
    from campaigndesk.ledger.services import record_create

    from .conftest import d
    from .io_files import HEADERS

    world = io_world.world
    fields = {
        "actor": SYSTEM,
        "campaign": io_world.campaign,
        "record_kind": "output",
        "unit": world.county_unit,
        "outlet": io_world.daily,
        "kind": "news",
        "date": d(5, 6),
    }
    a = record_create(**fields, title="五月新闻", external_id="A-1").record
    header = [*HEADERS["output"], "外部编号"]
    row = ["楚雄市融媒体中心", "", "2024-05-06", "楚雄日报", "新闻", "五月新闻（改）"]
    row += ["", "", "", "", "A-1"]
    batch = run_import(SYSTEM, io_world.campaign, "output", csv_bytes([header, row]), "a.csv").batch
    b = record_create(**fields, title="五月新闻").record  # no twin now: it counts
    assert b.status == RecordStatus.ACTIVE

    import_batch_undo(actor=SYSTEM, batch=batch)

    a = MediaOutput.objects.get(pk=a.pk)
    assert (a.title, a.status) == ("五月新闻", RecordStatus.DUPLICATE)
    assert status_of(b) == RecordStatus.ACTIVE


def test_an_undo_deleting_an_original_lets_its_copy_count(io_world):
    from campaigndesk.accounts.scoping import SYSTEM
    from campaigndesk.ledger.models import RecordStatus
    from campaigndesk.ledger.services import record_create

    from .conftest import d
    from .io_files import HEADERS

    row = ["楚雄市融媒体中心", "", "2024-05-06", "楚雄日报", "新闻", "五月新闻"]
    row += ["", "", "", "https://e.org/may"]
    batch = run_import(
        SYSTEM, io_world.campaign, "output", csv_bytes([HEADERS["output"], row]), "a.csv"
    ).batch
    copy = record_create(
        actor=SYSTEM,
        campaign=io_world.campaign,
        record_kind="output",
        unit=io_world.world.county_unit,
        outlet=io_world.wechat,
        kind="article",
        title="转载五月新闻",
        date=d(5, 7),
        url="https://e.org/may",
    ).record
    assert copy.status == RecordStatus.DUPLICATE
    import_batch_undo(actor=SYSTEM, batch=batch)
    assert status_of(copy) == RecordStatus.ACTIVE


def test_control_characters_are_no_part_of_an_evidence_file_name(ledger, media):
    photo = photo_of(ledger, ledger.records["E1"], "签到\x00表\n.jpg")
    assert photo.original_name == "签到表.jpg"


def test_an_import_changing_many_outputs_judges_their_copies_again(io_world):
    from campaigndesk.accounts.scoping import SYSTEM
    from campaigndesk.ledger.models import MediaOutput, RecordStatus

    from .io_files import HEADERS

    header = [*HEADERS["output"], "外部编号"]
    first = ["楚雄市融媒体中心", "", "2024-05-06", "楚雄日报", "新闻"]

    def rows(title: str) -> list[list]:
        return [header] + [
            [*first, f"{title}{n}", "", "", "", f"https://e.org/{title}/{n}", f"N-{n}"]
            for n in range(1200)
        ]

    run_import(SYSTEM, io_world.campaign, "output", csv_bytes(rows("旧")), "a.csv")
    # A copy of the last one (another outlet, the same link): flagged.
    copy = [
        *rows("旧")[-1][:3],
        "楚雄发布",
        "新闻",
        "转载",
        "",
        "",
        "",
        "https://e.org/旧/1199",
        "",
    ]
    run_import(SYSTEM, io_world.campaign, "output", csv_bytes([header, copy]), "b.csv")
    flagged = MediaOutput.objects.get(outlet=io_world.wechat)
    assert flagged.status == RecordStatus.DUPLICATE
    # Every output given a new title and link: the copy repeats nothing that counts.
    run_import(SYSTEM, io_world.campaign, "output", csv_bytes(rows("新")), "c.csv")
    assert status_of(flagged) == RecordStatus.ACTIVE


def _outputs(io_world, *rows) -> list[list]:
    from .io_files import HEADERS

    header = [*HEADERS["output"], "外部编号"]
    base = ["楚雄市融媒体中心", "", "2024-05-06"]
    return [header] + [[*base, *row] for row in rows]


def test_an_undo_puts_back_no_stale_verdict(io_world):
    """A counts; C, its flagged copy, is updated by an import (views only); A is
    deleted, so C counts; undoing that import must not flag C again."""
    from campaigndesk.accounts.scoping import SYSTEM
    from campaigndesk.ledger.models import MediaOutput, RecordStatus

    url = ["", "", "", "https://e.org/a"]
    a = ["楚雄日报", "新闻", "甲", *url, "A-1"]
    c = ["楚雄发布", "新闻", "转载甲", *url, "C-1"]
    run_import(SYSTEM, io_world.campaign, "output", csv_bytes(_outputs(io_world, a)), "a.csv")
    run_import(SYSTEM, io_world.campaign, "output", csv_bytes(_outputs(io_world, c)), "c.csv")
    copy = MediaOutput.objects.get(external_id="C-1")
    assert copy.status == RecordStatus.DUPLICATE
    views = [*c[:4], "999", *c[5:]]
    batch = run_import(
        SYSTEM, io_world.campaign, "output", csv_bytes(_outputs(io_world, views)), "v.csv"
    ).batch
    record_delete(
        actor=SYSTEM, record_kind="output", record=MediaOutput.objects.get(external_id="A-1")
    )
    assert status_of(copy) == RecordStatus.ACTIVE
    import_batch_undo(actor=SYSTEM, batch=batch)
    assert status_of(copy) == RecordStatus.ACTIVE


def test_undoing_two_imports_leaves_one_of_two_twins_counting(io_world):
    from campaigndesk.accounts.scoping import SYSTEM
    from campaigndesk.ledger.models import MediaOutput, RecordStatus

    url = ["", "", "", "https://e.org/b"]
    a = ["楚雄日报", "新闻", "乙", *url, "A-2"]
    c = ["楚雄发布", "新闻", "转载乙", *url, "C-2"]
    for name, row in (("a.csv", a), ("c.csv", c)):
        run_import(SYSTEM, io_world.campaign, "output", csv_bytes(_outputs(io_world, row)), name)
    first = run_import(
        SYSTEM, io_world.campaign, "output",
        csv_bytes(_outputs(io_world, [*a[:4], "5", *a[5:]])), "1.csv",
    ).batch  # fmt: skip
    moved = [*a[:2], "乙（改）", "", "", "", "https://e.org/b2", "A-2"]
    second = run_import(
        SYSTEM, io_world.campaign, "output", csv_bytes(_outputs(io_world, moved)), "2.csv"
    ).batch
    assert MediaOutput.objects.get(external_id="C-2").status == RecordStatus.ACTIVE
    import_batch_undo(actor=SYSTEM, batch=second)
    import_batch_undo(actor=SYSTEM, batch=first)
    statuses = sorted(MediaOutput.objects.values_list("status", flat=True))
    assert statuses == sorted([RecordStatus.ACTIVE, RecordStatus.DUPLICATE])


def test_judging_copies_again_takes_a_query_or_two_a_copy(io_world):
    """An import moving outputs away from their copies re-judges the copies in batches:
    the statements grow by the audit entry a copy, not by a judgement and a rewrite."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from campaigndesk.accounts.scoping import SYSTEM

    def statements(n: int, tag: str) -> int:
        originals = [
            ["楚雄日报", "新闻", f"{tag}{i}", "", "", "", f"https://e.org/{tag}/{i}", f"{tag}-{i}"]
            for i in range(n)
        ]
        copies = [
            ["楚雄发布", "新闻", f"转{tag}{i}", "", "", "", f"https://e.org/{tag}/{i}", ""]
            for i in range(n)
        ]
        run_import(
            SYSTEM,
            io_world.campaign,
            "output",
            csv_bytes(_outputs(io_world, *originals)),
            f"{tag}o.csv",
        )
        run_import(
            SYSTEM,
            io_world.campaign,
            "output",
            csv_bytes(_outputs(io_world, *copies)),
            f"{tag}c.csv",
        )
        moved = [
            [*row[:6], f"https://e.org/{tag}/moved/{i}", row[7]] for i, row in enumerate(originals)
        ]
        with CaptureQueriesContext(connection) as captured:
            run_import(
                SYSTEM,
                io_world.campaign,
                "output",
                csv_bytes(_outputs(io_world, *moved)),
                f"{tag}m.csv",
            )
        return len(captured.captured_queries)

    few, many = statements(10, "x"), statements(50, "y")
    assert many - few <= 2 * 40, (few, many)


def test_an_undo_moving_two_twins_back_lets_the_first_filed_count(io_world):
    from campaigndesk.accounts.scoping import SYSTEM
    from campaigndesk.ledger.models import MediaOutput, RecordStatus

    a = ["楚雄日报", "新闻", "丙", "", "", "", "https://e.org/t", "A-3"]
    c = ["楚雄发布", "新闻", "转载丙", "", "", "", "https://e.org/t", "C-3"]
    for name, row in (("a.csv", a), ("c.csv", c)):
        run_import(SYSTEM, io_world.campaign, "output", csv_bytes(_outputs(io_world, row)), name)
    apart = [[*a[:6], "https://e.org/t1", a[7]], [*c[:6], "https://e.org/t2", c[7]]]
    batch = run_import(
        SYSTEM, io_world.campaign, "output", csv_bytes(_outputs(io_world, *apart)), "apart.csv"
    ).batch
    assert set(MediaOutput.objects.values_list("status", flat=True)) == {RecordStatus.ACTIVE}
    import_batch_undo(actor=SYSTEM, batch=batch)
    status = dict(MediaOutput.objects.values_list("external_id", "status"))
    assert status == {"A-3": RecordStatus.ACTIVE, "C-3": RecordStatus.DUPLICATE}
