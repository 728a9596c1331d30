"""Editing the care plan through the API: PATCH an open goal or action; only the fields
sent change; bad input is refused naming the field (never 500)."""

import pytest

from cairn.access.models import AuditEvent
from cairn.cases import plans
from cairn.cases.tests.conftest import make_client


@pytest.fixture
def person(er_nurse):
    return make_client(er_nurse, given_name="Robin", family_name="Lake")


@pytest.fixture
def api(client, er_nurse):
    client.force_login(er_nurse)
    return client


def patch(api, url, body):
    return api.patch(url, body, content_type="application/json")


def test_only_the_fields_sent_change(api, er_nurse, person):
    goal = plans.add_goal(actor=er_nurse, client=person, text="Stable housing")
    action = plans.add_action(
        actor=er_nurse, client=person, text="Call BC Housing", owner_text="Robin"
    )
    url = f"/api/v1/cases/clients/{person.pk}/plan/actions/{action.pk}"
    moved = patch(api, url, {"due_on": "2026-12-04", "goal_id": goal.pk})
    assert moved.status_code == 200, moved.json()
    body = moved.json()
    assert (body["due_on"], body["goal_id"], body["text"], body["owner"]) == (
        "2026-12-04",
        goal.pk,
        "Call BC Housing",
        "Robin",
    )
    assert body["edited_by"] == er_nurse.get_username() and body["edited_at"]
    owner = patch(api, url, {"owner_user_id": er_nurse.pk}).json()
    assert (owner["owner_user"], owner["owner_text"]) == (er_nurse.get_username(), "")
    cleared = patch(api, url, {"due_on": None, "goal_id": None}).json()
    assert (cleared["due_on"], cleared["goal_id"], cleared["owner_user"]) == (
        None,
        None,
        er_nurse.get_username(),
    )
    reworded = patch(
        api, f"/api/v1/cases/clients/{person.pk}/plan/goals/{goal.pk}", {"text": "A home"}
    )
    assert reworded.status_code == 200 and reworded.json()["text"] == "A home"
    edits = AuditEvent.objects.filter(action__endswith=".edit").order_by("pk")
    assert [e.details["fields"] for e in edits] == [
        ["due_on", "goal"],
        ["owner_user", "owner_text"],
        ["due_on", "goal"],
        ["text"],
    ]


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("goals/{goal}", {"text": "  "}, 422, "text"),
        ("goals/{goal}", {}, 422, "text"),
        ("goals/999999", {"text": "x"}, 404, None),
        ("actions/{action}", {"text": None}, 422, "text"),
        ("actions/{action}", {"due_on": "31/12/2026"}, 422, "due_on"),
        ("actions/{action}", {"owner_user_id": 999999}, 422, "owner_user"),
        ("actions/{action}", {"owner_user_id": 0, "owner_text": "x" * 151}, 422, "owner_text"),
        ("actions/{action}", {"goal_id": 999999}, 422, "goal"),
        ("actions/{done}", {"text": "Again"}, 422, "__all__"),
        ("actions/999999", {"text": "x"}, 404, None),
    ],
)
def test_bad_edits_name_the_field(api, er_nurse, person, path, body, status, field):
    goal = plans.add_goal(actor=er_nurse, client=person, text="A goal")
    action = plans.add_action(actor=er_nurse, client=person, text="An action")
    done = plans.add_action(actor=er_nurse, client=person, text="Done already")
    plans.set_action_status(actor=er_nurse, client=person, action_id=done.pk, status="done")
    url = f"/api/v1/cases/clients/{person.pk}/plan/" + path.format(
        goal=goal.pk, action=action.pk, done=done.pk
    )
    response = patch(api, url, body)
    assert response.status_code == status, response.json()
    detail = response.json()
    if field is not None:
        named = detail.get("field") or " ".join(
            str(part) for e in detail.get("errors", []) for part in e["loc"]
        )
        assert field in named, detail
    action.refresh_from_db()
    assert (action.text, action.edited_at) == ("An action", None)


def test_another_team_cannot_edit_the_plan(client, er_nurse, other_clinician, person):
    goal = plans.add_goal(actor=er_nurse, client=person, text="A goal")
    client.force_login(other_clinician)
    url = f"/api/v1/cases/clients/{person.pk}/plan/goals/{goal.pk}"
    assert patch(client, url, {"text": "Changed"}).status_code == 404
    goal.refresh_from_db()
    assert goal.text == "A goal"
