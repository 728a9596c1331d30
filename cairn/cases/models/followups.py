"""Follow-up after an emergency visit, with a clock.

The clock starts at discharge; the first contact is due within a configurable
number of hours (72 by default, 24 when the latest assessment is in the highest
tier). Every attempt is recorded; the clock stops at the first contact that
reached the person (declining is the person's choice and also stops it). An
overdue follow-up is escalated once, with a notice to the team that holds it.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from cairn.access.models import Organization
from cairn.cases.models.clients import Client, ContactMethod
from cairn.cases.models.episodes import OverdoseEpisode


class FollowUp(models.Model):
    episode = models.OneToOneField(
        OverdoseEpisode, on_delete=models.PROTECT, related_name="follow_up"
    )
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="follow_ups")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="follow_ups"
    )
    discharged_at = models.DateTimeField(help_text="When the clock started (ED discharge).")
    hours_allowed = models.PositiveSmallIntegerField()
    tier_at_due = models.CharField(
        max_length=20, blank=True, help_text="The assessed tier that set the time allowed."
    )
    due_at = models.DateTimeField()
    contacted_at = models.DateTimeField(null=True, blank=True)
    contact_outcome = models.CharField(max_length=20, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(fields=["organization", "contacted_at", "due_at"], name="follow_up_due")
        ]

    def __str__(self) -> str:
        return f"Follow-up of episode {self.episode_id}"

    @property
    def is_open(self) -> bool:
        return self.contacted_at is None

    def is_overdue(self, now=None) -> bool:
        return self.is_open and (now or timezone.now()) > self.due_at

    def state(self, now=None) -> str:
        if not self.is_open:
            return "contacted"
        return "overdue" if self.is_overdue(now) else "due"


class AttemptOutcome(models.TextChoices):
    REACHED = "reached", "Reached the person"
    NOT_REACHED = "not_reached", "Did not reach the person"
    DECLINED = "declined", "Reached; the person declined follow-up"


CONTACT_MADE = (AttemptOutcome.REACHED, AttemptOutcome.DECLINED)


class FollowUpAttempt(models.Model):
    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="attempts")
    attempted_at = models.DateTimeField()
    outcome = models.CharField(max_length=20, choices=AttemptOutcome.choices)
    method = models.CharField(max_length=20, choices=ContactMethod.choices)
    note = models.CharField(max_length=500, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by_username = models.CharField(max_length=150)

    class Meta:
        ordering = ["follow_up", "attempted_at", "pk"]

    def __str__(self) -> str:
        return f"Attempt {self.pk}: {self.get_outcome_display()}"


class FollowUpNotice(models.Model):
    """An in-app notice to the care team of an organization: a follow-up is overdue.

    No names in the text: the notice links to the follow-up, which is opened
    through the audited choke point.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="follow_up_notices"
    )
    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="notices")
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.message
