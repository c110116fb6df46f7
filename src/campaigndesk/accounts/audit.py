"""Writing the audit trail: one entry per change, in the same transaction as the change.

Services call ``audit_log`` inside their ``transaction.atomic`` block, so the entry and the
change commit or roll back together. Denied attempts are different: the change is rolled
back, but the attempt must stay on record. Services are wrapped in ``records_denials``,
which writes the entry after the service's own transaction has rolled back. (The project
does not wrap whole requests in a transaction, so nothing outside rolls it back again.)
"""

import datetime
import decimal
import functools
import uuid
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.db import models

from campaigndesk.common.errors import Forbidden

from .models import AuditEntry

F = TypeVar("F", bound=Callable[..., Any])


def _json_value(value: Any) -> Any:
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``obj`` as JSON-ready data (foreign keys as ids)."""
    data: dict[str, Any] = {}
    wanted = set(fields) if fields is not None else None
    for field in obj._meta.concrete_fields:
        if wanted is not None and field.name not in wanted:
            continue
        if field.name in {"password"}:
            continue
        data[field.attname] = _json_value(getattr(obj, field.attname))
    return data


def _actor_label(actor: Any) -> str:
    if actor is None:
        return "system"
    return getattr(actor, "username", "") or str(actor)


def audit_log(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    before: dict | None = None,
    after: dict | None = None,
    region_path: str = "",
    extra: dict | None = None,
    outcome: str = AuditEntry.Outcome.DONE,
    object_type: str = "",
    object_repr: str = "",
) -> AuditEntry:
    """Append one entry to the audit trail (call inside the change's transaction)."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=_actor_label(actor),
        action=action,
        outcome=outcome,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:300],
        region_path=region_path,
        before=_json_value(before) if before is not None else None,
        after=_json_value(after) if after is not None else None,
        extra=_json_value(extra) if extra is not None else None,
    )


def records_denials(action: str) -> Callable[[F], F]:
    """Decorate a service so that a ``Forbidden`` it raises is recorded in the audit trail
    (after the service's transaction has rolled back) before it propagates."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except Forbidden as error:
                audit_log(
                    actor=kwargs.get("actor"),
                    action=action,
                    outcome=AuditEntry.Outcome.DENIED,
                    region_path=getattr(error, "region_path", ""),
                    object_repr=getattr(error, "object_repr", ""),
                    extra={"reason": str(error)},
                )
                raise

        return wrapper  # type: ignore[return-value]

    return decorate
