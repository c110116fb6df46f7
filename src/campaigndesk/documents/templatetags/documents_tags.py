"""Template filters for links to the documents pages."""

from django import template

from campaigndesk.documents import selectors

register = template.Library()


@register.filter
def reads_reports(user, campaign) -> bool:
    """``{% if user|reads_reports:campaign %}``: whether the user sees its reports."""
    return selectors.can_read_reports(user, campaign)
