"""The locked periods page (lock, reopen) and undoing an import from the import page."""

import datetime
import re

import pytest

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.common.errors import FieldError
from campaigndesk.ledger import services as ledger
from campaigndesk.ledger.io import imports
from campaigndesk.ledger.models import EventRecord, ImportBatch, PeriodLock

FEBRUARY = {"start": datetime.date(2024, 2, 1), "end": datetime.date(2024, 2, 29)}
HEADER = "单位,行政区划代码,日期,类型,标题,场次,人次,地点\n"


def locks_url(campaign) -> str:
    return f"/campaigns/{campaign.pk}/locks/"


def reopen_url(lock) -> str:
    return f"/campaigns/{lock.campaign_id}/locks/{lock.pk}/reopen/"


def lock_february(campaign) -> PeriodLock:
    return ledger.period_lock(actor=SYSTEM, campaign=campaign, reason="二月简报", **FEBRUARY)


def import_events(world, actor, *dates: str, name: str = "二月活动.csv") -> ImportBatch:
    rows = "".join(f"鹿城镇人民政府,,{day},宣讲,进村宣讲{day},2,120,文化站\n" for day in dates)
    return imports.ledger_import(
        actor=actor,
        campaign=world.campaign,
        record_kind="event",
        source=(HEADER + rows).encode(),
        filename=name,
    ).batch


def errors(body: str) -> list[str]:
    return re.findall(r'<div class="errorlist" role="alert">([^<]*)</div>', body)


# --- locking ------------------------------------------------------------------------------


def test_the_campaign_page_links_the_locks_page(client, world):
    client.force_login(world.observer)
    body = client.get(f"/campaigns/{world.campaign.pk}/").content.decode()
    assert f'href="{locks_url(world.campaign)}"' in body


def test_office_locks_a_period(client, world):
    client.force_login(world.office)
    url = locks_url(world.campaign)
    assert "Lock a period" in client.get(url).content.decode()
    response = client.post(url, {"start": "2024-02-01", "end": "2024-02-29", "reason": "二月简报"})
    assert response.status_code == 302 and response["Location"] == url
    lock = PeriodLock.objects.get()
    assert (lock.campaign, lock.start, lock.end) == (world.campaign, *FEBRUARY.values())
    assert (lock.reason, lock.locked_by, lock.reopened_at) == ("二月简报", world.office, None)
    entry = AuditEntry.objects.get(action="ledger.period.locked")
    assert (entry.actor, entry.outcome, entry.object_id) == (world.office, "done", str(lock.pk))
    body = client.get(url).content.decode()
    assert "Locked 2024-02-01 – 2024-02-29: its records change only after reopening." in body
    assert "2024-02-01 – 2024-02-29" in body and "二月简报" in body
    assert f'action="{reopen_url(lock)}"' in body


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        ("2024-03-10", "2024-03-01", "end", "The period ends before it starts."),
        ("2023-02-01", "2023-02-28", "start", "The period lies outside the campaign"),
        ("2024-02-20", "2024-03-10", "start", "2024-02-01 – 2024-02-29 is locked already"),
        ("2024-02-30", "2024-03-10", "start", "Enter a valid date."),
    ],
)
def test_a_bad_period_is_refused_with_the_reason(client, world, start, end, field, message):
    lock_february(world.campaign)
    client.force_login(world.office)
    response = client.post(locks_url(world.campaign), {"start": start, "end": end, "reason": "x"})
    assert response.status_code == 422
    body = response.content.decode()
    assert any(message in error for error in errors(body)), errors(body)
    # The error sits on its field, and what was typed is kept.
    assert re.search(rf'<div class="field has-error"><label for="id_{field}">', body)
    assert f'value="{end}"' in body
    assert PeriodLock.objects.count() == 1
    assert AuditEntry.objects.filter(action="ledger.period.locked").count() == 1


@pytest.mark.parametrize("role", ["reporter", "observer", "editor"])
def test_only_the_office_locks(client, world, role):
    lock = lock_february(world.campaign)
    client.force_login(world.user(role))
    body = client.get(locks_url(world.campaign)).content.decode()
    # The locks are there to read, without the office's forms.
    assert "2024-02-01 – 2024-02-29" in body
    assert "Lock a period" not in body and reopen_url(lock) not in body
    response = client.post(locks_url(world.campaign), {"start": "2024-03-01", "end": "2024-03-31"})
    assert response.status_code == 403
    response = client.post(reopen_url(lock), {"reason": "更正"})
    assert response.status_code == 403
    assert PeriodLock.objects.count() == 1
    assert PeriodLock.objects.get().reopened_at is None


def test_the_other_countys_office_may_not_see_the_locks(client, world):
    lock = lock_february(world.campaign)
    client.force_login(world.other_office)
    assert client.get(locks_url(world.campaign)).status_code == 404
    assert client.post(reopen_url(lock), {"reason": "更正"}).status_code == 404
    assert PeriodLock.objects.get().reopened_at is None


def test_a_record_in_a_locked_period_cannot_be_filed(client, world):
    client.force_login(world.office)
    client.post(locks_url(world.campaign), {"start": "2024-02-01", "end": "2024-02-29"})
    with pytest.raises(FieldError, match="locked"):
        ledger.record_create(
            actor=world.office,
            campaign=world.campaign,
            record_kind="event",
            unit=world.township_unit,
            kind="lecture",
            sessions=1,
            participants=10,
            date=datetime.date(2024, 2, 10),
        )
    assert not EventRecord.objects.exists()


# --- reopening ----------------------------------------------------------------------------


def test_reopening_needs_a_reason(client, world):
    lock = lock_february(world.campaign)
    client.force_login(world.office)
    response = client.post(reopen_url(lock), {"reason": "  "})
    assert response.status_code == 422
    body = response.content.decode()
    assert errors(body) == ["Say why the period is reopened."]
    # The form with the error is the one of this lock, open.
    assert body.count("<details open>") == 1
    lock.refresh_from_db()
    assert lock.reopened_at is None and lock.reopen_reason == ""
    assert not AuditEntry.objects.filter(action="ledger.period.reopened").exists()


def test_office_reopens_a_period_with_a_reason(client, world):
    lock = lock_february(world.campaign)
    client.force_login(world.office)
    response = client.post(reopen_url(lock), {"reason": "补录二月活动"})
    assert response.status_code == 302 and response["Location"] == locks_url(world.campaign)
    lock.refresh_from_db()
    assert (lock.reopened_by, lock.reopen_reason) == (world.office, "补录二月活动")
    assert lock.reopened_at is not None
    entry = AuditEntry.objects.get(action="ledger.period.reopened")
    assert entry.actor == world.office and entry.after["reopen_reason"] == "补录二月活动"
    body = client.get(locks_url(world.campaign)).content.decode()
    assert "Reopened 2024-02-01 – 2024-02-29: its records can change again." in body
    assert "补录二月活动" in body and reopen_url(lock) not in body
    # Records of the period can be filed again, and the period locked anew.
    ledger.record_create(
        actor=world.office,
        campaign=world.campaign,
        record_kind="event",
        unit=world.township_unit,
        kind="lecture",
        sessions=1,
        participants=10,
        date=datetime.date(2024, 2, 10),
    )
    response = client.post(locks_url(world.campaign), {"start": "2024-02-01", "end": "2024-02-29"})
    assert response.status_code == 302
    # A period reopened already is not reopened again.
    response = client.post(reopen_url(lock), {"reason": "再次"})
    assert response.status_code == 422
    assert "This period is already reopened." in response.content.decode()


def test_another_campaigns_lock_is_not_found(client, world):
    other = lock_february(world.other_campaign)
    client.force_login(world.office)
    url = f"/campaigns/{world.campaign.pk}/locks/{other.pk}/reopen/"
    assert client.post(url, {"reason": "更正"}).status_code == 404
    assert client.get(reopen_url(other)).status_code == 405
    assert PeriodLock.objects.get().reopened_at is None


# --- undoing an import --------------------------------------------------------------------


def import_url(world) -> str:
    return f"/campaigns/{world.campaign.pk}/import/"


def undo_url(batch) -> str:
    return f"/campaigns/{batch.campaign_id}/import/{batch.pk}/undo/"


def test_the_import_page_lists_the_imports_and_undoes_one(client, world):
    batch = import_events(world, world.reporter, "2024-02-05", "2024-02-06")
    client.force_login(world.reporter)
    body = client.get(import_url(world)).content.decode()
    assert "二月活动.csv" in body and f'action="{undo_url(batch)}"' in body
    response = client.post(undo_url(batch))
    assert response.status_code == 302 and response["Location"] == import_url(world)
    assert not EventRecord.objects.exists()
    batch.refresh_from_db()
    assert batch.undone_at is not None and batch.undone_by == world.reporter
    assert AuditEntry.objects.filter(action="ledger.batch.undone").count() == 1
    body = client.get(import_url(world)).content.decode()
    assert "Undid the import of 二月活动.csv" in body
    assert "Undone" in body and f'action="{undo_url(batch)}"' not in body


def test_an_undo_the_service_refuses_says_why_and_changes_nothing(client, world):
    batch = import_events(world, world.office, "2024-02-05")
    lock_february(world.campaign)
    client.force_login(world.office)
    response = client.post(undo_url(batch), follow=True)
    body = response.content.decode()
    assert (
        '<p class="message error" role="status">The import of 二月活动.csv was not undone:' in body
    )
    assert "locked" in body
    assert EventRecord.objects.count() == 1
    assert ImportBatch.objects.get().undone_at is None


def test_who_sees_an_import_to_undo(client, world):
    """The office sees every import of its campaigns, others their own only; a batch of
    another campaign is not found under this one's address."""
    mine = import_events(world, world.office, "2024-02-05")
    other = imports.ledger_import(
        actor=world.other_reporter,
        campaign=world.other_campaign,
        record_kind="event",
        source=(HEADER + "妥甸镇人民政府,,2024-02-05,宣讲,,1,30,\n").encode(),
        filename="双柏.csv",
    ).batch
    client.force_login(world.reporter)
    assert "二月活动.csv" not in client.get(import_url(world)).content.decode()
    assert client.post(undo_url(mine)).status_code == 404
    client.force_login(world.office)
    crossed = f"/campaigns/{world.campaign.pk}/import/{other.pk}/undo/"
    assert client.post(crossed).status_code == 404
    assert client.get(undo_url(mine)).status_code == 405
    assert not ImportBatch.objects.filter(undone_at__isnull=False).exists()
    assert EventRecord.objects.count() == 2
