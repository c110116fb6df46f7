"""Figures on the pages, written for the reader's language: 17.6万 and 1.2亿 for large
counts in Chinese (176,128 in English), the exact figure always one hover or one table away.

``{{ value|large_count }}``: a count for a headline tile ("17.6万", "8600", "176,128").
``{{ value|exact_number }}``: the exact value as the language groups digits ("176128",
"176,128", "6200.5").
``{% figure value approx measure_word %}``: a headline figure with its approximation and
measure word ("17.6万余张"), the exact one ("176128余张") in its tooltip; "无数据"-style
"No data" when there is no value.
"""

import functools
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils import formats, numberformat, translation
from django.utils.html import format_html
from django.utils.translation import gettext as _

from campaigndesk.ledger.display import figure_display, number_display
from campaigndesk.ledger.models import Approx

register = template.Library()

WAN = Decimal(10_000)
YI = Decimal(100_000_000)
# Approximations that say "more than": a shortened figure must not overstate them, so it
# is cut down (17.69万 -> 17.6万余) rather than rounded up.
_AT_MOST = {Approx.MORE, Approx.AT_LEAST}


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _chinese() -> bool:
    return (translation.get_language() or "").lower().startswith("zh")


@functools.lru_cache(maxsize=16)
def _number_format(language: str) -> tuple[str, int, str]:
    """The decimal separator, digit grouping and thousand separator of a language."""
    return (
        formats.get_format("DECIMAL_SEPARATOR", language, use_l10n=True),
        formats.get_format("NUMBER_GROUPING", language, use_l10n=True),
        formats.get_format("THOUSAND_SEPARATOR", language, use_l10n=True),
    )


def _grouped(number: Decimal) -> str:
    """The number with the language's digit grouping, no float noise (the language's
    format is looked up once per language: a dashboard writes hundreds of numbers)."""
    plain = number_display(number)
    decimals = len(plain.split(".")[1]) if "." in plain else 0
    decimal_sep, grouping, thousand_sep = _number_format(translation.get_language() or "")
    return numberformat.format(
        Decimal(plain),
        decimal_sep,
        decimal_pos=decimals,
        grouping=grouping,
        thousand_sep=thousand_sep,
        force_grouping=True,
    )


def shorten(value, approx: str = "") -> str:
    """A count as a headline writes it: in Chinese 万 (ten thousand) and 亿 (hundred million)
    with one decimal (176128 -> 17.6万, 123456789 -> 1.2亿, 8600 -> 8600); in other
    languages the grouped number (176,128). Empty for no value."""
    number = _decimal(value)
    if number is None:
        return ""
    if not _chinese() or abs(number) < WAN:
        return _grouped(number)
    unit, word = (YI, "亿") if abs(number) >= YI else (WAN, "万")
    rounding = ROUND_DOWN if approx in _AT_MOST else ROUND_HALF_UP
    short = (number / unit).quantize(Decimal("0.1"), rounding=rounding)
    if word == "万" and abs(short) >= WAN:  # 99,995,000 rounds up to 10000.0万: say 1亿
        short, word = (number / YI).quantize(Decimal("0.1"), rounding=rounding), "亿"
    return f"{number_display(short)}{word}"


@register.filter
def large_count(value, approx: str = "") -> str:
    """``{{ value|large_count }}``: 17.6万 in Chinese, 176,128 in English."""
    return shorten(value, approx or "")


@register.filter
def exact_number(value) -> str:
    """``{{ value|exact_number }}``: the exact value, grouped as the language does."""
    number = _decimal(value)
    return "" if number is None else _grouped(number)


def exact_text(value, approx: str = "", measure_word: str = "") -> str:
    """ "176128余张" ("176,128余张" in English): the exact figure with its approximation and
    measure word, digits grouped as the language does."""
    text = figure_display(value, approx, measure_word)
    if not text:
        return ""
    return text.replace(number_display(value), _grouped(_decimal(value)), 1)


def short_figure(value, approx: str = "", measure_word: str = "") -> str:
    """ "17.6万余张": the shortened count with its approximation and measure word (the
    wording of ``ledger.display.figure_display``)."""
    exact = figure_display(value, approx, "")
    if not exact:
        return ""
    number = number_display(value)
    return exact.replace(number, shorten(value, approx), 1) + (measure_word or "")


@register.simple_tag
def figure(value, approx: str = "", measure_word: str = ""):
    """A headline figure: the short form, the exact figure in its tooltip and in its
    ``value`` attribute; "No data" when there is none."""
    if _decimal(value) is None:
        return format_html('<span class="nodata">{}</span>', _("No data"))
    return format_html(
        '<data value="{}" title="{}">{}</data>',
        number_display(value),
        exact_text(value, approx, measure_word),
        short_figure(value, approx, measure_word),
    )


@register.simple_tag
def exact_figure(value, approx: str = "", measure_word: str = "") -> str:
    """The exact figure as reports quote it ("176128余张"), or "No data"."""
    if _decimal(value) is None:
        return _("No data")
    return exact_text(value, approx, measure_word)


@register.simple_tag
def cell(row, default: str = "–") -> str:
    """A rollup row (or None) in a table cell: the exact figure, or a dash."""
    if row is None or row.value is None:
        return default
    return exact_text(row.value, row.approx, row.indicator.measure_word)
