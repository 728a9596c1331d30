"""Opioid agonist treatment (OAT): episodes, dispensing and missed doses.

An episode is either *entered* by the care team (the person started methadone at a
clinic; the team records the start, and later the stop and why) or *derived* from
dispensing records (`cairn.cases.treatment.episodes`): consecutive dispensings of one
drug belong to one episode until a gap longer than the drug's permissible gap. Derived
episodes are recomputed whenever the person's dispensing changes; entered ones are
only changed by the team. Dispensing and missed-dose rows are unique per person, drug
and day, so re-entering or re-importing the same record never duplicates it.
"""

from django.db import models
from django.utils import timezone

from cairn.access.models import Organization
from cairn.cases.models.clients import Client


class OatDrug(models.TextChoices):
    BUPRENORPHINE_NALOXONE = "bup_nx", "Buprenorphine/naloxone"
    METHADONE = "methadone", "Methadone"
    SROM = "srom", "Slow-release oral morphine"
    INJECTABLE = "ioat", "Injectable OAT (hydromorphone or diacetylmorphine)"
    XR_BUPRENORPHINE = "xr_bup", "Extended-release buprenorphine (injection)"
    OTHER = "other", "Other OAT"


class OatOrigin(models.TextChoices):
    ENTERED = "entered", "Entered by the care team"
    DERIVED = "derived", "Derived from dispensing records"


class OatEndReason(models.TextChoices):
    GAP = "gap", "No dispensing for longer than the permissible gap"
    SWITCHED = "switched", "Switched to another OAT drug"
    TAPER_COMPLETED = "taper_completed", "Taper completed as planned"
    PERSON_CHOSE = "person_chose", "The person chose to stop"
    TRANSFERRED = "transferred", "Care moved to another prescriber or region"
    INSTITUTION = "institution", "Hospital or correctional stay"
    DIED = "died", "The person died"
    OTHER = "other", "Other"


class RecordSource(models.TextChoices):
    ENTERED = "entered", "Entered"
    IMPORTED = "imported", "Imported from CSV"


class OatEpisode(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="oat_episodes")
    origin = models.CharField(max_length=10, choices=OatOrigin.choices)
    drug = models.CharField(max_length=12, choices=OatDrug.choices)
    prescriber = models.CharField(max_length=150, blank=True)
    pharmacy = models.CharField(max_length=150, blank=True)
    started_on = models.DateField()
    stopped_on = models.DateField(
        null=True, blank=True, help_text="Last day on treatment; empty while it goes on."
    )
    end_reason = models.CharField(max_length=20, choices=OatEndReason.choices, blank=True)
    last_covered_on = models.DateField(
        null=True, blank=True, help_text="Derived: the last day the dispensed doses cover."
    )
    concurrent = models.BooleanField(
        default=False,
        help_text="Derived: overlaps another drug's episode for more than the margin.",
    )
    switched_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dispensings = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=300, blank=True)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=150, blank=True)
    stop_recorded_at = models.DateTimeField(null=True, blank=True)
    stop_recorded_by = models.CharField(max_length=150, blank=True)
    creation_key = models.CharField(max_length=120, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-started_on", "-pk"]
        indexes = [models.Index(fields=["client", "started_on"], name="oat_episode_client")]

    def __str__(self) -> str:
        return f"{self.get_drug_display()} from {self.started_on}"

    @property
    def is_open(self) -> bool:
        return self.stopped_on is None


class OatImport(models.Model):
    """One CSV upload of dispensing or missed-dose records, and what became of each row."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.CharField(max_length=150)
    filename = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    already_recorded = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, help_text="[{line, column, message}]")

    class Meta:
        ordering = ["-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"Import {self.pk}: {self.filename}"


class OatDispensing(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="oat_dispensings")
    drug = models.CharField(max_length=12, choices=OatDrug.choices)
    dispensed_on = models.DateField()
    dose = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    dose_unit = models.CharField(max_length=10, default="mg")
    witnessed = models.BooleanField(
        default=True, help_text="The day's dose taken in front of staff."
    )
    carry_days = models.PositiveSmallIntegerField(
        default=0, help_text="Take-home doses given for the following days."
    )
    days_supply = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Days covered, when not the drug's default (7 for a weekly injection).",
    )
    pharmacy = models.CharField(max_length=150, blank=True)
    prescriber = models.CharField(max_length=150, blank=True)
    source = models.CharField(max_length=10, choices=RecordSource.choices)
    imported_in = models.ForeignKey(
        OatImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="dispensings"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-dispensed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "drug", "dispensed_on"], name="oat_dispensing_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_drug_display()} on {self.dispensed_on}"


class OatMissedDose(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="oat_missed_doses")
    drug = models.CharField(max_length=12, choices=OatDrug.choices)
    missed_on = models.DateField()
    pharmacy = models.CharField(max_length=150, blank=True)
    note = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=10, choices=RecordSource.choices)
    imported_in = models.ForeignKey(
        OatImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="missed_doses"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-missed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "drug", "missed_on"], name="oat_missed_dose_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"Missed {self.get_drug_display()} on {self.missed_on}"


class OudDiagnosis(models.Model):
    """That the person has opioid use disorder, and since when: the cascade's first stage."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="oud_diagnosis")
    diagnosed_on = models.DateField(null=True, blank=True)
    basis = models.CharField(
        max_length=200, blank=True, help_text="Who diagnosed it, or how known."
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.CharField(max_length=150, blank=True)

    def __str__(self) -> str:
        return f"Client {self.client_id}: opioid use disorder"
