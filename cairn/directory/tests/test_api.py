"""The directory API: public search and listing; keepers' capacity and confirmation."""

import datetime as dt

import pytest
from django.utils import timezone

from cairn.access.models import AuditEvent, Organization
from cairn.directory.models import CapacityChange, ListingConfirmation
from cairn.directory.tests.builders import build_service

pytestmark = pytest.mark.django_db
PG = (53.9171, -122.7497)


@pytest.fixture
def listings(bc_geography, service_intake):
    clinic = Organization.objects.get(name="Prince George Rapid Access Addiction Clinic")
    old = timezone.localdate() - dt.timedelta(days=100)
    return {
        "clinic": build_service(
            "Rapid OAT", partner=clinic, point=PG, assured=old, languages=("en", "pa")
        ),
        "shelter": build_service("Shelter", types=("shelter",), point=(PG[0] + 0.02, PG[1])),
    }


def test_search_is_public_and_sorted_by_distance(client, listings):
    response = client.get(
        "/api/v1/directory/search",
        {"lat": PG[0], "lon": PG[1], "km": 10, "type": ["oat", "shelter"]},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == 2
    assert [r["name"] for r in body["results"]] == ["Rapid OAT", "Shelter"]
    first = body["results"][0]
    assert first["distance_km"] == 0.0 and first["stale"] is True
    assert first["place"]["community"] == "bc-lha-prince-george"
    assert first["types"] == ["oat"]
    assert body["results"][1]["distance_km"] == pytest.approx(2.22, abs=0.01)
    assert client.get("/api/v1/directory/search", {"language": "pa"}).json()["total"] == 1


def test_bad_search_parameters_answer_422_naming_the_field(client, listings):
    response = client.get("/api/v1/directory/search", {"km": 5})
    assert response.status_code == 422 and response.json()["field"] == "within_km"
    response = client.get("/api/v1/directory/search", {"community": "nowhere"})
    assert response.status_code == 422 and response.json()["field"] == "community"
    response = client.get("/api/v1/directory/search", {"lat": "north", "lon": 1})
    assert response.status_code == 422


def test_a_listing_is_public(client, listings):
    body = client.get(f"/api/v1/directory/services/{listings['clinic'].pk}").json()
    assert body["name"] == "Rapid OAT"
    assert body["languages"] == ["English", "Punjabi"]
    assert body["places"][0]["address"]["address_1"] == "1108 3rd Ave"
    assert body["hours"] == ["Mon–Fri 09:00–17:00"]
    assert client.get("/api/v1/directory/services/999999").status_code == 404


def test_the_owning_organization_updates_capacity_once_per_key(client, listings, service_intake):
    client.force_login(service_intake)
    url = f"/api/v1/directory/services/{listings['clinic'].pk}/capacity"
    for _ in range(2):
        response = client.post(
            url,
            {"kind": "same_day_oat", "is_available": True},
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="cap-1",
        )
        assert response.status_code == 200
    assert response.json()["is_available"] is True
    assert CapacityChange.objects.count() == 1
    assert AuditEvent.objects.filter(action="directory.capacity_updated").count() == 1
    response = client.post(url, {"kind": "beds"}, content_type="application/json")
    assert response.status_code == 422 and response.json()["field"] == "available"
    response = client.post(url, {"kind": "rooms", "available": 2}, content_type="application/json")
    assert response.status_code == 422 and response.json()["field"] == "kind"
    shelter = f"/api/v1/directory/services/{listings['shelter'].pk}/capacity"
    response = client.post(
        shelter, {"kind": "beds", "available": 3}, content_type="application/json"
    )
    assert response.status_code == 403


def test_confirm_over_the_api(client, listings, service_intake, administrator, outreach_worker):
    client.force_login(service_intake)
    url = f"/api/v1/directory/services/{listings['clinic'].pk}/confirm"
    response = client.post(url, {"note": "Checked hours"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["last_verified"] == timezone.localdate().isoformat()
    listings_body = client.get("/api/v1/directory/listings").json()
    assert [(row["name"], row["stale"]) for row in listings_body] == [("Rapid OAT", False)]
    client.force_login(outreach_worker)
    assert client.post(url, {}, content_type="application/json").status_code == 403
    client.force_login(administrator)
    shelter = f"/api/v1/directory/services/{listings['shelter'].pk}/confirm"
    assert client.post(shelter, {}, content_type="application/json").status_code == 200
    assert ListingConfirmation.objects.count() == 2
