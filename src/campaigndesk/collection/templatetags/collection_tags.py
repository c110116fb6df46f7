"""Template helpers for the collection pages."""

from decimal import Decimal

from django import template
from django.utils.translation import gettext as _

from campaigndesk.ledger.models import Approx

register = template.Library()

# How an approximate value is quoted (the same marks the offices write: 余, 约, 近, 不低于).
_MARKS = {
    Approx.MORE: ("", "余"),
    Approx.ABOUT: ("约", ""),
    Approx.UNDER: ("近", ""),
    Approx.AT_LEAST: ("不低于", ""),
}


def plain_number(number: Decimal) -> str:
    """12.0000 -> "12", 2.5000 -> "2.5" (never "1E+2")."""
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def approx_value(value) -> str:
    """A submitted value with its approximation mark: "860", "1800余", "约6200"."""
    before, after = _MARKS.get(value.approx, ("", ""))
    return f"{before}{plain_number(value.value)}{after}"


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
