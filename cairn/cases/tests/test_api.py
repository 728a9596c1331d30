"""The case API: the same actions as the pages, in JSON."""

import datetime as dt

import pytest

from cairn.access.models import AuditEvent
from cairn.access.tokens import issue_api_token
from cairn.cases.models import Client, ClientMerge, OverdoseEpisode
from cairn.cases.tests.conftest import make_client

BORN = dt.date(1988, 4, 9)
PERSON = {
    "given_name": "Alex",
    "family_name": "Testerson",
    "date_of_birth": "1988-04-09",
    "sex": "M",
    "health_number": "9999 012 345",
    "aliases": ["Sparrow"],
    "phone": "604 555 0123",
    "phone_safe_to_leave_message": False,
}


@pytest.fixture
def api(client, er_nurse):
    client.force_login(er_nurse)
    return client


def post(api, url, body, **headers):
    return api.post(url, body, content_type="application/json", **headers)


def test_create_client_then_the_same_key_returns_it(api):
    first = post(api, "/api/v1/cases/clients", PERSON, HTTP_IDEMPOTENCY_KEY="abc")
    assert first.status_code == 201, first.json()
    body = first.json()
    assert body["display_name"] == "Alex Testerson"
    assert body["identifiers"] == [{"kind": "phn", "value": "9999012345", "issuer": ""}]
    assert body["contacts"][0]["safe_to_leave_message"] is False
    again = post(api, "/api/v1/cases/clients", PERSON, HTTP_IDEMPOTENCY_KEY="abc")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert Client.objects.count() == 1


def test_create_client_answers_409_with_scored_candidates(api, er_nurse):
    known = make_client(er_nurse, given_name="Alex", family_name="Testerson", date_of_birth=BORN)
    similar = {"given_name": "Alec", "family_name": "Testersen", "date_of_birth": "1988-04-09"}
    response = post(api, "/api/v1/cases/clients", similar)
    assert response.status_code == 409
    body = response.json()
    assert body["decisive"] is False
    candidate = body["candidates"][0]
    assert candidate["client_id"] == known.pk and candidate["band"] in {"likely", "very_likely"}
    assert {"text": "Same date of birth (1988-04-09)", "points": 14.7} in candidate["reasons"]
    created = post(api, "/api/v1/cases/clients", {**similar, "different_from": [known.pk]})
    assert created.status_code == 201


def test_duplicate_check_alone_creates_nothing(api, er_nurse):
    make_client(er_nurse, given_name="Alex", family_name="Testerson", date_of_birth=BORN)
    response = post(
        api, "/api/v1/cases/clients/duplicates", {"given_name": "Alex", "family_name": "Testerson"}
    )
    assert response.status_code == 200
    assert [c["display_name"] for c in response.json()["candidates"]] == ["Alex Testerson"]
    assert Client.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"date_of_birth": "1988-04-09"}, "name or an alias"),
        ({"given_name": "A", "family_name": "B", "health_number": "12"}, "10 digits"),
        ({"given_name": "Alex", "date_of_birth": "2999-01-01"}, "future"),
        ({"given_name": "Alex", "sex": "Q"}, "sex"),
    ],
)
def test_bad_client_input_is_a_422_naming_the_field(api, body, message):
    response = post(api, "/api/v1/cases/clients", body)
    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_malformed_json_is_refused_without_a_500(api):
    response = api.post("/api/v1/cases/clients", "{not json", content_type="application/json")
    assert response.status_code in (400, 422)


def test_search_and_detail_are_audited(api, er_nurse):
    person = make_client(
        er_nurse,
        given_name="Alex",
        family_name="Testerson",
        date_of_birth=BORN,
        health_number="9999012345",
    )
    found = api.get("/api/v1/cases/clients", {"q": "alec testerson"})
    assert [c["client_id"] for c in found.json()["candidates"]] == [person.pk]
    exact = api.get("/api/v1/cases/clients", {"health_number": "9999012345"})
    assert exact.json()["candidates"][0]["decisive"] is True
    detail = api.get(f"/api/v1/cases/clients/{person.pk}", {"purpose": "care"})
    assert detail.status_code == 200 and detail.json()["names"][0]["family_name"] == "Testerson"
    assert AuditEvent.objects.filter(action="cases.client.read", target_id=str(person.pk)).exists()
    assert api.get(f"/api/v1/cases/clients/{person.pk}", {"purpose": "x"}).status_code == 400
    assert api.get("/api/v1/cases/clients", {"q": "1988-02-31"}).status_code == 422


def test_worklist_and_opening_a_case_from_a_visit(api, nurse_record):
    worklist = api.get("/api/v1/cases/worklist").json()
    assert [r["id"] for r in worklist["records"]] == [nurse_record.pk]
    assert "given_name" not in worklist["records"][0]  # de-identified
    record = api.get(f"/api/v1/cases/records/{nurse_record.pk}").json()
    assert record["identity"]["family_name"] == "Testerson"
    opened = post(
        api,
        f"/api/v1/cases/records/{nurse_record.pk}/open",
        {"client": {**PERSON, "idempotency_key": "k"}},
    )
    assert opened.status_code == 201, opened.json()
    assert opened.json()["sources"][0]["event_id"] == nurse_record.pk
    again = post(
        api,
        f"/api/v1/cases/records/{nurse_record.pk}/open",
        {"client": {**PERSON, "idempotency_key": "k"}},
    )
    assert again.status_code == 200 and OverdoseEpisode.objects.count() == 1
    assert api.get("/api/v1/cases/worklist").json()["count"] == 0
    assert post(api, f"/api/v1/cases/records/{nurse_record.pk}/open", {}).status_code == 422


def test_merge_and_undo_over_the_api(api, er_nurse):
    named = make_client(er_nurse, given_name="Alex", family_name="Testerson", date_of_birth=BORN)
    alias = make_client(
        er_nurse,
        given_name="Alec",
        family_name="Testersen",
        date_of_birth=BORN,
        different_from=[named.pk],
    )
    merged = post(
        api,
        f"/api/v1/cases/clients/{named.pk}/merge",
        {"other_id": alias.pk, "reason": "Same person"},
    )
    assert merged.status_code == 200, merged.json()
    assert merged.json()["moved"]["names"] == 1
    merge = ClientMerge.objects.get()
    undone = post(api, f"/api/v1/cases/merges/{merge.pk}/undo", {"reason": "Twins"})
    assert undone.status_code == 200 and undone.json()["undone_by"] == "er.nurse"
    assert post(api, f"/api/v1/cases/merges/{merge.pk}/undo", {"reason": " "}).status_code == 422


def test_manual_episode_and_identity_link(api, er_nurse):
    person = make_client(er_nurse, aliases=["Sparrow"])
    url = f"/api/v1/cases/clients/{person.pk}/episodes"
    body = {"occurred_at": "2024-05-01T22:00:00Z", "summary": "Told us", "idempotency_key": "e"}
    assert post(api, url, body).status_code == 201
    assert post(api, url, body).status_code == 200
    linked = post(
        api,
        f"/api/v1/cases/clients/{person.pk}/identity",
        {"given_name": "Robin", "family_name": "Testa", "consent_method": "written"},
    )
    assert linked.status_code == 200 and linked.json()["identity_status"] == "identified"
    refused = post(
        api,
        f"/api/v1/cases/clients/{person.pk}/identity",
        {"given_name": "Robin", "consent_method": "nodded"},
    )
    assert refused.status_code == 422


def test_a_bearer_token_of_the_police_liaison_is_refused(client, police_liaison, er_nurse):
    person = make_client(er_nurse, given_name="Alex", family_name="Testerson")
    _, token = issue_api_token(actor="test", user=police_liaison, name="test")
    response = client.get(
        f"/api/v1/cases/clients/{person.pk}", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 403
    assert "Testerson" not in response.content.decode()
