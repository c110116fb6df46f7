from django.urls import path

from . import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("campaigns/<int:id>/", views.campaign, name="campaign"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/<int:id>/", views.unit, name="unit"),
    path("audit/", views.audit, name="audit"),
]
