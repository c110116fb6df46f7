"""Admin (read-only): published reports and the figures read out of them."""

from django.contrib import admin

from campaigndesk.common.admin import ReadOnlyAdmin

from .models import ExtractedFigure, SourceReport


@admin.register(SourceReport)
class SourceReportAdmin(ReadOnlyAdmin):
    list_display = ["title", "campaign", "original_name", "figures_truncated", "created_at"]
    list_filter = ["campaign"]
    search_fields = ["title", "original_name", "sha256"]
    list_select_related = ["campaign"]
    raw_id_fields = ["campaign", "uploaded_by"]


@admin.register(ExtractedFigure)
class ExtractedFigureAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "report", "counted", "as_of", "indicator", "status", "record"]
    list_filter = ["status"]
    list_select_related = ["report", "indicator", "record"]
    raw_id_fields = ["report", "suggested_indicator", "indicator", "record", "reviewed_by"]
