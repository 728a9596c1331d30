"""Acute overdose risk assessments and the versioned instruments they use.

The instrument is data (`cairn/cases/instruments/*.json`), loaded into
`RiskInstrument` rows; a version, once loaded, never changes, so every assessment
can be shown again exactly as it was scored. Each assessment keeps its answers and
the scored lines (points, reason, evidence) as they were at the time.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from cairn.cases.models.clients import Client
from cairn.cases.models.episodes import OverdoseEpisode


class RiskTier(models.TextChoices):
    LOW = "low", "Lower"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"
    HIGHEST = "highest", "Highest"


class RiskInstrument(models.Model):
    key = models.CharField(max_length=60)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    definition = models.JSONField(help_text="The shipped definition, exactly as loaded.")
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the definition.")
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["key", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="risk_instrument_version")
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class RiskAssessment(models.Model):
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="risk_assessments")
    episode = models.ForeignKey(
        OverdoseEpisode,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risk_assessments",
    )
    instrument = models.ForeignKey(RiskInstrument, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(default=dict, help_text="{item key: option key}.")
    lines = models.JSONField(default=list, help_text="The scored lines, as shown at the time.")
    total_points = models.IntegerField()
    points_tier = models.CharField(max_length=20, choices=RiskTier.choices)
    tier = models.CharField(max_length=20, choices=RiskTier.choices)
    raised_by = models.JSONField(default=list, help_text="Items that set a minimum tier.")
    unanswered = models.JSONField(default=list)
    note = models.TextField(blank=True)
    assessed_at = models.DateTimeField(default=timezone.now)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assessed_by_username = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-assessed_at", "-pk"]
        indexes = [models.Index(fields=["client", "assessed_at"], name="risk_assessment_client")]

    def __str__(self) -> str:
        return f"Risk assessment {self.pk} of client {self.client_id}"
