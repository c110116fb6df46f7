"""Admin (read-only): information items with their steps, attachments, leaders' comments
and adoptions; commissioned topics; assessment rules; briefings and bulletins."""

from django.contrib import admin

from campaigndesk.common.admin import ReadOnlyAdmin, ReadOnlyTabularInline

from .models import (
    Adoption,
    AssessmentRules,
    Briefing,
    BriefingItem,
    Bulletin,
    Commission,
    InfoItem,
    ItemAttachment,
    ItemTransition,
    LeaderComment,
)


class ItemTransitionInline(ReadOnlyTabularInline):
    model = ItemTransition
    fields = ["at", "step", "from_state", "to_state", "actor", "reason"]
    readonly_fields = fields
    show_change_link = False


class ItemAttachmentInline(ReadOnlyTabularInline):
    model = ItemAttachment
    fields = ["original_name", "file_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


@admin.register(InfoItem)
class InfoItemAdmin(ReadOnlyAdmin):
    list_display = ["title", "campaign", "unit", "state", "submitted_at", "quota_period_start"]
    list_filter = ["state", "false_report", "campaign"]
    search_fields = ["title", "body"]
    date_hierarchy = "submitted_at"
    list_select_related = ["campaign", "unit"]
    raw_id_fields = ["campaign", "unit", "schedule_item", "event", "commission", "created_by"]
    inlines = [ItemTransitionInline, ItemAttachmentInline]


@admin.register(ItemTransition)
class ItemTransitionAdmin(ReadOnlyAdmin):
    list_display = ["item", "step", "from_state", "to_state", "actor", "at"]
    list_filter = ["step"]
    list_select_related = ["item", "actor"]
    raw_id_fields = ["item", "actor"]


@admin.register(ItemAttachment)
class ItemAttachmentAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "item", "file_type", "size", "uploaded_at"]
    list_filter = ["file_type"]
    search_fields = ["original_name", "sha256"]
    list_select_related = ["item"]
    raw_id_fields = ["item", "uploaded_by"]


@admin.register(LeaderComment)
class LeaderCommentAdmin(ReadOnlyAdmin):
    list_display = ["leader", "item", "date", "recorded_at"]
    search_fields = ["leader", "comment"]
    list_select_related = ["item"]
    raw_id_fields = ["item", "recorded_by"]


@admin.register(Adoption)
class AdoptionAdmin(ReadOnlyAdmin):
    list_display = ["item", "outlet", "level", "date", "is_headline", "flagged_early"]
    list_filter = ["level", "is_headline", "flagged_early"]
    date_hierarchy = "date"
    list_select_related = ["item", "outlet"]
    raw_id_fields = ["item", "outlet", "recorded_by"]


@admin.register(Commission)
class CommissionAdmin(ReadOnlyAdmin):
    list_display = ["theme", "campaign", "due_date", "count_per_unit"]
    list_filter = ["campaign"]
    search_fields = ["theme", "description"]
    list_select_related = ["campaign"]
    raw_id_fields = ["campaign", "created_by"]
    filter_horizontal = ["units"]


@admin.register(AssessmentRules)
class AssessmentRulesAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "version", "valid_from", "scoring_mode", "created_at"]
    list_filter = ["campaign", "scoring_mode"]
    list_select_related = ["campaign"]
    raw_id_fields = ["campaign", "created_by"]


class BriefingItemInline(ReadOnlyTabularInline):
    model = BriefingItem
    fields = ["order", "item"]
    readonly_fields = fields
    show_change_link = False


class IssuedDocumentAdmin(ReadOnlyAdmin):
    list_display = ["title", "campaign", "office", "year", "number", "state", "issue_date"]
    list_filter = ["state", "year"]
    search_fields = ["title"]
    list_select_related = ["campaign", "office"]
    raw_id_fields = ["campaign", "office", "corrects", "issued_by", "created_by"]


@admin.register(Briefing)
class BriefingAdmin(IssuedDocumentAdmin):
    inlines = [BriefingItemInline]


@admin.register(BriefingItem)
class BriefingItemAdmin(ReadOnlyAdmin):
    list_display = ["briefing", "item", "order"]
    list_select_related = ["briefing", "item"]
    raw_id_fields = ["briefing", "item"]


@admin.register(Bulletin)
class BulletinAdmin(IssuedDocumentAdmin):
    list_display = [*IssuedDocumentAdmin.list_display, "period_start"]
    raw_id_fields = [*IssuedDocumentAdmin.raw_id_fields, "rules"]
