"""CSV upload and the quarantine; included at "intake/"."""

from django.urls import path

from cairn.surveillance.views import intake_admin as views

app_name = "quarantine"

urlpatterns = [
    path("csv/", views.csv_import_page, name="csv_import"),
    path("quarantine/", views.quarantine_list, name="list"),
    path("quarantine/<int:pk>/", views.quarantine_detail, name="detail"),
    path("quarantine/<int:pk>/reprocess/", views.quarantine_reprocess, name="reprocess"),
    path("quarantine/<int:pk>/discard/", views.quarantine_discard, name="discard"),
]
