"""URLs: campaigns, report: outcome series and the campaign report (see cairn/campaigns/urls.py)."""

from django.urls import path

from cairn.campaigns.views import report

urlpatterns: list = [
    path(
        "<int:campaign_id>/outcomes/",
        report.campaign_outcomes_view,
        name="campaign_outcomes",
    ),
    path("<int:campaign_id>/report/", report.campaign_report_view, name="campaign_report"),
    path(
        "<int:campaign_id>/report.pdf",
        report.campaign_report_pdf_view,
        name="campaign_report_pdf",
    ),
]
