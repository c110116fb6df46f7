"""A locked period refuses changes, not repetitions: a record saved as it was, or an
export imported again, passes over it (writing nothing); a real change is still refused.
And a campaign's period cannot shrink past the records it holds (no lock could cover
them any more)."""

import datetime

import pytest

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.campaigns import services as campaign_services
from campaigndesk.campaigns.models import Campaign
from campaigndesk.common.errors import FieldError, ImportRejected
from campaigndesk.ledger.io.exports import export_records
from campaigndesk.ledger.io.imports import ledger_import
from campaigndesk.ledger.models import MaterialRecord
from campaigndesk.ledger.services import period_lock, record_update


def d(month, day):
    return datetime.date(2024, month, day)


def _lock_february(ledger):
    period_lock(actor=ledger.office, campaign=ledger.campaign, start=d(2, 1), end=d(2, 29))


def test_saving_a_locked_record_as_it_was_writes_nothing_and_a_change_is_refused(ledger):
    _lock_february(ledger)
    event = ledger.records["E1"]
    audits = AuditEntry.objects.count()
    outcome = record_update(
        actor=ledger.office, record_kind="event", record=event, sessions=event.sessions
    )
    assert outcome.record.sessions == event.sessions
    assert AuditEntry.objects.count() == audits
    with pytest.raises(FieldError) as refused:
        record_update(
            actor=ledger.office, record_kind="event", record=event, sessions=event.sessions + 1
        )
    assert refused.value.field == "date" and "locked" in refused.value.message
    # Moving a record out of a locked period is a change of the period's figures too.
    with pytest.raises(FieldError):
        record_update(actor=ledger.office, record_kind="event", record=event, date=d(3, 5))


def test_an_export_imported_again_passes_over_the_locked_rows(ledger):
    _lock_february(ledger)
    export = export_records(actor=ledger.office, campaign=ledger.campaign, record_kind="material")
    data = export.read()
    result = ledger_import(
        actor=ledger.office,
        campaign=ledger.campaign,
        record_kind="material",
        source=data,
        filename=export.filename,
    )
    assert (result.created, result.updated) == (0, 0)


def _materials_in(ledger, month: int) -> list[MaterialRecord]:
    return [
        r
        for r in MaterialRecord.objects.filter(campaign=ledger.campaign).order_by("pk")
        if r.date.month == month
    ]


def test_a_corrected_export_changes_the_open_rows_and_refuses_a_locked_one(ledger):
    _lock_february(ledger)
    open_row = _materials_in(ledger, 3)[0]
    locked_row = _materials_in(ledger, 2)[0]
    export = export_records(actor=ledger.office, campaign=ledger.campaign, record_kind="material")
    text = export.read().decode("utf-8-sig")
    quantity = f"{open_row.quantity.normalize():f}"
    assert text.count(f",{quantity},") == 1  # (the open row's quantity, found once)
    corrected = text.replace(f",{quantity},", f",{int(open_row.quantity) + 1},")
    result = ledger_import(
        actor=ledger.office,
        campaign=ledger.campaign,
        record_kind="material",
        source=corrected.encode("utf-8-sig"),
        filename=export.filename,
    )
    assert (result.created, result.updated) == (0, 1)
    open_row.refresh_from_db()
    assert open_row.quantity == int(quantity) + 1
    # A change to a row of the locked month: the file is refused, by that row.
    export = export_records(actor=ledger.office, campaign=ledger.campaign, record_kind="material")
    text = export.read().decode("utf-8-sig")
    locked_quantity = f"{locked_row.quantity.normalize():f}"
    assert text.count(f",{locked_quantity},") == 1
    changed = text.replace(f",{locked_quantity},", f",{int(locked_row.quantity) + 1},")
    with pytest.raises(ImportRejected) as rejected:
        ledger_import(
            actor=ledger.office,
            campaign=ledger.campaign,
            record_kind="material",
            source=changed.encode("utf-8-sig"),
            filename="changed.csv",
        )
    assert ["locked" in e.message for e in rejected.value.errors] == [True]
    locked_row.refresh_from_db()
    assert locked_row.quantity == int(locked_quantity)


def test_a_campaign_cannot_shrink_past_its_records(ledger):
    campaign = ledger.campaign
    first = min(r.date for r in ledger.records.values())
    last = max(r.date for r in ledger.records.values())
    with pytest.raises(FieldError) as refused:
        campaign_services.campaign_update(
            actor=ledger.office, campaign=campaign, start_date=first + datetime.timedelta(days=1)
        )
    assert refused.value.field == "start_date" and first.isoformat() in refused.value.message
    with pytest.raises(FieldError) as refused:
        campaign_services.campaign_update(
            actor=ledger.office,
            campaign=Campaign.objects.get(pk=campaign.pk),
            end_date=last - datetime.timedelta(days=1),
        )
    assert refused.value.field == "end_date" and last.isoformat() in refused.value.message
    stored = Campaign.objects.get(pk=campaign.pk)
    assert stored.start_date <= first and stored.end_date >= last
    # Up to the records themselves: allowed.
    campaign_services.campaign_update(
        actor=ledger.office, campaign=stored, start_date=first, end_date=last
    )
