"""The referral API: send (idempotent), lists, detail, steps and consent withdrawal;
bad input answers 422 naming the field, never 500."""

import pytest

from cairn.referrals.models import Referral

pytestmark = pytest.mark.django_db


def body(service, **overrides) -> dict:
    data = {
        "service_id": service.pk,
        "reason": "Wants to start OAT this week",
        "consent": {"given": True, "how": "verbal", "allows": ["name", "reason"]},
        "details": {"name": "Sam Whitehorse", "contact": "250-555-0100"},
        "person_label": "Sam, met at the drop-in",
    }
    data.update(overrides)
    return data


def post(client, url, data, **headers):
    return client.post(url, data, content_type="application/json", headers=headers)


def test_send_and_follow_it_to_completion(client, outreach_worker, service_intake, clinic_service):
    client.force_login(outreach_worker)
    response = post(client, "/api/v1/referrals", body(clinic_service))
    assert response.status_code == 201
    sent = response.json()
    assert sent["status"] == "sent" and sent["shared_details"]["name"] == ["Sam Whitehorse"]
    assert "contact" not in sent["shared_details"]  # typed, but not allowed
    assert sent["person_label"] == "Sam, met at the drop-in"

    client.force_login(service_intake)
    received = client.get("/api/v1/referrals/received").json()
    assert [r["reference"] for r in received] == [sent["reference"]]
    assert received[0]["person_label"] is None
    detail = client.get(f"/api/v1/referrals/{sent['id']}").json()
    assert detail["status"] == "received"
    assert detail["next_steps"] == ["accept", "decline"]
    for step in ("accept", "complete"):
        response = post(client, f"/api/v1/referrals/{sent['id']}/steps", {"step": step})
        assert response.status_code == 200
    assert response.json()["status"] == "completed"
    assert [c["status"] for c in response.json()["changes"]] == [
        "sent",
        "received",
        "accepted",
        "completed",
    ]

    client.force_login(outreach_worker)
    mine = client.get("/api/v1/referrals/sent?status=all").json()
    assert mine[0]["status"] == "completed"


def test_the_same_idempotency_key_sends_one_referral(client, outreach_worker, clinic_service):
    client.force_login(outreach_worker)
    first = post(client, "/api/v1/referrals", body(clinic_service), **{"Idempotency-Key": "k-1"})
    again = post(client, "/api/v1/referrals", body(clinic_service), **{"Idempotency-Key": "k-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Referral.objects.count() == 1


def test_the_same_form_key_sends_one_referral_from_the_page(
    client, outreach_worker, clinic_service
):
    client.force_login(outreach_worker)
    form = {
        "service": clinic_service.pk,
        "reason": "Needs a same-day start",
        "consent_given": "no",
        "idempotency_key": "form-key-1",
    }
    first = client.post("/referrals/send/", form)
    again = client.post("/referrals/send/", form)
    assert first.status_code == again.status_code == 302
    assert first.url == again.url
    assert Referral.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"reason": "  "}, "reason"),
        ({"service_id": 999999}, "service"),
        (
            {"consent": {"given": True, "how": "verbal", "allows": ["name", "x-ray"]}},
            "consent_allows",
        ),
        (
            {"consent": {"given": True, "how": "by carrier pigeon", "allows": ["name"]}},
            "consent_how",
        ),
        ({"consent": {"given": True, "how": "verbal", "allows": []}}, "consent_allows"),
        ({"consent": {"given": False, "allows": ["name"]}}, "consent_allows"),
        ({"encounter_id": 424242}, "encounter"),
        ({"person_label": "x" * 151}, "person_label"),
    ],
)
def test_refused_input_names_the_field(client, outreach_worker, clinic_service, overrides, field):
    client.force_login(outreach_worker)
    response = post(client, "/api/v1/referrals", body(clinic_service, **overrides))
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert Referral.objects.count() == 0


def test_a_service_without_a_partner_is_422_on_service(
    client, outreach_worker, unpartnered_service
):
    client.force_login(outreach_worker)
    response = post(client, "/api/v1/referrals", body(unpartnered_service))
    assert response.status_code == 422
    assert response.json()["field"] == "service"


def test_malformed_json_is_422_with_the_fields(client, outreach_worker, clinic_service):
    client.force_login(outreach_worker)
    response = post(client, "/api/v1/referrals", {"service_id": "the clinic"})
    assert response.status_code == 422
    fields = {tuple(e["loc"])[-1] for e in response.json()["errors"]}
    assert {"service_id", "reason", "consent"} <= fields


def test_a_bad_step_is_422_on_step(client, outreach_worker, service_intake, clinic_service):
    client.force_login(outreach_worker)
    referral = post(client, "/api/v1/referrals", body(clinic_service)).json()
    client.force_login(service_intake)
    response = post(client, f"/api/v1/referrals/{referral['id']}/steps", {"step": "complete"})
    assert response.status_code == 422
    assert response.json()["field"] == "step"
    response = post(client, f"/api/v1/referrals/{referral['id']}/steps", {"step": "decline"})
    assert response.json()["field"] == "note"


def test_an_unknown_list_status_is_422(client, outreach_worker):
    client.force_login(outreach_worker)
    response = client.get("/api/v1/referrals/sent?status=pending")
    assert response.status_code == 422
    assert "status" in response.json()["detail"]


def test_withdrawal_over_the_api(client, outreach_worker, service_intake, clinic_service):
    client.force_login(outreach_worker)
    referral = post(client, "/api/v1/referrals", body(clinic_service)).json()
    response = post(client, f"/api/v1/referrals/{referral['id']}/consent/withdraw", {"note": ""})
    assert response.status_code == 200
    assert response.json()["shared_details"] == {}
    client.force_login(service_intake)
    seen = client.get(f"/api/v1/referrals/{referral['id']}").json()
    assert seen["shared_details"] == {} and seen["consent_withdrawn_at"]
    response = post(client, f"/api/v1/referrals/{referral['id']}/consent/withdraw", {"note": ""})
    assert response.status_code == 422 and response.json()["field"] == "consent"


def test_a_receiver_cannot_send(client, service_intake, clinic_service):
    client.force_login(service_intake)
    assert post(client, "/api/v1/referrals", body(clinic_service)).status_code == 403
