"""Pages of the outreach app."""

from django.urls import path  # noqa: F401

app_name = "outreach"

urlpatterns: list = []
