"""Notifications in the (read-only) admin."""

from django.contrib import admin

from campaigndesk.common.admin import ReadOnlyAdmin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("user", "kind", "message", "created_at", "read_at", "emailed_at")
    list_filter = ("kind",)
    search_fields = ("message", "user__username")
    raw_id_fields = ("user",)
