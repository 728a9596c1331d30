"""Surveillance events: one row per real-world encounter, de-identified.

Identifying details live in EventIdentity, a separate table that only the care
team's code paths read (through `access`), so line lists never touch them.
"""

from django.db import models
from django.utils import timezone

from cairn.geography.models import Jurisdiction


class Source(models.TextChoices):
    EMERGENCY_DEPARTMENT = "ed", "Emergency department visit"
    PARAMEDIC = "paramedic", "Paramedic report"
    FIRST_RESPONDER = "first_responder", "First-responder report"
    CORONER = "coroner", "Coroner death"


class EventSex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    OTHER = "X", "Another gender"
    UNKNOWN = "U", "Unknown"


# Five-year bands to 90+, matching the 2011 Canadian standard population.
AGE_BANDS = [f"{low}-{low + 4}" for low in range(0, 90, 5)] + ["90+"]
UNKNOWN_AGE_BAND = "unknown"


def age_band_for(age: int | None) -> str:
    if age is None or age < 0:
        return UNKNOWN_AGE_BAND
    if age >= 90:
        return "90+"
    low = (age // 5) * 5
    return f"{low}-{low + 4}"


class Disposition(models.TextChoices):
    DISCHARGED = "discharged", "Discharged"
    ADMITTED = "admitted", "Admitted"
    LEFT_AGAINST_ADVICE = "left_ama", "Left against medical advice"
    LEFT_WITHOUT_BEING_SEEN = "lwbs", "Left without being seen"
    TRANSFERRED = "transferred", "Transferred"
    TREATED_ON_SCENE = "treated_on_scene", "Treated on scene"
    TRANSPORTED = "transported", "Transported to hospital"
    DIED = "died", "Died"
    UNKNOWN = "unknown", "Unknown"


class Event(models.Model):
    """A de-identified surveillance record from any source.

    `community` is null when the place could not be determined: such events are
    counted in an "unknown place" bucket, never dropped. `dedup_key` makes
    re-sending the same record a no-op.
    """

    source = models.CharField(max_length=20, choices=Source.choices)
    occurred_at = models.DateTimeField(help_text="When the encounter or death happened.")
    received_at = models.DateTimeField(default=timezone.now, help_text="When Cairn received it.")
    community = models.ForeignKey(
        Jurisdiction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        limit_choices_to={"level": "community"},
        db_index=False,  # event_community_time leads with it
        # No database constraint: communities are never deleted (PROTECT, in Django),
        # every id comes from the placement module's reading of them, and checking the
        # constraint row by row at commit cost intake a third of its database time.
        db_constraint=False,
    )
    age_band = models.CharField(max_length=10, default=UNKNOWN_AGE_BAND)
    sex = models.CharField(max_length=1, choices=EventSex.choices, default=EventSex.UNKNOWN)
    chief_complaint = models.TextField(blank=True)
    diagnosis_codes = models.JSONField(default=list, blank=True, help_text="ICD-10 codes.")
    disposition = models.CharField(
        max_length=20, choices=Disposition.choices, default=Disposition.UNKNOWN
    )
    facility = models.CharField(max_length=100, blank=True, help_text="Facility identifier.")
    fatal = models.BooleanField(null=True, blank=True)
    naloxone_doses = models.PositiveSmallIntegerField(null=True, blank=True)
    suspected_substances = models.JSONField(default=list, blank=True)
    source_record_id = models.CharField(
        max_length=200, blank=True, help_text="Visit number, message control id or report number."
    )
    # Unique through a constraint, not unique=True: PostgreSQL then keeps one index, not a
    # second varchar_pattern_ops copy that every insert would also have to update.
    dedup_key = models.CharField(max_length=200)
    placement = models.CharField(
        max_length=20,
        blank=True,
        default="",
        db_default="",
        help_text="How the community was found: code, point, postal_code or unknown.",
    )
    revision = models.PositiveIntegerField(default=1, db_default=1)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["community", "occurred_at"], name="event_community_time"),
            # Covering (PostgreSQL): the care team's worklist of recent ED overdose
            # visits reads the window's ids and places from the index alone.
            models.Index(
                fields=["source", "occurred_at"],
                include=["community", "id"],
                name="event_source_time",
            ),
        ]
        constraints = [models.UniqueConstraint(fields=["dedup_key"], name="event_dedup_key_unique")]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def access_jurisdiction(self) -> Jurisdiction | None:
        """Scoping for `cairn.access`: an event belongs to its community (None if unknown)."""
        return self.community


class EventIdentity(models.Model):
    """Identifying details of the person in an event, kept apart for case linking."""

    event = models.OneToOneField(
        Event, primary_key=True, on_delete=models.CASCADE, related_name="identity"
    )
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    health_number = models.CharField(max_length=30, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    phone = models.CharField(max_length=30, blank=True)

    def __str__(self) -> str:
        return f"Identity for event {self.event_id}"

    @property
    def access_jurisdiction(self) -> Jurisdiction | None:
        return self.event.community


class EventRevision(models.Model):
    """The values an event had before an update (HL7 A08/A03, a corrected re-send)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="revisions")
    revision = models.PositiveIntegerField()
    replaced_at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=200, blank=True, help_text="e.g. ADT^A08 MSG0001")
    previous = models.JSONField(help_text="Field values of the replaced revision.")

    class Meta:
        ordering = ["event", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["event", "revision"], name="event_revision_unique")
        ]

    def __str__(self) -> str:
        return f"Revision {self.revision} of event {self.event_id}"
