from django.apps import AppConfig


class OutreachConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cairn.outreach"
    verbose_name = "Community action teams and outreach"
