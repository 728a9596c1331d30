"""Public survey pages: no sign-in; an invitation token decides (see cairn/campaigns/surveys)."""

from django.urls import path

from cairn.campaigns.views import public

app_name = "survey"
urlpatterns: list = [
    path("<str:token>/", public.answer, name="answer"),
]
