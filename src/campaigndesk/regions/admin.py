"""Admin (read-only): regions, units with their aliases, outlets."""

from django.contrib import admin

from campaigndesk.common.admin import ReadOnlyAdmin, ReadOnlyTabularInline

from .models import Outlet, Region, Unit, UnitAlias


@admin.register(Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "level", "parent", "path"]
    list_filter = ["level"]
    search_fields = ["code", "name", "path"]
    list_select_related = ["parent"]


class UnitAliasInline(ReadOnlyTabularInline):
    model = UnitAlias
    fields = ["alias"]
    show_change_link = False


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "region", "parent", "is_active"]
    list_filter = ["kind", "is_active", "region__level"]
    search_fields = ["name", "name_key", "region__name", "region__code", "aliases__alias"]
    list_select_related = ["region", "parent"]
    inlines = [UnitAliasInline]


@admin.register(UnitAlias)
class UnitAliasAdmin(ReadOnlyAdmin):
    list_display = ["alias", "unit"]
    search_fields = ["alias", "alias_key", "unit__name"]
    list_select_related = ["unit"]


@admin.register(Outlet)
class OutletAdmin(ReadOnlyAdmin):
    list_display = ["name", "channel", "level", "region", "unit"]
    list_filter = ["channel", "level"]
    search_fields = ["name", "name_key", "unit__name"]
    list_select_related = ["region", "unit"]
