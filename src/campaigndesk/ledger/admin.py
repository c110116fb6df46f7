"""Admin (read-only): the indicator vocabulary, ledger records, evidence, locks, batches,
facts."""

from django.contrib import admin

from campaigndesk.common.admin import ReadOnlyAdmin

from .models import (
    EventRecord,
    Evidence,
    ExportTemplate,
    Fact,
    FactFirstSeen,
    FactMemberCount,
    FactPresence,
    FactSummary,
    FigureRecord,
    ImportBatch,
    ImportedUpdate,
    Indicator,
    MaterialRecord,
    MediaOutput,
    PeriodLock,
)


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "measure_word", "category", "aggregation", "is_active"]
    list_filter = ["category", "aggregation", "is_active"]
    search_fields = ["code", "name", "description"]


class RecordAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "campaign", "unit", "region", "date", "status"]
    list_filter = ["status", "campaign"]
    date_hierarchy = "date"
    list_select_related = ["campaign", "unit", "region"]
    raw_id_fields = ["campaign", "unit", "region", "schedule_item", "batch"]


@admin.register(MediaOutput)
class MediaOutputAdmin(RecordAdmin):
    list_display = [*RecordAdmin.list_display, "outlet", "kind", "views"]
    search_fields = ["title", "url"]


@admin.register(MaterialRecord)
class MaterialRecordAdmin(RecordAdmin):
    list_display = [*RecordAdmin.list_display, "kind", "quantity", "area_m2"]


@admin.register(EventRecord)
class EventRecordAdmin(RecordAdmin):
    list_display = [*RecordAdmin.list_display, "kind", "sessions", "participants"]
    search_fields = ["title", "site"]


@admin.register(FigureRecord)
class FigureRecordAdmin(RecordAdmin):
    list_display = [*RecordAdmin.list_display, "indicator", "value", "approx"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = [
        "original_name",
        "record_kind",
        "record_id",
        "kind",
        "uploaded_at",
        "verified_at",
    ]


@admin.register(PeriodLock)
class PeriodLockAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "start", "end", "locked_at", "reopened_at"]


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ["filename", "campaign", "kind", "row_count", "created_at", "undone_at"]


@admin.register(Fact)
class FactAdmin(ReadOnlyAdmin):
    list_display = ["indicator", "value", "approx_rank", "date", "region_path", "kind"]
    list_select_related = ["indicator"]


@admin.register(FactSummary)
class FactSummaryAdmin(ReadOnlyAdmin):
    list_display = ["indicator", "region_path", "bucket", "total", "approx_rank", "parts"]
    list_select_related = ["indicator"]


@admin.register(FactPresence)
class FactPresenceAdmin(ReadOnlyAdmin):
    list_display = ["region_path", "bucket", "member_kind", "member"]


@admin.register(FactFirstSeen)
class FactFirstSeenAdmin(ReadOnlyAdmin):
    list_display = ["region_path", "member_kind", "member", "first_bucket"]


@admin.register(FactMemberCount)
class FactMemberCountAdmin(ReadOnlyAdmin):
    list_display = ["region_path", "grain", "period", "member_kind", "members"]


@admin.register(ImportedUpdate)
class ImportedUpdateAdmin(ReadOnlyAdmin):
    list_display = ["batch", "record_kind", "record_id", "written_at"]


@admin.register(ExportTemplate)
class ExportTemplateAdmin(ReadOnlyAdmin):
    list_display = ["name", "filename", "campaign", "office_unit"]
    exclude = ["workbook"]  # binary: not shown
