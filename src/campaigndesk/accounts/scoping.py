"""Who sees and changes what: the region subtree of an office, the unit of a reporter.

Every selector filters with ``visible_q`` and every service checks with ``require_*``, so
the rules hold for pages, the API and commands alike.
"""

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from campaigndesk.common.errors import Forbidden
from campaigndesk.regions.paths import is_within, subtree_q

from .models import SUBTREE_READ_ROLES, Role, User


class SystemActor:
    """The operator at the command line (management commands, the demo loader): may do
    everything, and is named "system" in the audit trail."""

    pk = None
    id = None
    username = "system"
    is_authenticated = True
    is_active = True
    is_superuser = True
    unit = None
    role_set = frozenset({Role.ADMIN})

    def has_role(self, *roles: str) -> bool:
        return Role.ADMIN in roles

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()


@dataclass(frozen=True)
class Scope:
    """What an actor may read: everything, a region subtree, and/or one unit."""

    everything: bool = False
    subtree_path: str | None = None
    unit_id: int | None = None

    @property
    def empty(self) -> bool:
        return not self.everything and self.subtree_path is None and self.unit_id is None


def is_admin(actor: User | None) -> bool:
    return bool(
        actor and actor.is_authenticated and (actor.is_superuser or actor.has_role(Role.ADMIN))
    )


def read_scope(actor: User | None) -> Scope:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return Scope()
    if is_admin(actor):
        return Scope(everything=True)
    unit = actor.unit
    if unit is None:
        return Scope()
    subtree = unit.region_path if actor.role_set & SUBTREE_READ_ROLES else None
    unit_id = unit.pk if actor.has_role(Role.REPORTER) else None
    return Scope(subtree_path=subtree, unit_id=unit_id)


def visible_q(
    actor: User | None,
    *,
    path_field: str | None = "region_path",
    unit_field: str | None = "unit",
    unit_path_field: str | None = None,
) -> Q:
    """Q for rows the actor may read. A row is visible to an office whose subtree holds its
    region (``path_field``) or its unit's region (``unit_path_field``); to a reporter when
    it belongs to the reporter's unit (``unit_field``)."""
    scope = read_scope(actor)
    if scope.everything:
        return Q()
    q = Q(pk__in=[])
    if scope.subtree_path is not None:
        if path_field:
            q |= subtree_q(path_field, scope.subtree_path)
        if unit_path_field:
            q |= subtree_q(unit_path_field, scope.subtree_path)
    if scope.unit_id is not None and unit_field:
        q |= Q(**{unit_field: scope.unit_id})
    return q


def can_read(
    actor: User | None,
    *,
    region_path: str = "",
    unit_id: int | None = None,
    unit_region_path: str = "",
) -> bool:
    scope = read_scope(actor)
    if scope.everything:
        return True
    if scope.subtree_path is not None and any(
        p and is_within(p, scope.subtree_path) for p in (region_path, unit_region_path)
    ):
        return True
    return scope.unit_id is not None and unit_id == scope.unit_id


def can_manage(actor: User | None, *, region_path: str) -> bool:
    """Office work (create and change plans, units, campaigns) in a region subtree."""
    if is_admin(actor):
        return True
    if actor is None or not actor.is_authenticated or not actor.has_role(Role.OFFICE):
        return False
    unit = actor.unit
    return bool(unit and region_path and is_within(region_path, unit.region_path))


def require_manage(actor: User | None, *, region_path: str, what: str = "") -> None:
    """Raise Forbidden unless the actor is an office over ``region_path`` (or an admin)."""
    if not can_manage(actor, region_path=region_path):
        error = Forbidden(_("Only the office responsible for this region may do this."))
        error.region_path = region_path  # type: ignore[attr-defined]
        error.object_repr = what  # type: ignore[attr-defined]
        raise error


def require_admin(actor: User | None, *, what: str = "") -> None:
    if not is_admin(actor):
        error = Forbidden(_("Only an administrator may do this."))
        error.object_repr = what  # type: ignore[attr-defined]
        raise error
