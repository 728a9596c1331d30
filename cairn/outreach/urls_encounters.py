"""Pages of outreach encounters (owned by "enc"); included by cairn/outreach/urls.py under
/teams/ in the "outreach" namespace, so names are outreach:<name>."""

from django.urls import path

from cairn.outreach.views import encounters as views

urlpatterns: list = [
    path("<slug:slug>/encounters/", views.encounter_list, name="encounter_list"),
    path("<slug:slug>/encounters/new/", views.encounter_new, name="encounter_new"),
    path(
        "<slug:slug>/encounters/<int:encounter_id>/recorded/",
        views.encounter_recorded,
        name="encounter_recorded",
    ),
    path(
        "<slug:slug>/encounters/<int:encounter_id>/edit/",
        views.encounter_edit,
        name="encounter_edit",
    ),
    path(
        "<slug:slug>/encounters/<int:encounter_id>/void/",
        views.encounter_void,
        name="encounter_void",
    ),
    path(
        "<slug:slug>/encounters/<int:encounter_id>/link/",
        views.encounter_link,
        name="encounter_link",
    ),
    path(
        "<slug:slug>/encounters/<int:encounter_id>/unlink/",
        views.encounter_unlink,
        name="encounter_unlink",
    ),
    path(
        "<slug:slug>/encounters/indicators/",
        views.encounter_indicators,
        name="encounter_indicators",
    ),
    path(
        "<slug:slug>/encounters/indicators.csv",
        views.encounter_indicators_csv,
        name="encounter_indicators_csv",
    ),
]
