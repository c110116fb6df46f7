"""Errors the API's views never see, answered in JSON like the rest: a path under /api/
that names no endpoint (404), and a method an endpoint does not take (405; ninja answers
it in plain text)."""

import json

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

API_PREFIX = "/api/"


class ApiErrorsAsJsonMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code not in (404, 405):
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response  # (the API's own answer: a record not found)
        if response.status_code == 404:
            detail = _("There is no such address in the API.")
        else:
            detail = _("This method is not allowed here.")
        answer = HttpResponse(
            json.dumps({"detail": detail}, ensure_ascii=False),
            status=response.status_code,
            content_type="application/json; charset=utf-8",
        )
        if response.has_header("Allow"):
            answer["Allow"] = response["Allow"]
        return answer
