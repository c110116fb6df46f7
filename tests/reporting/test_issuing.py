"""Issuing briefings and bulletins: drafts, who may, numbering per office and year,
immutability, corrections, regeneration from the snapshot, notifications."""

import datetime
import hashlib

import pytest

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.common.errors import DomainError, FieldError, Forbidden, NotFound
from campaigndesk.notifications.models import Notification
from campaigndesk.reporting import rendering
from campaigndesk.reporting.issuing import (
    access_bulletin,
    briefing_correct,
    briefing_create,
    briefing_delete,
    briefing_issue,
    briefing_list,
    briefing_update,
    bulletin_correct,
    bulletin_create,
    bulletin_delete,
    bulletin_issue,
    bulletin_list,
    bulletin_preview,
    bulletin_update,
    document_regenerate,
)
from campaigndesk.reporting.models import Briefing, Bulletin, IssueState, ItemState

from .factories import (
    AssessmentRulesFactory,
    InfoItemFactory,
    QuotaTargetFactory,
    local,
    signed_off_item,
)

D = datetime.date


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def setup(world):
    QuotaTargetFactory(campaign=world.campaign)  # 3 a month, due the 5th
    AssessmentRulesFactory(campaign=world.campaign, valid_from=D(2024, 1, 1))
    return world


def _stored(field) -> bytes:
    with field.open("rb") as handle:
        return handle.read()


def _issued_bulletin(world, month, day, **kwargs) -> Bulletin:
    draft = bulletin_create(actor=world.office, campaign=world.campaign, period_start=month)
    return bulletin_issue(actor=world.office, bulletin=draft, issue_date=day, **kwargs)


# --- drafts and who may ----------------------------------------------------------------


def test_bulletin_draft_by_the_office(setup):
    world = setup
    draft = bulletin_create(
        actor=world.office,
        campaign=world.campaign,
        period_start=D(2024, 3, 17),
        signer="张三",
        copies=30,
    )
    assert (draft.state, draft.period_start, draft.office, draft.number) == (
        IssueState.DRAFT,
        D(2024, 3, 1),
        world.office_unit,
        None,
    )
    assert draft.title == "2024年3月信息报送工作通报"
    assert draft.region_path == world.office_unit.region_path
    assert AuditEntry.objects.filter(action="reporting.bulletin.created").count() == 1
    draft = bulletin_update(actor=world.office, bulletin=draft, title="三月通报", copies=40)
    assert (draft.title, draft.copies) == ("三月通报", 40)
    with pytest.raises(FieldError):
        bulletin_update(actor=world.office, bulletin=draft, snapshot={})
    with pytest.raises(FieldError):
        bulletin_update(actor=world.office, bulletin=draft, title="  ")


@pytest.mark.parametrize("who", ["reporter", "editor", "observer", "other_office"])
def test_only_the_office_over_the_campaign_makes_bulletins(setup, who):
    world = setup
    with pytest.raises(Forbidden):
        bulletin_create(actor=world.user(who), campaign=world.campaign, period_start=D(2024, 3, 1))
    assert not Bulletin.objects.exists()
    denied = AuditEntry.objects.get(action="reporting.bulletin.created")
    assert denied.outcome == AuditEntry.Outcome.DENIED


def test_admin_names_the_office(setup):
    world = setup
    with pytest.raises(FieldError):
        bulletin_create(actor=world.admin, campaign=world.campaign, period_start=D(2024, 3, 1))
    draft = bulletin_create(
        actor=world.admin,
        campaign=world.campaign,
        period_start=D(2024, 3, 1),
        office=world.office_unit,
    )
    assert draft.office == world.office_unit


# --- issuing ---------------------------------------------------------------------------


def test_issue_freezes_numbers_renders_and_notifies(setup):
    world = setup
    signed_off_item(world, at=local(2024, 3, 4))
    draft = bulletin_create(
        actor=world.office,
        campaign=world.campaign,
        period_start=D(2024, 3, 1),
        signer="张三",
        report_to="州委",
        copies=30,
    )
    bulletin = bulletin_issue(actor=world.office, bulletin=draft, issue_date=D(2024, 4, 8))
    bulletin.refresh_from_db()
    assert (bulletin.state, bulletin.year, bulletin.number, bulletin.total_number) == (
        IssueState.ISSUED,
        2024,
        1,
        1,
    )
    assert bulletin.issue_date == D(2024, 4, 8) and bulletin.issued_by == world.office
    assert bulletin.rules.version == 1
    snap = bulletin.snapshot
    assert {k: snap[k] for k in ("kind", "office", "year", "number", "total_number")} == {
        "kind": "bulletin",
        "office": "楚雄州委宣传部",
        "year": 2024,
        "number": 1,
        "total_number": 1,
    }
    assert (snap["issue_date"], snap["signer"], snap["report_to"], snap["copies"]) == (
        "2024-04-08",
        "张三",
        "州委",
        30,
    )
    assert snap["campaign"] == {"id": world.campaign.pk, "name": "和谐库区宣传活动"}
    assert snap["corrects"] is None
    assert snap["period"] == {"start": "2024-03-01", "end": "2024-03-31"}
    assert snap["rules"]["version"] == 1
    # No adoption and no penalty in these rules: both 0.00, sharing rank 1, in name order.
    assert [(r["rank"], r["unit"], r["submitted"]) for r in snap["rows"]] == [
        (1, "楚雄市融媒体中心", 0),
        (1, "鹿城镇人民政府", 1),
    ]
    # The stored files are what the snapshot renders to, with their hashes.
    docx, xlsx = _stored(bulletin.docx), _stored(bulletin.xlsx)
    assert hashlib.sha256(docx).hexdigest() == bulletin.docx_sha256
    assert hashlib.sha256(xlsx).hexdigest() == bulletin.xlsx_sha256
    assert "2024年第1期（总第1期）" in rendering.document_text(docx)
    # The township's reporter hears of it (the county unit has no reporter).
    [note] = Notification.objects.all()
    assert (note.user, note.kind) == (world.reporter, Notification.Kind.BULLETIN_ISSUED)
    assert AuditEntry.objects.filter(action="reporting.bulletin.issued").count() == 1


def test_issue_refused_before_the_due_date_and_without_rules(world):
    QuotaTargetFactory(campaign=world.campaign)
    draft = bulletin_create(actor=world.office, campaign=world.campaign, period_start=D(2024, 3, 1))
    # Items for March may come in until 5 April.
    with pytest.raises(DomainError, match="after 2024-04-05"):
        bulletin_issue(actor=world.office, bulletin=draft, issue_date=D(2024, 4, 5))
    with pytest.raises(DomainError, match="No assessment rules"):
        bulletin_issue(actor=world.office, bulletin=draft, issue_date=D(2024, 4, 6))
    draft.refresh_from_db()
    assert (draft.state, draft.number, draft.snapshot, draft.docx.name) == (
        IssueState.DRAFT,
        None,
        None,
        "",
    )


def test_numbering_per_office_kind_and_year(setup):
    world = setup
    AssessmentRulesFactory(campaign=world.other_campaign)
    item = signed_off_item(world, at=local(2024, 3, 4))
    feb = _issued_bulletin(world, D(2024, 2, 1), D(2024, 3, 6))
    mar = _issued_bulletin(world, D(2024, 3, 1), D(2024, 4, 8))
    # A briefing has its own series.
    briefing = briefing_create(actor=world.office, campaign=world.campaign, items=[item])
    briefing = briefing_issue(actor=world.office, briefing=briefing, issue_date=D(2024, 4, 9))
    # Another office's series starts at 1.
    other = bulletin_create(
        actor=world.other_office, campaign=world.other_campaign, period_start=D(2024, 3, 1)
    )
    other = bulletin_issue(actor=world.other_office, bulletin=other, issue_date=D(2024, 4, 8))
    # December issued in January: the new year's first, the series' third.
    dec = _issued_bulletin(world, D(2024, 12, 1), D(2025, 1, 6))
    assert [(b.year, b.number, b.total_number) for b in (feb, mar, dec)] == [
        (2024, 1, 1),
        (2024, 2, 2),
        (2025, 1, 3),
    ]
    assert (briefing.year, briefing.number, briefing.total_number) == (2024, 1, 1)
    assert (other.number, other.total_number) == (1, 1)


def test_an_issued_bulletin_cannot_be_changed(setup):
    world = setup
    bulletin = _issued_bulletin(world, D(2024, 3, 1), D(2024, 4, 8))
    frozen = (bulletin.snapshot, bulletin.docx_sha256, bulletin.title)
    with pytest.raises(DomainError, match="issue a correction"):
        bulletin_update(actor=world.office, bulletin=bulletin, title="改")
    with pytest.raises(DomainError, match="issue a correction"):
        bulletin_delete(actor=world.office, bulletin=bulletin)
    with pytest.raises(DomainError, match="issue a correction"):
        bulletin_issue(actor=world.office, bulletin=bulletin, issue_date=D(2024, 4, 9))
    # A stale copy in memory does not get around it.
    stale = Bulletin.objects.get(pk=bulletin.pk)
    stale.state = IssueState.DRAFT
    with pytest.raises(DomainError):
        bulletin_update(actor=world.office, bulletin=stale, title="改")
    bulletin.refresh_from_db()
    assert (bulletin.snapshot, bulletin.docx_sha256, bulletin.title) == frozen
    # A second bulletin for the month must be a correction.
    again = bulletin_create(actor=world.office, campaign=world.campaign, period_start=D(2024, 3, 1))
    with pytest.raises(DomainError, match="already been issued"):
        bulletin_issue(actor=world.office, bulletin=again, issue_date=D(2024, 4, 9))
    bulletin_delete(actor=world.office, bulletin=again)
    assert not Bulletin.objects.filter(pk=again.pk).exists()


def test_a_correction_is_a_new_issue_naming_the_old(setup):
    world = setup
    old = _issued_bulletin(world, D(2024, 3, 1), D(2024, 4, 8))
    old_snapshot, old_hash = old.snapshot, old.docx_sha256
    with pytest.raises(DomainError, match="Only an issued"):
        bulletin_correct(
            actor=world.office,
            bulletin=bulletin_create(
                actor=world.office, campaign=world.campaign, period_start=D(2024, 4, 1)
            ),
        )
    draft = bulletin_correct(actor=world.office, bulletin=old)
    assert (draft.state, draft.corrects, draft.period_start, draft.title) == (
        IssueState.DRAFT,
        old,
        D(2024, 3, 1),
        old.title,
    )
    new = bulletin_issue(actor=world.office, bulletin=draft, issue_date=D(2024, 4, 10))
    assert (new.number, new.total_number) == (2, 2)
    assert new.snapshot["corrects"] == {"year": 2024, "number": 1, "title": old.title}
    assert "更正 2024年第1期" in rendering.document_text(_stored(new.docx))
    old.refresh_from_db()
    assert (old.state, old.snapshot, old.docx_sha256) == (IssueState.ISSUED, old_snapshot, old_hash)
    # Only the latest issue can be corrected again.
    with pytest.raises(DomainError, match="already been corrected"):
        bulletin_correct(actor=world.office, bulletin=old)
    assert bulletin_correct(actor=world.office, bulletin=new).corrects == new


def test_two_corrections_of_one_issue_cannot_both_be_issued(setup):
    world = setup
    old = _issued_bulletin(world, D(2024, 3, 1), D(2024, 4, 8))
    first = bulletin_correct(actor=world.office, bulletin=old)
    second = bulletin_correct(actor=world.office, bulletin=old)
    bulletin_issue(actor=world.office, bulletin=first, issue_date=D(2024, 4, 9))
    with pytest.raises(DomainError, match="already been corrected"):
        bulletin_issue(actor=world.office, bulletin=second, issue_date=D(2024, 4, 9))


# --- reading, preview and regeneration -------------------------------------------------


def test_who_sees_bulletins(setup):
    world = setup
    issued = _issued_bulletin(world, D(2024, 3, 1), D(2024, 4, 8))
    draft = bulletin_create(actor=world.office, campaign=world.campaign, period_start=D(2024, 4, 1))
    assert set(bulletin_list(actor=world.office)) == {issued, draft}
    assert set(bulletin_list(actor=world.observer)) == {issued, draft}
    # A reporter of a campaign unit sees issued ones only; another county sees nothing.
    assert list(bulletin_list(actor=world.reporter)) == [issued]
    assert list(bulletin_list(actor=world.other_reporter)) == []
    assert list(bulletin_list(actor=world.other_office)) == []
    with pytest.raises(NotFound):
        access_bulletin(actor=world.reporter, id=draft.pk)
    with pytest.raises(NotFound):
        access_bulletin(actor=world.other_office, id=issued.pk)


def test_preview_and_regeneration(setup):
    world = setup
    signed_off_item(world, at=local(2024, 3, 4))
    draft = bulletin_create(actor=world.office, campaign=world.campaign, period_start=D(2024, 3, 1))
    preview = bulletin_preview(actor=world.office, bulletin=draft)
    assert (preview["number"], preview["rows"][1]["submitted"]) == (None, 1)
    with pytest.raises(DomainError, match="Only an issued"):
        document_regenerate(actor=world.office, document=draft)
    issued = bulletin_issue(actor=world.office, bulletin=draft, issue_date=D(2024, 4, 8))
    assert bulletin_preview(actor=world.office, bulletin=issued) == issued.snapshot
    again = document_regenerate(actor=world.reporter, document=issued)
    assert again == _stored(issued.docx)
    xlsx = document_regenerate(actor=world.office, document=issued, kind="xlsx")
    assert hashlib.sha256(xlsx).hexdigest() == issued.xlsx_sha256
    with pytest.raises(FieldError):
        document_regenerate(actor=world.office, document=issued, kind="pdf")
    with pytest.raises(NotFound):
        document_regenerate(actor=world.other_reporter, document=issued)


# --- briefings -------------------------------------------------------------------------


def test_briefing_takes_signed_off_items_of_its_campaign(setup):
    world = setup
    first = signed_off_item(world, at=local(2024, 3, 4), title="第一条")
    second = signed_off_item(world, at=local(2024, 3, 5), title="第二条")
    pending = InfoItemFactory(
        campaign=world.campaign, unit=world.township_unit, state=ItemState.SUBMITTED
    )
    elsewhere = InfoItemFactory(
        campaign=world.other_campaign,
        unit=world.other_township_unit,
        state=ItemState.SIGNED_OFF,
    )
    with pytest.raises(FieldError, match="not been signed off"):
        briefing_create(actor=world.office, campaign=world.campaign, items=[pending])
    with pytest.raises(FieldError, match="another campaign"):
        briefing_create(actor=world.office, campaign=world.campaign, items=[elsewhere])
    with pytest.raises(FieldError, match="twice"):
        briefing_create(actor=world.office, campaign=world.campaign, items=[first, first])
    with pytest.raises(Forbidden):
        briefing_create(actor=world.reporter, campaign=world.campaign, items=[first])
    assert not Briefing.objects.exists()

    briefing = briefing_create(actor=world.office, campaign=world.campaign, items=[first])
    assert briefing.title == "工作简报"
    briefing = briefing_update(
        actor=world.office, briefing=briefing, items=[second.pk, first.pk], signer="李四"
    )
    assert [e.item for e in briefing.entries.all()] == [second, first]
    issued = briefing_issue(actor=world.office, briefing=briefing, issue_date=D(2024, 3, 8))
    snap = issued.snapshot
    assert (snap["kind"], snap["number"], snap["total_number"], snap["signer"]) == (
        "briefing",
        1,
        1,
        "李四",
    )
    assert [(i["id"], i["title"], i["unit"]) for i in snap["items"]] == [
        (second.pk, "第二条", "鹿城镇人民政府"),
        (first.pk, "第一条", "鹿城镇人民政府"),
    ]
    assert snap["items"][0]["submitted_at"] == second.submitted_at.isoformat()
    assert hashlib.sha256(_stored(issued.docx)).hexdigest() == issued.docx_sha256
    assert document_regenerate(actor=world.office, document=issued) == _stored(issued.docx)
    assert Notification.objects.get().kind == Notification.Kind.BRIEFING_ISSUED
    assert list(briefing_list(actor=world.reporter)) == [issued]

    # Frozen: edits refused; the item edited later does not change the snapshot.
    with pytest.raises(DomainError, match="issue a correction"):
        briefing_update(actor=world.office, briefing=issued, title="改")
    with pytest.raises(DomainError, match="issue a correction"):
        briefing_delete(actor=world.office, briefing=issued)
    type(first).objects.filter(pk=first.pk).update(title="改过的标题")
    issued.refresh_from_db()
    assert issued.snapshot["items"][1]["title"] == "第一条"

    correction = briefing_correct(actor=world.office, briefing=issued)
    assert [e.item for e in correction.entries.all()] == [second, first]
    correction = briefing_issue(actor=world.office, briefing=correction, issue_date=D(2024, 3, 9))
    assert correction.snapshot["corrects"] == {"year": 2024, "number": 1, "title": "工作简报"}
    assert correction.snapshot["items"][1]["title"] == "改过的标题"
    assert (correction.number, correction.total_number) == (2, 2)


def test_an_empty_briefing_is_not_issued(setup):
    world = setup
    briefing = briefing_create(actor=world.office, campaign=world.campaign)
    with pytest.raises(DomainError, match="at least one item"):
        briefing_issue(actor=world.office, briefing=briefing, issue_date=D(2024, 3, 8))
    briefing_delete(actor=world.office, briefing=briefing)
    assert not Briefing.objects.exists()
