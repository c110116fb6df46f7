"""Admin (read-only): campaigns with their organisation, plan and targets."""

from django.contrib import admin

from campaigndesk.common.admin import ReadOnlyAdmin, ReadOnlyTabularInline

from .models import (
    Campaign,
    CampaignUnit,
    CoverageTarget,
    LeadingGroupMember,
    Phase,
    QuotaTarget,
    RateTarget,
    ScheduleItem,
    Strand,
)


class CampaignUnitInline(ReadOnlyTabularInline):
    model = CampaignUnit
    fields = ["unit", "role"]


class StrandInline(ReadOnlyTabularInline):
    model = Strand
    fields = ["order", "name", "description"]


class PhaseInline(ReadOnlyTabularInline):
    model = Phase
    fields = ["order", "name", "start_date", "end_date"]


class LeadingGroupInline(ReadOnlyTabularInline):
    model = LeadingGroupMember
    fields = ["order", "role", "person_name", "position", "unit"]


class CoverageTargetInline(ReadOnlyTabularInline):
    model = CoverageTarget
    fields = ["level", "target_count"]


class RateTargetInline(ReadOnlyTabularInline):
    model = RateTarget
    fields = ["kind", "target_percent"]


class QuotaTargetInline(ReadOnlyTabularInline):
    model = QuotaTarget
    fields = ["item_kind", "count", "period", "due_day", "description"]


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["name", "start_date", "end_date", "lead_unit", "region"]
    list_filter = ["region__level", "start_date"]
    search_fields = ["name", "slogan", "lead_unit__name", "region__name", "region__code"]
    list_select_related = ["lead_unit", "region"]
    date_hierarchy = "start_date"
    inlines = [
        CampaignUnitInline,
        StrandInline,
        PhaseInline,
        LeadingGroupInline,
        CoverageTargetInline,
        RateTargetInline,
        QuotaTargetInline,
    ]


@admin.register(CampaignUnit)
class CampaignUnitAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "unit", "role"]
    list_filter = ["role"]
    search_fields = ["campaign__name", "unit__name"]
    list_select_related = ["campaign", "unit"]


@admin.register(Strand)
class StrandAdmin(ReadOnlyAdmin):
    list_display = ["name", "campaign", "order"]
    search_fields = ["name", "campaign__name"]
    list_select_related = ["campaign"]


@admin.register(Phase)
class PhaseAdmin(ReadOnlyAdmin):
    list_display = ["name", "campaign", "start_date", "end_date"]
    search_fields = ["name", "campaign__name"]
    list_select_related = ["campaign"]


@admin.register(LeadingGroupMember)
class LeadingGroupMemberAdmin(ReadOnlyAdmin):
    list_display = ["person_name", "role", "position", "unit", "campaign"]
    list_filter = ["role"]
    search_fields = ["person_name", "position", "unit__name", "campaign__name"]
    list_select_related = ["unit", "campaign"]


@admin.register(CoverageTarget)
class CoverageTargetAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "level", "target_count"]
    list_filter = ["level"]
    search_fields = ["campaign__name"]
    list_select_related = ["campaign"]


@admin.register(RateTarget)
class RateTargetAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "kind", "target_percent"]
    list_filter = ["kind"]
    search_fields = ["campaign__name"]
    list_select_related = ["campaign"]


@admin.register(QuotaTarget)
class QuotaTargetAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "item_kind", "count", "period", "due_day"]
    list_filter = ["item_kind", "period"]
    search_fields = ["campaign__name", "description"]
    list_select_related = ["campaign"]


@admin.register(ScheduleItem)
class ScheduleItemAdmin(ReadOnlyAdmin):
    list_display = [
        "campaign",
        "seq",
        "theme",
        "window_text",
        "window_start",
        "window_end",
        "status",
    ]
    list_filter = ["status", "window_start"]
    search_fields = ["theme", "project", "window_text", "campaign__name", "responsible_units__name"]
    list_select_related = ["campaign"]
    ordering = ["campaign", "seq"]
