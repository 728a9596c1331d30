"""The resource directory, shaped like Open Referral HSDS 3.0 (one model per HSDS table).

HSDS organization is `Provider`; every other HSDS table keeps its HSDS name. Each HSDS row
keeps its HSDS id (`hsds_id`) and an `extra` JSON of what Cairn does not model, so an
import followed by an export gives the same document (cairn.directory.hsds).
Capacity and verification (helper modules) are Cairn's own, not HSDS.
"""

from cairn.directory.models.base import HsdsRecord, new_hsds_id
from cairn.directory.models.capacity import Capacity, CapacityChange, CapacityKind
from cairn.directory.models.contacts import Contact, Language, Phone
from cairn.directory.models.imports import HsdsImport
from cairn.directory.models.locations import (
    Accessibility,
    Address,
    Location,
    LocationType,
    ServiceAtLocation,
)
from cairn.directory.models.organizations import (
    Funding,
    OrganizationIdentifier,
    Program,
    Provider,
)
from cairn.directory.models.schedules import OpeningHours, Schedule
from cairn.directory.models.services import (
    CostOption,
    RequiredDocument,
    Service,
    ServiceArea,
    ServiceStatus,
)
from cairn.directory.models.taxonomy import (
    Attribute,
    Metadata,
    MetaTableDescription,
    Taxonomy,
    TaxonomyTerm,
)
from cairn.directory.models.verification import ListingConfirmation, StaleListingNotice

__all__ = [
    "Accessibility",
    "Address",
    "Attribute",
    "Capacity",
    "CapacityChange",
    "CapacityKind",
    "Contact",
    "CostOption",
    "Funding",
    "HsdsImport",
    "HsdsRecord",
    "Language",
    "ListingConfirmation",
    "Location",
    "LocationType",
    "MetaTableDescription",
    "Metadata",
    "OpeningHours",
    "OrganizationIdentifier",
    "Phone",
    "Program",
    "Provider",
    "RequiredDocument",
    "Schedule",
    "Service",
    "ServiceArea",
    "ServiceAtLocation",
    "ServiceStatus",
    "StaleListingNotice",
    "Taxonomy",
    "TaxonomyTerm",
    "new_hsds_id",
]
