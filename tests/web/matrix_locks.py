"""Permission matrix rows for the locked periods page, reopening a period and undoing an
import (wired into tests/web/test_permission_matrix.py). The POSTs leave the rows as
whoever sends them first left them: a blank lock or reopen form is sent back (after the
permission check), and the undo of an undone import is refused with a message."""

import datetime

from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.ledger import services as ledger
from campaigndesk.ledger.io import imports

from ..matrix_roles import logged_in

# The world's campaign (the township's county): the other county sees nothing of it.
HIDDEN = {"other_office": 404, "other_reporter": 404}
# The prefecture's office and the admin manage both campaigns; the other county's office
# manages its own.
OFFICE_FORM = {"admin": 422, "office": 422}

LOCK_SPECS = [
    ("GET", "/campaigns/{campaign}/locks/", None, logged_in(200, **HIDDEN)),
    ("GET", "/campaigns/{other_campaign}/locks/", None, logged_in(200, reporter=404)),
    ("GET", "/campaigns/999999/locks/", None, logged_in(404)),
    # A blank form: sent back with its errors to the office, nothing locked.
    ("POST", "/campaigns/{campaign}/locks/", {}, logged_in(403, **OFFICE_FORM, **HIDDEN)),
    (
        "POST",
        "/campaigns/{other_campaign}/locks/",
        {},
        logged_in(403, **OFFICE_FORM, other_office=422, reporter=404),
    ),
    # No reason: sent back with the error to the office, the period stays locked.
    (
        "POST",
        "/campaigns/{campaign}/locks/{lock}/reopen/",
        {},
        logged_in(403, **OFFICE_FORM, **HIDDEN),
    ),
    (
        "POST",
        "/campaigns/{other_campaign}/locks/{other_lock}/reopen/",
        {"reason": ""},
        logged_in(403, **OFFICE_FORM, other_office=422, reporter=404),
    ),
    # Another campaign's lock under this campaign's address: not found, for everyone.
    ("POST", "/campaigns/{campaign}/locks/{other_lock}/reopen/", {"reason": "x"}, logged_in(404)),
    ("POST", "/campaigns/{campaign}/locks/999999/reopen/", {"reason": "x"}, logged_in(404)),
    ("GET", "/campaigns/{campaign}/locks/{lock}/reopen/", None, logged_in(405)),
    # The reporter's import: the office and the reporter may undo it (the first undoes
    # it, the others are told it is undone already); the rest do not see it.
    (
        "POST",
        "/campaigns/{campaign}/import/{import_batch}/undo/",
        {},
        logged_in(404, admin=302, office=302, reporter=302),
    ),
    ("POST", "/campaigns/{campaign}/import/{other_import_batch}/undo/", {}, logged_in(404)),
    ("POST", "/campaigns/{campaign}/import/999999/undo/", {}, logged_in(404)),
    ("GET", "/campaigns/{campaign}/import/{import_batch}/undo/", None, logged_in(405)),
]

HEADER = "单位,行政区划代码,日期,类型,标题,场次,人次,地点\n"


def matrix_locks(world) -> dict[str, int]:
    """November 2024 locked in both campaigns (no other matrix row dates a record in it);
    an import of the township's reporter, one in the other county's campaign."""
    november = {"start": datetime.date(2024, 11, 1), "end": datetime.date(2024, 11, 30)}
    lock = ledger.period_lock(
        actor=SYSTEM, campaign=world.campaign, reason="十一月简报", **november
    )
    other_lock = ledger.period_lock(actor=SYSTEM, campaign=world.other_campaign, **november)
    batch = imports.ledger_import(
        actor=world.reporter,
        campaign=world.campaign,
        record_kind="event",
        source=(HEADER + "鹿城镇人民政府,,2024-10-10,宣讲,进村宣讲,2,120,文化站\n").encode(),
        filename="十月活动.csv",
    ).batch
    other_batch = imports.ledger_import(
        actor=world.other_reporter,
        campaign=world.other_campaign,
        record_kind="event",
        source=(HEADER + "妥甸镇人民政府,,2024-10-10,宣讲,进村宣讲,1,30,\n").encode(),
        filename="十月活动.csv",
    ).batch
    return {
        "lock": lock.pk,
        "other_lock": other_lock.pk,
        "import_batch": batch.pk,
        "other_import_batch": other_batch.pk,
    }
