"""The HSDS-shaped directory models: ids, many-parent rows, service types, the Cairn taxonomy."""

import pytest

from cairn.directory.models import (
    Attribute,
    Language,
    Location,
    Phone,
    Provider,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from cairn.directory.taxonomy import SERVICE_TYPE_CODES, ensure_cairn_service_types

pytestmark = pytest.mark.django_db


def test_cairn_service_types_are_seeded_once_with_fixed_ids():
    first = ensure_cairn_service_types()
    second = ensure_cairn_service_types()
    assert first == second
    assert sorted(first) == sorted(SERVICE_TYPE_CODES)
    assert TaxonomyTerm.objects.filter(taxonomy="cairn-service-type").count() == 12


def test_service_types_are_terms_linked_through_attributes():
    terms = ensure_cairn_service_types()
    provider = Provider.objects.create(name="Northern Health", description="")
    service = Service.objects.create(provider=provider, name="Rapid access OAT", status="active")
    Attribute.objects.create(
        link_id=service.hsds_id,
        link_entity="service",
        service=service,
        taxonomy_term_id=terms["oat"],
    )
    assert list(Service.objects.filter(types__code="oat")) == [service]
    assert service.receiving_organization is None


def test_one_phone_row_belongs_to_several_parents():
    provider = Provider.objects.create(name="Clinic", description="")
    service = Service.objects.create(provider=provider, name="Drop-in", status="active")
    location = Location.objects.create(
        provider=provider, name="Main St", latitude=53.9, longitude=-122.7
    )
    at = ServiceAtLocation.objects.create(service=service, location=location)
    phone = Phone.objects.create(
        number="250-555-0100", service=service, location=location, service_at_location=at
    )
    Language.objects.create(phone=phone, service=service, code="en", name="English")
    service.delete()
    phone.refresh_from_db()
    assert phone.service_id is None and phone.location_id == location.pk
    assert len(phone.hsds_id) == 36
