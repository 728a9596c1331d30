"""What the demo generator loaded: one DemoRun per `cairn demo-data`, its injected spikes.

The events themselves are ordinary surveillance events (dedup keys `demo:...`); a
run records the id range they occupy so it can be replaced quickly, and each
injected spike records where and when extra overdose events were added, so tests
of spike detection know what they should find.
"""

from django.db import models

from cairn.geography.models import Jurisdiction
from cairn.surveillance.models import Source


class DemoRun(models.Model):
    seed = models.PositiveIntegerField()
    years = models.PositiveSmallIntegerField(help_text="0 when the span was given in days.")
    scale = models.CharField(max_length=10)
    start_date = models.DateField()
    end_date = models.DateField(help_text="Last day with events (inclusive).")
    key_prefix = models.CharField(
        max_length=100, unique=True, help_text="Every dedup key of the run starts with it."
    )
    first_event_id = models.BigIntegerField(null=True, blank=True)
    last_event_id = models.BigIntegerField(null=True, blank=True)
    ed_visits = models.PositiveIntegerField(default=0)
    ed_overdose_visits = models.PositiveIntegerField(default=0, help_text="Included in ed_visits.")
    paramedic_reports = models.PositiveIntegerField(default=0)
    first_responder_reports = models.PositiveIntegerField(default=0)
    coroner_deaths = models.PositiveIntegerField(default=0)
    identities = models.PositiveIntegerField(default=0)
    elapsed_seconds = models.FloatField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Demo run seed {self.seed}, {self.start_date} to {self.end_date}, {self.scale}"

    @property
    def total_events(self) -> int:
        return (
            self.ed_visits
            + self.paramedic_reports
            + self.first_responder_reports
            + self.coroner_deaths
        )


class InjectedSpike(models.Model):
    """A cluster of extra overdose events added to one community over one to three days."""

    run = models.ForeignKey(DemoRun, on_delete=models.CASCADE, related_name="spikes")
    community = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="demo_spikes"
    )
    community_code = models.SlugField(max_length=120)
    source = models.CharField(max_length=20, choices=Source.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    extra_events = models.PositiveIntegerField()
    description = models.TextField()

    class Meta:
        ordering = ["starts_at"]

    def __str__(self) -> str:
        return f"{self.extra_events} extra {self.source} events in {self.community_code}"
