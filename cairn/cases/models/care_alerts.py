"""Care alerts: an in-app inbox for the care team of an organization holding a case.

An alert says that something needs the team's attention for one person — a follow-up
or a plan action is overdue, a person stopped or missed doses of opioid agonist
treatment. Each alert carries the key of what raised it (`source_key`), unique, so
raising the same alert twice (a scheduler running twice, a retried request) records
it once. The text carries no names: the link opens the record through the audited
choke point.
"""

from django.db import models
from django.utils import timezone

from cairn.access.models import Organization
from cairn.cases.models.clients import Client


class CareAlertKind(models.TextChoices):
    FOLLOW_UP_OVERDUE = "follow_up_overdue", "Follow-up overdue"
    ACTION_OVERDUE = "action_overdue", "Care-plan action overdue"
    OAT_STOPPED = "oat_stopped", "Opioid agonist treatment stopped"
    OAT_MISSED_DOSES = "oat_missed_doses", "Opioid agonist treatment doses missed"
    OTHER = "other", "Other"


class CareAlert(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="care_alerts")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="care_alerts"
    )
    kind = models.CharField(max_length=30, choices=CareAlertKind.choices)
    text = models.CharField(max_length=300)
    link = models.CharField(max_length=300, blank=True)
    source_key = models.CharField(
        max_length=200, unique=True, help_text="What raised it; the same key is raised once."
    )
    raised_at = models.DateTimeField(default=timezone.now)
    raised_by = models.CharField(max_length=150)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-raised_at", "-pk"]
        indexes = [
            models.Index(fields=["organization", "acknowledged_at"], name="care_alert_inbox"),
            models.Index(fields=["client", "raised_at"], name="care_alert_client"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None
