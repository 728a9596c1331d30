from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "cairn.access"
    label = "access"
