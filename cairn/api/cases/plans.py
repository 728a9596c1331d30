"""API: care alerts and the care plan (goals, actions, referrals)."""

import datetime as dt

from ninja import Field, Schema

from cairn.api.cases.common import (
    audit_list,
    care_client,
    idempotency_key,
    refused,
    responses,
    router,
    write_responses,
    writing,
)
from cairn.cases import care_alerts, plans
from cairn.cases.access import (
    Purpose,
)
from cairn.cases.models.plans import ReferralKind


class CareAlertOut(Schema):
    id: int
    client_id: int
    organization: str
    kind: str = Field(
        description="follow_up_overdue, action_overdue, oat_stopped, oat_missed_doses, other"
    )
    text: str
    link: str
    raised_at: dt.datetime
    raised_by: str
    acknowledged_at: dt.datetime | None
    acknowledged_by: str


def _alert_out(alert) -> dict:
    return {
        "id": alert.pk,
        "client_id": alert.client_id,
        "organization": alert.organization.name,
        "kind": alert.kind,
        "text": alert.text,
        "link": alert.link,
        "raised_at": alert.raised_at,
        "raised_by": alert.raised_by,
        "acknowledged_at": alert.acknowledged_at,
        "acknowledged_by": alert.acknowledged_by,
    }


@router.get(
    "/cases/alerts",
    response=responses(list[CareAlertOut], 422),
    url_name="case_care_alerts",
    summary="The care alerts of your teams: open, acknowledged or all, newest first",
)
def care_alert_list(request, state: str = "open", client_id: int | None = None):
    client = None if client_id is None else care_client(request, client_id)
    with refused(422, care_alerts.CareAlertError):
        rows = list(care_alerts.alerts_for(request.auth, state=state, client=client)[:500])
    audit_list(request, [a.client_id for a in rows], purpose=Purpose.CARE, what="care_alerts")
    return [_alert_out(a) for a in rows]


@router.post(
    "/cases/alerts/{alert_id}/acknowledge",
    response=responses(CareAlertOut, 404),
    url_name="case_care_alert_acknowledge",
    summary="Acknowledge a care alert of your teams (again changes nothing)",
)
def care_alert_acknowledge(request, alert_id: int):
    alert = care_alerts.acknowledge(actor=request.auth, alert_id=alert_id)
    return _alert_out(alert)


# The care plan.


class GoalIn(Schema):
    text: str
    idempotency_key: str = ""


class ActionIn(Schema):
    text: str
    owner_user_id: int | None = Field(None, description="a care-team member holding the case")
    owner_text: str = Field("", description="or: the person, a supporter, someone else")
    due_on: dt.date | None = None
    goal_id: int | None = None
    support_id: int | None = Field(None, description="the catalogue support it comes from")
    idempotency_key: str = ""


class GoalEditIn(Schema):
    text: str = Field(description="the goal, reworded (an open goal only)")


class ActionEditIn(Schema):
    """Only the fields sent change; send null to take a due date, goal or owner away."""

    text: str | None = None
    owner_user_id: int | None = Field(
        None, description="a care-team member holding the case; replaces a written owner"
    )
    owner_text: str | None = Field(None, description="a written owner; replaces a team member")
    due_on: dt.date | None = None
    goal_id: int | None = None


class ReferralIn(Schema):
    kind: str = Field(description=", ".join(ReferralKind.values))
    to_whom: str
    note: str = ""
    support_id: int | None = None
    idempotency_key: str = ""


class StatusIn(Schema):
    status: str = Field(
        description="goals: open, achieved, dropped; actions: open, done, cancelled"
    )


class ReferralStepIn(Schema):
    status: str = Field(description="the next step; see docs/cases-plan.md")
    note: str = ""


class GoalOut(Schema):
    id: int
    text: str
    status: str
    organization: str
    created_at: dt.datetime
    created_by: str
    status_changed_at: dt.datetime | None
    status_changed_by: str
    edited_at: dt.datetime | None
    edited_by: str


class ActionOut(GoalOut):
    owner_user: str | None
    owner_text: str
    owner: str
    due_on: dt.date | None
    goal_id: int | None
    from_support_id: int | None


class ReferralChangeOut(Schema):
    status: str
    changed_at: dt.datetime
    changed_by: str
    note: str


class ReferralOut(Schema):
    id: int
    kind: str
    to_whom: str
    note: str
    status: str
    next_steps: list[str]
    organization: str
    created_at: dt.datetime
    created_by: str
    from_support_id: int | None
    changes: list[ReferralChangeOut]


class PlanOut(Schema):
    client_id: int
    group: str
    goals: list[GoalOut]
    actions: list[ActionOut]
    referrals: list[ReferralOut]


def _item_out(item) -> dict:
    return {
        "id": item.pk,
        "text": item.text,
        "status": item.status,
        "organization": item.organization.name,
        "created_at": item.created_at,
        "created_by": item.created_by,
        "status_changed_at": item.status_changed_at,
        "status_changed_by": item.status_changed_by,
        "edited_at": item.edited_at,
        "edited_by": item.edited_by,
    }


def _action_out(action) -> dict:
    return {
        **_item_out(action),
        "owner_user": action.owner_user.get_username() if action.owner_user_id else None,
        "owner_text": action.owner_text,
        "owner": action.owner_label,
        "due_on": action.due_on,
        "goal_id": action.goal_id,
        "from_support_id": action.from_support_id,
    }


def _referral_out(referral) -> dict:
    return {
        "id": referral.pk,
        "kind": referral.kind,
        "to_whom": referral.to_whom,
        "note": referral.note,
        "status": referral.status,
        "next_steps": list(plans.REFERRAL_STEPS.get(referral.status, ())),
        "organization": referral.organization.name,
        "created_at": referral.created_at,
        "created_by": referral.created_by,
        "from_support_id": referral.from_support_id,
        "changes": [
            {
                "status": c.status,
                "changed_at": c.changed_at,
                "changed_by": c.changed_by,
                "note": c.note,
            }
            for c in referral.changes.all()
        ],
    }


@router.get(
    "/cases/clients/{client_id}/plan",
    response=responses(PlanOut, 404),
    url_name="case_plan",
    summary="A person's care plan: goals, actions with owners and due dates, referrals",
)
def plan_detail(request, client_id: int):
    client = care_client(request, client_id)
    plan = plans.plan_for(client)
    return {
        "client_id": client.pk,
        "group": plan["group"],
        "goals": [_item_out(g) for g in client.plan_goals.select_related("organization")],
        "actions": [
            _action_out(a) for a in client.plan_actions.select_related("organization", "owner_user")
        ],
        "referrals": [
            _referral_out(r)
            for r in client.referrals.select_related("organization").prefetch_related("changes")
        ],
    }


@router.post(
    "/cases/clients/{client_id}/plan/goals",
    response=write_responses(GoalOut),
    url_name="case_plan_goals",
    summary="Add a goal (the same idempotency key returns the first goal)",
)
def plan_goal_add(request, client_id: int, body: GoalIn):
    return writing(
        request,
        client_id,
        lambda client: plans.add_goal(
            actor=request.auth,
            client=client,
            text=body.text,
            idempotency_key=idempotency_key(request, body.idempotency_key),
        ),
        _item_out,
    )


@router.post(
    "/cases/clients/{client_id}/plan/goals/{goal_id}",
    response=write_responses(GoalOut),
    url_name="case_plan_goal",
    summary="Set a goal's status: open, achieved or dropped",
)
def plan_goal_status(request, client_id: int, goal_id: int, body: StatusIn):
    return writing(
        request,
        client_id,
        lambda client: plans.set_goal_status(
            actor=request.auth, client=client, goal_id=goal_id, status=body.status
        ),
        _item_out,
    )


@router.patch(
    "/cases/clients/{client_id}/plan/goals/{goal_id}",
    response=write_responses(GoalOut),
    url_name="case_plan_goal",
    summary="Reword an open goal (the same words again change nothing)",
)
def plan_goal_edit(request, client_id: int, goal_id: int, body: GoalEditIn):
    return writing(
        request,
        client_id,
        lambda client: plans.edit_goal(
            actor=request.auth, client=client, goal_id=goal_id, text=body.text
        ),
        _item_out,
    )


@router.post(
    "/cases/clients/{client_id}/plan/actions",
    response=write_responses(ActionOut),
    url_name="case_plan_actions",
    summary="Add an action with an owner and a due date (idempotent on its key)",
)
def plan_action_add(request, client_id: int, body: ActionIn):
    return writing(
        request,
        client_id,
        lambda client: plans.add_action(
            actor=request.auth,
            client=client,
            text=body.text,
            owner_user_id=body.owner_user_id,
            owner_text=body.owner_text,
            due_on=body.due_on,
            goal_id=body.goal_id,
            support_id=body.support_id,
            idempotency_key=idempotency_key(request, body.idempotency_key),
        ),
        _action_out,
    )


@router.post(
    "/cases/clients/{client_id}/plan/actions/{action_id}",
    response=write_responses(ActionOut),
    url_name="case_plan_action",
    summary="Set an action's status: open, done or cancelled",
)
def plan_action_status(request, client_id: int, action_id: int, body: StatusIn):
    return writing(
        request,
        client_id,
        lambda client: plans.set_action_status(
            actor=request.auth, client=client, action_id=action_id, status=body.status
        ),
        _action_out,
    )


@router.patch(
    "/cases/clients/{client_id}/plan/actions/{action_id}",
    response=write_responses(ActionOut),
    url_name="case_plan_action",
    summary="Edit an open action: its words, owner, due date or goal (only the fields sent)",
)
def plan_action_edit(request, client_id: int, action_id: int, body: ActionEditIn):
    sent = {name: getattr(body, name) for name in body.model_fields_set}
    return writing(
        request,
        client_id,
        lambda client: plans.edit_action(
            actor=request.auth, client=client, action_id=action_id, **sent
        ),
        _action_out,
    )


@router.post(
    "/cases/clients/{client_id}/plan/referrals",
    response=write_responses(ReferralOut),
    url_name="case_plan_referrals",
    summary="Propose a referral (idempotent on its key)",
)
def plan_referral_add(request, client_id: int, body: ReferralIn):
    return writing(
        request,
        client_id,
        lambda client: plans.add_referral(
            actor=request.auth,
            client=client,
            kind=body.kind,
            to_whom=body.to_whom,
            note=body.note,
            support_id=body.support_id,
            idempotency_key=idempotency_key(request, body.idempotency_key),
        ),
        _referral_out,
    )


@router.post(
    "/cases/clients/{client_id}/plan/referrals/{referral_id}",
    response=write_responses(ReferralOut),
    url_name="case_plan_referral",
    summary="Move a referral one step (sent, accepted, declined, started, completed, no-show)",
)
def plan_referral_step(request, client_id: int, referral_id: int, body: ReferralStepIn):
    return writing(
        request,
        client_id,
        lambda client: plans.change_referral(
            actor=request.auth,
            client=client,
            referral_id=referral_id,
            status=body.status,
            note=body.note,
        ),
        _referral_out,
    )
