"""Adoptions of signed-off items by outlets, and leaders' comments: who records them and
which inputs are refused with nothing changed."""

import datetime
import hashlib

import pytest

from campaigndesk.accounts.models import AuditEntry
from campaigndesk.common.errors import DomainError, FieldError, Forbidden, NotFound
from campaigndesk.notifications.models import Notification
from campaigndesk.regions.models import OutletLevel
from campaigndesk.reporting import selectors, services
from campaigndesk.reporting.models import Adoption, ItemState, LeaderComment

from .factories import (
    OutletFactory,
    exe_bytes,
    local,
    pdf_bytes,
    png_bytes,
    signed_off_item,
    submitted_item,
)

SUBMITTED_ON = datetime.date(2024, 3, 4)


@pytest.fixture
def item(world):
    """Submitted on 4 March 2024 (Shanghai), signed off on the 6th."""
    return signed_off_item(world, at=local(2024, 3, 4, 9), signed_at=local(2024, 3, 6))


@pytest.fixture
def provincial():
    return OutletFactory(name="云南日报", level=OutletLevel.PROVINCIAL)


def test_an_adoption_takes_the_outlet_level(world, item, provincial):
    adoption = services.adoption_create(
        actor=world.office,
        item=item,
        outlet=provincial,
        date=datetime.date(2024, 3, 8),
        url="https://yunnan.cn/a/1",
        is_headline=True,
    )
    adoption.refresh_from_db()
    assert (adoption.level, adoption.is_headline, adoption.flagged_early, adoption.url) == (
        OutletLevel.PROVINCIAL,
        True,
        False,
        "https://yunnan.cn/a/1",
    )
    assert adoption.recorded_by == world.office
    # A later change in the directory does not change what was adopted.
    provincial.level = OutletLevel.MUNICIPAL
    provincial.save()
    adoption.refresh_from_db()
    assert adoption.level == OutletLevel.PROVINCIAL
    entry = AuditEntry.objects.get(action="reporting.adoption.created")
    assert entry.region_path == item.region_path and entry.after["level"] == 2
    note = Notification.objects.get(user=world.reporter, kind=Notification.Kind.ITEM_ADOPTED)
    assert "云南日报" in note.message


def test_several_outlets_may_adopt_one_item(world, item, provincial):
    municipal = OutletFactory(name="楚雄日报", level=OutletLevel.MUNICIPAL)
    for outlet in (provincial, municipal):
        services.adoption_create(
            actor=world.office, item=item, outlet=outlet, date=datetime.date(2024, 3, 9)
        )
    assert sorted(Adoption.objects.values_list("level", flat=True)) == [2, 3]


@pytest.mark.parametrize("state", ["submitted", "edited", "reviewed", "returned"])
def test_an_item_not_signed_off_cannot_be_adopted(world, provincial, state):
    item = submitted_item(world)
    if state in ("edited", "reviewed"):
        services.item_edit(actor=world.editor, item=item)
    if state == "reviewed":
        services.item_review(actor=world.reviewer, item=item)
    if state == "returned":
        services.item_return(actor=world.editor, item=item, reason="补充")
    with pytest.raises(DomainError) as raised:
        services.adoption_create(
            actor=world.office, item=item, outlet=provincial, date=datetime.date(2024, 3, 8)
        )
    assert "signed-off" in str(raised.value)
    assert not Adoption.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="reporting.adoption").exists()


def test_the_same_outlet_cannot_adopt_twice(world, item, provincial):
    services.adoption_create(
        actor=world.office, item=item, outlet=provincial, date=datetime.date(2024, 3, 8)
    )
    with pytest.raises(DomainError) as raised:
        services.adoption_create(
            actor=world.office, item=item, outlet=provincial, date=datetime.date(2024, 3, 20)
        )
    assert raised.value.code == "duplicate"
    assert list(Adoption.objects.values_list("date", flat=True)) == [datetime.date(2024, 3, 8)]


def test_dated_before_submission_needs_a_proof(world, item, provincial, media_root):
    early = datetime.date(2024, 3, 3)
    with pytest.raises(FieldError) as raised:
        services.adoption_create(actor=world.office, item=item, outlet=provincial, date=early)
    assert raised.value.field == "proof"
    assert not Adoption.objects.exists()

    proof = pdf_bytes()
    adoption = services.adoption_create(
        actor=world.office,
        item=item,
        outlet=provincial,
        date=early,
        proof_name="版面截图.pdf",
        proof_data=proof,
    )
    adoption.refresh_from_db()
    assert adoption.flagged_early is True
    assert adoption.proof_name == "版面截图.pdf"
    assert adoption.proof_sha256 == hashlib.sha256(proof).hexdigest()
    with adoption.proof.open("rb") as handle:
        assert handle.read() == proof
    entry = AuditEntry.objects.get(action="reporting.adoption.created")
    assert entry.extra == {"flagged_early": True}


def test_the_day_of_submission_is_not_early(world, item, provincial):
    adoption = services.adoption_create(
        actor=world.office, item=item, outlet=provincial, date=SUBMITTED_ON
    )
    assert adoption.flagged_early is False


def test_a_bad_proof_or_link_is_refused(world, item, provincial, media_root):
    with pytest.raises(FieldError) as raised:
        services.adoption_create(
            actor=world.office,
            item=item,
            outlet=provincial,
            date=datetime.date(2024, 3, 1),
            proof_name="proof.png",
            proof_data=exe_bytes(),
        )
    assert raised.value.field == "proof"
    with pytest.raises(FieldError) as raised:
        services.adoption_create(
            actor=world.office,
            item=item,
            outlet=provincial,
            date=datetime.date(2024, 3, 8),
            url="javascript:alert(1)",
        )
    assert raised.value.field == "url"
    with pytest.raises(FieldError) as raised:
        services.adoption_create(
            actor=world.office, item=item, outlet=provincial, date="2024-03-08"
        )
    assert raised.value.field == "date"
    assert not Adoption.objects.exists()
    assert not any(p.is_file() for p in media_root.rglob("*"))  # no proof file left behind


@pytest.mark.parametrize(
    ("role", "error"),
    [
        ("observer", Forbidden),
        ("reporter", Forbidden),
        ("editor", Forbidden),  # a review role does not record adoptions
        ("other_office", NotFound),
        ("other_reporter", NotFound),
    ],
)
def test_only_the_office_records_adoptions(world, item, provincial, role, error):
    with pytest.raises(error):
        services.adoption_create(
            actor=world.user(role), item=item, outlet=provincial, date=datetime.date(2024, 3, 8)
        )
    assert not Adoption.objects.exists()


def test_an_adoption_deleted_with_a_reason(
    world, item, provincial, django_capture_on_commit_callbacks
):
    adoption = services.adoption_create(
        actor=world.office,
        item=item,
        outlet=provincial,
        date=datetime.date(2024, 3, 1),
        proof_name="p.png",
        proof_data=png_bytes(),
    )
    with pytest.raises(FieldError):
        services.adoption_delete(actor=world.office, adoption=adoption, reason=" ")
    with pytest.raises(Forbidden):
        services.adoption_delete(actor=world.observer, adoption=adoption, reason="错录")
    assert Adoption.objects.count() == 1
    storage, name = adoption.proof.storage, adoption.proof.name
    with django_capture_on_commit_callbacks(execute=True):
        services.adoption_delete(actor=world.office, adoption=adoption, reason="错录")
    assert not Adoption.objects.exists()
    assert not storage.exists(name)
    entry = AuditEntry.objects.get(action="reporting.adoption.deleted")
    assert entry.extra == {"reason": "错录"} and entry.before["outlet_id"] == provincial.pk


def test_adoptions_are_read_in_scope(world, item, provincial):
    adoption = services.adoption_create(
        actor=world.office, item=item, outlet=provincial, date=datetime.date(2024, 3, 8)
    )
    assert list(selectors.adoption_list(actor=world.reporter)) == [adoption]
    assert list(selectors.adoption_list(actor=world.observer, campaign=world.campaign)) == [
        adoption
    ]
    assert list(selectors.adoption_list(actor=world.other_reporter)) == []
    assert list(selectors.adoption_list(actor=world.other_office)) == []
    assert (
        list(selectors.adoption_list(actor=world.office, date_from=datetime.date(2024, 3, 9))) == []
    )
    with pytest.raises(NotFound):
        selectors.access_adoption(actor=world.other_office, id=adoption.pk)


# --- leaders' comments ------------------------------------------------------------------


def test_a_leader_comment_on_a_submitted_item(world):
    item = submitted_item(world, at=local(2024, 3, 4))
    comment = services.leader_comment_add(
        actor=world.office,
        item=item,
        leader="州委书记",
        date=datetime.date(2024, 3, 12),
        comment="经验可推广",
    )
    assert (comment.leader, comment.date, comment.recorded_by) == (
        "州委书记",
        datetime.date(2024, 3, 12),
        world.office,
    )
    assert AuditEntry.objects.filter(action="reporting.leader_comment.added").count() == 1


def test_leader_comment_bad_inputs(world):
    item = submitted_item(world, at=local(2024, 3, 4))
    with pytest.raises(FieldError) as raised:
        services.leader_comment_add(
            actor=world.office, item=item, leader="州长", date=datetime.date(2024, 3, 3)
        )
    assert raised.value.field == "date"
    with pytest.raises(FieldError) as raised:
        services.leader_comment_add(
            actor=world.office, item=item, leader=" ", date=datetime.date(2024, 3, 5)
        )
    assert raised.value.field == "leader"
    with pytest.raises(Forbidden):
        services.leader_comment_add(
            actor=world.observer, item=item, leader="州长", date=datetime.date(2024, 3, 5)
        )
    services.item_withdraw(actor=world.reporter, item=item)
    with pytest.raises(DomainError):
        services.leader_comment_add(
            actor=world.office, item=item, leader="州长", date=datetime.date(2024, 3, 5)
        )
    draft = services.item_create(actor=world.reporter, campaign=world.campaign, title="t", body="b")
    assert draft.state == ItemState.DRAFT
    with pytest.raises(DomainError):
        services.leader_comment_add(
            actor=world.office, item=draft, leader="州长", date=datetime.date(2024, 3, 5)
        )
    assert not LeaderComment.objects.exists()
