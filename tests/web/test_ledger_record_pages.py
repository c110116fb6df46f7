"""A record's own pages: edit (the entry form filled in), delete (confirmed), evidence
(attach, download, verify) and the office's verdict on a suspected duplicate. Each goes
through the ledger services, so it is audited and refused in a locked period."""

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.ledger import services as ledger
from campaigndesk.ledger.models import EventRecord, Evidence, Fact, MediaOutput, RecordStatus

from ..factories import OutletFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
DAY = datetime.date(2024, 4, 2)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _event(world, **values):
    return ledger.record_create(
        actor=SYSTEM,
        campaign=world.campaign,
        record_kind="event",
        **{
            "unit": world.township_unit,
            "kind": "lecture",
            "sessions": 2,
            "participants": 60,
            "date": DAY,
            **values,
        },
    ).record


def _url(world, record, suffix="", kind="event"):
    return f"/campaigns/{world.campaign.pk}/ledger/{kind}/{record.pk}/{suffix}"


def _edit(client, world, record, data):
    """Send the edit form as a browser would: with the version it was shown at."""
    page = client.get(_url(world, record, "edit/")).content.decode()
    seen = html.unescape(re.search(r'name="seen" value="([^"]*)"', page).group(1))
    return client.post(_url(world, record, "edit/"), {**data, "seen": seen})


def _participants(world) -> Decimal:
    return sum(
        (
            f.value
            for f in Fact.objects.filter(
                campaign=world.campaign, indicator__code="event_participants"
            )
        ),
        Decimal(0),
    )


def test_the_edit_form_shows_the_record_and_saves_only_a_change(client, world):
    event = _event(world, site="移民安置点")
    client.force_login(world.reporter)
    page = client.get(_url(world, event, "edit/"))
    body = page.content.decode()
    assert page.status_code == 200
    assert 'value="60"' in body and 'value="移民安置点"' in body and 'value="2024-04-02"' in body
    data = {
        "kind": "lecture",
        "date": "2024-04-02",
        "sessions": "3",
        "participants": "1,860",
        "site": "移民安置点",
    }
    response = _edit(client, world, event, data)
    assert response.status_code == 302 and response["Location"] == _url(world, event)
    event.refresh_from_db()
    assert (event.sessions, event.participants) == (3, 1860)
    # Audited with what it held before; the rollup's facts follow.
    entry = AuditEntry.objects.get(action="ledger.event.updated", object_id=str(event.pk))
    assert entry.before["participants"] == 60 and entry.after["participants"] == 1860
    assert _participants(world) == 1860
    # Sent again unchanged: nothing written.
    _edit(client, world, event, data)
    assert AuditEntry.objects.filter(action="ledger.event.updated").count() == 1


def test_a_bad_edit_says_why_and_writes_nothing(client, world):
    event = _event(world)
    client.force_login(world.office)
    before = AuditEntry.objects.count()
    # Participants at zero sessions: the service's rule, shown on the form.
    response = _edit(
        client,
        world,
        event,
        {
            "unit": world.township_unit.pk,
            "kind": "lecture",
            "date": "2024-04-02",
            "sessions": "0",
            "participants": "5",
        },
    )
    assert response.status_code == 422
    assert 'role="alert"' in response.content.decode()
    # A date outside the campaign.
    response = _edit(
        client,
        world,
        event,
        {
            "unit": world.township_unit.pk,
            "kind": "lecture",
            "date": "2019-01-01",
            "sessions": "2",
            "participants": "5",
        },
    )
    assert response.status_code == 422
    event.refresh_from_db()
    assert (event.sessions, event.participants, event.date) == (2, 60, DAY)
    assert AuditEntry.objects.count() == before


def test_a_record_in_a_locked_period_is_refused_with_the_reason(client, world):
    event = _event(world)
    ledger.period_lock(actor=SYSTEM, campaign=world.campaign, start=DAY, end=DAY)
    client.force_login(world.office)
    response = _edit(
        client,
        world,
        event,
        {
            "unit": world.township_unit.pk,
            "kind": "lecture",
            "date": "2024-04-02",
            "sessions": "9",
            "participants": "9",
        },
    )
    assert response.status_code == 422 and "locked" in response.content.decode()
    response = client.post(_url(world, event, "delete/"), follow=True)
    assert "locked" in response.content.decode()
    event.refresh_from_db()
    assert event.sessions == 2


def test_delete_asks_first_then_deletes_with_its_evidence(client, world):
    event = _event(world)
    ledger.evidence_add(
        actor=SYSTEM,
        record_kind="event",
        record=event,
        data=PNG,
        filename="a.png",
        evidence_kind="photo",
    )
    client.force_login(world.reporter)
    confirm = client.get(_url(world, event, "delete/"))
    assert confirm.status_code == 200 and "<form" in confirm.content.decode()
    assert EventRecord.objects.filter(pk=event.pk).exists()
    response = client.post(_url(world, event, "delete/"))
    assert response.status_code == 302
    assert response["Location"] == f"/campaigns/{world.campaign.pk}/ledger/event/"
    assert not EventRecord.objects.filter(pk=event.pk).exists()
    assert not Evidence.objects.filter(record_kind="event", record_id=event.pk).exists()
    assert _participants(world) == 0
    assert AuditEntry.objects.filter(
        action="ledger.event.deleted", object_id=str(event.pk)
    ).exists()


def test_readers_and_other_units_may_not_change_a_record(client, world):
    event = _event(world, unit=world.county_unit)
    client.force_login(world.reporter)  # the township's reporter: not its unit
    assert client.get(_url(world, event, "edit/")).status_code == 404  # (not even told)
    client.force_login(world.user("observer"))
    assert client.get(_url(world, event)).status_code == 200
    assert client.post(_url(world, event, "delete/")).status_code == 403
    assert "/edit/" not in client.get(_url(world, event)).content.decode()
    assert EventRecord.objects.filter(pk=event.pk).exists()


def test_evidence_is_attached_downloaded_and_verified_by_the_office(client, world):
    event = _event(world)
    client.force_login(world.reporter)
    upload = SimpleUploadedFile("签到表.png", PNG, content_type="image/png")
    response = client.post(_url(world, event, "evidence/"), {"kind": "sign_in", "file": upload})
    assert response.status_code == 302
    evidence = Evidence.objects.get(record_kind="event", record_id=event.pk)
    assert evidence.original_name == "签到表.png" and evidence.uploaded_by == world.reporter
    page = client.get(_url(world, event)).content.decode()
    download = f"/campaigns/{world.campaign.pk}/evidence/{evidence.pk}/"
    assert download in page and "/verify/" not in page  # (not the reporter's to verify)
    file = client.get(download)
    assert file.status_code == 200 and b"".join(file.streaming_content) == PNG
    assert "attachment" in file["Content-Disposition"]
    assert client.post(download + "verify/").status_code == 403
    client.force_login(world.office)
    assert download + "verify/" in client.get(_url(world, event)).content.decode()
    assert client.post(download + "verify/").status_code == 302
    evidence.refresh_from_db()
    assert evidence.verified_by == world.office
    assert AuditEntry.objects.filter(
        action__contains="evidence", object_id=str(evidence.pk)
    ).exists()


def test_a_file_that_is_not_a_photo_or_pdf_is_refused_by_name(client, world):
    event = _event(world)
    client.force_login(world.reporter)
    upload = SimpleUploadedFile("报表.exe", b"MZ\x90\x00binary", content_type="image/png")
    response = client.post(
        _url(world, event, "evidence/"), {"kind": "photo", "file": upload}, follow=True
    )
    assert "报表.exe" in response.content.decode()
    assert not Evidence.objects.filter(record_id=event.pk).exists()
    # No file at all: said so, nothing kept.
    response = client.post(_url(world, event, "evidence/"), {"kind": "photo"}, follow=True)
    assert (
        'class="message error"' in response.content.decode() or "error" in response.content.decode()
    )
    assert not Evidence.objects.filter(record_id=event.pk).exists()


def _output_values(world, **values) -> dict:
    """The keyword arguments of ``record_create`` for an article of the township's unit."""
    return dict(
        actor=SYSTEM,
        campaign=world.campaign,
        record_kind="output",
        unit=world.township_unit,
        outlet=values.pop("outlet", None) or OutletFactory(),
        kind="article",
        title="宣讲进村",
        date=DAY,
        **values,
    )


def test_the_office_decides_on_a_suspected_duplicate(client, world):
    values = _output_values(world)
    first = ledger.record_create(**values).record
    second = ledger.record_create(**values).record
    third = ledger.record_create(**values).record
    assert second.status == third.status == RecordStatus.DUPLICATE
    url = _url(world, second, kind="output")
    client.force_login(world.reporter)
    page = client.get(url).content.decode()
    assert "Suspected duplicate" in page and "/resolve/" not in page
    assert (
        client.post(
            url.replace(f"{second.pk}/", f"{second.pk}/resolve/"), {"verdict": "original"}
        ).status_code
        == 403
    )
    client.force_login(world.office)
    resolve = f"/campaigns/{world.campaign.pk}/ledger/output/{{}}/resolve/"
    assert resolve.format(second.pk) in client.get(url).content.decode()
    # Not a duplicate: it counts.
    assert client.post(resolve.format(second.pk), {"verdict": "original"}).status_code == 302
    second.refresh_from_db()
    assert second.status == RecordStatus.ACTIVE
    # A duplicate: deleted.
    response = client.post(resolve.format(third.pk), {"verdict": "duplicate"})
    assert response.status_code == 302 and not MediaOutput.objects.filter(pk=third.pk).exists()
    # An output not flagged: said so, nothing changed.
    response = client.post(resolve.format(first.pk), {"verdict": "duplicate"}, follow=True)
    assert "not flagged" in response.content.decode()
    assert MediaOutput.objects.filter(pk=first.pk).exists()
    # No verdict: a bad request.
    assert client.post(resolve.format(first.pk), {}).status_code == 400


def test_evidence_of_another_campaign_or_hidden_record_is_not_found(client, world):
    event = _event(world, unit=world.county_unit)
    evidence = ledger.evidence_add(
        actor=SYSTEM,
        record_kind="event",
        record=event,
        data=PNG,
        filename="a.png",
        evidence_kind="photo",
    )
    client.force_login(world.reporter)  # may not see the county unit's record
    assert client.get(f"/campaigns/{world.campaign.pk}/evidence/{evidence.pk}/").status_code == 404
    client.force_login(world.office)
    assert (
        client.get(f"/campaigns/{world.other_campaign.pk}/evidence/{evidence.pk}/").status_code
        == 404
    )


def test_the_outputs_list_leads_the_office_to_the_suspected_duplicates(client, world):
    values = _output_values(world)
    first = ledger.record_create(**values).record
    copy = ledger.record_create(**values).record
    other = ledger.record_create(**{**values, "title": "文艺下乡"}).record
    client.force_login(world.office)
    url = f"/campaigns/{world.campaign.pk}/ledger/output/"
    page = client.get(url).content.decode()
    assert "1 suspected duplicate does not count" in page and "?status=duplicate" in page
    flagged = client.get(url, {"status": "duplicate"}).content.decode()
    assert f"/output/{copy.pk}/" in flagged
    assert f"/output/{first.pk}/" not in flagged and f"/output/{other.pk}/" not in flagged
    counting = client.get(url, {"status": "active"}).content.decode()
    assert f"/output/{copy.pk}/" not in counting and f"/output/{other.pk}/" in counting
    export = client.get(url + "export/", {"status": "duplicate", "format": "csv"})
    assert export.status_code == 200
    lines = b"".join(export.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 2  # the header and the copy
    # An unknown status is the filter's error, not the whole list.
    wrong = client.get(url, {"status": "gone"})
    assert 'role="alert"' in wrong.content.decode()
    assert f"/output/{first.pk}/" not in wrong.content.decode()


def test_a_record_given_to_another_unit_on_its_page_moves_to_its_place(client, world):
    event = _event(world)
    assert event.region == world.township_unit.region != world.county_unit.region
    client.force_login(world.office)
    data = {
        "unit": world.county_unit.pk,
        "kind": "lecture",
        "date": "2024-04-02",
        "sessions": "2",
        "participants": "60",
    }
    assert _edit(client, world, event, data).status_code == 302
    event.refresh_from_db()
    assert event.unit == world.county_unit
    assert event.region == world.county_unit.region
    assert event.region_path == world.county_unit.region.path


def test_a_change_of_unit_moves_the_record_unless_a_place_is_given(world):
    event = _event(world)
    moved = ledger.record_update(
        actor=SYSTEM, record_kind="event", record=event, unit=world.county_unit
    ).record
    assert moved.region == world.county_unit.region
    assert moved.region_path == world.county_unit.region.path
    kept = ledger.record_update(
        actor=SYSTEM,
        record_kind="event",
        record=moved,
        unit=world.township_unit,
        region=world.village,
    ).record
    assert kept.region == world.village
    # The same unit again: its place stays as it was set.
    again = ledger.record_update(
        actor=SYSTEM, record_kind="event", record=kept, unit=world.township_unit, sessions=3
    ).record
    assert again.region == world.village


def test_an_edit_does_not_undo_a_change_made_meanwhile(client, world):
    event = _event(world)
    client.force_login(world.reporter)
    page = client.get(_url(world, event, "edit/")).content.decode()
    seen = html.unescape(re.search(r'name="seen" value="([^"]*)"', page).group(1))
    # The office corrects the participants while the reporter's form is open.
    ledger.record_update(actor=SYSTEM, record_kind="event", record=event, participants=75)
    response = client.post(
        _url(world, event, "edit/"),
        {
            "kind": "lecture",
            "date": "2024-04-02",
            "sessions": "3",
            "participants": "60",
            "seen": seen,
        },
        follow=True,
    )
    assert "Someone changed this record" in response.content.decode()
    event.refresh_from_db()
    assert (event.sessions, event.participants) == (2, 75)
    # The form shown again holds the present values.
    assert 'value="75"' in response.content.decode()


def test_evidence_is_served_as_what_it_is_not_as_its_name_says(client, world):
    event = _event(world)
    evidence = ledger.evidence_add(
        actor=SYSTEM,
        record_kind="event",
        record=event,
        data=PNG,
        filename="x.html",
        evidence_kind="photo",
    )
    client.force_login(world.office)
    response = client.get(f"/campaigns/{world.campaign.pk}/evidence/{evidence.pk}/")
    assert response["Content-Type"] == "image/png"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PNG
    api = client.get(f"/api/v1/evidence/{evidence.pk}/file")
    assert api["Content-Type"] == "image/png"


def test_a_figure_reads_as_written_and_outlets_are_told_apart_by_channel(client, world):
    from campaigndesk.ledger.models import Indicator

    figure = ledger.record_create(
        actor=SYSTEM,
        campaign=world.campaign,
        record_kind="figure",
        unit=world.township_unit,
        indicator=Indicator.objects.get(code="lectures"),
        value=Decimal("12"),
        date=DAY,
    ).record
    client.force_login(world.office)
    page = client.get(_url(world, figure, kind="figure")).content.decode()
    assert "<dd>12</dd>" in page and "12.0000" not in page
    OutletFactory(name="楚雄发布", channel="wechat")
    OutletFactory(name="楚雄发布", channel="video_account")
    form = client.get(f"/campaigns/{world.campaign.pk}/ledger/output/new/").content.decode()
    assert "楚雄发布（WeChat official account）" in form
    labels = re.findall(r"<option[^>]*>(楚雄发布[^<]*)</option>", form)
    assert len(labels) == 2 and len(set(labels)) == 2


def test_a_record_says_it_is_locked_and_a_copy_names_what_it_repeats(client, world):
    values = _output_values(world, url="https://example.org/a/1")
    first = ledger.record_create(**values).record
    copy = ledger.record_create(**values).record
    client.force_login(world.office)
    page = client.get(_url(world, copy, kind="output")).content.decode()
    assert _url(world, first, kind="output") in page  # (it repeats this one)
    assert "<details>" in page and 'value="duplicate"' in page
    assert "/edit/" in page and "locked period" not in page
    ledger.period_lock(actor=SYSTEM, campaign=world.campaign, start=DAY, end=DAY)
    page = client.get(_url(world, copy, kind="output")).content.decode()
    assert "locked period 2024-04-02 – 2024-04-02" in page
    assert "/edit/" not in page and "/delete/" not in page and "/resolve/" not in page
    # Evidence may still be attached (it changes no figure).
    assert "/evidence/" in page


def test_a_reporters_owed_forms_name_their_periods_and_undo_takes_a_second_step(client, world):
    from django.utils import formats

    from campaigndesk.collection import selectors as collection

    from .seed import seed

    data = seed(world)
    client.force_login(world.reporter)
    owed = [
        d
        for d in collection.tasks_due_for(actor=world.reporter)
        if d.round.task.campaign_id == data.campaign.pk
    ]
    assert owed
    page = client.get("/dashboard/", {"campaign": data.campaign.pk}).content.decode()
    start = formats.date_format(owed[0].round.period_start, "MONTH_DAY_FORMAT")
    assert f'{owed[0].round.task.title}</a> <span class="meta">{start}' in page
    client.force_login(world.office)
    from campaigndesk.ledger.io.imports import ledger_import

    day = data.today.isoformat()
    text = f"单位,行政区划代码,日期,类型,场次,人次\n鹿城镇人民政府,,{day},宣讲,1,10\n"
    ledger_import(
        actor=world.office,
        campaign=data.campaign,
        record_kind="event",
        source=text.encode(),
        filename="e.csv",
    )
    page = client.get(f"/campaigns/{data.campaign.pk}/import/").content.decode()
    assert "<details><summary>" in page and "/undo/" in page
