"""The audit trail page: offices and administrators only, filtered, paginated."""

import re

import pytest

from campaigndesk.accounts.audit import audit_log
from campaigndesk.accounts.models import AuditEntry
from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.web.views import AUDIT_PAGE_SIZE


def actions(response) -> list[str]:
    return re.findall(r"<td><code>([^<]+)</code></td>", response.content.decode())


@pytest.mark.parametrize("role", ["admin", "office", "other_office"])
def test_office_and_admin_read_the_trail(client, world, role):
    client.force_login(world.user(role))
    response = client.get("/audit/")
    assert response.status_code == 200
    assert 'for="id_action"' in response.content.decode()  # the filter is labelled


@pytest.mark.parametrize(
    "role", ["reporter", "editor", "reviewer", "approver", "observer", "other_reporter"]
)
def test_others_are_refused(client, world, role):
    client.force_login(world.user(role))
    response = client.get("/audit/")
    assert response.status_code == 403
    assert "Only an office or an administrator" in response.content.decode()
    assert 'href="/audit/"' not in client.get("/").content.decode()  # nor offered the link


def test_office_sees_its_subtree_not_the_neighbours(client, world):
    AuditEntry.objects.all().delete()
    audit_log(actor=SYSTEM, action="campaigns.mine.created", region_path=world.county.path)
    audit_log(actor=SYSTEM, action="campaigns.theirs.created", region_path=world.other_county.path)
    client.force_login(world.other_office)
    # Its own login is on its trail too (its own action).
    assert actions(client.get("/audit/")) == [
        "accounts.login.succeeded",
        "campaigns.theirs.created",
    ]


def test_filter_and_pages(client, world):
    AuditEntry.objects.all().delete()
    for n in range(AUDIT_PAGE_SIZE + 5):
        audit_log(actor=SYSTEM, action=f"campaigns.item{n}.created", region_path=world.county.path)
    audit_log(actor=SYSTEM, action="regions.unit.created", region_path=world.county.path)
    client.force_login(world.office)

    first = client.get("/audit/", {"action": "campaigns."})
    shown = actions(first)
    assert len(shown) == AUDIT_PAGE_SIZE
    assert shown[0] == f"campaigns.item{AUDIT_PAGE_SIZE + 4}.created"  # newest first
    assert "regions.unit.created" not in shown
    assert "?action=campaigns.&amp;page=2" in first.content.decode()

    second = client.get("/audit/", {"action": "campaigns.", "page": 2})
    assert len(actions(second)) == 5
    assert actions(client.get("/audit/", {"action": "regions."})) == ["regions.unit.created"]
