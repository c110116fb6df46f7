"""Read-only Django admin: the admin is for inspection; every domain write goes through the
services (with their checks and audit trail), so the admin offers none."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from campaigndesk.accounts.scoping import is_admin

admin.site.site_header = _("Campaign Desk administration")
admin.site.site_title = _("Campaign Desk")
admin.site.index_title = _("Records (read-only: changes are made in the application)")


class ReadOnlyAdminMixin:
    """No add, change or delete: the rows can be listed and opened, nothing else.

    Holders of the administrator role may read everything anyway (see accounts.scoping),
    so they may open every page here without Django model permissions (the admin site still
    requires ``is_staff`` to let anyone in).
    """

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return is_admin(request.user) or super().has_view_permission(request, obj)

    def has_module_permission(self, request) -> bool:
        return is_admin(request.user) or super().has_module_permission(request)


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_per_page = 50
    show_full_result_count = False  # a count(*) over a province is slow and rarely needed


class ReadOnlyTabularInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    show_change_link = True
