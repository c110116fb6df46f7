"""Writes on notifications: sending one message to several users (in-app, and by email
when SMTP is configured) and marking messages read."""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigndesk.accounts.models import User
from campaigndesk.common.errors import NotFound

from .models import Notification

logger = logging.getLogger(__name__)


def _distinct_users(users: Iterable[User | None]) -> list[User]:
    seen: set[int] = set()
    result = []
    for user in users:
        if user is None or user.pk is None or user.pk in seen:
            continue
        seen.add(user.pk)
        result.append(user)
    return result


def _create(rows: list[Notification]) -> list[Notification]:
    """Insert the rows; a concurrent run holding the same dedupe key wins for its user."""
    try:
        with transaction.atomic():
            return Notification.objects.bulk_create(rows)
    except IntegrityError:
        created = []
        for row in rows:
            try:
                with transaction.atomic():
                    row.save()
            except IntegrityError:
                continue
            created.append(row)
        return created


def _email(notification_ids: list[int]) -> None:
    """Send each notification to its user's address and stamp ``emailed_at``; a failure is
    logged, not raised (the in-app message is already stored)."""
    rows = list(
        Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
        .exclude(user__email="")
        .select_related("user")
    )
    if not rows:
        return
    sent = []
    try:
        with get_connection() as connection:
            for row in rows:
                body = row.message + (f"\n\n{row.link}" if row.link else "")
                message = EmailMessage(
                    subject=row.message[:120],
                    body=body,
                    to=[row.user.email],
                    connection=connection,
                )
                try:
                    message.send()
                except Exception:  # one bad address must not stop the rest
                    logger.exception("notification %s: email to %s failed", row.pk, row.user_id)
                    continue
                sent.append(row.pk)
    except Exception:  # the SMTP server is down: keep the in-app messages
        logger.exception("notifications: could not open the mail connection")
    if sent:
        Notification.objects.filter(pk__in=sent).update(emailed_at=timezone.now())


@transaction.atomic
def notify(
    *,
    users: Iterable[User | None],
    kind: str,
    message: str,
    link: str = "",
    dedupe_key: str = "",
) -> list[Notification]:
    """Create one notification per user (skipping users who already hold ``dedupe_key``)
    and, once the transaction commits, email them if ``settings.EMAIL_HOST`` is set.
    Returns the notifications created. Raises nothing for an empty list of users."""
    targets = [u for u in _distinct_users(users) if u.is_active]
    if not targets:
        return []
    if dedupe_key:
        have = set(
            Notification.objects.filter(
                dedupe_key=dedupe_key, user_id__in=[u.pk for u in targets]
            ).values_list("user_id", flat=True)
        )
        targets = [u for u in targets if u.pk not in have]
    rows = [
        Notification(
            user=u,
            kind=kind,
            message=str(message)[:500],
            link=link[:300],
            dedupe_key=dedupe_key[:200],
        )
        for u in targets
    ]
    created = _create(rows)
    if created and getattr(settings, "EMAIL_HOST", ""):
        ids = [n.pk for n in created if n.pk is not None and n.user.email]
        if ids:
            transaction.on_commit(lambda: _email(ids))
    return created


@transaction.atomic
def notification_mark_read(*, actor: User, notification: Notification) -> Notification:
    """Mark one of the actor's own notifications read. Raises NotFound for anyone else's."""
    if notification.user_id != getattr(actor, "pk", None):
        raise NotFound()
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notification_mark_all_read(*, actor: User) -> int:
    """Mark every unread notification of the actor read; returns how many were."""
    if getattr(actor, "pk", None) is None:
        return 0
    return Notification.objects.filter(user_id=actor.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )
