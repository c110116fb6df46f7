"""Every API operation against every role: the status each one gets.

A row per (operation, role). The last test reads the API's OpenAPI schema and fails when an
operation has no rows, so a new endpoint cannot slip in untested.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from campaigndesk.api.api import api

PREFIX = "/api/v1"
SIGNED_IN = [
    "admin",
    "office",
    "reporter",
    "editor",
    "reviewer",
    "approver",
    "observer",
    "other_office",
    "other_reporter",
]
ROLES = ["anonymous", *SIGNED_IN]


def expect(default: int, **overrides: int) -> dict[str, int]:
    """Statuses for every role: ``default`` for the signed-in, 401 for the anonymous."""
    unknown = set(overrides) - set(SIGNED_IN)
    assert not unknown, f"unknown roles {unknown}"
    return {"anonymous": 401, **{r: overrides.get(r, default) for r in SIGNED_IN}}


def schedule_file(unit_name: str) -> SimpleUploadedFile:
    rows = [
        "序号,宣传主题,实事名称,责任单位,宣传时间",
        f"1,政策宣讲,进村入户,{unit_name},10月8-10日",
    ]
    return SimpleUploadedFile("plan.csv", "\n".join(rows).encode(), content_type="text/csv")


# Operations whose body is a multipart form rather than JSON.
MULTIPART = {("POST", "/campaigns/{campaign_id}/schedule/import")}

# What each operation is called with, built from the world fixture: (path, body).
REQUESTS = {
    ("GET", "/me"): lambda w: ("/me", None),
    ("GET", "/regions/{code}"): lambda w: (f"/regions/{w.county.code}", None),
    ("GET", "/regions/{code}/children"): lambda w: (f"/regions/{w.prefecture.code}/children", None),
    ("GET", "/units"): lambda w: ("/units", None),
    ("GET", "/units/{unit_id}"): lambda w: (f"/units/{w.township_unit.pk}", None),
    ("POST", "/units"): lambda w: (
        "/units",
        {"name": "楚雄市文明实践中心", "kind": "practice_centre", "region_code": w.county.code},
    ),
    ("GET", "/outlets"): lambda w: ("/outlets", None),
    ("POST", "/outlets"): lambda w: (
        "/outlets",
        {"name": "楚雄日报", "channel": "newspaper", "level": 3},
    ),
    ("GET", "/campaigns"): lambda w: ("/campaigns", None),
    ("POST", "/campaigns"): lambda w: (
        "/campaigns",
        {
            "name": "文明城市创建宣传",
            "start_date": "2024-03-01",
            "end_date": "2024-06-30",
            "lead_unit_id": w.county_unit.pk,
        },
    ),
    ("GET", "/campaigns/{campaign_id}"): lambda w: (f"/campaigns/{w.campaign.pk}", None),
    ("GET", "/campaigns/{campaign_id}/schedule"): lambda w: (
        f"/campaigns/{w.campaign.pk}/schedule",
        None,
    ),
    ("POST", "/campaigns/{campaign_id}/schedule"): lambda w: (
        f"/campaigns/{w.campaign.pk}/schedule",
        {
            "theme": "政策宣讲",
            "window_start": "2024-10-08",
            "window_end": "2024-10-10",
            "responsible_unit_ids": [w.township_unit.pk],
        },
    ),
    ("POST", "/campaigns/{campaign_id}/schedule/import"): lambda w: (
        f"/campaigns/{w.campaign.pk}/schedule/import",
        {"file": schedule_file(w.township_unit.name), "year": "2024"},
    ),
    ("GET", "/indicators"): lambda w: ("/indicators", None),
}

# The township unit and the campaign lie in 楚雄市, which the office (at the prefecture)
# and the prefecture's editor, reviewer, approver and observer see; the reporter belongs to
# the township unit, which takes part in the campaign. The "other" users sit in 双柏县.
MATRIX = {
    ("GET", "/me"): expect(200),
    ("GET", "/regions/{code}"): expect(200),
    ("GET", "/regions/{code}/children"): expect(200),
    ("GET", "/units"): expect(200),
    ("GET", "/units/{unit_id}"): expect(200, other_office=404, other_reporter=404),
    ("POST", "/units"): expect(403, admin=201, office=201),
    ("GET", "/outlets"): expect(200),
    # The outlet directory is shared: any office may add to it.
    ("POST", "/outlets"): expect(403, admin=201, office=201, other_office=201),
    ("GET", "/campaigns"): expect(200),
    # Those who cannot see the lead unit cannot name it (422, the same as an unknown id).
    ("POST", "/campaigns"): expect(
        403, admin=201, office=201, reporter=422, other_office=422, other_reporter=422
    ),
    ("GET", "/campaigns/{campaign_id}"): expect(200, other_office=404, other_reporter=404),
    ("GET", "/campaigns/{campaign_id}/schedule"): expect(200, other_office=404, other_reporter=404),
    ("POST", "/campaigns/{campaign_id}/schedule"): expect(
        403, admin=201, office=201, other_office=404, other_reporter=404
    ),
    ("POST", "/campaigns/{campaign_id}/schedule/import"): expect(
        403, admin=201, office=201, other_office=404, other_reporter=404
    ),
    ("GET", "/indicators"): expect(200),
}

ROWS = [
    pytest.param(method, template, role, status, id=f"{method} {template} {role}")
    for (method, template), statuses in MATRIX.items()
    for role, status in statuses.items()
]


@pytest.mark.parametrize(("method", "template", "role", "expected"), ROWS)
def test_permission_matrix(login, world, method, template, role, expected):
    path, body = REQUESTS[(method, template)](world)
    client = login(role)
    if method == "GET":
        response = client.get(PREFIX + path)
    elif (method, template) in MULTIPART:
        assert method == "POST", "the test client sends multipart forms by POST only"
        response = client.post(PREFIX + path, body)
    else:
        send = getattr(client, method.lower())
        response = send(PREFIX + path, body, content_type="application/json")
    assert response.status_code == expected, response.content.decode()
    if expected >= 400:
        assert response.json()["detail"], "an error answer carries a message"


def _schema_operations() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema(path_prefix="")
    return {
        (method.upper(), path if path.startswith("/") else "/" + path)
        for path, operations in schema["paths"].items()
        for method in operations
    }


def test_every_operation_has_a_row_for_every_role():
    operations = _schema_operations()
    assert operations, "the schema lists no operations"
    missing = sorted(operations - set(MATRIX))
    assert not missing, f"operations without permission rows: {missing}"
    stale = sorted(set(MATRIX) - operations)
    assert not stale, f"rows for operations the API does not have: {stale}"
    for operation, statuses in MATRIX.items():
        assert set(statuses) == set(ROLES), f"{operation} lacks roles"
        assert operation in REQUESTS, f"{operation} has no request to send"


def test_operation_ids_are_unique():
    schema = api.get_openapi_schema(path_prefix="")
    ids = [op["operationId"] for ops in schema["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids)), ids
