"""The encounter API: idempotent create (201, then 200), 422 naming the field, list, indicators."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from cairn.outreach.models import Encounter
from cairn.outreach.tests import encounter_fixtures
from cairn.outreach.tests.encounter_fixtures import record

northern_nurse = encounter_fixtures.northern_nurse
pg_team = encounter_fixtures.pg_team

pytestmark = pytest.mark.django_db


def url(team, tail=""):
    return f"/api/v1/teams/{team.slug}/encounters{tail}"


def payload(**overrides):
    body = {
        "occurred_on": timezone.localdate().isoformat(),
        "community": "bc-lha-prince-george",
        "group": "street_involved",
        "naloxone_kits": 2,
        "naloxone_training": True,
        "connected_to_treatment": True,
        "place_description": "Shelter drop-in",
    }
    body.update(overrides)
    return body


def post(client, team, body, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(url(team), body, content_type="application/json", headers=headers)


def test_the_same_idempotency_key_returns_the_same_encounter(client, outreach_worker, pg_team):
    client.force_login(outreach_worker)
    key = str(uuid.uuid4())
    first = post(client, pg_team, payload(), key)
    again = post(client, pg_team, payload(), key)

    assert first.status_code == 201, first.content
    assert again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert Encounter.objects.count() == 1
    body = first.json()
    assert body["group"] == "street_involved"
    assert body["naloxone_kits"] == 2
    assert body["connected_to_treatment"] is True
    assert body["recorded_by"] == "outreach.worker"
    assert "client" not in str(body).lower()

    other = post(client, pg_team, payload(), str(uuid.uuid4()))
    assert other.status_code == 201
    assert Encounter.objects.count() == 2


def test_the_key_may_come_in_the_body(client, peer_worker, pg_team):
    client.force_login(peer_worker)
    key = str(uuid.uuid4())
    assert post(client, pg_team, payload(idempotency_key=key)).status_code == 201
    assert post(client, pg_team, payload(idempotency_key=key)).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "key", "field", "message"),
    [
        ({}, None, "Idempotency-Key", "no creation key"),
        ({"naloxone_kits": 50}, "k", "naloxone_kits", "at most 20"),
        ({"naloxone_kits": "many"}, "k", "naloxone_kits", "whole number"),
        ({"occurred_on": "2999-01-01"}, "k", "occurred_on", "in the future"),
        ({"occurred_on": ""}, "k", "occurred_on", "Give the date"),
        ({"community": "bc-lha-abbotsford"}, "k", "community", "team's communities"),
        ({"group": "someone"}, "k", "group", "Choose one of the groups"),
        ({"latitude": 53.9}, "k", "longitude", "both latitude and longitude"),
        ({"place_description": "455 Victoria St"}, "k", "place_description", "street address"),
        ({"follow_up_needed": True}, "k", "follow_up_note", "Say what follow-up"),
    ],
)
def test_refused_input_answers_422_naming_the_field(
    client, outreach_worker, pg_team, overrides, key, field, message
):
    client.force_login(outreach_worker)
    key = key and f"{key}-{uuid.uuid4()}"
    response = post(client, pg_team, payload(**overrides), key)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["field"] == field
    assert message in body["detail"]
    assert any(e["field"] == field for e in body["errors"])
    assert Encounter.objects.count() == 0


def test_only_the_team_records_its_outreach(client, personas, pg_team, northern_nurse):
    for key in ("police_liaison", "municipal_coordinator", "er_nurse", "administrator"):
        client.force_login(personas[key])
        assert post(client, pg_team, payload(), str(uuid.uuid4())).status_code == 403, key
    client.force_login(northern_nurse)  # on the team, but records no outreach
    assert post(client, pg_team, payload(), str(uuid.uuid4())).status_code == 403
    client.logout()
    assert post(client, pg_team, payload(), str(uuid.uuid4())).status_code == 401
    assert Encounter.objects.count() == 0


def test_the_list_is_newest_first_and_filtered(client, outreach_worker, police_liaison, pg_team):
    today = timezone.localdate()
    earlier = today.replace(day=1) - dt.timedelta(days=1)
    record(outreach_worker, pg_team, occurred_on=earlier.isoformat(), group="first_nations")
    newest = record(outreach_worker, pg_team, group="recreational")
    voided = record(outreach_worker, pg_team)
    Encounter.objects.filter(pk=voided.pk).update(voided_at=timezone.now())

    client.force_login(outreach_worker)
    rows = client.get(url(pg_team)).json()
    assert [r["id"] for r in rows][0] == newest.pk
    assert len(rows) == 2
    assert len(client.get(url(pg_team), {"include_voided": "true"}).json()) == 3
    assert [r["group"] for r in client.get(url(pg_team), {"group": "first_nations"}).json()] == [
        "first_nations"
    ]
    month = client.get(url(pg_team), {"month": earlier.strftime("%Y-%m")}).json()
    assert [r["occurred_on"] for r in month] == [earlier.isoformat()]
    needs = record(outreach_worker, pg_team, follow_up_needed=True, follow_up_note="Kits Friday")
    assert [r["id"] for r in client.get(url(pg_team), {"follow_up_needed": "true"}).json()] == [
        needs.pk
    ]
    bad = client.get(url(pg_team), {"month": "November"})
    assert bad.status_code == 422
    assert bad.json()["detail"].startswith("month:")

    client.force_login(police_liaison)
    assert client.get(url(pg_team)).status_code == 403


def test_indicators_are_full_for_the_team_and_suppressed_for_partners(
    client, outreach_worker, police_liaison, pg_team
):
    for _ in range(3):
        record(outreach_worker, pg_team, naloxone_kits=1, connected_to_treatment=True)

    client.force_login(outreach_worker)
    full = client.get(url(pg_team, "/indicators")).json()
    assert full["suppressed"] is False
    assert full["total"]["encounters"] == 3
    assert full["total"]["naloxone_kits"] == 3
    assert full["total"]["treatment"] == 3
    assert len(full["by_month"]) == 12
    assert full["by_month_and_group"]

    client.force_login(police_liaison)
    shown = client.get(url(pg_team, "/indicators")).json()
    assert shown["suppressed"] is True
    assert shown["total"]["encounters"] is None
    assert shown["by_month"][-1]["encounters"] is None
    assert shown["by_month"][0]["encounters"] == 0
    assert shown["by_month_and_group"] is None

    bad = client.get(url(pg_team, "/indicators"), {"start": "last year"})
    assert bad.status_code == 422
