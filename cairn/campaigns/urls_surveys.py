"""URLs: campaigns, surveys (see cairn/campaigns/urls.py)."""

from django.urls import path

from cairn.campaigns.views import surveys

urlpatterns: list = [
    path("instruments/", surveys.instrument_list, name="instrument_list"),
    path("instruments/new/", surveys.instrument_new, name="instrument_new"),
    path(
        "instruments/from-catalogue/",
        surveys.instrument_from_catalogue,
        name="instrument_from_catalogue",
    ),
    path("instruments/<int:instrument_id>/", surveys.instrument_detail, name="instrument_detail"),
    path("instruments/<int:instrument_id>/edit/", surveys.instrument_edit, name="instrument_edit"),
    path("instruments/<int:instrument_id>/copy/", surveys.instrument_copy, name="instrument_copy"),
    path("<int:campaign_id>/surveys/new/", surveys.survey_new, name="survey_new"),
    path("surveys/<int:survey_id>/", surveys.survey_detail, name="survey_detail"),
    path("surveys/<int:survey_id>/edit/", surveys.survey_edit, name="survey_edit"),
    path("surveys/<int:survey_id>/waves/", surveys.survey_wave_add, name="survey_wave_add"),
    path(
        "surveys/<int:survey_id>/waves/<slug:wave_key>/dates/",
        surveys.survey_wave_dates,
        name="survey_wave_dates",
    ),
    path(
        "surveys/<int:survey_id>/invitations/",
        surveys.survey_invitations,
        name="survey_invitations",
    ),
    path(
        "surveys/<int:survey_id>/invitations.csv",
        surveys.survey_invitations_csv,
        name="survey_invitations_csv",
    ),
    path("surveys/<int:survey_id>/import/", surveys.survey_import, name="survey_import"),
    path(
        "surveys/<int:survey_id>/import-template.csv",
        surveys.survey_import_template,
        name="survey_import_template",
    ),
    path(
        "surveys/imports/<int:import_id>/",
        surveys.survey_import_detail,
        name="survey_import_detail",
    ),
]
