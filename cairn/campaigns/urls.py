"""The Campaigns area under /campaigns/, one namespace, one URL file per part."""

from cairn.campaigns import urls_evaluation, urls_language, urls_plan, urls_report, urls_surveys

app_name = "campaigns"
urlpatterns = [
    *urls_plan.urlpatterns,
    *urls_language.urlpatterns,
    *urls_surveys.urlpatterns,
    *urls_evaluation.urlpatterns,
    *urls_report.urlpatterns,
]
