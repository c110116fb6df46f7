"""Template helpers for the pages."""

import json

from django import template

from campaigndesk.accounts.selectors import can_read_audit as _can_read_audit

register = template.Library()


@register.filter
def can_read_audit(user) -> bool:
    """Whether to offer the audit trail link (the page itself checks again)."""
    return _can_read_audit(user)


@register.filter
def json_pretty(value) -> str:
    """Audit data as indented JSON, Chinese text left readable."""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)
