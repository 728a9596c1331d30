# ruff: noqa: F811  (fixtures imported from teams_fixtures are used as arguments)
"""The action plan: goals and actions by area and group, owners, status, indicators and
their progress, on the page (htmx) and through the API."""

import pytest

from cairn.access.models import AuditEvent
from cairn.outreach.models.teams import IndicatorProgress, TeamAction, TeamGoal
from cairn.outreach.tests.teams_fixtures import (  # noqa: F401
    northern_clinician,
    pg_team,
    seat,
)

pytestmark = pytest.mark.django_db


def test_the_chair_adds_a_goal_and_an_action_with_htmx(client, municipal_coordinator, pg_team):
    client.force_login(municipal_coordinator)
    response = client.post(
        f"/teams/{pg_team.slug}/plan/goals/add/",
        {
            "title": "Drug checking every week downtown",
            "area": "drug_supply",
            "groups": ["street_involved", "first_nations"],
            "idempotency_key": "g1",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="plan"')
    assert "Drug checking every week downtown" in html
    goal = TeamGoal.objects.get(title="Drug checking every week downtown")
    assert goal.groups == ["street_involved", "first_nations"]
    response = client.post(
        f"/teams/{pg_team.slug}/plan/actions/add/",
        {
            "title": "Book the mobile drug-checking van",
            "goal": goal.pk,
            "owner": seat(pg_team, "outreach_worker").pk,
            "due_on": "2026-12-15",
            "idempotency_key": "a1",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    action = TeamAction.objects.get(title="Book the mobile drug-checking van")
    assert action.area == "drug_supply" and action.groups == goal.groups  # from the goal
    assert AuditEvent.objects.filter(action="outreach.team.action.add").exists()


def test_bad_plan_input_names_the_field_and_keeps_the_input(client, municipal_coordinator, pg_team):
    client.force_login(municipal_coordinator)
    response = client.post(
        f"/teams/{pg_team.slug}/plan/goals/add/",
        {"title": "Keep me", "area": "everything", "idempotency_key": "g2"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-field="area"' in html and 'value="Keep me"' in html and 'value="g2"' in html
    response = client.post(
        f"/teams/{pg_team.slug}/plan/goals/add/",
        {"title": "x", "area": "naloxone", "groups": ["everyone"]},
    )
    assert response.status_code == 400 and 'data-field="groups"' in response.content.decode()
    assert not TeamGoal.objects.filter(title__in=["Keep me", "x"]).exists()


def test_a_member_who_is_not_a_lead_cannot_add_goals(client, peer_worker, pg_team):
    client.force_login(peer_worker)
    response = client.post(
        f"/teams/{pg_team.slug}/plan/goals/add/", {"title": "x", "area": "naloxone"}
    )
    assert response.status_code == 403
    page = client.get(f"/teams/{pg_team.slug}/").content.decode()
    assert "Add a goal" not in page and "Set status" not in page


def test_the_owner_changes_their_action_and_records_progress(client, police_liaison, pg_team):
    client.force_login(police_liaison)
    action = pg_team.action
    response = client.post(
        f"/teams/{pg_team.slug}/plan/actions/{action.pk}/status/", {"status": "in_progress"}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "in_progress" and action.status_changed_by == "police.liaison"
    url = f"/teams/{pg_team.slug}/plan/indicators/{pg_team.indicator.pk}/progress/"
    response = client.post(
        url,
        {"value": "120", "recorded_on": "2026-09-01", "idempotency_key": "p1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "<strong>120</strong> of 200 kits (60%)" in response.content.decode()
    client.post(url, {"value": "120", "recorded_on": "2026-09-01", "idempotency_key": "p1"})
    assert IndicatorProgress.objects.filter(indicator=pg_team.indicator).count() == 3
    # Not the goal's: the police member does not own it.
    response = client.post(
        f"/teams/{pg_team.slug}/plan/goals/{pg_team.goal.pk}/status/", {"status": "achieved"}
    )
    assert response.status_code == 403


def test_unknown_plan_items_answer_404(client, municipal_coordinator, pg_team):
    client.force_login(municipal_coordinator)
    response = client.post(
        f"/teams/{pg_team.slug}/plan/goals/999999/status/", {"status": "achieved"}
    )
    assert response.status_code == 404


def test_progress_cannot_be_dated_in_the_future(client, municipal_coordinator, pg_team):
    client.force_login(municipal_coordinator)
    url = f"/teams/{pg_team.slug}/plan/indicators/{pg_team.indicator.pk}/progress/"
    response = client.post(url, {"value": "5", "recorded_on": "2999-01-01"})
    assert response.status_code == 400
    assert 'data-field="recorded_on"' in response.content.decode()


# API -----------------------------------------------------------------------------------


def test_api_lists_and_reads_a_team(client, police_liaison, er_nurse, pg_team):
    client.force_login(police_liaison)
    teams = client.get("/api/v1/teams").json()
    assert [t["slug"] for t in teams] == [pg_team.slug]
    team = client.get(f"/api/v1/teams/{pg_team.slug}").json()
    sectors = {m["sector"] for m in team["members"]}
    assert {"police", "business", "family_peer_group", "first_nations"} <= sectors
    assert team["funding"][0]["amount"] == "100000.00"
    assert team["may_edit_plan"] is False
    plan = client.get(f"/api/v1/teams/{pg_team.slug}/plan").json()
    assert plan["actions"][0]["goal_id"] == pg_team.goal.pk
    client.force_login(er_nurse)
    response = client.get(f"/api/v1/teams/{pg_team.slug}")
    assert response.status_code == 403 and "detail" in response.json()


def test_api_creates_a_goal_once_per_idempotency_key(client, municipal_coordinator, pg_team):
    client.force_login(municipal_coordinator)
    body = {
        "title": "Peer-led outreach at shelters",
        "area": "proactive_support",
        "groups": ["street_involved"],
    }
    url = f"/api/v1/teams/{pg_team.slug}/goals"
    first = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="api-1")
    again = client.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="api-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert TeamGoal.objects.filter(title="Peer-led outreach at shelters").count() == 1


def test_api_422_names_the_field(client, municipal_coordinator, pg_team):
    client.force_login(municipal_coordinator)
    url = f"/api/v1/teams/{pg_team.slug}/actions"
    response = client.post(url, {"title": "x", "area": "nowhere"}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["field"] == "area"
    response = client.post(
        url, {"title": "x", "area": "naloxone", "owner_id": 999999}, content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["field"] == "owner"
    response = client.post(url, {"title": "x", "due_on": "soon"}, content_type="application/json")
    assert response.status_code == 422  # schema: the date cannot be read
    assert "due_on" in str(response.json())


def test_api_status_change_and_progress(client, police_liaison, pg_team):
    client.force_login(police_liaison)
    url = f"/api/v1/teams/{pg_team.slug}/actions/{pg_team.action.pk}/status"
    response = client.post(url, {"status": "done"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "done"
    response = client.post(url, {"status": "finished"}, content_type="application/json")
    assert response.status_code == 422 and response.json()["field"] == "status"
    url = f"/api/v1/teams/{pg_team.slug}/indicators/{pg_team.indicator.pk}/progress"
    response = client.post(
        url, {"value": "150", "recorded_on": "2026-10-01"}, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json()["actual"] == "150.00" and response.json()["percent_of_target"] == 75
    indicators = client.get(f"/api/v1/teams/{pg_team.slug}/indicators").json()
    assert indicators["plan"][0]["actual"] == "150.00"


def test_one_form_records_progress_on_the_indicators_one_may_change(
    client, police_liaison, peer_worker, pg_team
):
    client.force_login(police_liaison)
    page = client.get(f"/teams/{pg_team.slug}/").content.decode()
    assert "Record progress" in page and "Add an indicator" in page
    assert f'<option value="action-{pg_team.action.pk}"' in page
    assert f'<option value="goal-{pg_team.goal.pk}"' not in page  # not the goal's owner
    response = client.post(
        f"/teams/{pg_team.slug}/plan/progress/",
        {"indicator": pg_team.indicator.pk, "value": "100", "idempotency_key": "p9"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "<strong>100</strong> of 200 kits (50%)" in response.content.decode()
    response = client.post(
        f"/teams/{pg_team.slug}/plan/indicators/add/",
        {"for": f"action-{pg_team.action.pk}", "name": "Businesses trained", "target": "40"},
    )
    assert response.status_code == 302
    assert pg_team.action.indicators.filter(name="Businesses trained").exists()
    client.force_login(peer_worker)
    page = client.get(f"/teams/{pg_team.slug}/").content.decode()
    assert "Record progress" not in page and "Add an indicator" not in page
