"""HSDS schedule (iCal RRULE-style), and `OpeningHours`: the same hours one row per weekday.

HSDS keeps opening times as text (`byday` "MO,TU", `opens_at` "09:00"). Search needs
"open now" fast, so every schedule that names weekly days and times is also written out
as `OpeningHours` rows (ISO weekday 1 = Monday … 7 = Sunday, opens_at/closes_at as times;
hours past midnight are split at midnight into two rows, the first closing at
23:59:59.999999), with the service and location
the schedule applies to. cairn.directory.hsds.hours.rebuild_opening_hours keeps them.
"""

from django.db import models

from cairn.directory.models.base import HsdsRecord
from cairn.directory.models.locations import Location, ServiceAtLocation
from cairn.directory.models.services import Service


class Schedule(HsdsRecord):
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="schedules"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="schedules"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="schedules",
    )
    valid_from = models.TextField(blank=True, default="")
    valid_to = models.TextField(blank=True, default="")
    dtstart = models.TextField(blank=True, default="")
    timezone = models.FloatField(null=True, blank=True)
    until = models.TextField(blank=True, default="")
    count = models.FloatField(null=True, blank=True)
    wkst = models.CharField(max_length=2, blank=True, default="")
    freq = models.CharField(max_length=10, blank=True, default="")
    interval = models.FloatField(null=True, blank=True)
    byday = models.TextField(blank=True, default="")
    byweekno = models.TextField(blank=True, default="")
    bymonthday = models.TextField(blank=True, default="")
    byyearday = models.TextField(blank=True, default="")
    description = models.TextField(blank=True, default="")
    opens_at = models.TextField(blank=True, default="", help_text="HSDS text, e.g. 09:00.")
    closes_at = models.TextField(blank=True, default="", help_text="HSDS text, e.g. 17:00.")
    schedule_link = models.TextField(blank=True, default="")
    attending_type = models.TextField(blank=True, default="")
    notes = models.TextField(blank=True, default="")


class OpeningHours(models.Model):
    """One weekday's opening of a schedule, for "open now" search (derived; not HSDS)."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="opening_hours")
    service = models.ForeignKey(
        Service, null=True, on_delete=models.CASCADE, related_name="opening_hours"
    )
    location = models.ForeignKey(
        Location, null=True, on_delete=models.CASCADE, related_name="opening_hours"
    )
    weekday = models.PositiveSmallIntegerField(help_text="ISO weekday: 1 = Monday … 7 = Sunday.")
    opens_at = models.TimeField()
    closes_at = models.TimeField(help_text="23:59:59.999999 when open to midnight.")

    class Meta:
        verbose_name_plural = "opening hours"
        indexes = [
            models.Index(fields=["weekday", "opens_at", "closes_at"], name="directory_hours_open"),
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.opens_at:%H:%M}-{self.closes_at:%H:%M}"
