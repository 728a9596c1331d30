"""URLs: surveillance dashboards for signed-in members (mounted at /surveillance/dashboard/)."""

from django.urls import path

from cairn.surveillance.views import dashboards

app_name = "dashboards"

urlpatterns = [
    path("", dashboards.index, name="index"),
    path("<slug:code>/", dashboards.area, name="area"),
    path("<slug:code>/table.csv", dashboards.table_csv, name="table_csv"),
    path("<slug:code>/series.csv", dashboards.series_csv, name="series_csv"),
]
