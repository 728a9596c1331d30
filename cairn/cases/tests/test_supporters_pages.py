"""Supporter and care alert pages: the care team links a supporter and records or revokes
consent; the supporter's own page shows exactly what is consented to, and nothing the
moment it is revoked; the case page shows supporters and alerts; the inbox acknowledges."""

import pytest
from django.urls import reverse

from cairn.access.models import AuditEvent
from cairn.cases import care_alerts, plans
from cairn.cases.models import ClientHolding, Supporter, SupporterConsent
from cairn.cases.tests.conftest import make_client


@pytest.fixture
def person(er_nurse):
    return make_client(er_nurse, given_name="Robin", family_name="Lake")


def _add_supporter(client, person, **fields):
    data = {
        "name": "Sam Rivers",
        "relationship": "peer",
        "contact_method": "phone",
        "contact_value": "250 555 0199",
        "username": "peer.worker",
        "idempotency_key": "k-1",
        **fields,
    }
    return client.post(reverse("cases:supporters", args=[person.pk]), data)


def test_care_team_links_a_supporter_and_records_consent(client, er_nurse, person, peer_worker):
    client.force_login(er_nurse)
    page = client.get(reverse("cases:supporters", args=[person.pk]))
    assert page.status_code == 200 and "Link a supporter" in page.content.decode()
    response = _add_supporter(client, person)
    assert response.status_code == 302
    assert _add_supporter(client, person).status_code == 302  # the same key: one supporter
    supporter = Supporter.objects.get(client=person)
    assert supporter.user == peer_worker and supporter.added_by == "er.nurse"
    url = reverse("cases:supporter_consent_add", args=[person.pk, supporter.pk])
    response = client.post(url, {"purpose": "see_care_plan", "method": "verbal", "note": "Yes"})
    assert response.status_code == 302
    html = client.get(reverse("cases:supporters", args=[person.pk])).content.decode()
    assert "See the care plan" in html and "in force" in html and "Revoke this consent" in html
    detail = client.get(reverse("cases:client_detail", args=[person.pk])).content.decode()
    assert 'id="supporters-heading"' in detail and "Sam Rivers" in detail
    assert "see the care plan (verbal, recorded by the worker" in detail


def test_bad_supporter_input_is_refused_with_the_field(client, er_nurse, person):
    client.force_login(er_nurse)
    response = _add_supporter(client, person, name="", idempotency_key="k-2")
    html = response.content.decode()
    assert response.status_code == 400 and 'data-field="name"' in html
    assert 'value="k-2"' in html  # the corrected resubmission keeps its key
    response = _add_supporter(client, person, username="police.liaison", idempotency_key="k-3")
    assert response.status_code == 400 and 'data-field="username"' in response.content.decode()
    htmx = _add_supporter(client, person, relationship="boss", HTTP_HX_REQUEST="true")
    assert htmx.status_code == 400 and 'data-field="relationship"' in htmx.content.decode()
    assert not Supporter.objects.exists()


def test_the_supporter_sees_what_is_consented_and_nothing_once_revoked(
    client, er_nurse, person, peer_worker
):
    plans.add_goal(actor=er_nurse, client=person, text="Stay on treatment")
    plans.add_referral(actor=er_nurse, client=person, kind="housing", to_whom="BC Housing")
    client.force_login(er_nurse)
    _add_supporter(client, person)
    supporter = Supporter.objects.get(client=person)
    consent_url = reverse("cases:supporter_consent_add", args=[person.pk, supporter.pk])
    client.post(consent_url, {"purpose": "see_care_plan", "method": "written"})
    consent = SupporterConsent.objects.get(supporter=supporter)

    client.force_login(peer_worker)
    home = client.get(reverse("home")).content.decode()
    assert reverse("cases:supporting_list") in home  # "People you support" in the navigation
    listing = client.get(reverse("cases:supporting_list")).content.decode()
    assert "Robin Lake" in listing
    AuditEvent.objects.all().delete()
    response = client.get(reverse("cases:supporting_detail", args=[person.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and "Stay on treatment" in html
    assert "BC Housing" not in html and 'id="appointments"' not in html
    read = AuditEvent.objects.get(action="cases.client.supporter_read")
    assert read.details["consents"] == ["see_care_plan"] and read.actor_username == "peer.worker"
    # The peer worker is not on a care team: the care team's page stays closed.
    assert client.get(reverse("cases:client_detail", args=[person.pk])).status_code == 403

    client.force_login(er_nurse)
    revoke = reverse("cases:supporter_consent_revoke", args=[person.pk, supporter.pk, consent.pk])
    assert client.post(revoke, {"reason": ""}).status_code == 400
    assert client.post(revoke, {"reason": "Robin asked to stop"}).status_code == 302

    client.force_login(peer_worker)
    assert client.get(reverse("cases:supporting_detail", args=[person.pk])).status_code == 404
    listing = client.get(reverse("cases:supporting_list")).content.decode()
    assert "Robin Lake" not in listing
    assert reverse("cases:supporting_list") not in client.get(reverse("home")).content.decode()


def test_police_and_municipal_members_never_open_the_supporter_pages(
    client, er_nurse, person, police_liaison, municipal_coordinator
):
    for user in (police_liaison, municipal_coordinator):
        client.force_login(user)
        assert client.get(reverse("cases:supporting_list")).status_code == 403
        url = reverse("cases:supporting_detail", args=[person.pk])
        assert client.get(url).status_code == 403


def test_the_inbox_and_the_case_page_show_alerts_to_acknowledge(
    client, er_nurse, other_clinician, person
):
    team = ClientHolding.objects.get(client=person).organization
    alert = care_alerts.raise_care_alert(
        client=person,
        organization=team,
        kind="oat_missed_doses",
        text="Three doses missed in a row.",
        link=f"/cases/clients/{person.pk}/",
        source_key="test:missed:1",
    )
    client.force_login(er_nurse)
    AuditEvent.objects.all().delete()
    inbox = client.get(reverse("cases:care_alerts")).content.decode()
    assert "Three doses missed in a row." in inbox and "Robin Lake" in inbox
    assert 'id="care-alert-count">1<' in inbox
    listed = AuditEvent.objects.get(action="cases.client.care_alerts")
    assert listed.details["client_ids"] == [person.pk]
    detail = client.get(reverse("cases:client_detail", args=[person.pk])).content.decode()
    assert f'id="care-alert-{alert.pk}"' in detail
    assert client.get(reverse("cases:care_alerts"), {"state": "later"}).status_code == 400

    client.force_login(other_clinician)
    assert "Three doses" not in client.get(reverse("cases:care_alerts")).content.decode()
    ack = reverse("cases:care_alert_acknowledge", args=[alert.pk])
    assert client.post(ack).status_code == 404

    client.force_login(er_nurse)
    back = f"/cases/clients/{person.pk}/"
    response = client.post(ack, {"next": back})
    assert response.status_code == 302 and response.url == back
    assert client.post(ack, {"next": "https://example.com/"}).url == reverse("cases:care_alerts")
    alert.refresh_from_db()
    assert alert.acknowledged_by == "er.nurse"
    assert "Three doses" not in client.get(reverse("cases:care_alerts")).content.decode()


def test_the_care_team_ends_a_link_from_the_page(client, er_nurse, person, peer_worker):
    client.force_login(er_nurse)
    _add_supporter(client, person)
    supporter = Supporter.objects.get(client=person)
    consent_url = reverse("cases:supporter_consent_add", args=[person.pk, supporter.pk])
    client.post(consent_url, {"purpose": "see_appointments", "method": "verbal"})
    end_url = reverse("cases:supporter_end", args=[person.pk, supporter.pk])
    refused = client.post(end_url, {"reason": " "})
    assert refused.status_code == 400 and 'data-field="reason"' in refused.content.decode()
    assert client.post(end_url, {"reason": "Robin's choice"}).status_code == 302
    html = client.get(reverse("cases:supporters", args=[person.pk])).content.decode()
    assert "Link ended" in html and "Robin&#x27;s choice" in html
    assert "Record consent" not in html
    client.force_login(peer_worker)
    assert client.get(reverse("cases:supporting_detail", args=[person.pk])).status_code == 404
