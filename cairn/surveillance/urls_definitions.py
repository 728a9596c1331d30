"""Case definitions and an event's page; included at "surveillance/"."""

from django.urls import path

from cairn.surveillance.views import definitions as views

app_name = "definitions"

urlpatterns = [
    path("definitions/", views.definition_list, name="definition_list"),
    path(
        "definitions/reclassification/<int:job_id>/",
        views.reclassification_progress,
        name="reclassification_progress",
    ),
    path("definitions/<slug:slug>/", views.definition_detail, name="definition_detail"),
    path("definitions/<slug:slug>/edit/", views.definition_edit, name="definition_edit"),
    path("events/<int:event_id>/", views.event_detail, name="event_detail"),
]
