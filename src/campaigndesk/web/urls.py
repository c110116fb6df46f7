from django.urls import path, register_converter

from . import export_templates, figures, ledger_views, period_views, views


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
    path(
        "campaigns/<int:id>/ledger/<recordkind:kind>/<int:record_id>/edit/",
        ledger_views.record_edit,
        name="record_edit",
    ),
    path(
        "campaigns/<int:id>/ledger/<recordkind:kind>/<int:record_id>/delete/",
        ledger_views.record_delete,
        name="record_delete",
    ),
    path(
        "campaigns/<int:id>/ledger/<recordkind:kind>/<int:record_id>/evidence/",
        ledger_views.evidence_add,
        name="evidence_add",
    ),
    path(
        "campaigns/<int:id>/ledger/output/<int:record_id>/resolve/",
        ledger_views.duplicate_resolve,
        name="duplicate_resolve",
    ),
    path(
        "campaigns/<int:id>/evidence/<int:evidence_id>/",
        ledger_views.evidence_file,
        name="evidence_file",
    ),
    path(
        "campaigns/<int:id>/evidence/<int:evidence_id>/verify/",
        ledger_views.evidence_verify,
        name="evidence_verify",
    ),
    path("campaigns/<int:id>/figures/", figures.figures, name="figures"),
    path("campaigns/<int:id>/figures/export/", figures.figures_export, name="figures_export"),
    path("campaigns/<int:id>/locks/", period_views.lock_list, name="locks"),
    path(
        "campaigns/<int:id>/locks/<int:lock_id>/reopen/",
        period_views.lock_reopen,
        name="lock_reopen",
    ),
    path(
        "campaigns/<int:id>/import/<int:batch_id>/undo/",
        period_views.import_undo,
        name="import_undo",
    ),
    path("units/", views.unit_list, name="unit_list"),
    path("units/<int:id>/", views.unit, name="unit"),
    path("audit/", views.audit, name="audit"),
]
