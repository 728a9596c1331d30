from django.apps import AppConfig


class GeographyConfig(AppConfig):
    name = "cairn.geography"
    label = "geography"
