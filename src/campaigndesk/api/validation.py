"""What a request that does not validate is told, in the reader's language.

pydantic words its errors in English; each kind the API's schemas can raise is written
here again through gettext, its limits (``ctx``) filled in. A kind not listed keeps
pydantic's words rather than saying nothing."""

from django.utils.translation import gettext_lazy

# pydantic's error type -> the message (its %(name)s placeholders are ctx's keys).
_MESSAGES = {
    "missing": gettext_lazy("This field is required."),
    "extra_forbidden": gettext_lazy("This field is not known here."),
    "int_type": gettext_lazy("A whole number is required."),
    "int_parsing": gettext_lazy("A whole number is required."),
    "int_from_float": gettext_lazy("A whole number is required."),
    "int_parsing_size": gettext_lazy("A whole number is required."),
    "bool_type": gettext_lazy("true or false is required."),
    "bool_parsing": gettext_lazy("true or false is required."),
    "string_type": gettext_lazy("Text is required."),
    "string_unicode": gettext_lazy(
        "Holds half of a character (a lone surrogate), which text cannot hold."
    ),
    "string_too_long": gettext_lazy("At most %(max_length)s characters."),
    "string_too_short": gettext_lazy("At least %(min_length)s characters."),
    "too_long": gettext_lazy("At most %(max_length)s items."),
    "too_short": gettext_lazy("At least %(min_length)s items."),
    "greater_than": gettext_lazy("A number greater than %(gt)s is required."),
    "greater_than_equal": gettext_lazy("A number of at least %(ge)s is required."),
    "less_than": gettext_lazy("A number less than %(lt)s is required."),
    "less_than_equal": gettext_lazy("A number of at most %(le)s is required."),
    "enum": gettext_lazy("One of %(expected)s is required."),
    "literal_error": gettext_lazy("One of %(expected)s is required."),
    "date_type": gettext_lazy("A date written YYYY-MM-DD is required."),
    "date_parsing": gettext_lazy("A date written YYYY-MM-DD is required."),
    "date_from_datetime_parsing": gettext_lazy("A date written YYYY-MM-DD is required."),
    "date_from_datetime_inexact": gettext_lazy("A date written YYYY-MM-DD is required."),
    "datetime_type": gettext_lazy("A date and time (ISO 8601) is required."),
    "datetime_parsing": gettext_lazy("A date and time (ISO 8601) is required."),
    "datetime_from_date_parsing": gettext_lazy("A date and time (ISO 8601) is required."),
    "time_type": gettext_lazy("A time of day (HH:MM) is required."),
    "time_parsing": gettext_lazy("A time of day (HH:MM) is required."),
    "decimal_type": gettext_lazy("A number is required."),
    "decimal_parsing": gettext_lazy("A number is required."),
    "float_type": gettext_lazy("A number is required."),
    "float_parsing": gettext_lazy("A number is required."),
    "finite_number": gettext_lazy("A finite number is required."),
    "decimal_max_digits": gettext_lazy("At most %(max_digits)s digits."),
    "decimal_max_places": gettext_lazy("At most %(decimal_places)s decimal places."),
    "decimal_whole_digits": gettext_lazy("At most %(whole_digits)s digits before the point."),
    "list_type": gettext_lazy("A list is required."),
    "dict_type": gettext_lazy("An object is required."),
    "model_type": gettext_lazy("An object is required."),
    "model_attributes_type": gettext_lazy("An object is required."),
    "json_invalid": gettext_lazy("The body is not valid JSON."),
}


def error_message(error: dict) -> str:
    """One pydantic error as the reader is told it."""
    kind = error.get("type", "")
    ctx = dict(error.get("ctx") or {})
    if kind in ("value_error", "assertion_error") and ctx.get("error"):
        # Our own validators' words, translated where they were raised.
        return str(ctx["error"])
    message = _MESSAGES.get(kind)
    if message is None:
        return str(error.get("msg", ""))
    try:
        return str(message) % {key: _limit(value) for key, value in ctx.items()}
    except (KeyError, TypeError, ValueError):
        return str(error.get("msg", ""))


def _limit(value) -> str:
    # (pydantic writes a choice list as "'a', 'b' or 'c'": the English "or" goes)
    return str(value).replace(" or ", ", ")
