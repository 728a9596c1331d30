"""HSDS taxonomy, taxonomy_term, attribute, metadata and meta_table_description.

`Attribute` links a taxonomy term to any HSDS object by its HSDS id (`link_id`); when that
object is a service, `service` is set too, which makes `Service.types` a plain many-to-many
for search. `Metadata` rows are the HSDS change log of a resource (`resource_id`).
"""

from django.db import models

from cairn.directory.models.base import HsdsRecord
from cairn.directory.models.services import Service


class Taxonomy(HsdsRecord):
    name = models.TextField()
    description = models.TextField(blank=True, default="")
    uri = models.TextField(blank=True, default="")
    version = models.TextField(blank=True, default="")

    class Meta:
        verbose_name_plural = "taxonomies"


class TaxonomyTerm(HsdsRecord):
    code = models.CharField(max_length=200, blank=True, default="")
    name = models.TextField()
    description = models.TextField(blank=True, default="")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    taxonomy = models.TextField(
        blank=True, default="", help_text="HSDS `taxonomy`: the taxonomy's name, as text."
    )
    taxonomy_detail = models.ForeignKey(
        Taxonomy,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="terms",
        help_text="HSDS taxonomy_id.",
    )
    language = models.CharField(max_length=35, blank=True, default="")
    term_uri = models.TextField(blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["code"], name="directory_term_code")]


class Attribute(HsdsRecord):
    link_id = models.CharField(
        max_length=36, blank=True, default="", help_text="HSDS id of the object described."
    )
    taxonomy_term = models.ForeignKey(
        TaxonomyTerm,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attributes",
    )
    link_type = models.TextField(blank=True, default="")
    link_entity = models.TextField(blank=True, default="")
    value = models.TextField(blank=True, default="")
    service = models.ForeignKey(
        Service,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attributes",
        help_text="Set when link_id is a service.",
    )

    class Meta:
        indexes = [models.Index(fields=["link_id"], name="directory_attribute_link")]

    def __str__(self) -> str:
        return f"{self.link_entity} {self.link_id}: {self.taxonomy_term_id}"


class Metadata(HsdsRecord):
    resource_id = models.CharField(max_length=36, blank=True, default="")
    resource_type = models.TextField(blank=True, default="")
    last_action_date = models.TextField()
    last_action_type = models.TextField()
    field_name = models.TextField()
    previous_value = models.TextField(blank=True, default="")
    replacement_value = models.TextField(blank=True, default="")
    updated_by = models.TextField()

    class Meta:
        verbose_name_plural = "metadata"
        indexes = [models.Index(fields=["resource_id"], name="directory_metadata_resource")]

    def __str__(self) -> str:
        return f"{self.resource_type} {self.resource_id} {self.field_name}"


class MetaTableDescription(HsdsRecord):
    name = models.TextField(blank=True, default="")
    language = models.CharField(max_length=35, blank=True, default="")
    character_set = models.TextField(blank=True, default="")
