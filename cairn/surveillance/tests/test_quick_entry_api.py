"""POST /api/v1/reports/overdose: the quick-entry report as JSON."""

import datetime as dt

import pytest
from django.utils import timezone

from cairn.surveillance.models import Event

URL = "/api/v1/reports/overdose"


def report(**changes) -> dict:
    body = {
        "community": "bc-lha-prince-george",
        "fatal": False,
        "naloxone_doses": 1,
        "substances": ["opioid_other"],
        "outcome": "treated_on_scene",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


@pytest.fixture
def responder(client, first_responder):
    client.force_login(first_responder)
    return client


def post(client, body, **headers):
    return client.post(URL, data=body, content_type="application/json", headers=headers)


def test_a_report_is_created_with_time_defaulting_to_now(responder, prince_george):
    response = post(responder, report(), **{"Idempotency-Key": "cad-2026-000123"})

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "created"
    assert body["report_id"] == "cad-2026-000123"
    assert body["community"] == "Prince George"
    event = Event.objects.get(pk=body["event_id"])
    assert event.dedup_key == "fr:cad-2026-000123"
    assert abs(event.occurred_at - timezone.now()) < dt.timedelta(minutes=1)
    assert event.naloxone_doses == 1
    assert event.disposition == "treated_on_scene"


def test_the_same_idempotency_key_returns_the_first_report(responder):
    first = post(responder, report(), **{"Idempotency-Key": "cad-2026-000124"})
    second = post(responder, report(), **{"Idempotency-Key": "cad-2026-000124"})
    assert second.status_code == 200
    assert second.json()["status"] == "duplicate"
    assert second.json()["event_id"] == first.json()["event_id"]
    assert Event.objects.count() == 1


def test_report_id_in_the_body_works_like_the_header(responder):
    post(responder, report(report_id="ems-run-55501"))
    assert post(responder, report(report_id="ems-run-55501")).json()["status"] == "duplicate"
    assert Event.objects.count() == 1


def test_without_a_key_the_same_body_is_the_same_report(responder):
    body = report(occurred_at="2026-11-25T10:30:00-08:00")
    post(responder, body)
    assert post(responder, body).json()["status"] == "duplicate"
    assert Event.objects.count() == 1


def test_field_errors_are_listed_by_field(responder):
    response = post(
        responder, report(naloxone_doses=12, fatal=None, outcome="vanished", substances=["x"])
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["naloxone_doses"] == ["Naloxone doses are at most 10."]
    assert errors["fatal"] == ["Say whether the overdose was fatal."]
    assert "outcome" in errors and "substances" in errors
    assert Event.objects.count() == 0


def test_a_place_outside_coverage_is_refused_with_the_reason(responder):
    response = post(responder, report(community="bc-lha-abbotsford"))
    assert response.status_code == 422
    assert response.json()["errors"]["community"] == [
        "Your organization does not cover Abbotsford, so you cannot report overdoses there."
    ]


def test_a_point_in_no_community_is_accepted_with_a_note(responder):
    response = post(responder, report(community=None, latitude=45.0, longitude=-140.0))
    assert response.status_code == 201
    assert response.json()["community"] is None
    assert "unknown place" in response.json()["note"]


@pytest.mark.parametrize("raw", ["", "not json", "[1, 2]", '"text"'])
def test_a_body_that_is_not_a_json_object_is_refused(responder, raw):
    response = post(responder, raw)
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_anonymous_gets_401(client, bc_geography):
    assert post(client, report()).status_code == 401


def test_a_role_without_submit_reports_gets_403(client, epidemiologist):
    client.force_login(epidemiologist)
    assert post(client, report()).status_code == 403


@pytest.mark.parametrize("value", [None, 5, 1.5, True, [], ["x"], {}, {"a": 1}, ""])
@pytest.mark.parametrize(
    "field",
    [
        "report_id",
        "occurred_at",
        "reporting_service",
        "community",
        "latitude",
        "fatal",
        "naloxone_doses",
        "substances",
        "other_substance",
        "outcome",
    ],
)
def test_any_json_value_in_any_field_gets_an_answer_not_a_crash(responder, field, value):
    response = post(responder, report(**{field: value}), **{"Idempotency-Key": "fuzz-0000001"})
    assert response.status_code in {200, 201, 422}, response.content
