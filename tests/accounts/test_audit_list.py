"""audit_list: who reads which part of the audit trail."""

import pytest

from campaigndesk.accounts.audit import audit_log
from campaigndesk.accounts.models import AuditEntry
from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.accounts.selectors import audit_list
from campaigndesk.common.errors import Forbidden


@pytest.fixture
def trail(world):
    AuditEntry.objects.all().delete()
    return {
        "county": audit_log(
            actor=SYSTEM, action="campaigns.x.created", region_path=world.county.path
        ),
        "township": audit_log(
            actor=SYSTEM, action="campaigns.y.created", region_path=world.township.path
        ),
        "other_county": audit_log(
            actor=SYSTEM, action="regions.unit.created", region_path=world.other_county.path
        ),
        "province": audit_log(
            actor=SYSTEM, action="regions.unit.created", region_path=world.province.path
        ),
        "office_own": audit_log(actor=world.office, action="accounts.user.language_set"),
        "other_office_own": audit_log(
            actor=world.other_office, action="accounts.user.language_set"
        ),
        "failed_login": audit_log(
            actor=None, action="accounts.login.failed", outcome=AuditEntry.Outcome.FAILED
        ),
    }


def names(trail, qs) -> set[str]:
    by_pk = {entry.pk: name for name, entry in trail.items()}
    return {by_pk[pk] for pk in qs.values_list("pk", flat=True)}


def test_admin_reads_everything(world, trail):
    assert names(trail, audit_list(actor=world.admin)) == set(trail)


def test_office_reads_its_subtree_and_its_own_actions(world, trail):
    assert names(trail, audit_list(actor=world.office)) == {
        "county",
        "township",
        "other_county",  # 双柏县 lies under the prefecture office too
        "office_own",
    }


def test_county_office_reads_only_its_county(world, trail):
    assert names(trail, audit_list(actor=world.other_office)) == {
        "other_county",
        "other_office_own",
    }


@pytest.mark.parametrize(
    "role", ["reporter", "editor", "reviewer", "approver", "observer", "other_reporter"]
)
def test_other_roles_may_not_read_the_trail(world, role):
    with pytest.raises(Forbidden):
        audit_list(actor=world.user(role))


def test_filter_by_action_prefix(world, trail):
    assert names(trail, audit_list(actor=world.admin, action_prefix="regions.")) == {
        "other_county",
        "province",
    }
    assert names(trail, audit_list(actor=world.office, action_prefix="campaigns.")) == {
        "county",
        "township",
    }


def test_newest_first(world, trail):
    pks = list(audit_list(actor=world.admin).values_list("pk", flat=True))
    assert pks == sorted(pks, reverse=True)
