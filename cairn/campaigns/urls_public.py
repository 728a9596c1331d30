"""Public survey pages: no sign-in; an invitation token decides (see cairn/campaigns/surveys)."""

from django.urls import path

from cairn.campaigns.views import public

app_name = "survey"
urlpatterns: list = [
    path("open/<str:key>/", public.open_link, name="open"),
    path("<str:token>/", public.answer, name="answer"),
]
