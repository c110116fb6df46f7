"""Permission matrix rows for a record's own pages: edit, delete, evidence and the
office's verdicts (wired into tests/web/test_permission_matrix.py). The POSTs change
nothing whoever sends them: a blank edit is sent back, a blank upload is refused, a
verdict on an output that is not flagged is refused (after the permission check)."""

import datetime

from campaigndesk.accounts.scoping import SYSTEM
from campaigndesk.ledger import services as ledger

from ..factories import OutletFactory
from ..matrix_roles import logged_in

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

# The township's event: its reporter, the prefecture office and the admin may change
# it; the prefecture's other roles read it; the other county sees nothing.
WRITERS = {"admin": 200, "office": 200, "reporter": 200, "other_office": 404, "other_reporter": 404}
OFFICE = {"admin": 302, "office": 302, "other_office": 404, "other_reporter": 404}

LEDGER_SPECS = [
    # Figures: whoever may open the campaign adds up what it may see.
    (
        "GET",
        "/campaigns/{campaign}/figures/?group_by=township&as_of=2024-03-01",
        None,
        logged_in(200, other_office=404, other_reporter=404),
    ),
    (
        "GET",
        "/campaigns/{campaign}/figures/export/?series=week&format=csv",
        None,
        logged_in(200, other_office=404, other_reporter=404),
    ),
    ("GET", "/campaigns/999999/figures/", None, logged_in(404)),
    (
        "GET",
        "/campaigns/{campaign}/ledger/event/{ledger_event}/edit/",
        None,
        logged_in(403, **WRITERS),
    ),
    # Another unit's record: not for the township's reporter (not even to be told it exists).
    (
        "GET",
        "/campaigns/{campaign}/ledger/event/{county_event}/edit/",
        None,
        logged_in(403, admin=200, office=200, reporter=404, other_office=404, other_reporter=404),
    ),
    # A blank form: sent back with its errors, nothing written.
    (
        "POST",
        "/campaigns/{campaign}/ledger/event/{ledger_event}/edit/",
        {},
        logged_in(403, admin=422, office=422, reporter=422, other_office=404, other_reporter=404),
    ),
    ("GET", "/campaigns/{campaign}/ledger/event/999999/edit/", None, logged_in(404)),
    (
        "GET",
        "/campaigns/{campaign}/ledger/event/{ledger_event}/delete/",
        None,
        logged_in(403, **WRITERS),
    ),
    # No file: refused with the reason on the record's page.
    (
        "POST",
        "/campaigns/{campaign}/ledger/event/{ledger_event}/evidence/",
        {},
        logged_in(403, admin=302, office=302, reporter=302, other_office=404, other_reporter=404),
    ),
    (
        "GET",
        "/campaigns/{campaign}/ledger/event/{ledger_event}/evidence/",
        None,
        logged_in(405, other_office=405, other_reporter=405),
    ),
    (
        "GET",
        "/campaigns/{campaign}/evidence/{ledger_evidence}/",
        None,
        logged_in(200, other_office=404, other_reporter=404),
    ),
    ("GET", "/campaigns/{other_campaign}/evidence/{ledger_evidence}/", None, logged_in(404)),
    # Verifying twice leaves the first verifier: every office POST ends on the record.
    (
        "POST",
        "/campaigns/{campaign}/evidence/{ledger_evidence}/verify/",
        {},
        logged_in(403, **OFFICE),
    ),
    (
        "POST",
        "/campaigns/{campaign}/ledger/output/{ledger_output}/resolve/",
        {"verdict": "original"},
        logged_in(403, **OFFICE),
    ),
]


def matrix_ledger(world) -> dict[str, int]:
    """An event of the township's unit with a photo, and an output (not flagged)."""
    event = ledger.record_create(
        actor=SYSTEM,
        campaign=world.campaign,
        record_kind="event",
        unit=world.township_unit,
        kind="lecture",
        sessions=2,
        participants=60,
        date=datetime.date(2024, 4, 2),
    ).record
    evidence = ledger.evidence_add(
        actor=SYSTEM,
        record_kind="event",
        record=event,
        data=PNG,
        filename="签到表.png",
        evidence_kind="sign_in",
    )
    output = ledger.record_create(
        actor=SYSTEM,
        campaign=world.campaign,
        record_kind="output",
        unit=world.township_unit,
        outlet=OutletFactory(),
        kind="article",
        title="宣讲进村",
        date=datetime.date(2024, 4, 3),
    ).record
    # (the matrix asks for an output under the event's id, expecting none)
    assert output.pk != event.pk
    return {"ledger_event": event.pk, "ledger_evidence": evidence.pk, "ledger_output": output.pk}
