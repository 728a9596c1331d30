"""Alerts: what detection and spike rules found, who was told, and what was done about it.

An `Alert` is one episode of unusual counts in one community for one case definition
(and source, or all sources). Each time a method flags a period, an `AlertSignal` is
recorded; a signal that falls within an ongoing episode (consecutive or near periods)
joins that episode's alert instead of raising a new one, so the same cluster is never
announced twice. Alerts are aggregate-tier objects: anyone who may see the community
may see its alerts (counts suppressed as their tier requires).

`AlertNotification` is one person's inbox entry for one alert (and the email sent for
it); `AlertSubscription` asks for alerts of a community and/or definition;
`SpikeRule` is an ODMAP-style rule (N or more events within 24 hours);
`SurveillanceRun` records each `cairn surveillance run` so an interrupted run resumes.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from cairn.geography.models import Jurisdiction
from cairn.surveillance.models.definitions import CaseDefinition
from cairn.surveillance.models.events import Source

__all__ = [
    "SPIKE_RULE_METHOD",
    "Alert",
    "AlertNotification",
    "AlertPeriod",
    "AlertSignal",
    "AlertStatus",
    "AlertSubscription",
    "NotificationReason",
    "SpikeRule",
    "SurveillanceRun",
    "SurveillanceRunStatus",
]

SPIKE_RULE_METHOD = "spike_rule"


class AlertStatus(models.TextChoices):
    NEW = "new", "New"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    ACTIONED = "actioned", "Actioned"
    DISMISSED = "dismissed", "Dismissed"


class AlertPeriod(models.TextChoices):
    DAY = "day", "Day"
    WEEK = "week", "Week"


class SpikeRule(models.Model):
    """N or more events meeting a definition within a window (24 hours) in a community.

    `community` null is the province-wide default for the definition; a community's own
    rule (active or not) replaces the default there. `threshold` null means automatic:
    the smallest count that the community's recent daily average would reach by chance
    less than once in 10,000 windows, and never below `AUTOMATIC_FLOOR`.
    """

    community = models.ForeignKey(
        Jurisdiction,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="spike_rules",
        limit_choices_to={"level": "community"},
        help_text="Empty: the province-wide default for this definition.",
    )
    definition = models.ForeignKey(
        CaseDefinition, on_delete=models.CASCADE, related_name="spike_rules"
    )
    source = models.CharField(
        max_length=20, blank=True, choices=Source.choices, help_text="Empty: every source."
    )
    threshold = models.PositiveIntegerField(
        null=True, blank=True, help_text="Events within the window; empty for automatic."
    )
    window_hours = models.PositiveSmallIntegerField(default=24)
    active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.CharField(max_length=150, blank=True, help_text="Username.")

    class Meta:
        ordering = ["definition__position", "definition__slug", "community__name"]
        constraints = [
            # Two partial constraints rather than nulls_distinct, which SQLite lacks.
            models.UniqueConstraint(
                fields=["community", "definition", "source"],
                condition=models.Q(community__isnull=False),
                name="spike_rule_unique_community",
            ),
            models.UniqueConstraint(
                fields=["definition", "source"],
                condition=models.Q(community__isnull=True),
                name="spike_rule_unique_default",
            ),
            models.CheckConstraint(
                condition=models.Q(window_hours__gte=1) & models.Q(window_hours__lte=168),
                name="spike_rule_window_hours_range",
            ),
            models.CheckConstraint(
                condition=models.Q(threshold__isnull=True) | models.Q(threshold__gte=2),
                name="spike_rule_threshold_at_least_two",
            ),
        ]

    def __str__(self) -> str:
        place = self.community.name if self.community_id else "every community"
        threshold = self.threshold or "automatic"
        return f"{self.definition_id} in {place}: {threshold} within {self.window_hours} h"

    @property
    def access_jurisdiction(self) -> Jurisdiction | None:
        return self.community


class Alert(models.Model):
    """One episode of unusual counts: community × definition × source, over some periods.

    `method`, `period`, `period_start` and the figures are those of the triggering
    (earliest) signal; `period_end` is the last day of the latest signal in the episode.
    """

    community = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="alerts")
    definition = models.ForeignKey(CaseDefinition, on_delete=models.PROTECT, related_name="alerts")
    source = models.CharField(
        max_length=20, blank=True, choices=Source.choices, help_text="Empty: every source."
    )
    episode_key = models.CharField(max_length=100, help_text="community:definition:source")
    method = models.CharField(max_length=40)
    period = models.CharField(max_length=10, choices=AlertPeriod.choices)
    period_start = models.DateField(help_text="First day of the triggering period.")
    period_end = models.DateField(help_text="Last day of the latest period signalled.")
    observed = models.PositiveIntegerField()
    expected = models.FloatField(null=True, blank=True)
    upperbound = models.FloatField(null=True, blank=True)
    p_value = models.FloatField(null=True, blank=True)
    level = models.CharField(max_length=10, blank=True, help_text="ESSENCE level, e.g. red.")
    signal_count = models.PositiveIntegerField(default=1)
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When its inbox entries were made; empty: pending."
    )

    status = models.CharField(
        max_length=20, choices=AlertStatus.choices, default=AlertStatus.NEW, db_index=True
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actioned_at = models.DateTimeField(null=True, blank=True)
    actioned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action_note = models.TextField(blank=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    dismissal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-period_end", "-id"]
        indexes = [
            models.Index(fields=["episode_key", "period_start"], name="alert_episode"),
            models.Index(fields=["community", "period_end"], name="alert_community_period"),
            models.Index(fields=["period_end", "id"], name="alert_recent"),
            models.Index(
                fields=["id"],
                condition=models.Q(notified_at__isnull=True),
                name="alert_notification_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"Alert {self.pk}: {self.definition_id} in {self.community_id} {self.period_start}"

    @property
    def access_jurisdiction(self) -> Jurisdiction:
        return self.community

    @property
    def is_open(self) -> bool:
        return self.status in (AlertStatus.NEW, AlertStatus.ACKNOWLEDGED)

    @property
    def is_spike_rule(self) -> bool:
        return self.method == SPIKE_RULE_METHOD


class AlertSignal(models.Model):
    """One method flagging one period: the evidence behind an alert.

    Unique per episode key × method × period, so a run repeated over the same days
    updates its signals instead of adding new ones.
    """

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="signals")
    episode_key = models.CharField(max_length=100)
    method = models.CharField(max_length=40)
    period = models.CharField(max_length=10, choices=AlertPeriod.choices)
    period_start = models.DateField()
    period_end = models.DateField(help_text="Last day of the period (inclusive).")
    observed = models.PositiveIntegerField()
    expected = models.FloatField(null=True, blank=True)
    upperbound = models.FloatField(null=True, blank=True)
    p_value = models.FloatField(null=True, blank=True)
    level = models.CharField(max_length=10, blank=True)
    window_start = models.DateTimeField(null=True, blank=True, help_text="Spike rules: window.")
    window_end = models.DateTimeField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True, help_text="Parameters, threshold.")
    detected_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["period_start", "method"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode_key", "method", "period", "period_start"],
                name="alert_signal_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.period} {self.period_start}: {self.observed}"


class NotificationReason(models.TextChoices):
    ACTION_TEAM = "action_team", "Your community action team"
    RESPONSE_CENTRE = "response_centre", "Your overdose emergency response centre"
    SUBSCRIPTION = "subscription", "Your subscription"


class AlertNotification(models.Model):
    """One person's inbox entry for one alert, and the email sent about it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_notifications"
    )
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="notifications")
    reason = models.CharField(max_length=20, choices=NotificationReason.choices)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email_due = models.BooleanField(
        default=False, help_text="An email is to be sent (the user has an address, alert recent)."
    )
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "alert"], name="alert_notification_unique")
        ]
        indexes = [
            models.Index(fields=["user", "read_at"], name="alert_notification_inbox"),
        ]

    def __str__(self) -> str:
        return f"Alert {self.alert_id} for user {self.user_id}"


class AlertSubscription(models.Model):
    """Ask to be told of alerts in a community (or every community one may see) and
    for a definition (or every definition)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_subscriptions"
    )
    community = models.ForeignKey(
        Jurisdiction,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alert_subscriptions",
        limit_choices_to={"level": "community"},
        help_text="Empty: every community the user may see.",
    )
    definition = models.ForeignKey(
        CaseDefinition,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="alert_subscriptions",
        help_text="Empty: every definition.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["community__name", "definition__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", *fields],
                condition=condition,
                name=f"alert_subscription_unique_{name}",
            )
            for name, fields, condition in [
                (
                    "both",
                    ["community", "definition"],
                    models.Q(community__isnull=False, definition__isnull=False),
                ),
                (
                    "community",
                    ["community"],
                    models.Q(community__isnull=False, definition__isnull=True),
                ),
                (
                    "definition",
                    ["definition"],
                    models.Q(community__isnull=True, definition__isnull=False),
                ),
                ("all", [], models.Q(community__isnull=True, definition__isnull=True)),
            ]
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.community_id or 'all'} / {self.definition_id or 'all'}"


class SurveillanceRunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class SurveillanceRun(models.Model):
    """One `cairn surveillance run`: its options and the units of work it finished.

    A run that stopped before the end (killed, failed) is resumed by the next run with
    the same options: the units in `completed` are skipped.
    """

    status = models.CharField(
        max_length=10, choices=SurveillanceRunStatus.choices, default=SurveillanceRunStatus.RUNNING
    )
    options_key = models.CharField(max_length=64, db_index=True, help_text="Hash of the options.")
    options = models.JSONField(default=dict)
    started_at = models.DateTimeField(default=timezone.now)
    heartbeat_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    units_total = models.PositiveIntegerField(default=0)
    completed = models.JSONField(default=list, help_text="Keys of the finished units.")
    series = models.PositiveIntegerField(default=0)
    signals = models.PositiveIntegerField(default=0)
    alerts_raised = models.PositiveIntegerField(default=0)
    alerts_merged = models.PositiveIntegerField(default=0)
    notifications = models.PositiveIntegerField(default=0)
    emails_sent = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Surveillance run {self.pk} ({self.status})"
