"""URLs: campaigns, evaluation (see cairn/campaigns/urls.py)."""

from django.urls import path

from cairn.campaigns.views import evaluation

urlpatterns: list = [
    path(
        "surveys/<int:survey_id>/results/",
        evaluation.survey_results,
        name="survey_results",
    ),
    path(
        "surveys/<int:survey_id>/results.csv",
        evaluation.survey_results_csv,
        name="survey_results_csv",
    ),
    path("<int:campaign_id>/reach/", evaluation.campaign_reach, name="campaign_reach"),
    path("<int:campaign_id>/reach/import/", evaluation.reach_import, name="reach_import"),
    path("<int:campaign_id>/reach/record/", evaluation.reach_record, name="reach_record"),
    path("reach/template.csv", evaluation.reach_template, name="reach_template"),
]
