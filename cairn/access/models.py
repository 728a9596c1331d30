"""Organizations, memberships (user × organization × role) and audit events."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from cairn.access.roles import ROLE_CHOICES
from cairn.geography.models import Jurisdiction


class Sector(models.TextChoices):
    HEALTH_AUTHORITY = "health_authority", "Health authority"
    EMERGENCY_DEPARTMENT = "emergency_department", "Emergency department"
    OVERDOSE_RESPONSE_CENTRE = "oerc", "Overdose emergency response centre"
    PUBLIC_HEALTH = "public_health", "Public health"
    MINISTRY = "ministry", "Ministry"
    COMMUNITY_AGENCY = "community_agency", "Community agency"
    MUNICIPAL_GOVERNMENT = "municipal_government", "Municipal government"
    FIRST_NATIONS = "first_nations", "First Nations organization"
    POLICE = "police", "Police"
    HOUSING_PROVIDER = "housing_provider", "Housing provider"
    FAMILY_OR_PEER_GROUP = "family_peer_group", "Family or peer group"
    SERVICE_PROVIDER = "service_provider", "Treatment or support service provider"


class Organization(models.Model):
    """A partner agency. What its members may see is bounded by `coverage`."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    sector = models.CharField(max_length=30, choices=Sector.choices)
    coverage = models.ManyToManyField(
        Jurisdiction,
        blank=True,
        related_name="covering_organizations",
        help_text="Jurisdictions this organization serves; covers every community inside them.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in one organization. A user may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=40, choices=ROLE_CHOICES)

    class Meta:
        ordering = ["organization", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} at {self.organization}"


class AuditEvent(models.Model):
    """One audited action. No foreign keys, so deleting anything never breaks history."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=80, db_index=True)
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=80, blank=True)
    summary = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_username} {self.action}"


class ApiToken(models.Model):
    """A bearer token for a partner system (an ED feed, a paramedic system).

    Only a SHA-256 hash is stored; the token is shown once when issued. A token acts
    as its user, with that user's roles and coverage.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What uses it, e.g. 'UHNBC ED feed'.")
    prefix = models.CharField(max_length=12, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
