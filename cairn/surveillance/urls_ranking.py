"""URLs: the ranking of high-overdose communities; mounted at /surveillance/ranking/."""

from django.urls import path

from cairn.surveillance.views import ranking as views

app_name = "ranking"

urlpatterns = [
    path("", views.ranking_page, name="ranking"),
    path("ranking.csv", views.ranking_csv_export, name="ranking_csv"),
    path("ranking.pdf", views.ranking_pdf_export, name="ranking_pdf"),
]
