"""URL map: pages, the JSON API, the admin, health."""

from django.contrib import admin
from django.urls import include, path

from campaigndesk.api.api import api, openapi_schema
from campaigndesk.web import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("campaigndesk.accounts.urls")),
    path("api/openapi.json", openapi_schema, name="openapi-schema"),
    path("api/v1/", api.urls),
    path("collection/", include("campaigndesk.collection.urls")),
    path("documents/", include("campaigndesk.documents.urls")),
    path("notifications/", include("campaigndesk.notifications.urls")),
    path("reporting/", include("campaigndesk.reporting.urls")),
    path("", include("campaigndesk.web.urls")),
]
