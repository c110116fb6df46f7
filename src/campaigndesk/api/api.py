"""The typed JSON API (django-ninja, docs at /api/v1/docs, schema at /api/openapi.json) over
the same services and selectors as the pages. Domain errors become HTTP answers here, in one
place."""

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import django_auth

from campaigndesk.common.errors import (
    DomainError,
    FieldError,
    Forbidden,
    ImportRejected,
    NotFound,
)

from . import (
    accounts,
    campaigns,
    collection,
    documents,
    export_templates,
    imports,
    indicators,
    ledger,
    notifications,
    records,
    regions,
    reporting,
    rollups,
    units,
)
from .auth import BearerToken, TokenRejected, signed_in, token_message, unauthorized
from .parser import TextParser
from .refs import InvalidInput
from .validation import error_message


class CampaignDeskAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        # Short, stable ids for generated clients: the view's name (unique in this API).
        return operation.view_func.__name__


api = CampaignDeskAPI(
    title="Campaign Desk API",
    version="1",
    description=(
        "Machine clients send `Authorization: Bearer <token>` (created with "
        "`campaigndesk token create USERNAME --name NAME`) and need no CSRF token. Browsers "
        "use their session login (the same as the pages) with the CSRF token on every write. "
        "Every answer is scoped to the token's or the signed-in user, as the pages are. "
        "Errors are JSON: `detail`, and for bad input `errors` naming each field."
    ),
    urls_namespace="api",
    # A bearer token first: a client that sends one is judged by it alone.
    auth=[BearerToken(), django_auth],
    # The docs and schema are for people (or clients) who can sign in to use them.
    docs_decorator=signed_in,
    parser=TextParser(),
)

api.add_router("", accounts.router)
api.add_router("", regions.router)
api.add_router("", units.router)
api.add_router("", campaigns.router)
api.add_router("", indicators.router)
api.add_router("", records.router)
api.add_router("", rollups.router)
api.add_router("", ledger.router)
api.add_router("", imports.router)
api.add_router("", export_templates.router)
api.add_router("", collection.router)
api.add_router("", documents.router)
api.add_router("", reporting.router)
api.add_router("", notifications.router)


@signed_in
def openapi_schema(request: HttpRequest) -> HttpResponse:
    """The same OpenAPI document as /api/v1/openapi.json, at the address the issue names."""
    return api.create_response(request, api.get_openapi_schema(), status=200)


def _error(request: HttpRequest, status: int, detail: str, errors=None) -> HttpResponse:
    body: dict = {"detail": detail}
    if errors is not None:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


@api.exception_handler(NotFound)
def _not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    return _error(request, 404, str(exc))


@api.exception_handler(Forbidden)
def _forbidden(request: HttpRequest, exc: Forbidden) -> HttpResponse:
    return _error(request, 403, str(exc))


@api.exception_handler(ImportRejected)
def _import_rejected(request: HttpRequest, exc: ImportRejected) -> HttpResponse:
    return _error(request, 422, str(exc), [e.as_dict() for e in exc.errors])


@api.exception_handler(InvalidInput)
def _invalid_input(request: HttpRequest, exc: InvalidInput) -> HttpResponse:
    return _error(request, 422, str(exc), [e.as_dict() for e in exc.errors])


@api.exception_handler(FieldError)
def _field_error(request: HttpRequest, exc: FieldError) -> HttpResponse:
    return _error(request, 422, str(exc), [{"row": None, "field": exc.field, "message": str(exc)}])


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, 400, str(exc))


@api.exception_handler(RequestDataTooBig)
def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    # Raised while the body is read (DATA_UPLOAD_MAX_MEMORY_SIZE): answered in JSON like
    # every other error, not with Django's HTML page.
    return _error(request, 413, _("The request is too large."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja raises one when the body does not parse (400) and when a browser's write lacks
    # its CSRF token (403); said in the reader's language, as every other error is.
    if exc.status_code == 400:
        detail = _("The body is not valid JSON.")
        return _error(request, 400, detail, [{"row": None, "field": "", "message": detail}])
    if exc.status_code == 403:
        return _error(
            request, 403, _("The CSRF token is missing or wrong: reload the page and try again.")
        )
    return _error(request, exc.status_code, str(exc))


@api.exception_handler(TokenRejected)
def _token_rejected(request: HttpRequest, exc: TokenRejected) -> HttpResponse:
    return unauthorized(token_message())


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return _error(request, 401, _("Please sign in."))


def _field_name(loc: tuple) -> str:
    # ("body", "payload", "name") -> "name"; ("query", "kind") -> "kind".
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[2:] if len(parts) > 2 else parts[1:]
    else:
        parts = parts[1:]
    return ".".join(parts)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"row": None, "field": _field_name(tuple(e.get("loc", ()))), "message": error_message(e)}
        for e in exc.errors
    ]
    summary = "; ".join(
        f"{e['field']}: {e['message']}" if e["field"] else e["message"] for e in errors
    )
    return _error(
        request, 422, _("The request is not valid: %(summary)s") % {"summary": summary}, errors
    )
