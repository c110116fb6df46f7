"""The fixed users of the pages' permission matrices (tests/web/test_permission_matrix.py
and the rows it gathers from tests/web/matrix_*.py and tests/reporting/matrix.py), and the
expected statuses per role."""

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


def statuses(default: int, **by_role: int) -> dict[str, int]:
    return {role: by_role.get(role, default) for role in ROLES}


def logged_in(default: int, **by_role: int) -> dict[str, int]:
    """Anonymous visitors are sent to the login page."""
    return statuses(default, **{"anonymous": 302, **by_role})
