"""The typed JSON API (django-ninja, OpenAPI at /api/v1/docs) over the same services and
selectors as the pages."""

from ninja import NinjaAPI
from ninja.security import django_auth

api = NinjaAPI(
    title="Campaign Desk API",
    version="1",
    urls_namespace="api",
    auth=django_auth,
)
