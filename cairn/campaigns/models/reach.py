"""How far a campaign reached: counts per channel and period (impressions, clicks, calls
to a help line, naloxone kit requests), entered by hand or imported from a CSV file.

One row per campaign, channel, period, metric and label: importing the same file twice,
or a corrected file, updates the row instead of adding another
(`cairn.campaigns.evaluation.reach.import_reach_csv`).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from cairn.campaigns.models.campaigns import Campaign, Channel

__all__ = ["ReachMetric", "ReachMetricKind"]


class ReachMetricKind(models.TextChoices):
    IMPRESSIONS = "impressions", "Impressions"
    CLICKS = "clicks", "Clicks"
    HELPLINE_CALLS = "helpline_calls", "Calls to a help line"
    NALOXONE_KIT_REQUESTS = "naloxone_kit_requests", "Naloxone kit requests"
    OTHER = "other", "Other (named by its label)"


class ReachMetric(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reach_metrics")
    channel = models.CharField(max_length=30, choices=Channel.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    metric = models.CharField(max_length=30, choices=ReachMetricKind.choices)
    label = models.CharField(
        max_length=100,
        blank=True,
        help_text="What an 'other' metric counts (e.g. 'website visits'); empty otherwise.",
    )
    value = models.PositiveBigIntegerField()
    source = models.CharField(
        max_length=10, choices=[("csv", "CSV import"), ("form", "Entered by hand")], default="csv"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["period_start", "channel", "metric", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "channel", "period_start", "period_end", "metric", "label"],
                name="reach_metric_once_per_period",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="reach_metric_period_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=(models.Q(metric="other") & ~models.Q(label=""))
                | (~models.Q(metric="other") & models.Q(label="")),
                name="reach_metric_other_has_a_label",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_channel_display()} {self.metric_name}: {self.value} "
            f"({self.period_start} to {self.period_end})"
        )

    @property
    def metric_name(self) -> str:
        return self.label if self.metric == ReachMetricKind.OTHER else self.get_metric_display()
