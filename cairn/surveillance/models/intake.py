"""What intake keeps besides events: messages already seen, and the quarantine."""

from django.db import models
from django.utils import timezone


class IntakeFormat(models.TextChoices):
    HL7V2 = "hl7v2", "HL7 v2 message"
    FHIR = "fhir", "FHIR Bundle"
    CSV = "csv", "CSV row"
    FORM = "form", "Quick-entry form or API"


class MessageKeyField(models.CharField):
    """A key column that PostgreSQL indexes once.

    Django gives every indexed varchar a second, varchar_pattern_ops index for LIKE;
    message keys are only ever looked up whole, so spelling the type out keeps that
    extra index (and its upkeep on every stored message) away.
    """

    def db_type(self, connection):
        if connection.vendor == "postgresql":
            return f"character varying({self.max_length})"
        return super().db_type(connection)


class ReceivedMessage(models.Model):
    """A message (or bundle, or CSV file) already processed, so a re-send is a no-op.

    `message_key` is e.g. "hl7v2:<sending facility>:<MSH-10 control id>", a bundle's
    identifier, or "csv:file:<hash>" of a CSV file's bytes with its header and mapping
    (CSV rows have none of their own: their dedup key decides, docs/intake-csv.md).
    """

    # The primary key: one index per stored message, no surrogate id to number.
    message_key = MessageKeyField(max_length=300, primary_key=True)
    format = models.CharField(max_length=10, choices=IntakeFormat.choices)
    received_at = models.DateTimeField(default=timezone.now)
    event_id = models.BigIntegerField(null=True, blank=True)  # no FK: history outlives events

    def __str__(self) -> str:
        return self.message_key


class QuarantineStatus(models.TextChoices):
    OPEN = "open", "Waiting for correction"
    REPROCESSED = "reprocessed", "Corrected and re-processed"
    DISCARDED = "discarded", "Discarded"


class QuarantinedRecord(models.Model):
    """Input that could not be accepted, kept whole with the exact reason and where it failed.

    Raw payloads may identify a person (HL7 PID, FHIR Patient), so this table is read
    only through `cairn.surveillance.quarantine` queries that check access and audit.
    """

    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    format = models.CharField(max_length=10, choices=IntakeFormat.choices)
    source = models.CharField(max_length=20, blank=True)
    raw = models.TextField(help_text="The input exactly as received (one message, bundle or row).")
    content_hash = models.CharField(max_length=64)  # unique: see Meta
    reason = models.TextField()
    location = models.CharField(
        max_length=200, blank=True, help_text='Where: "PID-7", "line 12, column age", a FHIRPath.'
    )
    context = models.JSONField(
        default=dict, blank=True, help_text="What re-processing needs: CSV header and mapping."
    )
    status = models.CharField(
        max_length=12, choices=QuarantineStatus.choices, default=QuarantineStatus.OPEN
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=150, blank=True)
    event_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "received_at"], name="quarantine_open")]
        constraints = [
            models.UniqueConstraint(fields=["content_hash"], name="quarantine_content_hash_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_format_display()} quarantined {self.received_at:%Y-%m-%d %H:%M}"
