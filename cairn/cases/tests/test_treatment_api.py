"""Treatment API: a person's treatment (audited), episodes, dispensing and missed doses
(created once), field errors, the CSV import, the cascade, and who may call them."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cairn.access.models import AuditEvent
from cairn.access.personas import PERSONAS
from cairn.cases.models.treatment import OatDispensing, OatEpisode
from cairn.cases.tests.conftest import make_client

TODAY = timezone.localdate()
BASE = "/api/v1/cases"
NOT_CARE_TEAM = sorted(set(PERSONAS) - {"er_nurse"})


def ago(days: int) -> str:
    return (TODAY - dt.timedelta(days=days)).isoformat()


@pytest.fixture
def person(er_nurse, vancouver_centre_north):
    return make_client(
        er_nurse, given_name="Sage", family_name="Alder", home_community=vancouver_centre_north
    )


def post(client, url, body, **headers):
    return client.post(url, body, content_type="application/json", **headers)


def test_episodes_dispensing_and_the_read(client, er_nurse, person):
    client.force_login(er_nurse)
    url = f"{BASE}/clients/{person.pk}/treatment/episodes"
    body = {"drug": "methadone", "started_on": ago(40), "pharmacy": "Main"}
    first = post(client, url, body, HTTP_IDEMPOTENCY_KEY="a1")
    again = post(client, url, body, HTTP_IDEMPOTENCY_KEY="a1")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"] and first.json()["origin"] == "entered"
    episode_id = first.json()["id"]
    stop = post(
        client,
        f"{url}/{episode_id}/stop",
        {"stopped_on": ago(30), "end_reason": "switched"},
    )
    assert stop.status_code == 200 and stop.json()["stopped_on"] == ago(30)
    missing = post(client, f"{url}/999999/stop", {"stopped_on": ago(1), "end_reason": "died"})
    assert missing.status_code == 404
    dispensing = f"{BASE}/clients/{person.pk}/treatment/dispensing"
    made = post(client, dispensing, {"drug": "bup_nx", "dispensed_on": ago(1), "dose": "12"})
    same = post(client, dispensing, {"drug": "bup_nx", "dispensed_on": ago(1), "dose": "12"})
    assert made.status_code == 201 and same.status_code == 200
    assert made.json()["dose"] in ("12.00", 12.0, "12")
    bad = post(client, dispensing, {"drug": "bup_nx", "dispensed_on": "yesterday"})
    assert bad.status_code == 422 and bad.json()["field"] == "dispensed_on"
    assert "like 2026-01-31" in bad.json()["detail"]
    missed = post(
        client,
        f"{BASE}/clients/{person.pk}/treatment/missed-doses",
        {"drug": "bup_nx", "missed_on": ago(0)},
    )
    assert missed.status_code == 201
    AuditEvent.objects.all().delete()
    read = client.get(f"{BASE}/clients/{person.pk}/treatment")
    data = read.json()
    assert read.status_code == 200 and data["status"]["on_oat"] is True
    assert {e["origin"] for e in data["episodes"]} == {"entered", "derived"}
    assert len(data["dispensings"]) == 1 and len(data["missed_doses"]) == 1
    assert AuditEvent.objects.filter(action="cases.client.read", target_id=str(person.pk)).exists()


def test_the_import_reports_lines_and_columns(client, er_nurse, person):
    client.force_login(er_nurse)
    data = f"client,drug,date,dose\n{person.pk},methadone,{ago(1)},60\n{person.pk},x,{ago(2)},60\n"
    upload = SimpleUploadedFile("d.csv", data.encode(), "text/csv")
    response = client.post(f"{BASE}/treatment/imports", {"file": upload})
    body = response.json()
    assert response.status_code == 200 and body["accepted"] == 1
    assert body["errors"] == [
        {"line": 3, "column": "drug", "message": body["errors"][0]["message"]}
    ]
    assert OatDispensing.objects.filter(client=person).count() == 1
    refused = client.post(
        f"{BASE}/treatment/imports", {"file": SimpleUploadedFile("e.csv", b"", "text/csv")}
    )
    assert refused.status_code == 400 and "empty" in refused.json()["detail"]


def test_the_cascade_is_exact_for_the_care_team_and_suppressed_for_others(
    client, er_nurse, epidemiologist, person
):
    client.force_login(er_nurse)
    post(
        client,
        f"{BASE}/clients/{person.pk}/treatment/dispensing",
        {"drug": "methadone", "dispensed_on": ago(1)},
    )
    exact = client.get(f"{BASE}/treatment/cascade").json()
    assert exact["exact"] is True and exact["group_total"]["counts"][:4] == [1, 1, 1, 1]
    assert exact["stages"][0]["key"] == "diagnosed" and exact["stages"][0]["definition"]
    client.force_login(epidemiologist)
    hidden = client.get(f"{BASE}/treatment/cascade").json()
    assert hidden["exact"] is False and hidden["group_total"]["counts"][0] is None
    assert client.get(f"{BASE}/treatment/cascade", {"date": "2999-01-01"}).status_code == 400


@pytest.mark.parametrize("persona", NOT_CARE_TEAM)
def test_no_other_persona_reaches_a_persons_treatment(client, personas, persona, person):
    client.force_login(personas[persona])
    assert client.get(f"{BASE}/clients/{person.pk}/treatment").status_code == 403
    response = post(
        client,
        f"{BASE}/clients/{person.pk}/treatment/episodes",
        {"drug": "methadone", "started_on": ago(1)},
    )
    assert response.status_code == 403 and not OatEpisode.objects.exists()
    assert client.get(f"{BASE}/treatment/cascade").status_code == 200
