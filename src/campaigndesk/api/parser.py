"""How the API reads a request's query string and form fields: as ninja does, but a value
holding a NUL character is refused as bad input naming its field. PostgreSQL's text
cannot hold one, so it would otherwise fail in the database (a 500) wherever it is
stored or looked up; SQLite would keep it. (JSON bodies: ``schemas.BodyIn``; the pages'
forms refuse it already: Django's form fields do.)"""

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja.errors import ValidationError
from ninja.parser import Parser


def nul_message() -> str:
    return _("Holds a NUL character (code 0), which text cannot hold.")


def nul_at(value: object, path: tuple = ()) -> tuple | None:
    """The path of the first text (or key) holding a NUL character in ``value``."""
    return _text_at(value, lambda text: "\x00" in text, path)


def surrogate_message() -> str:
    return _("Holds half of a character (a lone surrogate), which text cannot hold.")


def surrogate_at(value: object, path: tuple = ()) -> tuple | None:
    """The path of the first text (or key) in ``value`` holding a lone surrogate (JSON can
    write one as \\ud800; no database can store it, as UTF-8 cannot encode it)."""
    return _text_at(value, _has_surrogate, path)


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _text_at(value: object, bad, path: tuple) -> tuple | None:
    if isinstance(value, str):
        return path if bad(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _text_at(key, bad, (*path, key)) or _text_at(item, bad, (*path, key))
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _text_at(item, bad, (*path, index))
            if found is not None:
                return found
    return None


class TextParser(Parser):
    def parse_querydict(self, data: MultiValueDict, list_fields: list[str], request: HttpRequest):
        result = super().parse_querydict(data, list_fields, request)
        where = nul_at(result)
        if where is not None:
            raise ValidationError([{"loc": ("query", *where), "msg": nul_message()}])
        return result
