"""The unread-count bell in the page header."""

from django import template

from campaigndesk.notifications.selectors import unread_count

register = template.Library()


@register.simple_tag
def unread_notifications(user) -> int:
    """How many unread notifications the signed-in user has (0 for anonymous)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return unread_count(actor=user)
