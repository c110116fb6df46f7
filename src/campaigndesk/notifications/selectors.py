"""Reads on notifications: a user sees only their own."""

from django.db.models import QuerySet

from campaigndesk.accounts.models import User
from campaigndesk.common.errors import NotFound

from .models import Notification


def notification_list(*, actor: User, unread_only: bool = False) -> QuerySet[Notification]:
    """The actor's notifications, newest first (nothing for an anonymous actor)."""
    if getattr(actor, "pk", None) is None:
        return Notification.objects.none()
    qs = Notification.objects.filter(user_id=actor.pk)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_count(*, actor: User) -> int:
    """How many of the actor's notifications are unread."""
    if getattr(actor, "pk", None) is None:
        return 0
    return Notification.objects.filter(user_id=actor.pk, read_at__isnull=True).count()


def access_notification(*, actor: User, id: int) -> Notification:
    """One of the actor's notifications. Raises NotFound for missing and others' alike."""
    try:
        return Notification.objects.get(pk=id, user_id=getattr(actor, "pk", None))
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
