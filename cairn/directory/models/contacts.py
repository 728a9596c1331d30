"""HSDS contact, phone and language: rows that may belong to several parents at once.

In HSDS one phone row can be the phone of a service, a location, an organization, a
contact and a service-at-location together (each is a nullable reference), so deleting
one parent leaves the row to the others.
"""

from django.db import models

from cairn.directory.models.base import HsdsRecord
from cairn.directory.models.locations import Location, ServiceAtLocation
from cairn.directory.models.organizations import Provider
from cairn.directory.models.services import Service


class Contact(HsdsRecord):
    provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    name = models.TextField(blank=True, default="")
    title = models.TextField(blank=True, default="")
    department = models.TextField(blank=True, default="")
    email = models.TextField(blank=True, default="")


class Phone(HsdsRecord):
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="phones"
    )
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="phones"
    )
    provider = models.ForeignKey(
        Provider, null=True, blank=True, on_delete=models.SET_NULL, related_name="phones"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="phones"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="phones",
    )
    number = models.TextField()
    extension = models.FloatField(null=True, blank=True)
    type = models.TextField(blank=True, default="")
    description = models.TextField(blank=True, default="")

    def __str__(self) -> str:
        return self.number


class Language(HsdsRecord):
    """A language a service, location or phone line works in; `code` is ISO 639 ("en", "fr")."""

    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.SET_NULL, related_name="languages"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="languages"
    )
    phone = models.ForeignKey(
        Phone, null=True, blank=True, on_delete=models.SET_NULL, related_name="languages"
    )
    name = models.TextField(blank=True, default="")
    code = models.CharField(max_length=35, blank=True, default="")
    note = models.TextField(blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["code"], name="directory_language_code")]
