"""Request middleware: the user's chosen language, and the forced change of an initial
password before anything else can be done."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

Handler = Callable[[HttpRequest], HttpResponse]


class UserLanguageMiddleware:
    """Use the language saved on the user's profile (runs before LocaleMiddleware, which
    then honours the cookie this sets for the session)."""

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user and user.is_authenticated else ""
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return None


class ForcePasswordChangeMiddleware:
    """Send a user whose password was set by someone else to the change-password page."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz")

    def __init__(self, get_response: Handler):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not request.path.startswith(self.ALLOWED_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                return HttpResponse(
                    status=403,
                    content=b'{"detail": "password change required"}',
                    content_type="application/json",
                )
            return redirect(reverse("password_change"))
        return self.get_response(request)
