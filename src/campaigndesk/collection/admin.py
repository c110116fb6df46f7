"""Admin (read-only): collection tasks, rounds, submissions and their values."""

from django.contrib import admin

from campaigndesk.common.admin import ReadOnlyAdmin, ReadOnlyTabularInline

from .models import CollectionRound, CollectionTask, Submission, SubmissionValue, TaskUnit


class TaskUnitInline(ReadOnlyTabularInline):
    model = TaskUnit
    fields = ["unit", "added_at"]
    raw_id_fields = ["unit"]
    extra = 0


@admin.register(CollectionTask)
class CollectionTaskAdmin(ReadOnlyAdmin):
    list_display = ["title", "campaign", "region", "recurrence", "first_period_start", "is_active"]
    list_filter = ["recurrence", "is_active"]
    search_fields = ["title"]
    list_select_related = ["campaign", "region"]
    raw_id_fields = ["campaign", "region", "created_by"]
    filter_horizontal = ["indicators"]
    inlines = [TaskUnitInline]


@admin.register(CollectionRound)
class CollectionRoundAdmin(ReadOnlyAdmin):
    list_display = ["task", "period_start", "period_end", "due_at"]
    date_hierarchy = "period_start"
    list_select_related = ["task"]
    raw_id_fields = ["task"]


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["unit", "round", "submitted_at", "is_late", "revision"]
    list_filter = ["is_late"]
    list_select_related = ["unit", "round__task"]
    raw_id_fields = ["round", "unit", "submitted_by"]


@admin.register(SubmissionValue)
class SubmissionValueAdmin(ReadOnlyAdmin):
    list_display = ["submission", "indicator", "value", "approx", "figure"]
    list_select_related = ["submission__unit", "submission__round__task", "indicator"]
    raw_id_fields = ["submission", "indicator", "figure"]


@admin.register(TaskUnit)
class TaskUnitAdmin(ReadOnlyAdmin):
    list_display = ["task", "unit", "added_at"]
    list_select_related = ["task", "unit"]
    raw_id_fields = ["task", "unit"]
