from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cairn.referrals"
    verbose_name = "Closed-loop referrals"
