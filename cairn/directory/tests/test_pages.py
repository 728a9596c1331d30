"""The directory pages: public search and listing pages without sign-in; keepers'
pages for the owning organization and curators only, every change audited."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cairn.access.models import AuditEvent, Organization
from cairn.directory.models import Capacity, CapacityChange, ListingConfirmation, Service
from cairn.directory.tests.builders import build_service

pytestmark = pytest.mark.django_db

PG = (53.9171, -122.7497)
CLINIC = "Prince George Rapid Access Addiction Clinic"


@pytest.fixture
def clinic_org(service_intake):
    return Organization.objects.get(name=CLINIC)


@pytest.fixture
def listings(bc_geography, clinic_org):
    today = timezone.localdate()
    return {
        "clinic": build_service(
            "Rapid Access Addiction Clinic",
            partner=clinic_org,
            types=("oat",),
            point=PG,
            hours=((1, 2, 3, 4, 5, 6, 7), "00:00", "00:00"),  # open every hour of every day
            assured=today - dt.timedelta(days=120),
            eligibility_description="Adults who want to start or restart OAT.",
            application_process="Walk in; bring a health card if you have one.",
            fees_description="Free",
        ),
        "fresh": build_service(
            "Naloxone at the library",
            types=("naloxone",),
            point=(PG[0] + 0.03, PG[1]),
            assured=today,
        ),
        "other_org": build_service(
            "Downtown shelter", types=("shelter",), point=(PG[0] + 0.01, PG[1]), assured=today
        ),
    }


def test_anyone_may_search_without_signing_in(client, listings):
    response = client.get(reverse("directory:search"), {"type": "oat"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rapid Access Addiction Clinic" in html
    assert "Naloxone at the library" not in html
    assert "May be out of date" in html and "Open now" in html


def test_search_by_distance_shows_kilometres_nearest_first(client, listings):
    response = client.get(reverse("directory:search"), {"lat": PG[0], "lon": PG[1], "km": "5"})
    html = response.content.decode()
    first, second, third = (
        html.index("Rapid Access Addiction Clinic"),
        html.index("Downtown shelter"),
        html.index("Naloxone at the library"),
    )
    assert first < second < third
    assert "0.0 km" in html and "1.1 km" in html and "3.3 km" in html


def test_htmx_gets_only_the_results(client, listings):
    response = client.get(reverse("directory:search"), {"q": "library"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "Naloxone at the library" in html
    assert "1 service found" in html


def test_bad_search_input_names_the_field_not_a_server_error(client, listings):
    response = client.get(reverse("directory:search"), {"lat": "91", "lon": "0"})
    assert response.status_code == 400
    assert "lat" in response.content.decode()
    response = client.get(reverse("directory:search"), {"km": "10"})
    assert response.status_code == 400
    assert "Distance" in response.content.decode()
    response = client.get(reverse("directory:search"), {"type": "no-such-type"})
    assert response.status_code == 400


def test_listing_page_has_what_a_person_needs(client, listings, service_intake):
    clinic = listings["clinic"]
    from django.db import transaction

    from cairn.directory.listings import update_capacity

    with transaction.atomic():
        update_capacity(
            actor=service_intake, service=clinic, kind="same_day_oat", is_available=True
        )
    response = client.get(reverse("directory:service_detail", args=[clinic.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for text in [
        "1108 3rd Ave",
        "Prince George",
        "Open now",
        "Same-day OAT start: Yes",
        "Adults who want to start or restart OAT.",
        "Walk in; bring a health card",
        "Free",
        "English",
        "250-555-0100",
        "May be out of date",
        "Opioid agonist treatment",
    ]:
        assert text in html, text
    assert "Still correct" not in html  # the public gets no keeper buttons


def test_a_defunct_or_unknown_listing_is_not_found(client, listings):
    Service.objects.filter(pk=listings["fresh"].pk).update(status="defunct")
    assert (
        client.get(reverse("directory:service_detail", args=[listings["fresh"].pk])).status_code
        == 404
    )
    assert client.get(reverse("directory:service_detail", args=[999999])).status_code == 404


def test_your_listings_shows_only_the_organization_s_listings_stale_first(
    client, listings, service_intake
):
    client.force_login(service_intake)
    html = client.get(reverse("directory:my_listings")).content.decode()
    assert "Rapid Access Addiction Clinic" in html
    assert "Downtown shelter" not in html
    assert "1 listing needs confirming" in html


def test_still_correct_confirms_once_and_is_audited(client, listings, service_intake, clinic_org):
    clinic = listings["clinic"]
    client.force_login(service_intake)
    url = reverse("directory:listing_confirm", args=[clinic.pk])
    for _ in range(2):  # the same form sent twice
        response = client.post(url, {"idempotency_key": "confirm-1"}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert "Confirmed today" in response.content.decode()
    clinic.refresh_from_db()
    assert clinic.assured_date == timezone.localdate()
    confirmation = ListingConfirmation.objects.get(service=clinic)
    assert confirmation.organization == clinic_org
    assert confirmation.kind == "unchanged"
    assert confirmation.confirmed_by == service_intake
    assert (
        AuditEvent.objects.filter(
            action="directory.listing_confirmed", target_id=str(clinic.pk)
        ).count()
        == 1
    )


def test_keepers_of_another_organization_are_refused(
    client, listings, service_intake, outreach_worker
):
    client.force_login(service_intake)
    other = listings["other_org"]
    for name in ("listing_edit", "capacity_update"):
        assert client.get(reverse(f"directory:{name}", args=[other.pk])).status_code == 403
    assert client.post(reverse("directory:listing_confirm", args=[other.pk])).status_code == 403
    client.force_login(outreach_worker)
    assert client.get(reverse("directory:my_listings")).status_code == 403
    assert (
        client.get(reverse("directory:listing_edit", args=[listings["clinic"].pk])).status_code
        == 403
    )


def test_a_curator_keeps_every_listing(client, listings, administrator):
    client.force_login(administrator)
    html = client.get(reverse("directory:my_listings")).content.decode()
    assert "Downtown shelter" in html and "Rapid Access Addiction Clinic" in html
    url = reverse("directory:listing_confirm", args=[listings["other_org"].pk])
    assert client.post(url, {"idempotency_key": "k"}).status_code == 302
    assert ListingConfirmation.objects.get(service=listings["other_org"]).organization is None


def test_edit_then_confirm_keeps_what_changed(client, listings, service_intake):
    clinic = listings["clinic"]
    client.force_login(service_intake)
    url = reverse("directory:listing_edit", args=[clinic.pk])
    form = client.get(url).context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data.update(
        fees_description="Free; no health card needed",
        minimum_age="16",
        confirm="on",
        idempotency_key="edit-1",
    )
    response = client.post(url, data)
    assert response.status_code == 302
    clinic.refresh_from_db()
    assert clinic.fees_description == "Free; no health card needed"
    assert clinic.minimum_age == 16
    assert clinic.assured_date == timezone.localdate()
    confirmation = ListingConfirmation.objects.get(service=clinic)
    assert confirmation.kind == "edited"
    assert confirmation.changes == {
        "fees_description": ["Free", "Free; no health card needed"],
        "minimum_age": [None, 16],
    }
    event = AuditEvent.objects.get(action="directory.listing_updated", target_id=str(clinic.pk))
    assert event.details["changes"]["minimum_age"] == [None, 16]
    # Re-sending the same form changes and confirms nothing more.
    client.post(url, data)
    assert ListingConfirmation.objects.filter(service=clinic).count() == 1


def test_bad_edit_names_the_field_and_keeps_the_input(client, listings, service_intake):
    clinic = listings["clinic"]
    client.force_login(service_intake)
    url = reverse("directory:listing_edit", args=[clinic.pk])
    data = {
        "name": "Clinic",
        "status": "active",
        "email": "not-an-email",
        "minimum_age": "30",
        "maximum_age": "20",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Give an email address" in html
    assert 'value="not-an-email"' in html
    clinic.refresh_from_db()
    assert clinic.name == "Rapid Access Addiction Clinic"
    response = client.post(url, {**data, "email": ""})
    assert response.status_code == 400
    assert "minimum age is above the maximum age" in response.content.decode()


def test_capacity_update_keeps_history_and_is_audited(client, listings, service_intake):
    clinic = listings["clinic"]
    client.force_login(service_intake)
    url = reverse("directory:capacity_update", args=[clinic.pk])
    client.post(url, {"kind": "same_day_oat", "is_available": "yes", "idempotency_key": "c1"})
    client.post(
        url,
        {
            "kind": "same_day_oat",
            "is_available": "no",
            "note": "Full today",
            "idempotency_key": "c2",
        },
    )
    client.post(
        url,
        {
            "kind": "same_day_oat",
            "is_available": "no",
            "note": "Full today",
            "idempotency_key": "c2",
        },
    )
    capacity = Capacity.objects.get(service=clinic)
    assert (capacity.is_available, capacity.note, capacity.updated_by) == (
        False,
        "Full today",
        service_intake,
    )
    assert CapacityChange.objects.filter(service=clinic).count() == 2
    assert AuditEvent.objects.filter(action="directory.capacity_updated").count() == 2
    response = client.post(url, {"kind": "beds", "available": "", "idempotency_key": "c3"})
    assert response.status_code == 400
    assert "Give a number" in response.content.decode()
    html = client.get(url).content.decode()
    assert "Full today" in html


def test_keepers_see_their_buttons_on_the_public_page(client, listings, service_intake):
    client.force_login(service_intake)
    html = client.get(
        reverse("directory:service_detail", args=[listings["clinic"].pk])
    ).content.decode()
    assert "Still correct" in html and "Update capacity" in html
    html = client.get(
        reverse("directory:service_detail", args=[listings["other_org"].pk])
    ).content.decode()
    assert "Still correct" not in html


def test_listing_page_from_a_search_near_a_point_shows_the_distance(client, listings):
    url = reverse("directory:service_detail", args=[listings["fresh"].pk])
    response = client.get(url, {"lat": PG[0], "lon": PG[1]})
    assert response.status_code == 200
    assert "3.3 km" in response.content.decode()
    assert client.get(url, {"lat": "north", "lon": "1"}).status_code == 200  # ignored


def test_a_distance_from_a_community_is_measured_from_its_middle(client, listings):
    from cairn.directory.queries import community_centre

    centre = community_centre("bc-lha-prince-george")  # the middle of its three sites
    assert centre == pytest.approx((PG[0] + 0.04 / 3, PG[1]), abs=1e-6)
    far = build_service("Out of town", point=(PG[0] - 0.7, PG[1]))  # about 79 km south
    response = client.get(
        reverse("directory:search"), {"community": "bc-lha-prince-george", "km": "50"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Rapid Access Addiction Clinic" in html and "nearest first" in html
    assert far.name not in html
    response = client.get(
        reverse("directory:search"), {"community": "bc-lha-prince-george", "km": "100"}
    )
    assert far.name in response.content.decode()
