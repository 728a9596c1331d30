"""HSDS service, and what belongs to one service: areas, costs, required documents."""

from django.db import models
from django.utils import timezone

from cairn.directory.models.base import HsdsRecord
from cairn.directory.models.organizations import Program, Provider
from cairn.geography.models import Jurisdiction


class ServiceStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    DEFUNCT = "defunct", "Defunct"
    TEMPORARILY_CLOSED = "temporarily closed", "Temporarily closed"


class Service(HsdsRecord):
    """A service a provider offers (HSDS `service`).

    Service types are taxonomy terms linked through `Attribute` rows (`types`); Cairn's own
    taxonomy "cairn-service-type" (cairn.directory.taxonomy) names the kinds people search
    for. `assured_date` (HSDS: when the listing was last assured) is the "last verified" date.
    """

    provider = models.ForeignKey(
        Provider,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="services",
        help_text="HSDS organization_id.",
    )
    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.SET_NULL, related_name="services"
    )
    name = models.TextField()
    alternate_name = models.TextField(blank=True, default="")
    description = models.TextField(blank=True, default="")
    url = models.TextField(blank=True, default="")
    email = models.TextField(blank=True, default="")
    status = models.CharField(
        max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE
    )
    interpretation_services = models.TextField(blank=True, default="")
    application_process = models.TextField(blank=True, default="")
    fees_description = models.TextField(blank=True, default="")
    wait_time = models.TextField(blank=True, default="")
    fees = models.TextField(blank=True, default="")
    accreditations = models.TextField(blank=True, default="")
    eligibility_description = models.TextField(blank=True, default="")
    minimum_age = models.FloatField(null=True, blank=True)
    maximum_age = models.FloatField(null=True, blank=True)
    assured_date = models.DateField(
        null=True, blank=True, help_text="When the listing was last verified (HSDS assured_date)."
    )
    assurer_email = models.TextField(blank=True, default="")
    licenses = models.TextField(blank=True, default="")
    alert = models.TextField(blank=True, default="")
    last_modified = models.DateTimeField(null=True, blank=True)
    types = models.ManyToManyField(
        "directory.TaxonomyTerm",
        through="directory.Attribute",
        through_fields=("service", "taxonomy_term"),
        related_name="services",
        blank=True,
    )
    search_text = models.TextField(
        blank=True,
        default="",
        help_text="Lower-case words of the name, alternate name, description and provider name "
        "(filled by the HSDS import and cairn.directory.hsds.search_text).",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["status", "name"], name="directory_service_status"),
            models.Index(fields=["assured_date"], name="directory_service_assured"),
        ]

    @property
    def receiving_organization(self):
        """The Cairn partner that receives referrals to this service, or None."""
        return self.provider.partner if self.provider_id else None


class ServiceArea(HsdsRecord):
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="service_areas"
    )
    name = models.TextField(blank=True, default="")
    description = models.TextField(blank=True, default="")
    extent = models.TextField(blank=True, default="")
    extent_type = models.TextField(blank=True, default="")
    uri = models.TextField(blank=True, default="")
    jurisdiction = models.ForeignKey(
        Jurisdiction,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="directory_service_areas",
        help_text="The Cairn jurisdiction this area is (when known).",
    )


class CostOption(HsdsRecord):
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="cost_options"
    )
    valid_from = models.TextField(blank=True, default="")
    valid_to = models.TextField(blank=True, default="")
    option = models.TextField(blank=True, default="")
    currency = models.TextField(blank=True, default="")
    amount = models.FloatField(null=True, blank=True)
    amount_description = models.TextField(blank=True, default="")


class RequiredDocument(HsdsRecord):
    service = models.ForeignKey(
        Service,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="required_documents",
    )
    document = models.TextField(blank=True, default="")
    uri = models.TextField(blank=True, default="")
