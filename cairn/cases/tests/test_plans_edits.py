"""Editing an open goal or action: its words, owner, due date and goal (cairn.cases.plans)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from cairn.access.models import AuditEvent
from cairn.cases import plans
from cairn.cases.models.care_alerts import CareAlert
from cairn.cases.tests.conftest import make_client


@pytest.fixture
def person(er_nurse):
    return make_client(er_nurse, given_name="Robin", family_name="Lake")


def test_a_goal_is_reworded_while_open_and_the_edit_is_audited_without_its_words(er_nurse, person):
    goal = plans.add_goal(actor=er_nurse, client=person, text="Get back on OAT")
    AuditEvent.objects.all().delete()
    edited = plans.edit_goal(
        actor=er_nurse, client=person, goal_id=goal.pk, text="  Start OAT at the clinic "
    )
    assert edited.text == "Start OAT at the clinic"
    assert edited.edited_by == er_nurse.get_username() and edited.edited_at is not None
    event = AuditEvent.objects.get(action="cases.plan.goal.edit")
    assert event.details == {"goal_id": goal.pk, "fields": ["text"]}
    assert "clinic" not in event.summary
    # The same words again (a double submit): nothing written, nothing audited.
    plans.edit_goal(actor=er_nurse, client=person, goal_id=goal.pk, text="Start OAT at the clinic")
    assert AuditEvent.objects.filter(action="cases.plan.goal.edit").count() == 1
    with pytest.raises(plans.PlanError) as error:
        plans.edit_goal(actor=er_nurse, client=person, goal_id=goal.pk, text=" ")
    assert error.value.field == "text"
    plans.set_goal_status(actor=er_nurse, client=person, goal_id=goal.pk, status="achieved")
    with pytest.raises(plans.PlanError, match="mark it open again"):
        plans.edit_goal(actor=er_nurse, client=person, goal_id=goal.pk, text="Other words")
    with pytest.raises(plans.PlanItemMissing):
        plans.edit_goal(actor=er_nurse, client=person, goal_id=999999, text="x")


def test_an_action_gets_a_new_owner_due_date_and_goal(er_nurse, other_clinician, person):
    goal = plans.add_goal(actor=er_nurse, client=person, text="Stable housing")
    action = plans.add_action(
        actor=er_nurse,
        client=person,
        text="Call the housing worker",
        owner_text="Robin",
        due_on=dt.date(2026, 12, 1),
    )
    AuditEvent.objects.all().delete()
    edited = plans.edit_action(
        actor=er_nurse,
        client=person,
        action_id=action.pk,
        owner_user_id=str(er_nurse.pk),
        due_on=dt.date(2026, 12, 8),
        goal_id=str(goal.pk),
    )
    # A team member as owner replaces the written name; the words were kept.
    assert (edited.owner_user, edited.owner_text) == (er_nurse, "")
    assert (edited.due_on, edited.goal, edited.text) == (
        dt.date(2026, 12, 8),
        goal,
        "Call the housing worker",
    )
    event = AuditEvent.objects.get(action="cases.plan.action.edit")
    assert event.details == {
        "action_id": action.pk,
        "fields": ["owner_user", "owner_text", "due_on", "goal"],
    }
    # A written name replaces the team member; the due date can be taken away.
    edited = plans.edit_action(
        actor=er_nurse, client=person, action_id=action.pk, owner_text="Robin's sister", due_on=None
    )
    assert (edited.owner_user, edited.owner_text, edited.due_on) == (None, "Robin's sister", None)
    with pytest.raises(plans.PlanError) as error:  # the Fraser team does not hold this case
        plans.edit_action(
            actor=er_nurse, client=person, action_id=action.pk, owner_user_id=other_clinician.pk
        )
    assert error.value.field == "owner_user"
    with pytest.raises(plans.PlanError) as error:
        plans.edit_action(
            actor=er_nurse,
            client=person,
            action_id=action.pk,
            owner_user_id=er_nurse.pk,
            owner_text="Robin",
        )
    assert error.value.field == "owner_text"
    with pytest.raises(plans.PlanError) as error:
        plans.edit_action(actor=er_nurse, client=person, action_id=action.pk, goal_id="999999")
    assert error.value.field == "goal"
    plans.set_action_status(actor=er_nurse, client=person, action_id=action.pk, status="done")
    with pytest.raises(plans.PlanError, match="add a new one"):
        plans.edit_action(actor=er_nurse, client=person, action_id=action.pk, text="Other")


def test_another_team_cannot_edit_the_plan(er_nurse, other_clinician, person):
    goal = plans.add_goal(actor=er_nurse, client=person, text="Stable housing")
    with pytest.raises(PermissionDenied):
        plans.edit_goal(actor=other_clinician, client=person, goal_id=goal.pk, text="Changed")
    goal.refresh_from_db()
    assert goal.text == "Stable housing"


def test_a_moved_due_date_alerts_again_once_it_passes(er_nurse, person):
    action = plans.add_action(
        actor=er_nurse, client=person, text="Call the clinic", due_on=dt.date(2026, 11, 20)
    )
    assert len(plans.escalate_overdue_actions(today=dt.date(2026, 11, 26))) == 1
    plans.edit_action(
        actor=er_nurse, client=person, action_id=action.pk, due_on=dt.date(2026, 12, 3)
    )
    assert plans.escalate_overdue_actions(today=dt.date(2026, 11, 30)) == []
    again = plans.escalate_overdue_actions(today=dt.date(2026, 12, 4))
    assert [a.source_key for a in again] == [f"action_overdue:{action.pk}:2026-12-03"]
    assert plans.escalate_overdue_actions(today=dt.date(2026, 12, 5)) == []
    assert CareAlert.objects.filter(kind="action_overdue").count() == 2


def test_every_edit_appears_on_the_case_timeline(er_nurse, person):
    from cairn.cases import queries

    action = plans.add_action(actor=er_nurse, client=person, text="Call the clinic")
    plans.edit_action(
        actor=er_nurse, client=person, action_id=action.pk, due_on=dt.date(2026, 12, 3)
    )
    plans.edit_action(
        actor=er_nurse, client=person, action_id=action.pk, owner_text="Robin", text="Call OAT"
    )
    entries = [(e.title, e.detail) for e in queries.timeline_for(person, [])]
    by = er_nurse.get_username()
    assert ("Action edited: due date", f"Call OAT; by {by}") in entries
    assert ("Action edited: words, owner", f"Call OAT; by {by}") in entries
