"""Template helpers for the collection pages."""

from django import template
from django.utils.translation import gettext as _

from campaigndesk.ledger.display import figure_display

register = template.Library()


@register.filter
def approx_value(value) -> str:
    """A submitted value with its approximation mark: "860", "1800余", "约6200"."""
    return figure_display(value.value, value.approx)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def status_groups(status) -> list[tuple[str, str, list]]:
    """The round's units in groups: missing first (what the office acts on), then late,
    then on time."""
    return [
        ("missing", _("Missing"), status.missing),
        ("late", _("Late"), status.late),
        ("on_time", _("On time"), status.on_time),
    ]
