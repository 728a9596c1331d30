"""The API for assessments, groups and follow-ups: the same actions as the pages, the
same access rules and audit."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from cairn.access.models import AuditEvent
from cairn.access.personas import PERSONAS
from cairn.cases import actions
from cairn.cases.models.followups import FollowUp
from cairn.cases.tests.conftest import make_client
from cairn.cases.tests.test_assessment_records import HIGHEST

NOT_CARE_TEAM = sorted(set(PERSONAS) - {"er_nurse"})
HOUR = dt.timedelta(hours=1)


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def episode(er_nurse):
    person = make_client(er_nurse, given_name="Rene", family_name="Lake", aliases=["Rene"])
    return actions.open_episode(
        actor=er_nurse, client=person, occurred_at=timezone.now() - 6 * HOUR
    ).episode


def test_assess_start_the_clock_and_follow_up_through_the_api(client, er_nurse, episode):
    client.force_login(er_nurse)
    person_id = episode.client_id
    url = f"/api/v1/cases/clients/{person_id}/assessments"
    made = _post(client, url, {"answers": HIGHEST, "episode_id": episode.pk})
    assert made.status_code == 201
    body = made.json()
    assert (body["tier"], body["total_points"]) == ("highest", 10)
    assert all(line["reason"] for line in body["lines"])
    history = client.get(url).json()
    assert [a["id"] for a in history] == [body["id"]]

    discharged = (timezone.now() - 2 * HOUR).isoformat()
    started = _post(
        client, f"/api/v1/cases/episodes/{episode.pk}/follow-up", {"discharged_at": discharged}
    )
    assert started.status_code == 200
    follow_up = started.json()
    assert (follow_up["hours_allowed"], follow_up["state"]) == (24, "due")

    listed = client.get("/api/v1/cases/follow-ups?state=due").json()
    assert [f["id"] for f in listed] == [follow_up["id"]]
    assert AuditEvent.objects.filter(action="cases.client.follow_up_worklist").exists()

    attempt_url = f"/api/v1/cases/follow-ups/{follow_up['id']}/attempts"
    after = _post(client, attempt_url, {"outcome": "not_reached", "method": "phone"}).json()
    assert after["state"] == "due" and len(after["attempts"]) == 1
    after = _post(client, attempt_url, {"outcome": "reached", "method": "in_person"}).json()
    assert after["state"] == "contacted" and after["contact_outcome"] == "reached"


def test_api_errors_name_what_was_wrong(client, er_nurse, episode):
    client.force_login(er_nurse)
    url = f"/api/v1/cases/clients/{episode.client_id}/assessments"
    bad = _post(client, url, {"answers": {"housing": "castle"}})
    assert bad.status_code == 422 and "castle" in bad.json()["detail"]
    assert _post(client, url, {}).status_code == 422
    group = _post(client, f"/api/v1/cases/clients/{episode.client_id}/group", {"group": "party"})
    assert group.status_code == 422 and "party" in group.json()["detail"]
    assert client.get("/api/v1/cases/follow-ups?state=later").status_code == 422
    missing = _post(client, "/api/v1/cases/episodes/999999999/follow-up", {})
    assert missing.status_code == 404


def test_placing_a_person_in_a_group_returns_the_proposals(client, er_nurse, episode):
    client.force_login(er_nurse)
    url = f"/api/v1/cases/clients/{episode.client_id}/group"
    body = _post(client, url, {"group": "first_nations"}).json()
    assert body["group_label"] == "First Nations"
    assert any("Culturally safe" in p["title"] for p in body["proposals"])


@pytest.mark.parametrize("persona", NOT_CARE_TEAM)
def test_no_one_off_the_care_team_uses_the_api(client, personas, er_nurse, episode, persona):
    client.force_login(personas[persona])
    person_id = episode.client_id
    assert client.get(f"/api/v1/cases/clients/{person_id}/assessments").status_code == 403
    assert (
        _post(
            client, f"/api/v1/cases/clients/{person_id}/assessments", {"answers": HIGHEST}
        ).status_code
        == 403
    )
    assert client.get("/api/v1/cases/follow-ups").status_code == 403
    clocks = FollowUp.objects.count()  # the one started when the episode was opened
    assert _post(client, f"/api/v1/cases/episodes/{episode.pk}/follow-up", {}).status_code == 403
    assert FollowUp.objects.count() == clocks == 1


def test_another_team_gets_not_found(client, other_clinician, er_nurse, episode):
    client.force_login(other_clinician)
    assert client.get(f"/api/v1/cases/clients/{episode.client_id}/assessments").status_code == 404
    assert _post(client, f"/api/v1/cases/episodes/{episode.pk}/follow-up", {}).status_code == 404
    assert client.get("/api/v1/cases/follow-ups").json() == []
