"""A figure written the way offices write it: "176128余张", "约6200平方米", "近30场次".

Pages, documents, exports and the API all render figures with ``figure_display`` so that
one number reads the same everywhere. The wording is Chinese whatever the interface
language, like the measure words themselves: it is how the figure is quoted in bulletins
and reports, not interface text.
"""

from decimal import Decimal, InvalidOperation

from .models import Approx

# Where each approximation goes around the number: (before, after), "after" coming between
# the number and the measure word (1800余条).
_AROUND: dict[str, tuple[str, str]] = {
    Approx.EXACT: ("", ""),
    Approx.MORE: ("", "余"),
    Approx.ABOUT: ("约", ""),
    Approx.UNDER: ("近", ""),
    Approx.AT_LEAST: ("不低于", ""),
}


def number_display(value: Decimal | int | float | str | None) -> str:
    """The number without float noise or trailing zeros: 176128, 6200.5, 87.25."""
    if value is None:
        return ""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite():
        return str(value)
    if number == number.to_integral_value():
        return f"{number.quantize(Decimal(1)):f}"
    return f"{number.normalize():f}"


def figure_display(
    value: Decimal | int | float | str | None, approx: str = "", measure_word: str = ""
) -> str:
    """``value`` with its approximation and measure word: ("176128", "more", "张") gives
    "176128余张"; ("6200", "about", "平方米") gives "约6200平方米". An unknown
    approximation is shown as exact; no value gives an empty string."""
    if value is None:
        return ""
    before, after = _AROUND.get(approx or "", ("", ""))
    return f"{before}{number_display(value)}{after}{measure_word or ''}"


def row_display(row) -> str:
    """A rollup row (``ledger.rollup.RollupRow``) written out with its indicator's measure
    word."""
    return figure_display(row.value, row.approx, row.indicator.measure_word)
