"""Reads of accounts data: the audit trail, scoped to the reader."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from campaigndesk.common.errors import Forbidden
from campaigndesk.regions.paths import subtree_q

from .models import AuditEntry, Role
from .scoping import is_admin


def can_read_audit(actor) -> bool:
    """Whether the actor may read an audit trail at all (administrators and offices)."""
    return is_admin(actor) or bool(
        actor is not None and actor.is_authenticated and actor.has_role(Role.OFFICE)
    )


def audit_list(*, actor, action_prefix: str | None = None) -> QuerySet[AuditEntry]:
    """The audit trail newest first: all of it for an administrator; for an office, the
    entries of its region subtree and its own actions. Raises Forbidden for anyone else."""
    if not can_read_audit(actor):
        raise Forbidden(_("Only an office or an administrator may read the audit trail."))
    qs = AuditEntry.objects.all()
    if not is_admin(actor):
        q = Q(actor=actor)
        if actor.unit is not None:
            q |= subtree_q("region_path", actor.unit.region_path)
        qs = qs.filter(q)
    if action_prefix:
        qs = qs.filter(action__startswith=action_prefix.strip())
    return qs.order_by("-at", "-id")
