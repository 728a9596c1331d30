"""URLs: ranking."""

from django.urls import path  # noqa: F401

app_name = "ranking"

urlpatterns: list = []
