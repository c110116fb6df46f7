"""Domain errors raised by services and selectors, with messages fit for a user."""

from dataclasses import dataclass

from django.utils.translation import gettext as _


class DomainError(Exception):
    """A rule of the work was broken; the message can be shown to the user as is."""

    def __init__(self, message: str = "", *, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return str(self.message)


class FieldError(DomainError):
    """A value of one field is wrong; ``field`` names it (for forms, imports and the API)."""

    def __init__(self, field: str, message: str):
        super().__init__(message, code="invalid_field")
        self.field = field


class NotFound(DomainError):
    """The object does not exist or the actor may not see it (the same answer for both)."""

    def __init__(self, message: str = ""):
        super().__init__(message or _("Not found."), code="not_found")


class Forbidden(DomainError):
    """The actor may see the object but may not do this to it."""

    def __init__(self, message: str = ""):
        super().__init__(message or _("You are not allowed to do this."), code="forbidden")


@dataclass(frozen=True)
class RowError:
    """One problem in one row of an import: row number (1-based, header is row 1), field."""

    row: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = _("row %(row)s") % {"row": self.row} if self.row is not None else ""
        parts = [p for p in (where, self.field) if p]
        return f"{', '.join(parts)}: {self.message}" if parts else self.message

    def as_dict(self) -> dict:
        return {"row": self.row, "field": self.field, "message": str(self.message)}


class ImportRejected(DomainError):
    """An import had bad rows; every bad row is listed (at most so many, then a line
    saying how many more) and nothing was written. ``total`` counts the problems: the
    lines that only explain (how many more, which columns there are) are not problems."""

    def __init__(self, errors: list[RowError], *, total: int | None = None):
        self.errors = errors
        self.total = len(errors) if total is None else total
        summary = "; ".join(str(e) for e in errors[:20])
        more = self.total - min(20, self.total)
        if more > 0:
            summary += " " + _("(and %(n)s more)") % {"n": more}
        super().__init__(
            _("Nothing was imported: %(summary)s") % {"summary": summary}, code="import_rejected"
        )
