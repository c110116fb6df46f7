"""Ids and codes named in a request turned into objects the actor may see. A reference the
actor cannot resolve is bad input (422, naming the field), the same for missing and hidden."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from campaigndesk.common.errors import DomainError, NotFound, RowError
from campaigndesk.regions import selectors as region_selectors
from campaigndesk.regions.models import Region, Unit

MAX_ID = 2**63 - 1  # ids are 64-bit (DEFAULT_AUTO_FIELD)


class InvalidInput(DomainError):
    """One or more fields of a request name something unknown; answered with 422."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors), code="invalid_input")


def region_ref(code: str, *, field: str) -> Region:
    try:
        return region_selectors.region_by_code(code=code)
    except NotFound:
        raise InvalidInput(
            [RowError(None, field, _("Unknown region code: %(code)s") % {"code": code})]
        ) from None


def unit_ref(actor, id: int, *, field: str) -> Unit:
    return units_ref(actor, [id], field=field)[0]


def units_ref(actor, ids: Iterable[int], *, field: str) -> list[Unit]:
    """The units in the order named; every unknown id is reported at once."""
    ids = list(dict.fromkeys(ids))
    # Only ids a database id can be: a larger one would not fit the query's parameter.
    possible = [i for i in ids if 0 < i <= MAX_ID]
    found = {u.pk: u for u in region_selectors.unit_list(actor=actor).filter(pk__in=possible)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise InvalidInput(
            [RowError(None, field, _("Unknown unit: %(id)s") % {"id": i}) for i in missing]
        )
    return [found[i] for i in ids]
