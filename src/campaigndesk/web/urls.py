from django.urls import path, register_converter

from . import export_templates, ledger_views, views


class RecordKindConverter:
    """output, material, event or figure (the ledger's record kinds)."""

    regex = "output|material|event|figure"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class FormatConverter:
    regex = "csv|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(RecordKindConverter, "recordkind")
register_converter(FormatConverter, "fileformat")

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("entry/", ledger_views.entry, name="entry"),
    path("campaigns/<int:id>/", views.campaign, name="campaign"),
    path("campaigns/<int:id>/schedule/", views.timeline, name="timeline"),
    path("campaigns/<int:id>/ledger/<recordkind:kind>/", ledger_views.record_list, name="ledger"),
    path(
        "campaigns/<int:id>/ledger/<recordkind:kind>/new/",
        ledger_views.record_new,
        name="record_new",
    ),
    path(
        "campaigns/<int:id>/ledger/<recordkind:kind>/export/",
        ledger_views.record_export,
        name="ledger_export",
    ),
    path(
        "campaigns/<int:id>/ledger/<recordkind:kind>/<int:record_id>/",
        ledger_views.record_detail,
        name="record",
    ),
    path("campaigns/<int:id>/import/", ledger_views.record_import, name="import"),
    path(
        "campaigns/<int:id>/import/template/<recordkind:kind>.<fileformat:format>",
        ledger_views.import_template,
        name="import_template",
    ),
    path(
        "campaigns/<int:id>/export-templates/",
        export_templates.template_list,
        name="export_templates",
    ),
    path(
        "campaigns/<int:id>/export-templates/new/",
        export_templates.template_new,
        name="export_template_new",
    ),
    path(
        "campaigns/<int:id>/export-templates/<int:template_id>/",
        export_templates.template_edit,
        name="export_template_edit",
    ),
    path(
        "campaigns/<int:id>/export-templates/<int:template_id>/fill/",
        export_templates.template_fill,
        name="export_template_fill",
    ),
    path(
        "campaigns/<int:id>/export-templates/<int:template_id>/delete/",
        export_templates.template_delete,
        name="export_template_delete",
    ),
    path("units/", views.unit_list, name="unit_list"),
    path("units/<int:id>/", views.unit, name="unit"),
    path("audit/", views.audit, name="audit"),
]
