"""Pages for sending reports to Cairn: first-responder quick entry."""

from django.urls import path

from cairn.surveillance.views import quick_entry

app_name = "intake"

urlpatterns = [
    path("overdose/", quick_entry.report_overdose, name="overdose_report"),
    path("overdose/sent/<str:report_id>/", quick_entry.report_sent, name="overdose_sent"),
]
