"""Pages of the outreach app, under /teams/ (namespace "outreach").

Team workspace pages are here; encounter pages ("enc") are in urls_encounters.py, included
at the same root so every name is outreach:<name>.
"""

from django.urls import include, path

app_name = "outreach"

urlpatterns: list = [
    path("", include("cairn.outreach.urls_encounters")),
]
