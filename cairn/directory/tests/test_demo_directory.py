"""The demo directory: about 150 listings, loaded once, searchable, the clinic's listing
kept by clinic.intake."""

import pytest

from cairn.access.models import Organization
from cairn.demo.directory import load_demo_directory
from cairn.directory.access import services_kept_by
from cairn.directory.models import CapacityChange, Location, OpeningHours, Service
from cairn.directory.search import search_services

pytestmark = pytest.mark.django_db


def test_the_demo_directory_loads_once_and_is_searchable(personas, service_intake):
    first = load_demo_directory()
    assert 140 <= first.services <= 170 and first.created == first.services
    assert 0.1 * first.services <= first.stale <= 0.35 * first.services
    counts = (Service.objects.count(), OpeningHours.objects.count(), CapacityChange.objects.count())
    again = load_demo_directory()
    assert again.created == 0
    assert (
        Service.objects.count(),
        OpeningHours.objects.count(),
        CapacityChange.objects.count(),
    ) == counts
    # Every mapped location is placed in its community.
    assert not Location.objects.filter(latitude__isnull=False, community__isnull=True).exists()
    clinic = Organization.objects.get(name="Prince George Rapid Access Addiction Clinic")
    kept = list(services_kept_by(service_intake).values_list("name", flat=True))
    assert "Rapid access addiction clinic: same-day OAT starts" in kept
    assert Service.objects.filter(provider__partner=clinic).count() == 2
    near = search_services(types=["oat"], near=(53.9171, -122.7497), within_km=10)
    names = [hit.service.name for hit in near.hits]
    assert "Rapid access addiction clinic: same-day OAT starts" in names
    assert all(hit.distance_km <= 10 for hit in near.hits)
    assert (
        search_services(
            community="bc-lha-vancouver-centre-north", types=["overdose_prevention"]
        ).total
        >= 1
    )
    assert search_services(types=["drug_checking"]).total >= 5
