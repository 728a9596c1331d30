"""HSDS location, its addresses and accessibility, and service_at_location."""

from django.db import models

from cairn.directory.models.base import HsdsRecord
from cairn.directory.models.organizations import Provider
from cairn.directory.models.services import Service
from cairn.geography.models import Jurisdiction


class LocationType(models.TextChoices):
    PHYSICAL = "physical", "Physical"
    POSTAL = "postal", "Postal"
    VIRTUAL = "virtual", "Virtual"


class Location(HsdsRecord):
    """A place where services are delivered (HSDS `location`).

    `community` is the Cairn community (geography.Jurisdiction) the location lies in,
    derived from its coordinates (point in polygon) or else its postal code.
    """

    provider = models.ForeignKey(
        Provider,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="locations",
        help_text="HSDS organization_id.",
    )
    location_type = models.CharField(
        max_length=10, choices=LocationType.choices, default=LocationType.PHYSICAL
    )
    url = models.TextField(blank=True, default="")
    name = models.TextField(blank=True, default="")
    alternate_name = models.TextField(blank=True, default="")
    description = models.TextField(blank=True, default="")
    transportation = models.TextField(blank=True, default="")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    external_identifier = models.TextField(blank=True, default="")
    external_identifier_type = models.TextField(blank=True, default="")
    community = models.ForeignKey(
        Jurisdiction,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="directory_locations",
    )

    class Meta:
        indexes = [
            models.Index(fields=["latitude", "longitude"], name="directory_location_point"),
        ]


class Address(HsdsRecord):
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="addresses"
    )
    attention = models.TextField(blank=True, default="")
    address_1 = models.TextField()
    address_2 = models.TextField(blank=True, default="")
    city = models.TextField()
    region = models.TextField(blank=True, default="")
    state_province = models.TextField()
    postal_code = models.TextField()
    country = models.TextField()
    address_type = models.CharField(
        max_length=10, choices=LocationType.choices, default=LocationType.PHYSICAL
    )

    def __str__(self) -> str:
        return ", ".join(p for p in (self.address_1, self.city, self.postal_code) if p)


class Accessibility(HsdsRecord):
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.CASCADE, related_name="accessibility"
    )
    description = models.TextField(blank=True, default="")
    details = models.TextField(blank=True, default="")
    url = models.TextField(blank=True, default="")

    class Meta:
        verbose_name_plural = "accessibility"


class ServiceAtLocation(HsdsRecord):
    service = models.ForeignKey(
        Service,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="service_at_locations",
    )
    location = models.ForeignKey(
        Location,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="service_at_locations",
    )
    description = models.TextField(blank=True, default="")

    def __str__(self) -> str:
        return f"{self.service} at {self.location}"
