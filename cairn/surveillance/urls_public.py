"""URLs: the public dashboard (mounted at /public/). No sign-in; published figures only."""

from django.urls import path

from cairn.surveillance.views import public

app_name = "public"

urlpatterns = [
    path("", public.index, name="index"),
    path("<slug:code>/", public.area, name="area"),
    path("<slug:code>/table.csv", public.table_csv, name="table_csv"),
    path("<slug:code>/series.csv", public.series_csv, name="series_csv"),
]
