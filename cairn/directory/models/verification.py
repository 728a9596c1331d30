"""Verification of listings: who confirmed which service when, and the reminders sent.

A listing's "last verified" date is `Service.assured_date` (HSDS "assured"). Each
confirmation writes a `ListingConfirmation` (with the fields changed at the same time,
if the listing was edited first) and moves `assured_date` to that day. A listing is
stale when it was last verified more than CAIRN_DIRECTORY_STALE_DAYS ago, or never.
`cairn directory stale` leaves one `StaleListingNotice` per stale listing and owning
organization (once per stale spell), which the organization sees on "Your listings",
and emails its listing keepers once.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ConfirmationKind(models.TextChoices):
    UNCHANGED = "unchanged", "Still correct"
    EDITED = "edited", "Edited and confirmed"


class ListingConfirmation(models.Model):
    service = models.ForeignKey(
        "directory.Service", on_delete=models.CASCADE, related_name="confirmations"
    )
    organization = models.ForeignKey(
        "access.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The owning organization the confirmer acted for; empty for a curator.",
    )
    confirmed_at = models.DateTimeField(default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_by_name = models.CharField(max_length=150, blank=True)
    kind = models.CharField(max_length=20, choices=ConfirmationKind.choices)
    changes = models.JSONField(
        default=dict, blank=True, help_text="Field -> [before, after] for an edited listing."
    )
    previous_assured_date = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    creation_key = models.CharField(max_length=120, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-confirmed_at", "-id"]
        indexes = [
            models.Index(fields=["service", "-confirmed_at"], name="directory_confirm_svc"),
        ]

    def __str__(self) -> str:
        return f"Service {self.service_id} confirmed {self.confirmed_at:%Y-%m-%d}"


class StaleListingNotice(models.Model):
    """A reminder to the owning organization that one listing needs confirming."""

    service = models.ForeignKey(
        "directory.Service", on_delete=models.CASCADE, related_name="stale_notices"
    )
    organization = models.ForeignKey(
        "access.Organization", on_delete=models.CASCADE, related_name="stale_listing_notices"
    )
    last_verified = models.DateField(
        null=True, blank=True, help_text="The listing's last-verified date when it was noticed."
    )
    spell = models.CharField(
        max_length=20, help_text="The last-verified date as text, or 'never': one notice a spell."
    )
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)
    email_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One notice per stale spell: a new spell starts after a confirmation.
            models.UniqueConstraint(
                fields=["service", "organization", "spell"],
                name="directory_stale_notice_once",
            )
        ]
        indexes = [
            models.Index(fields=["organization", "resolved_at"], name="directory_notice_open"),
        ]

    def __str__(self) -> str:
        return f"Service {self.service_id} stale for organization {self.organization_id}"
