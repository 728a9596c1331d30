"""A record of each HSDS import: who, when, which files, and what happened to each record."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class HsdsImport(models.Model):
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source = models.TextField(blank=True, default="", help_text="File names, or 'api'.")
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    errors = models.JSONField(
        default=list, blank=True, help_text="[{file, record, field, message}], at most 1,000."
    )

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"HSDS import {self.started_at:%Y-%m-%d %H:%M}"
