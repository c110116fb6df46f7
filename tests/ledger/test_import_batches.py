"""Import batches: re-import is a no-op, external ids upsert, an import can be undone."""

import datetime
import io

import pytest

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.common.errors import DomainError, FieldError, Forbidden, ImportRejected
from campaigndesk.ledger.io.imports import import_batch_undo
from campaigndesk.ledger.models import (
    EventRecord,
    Fact,
    FigureRecord,
    ImportBatch,
    ImportedUpdate,
    MaterialRecord,
    MediaOutput,
    PeriodLock,
    RecordStatus,
)
from campaigndesk.ledger.rollup import rollup
from campaigndesk.ledger.services import evidence_add, record_create, record_update

from .io_files import (
    GOOD,
    HEADERS,
    csv_bytes,
    good_file,
    io_world,
    run_import,
    second_campaign,
)

__all__ = ["io_world"]

EVENT_HEADER = [*HEADERS["event"], "外部编号"]


def value(campaign, code):
    return rollup(actor=SYSTEM, campaign=campaign, indicators=[code]).value(code)


def test_reimporting_the_same_file_is_a_reported_no_op(io_world):
    data, name = good_file("event", "xlsx")
    first = run_import(SYSTEM, io_world.campaign, "event", data, name)
    again = run_import(SYSTEM, io_world.campaign, "event", data, "renamed.xlsx")
    assert again.already_imported and again.batch == first.batch
    assert (again.created, again.updated) == (0, 0)
    assert "already imported" in again.warnings[0]
    assert EventRecord.objects.count() == 3 and ImportBatch.objects.count() == 1
    assert AuditEntry.objects.filter(action="ledger.batch.imported").count() == 1
    # The same file into another kind or campaign is a new batch.
    other = run_import(SYSTEM, second_campaign(io_world), "event", data, name)
    assert not other.already_imported


def test_external_id_upserts(io_world):
    campaign = io_world.campaign
    rows = [
        EVENT_HEADER,
        ["鹿城镇人民政府", "", "2024-02-07", "宣讲", "第一场", "12", "860", "", "E-1"],
        ["鹿城镇人民政府", "", "2024-02-08", "宣讲", "第二场", "3", "100", "", "E-2"],
        ["鹿城镇人民政府", "", "2024-02-09", "宣讲", "无编号", "1", "10", "", ""],
    ]
    first = run_import(SYSTEM, campaign, "event", csv_bytes(rows), "a.csv")
    assert (first.created, first.updated) == (3, 0)
    rows = [
        EVENT_HEADER,
        ["鹿城镇人民政府", "", "2024-02-07", "宣讲", "第一场(更正)", "10", "800", "", "E-1"],
        ["楚雄市融媒体中心", "", "2024-02-10", "文艺巡演", "", "2", "400", "", "E-3"],
        ["鹿城镇人民政府", "", "2024-02-09", "宣讲", "无编号", "1", "10", "", ""],
    ]
    second = run_import(SYSTEM, campaign, "event", csv_bytes(rows), "b.csv")
    assert (second.created, second.updated) == (2, 1)
    corrected = EventRecord.objects.get(external_id="E-1")
    assert (corrected.title, corrected.sessions, corrected.participants) == (
        "第一场(更正)",
        10,
        800,
    )
    # The record stays the first batch's; the second batch keeps what it replaced.
    assert corrected.batch == first.batch
    assert ImportedUpdate.objects.get(batch=second.batch).before["sessions"] == 12
    assert EventRecord.objects.count() == 5  # the row without an id came again
    assert value(campaign, "lectures") == 10 + 3 + 1 + 1
    assert value(campaign, "event_participants") == 800 + 100 + 10 + 400 + 10
    # An id is matched within the campaign and kind only.
    other = run_import(SYSTEM, second_campaign(io_world), "event", csv_bytes(rows[:2]), "c.csv")
    assert other.created == 1


def test_upsert_applies_the_same_checks(io_world):
    campaign = io_world.campaign
    rows = [EVENT_HEADER, ["楚雄市融媒体中心", "", "2024-02-07", "宣讲", "", "1", "1", "", "E-9"]]
    run_import(SYSTEM, campaign, "event", csv_bytes(rows), "a.csv")
    # A reporter may not take over another unit's record through its id, nor learn
    # whose it is.
    rows = [EVENT_HEADER, ["鹿城镇人民政府", "", "2024-02-07", "宣讲", "", "1", "1", "", "E-9"]]
    with pytest.raises(ImportRejected) as caught:
        run_import(io_world.world.reporter, campaign, "event", csv_bytes(rows), "b.csv")
    [error] = caught.value.errors
    assert (error.row, error.field) == (2, "外部编号 (I)")
    assert "融媒体中心" not in error.message
    assert EventRecord.objects.get().unit == io_world.world.county_unit


def test_undo_deletes_what_the_batch_created_and_allows_reimport(io_world):
    campaign = io_world.campaign
    kept = record_create(
        actor=SYSTEM,
        campaign=campaign,
        record_kind="material",
        unit=io_world.world.county_unit,
        date=datetime.date(2024, 2, 1),
        kind="banner",
        quantity=5,
    ).record
    data, name = good_file("material")
    result = run_import(io_world.world.office, campaign, "material", data, name)
    assert value(campaign, "banners") == 1805
    batch = import_batch_undo(actor=io_world.world.office, batch=result.batch)
    assert batch.undone_at is not None and batch.undone_by == io_world.world.office
    assert list(MaterialRecord.objects.all()) == [kept]
    assert not Fact.objects.exclude(record_id=kept.pk).exists()
    assert value(campaign, "banners") == 5
    entry = AuditEntry.objects.get(action="ledger.batch.undone")
    assert entry.after["deleted"] == 3
    with pytest.raises(DomainError):
        import_batch_undo(actor=io_world.world.office, batch=batch)
    again = run_import(io_world.world.office, campaign, "material", data, name)
    assert not again.already_imported and again.created == 3
    assert value(campaign, "banners") == 1805


def test_undo_puts_updated_records_back(io_world):
    campaign = io_world.campaign
    rows = [
        EVENT_HEADER,
        ["鹿城镇人民政府", "532301001001", "2024-02-07", "宣讲", "原", "12", "860", "点", "E-1"],
    ]
    first = run_import(SYSTEM, campaign, "event", csv_bytes(rows), "a.csv")
    rows = [
        EVENT_HEADER,
        ["楚雄市融媒体中心", "", "2024-02-08", "文艺巡演", "改", "2", "40", "", "E-1"],
        ["鹿城镇人民政府", "", "2024-02-09", "宣讲", "新", "1", "10", "", "E-2"],
    ]
    second = run_import(SYSTEM, campaign, "event", csv_bytes(rows), "b.csv")
    assert value(campaign, "performances") == 2
    import_batch_undo(actor=SYSTEM, batch=second.batch)
    record = EventRecord.objects.get()
    assert record.batch == first.batch
    assert (record.kind, record.title, record.sessions, record.participants, record.site) == (
        "lecture",
        "原",
        12,
        860,
        "点",
    )
    assert record.unit == io_world.world.township_unit
    assert record.region == io_world.world.village
    assert value(campaign, "lectures") == 12 and value(campaign, "performances") == 0
    assert value(campaign, "event_participants") == 860


def test_undo_refuses_when_an_updated_record_changed_since(io_world):
    campaign = io_world.campaign
    rows = [EVENT_HEADER, ["鹿城镇人民政府", "", "2024-02-07", "宣讲", "原", "1", "1", "", "E-1"]]
    run_import(SYSTEM, campaign, "event", csv_bytes(rows), "a.csv")
    rows[1][4] = "改"
    second = run_import(SYSTEM, campaign, "event", csv_bytes(rows), "b.csv")
    record_update(actor=SYSTEM, record_kind="event", record=EventRecord.objects.get(), title="手改")
    with pytest.raises(DomainError) as caught:
        import_batch_undo(actor=SYSTEM, batch=second.batch)
    assert "changed after the import" in caught.value.message
    assert EventRecord.objects.get().title == "手改"
    assert ImportBatch.objects.get(pk=second.batch.pk).undone_at is None


def test_undo_refuses_in_a_locked_period(io_world):
    data, name = good_file("event")
    result = run_import(SYSTEM, io_world.campaign, "event", data, name)
    PeriodLock.objects.create(
        campaign=io_world.campaign,
        start=datetime.date(2024, 2, 15),
        end=datetime.date(2024, 2, 20),
    )
    with pytest.raises(FieldError) as caught:
        import_batch_undo(actor=SYSTEM, batch=result.batch)
    assert "locked" in caught.value.message
    assert EventRecord.objects.count() == 3
    assert ImportBatch.objects.get().undone_at is None


def test_who_may_undo(io_world):
    world = io_world.world
    rows = [HEADERS["event"], ["鹿城镇人民政府", "", "2024-02-07", "宣讲", "", "1", "1", ""]]
    result = run_import(world.reporter, io_world.campaign, "event", csv_bytes(rows), "a.csv")
    for actor in (world.other_reporter, world.other_office, world.observer):
        with pytest.raises(Forbidden):
            import_batch_undo(actor=actor, batch=result.batch)
    assert AuditEntry.objects.filter(action="ledger.batch.undo", outcome="denied").count() == 3
    import_batch_undo(actor=world.reporter, batch=result.batch)
    assert not EventRecord.objects.exists()


def test_outputs_repeating_others_are_flagged(io_world):
    rows = [
        HEADERS["output"],
        GOOD["output"][0],
        # The same link as row 2.
        [
            "鹿城镇人民政府",
            "",
            "2024-02-06",
            "楚雄发布",
            "新闻",
            "另一个",
            "",
            "",
            "",
            "https://example.org/a/1",
        ],
        # The same outlet, title and date as row 2.
        ["鹿城镇人民政府", "", "2024-02-05", "楚雄日报", "新闻", "库区新貌", "", "", "", ""],
    ]
    result = run_import(SYSTEM, io_world.campaign, "output", csv_bytes(rows), "o.csv")
    assert (result.created, result.duplicates) == (3, 2)
    assert MediaOutput.objects.filter(status="duplicate").count() == 2
    assert value(io_world.campaign, "media_outputs") == 1
    # And against stored outputs, in a later file.
    rows = [HEADERS["output"], [*GOOD["output"][0][:5], "改个标题", *GOOD["output"][0][6:]]]
    later = run_import(SYSTEM, io_world.campaign, "output", csv_bytes(rows), "p.csv")
    assert later.duplicates == 1


def test_a_generated_file_of_twenty_thousand_rows(io_world):
    buffer = io.StringIO()
    buffer.write(",".join(HEADERS["material"]) + "\n")
    units = ["楚雄市融媒体中心", "鹿城镇人民政府", "东瓜镇人民政府"]
    kinds = ["横幅", "宣传单", "标语点位", "展板"]
    expected_banners = 0
    for n in range(20_000):
        kind = kinds[n % 4]
        quantity = n % 50 + 1
        if kind == "横幅":
            expected_banners += quantity
        day = datetime.date(2024, 1, 1) + datetime.timedelta(days=n % 300)
        buffer.write(f"{units[n % 3]},,{day.isoformat()},{kind},{quantity},,,\n")
        if n % 1000 == 0:
            buffer.write(",,,,,,,\n")  # a blank row now and then
    data = buffer.getvalue().encode("utf-8")
    result = run_import(SYSTEM, io_world.campaign, "material", data, "big.csv")
    assert (result.rows, result.created) == (20_000, 20_000)
    assert MaterialRecord.objects.count() == 20_000
    assert value(io_world.campaign, "banners") == expected_banners
    grouped = rollup(
        actor=SYSTEM, campaign=io_world.campaign, group_by=["township"], indicators=["banners"]
    )
    by_township = {r.group["township"]: r.value for r in grouped.rows if r.group}
    # Rows 0, 3, 6, ... (units[n % 3] == county unit) have no township.
    assert sum(by_township.values()) == expected_banners
    assert set(by_township) == {"", "532301001", "532301002"}


def test_undo_refuses_when_a_created_record_changed_since(io_world):
    campaign = io_world.campaign
    rows = [EVENT_HEADER, ["鹿城镇人民政府", "", "2024-02-07", "宣讲", "原", "1", "1", "", "E-1"]]
    first = run_import(SYSTEM, campaign, "event", csv_bytes(rows), "a.csv")
    # A later import updates the record through its id: undoing the first would delete
    # what the second wrote (and leave the second "imported" with nothing behind it).
    rows[1][4] = "改"
    second = run_import(SYSTEM, campaign, "event", csv_bytes(rows), "b.csv")
    with pytest.raises(DomainError) as caught:
        import_batch_undo(actor=SYSTEM, batch=first.batch)
    assert "changed after the import" in caught.value.message
    assert EventRecord.objects.get().title == "改"
    # Undone in turn, newest first, both go: the second puts the record back as the first
    # left it, time of change included.
    import_batch_undo(actor=SYSTEM, batch=second.batch)
    assert EventRecord.objects.get().title == "原"
    import_batch_undo(actor=SYSTEM, batch=first.batch)
    assert not EventRecord.objects.exists()


def test_undo_refuses_when_a_created_record_was_edited_or_given_evidence(io_world):
    campaign = io_world.campaign
    rows = [EVENT_HEADER, ["鹿城镇人民政府", "", "2024-02-07", "宣讲", "原", "1", "1", "", "E-1"]]
    first = run_import(SYSTEM, campaign, "event", csv_bytes(rows), "a.csv")
    record = EventRecord.objects.get()
    evidence_add(
        actor=SYSTEM,
        record_kind="event",
        record=record,
        data=b"\xff\xd8\xff\xe0 sign-in",
        filename="签到表.jpg",
        evidence_kind="sign_in",
    )
    with pytest.raises(DomainError) as caught:
        import_batch_undo(actor=SYSTEM, batch=first.batch)
    assert "evidence" in caught.value.message
    # A hand edit of a record an import created, likewise.
    rows = [EVENT_HEADER, ["鹿城镇人民政府", "", "2024-02-08", "宣讲", "另", "1", "1", "", "E-2"]]
    other = run_import(SYSTEM, campaign, "event", csv_bytes(rows), "b.csv")
    edited = EventRecord.objects.get(external_id="E-2")
    record_update(actor=SYSTEM, record_kind="event", record=edited, title="手改")
    with pytest.raises(DomainError) as caught:
        import_batch_undo(actor=SYSTEM, batch=other.batch)
    assert "changed after the import" in caught.value.message
    assert EventRecord.objects.count() == 2
    assert ImportBatch.objects.filter(undone_at__isnull=False).count() == 0


def test_an_undone_imports_ids_are_not_given_again(io_world):
    # (audit entries and undo records name records by id: a new record must not take
    # the id of one deleted)
    data, name = good_file("material")
    first = run_import(SYSTEM, io_world.campaign, "material", data, name)
    undone = set(MaterialRecord.objects.values_list("pk", flat=True))
    assert len(undone) == 3
    import_batch_undo(actor=SYSTEM, batch=first.batch)
    run_import(SYSTEM, io_world.campaign, "material", data, name)
    again = set(MaterialRecord.objects.values_list("pk", flat=True))
    assert len(again) == 3 and min(again) > max(undone)
    # And a record filed by hand afterwards continues after them.
    later = record_create(
        actor=SYSTEM,
        campaign=io_world.campaign,
        record_kind="material",
        unit=io_world.world.county_unit,
        date=datetime.date(2024, 2, 1),
        kind="banner",
        quantity=5,
    ).record
    assert later.pk > max(again)


def test_a_later_file_keeps_the_offices_verdict_on_a_duplicate(io_world):
    """The office cleared a flagged output; a later file changing only its views leaves
    it counting (as an edit by hand would): only a changed link, outlet, title or date is
    checked again."""
    from campaigndesk.ledger.services import output_duplicate_resolve

    header = [*HEADERS["output"], "外部编号"]
    a = ["楚雄市融媒体中心", "", "2024-02-05", "楚雄日报", "图文", "库区新貌", "原创", "1000", ""]
    a += ["https://example.org/a/1", "A-1"]
    b = ["楚雄市融媒体中心", "", "2024-02-06", "楚雄日报", "图文", "库区新貌转载", "转载", "10", ""]
    b += ["https://example.org/a/1", "A-2"]
    run_import(SYSTEM, io_world.campaign, "output", csv_bytes([header, a, b]), "a.csv")
    flagged = MediaOutput.objects.get(external_id="A-2")
    assert flagged.status == RecordStatus.DUPLICATE
    output_duplicate_resolve(actor=SYSTEM, record=flagged, is_duplicate=False)
    b[7] = "20"
    run_import(SYSTEM, io_world.campaign, "output", csv_bytes([header, b]), "b.csv")
    flagged.refresh_from_db()
    assert (flagged.views, flagged.status) == (20, RecordStatus.ACTIVE)
    # A file moving it onto another's link flags it again.
    b[5], b[9] = "另一篇", "https://example.org/a/1?utm_source=x"
    c = ["楚雄市融媒体中心", "", "2024-02-07", "楚雄日报", "图文", "第三篇", "原创", "5", ""]
    c += ["https://example.org/c/3", "A-3"]
    run_import(SYSTEM, io_world.campaign, "output", csv_bytes([header, c]), "c.csv")
    b[9] = "https://example.org/c/3"
    run_import(SYSTEM, io_world.campaign, "output", csv_bytes([header, b]), "d.csv")
    flagged.refresh_from_db()
    assert flagged.status == RecordStatus.DUPLICATE


def test_an_import_moving_a_record_moves_its_evidence(io_world, settings, tmp_path):
    """Evidence is scoped by its record's place (who verifies it): it goes along."""
    from campaigndesk.ledger.models import Evidence

    settings.MEDIA_ROOT = tmp_path
    row = ["鹿城镇人民政府", "532301001001", "2024-02-07", "宣讲", "一", "1", "10", "", "E-1"]
    run_import(SYSTEM, io_world.campaign, "event", csv_bytes([EVENT_HEADER, row]), "a.csv")
    record = EventRecord.objects.get(external_id="E-1")
    evidence = evidence_add(
        actor=SYSTEM,
        record_kind="event",
        record=record,
        data=b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64),
        filename="a.jpg",
        evidence_kind="photo",
    )
    moved = [*row[:1], "532301002001", *row[2:]]
    run_import(SYSTEM, io_world.campaign, "event", csv_bytes([EVENT_HEADER, moved]), "b.csv")
    record.refresh_from_db()
    assert record.region.code == "532301002001"
    assert Evidence.objects.get(pk=evidence.pk).region_path == record.region_path


def test_an_undo_keeps_evidence_given_to_a_record_it_updated(io_world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    row = ["鹿城镇人民政府", "", "2024-02-07", "宣讲", "原", "1", "1", "", "E-1"]
    run_import(SYSTEM, io_world.campaign, "event", csv_bytes([EVENT_HEADER, row]), "a.csv")
    changed = [*row[:4], "改", *row[5:]]
    second = run_import(
        SYSTEM, io_world.campaign, "event", csv_bytes([EVENT_HEADER, changed]), "b.csv"
    )
    evidence_add(
        actor=SYSTEM,
        record_kind="event",
        record=EventRecord.objects.get(),
        data=b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64),
        filename="a.jpg",
        evidence_kind="sign_in",
    )
    with pytest.raises(DomainError) as error:
        import_batch_undo(actor=SYSTEM, batch=second.batch)
    assert "evidence" in error.value.message
    assert EventRecord.objects.get().title == "改"


def test_two_rows_naming_one_record_are_refused(io_world):
    row = ["鹿城镇人民政府", "", "2024-02-07", "宣讲", "原", "1", "1", "", "E-1"]
    run_import(SYSTEM, io_world.campaign, "event", csv_bytes([EVENT_HEADER, row]), "a.csv")
    pk = EventRecord.objects.get().pk
    rows = [EVENT_HEADER, [*row[:4], "A", *row[5:]], [*row[:4], "B", *row[5:-1], f"#{pk}"]]
    with pytest.raises(ImportRejected) as rejected:
        run_import(SYSTEM, io_world.campaign, "event", csv_bytes(rows), "b.csv")
    (error,) = rejected.value.errors
    assert (error.row, error.field) == (3, "外部编号 (I)") and "2" in error.message
    assert EventRecord.objects.get().title == "原"


def test_two_outputs_swapping_titles_in_one_file_are_no_duplicates(io_world):
    header = [*HEADERS["output"], "外部编号"]
    x = ["楚雄市融媒体中心", "", "2024-02-05", "楚雄日报", "图文", "甲", "原创", "1", "", "", "X"]
    y = ["楚雄市融媒体中心", "", "2024-02-05", "楚雄日报", "图文", "乙", "原创", "1", "", "", "Y"]
    run_import(SYSTEM, io_world.campaign, "output", csv_bytes([header, x, y]), "a.csv")
    x2 = [*x[:5], "丙", *x[6:]]
    y2 = [*y[:5], "甲", *y[6:]]
    run_import(SYSTEM, io_world.campaign, "output", csv_bytes([header, x2, y2]), "b.csv")
    assert not MediaOutput.objects.filter(status=RecordStatus.DUPLICATE).exists()
    # Two outputs made one in a file are still caught.
    y3 = [*y[:5], "丙", *y[6:]]
    run_import(SYSTEM, io_world.campaign, "output", csv_bytes([header, x2, y3]), "c.csv")
    assert MediaOutput.objects.get(external_id="Y").status == RecordStatus.DUPLICATE


def test_an_update_file_without_some_columns_keeps_what_they_held(io_world):
    full = [*HEADERS["output"], "语种", "备注", "外部编号"]
    first = [
        "鹿城镇人民政府", "532301001001", "2024-02-05", "楚雄日报", "图文", "标题甲", "转载",
        "1800", "5000", "https://e.org/1", "yi", "重要", "O-1",
    ]  # fmt: skip
    run_import(SYSTEM, io_world.campaign, "output", csv_bytes([full, first]), "1.csv")
    # Only the title corrected, in a file of the columns that say which output it is.
    small = ["单位", "日期", "媒体", "类型", "标题", "外部编号"]
    fix = ["鹿城镇人民政府", "2024-02-05", "楚雄日报", "图文", "标题甲（更正）", "O-1"]
    result = run_import(SYSTEM, io_world.campaign, "output", csv_bytes([small, fix]), "2.csv")
    assert result.updated == 1
    output = MediaOutput.objects.get(external_id="O-1")
    assert output.title == "标题甲（更正）"
    assert (output.region.code, output.is_original, output.views, output.audience) == (
        "532301001001",
        False,
        1800,
        5000,
    )
    assert (output.url, output.language, output.note) == ("https://e.org/1", "yi", "重要")
    # A column that is there but blank still blanks its field.
    blank = [*small, "备注"]
    run_import(SYSTEM, io_world.campaign, "output", csv_bytes([blank, [*fix, ""]]), "3.csv")
    assert MediaOutput.objects.get(external_id="O-1").note == ""


def test_an_update_file_moving_a_record_to_another_unit_puts_it_at_that_units_place(io_world):
    header = ["单位", "日期", "类型", "场次", "人次", "外部编号"]
    row = ["鹿城镇人民政府", "2024-02-07", "宣讲", "1", "1", "E-1"]
    run_import(SYSTEM, io_world.campaign, "event", csv_bytes([header, row]), "1.csv")
    row[0] = "东瓜镇人民政府"
    run_import(SYSTEM, io_world.campaign, "event", csv_bytes([header, row]), "2.csv")
    event = EventRecord.objects.get(external_id="E-1")
    assert (event.unit, event.region) == (io_world.township2_unit, io_world.township2)


@pytest.mark.parametrize("kind", ["output", "material", "event", "figure"])
def test_an_export_imported_again_unchanged_writes_nothing_and_keeps_undo(io_world, kind):
    from campaigndesk.ledger.io.exports import export_records

    data, name = good_file(kind)
    first = run_import(SYSTEM, io_world.campaign, kind, data, name)
    exported = export_records(actor=SYSTEM, campaign=io_world.campaign, record_kind=kind)
    again = run_import(SYSTEM, io_world.campaign, kind, exported.read(), "again.csv")
    assert (again.created, again.updated) == (0, 0)
    assert not ImportedUpdate.objects.filter(batch=again.batch).exists()
    # The first import can still be undone (the one after it changed nothing).
    import_batch_undo(actor=SYSTEM, batch=again.batch)
    import_batch_undo(actor=SYSTEM, batch=first.batch)
    assert not RECORD_MODELS_BY_KIND[kind].objects.exists()


RECORD_MODELS_BY_KIND = {
    "output": MediaOutput,
    "material": MaterialRecord,
    "event": EventRecord,
    "figure": FigureRecord,
}
