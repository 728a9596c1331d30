"""HSDS organization (Cairn: `Provider`), and what hangs on it: programs, funding, identifiers."""

from django.db import models
from django.utils import timezone

from cairn.access.models import Organization
from cairn.directory.models.base import HsdsRecord


class Provider(HsdsRecord):
    """An organization that provides services (HSDS `organization`).

    `partner` is the Cairn partner organization that owns the listing: it receives
    referrals to the provider's services and confirms the listing.
    """

    name = models.TextField()
    alternate_name = models.TextField(blank=True, default="")
    description = models.TextField(blank=True, default="")
    email = models.TextField(blank=True, default="")
    website = models.TextField(blank=True, default="")
    tax_status = models.TextField(blank=True, default="")
    tax_id = models.TextField(blank=True, default="")
    year_incorporated = models.FloatField(null=True, blank=True)
    legal_status = models.TextField(blank=True, default="")
    logo = models.TextField(blank=True, default="")
    uri = models.TextField(blank=True, default="")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        help_text="HSDS parent_organization_id.",
    )
    partner = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="directory_providers",
        help_text="The Cairn partner that owns this listing, receives referrals and confirms it.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["name"], name="directory_provider_name")]


class Program(HsdsRecord):
    provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.CASCADE, related_name="programs"
    )
    name = models.TextField()
    alternate_name = models.TextField(blank=True, default="")
    description = models.TextField(blank=True, default="")


class OrganizationIdentifier(HsdsRecord):
    provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.CASCADE, related_name="identifiers"
    )
    identifier_scheme = models.TextField(blank=True, default="")
    identifier_type = models.TextField()
    identifier = models.TextField()

    def __str__(self) -> str:
        return f"{self.identifier_type} {self.identifier}"


class Funding(HsdsRecord):
    provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.SET_NULL, related_name="funding"
    )
    service = models.ForeignKey(
        "directory.Service",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="funding",
    )
    source = models.TextField(blank=True, default="")
