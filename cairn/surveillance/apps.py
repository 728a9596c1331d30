from django.apps import AppConfig


class SurveillanceConfig(AppConfig):
    name = "cairn.surveillance"
    label = "surveillance"
