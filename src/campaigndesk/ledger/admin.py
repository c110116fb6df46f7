"""Admin (read-only): the indicator vocabulary."""

from django.contrib import admin

from campaigndesk.common.admin import ReadOnlyAdmin

from .models import Indicator


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "measure_word", "category", "aggregation", "is_active"]
    list_filter = ["category", "aggregation", "is_active"]
    search_fields = ["code", "name", "description"]
