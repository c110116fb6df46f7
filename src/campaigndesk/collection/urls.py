from django.urls import path

from . import views

app_name = "collection"

urlpatterns = [
    path("campaigns/<int:campaign_id>/tasks/", views.task_list, name="tasks"),
    path("campaigns/<int:campaign_id>/tasks/new/", views.task_create, name="task_create"),
    path("tasks/<int:id>/", views.task, name="task"),
    path("tasks/<int:id>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:id>/active/", views.task_active, name="task_active"),
    path("tasks/<int:id>/delete/", views.task_delete, name="task_delete"),
    path("rounds/<int:id>/", views.round_status, name="round"),
    path("rounds/<int:id>/units/<int:unit_id>/", views.fill, name="fill"),
    path("forms/", views.my_forms, name="my_forms"),
]
