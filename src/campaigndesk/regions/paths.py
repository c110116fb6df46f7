"""Materialised paths of the region tree and the half-open range that selects a subtree.

A path is the codes from the root down, each followed by "/": "53/5323/532301/". Every
descendant's path starts with its ancestor's path, and because "/" sorts before every
character a code may hold (digits, letters, "-"), the subtree of P is exactly the rows with
``P <= path < P[:-1] + "0"``: one range on an ordinary index, on SQLite and PostgreSQL alike
(where the column is compared byte-wise, collation "C"). ``LIKE 'P%'`` would scan on SQLite.
"""

from django.db.models import Q

SEPARATOR = "/"
# The character right after SEPARATOR in code-point order.
_SEPARATOR_NEXT = chr(ord(SEPARATOR) + 1)


def child_path(parent_path: str, code: str) -> str:
    return f"{parent_path}{code}{SEPARATOR}"


def subtree_upper_bound(path: str) -> str:
    """The smallest string above every path in the subtree of ``path`` (exclusive bound)."""
    if not path.endswith(SEPARATOR):
        raise ValueError(f"not a region path: {path!r}")
    return path[:-1] + _SEPARATOR_NEXT


def subtree_q(field: str, path: str) -> Q:
    """Q for rows whose ``field`` lies in the subtree of ``path`` (the node itself included)."""
    return Q(**{f"{field}__gte": path, f"{field}__lt": subtree_upper_bound(path)})


def is_within(path: str, ancestor_path: str) -> bool:
    return path.startswith(ancestor_path)


def codes_of(path: str) -> list[str]:
    return [code for code in path.split(SEPARATOR) if code]
