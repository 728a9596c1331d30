from django.apps import AppConfig


class OutreachConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cairn.outreach"
    verbose_name = "Community action teams and outreach"

    def ready(self) -> None:
        from cairn.cases.actions import move_on_merge
        from cairn.outreach.models import EncounterClientLink

        # An encounter's link to a person follows them when two records are merged.
        move_on_merge("encounter_links", EncounterClientLink)
