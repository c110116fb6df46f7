"""What the ledger services write to the audit trail, and what they keep out of sight:
verification, deletion with evidence, edits that change nothing, and imports naming
records the importer cannot see."""

import pytest

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.ledger.io.imports import ImportRejected, import_batch_undo
from campaigndesk.ledger.models import EventRecord
from campaigndesk.ledger.services import evidence_verify, record_delete, record_update

from .io_files import csv_bytes, run_import
from .test_services import photo_of


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
