"""Who is calling: a machine client with "Authorization: Bearer <token>" (no CSRF, nothing
in the browser to forge), or a browser with its session and the CSRF token on writes."""

import functools
from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from campaigndesk.accounts.tokens import api_token_user


class TokenRejected(AuthenticationError):
    """A bearer token was presented but is unknown, revoked or expired."""


def token_message() -> str:
    return _("The API token is unknown, revoked or expired.")


def _bearer_secret(request: HttpRequest) -> str | None:
    """The secret of an "Authorization: Bearer ..." header, "" for a malformed one, None
    when the request carries no bearer header at all."""
    value = request.headers.get("Authorization")
    if not value:
        return None
    scheme, _sep, secret = value.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return secret.strip()


def token_user(request: HttpRequest):
    """The user of the request's bearer token; None without one; TokenRejected for a bad
    one (the session is then not consulted: a client that sends a token means it)."""
    secret = _bearer_secret(request)
    if secret is None:
        return None
    user = api_token_user(secret=secret)
    if user is None:
        raise TokenRejected()
    if user.language:
        translation.activate(user.language)
        request.LANGUAGE_CODE = translation.get_language()
    return user


class BearerToken(HttpBearer):
    """Token auth for machine clients; the token acts with its user's scope."""

    def __call__(self, request: HttpRequest):
        return token_user(request)

    def authenticate(self, request: HttpRequest, token: str):  # pragma: no cover - unused
        return token_user(request)


def signed_in(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For the docs and the schema: a valid bearer token (a bad one: 401) or a session
    login (none: the login page)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        # As in the API: a bearer token, when sent, decides alone.
        try:
            user = token_user(request)
        except TokenRejected:
            return unauthorized(token_message())
        if user is None and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def unauthorized(detail: str) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response
