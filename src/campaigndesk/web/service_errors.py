"""How the pages answer a service's DomainError: a record gone or out of sight is a 404,
a refusal a 403 (both raised here); anything else is the user's to correct, shown on the
form's field it names."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from campaigndesk.common.errors import DomainError, Forbidden, NotFound


def raise_if_refused(error: DomainError) -> None:
    """Raise Http404 for NotFound and PermissionDenied for Forbidden; return otherwise."""
    if isinstance(error, NotFound):
        raise Http404() from None
    if isinstance(error, Forbidden):
        raise PermissionDenied(str(error)) from None


def add_service_error(form, error: DomainError) -> None:
    """Show ``error`` on the field it names (on the form as a whole otherwise)."""
    field = getattr(error, "field", None)
    form.add_error(field if field in form.fields else None, str(error))
