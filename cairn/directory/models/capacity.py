"""Capacity of a service right now ("same-day OAT available", "3 beds free"), with history.

A service has at most one current `Capacity` row per kind (and label, for "other");
every update also writes a `CapacityChange`, so what was said and by whom is never lost.
A capacity is either a count (`available`: beds free, kits on hand) or a yes/no
(`is_available`: same-day OAT today), never both.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class CapacityKind(models.TextChoices):
    SAME_DAY_OAT = "same_day_oat", "Same-day OAT start"
    BEDS = "beds", "Beds free"
    NALOXONE_KITS = "naloxone_kits", "Naloxone kits on hand"
    OTHER = "other", "Other"


# Kinds answered yes/no; the others are counts.
YES_NO_KINDS = frozenset({CapacityKind.SAME_DAY_OAT})


class Capacity(models.Model):
    service = models.ForeignKey(
        "directory.Service", on_delete=models.CASCADE, related_name="capacities"
    )
    kind = models.CharField(max_length=20, choices=CapacityKind.choices)
    label = models.CharField(
        max_length=100, blank=True, help_text="What is counted, for kind 'other' (e.g. 'Meals')."
    )
    available = models.PositiveIntegerField(null=True, blank=True)
    is_available = models.BooleanField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by_name = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["service", "kind", "label"]
        verbose_name_plural = "capacities"
        constraints = [
            models.UniqueConstraint(
                fields=["service", "kind", "label"], name="directory_capacity_unique_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(available__isnull=True) | models.Q(is_available__isnull=True),
                name="directory_capacity_count_or_yes_no",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_label}: {self.display_value}"

    @property
    def display_label(self) -> str:
        return (
            self.label
            if self.kind == CapacityKind.OTHER and self.label
            else self.get_kind_display()
        )

    @property
    def display_value(self) -> str:
        if self.is_available is not None:
            return "Yes" if self.is_available else "No"
        if self.available is not None:
            return str(self.available)
        return "Not known"

    @property
    def has_room(self) -> bool | None:
        """True when there is something available now, False when none, None if unknown."""
        if self.is_available is not None:
            return self.is_available
        if self.available is not None:
            return self.available > 0
        return None


class CapacityChange(models.Model):
    """One update of a capacity, kept for history (newest first)."""

    capacity = models.ForeignKey(Capacity, on_delete=models.CASCADE, related_name="changes")
    service = models.ForeignKey(
        "directory.Service", on_delete=models.CASCADE, related_name="capacity_changes"
    )
    kind = models.CharField(max_length=20, choices=CapacityKind.choices)
    label = models.CharField(max_length=100, blank=True)
    available = models.PositiveIntegerField(null=True, blank=True)
    is_available = models.BooleanField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_by_name = models.CharField(max_length=150, blank=True)
    creation_key = models.CharField(max_length=120, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["service", "-changed_at"], name="directory_capchange_svc")]

    def __str__(self) -> str:
        return f"{self.kind} of service {self.service_id} at {self.changed_at:%Y-%m-%d %H:%M}"
