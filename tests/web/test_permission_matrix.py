"""Permission matrix: every page URL, every role, the expected status.

Every URL pattern outside the excluded namespaces must have a row for every role, so a
new page without rows fails ``test_every_url_has_a_row_for_every_role``.
"""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from ..collection.helpers import matrix_ids
from ..documents.helpers import matrix_report
from ..matrix_roles import ROLES, logged_in, statuses
from ..reporting.matrix import SPECS as REPORTING_SPECS
from ..reporting.matrix import matrix_reporting
from .matrix_ledger import LEDGER_SPECS, matrix_ledger
from .matrix_locks import LOCK_SPECS, matrix_locks
from .seed import matrix_export_template, matrix_records

# The office, editor, reviewer, approver and observer sit at the prefecture (both counties).
PREFECTURE = ["office", "editor", "reviewer", "approver", "observer"]

# Namespaces with their own matrix, checked there rather than here.
COVERED_ELSEWHERE = {
    # The JSON API has its own permission matrix over its endpoints.
    "api": "tests/api/",
    # The admin's pages are per model; tests/web/test_admin.py opens every one of them.
    "admin": "tests/web/test_admin.py",
}


# (method, URL with {ids} from the world, POST data, expected status per role)
SPECS = [
    ("GET", "/healthz", None, statuses(200)),
    # The API's schema at the address the issue names (outside the api namespace).
    ("GET", "/api/openapi.json", None, logged_in(200)),
    ("GET", "/", None, logged_in(200)),
    (
        "GET",
        "/campaigns/{campaign}/",
        None,
        logged_in(200, other_office=404, other_reporter=404),
    ),
    ("GET", "/campaigns/{other_campaign}/", None, logged_in(200, reporter=404)),
    ("GET", "/campaigns/999999/", None, logged_in(404)),
    ("GET", "/units/", None, logged_in(200)),
    ("GET", "/units/{township_unit}/", None, logged_in(200, other_office=404, other_reporter=404)),
    ("GET", "/units/{other_township_unit}/", None, logged_in(200, reporter=404)),
    (
        "GET",
        "/units/{county_unit}/",
        None,
        logged_in(200, reporter=404, other_office=404, other_reporter=404),
    ),
    ("GET", "/units/999999/", None, logged_in(404)),
    ("GET", "/audit/", None, logged_in(403, admin=200, office=200, other_office=200)),
    ("GET", "/accounts/login/", None, statuses(302, anonymous=200)),
    # A blank form: shown again with its errors (no login attempt is counted).
    ("POST", "/accounts/login/", {}, statuses(302, anonymous=200)),
    ("POST", "/accounts/logout/", {}, statuses(302)),
    ("GET", "/accounts/logout/", None, statuses(405)),
    ("GET", "/accounts/password/", None, logged_in(200)),
    # A wrong old password: the form comes back with its errors.
    (
        "POST",
        "/accounts/password/",
        {"old_password": "wrong", "new_password1": "x", "new_password2": "x"},
        logged_in(200),
    ),
    ("POST", "/accounts/language/", {"language": "en"}, statuses(302)),
    ("GET", "/accounts/language/", None, statuses(405)),
    # Django's own language view (cookie only); the header form uses /accounts/language/.
    # Collection tasks: {collection_task} on {campaign} (by the prefecture office) asks the
    # reporter's unit (township_unit) and county_unit among others; {collection_round} is
    # its first round. Readers of the region see status pages; only offices send tasks.
    (
        "GET",
        "/collection/campaigns/{campaign}/tasks/",
        None,
        logged_in(200, other_office=404, other_reporter=404),
    ),
    ("GET", "/collection/campaigns/{other_campaign}/tasks/", None, logged_in(200, reporter=404)),
    (
        "GET",
        "/collection/campaigns/{campaign}/tasks/new/",
        None,
        logged_in(403, admin=200, office=200, other_office=404, other_reporter=404),
    ),
    # A blank form: shown again with its errors.
    (
        "POST",
        "/collection/campaigns/{campaign}/tasks/new/",
        {},
        logged_in(403, admin=200, office=200, other_office=404, other_reporter=404),
    ),
    (
        "GET",
        "/collection/campaigns/{other_campaign}/tasks/new/",
        None,
        logged_in(403, admin=200, office=200, other_office=200, reporter=404),
    ),
    (
        "GET",
        "/collection/tasks/{collection_task}/",
        None,
        logged_in(200, reporter=403, other_office=404, other_reporter=404),
    ),
    ("GET", "/collection/tasks/999999/", None, logged_in(404)),
    (
        "GET",
        "/collection/tasks/{collection_task}/edit/",
        None,
        logged_in(403, admin=200, office=200, other_office=404, other_reporter=404),
    ),
    (
        "POST",
        "/collection/tasks/{collection_task}/edit/",
        {},
        logged_in(403, admin=200, office=200, other_office=404, other_reporter=404),
    ),
    # Re-opening an open task changes nothing and goes back to the task page.
    (
        "POST",
        "/collection/tasks/{collection_task}/active/",
        {"active": "1"},
        logged_in(403, admin=302, office=302, other_office=404, other_reporter=404),
    ),
    ("GET", "/collection/tasks/{collection_task}/active/", None, logged_in(405)),
    # The matrix's task has an answer: the office is sent back to it with the refusal.
    (
        "POST",
        "/collection/tasks/{collection_task}/delete/",
        {},
        logged_in(403, admin=302, office=302, other_office=404, other_reporter=404),
    ),
    ("GET", "/collection/tasks/{collection_task}/delete/", None, logged_in(405)),
    (
        "GET",
        "/collection/rounds/{collection_round}/",
        None,
        logged_in(200, reporter=403, other_office=404, other_reporter=404),
    ),
    ("GET", "/collection/rounds/999999/", None, logged_in(404)),
    (
        "GET",
        "/collection/rounds/{collection_round}/units/{township_unit}/",
        None,
        logged_in(403, admin=200, office=200, reporter=200, other_office=404, other_reporter=404),
    ),
    # A negative value: the form comes back with its errors, nothing is written.
    (
        "POST",
        "/collection/rounds/{collection_round}/units/{township_unit}/",
        {"value_lectures": "-1"},
        logged_in(403, admin=200, office=200, reporter=200, other_office=404, other_reporter=404),
    ),
    (
        "GET",
        "/collection/rounds/{collection_round}/units/{county_unit}/",
        None,
        logged_in(403, admin=200, office=200, other_office=404, other_reporter=404),
    ),
    # A unit the task does not ask: not found for those who may answer for it, refused
    # like a named unit for the rest (the page tells nothing of the task's units).
    (
        "GET",
        "/collection/rounds/{collection_round}/units/{other_township_unit}/",
        None,
        logged_in(403, admin=404, office=404, other_office=404, other_reporter=404),
    ),
    ("GET", "/collection/forms/", None, logged_in(200)),
    # Dashboard, timeline, ledger pages (issue 5). Writers of the world's campaign: the
    # admin, the prefecture office, the township's reporter; the editor, reviewer,
    # approver and observer read only.
    ("GET", "/dashboard/", None, logged_in(200)),
    # Quick entry goes straight to the only campaign one may file for, else lists them.
    (
        "GET",
        "/entry/",
        None,
        logged_in(200, reporter=302, other_office=302, other_reporter=302),
    ),
    (
        "GET",
        "/campaigns/{campaign}/schedule/",
        None,
        logged_in(200, other_office=404, other_reporter=404),
    ),
    ("GET", "/campaigns/{other_campaign}/schedule/", None, logged_in(200, reporter=404)),
    (
        "GET",
        "/campaigns/{campaign}/ledger/event/",
        None,
        logged_in(200, other_office=404, other_reporter=404),
    ),
    ("GET", "/campaigns/{other_campaign}/ledger/output/", None, logged_in(200, reporter=404)),
    ("GET", "/campaigns/999999/ledger/event/", None, logged_in(404)),
    (
        "GET",
        "/campaigns/{campaign}/ledger/event/new/",
        None,
        logged_in(403, admin=200, office=200, reporter=200, other_office=404, other_reporter=404),
    ),
    # A blank form: shown again with its errors, nothing written.
    (
        "POST",
        "/campaigns/{campaign}/ledger/event/new/",
        {},
        logged_in(403, admin=200, office=200, reporter=200, other_office=404, other_reporter=404),
    ),
    (
        "GET",
        "/campaigns/{other_campaign}/ledger/figure/new/",
        None,
        logged_in(403, admin=200, office=200, other_office=200, other_reporter=200, reporter=404),
    ),
    (
        "GET",
        "/campaigns/{campaign}/ledger/material/export/",
        None,
        logged_in(200, other_office=404, other_reporter=404),
    ),
    (
        "GET",
        "/campaigns/{campaign}/ledger/event/{township_event}/",
        None,
        logged_in(200, other_office=404, other_reporter=404),
    ),
    # Another unit's record: not for the township's reporter.
    (
        "GET",
        "/campaigns/{campaign}/ledger/event/{county_event}/",
        None,
        logged_in(200, reporter=404, other_office=404, other_reporter=404),
    ),
    (
        "GET",
        "/campaigns/{other_campaign}/ledger/event/{other_event}/",
        None,
        logged_in(200, reporter=404),
    ),
    # A record under another campaign's address, and a record of another kind.
    ("GET", "/campaigns/{campaign}/ledger/event/{other_event}/", None, logged_in(404)),
    # (an event's id that no output has: see matrix_ledger)
    ("GET", "/campaigns/{campaign}/ledger/output/{ledger_event}/", None, logged_in(404)),
    (
        "GET",
        "/campaigns/{campaign}/import/",
        None,
        logged_in(403, admin=200, office=200, reporter=200, other_office=404, other_reporter=404),
    ),
    # No file: the form comes back with its errors.
    (
        "POST",
        "/campaigns/{campaign}/import/",
        {"record_kind": "event"},
        logged_in(403, admin=200, office=200, reporter=200, other_office=404, other_reporter=404),
    ),
    (
        "GET",
        "/campaigns/{campaign}/import/template/event.xlsx",
        None,
        logged_in(200, other_office=404, other_reporter=404),
    ),
    # Export templates: the office over the campaign's region only ({export_template} is
    # one of {campaign}'s); the region's readers and the reporter may not, the other county
    # does not see the campaign.
    (
        "GET",
        "/campaigns/{campaign}/export-templates/",
        None,
        logged_in(403, admin=200, office=200, other_office=404, other_reporter=404),
    ),
    (
        "GET",
        "/campaigns/{other_campaign}/export-templates/",
        None,
        logged_in(403, admin=200, office=200, other_office=200, reporter=404),
    ),
    (
        "GET",
        "/campaigns/{campaign}/export-templates/new/",
        None,
        logged_in(403, admin=200, office=200, other_office=404, other_reporter=404),
    ),
    # A blank form: shown again with its errors, nothing written.
    (
        "POST",
        "/campaigns/{campaign}/export-templates/new/",
        {},
        logged_in(403, admin=200, office=200, other_office=404, other_reporter=404),
    ),
    (
        "GET",
        "/campaigns/{campaign}/export-templates/{export_template}/",
        None,
        logged_in(403, admin=200, office=200, other_office=404, other_reporter=404),
    ),
    (
        "POST",
        "/campaigns/{campaign}/export-templates/{export_template}/",
        {},
        logged_in(403, admin=200, office=200, other_office=404, other_reporter=404),
    ),
    # Another campaign's template under this campaign's address; a missing one.
    (
        "GET",
        "/campaigns/{other_campaign}/export-templates/{export_template}/",
        None,
        logged_in(403, admin=404, office=404, other_office=404, reporter=404),
    ),
    (
        "GET",
        "/campaigns/{campaign}/export-templates/999999/",
        None,
        logged_in(403, admin=404, office=404, other_office=404, other_reporter=404),
    ),
    # The filled workbook downloads.
    (
        "GET",
        "/campaigns/{campaign}/export-templates/{export_template}/fill/",
        None,
        logged_in(403, admin=200, office=200, other_office=404, other_reporter=404),
    ),
    # Without the button's confirmation nothing is deleted: back to the list.
    (
        "POST",
        "/campaigns/{campaign}/export-templates/{export_template}/delete/",
        {},
        logged_in(403, admin=302, office=302, other_office=404, other_reporter=404),
    ),
    (
        "GET",
        "/campaigns/{campaign}/export-templates/{export_template}/delete/",
        None,
        logged_in(405),
    ),
    # Published reports and drafted documents (issue 6). {report} is a report on {campaign}
    # with its figures, {report_figure} the first. The region's readers see reports; only
    # the office uploads, reviews, imports and pastes schedules; anyone who sees the
    # campaign drafts its summary report (with the figures they may see).
    (
        "GET",
        "/documents/campaigns/{campaign}/reports/",
        None,
        logged_in(200, reporter=403, other_office=404, other_reporter=404),
    ),
    (
        "GET",
        "/documents/campaigns/{other_campaign}/reports/",
        None,
        logged_in(200, reporter=404, other_reporter=403),
    ),
    # A blank form: shown again with its errors.
    (
        "POST",
        "/documents/campaigns/{campaign}/reports/",
        {},
        logged_in(403, admin=200, office=200, other_office=404, other_reporter=404),
    ),
    (
        "GET",
        "/documents/reports/{report}/",
        None,
        logged_in(200, reporter=404, other_office=404, other_reporter=404),
    ),
    ("GET", "/documents/reports/999999/", None, logged_in(404)),
    # No unit chosen: back to the report with the error.
    (
        "POST",
        "/documents/reports/{report}/import/",
        {},
        logged_in(403, admin=302, office=302, reporter=404, other_office=404, other_reporter=404),
    ),
    ("GET", "/documents/reports/{report}/import/", None, logged_in(405)),
    (
        "POST",
        "/documents/figures/{report_figure}/review/",
        {"decision": "reject"},
        logged_in(403, admin=302, office=302, reporter=404, other_office=404, other_reporter=404),
    ),
    ("GET", "/documents/figures/{report_figure}/review/", None, logged_in(405)),
    (
        "GET",
        "/documents/campaigns/{campaign}/summary/",
        None,
        logged_in(200, other_office=404, other_reporter=404),
    ),
    ("GET", "/documents/campaigns/999999/summary/", None, logged_in(404)),
    (
        "GET",
        "/documents/campaigns/{campaign}/summary.docx",
        None,
        logged_in(200, other_office=404, other_reporter=404),
    ),
    (
        "GET",
        "/documents/campaigns/{campaign}/schedule/",
        None,
        logged_in(403, admin=200, office=200, other_office=404, other_reporter=404),
    ),
    # A blank form: shown again with its errors, nothing imported.
    (
        "POST",
        "/documents/campaigns/{campaign}/schedule/",
        {},
        logged_in(403, admin=200, office=200, other_office=404, other_reporter=404),
    ),
    # Reporting (信息报送) and notifications (issue 4): see tests/reporting/matrix.py.
    *REPORTING_SPECS,
]

# One test per URL, all roles in it (one world instead of ten); a failure lists every
# role whose status differs.
SPECS += LEDGER_SPECS + LOCK_SPECS

MATRIX = [
    pytest.param(method, url, data, expected, id=f"{method} {url}")
    for method, url, data, expected in SPECS
]

WORLD_IDS = [
    "campaign",
    "other_campaign",
    "township_unit",
    "other_township_unit",
    "county_unit",
]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def ids(world, settings, tmp_path) -> dict[str, int]:
    settings.MEDIA_ROOT = tmp_path / "media"  # (evidence files of the seeded records)
    return {
        **{name: getattr(world, name).pk for name in WORLD_IDS},
        **matrix_ids(world),
        **matrix_records(world),
        **matrix_export_template(world),
        **matrix_report(world),
        **matrix_reporting(world),
        **matrix_ledger(world),
        **matrix_locks(world),
    }


@pytest.mark.parametrize(("method", "url", "data", "expected"), MATRIX)
def test_permission_matrix(ids, world, method, url, data, expected):
    url = url.format_map(ids)
    got = {}
    for role in ROLES:
        client = Client()
        if role != "anonymous":
            client.force_login(world.user(role))
        response = client.get(url) if method == "GET" else client.post(url, data)
        got[role] = response.status_code
    assert got == expected


def _url_patterns(patterns, namespaces=()):
    """(top namespace, qualified view name, route) for every URL pattern."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
            yield from (
                (top, name, str(pattern.pattern) + route)
                for top, name, route in _url_patterns(pattern.url_patterns, inner)
            )
        elif isinstance(pattern, URLPattern):
            name = ":".join((*namespaces, pattern.name)) if pattern.name else None
            yield (namespaces[0] if namespaces else None), name, str(pattern.pattern)


class _AnyId(dict):
    def __missing__(self, key):
        return 1


def test_every_url_has_a_row_for_every_role():
    roles_by_view: dict[str, set[str]] = {}
    for method, url, _data, expected in SPECS:
        view_name = resolve(url.format_map(_AnyId()).partition("?")[0]).view_name
        roles_by_view.setdefault(view_name, set()).update(expected)
        assert set(expected) == set(ROLES), (method, url)

    checked = []
    tops = set()
    for top, name, route in _url_patterns(get_resolver().url_patterns):
        tops.add(top)
        if top in COVERED_ELSEWHERE:
            continue
        assert name, f"give the URL {route!r} a name so the matrix can refer to it"
        assert roles_by_view.get(name) == set(ROLES), (
            f"add permission matrix rows for {name} ({route}) for every role"
        )
        checked.append(name)
    # Each namespace left to another test still exists under that name.
    assert set(COVERED_ELSEWHERE) <= tops
    # The walk found the pages (it did not silently match nothing).
    assert {"web:home", "web:campaign", "web:audit", "login", "language_set"} <= set(checked)
