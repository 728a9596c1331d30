"""Care plan actions: goals, actions with owners, referrals and their steps; idempotency,
audit, and the case timeline."""

import datetime as dt

import pytest

from cairn.access.models import AuditEvent
from cairn.cases import plans, queries
from cairn.cases.models import RecordStatus
from cairn.cases.models.groups import GroupSupport
from cairn.cases.models.plans import PlanAction, PlanGoal, Referral, ReferralChange
from cairn.cases.tests.conftest import make_client


@pytest.fixture
def person(er_nurse):
    return make_client(er_nurse, given_name="Robin", family_name="Lake", aliases=["Rob"])


def test_a_goal_is_added_once_per_key_and_audited(er_nurse, person):
    AuditEvent.objects.all().delete()
    first = plans.add_goal(
        actor=er_nurse, client=person, text="  Get back on OAT  ", idempotency_key="k1"
    )
    again = plans.add_goal(
        actor=er_nurse, client=person, text="Get back on OAT", idempotency_key="k1"
    )
    assert first.pk == again.pk and PlanGoal.objects.filter(client=person).count() == 1
    assert first.text == "Get back on OAT" and first.status == "open"
    event = AuditEvent.objects.get(action="cases.plan.goal.add")
    assert event.target_id == str(person.pk) and event.details == {"goal_id": first.pk}
    plans.set_goal_status(actor=er_nurse, client=person, goal_id=first.pk, status="achieved")
    plans.set_goal_status(actor=er_nurse, client=person, goal_id=first.pk, status="achieved")
    assert AuditEvent.objects.filter(action="cases.plan.goal.status").count() == 1
    first.refresh_from_db()
    assert first.status == "achieved" and first.status_changed_by == er_nurse.get_username()
    with pytest.raises(plans.PlanError) as error:
        plans.set_goal_status(actor=er_nurse, client=person, goal_id=first.pk, status="someday")
    assert error.value.field == "status"
    with pytest.raises(plans.PlanError) as error:
        plans.add_goal(actor=er_nurse, client=person, text="   ")
    assert error.value.field == "text" and "required" in str(error.value)


def test_an_action_owner_is_a_holding_team_member_or_free_text(er_nurse, other_clinician, person):
    goal = plans.add_goal(actor=er_nurse, client=person, text="Stable housing")
    due = dt.date(2026, 12, 1)
    mine = plans.add_action(
        actor=er_nurse,
        client=person,
        text="Call the housing worker",
        owner_user_id=str(er_nurse.pk),
        due_on=due,
        goal_id=str(goal.pk),
    )
    assert mine.owner_user == er_nurse and mine.due_on == due and mine.goal == goal
    theirs = plans.add_action(
        actor=er_nurse, client=person, text="Bring ID to the clinic", owner_text="Robin"
    )
    assert theirs.owner_label == "Robin"
    with pytest.raises(plans.PlanError) as error:  # the Fraser team does not hold this case
        plans.add_action(
            actor=er_nurse, client=person, text="x", owner_user_id=str(other_clinician.pk)
        )
    assert error.value.field == "owner_user"
    with pytest.raises(plans.PlanError) as error:
        plans.add_action(actor=er_nurse, client=person, text="x", owner_user_id="abc")
    assert error.value.field == "owner_user"
    with pytest.raises(plans.PlanError) as error:
        plans.add_action(actor=er_nurse, client=person, text="x", goal_id="999999")
    assert error.value.field == "goal"
    plans.set_action_status(actor=er_nurse, client=person, action_id=mine.pk, status="done")
    assert PlanAction.objects.get(pk=mine.pk).status == "done"
    assert PlanAction.objects.filter(client=person).count() == 2


def test_a_referral_moves_step_by_step_with_the_date_of_each_step(er_nurse, person):
    referral = plans.add_referral(
        actor=er_nurse,
        client=person,
        kind="treatment",
        to_whom="Rapid Access Addiction Clinic",
        idempotency_key="r1",
    )
    again = plans.add_referral(
        actor=er_nurse, client=person, kind="treatment", to_whom="RAAC", idempotency_key="r1"
    )
    assert again.pk == referral.pk and referral.status == "proposed"
    with pytest.raises(plans.PlanError) as error:  # cannot jump to completed
        plans.change_referral(
            actor=er_nurse, client=person, referral_id=referral.pk, status="completed"
        )
    assert error.value.field == "status" and "proposed referral can become sent" in str(error.value)
    for step in ("sent", "sent", "accepted", "started", "completed"):
        plans.change_referral(actor=er_nurse, client=person, referral_id=referral.pk, status=step)
    changes = list(ReferralChange.objects.filter(referral=referral))
    assert [c.status for c in changes] == ["proposed", "sent", "accepted", "started", "completed"]
    assert all(c.changed_at >= referral.created_at for c in changes)
    with pytest.raises(plans.PlanError) as error:
        plans.change_referral(actor=er_nurse, client=person, referral_id=referral.pk, status="sent")
    assert "final" in str(error.value)
    missed = plans.add_referral(actor=er_nurse, client=person, kind="housing", to_whom="BC Housing")
    plans.change_referral(actor=er_nurse, client=person, referral_id=missed.pk, status="sent")
    plans.change_referral(actor=er_nurse, client=person, referral_id=missed.pk, status="no_show")
    assert Referral.objects.get(pk=missed.pk).status == "no_show"
    with pytest.raises(plans.PlanError) as error:
        plans.add_referral(actor=er_nurse, client=person, kind="spa", to_whom="x")
    assert error.value.field == "kind"
    with pytest.raises(plans.PlanError) as error:
        plans.add_referral(actor=er_nurse, client=person, kind="housing", to_whom="")
    assert error.value.field == "to_whom"
    assert AuditEvent.objects.filter(action="cases.plan.referral.status").count() == 6


def test_everything_appears_on_the_case_timeline(er_nurse, person):
    goal = plans.add_goal(actor=er_nurse, client=person, text="Stay on treatment")
    plans.set_goal_status(actor=er_nurse, client=person, goal_id=goal.pk, status="dropped")
    plans.add_action(actor=er_nurse, client=person, text="Pharmacy visit", owner_text="Robin")
    referral = plans.add_referral(
        actor=er_nurse, client=person, kind="peer_support", to_whom="Peer navigators"
    )
    plans.change_referral(actor=er_nurse, client=person, referral_id=referral.pk, status="sent")
    titles = [e.title for e in queries.timeline_for(person, [])]
    for title in (
        "Goal set",
        "Goal dropped",
        "Action added",
        "Referral proposed: Peer support",
        "Referral sent: Peer support",
    ):
        assert title in titles


def test_a_catalogue_support_suggests_its_referral_kind(db):
    def kind(title):
        return plans.referral_kind_for(GroupSupport(title=title))

    assert kind("Rapid access to opioid agonist treatment") == "treatment"
    assert kind("Drug-checking service") == "harm_reduction"
    assert kind("Take-home naloxone kit and training") == "harm_reduction"
    assert kind("Peer navigator") == "peer_support"
    assert kind("Boat trip") == "other"


def test_a_merged_record_plan_is_not_changed(er_nurse, person):
    person.status = RecordStatus.MERGED  # as a merge leaves it (unsaved: no merge needed)
    with pytest.raises(plans.PlanError) as error:
        plans.add_goal(actor=er_nurse, client=person, text="x")
    assert "merged" in str(error.value)
