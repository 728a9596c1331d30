"""The HSDS 3.0 tables as Cairn stores them: which model, which columns, which links.

One `Table` per HSDS object. Its scalar fields come from the official schema (in schema
order, so exports read like the specification); `links` name the HSDS foreign keys and the
model field that holds each; `nested` says how the compiled (nested) JSON form links a
child object to its parent. Everything the importer and exporter do is driven by this.
"""

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.db import models as dj

from cairn.directory import models

SCHEMA_DIR = Path(__file__).parent / "schema"


@dataclass(frozen=True)
class Link:
    attr: str  # model field name (a ForeignKey)
    target: str  # HSDS table name


@dataclass(frozen=True)
class Nested:
    child: str  # HSDS table of the nested object(s)
    many: bool
    # How the nesting links them: the child's field pointing at the parent ("service_id"),
    # or, for a single nested object, the parent's field pointing at the child.
    child_field: str = ""
    parent_field: str = ""


@dataclass
class Table:
    name: str  # HSDS object name, e.g. "service"
    model: type
    csv_name: str  # file of the tabular form, e.g. "services.csv"
    links: dict[str, Link] = field(default_factory=dict)
    nested: dict[str, Nested] = field(default_factory=dict)
    # Columns filled by Cairn, never by an import (kept on re-import).
    fields: list[str] = field(default_factory=list)  # HSDS scalar fields, schema order
    numbers: frozenset = frozenset()
    required: tuple = ()
    tabular_required: tuple = ()

    @property
    def schema_file(self) -> str:
        return f"{self.name}.json"

    def model_field(self, hsds_field: str) -> str:
        link = self.links.get(hsds_field)
        return link.attr if link else hsds_field


def _generic() -> dict[str, Nested]:
    return {
        "attributes": Nested("attribute", True, child_field="link_id"),
        "metadata": Nested("metadata", True, child_field="resource_id"),
    }


def _many(child: str, child_field: str) -> Nested:
    return Nested(child, True, child_field=child_field)


def _one(child: str, parent_field: str) -> Nested:
    return Nested(child, False, parent_field=parent_field)


# Import order: a table comes after the tables it links to.
TABLE_LIST: list[Table] = [
    Table(
        "taxonomy", models.Taxonomy, "taxonomies.csv", nested={"metadata": _generic()["metadata"]}
    ),
    Table(
        "taxonomy_term",
        models.TaxonomyTerm,
        "taxonomy_terms.csv",
        links={
            "parent_id": Link("parent", "taxonomy_term"),
            "taxonomy_id": Link("taxonomy_detail", "taxonomy"),
        },
        nested={
            "taxonomy_detail": _one("taxonomy", "taxonomy_id"),
            "metadata": _generic()["metadata"],
        },
    ),
    Table(
        "organization",
        models.Provider,
        "organizations.csv",
        links={"parent_organization_id": Link("parent", "organization")},
        nested={
            "funding": _many("funding", "organization_id"),
            "contacts": _many("contact", "organization_id"),
            "phones": _many("phone", "organization_id"),
            "locations": _many("location", "organization_id"),
            "programs": _many("program", "organization_id"),
            "organization_identifiers": _many("organization_identifier", "organization_id"),
            # Not in organization.json, but the official organization_full example has it.
            "services": _many("service", "organization_id"),
            **_generic(),
        },
    ),
    Table(
        "program",
        models.Program,
        "programs.csv",
        links={"organization_id": Link("provider", "organization")},
        nested=_generic(),
    ),
    Table(
        "service",
        models.Service,
        "services.csv",
        links={
            "organization_id": Link("provider", "organization"),
            "program_id": Link("program", "program"),
        },
        nested={
            "phones": _many("phone", "service_id"),
            "schedules": _many("schedule", "service_id"),
            "service_areas": _many("service_area", "service_id"),
            "service_at_locations": _many("service_at_location", "service_id"),
            "languages": _many("language", "service_id"),
            "organization": _one("organization", "organization_id"),
            "funding": _many("funding", "service_id"),
            "cost_options": _many("cost_option", "service_id"),
            "program": _one("program", "program_id"),
            "required_documents": _many("required_document", "service_id"),
            "contacts": _many("contact", "service_id"),
            **_generic(),
        },
    ),
    Table(
        "location",
        models.Location,
        "locations.csv",
        links={"organization_id": Link("provider", "organization")},
        nested={
            "languages": _many("language", "location_id"),
            "addresses": _many("address", "location_id"),
            "contacts": _many("contact", "location_id"),
            "accessibility": _many("accessibility", "location_id"),
            "phones": _many("phone", "location_id"),
            "schedules": _many("schedule", "location_id"),
            **_generic(),
        },
    ),
    Table(
        "service_at_location",
        models.ServiceAtLocation,
        "service_at_location.csv",
        links={
            "service_id": Link("service", "service"),
            "location_id": Link("location", "location"),
        },
        nested={
            "contacts": _many("contact", "service_at_location_id"),
            "phones": _many("phone", "service_at_location_id"),
            "schedules": _many("schedule", "service_at_location_id"),
            "location": _one("location", "location_id"),
            # Not in service_at_location.json; the service_at_location_full example has it.
            "service": _one("service", "service_id"),
            **_generic(),
        },
    ),
    Table(
        "contact",
        models.Contact,
        "contacts.csv",
        links={
            "organization_id": Link("provider", "organization"),
            "service_id": Link("service", "service"),
            "service_at_location_id": Link("service_at_location", "service_at_location"),
            "location_id": Link("location", "location"),
        },
        nested={"phones": _many("phone", "contact_id"), **_generic()},
    ),
    Table(
        "phone",
        models.Phone,
        "phones.csv",
        links={
            "location_id": Link("location", "location"),
            "service_id": Link("service", "service"),
            "organization_id": Link("provider", "organization"),
            "contact_id": Link("contact", "contact"),
            "service_at_location_id": Link("service_at_location", "service_at_location"),
        },
        nested={"languages": _many("language", "phone_id"), **_generic()},
    ),
    Table(
        "language",
        models.Language,
        "languages.csv",
        links={
            "service_id": Link("service", "service"),
            "location_id": Link("location", "location"),
            "phone_id": Link("phone", "phone"),
        },
        nested=_generic(),
    ),
    Table(
        "schedule",
        models.Schedule,
        "schedules.csv",
        links={
            "service_id": Link("service", "service"),
            "location_id": Link("location", "location"),
            "service_at_location_id": Link("service_at_location", "service_at_location"),
        },
        nested=_generic(),
    ),
    Table(
        "address",
        models.Address,
        "addresses.csv",
        links={"location_id": Link("location", "location")},
        nested=_generic(),
    ),
    Table(
        "accessibility",
        models.Accessibility,
        "accessibility.csv",
        links={"location_id": Link("location", "location")},
        nested=_generic(),
    ),
    Table(
        "funding",
        models.Funding,
        "funding.csv",
        links={
            "organization_id": Link("provider", "organization"),
            "service_id": Link("service", "service"),
        },
        nested=_generic(),
    ),
    Table(
        "service_area",
        models.ServiceArea,
        "service_areas.csv",
        links={"service_id": Link("service", "service")},
        nested=_generic(),
    ),
    Table(
        "cost_option",
        models.CostOption,
        "cost_options.csv",
        links={"service_id": Link("service", "service")},
        nested=_generic(),
    ),
    Table(
        "required_document",
        models.RequiredDocument,
        "required_documents.csv",
        links={"service_id": Link("service", "service")},
        nested=_generic(),
    ),
    Table(
        "organization_identifier",
        models.OrganizationIdentifier,
        "organization_identifiers.csv",
        links={"organization_id": Link("provider", "organization")},
        nested=_generic(),
    ),
    Table(
        "attribute",
        models.Attribute,
        "attributes.csv",
        links={"taxonomy_term_id": Link("taxonomy_term", "taxonomy_term")},
        nested={"taxonomy_term": _one("taxonomy_term", "taxonomy_term_id"), **_generic()},
    ),
    Table(
        "metadata",
        models.Metadata,
        "metadata.csv",
        nested={},
    ),
    Table(
        "meta_table_description",
        models.MetaTableDescription,
        "meta_table_descriptions.csv",
        nested=_generic(),
    ),
]
TABLES: dict[str, Table] = {table.name: table for table in TABLE_LIST}
MODEL_TABLE: dict[type, Table] = {table.model: table for table in TABLE_LIST}

# Names a file or a JSON key may use for a table: "service", "services", "services.csv".
TABLE_ALIASES: dict[str, str] = {}
for _table in TABLE_LIST:
    for _alias in (_table.name, _table.csv_name.removesuffix(".csv"), _table.name + "s"):
        TABLE_ALIASES.setdefault(_alias, _table.name)


@cache
def load_schemas() -> dict[str, dict]:
    """The official HSDS schemas, by file name ("service.json")."""
    return {
        path.name: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(SCHEMA_DIR.glob("*.json"))
        if path.name not in ("openapi.json", "datapackage.json")
    }


# Nested in the official examples though not in the schemas: organization.services
# (organization_full.json) and service_at_location.service (service_at_location_full.json).
_EXAMPLE_ONLY_NESTING = {"services", "service"}


def _configure() -> None:
    schemas = load_schemas()
    for table in TABLE_LIST:
        schema = schemas[table.schema_file]
        scalar = [
            name
            for name, prop in schema["properties"].items()
            if prop.get("type") in ("string", "number", "integer", "boolean")
        ]
        table.fields = scalar
        table.numbers = frozenset(
            name for name in scalar if schema["properties"][name].get("type") == "number"
        )
        table.nested = {
            name: nested
            for name, nested in table.nested.items()
            if name in schema["properties"] or name in _EXAMPLE_ONLY_NESTING
        }
        table.required = tuple(schema.get("required", ()))
        table.tabular_required = tuple(schema.get("tabular_required", ()))
        model_fields = {f.name for f in table.model._meta.get_fields()}
        for name in scalar:
            if name == "id":
                continue
            attr = table.model_field(name)
            if attr not in model_fields:
                raise RuntimeError(f"HSDS {table.name}.{name} has no model field {attr!r}")


_configure()


def field_kind(table: Table, hsds_field: str) -> str:
    """'id', 'link', 'number', 'date', 'datetime' or 'text'."""
    if hsds_field == "id":
        return "id"
    if hsds_field in table.links:
        return "link"
    if hsds_field in table.numbers:
        return "number"
    model_field = table.model._meta.get_field(hsds_field)
    if isinstance(model_field, dj.DateTimeField):
        return "datetime"
    if isinstance(model_field, dj.DateField):
        return "date"
    return "text"
