from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cairn.referrals"
    verbose_name = "Closed-loop referrals"

    def ready(self) -> None:
        from cairn.cases.actions import move_on_merge
        from cairn.referrals.models import Referral

        # A closed-loop referral follows its person when two records are merged.
        move_on_merge("closed_loop_referrals", Referral)
