"""Supporters: family members, friends and peers with lived experience linked to a case.

A supporter is linked to one person (client) by the care team, and what the supporter
may see or be told follows the person's recorded consent — one `SupporterConsent` row
per supporter and purpose, with who recorded it, when and how (verbal, written). A
revocation stamps the row (date, who, reason) and cuts access at once; giving consent
again adds a new row, so the full history stays. Ending a link revokes every consent in
force with the same reason; the ended link stays, as history. At most one consent per supporter
and purpose is in force at a time.

A supporter may have a Cairn user account (a peer support worker, a family member
with a sign-in): through it they open the supporter view, which shows exactly what
the consents in force allow (`cairn.cases.access.get_client_for_supporter`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cairn.access.models import Organization
from cairn.cases.models.clients import Client, ConsentMethod, ContactMethod


class SupporterRelationship(models.TextChoices):
    FAMILY = "family", "Family member"
    FRIEND = "friend", "Friend"
    PEER = "peer", "Peer with lived experience"
    OTHER = "other", "Other supporter"


class ConsentPurpose(models.TextChoices):
    CONTACT_ABOUT_FOLLOW_UP = "contact_about_follow_up", "Be contacted about follow-up"
    SEE_CARE_PLAN = "see_care_plan", "See the care plan"
    SEE_APPOINTMENTS = "see_appointments", "See appointments and treatment status"
    RECEIVE_OVERDOSE_ALERTS = "receive_overdose_alerts", "Receive overdose alerts"


class Supporter(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="supporters")
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The holding organization whose team linked the supporter.",
    )
    name = models.CharField(max_length=150)
    relationship = models.CharField(max_length=10, choices=SupporterRelationship.choices)
    contact_method = models.CharField(max_length=20, choices=ContactMethod.choices, blank=True)
    contact_value = models.CharField(max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supporting",
        help_text="The supporter's own Cairn account, if any (e.g. a peer support worker).",
    )
    note = models.CharField(max_length=300, blank=True)
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.CharField(max_length=150)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.CharField(max_length=150, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)
    creation_key = models.CharField(max_length=120, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "user"],
                condition=Q(user__isnull=False, ended_at__isnull=True),
                name="supporter_one_link_per_account",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relationship_display()})"

    @property
    def is_linked(self) -> bool:
        return self.ended_at is None


class SupporterConsent(models.Model):
    """The person's consent for one supporter and one purpose; revocable, never deleted."""

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=30, choices=ConsentPurpose.choices)
    method = models.CharField(max_length=20, choices=ConsentMethod.choices)
    note = models.CharField(max_length=300, blank=True, help_text="The person's words, if any.")
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.CharField(max_length=150)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.CharField(max_length=150, blank=True)
    revocation_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["recorded_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["supporter", "purpose"],
                condition=Q(revoked_at__isnull=True),
                name="supporter_consent_one_in_force",
            )
        ]
        indexes = [models.Index(fields=["supporter", "revoked_at"], name="supporter_consent_live")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({'revoked' if self.revoked_at else 'in force'})"

    @property
    def in_force(self) -> bool:
        return self.revoked_at is None
