"""Overdose episodes and the surveillance records they came from.

The link to surveillance lives here: cases may import surveillance, never the
reverse (an ED visit does not know it became a case).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from cairn.access.models import Organization
from cairn.cases.models.clients import Client
from cairn.geography.models import Jurisdiction
from cairn.surveillance.models import Event


class EpisodeOrigin(models.TextChoices):
    ED_VISIT = "ed_visit", "Emergency department visit"
    PARAMEDIC_REPORT = "paramedic_report", "Paramedic report"
    ENTERED = "entered", "Entered by the care team"


class EpisodeStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class OverdoseEpisode(models.Model):
    """One overdose of a client, and the case the organization opened for it."""

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="episodes", db_index=False
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="overdose_episodes", db_index=False
    )
    community = models.ForeignKey(
        Jurisdiction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "community"},
    )
    occurred_at = models.DateTimeField(help_text="When the overdose happened.")
    origin = models.CharField(max_length=20, choices=EpisodeOrigin.choices)
    status = models.CharField(
        max_length=10, choices=EpisodeStatus.choices, default=EpisodeStatus.OPEN
    )
    summary = models.TextField(blank=True, help_text="What happened, in the team's words.")
    opened_at = models.DateTimeField(default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_by_username = models.CharField(max_length=150, blank=True)
    creation_key = models.CharField(max_length=120, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["client", "occurred_at"], name="episode_client_time"),
            models.Index(fields=["organization", "status", "opened_at"], name="episode_org"),
        ]

    def __str__(self) -> str:
        return f"Episode {self.pk} of client {self.client_id}"


class EpisodeSource(models.Model):
    """A surveillance record (ED visit, paramedic report) behind an episode.

    One record belongs to at most one episode, which is also what makes opening a
    case from the same visit twice a no-op.
    """

    episode = models.ForeignKey(OverdoseEpisode, on_delete=models.CASCADE, related_name="sources")
    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField(default=timezone.now)
    linked_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["episode", "linked_at"]

    def __str__(self) -> str:
        return f"Event {self.event_id} behind episode {self.episode_id}"


class SetAside(models.Model):
    """A worklist record the team decided not to open as a case, and why."""

    event = models.OneToOneField(Event, on_delete=models.PROTECT, related_name="+")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300)
    decided_at = models.DateTimeField(default=timezone.now)
    decided_by = models.CharField(max_length=150)

    def __str__(self) -> str:
        return f"Event {self.event_id} set aside"
