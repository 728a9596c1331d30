"""The care-plan, supporter and care alert API: the same functions as the pages, bad
input refused with 4xx naming the field (never 500), revocation effective at once."""

import pytest

from cairn.access.models import AuditEvent
from cairn.cases import care_alerts, plans
from cairn.cases.models import ClientHolding
from cairn.cases.models.plans import PlanGoal
from cairn.cases.tests.conftest import make_client


@pytest.fixture
def person(er_nurse):
    return make_client(er_nurse, given_name="Robin", family_name="Lake")


@pytest.fixture
def api(client, er_nurse):
    client.force_login(er_nurse)
    return client


def post(api, url, body, **headers):
    return api.post(url, body, content_type="application/json", **headers)


def test_the_plan_through_the_api(api, er_nurse, person):
    base = f"/api/v1/cases/clients/{person.pk}/plan"
    goal = post(api, f"{base}/goals", {"text": "Stay on treatment"}, HTTP_IDEMPOTENCY_KEY="g1")
    assert goal.status_code == 200, goal.json()
    again = post(api, f"{base}/goals", {"text": "Stay on treatment"}, HTTP_IDEMPOTENCY_KEY="g1")
    assert again.json()["id"] == goal.json()["id"] and PlanGoal.objects.count() == 1
    goal_id = goal.json()["id"]
    achieved = post(api, f"{base}/goals/{goal_id}", {"status": "achieved"})
    assert achieved.json()["status"] == "achieved"
    action = post(
        api,
        f"{base}/actions",
        {
            "text": "Call the clinic",
            "owner_user_id": er_nurse.pk,
            "due_on": "2026-12-01",
            "goal_id": goal_id,
        },
    )
    assert action.status_code == 200, action.json()
    assert action.json()["owner_user"] == "er.nurse" and action.json()["due_on"] == "2026-12-01"
    done = post(api, f"{base}/actions/{action.json()['id']}", {"status": "done"})
    assert done.json()["status"] == "done"
    referral = post(api, f"{base}/referrals", {"kind": "housing", "to_whom": "BC Housing"})
    assert referral.json()["next_steps"] == ["sent", "declined"]
    sent = post(api, f"{base}/referrals/{referral.json()['id']}", {"status": "sent", "note": "x"})
    assert [c["status"] for c in sent.json()["changes"]] == ["proposed", "sent"]
    plan = api.get(base).json()
    assert [g["status"] for g in plan["goals"]] == ["achieved"]
    assert [r["status"] for r in plan["referrals"]] == ["sent"]
    assert AuditEvent.objects.filter(action="cases.plan.referral.status").count() == 1


@pytest.mark.parametrize(
    ("path", "body", "status", "field"),
    [
        ("goals", {"text": "   "}, 422, "text"),
        ("goals", {}, 422, "text"),
        ("goals/{goal}", {"status": "someday"}, 422, "status"),
        ("goals/999999", {"status": "achieved"}, 404, None),
        ("actions", {"text": "Call", "due_on": "31/12/2026"}, 422, "due_on"),
        ("actions", {"text": "Call", "owner_user_id": 999999}, 422, "owner_user"),
        ("actions", {"text": "Call", "goal_id": 999999}, 422, "goal"),
        ("referrals", {"kind": "spa", "to_whom": "X"}, 422, "kind"),
        ("referrals/{referral}", {"status": "completed"}, 422, "status"),
    ],
)
def test_bad_plan_input_names_the_field(api, er_nurse, person, path, body, status, field):
    goal = plans.add_goal(actor=er_nurse, client=person, text="A goal")
    referral = plans.add_referral(actor=er_nurse, client=person, kind="other", to_whom="X")
    url = f"/api/v1/cases/clients/{person.pk}/plan/" + path.format(
        goal=goal.pk, referral=referral.pk
    )
    response = post(api, url, body)
    assert response.status_code == status, response.json()
    detail = response.json()
    if field is not None:
        named = detail.get("field") or " ".join(
            str(part) for e in detail.get("errors", []) for part in e["loc"]
        )
        assert field in named, detail


def test_another_team_cannot_see_or_change_the_plan(client, other_clinician, person):
    client.force_login(other_clinician)
    base = f"/api/v1/cases/clients/{person.pk}/plan"
    assert client.get(base).status_code == 404
    assert post(client, f"{base}/goals", {"text": "x"}).status_code == 404


def test_supporters_and_consent_through_the_api(api, client, er_nurse, person, peer_worker):
    from django.test import Client

    base = f"/api/v1/cases/clients/{person.pk}/supporters"
    made = post(
        api, base, {"name": "Sam", "relationship": "peer", "username": "peer.worker"}
    ).json()
    assert made["purposes_in_force"] == [] and made["username"] == "peer.worker"
    bad = post(api, base, {"name": "Kim", "relationship": "boss"})
    assert bad.status_code == 422 and bad.json()["field"] == "relationship"
    police = post(
        api, base, {"name": "Kim", "relationship": "friend", "username": "police.liaison"}
    )
    assert police.status_code == 422 and police.json()["field"] == "username"
    consent = post(
        api, f"{base}/{made['id']}/consents", {"purpose": "see_appointments", "method": "verbal"}
    ).json()
    assert consent["in_force"] is True
    wrong = post(api, f"{base}/{made['id']}/consents", {"purpose": "all", "method": "verbal"})
    assert wrong.status_code == 422 and wrong.json()["field"] == "purpose"

    peer = Client()
    peer.force_login(peer_worker)
    listing = peer.get("/api/v1/cases/supporting").json()
    assert listing == [
        {
            "client_id": person.pk,
            "display_name": "Robin Lake",
            "relationship": "peer",
            "purposes": ["see_appointments"],
        }
    ]
    view = peer.get(f"/api/v1/cases/supporting/{person.pk}").json()
    assert view["purposes"] == ["see_appointments"] and view["goals"] is None
    assert view["referrals"] == []
    assert peer.get(f"/api/v1/cases/clients/{person.pk}/supporters").status_code == 403

    revoke = f"{base}/{made['id']}/consents/{consent['id']}/revoke"
    assert post(api, revoke, {"reason": " "}).json()["field"] == "reason"
    revoked = post(api, revoke, {"reason": "Robin asked to stop"}).json()
    assert revoked["in_force"] is False and revoked["revocation_reason"] == "Robin asked to stop"
    assert peer.get(f"/api/v1/cases/supporting/{person.pk}").status_code == 404
    assert peer.get("/api/v1/cases/supporting").json() == []
    history = api.get(base).json()[0]["consents"]
    assert [(c["purpose"], c["in_force"]) for c in history] == [("see_appointments", False)]
    assert post(api, f"{base}/{made['id']}/end", {"reason": ""}).json()["field"] == "reason"
    ended = post(api, f"{base}/{made['id']}/end", {"reason": "Robin's choice"}).json()
    assert ended["ended_by"] == "er.nurse" and ended["end_reason"] == "Robin's choice"
    assert post(api, f"{base}/999999/end", {"reason": "x"}).status_code == 404


def test_care_alerts_through_the_api(api, client, er_nurse, other_clinician, person):
    team = ClientHolding.objects.get(client=person).organization
    alert = care_alerts.raise_care_alert(
        client=person,
        organization=team,
        kind="oat_stopped",
        text="Treatment stopped.",
        link="",
        source_key="api:test:1",
    )
    listed = api.get("/api/v1/cases/alerts").json()
    assert [(a["id"], a["kind"]) for a in listed] == [(alert.pk, "oat_stopped")]
    assert api.get("/api/v1/cases/alerts", {"state": "later"}).status_code == 422
    acknowledged = api.post(f"/api/v1/cases/alerts/{alert.pk}/acknowledge").json()
    assert acknowledged["acknowledged_by"] == "er.nurse"
    assert api.get("/api/v1/cases/alerts").json() == []
    assert len(api.get("/api/v1/cases/alerts", {"state": "all"}).json()) == 1
    client.force_login(other_clinician)
    assert client.post(f"/api/v1/cases/alerts/{alert.pk}/acknowledge").status_code == 404


# Editing the plan: PATCH an open goal or action; only the fields sent change.


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


def test_another_team_cannot_edit_the_plan_through_the_api(
    client, er_nurse, other_clinician, person
):
    goal = plans.add_goal(actor=er_nurse, client=person, text="A goal")
    client.force_login(other_clinician)
    url = f"/api/v1/cases/clients/{person.pk}/plan/goals/{goal.pk}"
    assert patch(client, url, {"text": "Changed"}).status_code == 404
    goal.refresh_from_db()
    assert goal.text == "A goal"
