"""Case definitions as data: versioned rules, the matches per event, re-classification jobs."""

from django.db import models
from django.utils import timezone

from cairn.surveillance.models.events import Event

__all__ = [
    "CaseDefinition",
    "CaseDefinitionVersion",
    "EventMatch",
    "ImmutableVersionError",
    "JobStatus",
    "MatchField",
    "ReclassificationJob",
]


class CaseDefinition(models.Model):
    """A published case definition, e.g. `opioid`; its rules live in its versions."""

    slug = models.SlugField(max_length=50, unique=True, help_text="Stable id, e.g. opioid.")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True, help_text="Inactive definitions classify nothing.")
    current_version = models.PositiveIntegerField(default=1)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order on pages.")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.slug

    def current(self) -> "CaseDefinitionVersion":
        return self.versions.get(version=self.current_version)


class ImmutableVersionError(Exception):
    pass


class CaseDefinitionVersion(models.Model):
    """One version of a definition's rules. Never changed once saved: edits add a version."""

    definition = models.ForeignKey(
        CaseDefinition, on_delete=models.CASCADE, related_name="versions"
    )
    version = models.PositiveIntegerField()
    rules = models.JSONField()
    note = models.TextField(blank=True, help_text="What changed and why.")
    created_by = models.CharField(max_length=150, blank=True, help_text="Username.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["definition", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "version"], name="case_definition_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.definition_id} v{self.version}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableVersionError("A saved case-definition version cannot change.")
        super().save(*args, **kwargs)


class MatchField(models.TextChoices):
    DIAGNOSIS = "dd", "Discharge diagnosis"
    CHIEF_COMPLAINT = "cc", "Chief complaint"


class EventMatch(models.Model):
    """An event meets a definition (at a version), and why: the code or the terms."""

    # Built for intake speed (docs/intake-csv.md): the primary key is (event,
    # definition), so a match is unique without an id column, its sequence and a third
    # index (8–20% less database time on intake's insert statement); the other
    # index leads with the definition. No database constraints, as checking them row by
    # row at commit cost a quarter of intake's database time. Matches are written only
    # by classification, for events it has just stored, and Django cascades the
    # deletion of an event or a definition to its matches itself.
    pk = models.CompositePrimaryKey("event", "definition")
    event = models.ForeignKey(
        Event,
        on_delete=models.CASCADE,
        related_name="matches",
        db_index=False,
        db_constraint=False,
    )
    definition = models.ForeignKey(
        CaseDefinition,
        on_delete=models.CASCADE,
        related_name="matches",
        db_index=False,
        db_constraint=False,
    )
    version = models.PositiveIntegerField()
    field = models.CharField(max_length=2, choices=MatchField.choices)
    reason = models.CharField(max_length=300)

    class Meta:
        indexes = [models.Index(fields=["definition", "event"], name="event_match_definition")]

    def __str__(self) -> str:
        return f"event {self.event_id} meets {self.definition_id}: {self.reason}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ReclassificationJob(models.Model):
    """Re-classify every stored event after a definition changed, in chunks, with progress."""

    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    reason = models.CharField(max_length=300, blank=True, help_text="e.g. opioid v3 saved")
    requested_by = models.CharField(max_length=150, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Re-classification {self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0
