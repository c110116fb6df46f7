"""Admin (read-only): users with their roles, office settings, the audit trail."""

from django.contrib import admin
from django.contrib.auth.models import Group

from campaigndesk.common.admin import ReadOnlyAdmin, ReadOnlyTabularInline

from .models import ApiToken, AuditEntry, OfficeSettings, RoleGrant, User

# Roles are RoleGrant rows, not Django groups; an editable Group page would be a way round
# the read-only admin that nothing in Campaign Desk reads.
admin.site.unregister(Group)


class RoleGrantInline(ReadOnlyTabularInline):
    model = RoleGrant
    fields = ["role", "granted_at"]
    readonly_fields = ["granted_at"]
    show_change_link = False


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = [
        "username",
        "full_name",
        "unit",
        "roles",
        "is_active",
        "must_change_password",
        "last_login",
    ]
    list_filter = ["is_active", "is_staff", "must_change_password", "role_grants__role"]
    search_fields = ["username", "full_name", "unit__name", "phone"]
    list_select_related = ["unit"]
    # Never the password hash.
    fields = [
        "username",
        "full_name",
        "phone",
        "unit",
        "language",
        "is_active",
        "is_staff",
        "is_superuser",
        "must_change_password",
        "last_login",
        "date_joined",
    ]
    inlines = [RoleGrantInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("role_grants")

    @admin.display(description=RoleGrant._meta.get_field("role").verbose_name)
    def roles(self, obj: User) -> str:
        return ", ".join(grant.get_role_display() for grant in obj.role_grants.all())


@admin.register(RoleGrant)
class RoleGrantAdmin(ReadOnlyAdmin):
    list_display = ["user", "role", "granted_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name"]
    list_select_related = ["user"]


@admin.register(OfficeSettings)
class OfficeSettingsAdmin(ReadOnlyAdmin):
    list_display = ["unit", "allow_same_person_multiple_review_steps"]
    list_filter = ["allow_same_person_multiple_review_steps"]
    search_fields = ["unit__name"]
    list_select_related = ["unit"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "action", "outcome", "object_repr", "region_path"]
    list_filter = ["outcome", "object_type"]
    search_fields = ["action", "actor_label", "object_repr", "object_id", "region_path"]
    date_hierarchy = "at"


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = [
        "name",
        "user",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    list_select_related = ["user"]
    # Never the hash: it is all a stolen database would need to check a guessed secret.
    fields = ["user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
