"""API: community action teams — teams, their plan (goals, actions), indicators.

The same rules as the pages (`cairn.outreach.access`): a team is open to its member
organizations' staff and to team managers covering its communities; an unknown team
answers 404 and a team the caller may not open 403. Creating a goal, an action, an
indicator or a progress entry takes an idempotency key (the `Idempotency-Key` header or
`idempotency_key` in the body): the same key again returns what the first request made
(200 instead of 201). Bad input answers 422 with `detail` and the `field` at fault.
"""

import datetime as dt
from decimal import Decimal

from ninja import Field, Router, Schema, Status

from cairn.api.errors import ErrorOut
from cairn.outreach import access
from cairn.outreach import teams as team_plan
from cairn.outreach.models.teams import (
    ActionStatus,
    AreaOfAction,
    GoalStatus,
    IndicatorProgress,
    TeamAction,
    TeamGoal,
    TeamIndicator,
)

router = Router(tags=["outreach"])


class FieldErrorOut(Schema):
    detail: str
    field: str


_READ = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
_WRITE = {**_READ, 422: FieldErrorOut}


def _field_error(error: team_plan.TeamError):
    return Status(422, {"detail": str(error), "field": error.field})


def _key(request, body_key: str) -> str:
    return (request.headers.get("Idempotency-Key") or body_key or "").strip()[:80]


# Output --------------------------------------------------------------------------------


class CommunityOut(Schema):
    code: str
    name: str


class TeamSummaryOut(Schema):
    slug: str
    name: str
    active: bool
    communities: list[CommunityOut]


class MemberOut(Schema):
    id: int
    organization: str
    partner: bool = Field(description="true: a Cairn partner organization")
    person_name: str
    sector: str
    team_role: str
    joined_on: dt.date
    left_on: dt.date | None


class FundingOut(Schema):
    id: int
    funder: str
    program: str
    amount: Decimal
    currency: str
    starts_on: dt.date
    ends_on: dt.date | None
    notes: str


class TeamOut(TeamSummaryOut):
    description: str
    started_on: dt.date | None
    members: list[MemberOut]
    funding: list[FundingOut]
    may_manage: bool
    may_edit_plan: bool


class ProgressOut(Schema):
    id: int
    recorded_on: dt.date
    value: Decimal
    note: str


class IndicatorOut(Schema):
    id: int
    goal_id: int | None
    action_id: int | None
    name: str
    unit: str
    target: Decimal | None
    actual: Decimal | None
    percent_of_target: int | None
    progress: list[ProgressOut]


class GoalOut(Schema):
    id: int
    title: str
    description: str
    area: str
    groups: list[str]
    owner_id: int | None
    due_on: dt.date | None
    status: str
    status_changed_at: dt.datetime | None


class ActionOut(GoalOut):
    goal_id: int | None


class PlanOut(Schema):
    goals: list[GoalOut]
    actions: list[ActionOut]
    indicators: list[IndicatorOut]


class OutreachTableOut(Schema):
    heading: str
    measures: list[str]
    rows: list[tuple[str, list[int | None]]]
    total: list[int | None]


class IndicatorsOut(Schema):
    plan: list[IndicatorOut]
    outreach_start: dt.date | None = None
    outreach_end: dt.date | None = None
    outreach_suppressed: bool | None = Field(
        None, description="true: outreach counts of 1-4 suppressed (null); null: no outreach data"
    )
    outreach: list[OutreachTableOut] = Field(default_factory=list)


def _team_summary(team) -> dict:
    return {
        "slug": team.slug,
        "name": team.name,
        "active": team.active,
        "communities": [
            {"code": c.code, "name": c.name}
            for c in sorted(team.communities.all(), key=lambda c: c.name)
        ],
    }


def _member_out(m) -> dict:
    return {
        "id": m.pk,
        "organization": m.organization_label,
        "partner": m.organization_id is not None,
        "person_name": m.person_name,
        "sector": m.sector,
        "team_role": m.team_role,
        "joined_on": m.joined_on,
        "left_on": m.left_on,
    }


def _entry_out(entry) -> dict:
    out = {
        "id": entry.pk,
        "title": entry.title,
        "description": entry.description,
        "area": entry.area,
        "groups": list(entry.groups or []),
        "owner_id": entry.owner_id,
        "due_on": entry.due_on,
        "status": entry.status,
        "status_changed_at": entry.status_changed_at,
    }
    if isinstance(entry, TeamAction):
        out["goal_id"] = entry.goal_id
    return out


def _indicator_out(indicator) -> dict:
    return {
        "id": indicator.pk,
        "goal_id": indicator.goal_id,
        "action_id": indicator.action_id,
        "name": indicator.name,
        "unit": indicator.unit,
        "target": indicator.target,
        "actual": indicator.actual,
        "percent_of_target": indicator.percent_of_target,
        "progress": [
            {"id": p.pk, "recorded_on": p.recorded_on, "value": p.value, "note": p.note}
            for p in indicator.progress_entries
        ],
    }


def _indicators(team) -> list[dict]:
    return [_indicator_out(i) for i in team_plan.indicators_of(team)]


# Reads ---------------------------------------------------------------------------------


@router.get(
    "/teams",
    response={200: list[TeamSummaryOut], 401: ErrorOut},
    url_name="outreach_teams",
    summary="The community action teams whose workspace you may open",
)
def team_list(request):
    teams = (
        access.teams_for(request.auth)
        .prefetch_related(access.communities_prefetch())
        .order_by("name")
    )
    return [_team_summary(t) for t in teams]


@router.get(
    "/teams/{slug}",
    response={**_READ, 200: TeamOut},
    url_name="outreach_team",
    summary="A team: communities, current and past members by sector, funding",
)
def team_detail(request, slug: str):
    team = access.get_team_for(request.auth, slug)
    members = team.members.select_related("organization").order_by("sector", "person_name", "pk")
    funding, _ = team_plan.funding_of(team)
    return {
        **_team_summary(team),
        "description": team.description,
        "started_on": team.started_on,
        "members": [_member_out(m) for m in members],
        "funding": [
            {
                "id": f.pk,
                "funder": f.funder,
                "program": f.program,
                "amount": f.amount,
                "currency": f.currency,
                "starts_on": f.starts_on,
                "ends_on": f.ends_on,
                "notes": f.notes,
            }
            for f in funding
        ],
        "may_manage": access.may_manage_team(request.auth, team),
        "may_edit_plan": access.may_edit_plan(request.auth, team),
    }


@router.get(
    "/teams/{slug}/plan",
    response={**_READ, 200: PlanOut},
    url_name="outreach_team_plan",
    summary="The team's action plan: goals, actions and their indicators",
)
def team_plan_read(request, slug: str):
    team = access.get_team_for(request.auth, slug)
    goals = TeamGoal.objects.filter(team=team).order_by("created_at", "pk")
    actions = TeamAction.objects.filter(team=team).order_by("due_on", "created_at", "pk")
    return {
        "goals": [_entry_out(g) for g in goals],
        "actions": [_entry_out(a) for a in actions],
        "indicators": _indicators(team),
    }


@router.get(
    "/teams/{slug}/indicators",
    response={**_READ, 200: IndicatorsOut},
    url_name="outreach_team_indicators",
    summary="The plan's indicators with their progress, and the team's outreach counts",
)
def team_indicators(request, slug: str):
    team = access.get_team_for(request.auth, slug)
    out: dict = {"plan": _indicators(team)}
    try:
        from cairn.outreach.indicators import indicators_for_viewer
    except ImportError:  # pragma: no cover - encounters not installed
        return out
    view = indicators_for_viewer(request.auth, team)
    measures = [key for key, _ in view.measures]
    out.update(
        outreach_start=view.start,
        outreach_end=view.end,
        outreach_suppressed=not view.full,
        outreach=[
            {"heading": t.heading, "measures": measures, "rows": t.rows, "total": t.total}
            for t in (view.by_month, view.by_group)
        ],
    )
    return out


# Writes --------------------------------------------------------------------------------


class EntryIn(Schema):
    title: str
    area: str = Field("", description=", ".join(AreaOfAction.values))
    groups: list[str] = Field(
        default_factory=list,
        description="recreational, street_involved, hidden_regular, first_nations; empty: all",
    )
    description: str = ""
    owner_id: int | None = Field(None, description="a current member of the team")
    due_on: dt.date | None = None
    idempotency_key: str = ""


class ActionIn(EntryIn):
    goal_id: int | None = None


class StatusIn(Schema):
    status: str = Field(
        description=f"goals: {', '.join(GoalStatus.values)}; "
        f"actions: {', '.join(ActionStatus.values)}"
    )


class IndicatorIn(Schema):
    name: str
    goal_id: int | None = None
    action_id: int | None = None
    unit: str = ""
    target: Decimal | None = None
    idempotency_key: str = ""


class ProgressIn(Schema):
    value: Decimal
    recorded_on: dt.date | None = None
    note: str = ""
    idempotency_key: str = ""


def _created(model, request, kind: str, key: str) -> bool:
    """Whether this request creates (201) rather than repeats (200) a creation."""
    full = team_plan._key(request.auth, kind, key)
    return not (full and model.objects.filter(creation_key=full).exists())


def _write(request, slug: str, change, out, *, created: bool | None = None, missing=404):
    """One change to a team's plan: the team as the caller may manage it, then `change(team)`.
    An item not on the team answers `missing` (404, or 422 naming the field when the body
    named it); bad input 422 naming the field; a creation 201, or 200 when its key repeats."""
    team = access.get_team_for(request.auth, slug)
    try:
        result = change(team)
    except team_plan.TeamItemMissing as error:
        if missing == 422:
            return _field_error(error)
        return Status(404, {"detail": str(error)})
    except team_plan.TeamError as error:
        return _field_error(error)
    if created is None:
        return out(result)
    return Status(201 if created else 200, out(result))


@router.post(
    "/teams/{slug}/goals",
    response={**_WRITE, 200: GoalOut, 201: GoalOut},
    url_name="outreach_goal_add",
    summary="Add a goal to the team's plan",
)
def goal_add(request, slug: str, body: EntryIn):
    key = _key(request, body.idempotency_key)
    return _write(
        request,
        slug,
        lambda team: team_plan.add_goal(
            actor=request.auth,
            team=team,
            title=body.title,
            area=body.area,
            groups=body.groups,
            description=body.description,
            owner_id=body.owner_id,
            due_on=body.due_on,
            idempotency_key=key,
        ),
        _entry_out,
        created=_created(TeamGoal, request, "goal", key),
    )


@router.post(
    "/teams/{slug}/goals/{goal_id}/status",
    response={**_WRITE, 200: GoalOut},
    url_name="outreach_goal_status",
    summary="Change a goal's status",
)
def goal_status(request, slug: str, goal_id: int, body: StatusIn):
    return _write(
        request,
        slug,
        lambda team: team_plan.set_goal_status(
            actor=request.auth, team=team, goal_id=goal_id, status=body.status
        ),
        _entry_out,
    )


@router.post(
    "/teams/{slug}/actions",
    response={**_WRITE, 200: ActionOut, 201: ActionOut},
    url_name="outreach_action_add",
    summary="Add an action to the team's plan (under a goal or on its own)",
)
def action_add(request, slug: str, body: ActionIn):
    key = _key(request, body.idempotency_key)
    return _write(
        request,
        slug,
        lambda team: team_plan.add_action(
            actor=request.auth,
            team=team,
            title=body.title,
            area=body.area,
            groups=body.groups,
            goal_id=body.goal_id,
            description=body.description,
            owner_id=body.owner_id,
            due_on=body.due_on,
            idempotency_key=key,
        ),
        _entry_out,
        created=_created(TeamAction, request, "action", key),
    )


@router.post(
    "/teams/{slug}/actions/{action_id}/status",
    response={**_WRITE, 200: ActionOut},
    url_name="outreach_action_status",
    summary="Change an action's status (team managers, chairs, coordinators, its owner)",
)
def action_status(request, slug: str, action_id: int, body: StatusIn):
    return _write(
        request,
        slug,
        lambda team: team_plan.set_action_status(
            actor=request.auth, team=team, action_id=action_id, status=body.status
        ),
        _entry_out,
    )


@router.post(
    "/teams/{slug}/indicators",
    response={**_WRITE, 200: IndicatorOut, 201: IndicatorOut},
    url_name="outreach_indicator_add",
    summary="Add an indicator (name, unit, target) to a goal or an action",
)
def indicator_add(request, slug: str, body: IndicatorIn):
    key = _key(request, body.idempotency_key)
    return _write(
        request,
        slug,
        lambda team: team_plan.add_indicator(
            actor=request.auth,
            team=team,
            name=body.name,
            goal_id=body.goal_id,
            action_id=body.action_id,
            unit=body.unit,
            target=body.target,
            idempotency_key=key,
        ),
        _indicator_out,
        created=_created(TeamIndicator, request, "indicator", key),
        missing=422,  # the goal or action named in the body
    )


@router.post(
    "/teams/{slug}/indicators/{indicator_id}/progress",
    response={**_WRITE, 200: IndicatorOut, 201: IndicatorOut},
    url_name="outreach_indicator_progress",
    summary="Record an indicator's value to date (earlier entries are kept)",
)
def indicator_progress(request, slug: str, indicator_id: int, body: ProgressIn):
    key = _key(request, body.idempotency_key)
    return _write(
        request,
        slug,
        lambda team: team_plan.record_progress(
            actor=request.auth,
            team=team,
            indicator_id=indicator_id,
            value=body.value,
            recorded_on=body.recorded_on,
            note=body.note,
            idempotency_key=key,
        ),
        lambda entry: _indicator_out(TeamIndicator.objects.get(pk=entry.indicator_id)),
        created=_created(IndicatorProgress, request, "progress", key),
    )


# Outreach encounters ("enc"): their operations, on this router so one registration in
# cairn/api/main.py serves both.
from cairn.api import outreach_encounters  # noqa: E402

router.add_router("", outreach_encounters.router)
