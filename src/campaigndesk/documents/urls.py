from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("campaigns/<int:id>/reports/", views.report_list, name="reports"),
    path("reports/<int:id>/", views.report, name="report"),
    path("reports/<int:id>/import/", views.report_import, name="report_import"),
    path("figures/<int:id>/review/", views.figure_review, name="figure_review"),
    path("campaigns/<int:id>/summary/", views.draft, name="draft"),
    path("campaigns/<int:id>/summary.docx", views.draft_docx, name="draft_docx"),
    path("campaigns/<int:id>/schedule/", views.schedule_text, name="schedule_text"),
]
