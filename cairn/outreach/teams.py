"""Community action teams: setting a team up, its members and funding, and its action plan.

Writes are plain functions (keyword-only, atomic, audited in the same transaction). Each
checks the actor through `cairn.outreach.access` itself, so the pages, the API and the
demo loader share one rule. A creation carries an idempotency key: the same key from the
same actor returns the row the first request made (a double tap, a retry after a lost
answer). Bad input raises TeamError naming the field at fault; nothing is changed then.
"""

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.text import slugify

from cairn.access.audit import actor_name as _username
from cairn.access.audit import record_audit_event
from cairn.access.models import Organization
from cairn.geography.models import Jurisdiction, Level
from cairn.outreach import access
from cairn.outreach.models.teams import (
    PLAN_GROUPS,
    ActionStatus,
    AreaOfAction,
    Funding,
    GoalStatus,
    IndicatorProgress,
    Team,
    TeamAction,
    TeamGoal,
    TeamIndicator,
    TeamMember,
    TeamRole,
    TeamSector,
)


class TeamError(ValueError):
    """The change cannot be made as asked. `field` names the input at fault."""

    def __init__(self, message: str, field: str = "__all__"):
        super().__init__(message)
        self.field = field


class TeamItemMissing(TeamError):
    """No member, goal, action or indicator with this number on this team."""


# Input -------------------------------------------------------------------------------


def _key(actor, kind: str, key: str | None) -> str | None:
    key = (key or "").strip()
    if not key:
        return None
    return f"{getattr(actor, 'pk', '') or _username(actor)}:team-{kind}:{key}"[:120]


def text(value, field: str, label: str, limit: int, *, required: bool = True) -> str:
    value = "" if value is None else str(value).replace("\x00", "").strip()
    if required and not value:
        raise TeamError(f"{label}: this is required.", field)
    if len(value) > limit:
        raise TeamError(f"{label}: at most {limit} characters.", field)
    return value


def date_of(value, field: str, label: str, *, required: bool = False) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    value = "" if value is None else str(value).strip()
    if not value:
        if required:
            raise TeamError(f"{label}: this is required.", field)
        return None
    try:
        parsed = parse_date(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise TeamError(f"{label}: give a date like 2026-01-31.", field)
    return parsed


def number_of(value, field: str, label: str, *, required: bool = False) -> Decimal | None:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        number = Decimal(str(value))
    else:
        value = "" if value is None else str(value).strip().replace(",", "").replace("$", "")
        if not value:
            if required:
                raise TeamError(f"{label}: this is required.", field)
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise TeamError(f"{label}: give a number like 1500 or 12.5.", field) from None
    if not number.is_finite() or number < 0:
        raise TeamError(f"{label}: give a number of 0 or more.", field)
    if number >= Decimal("1e10"):
        raise TeamError(f"{label}: too large.", field)
    return number.quantize(Decimal("0.01"))


def choice(value, field: str, label: str, choices, *, default=None) -> str:
    value = "" if value is None else str(value).strip()
    if not value and default is not None:
        return default
    allowed = [v for v, _ in choices]
    if value not in allowed:
        raise TeamError(f"{label}: choose one of {', '.join(allowed)}.", field)
    return value


def groups_of(values) -> list[str]:
    """The groups a goal or action is for: CareGroup values (empty means every group)."""
    if values is None:
        return []
    if isinstance(values, str):
        values = [v for v in re.split(r"[,\s]+", values) if v]
    allowed = [v for v, _ in PLAN_GROUPS]
    chosen = []
    for value in values:
        value = str(value).strip()
        if value not in allowed:
            raise TeamError(f"Groups: {value!r} is not one of {', '.join(allowed)}.", "groups")
        if value not in chosen:
            chosen.append(value)
    return [v for v in allowed if v in chosen]


def _int(value, field: str, label: str) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise TeamError(f"{label}: not a valid number.", field) from None


def _audit(actor, team: Team, action: str, summary: str, **details) -> None:
    record_audit_event(
        actor=actor,
        action=f"outreach.team.{action}",
        target_type="outreach.team",
        target_id=str(team.pk),
        summary=summary,
        details=details,
    )


def _create(model, key, **fields):
    """Create once per idempotency key; returns (row, created)."""
    if key:
        existing = model.objects.filter(creation_key=key).first()
        if existing is not None:
            return existing, False
    try:
        with transaction.atomic():
            return model.objects.create(creation_key=key, **fields), True
    except IntegrityError:
        if key:
            existing = model.objects.filter(creation_key=key).first()
            if existing is not None:
                return existing, False
        raise


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _system(actor) -> bool:
    """A named system (the demo loader, a command run at the shell): trusted as an operator."""
    return isinstance(actor, str)


MANAGE_REFUSED = "Only a team manager (manage_teams) covering the team's communities may do this."
PLAN_REFUSED = (
    "Only those who manage the team, its chair or coordinator, or the action's owner may "
    "change the plan."
)


# The team ------------------------------------------------------------------------------


def communities_of(codes_or_ids) -> list[Jurisdiction]:
    """Communities (local health areas) from codes or ids; refuses anything else."""
    values = [v for v in (codes_or_ids or []) if str(v).strip()]
    if not values:
        raise TeamError("Communities: choose at least one community.", "communities")
    found = []
    for value in values:
        value = str(value).strip()
        query = Jurisdiction.objects.filter(level=Level.COMMUNITY).defer("boundary")
        community = (
            query.filter(pk=int(value)).first()
            if value.isdigit()
            else query.filter(code=value).first()
        )
        if community is None:
            raise TeamError(f"Communities: no community {value!r}.", "communities")
        if community not in found:
            found.append(community)
    return found


def _unique_slug(name: str, *, exclude: int | None = None) -> str:
    base = slugify(name)[:100] or "team"
    if base == "new":  # /teams/new/ is the set-up page
        base = "new-team"
    slug, n = base, 2
    while Team.objects.filter(slug=slug).exclude(pk=exclude).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def create_team(
    *,
    actor,
    name: str,
    communities,
    description: str = "",
    started_on=None,
    idempotency_key: str = "",
) -> Team:
    name = text(name, "name", "Name", 200)
    chosen = communities_of(communities)
    _require(
        _system(actor) or access.may_manage_communities(actor, chosen),
        "You may set up a team only for communities your organization covers, with manage_teams.",
    )
    description = text(description, "description", "Description", 4000, required=False)
    started_on = date_of(started_on, "started_on", "Started on")
    key = _key(actor, "team", idempotency_key)
    if key and (existing := Team.objects.filter(creation_key=key).first()):
        return existing
    if Team.objects.filter(name__iexact=name).exists():
        raise TeamError("Name: another team already has this name.", "name")
    team, created = _create(
        Team,
        key,
        name=name,
        slug=_unique_slug(name),
        description=description,
        started_on=started_on,
        created_by=_username(actor),
    )
    if created:
        team.communities.set(chosen)
        _audit(actor, team, "create", f"Action team {team.name} set up")
    return team


@transaction.atomic
def update_team(
    *,
    actor,
    team: Team,
    name: str,
    communities,
    description: str = "",
    started_on=None,
    active: bool = True,
) -> Team:
    _require(_system(actor) or access.may_manage_team(actor, team), MANAGE_REFUSED)
    name = text(name, "name", "Name", 200)
    chosen = communities_of(communities)
    _require(
        _system(actor) or access.may_manage_communities(actor, chosen),
        "You may give a team only communities your organization covers.",
    )
    if Team.objects.filter(name__iexact=name).exclude(pk=team.pk).exists():
        raise TeamError("Name: another team already has this name.", "name")
    team.name = name
    team.description = text(description, "description", "Description", 4000, required=False)
    team.started_on = date_of(started_on, "started_on", "Started on")
    team.active = bool(active)
    team.updated_at = timezone.now()
    team.save()
    team.communities.set(chosen)
    _audit(actor, team, "update", f"Action team {team.name} changed")
    return team


# Members and funding ---------------------------------------------------------------------


@transaction.atomic
def add_member(
    *,
    actor,
    team: Team,
    sector: str = "",
    organization_id=None,
    organization_name: str = "",
    person_name: str = "",
    team_role: str = "",
    user_id=None,
    username: str = "",
    joined_on=None,
    idempotency_key: str = "",
) -> TeamMember:
    _require(_system(actor) or access.may_manage_team(actor, team), MANAGE_REFUSED)
    organization = None
    if organization_id not in (None, ""):
        organization = Organization.objects.filter(
            pk=_int(organization_id, "organization", "Organization")
        ).first()
        if organization is None:
            raise TeamError("Organization: no such partner organization.", "organization")
    organization_name = text(
        organization_name, "organization_name", "Organization or group", 200, required=False
    )
    if organization is None and not organization_name:
        raise TeamError(
            "Organization: choose a partner organization or write the group's name "
            "(a family group, a business association).",
            "organization",
        )
    if organization is not None and organization_name:
        raise TeamError(
            "Organization: choose a partner organization or write a name, not both.",
            "organization_name",
        )
    default_sector = organization.sector if organization and organization.sector else None
    sector = choice(sector, "sector", "Sector", TeamSector.choices, default=default_sector)
    person_name = text(person_name, "person_name", "Name", 150, required=False)
    team_role = choice(
        team_role, "team_role", "Role in the team", TeamRole.choices, default=TeamRole.MEMBER
    )
    user = None
    username = text(username, "username", "Cairn username", 150, required=False)
    if user_id not in (None, "") or username:
        users = get_user_model().objects.filter(is_active=True)
        if user_id not in (None, ""):
            user = users.filter(pk=_int(user_id, "user", "Cairn user")).first()
        else:
            user = users.filter(username=username).first()
        # The same answer for "no such user" and "not of this organization": a team
        # manager learns nothing about other organizations' accounts.
        if (
            user is None
            or organization is None
            or not user.memberships.filter(organization=organization).exists()
        ):
            field = "user" if user_id not in (None, "") else "username"
            raise TeamError(
                "Cairn user: give the username of someone at the member's partner organization.",
                field,
            )
    joined_on = date_of(joined_on, "joined_on", "Joined on") or timezone.localdate()
    member, created = _create(
        TeamMember,
        _key(actor, "member", idempotency_key),
        team=team,
        organization=organization,
        organization_name=organization_name,
        person_name=person_name,
        sector=sector,
        team_role=team_role,
        user=user,
        joined_on=joined_on,
        created_by=_username(actor),
    )
    if created:
        _audit(actor, team, "member.add", f"Member {member.label} added", member_id=member.pk)
    return member


def _member(team: Team, member_id) -> TeamMember:
    member = TeamMember.objects.filter(team=team, pk=_int(member_id, "member", "Member")).first()
    if member is None:
        raise TeamItemMissing("No such member on this team.", "member")
    return member


@transaction.atomic
def end_membership(*, actor, team: Team, member_id, left_on=None) -> TeamMember:
    """The member leaves the team (kept, with the date, for the team's history)."""
    _require(_system(actor) or access.may_manage_team(actor, team), MANAGE_REFUSED)
    member = _member(team, member_id)
    left_on = date_of(left_on, "left_on", "Left on") or timezone.localdate()
    if left_on < member.joined_on:
        raise TeamError("Left on: the member cannot leave before joining.", "left_on")
    if member.left_on is None:
        member.left_on = left_on
        member.save(update_fields=["left_on"])
        _audit(actor, team, "member.end", f"Member {member.label} left", member_id=member.pk)
    return member


@transaction.atomic
def add_funding(
    *,
    actor,
    team: Team,
    funder: str,
    program: str,
    amount,
    currency: str = "CAD",
    starts_on=None,
    ends_on=None,
    notes: str = "",
    idempotency_key: str = "",
) -> Funding:
    _require(_system(actor) or access.may_manage_team(actor, team), MANAGE_REFUSED)
    funder = text(funder, "funder", "Funder", 200)
    program = text(program, "program", "Grant or program", 200)
    amount = number_of(amount, "amount", "Amount", required=True)
    currency = text(currency or "CAD", "currency", "Currency", 3).upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise TeamError("Currency: give a three-letter code such as CAD.", "currency")
    starts_on = date_of(starts_on, "starts_on", "Starts on", required=True)
    ends_on = date_of(ends_on, "ends_on", "Ends on")
    if ends_on is not None and ends_on < starts_on:
        raise TeamError("Ends on: the period cannot end before it starts.", "ends_on")
    funding, created = _create(
        Funding,
        _key(actor, "funding", idempotency_key),
        team=team,
        funder=funder,
        program=program,
        amount=amount,
        currency=currency,
        starts_on=starts_on,
        ends_on=ends_on,
        notes=text(notes, "notes", "Notes", 2000, required=False),
        created_by=_username(actor),
    )
    if created:
        _audit(actor, team, "funding.add", f"Funding {funding} added", funding_id=funding.pk)
    return funding


# The plan ------------------------------------------------------------------------------


def _owner(team: Team, owner_id) -> TeamMember | None:
    if owner_id in (None, ""):
        return None
    owner = access.current_members(team).filter(pk=_int(owner_id, "owner", "Owner")).first()
    if owner is None:
        raise TeamError("Owner: choose a current member of this team.", "owner")
    return owner


def _entry_fields(team, *, title, description, area, groups, owner_id, due_on) -> dict:
    return {
        "title": text(title, "title", "Title", 300),
        "description": text(description, "description", "Description", 4000, required=False),
        "area": choice(area, "area", "Area of action", AreaOfAction.choices),
        "groups": groups_of(groups),
        "owner": _owner(team, owner_id),
        "due_on": date_of(due_on, "due_on", "Due date"),
    }


@transaction.atomic
def add_goal(
    *,
    actor,
    team: Team,
    title: str,
    area: str,
    groups=(),
    description: str = "",
    owner_id=None,
    due_on=None,
    idempotency_key: str = "",
) -> TeamGoal:
    _require(_system(actor) or access.may_edit_plan(actor, team), PLAN_REFUSED)
    fields = _entry_fields(
        team,
        title=title,
        description=description,
        area=area,
        groups=groups,
        owner_id=owner_id,
        due_on=due_on,
    )
    goal, created = _create(
        TeamGoal,
        _key(actor, "goal", idempotency_key),
        team=team,
        created_by=_username(actor),
        **fields,
    )
    if created:
        _audit(actor, team, "goal.add", f"Goal {goal.pk} added", goal_id=goal.pk)
    return goal


def _goal(team: Team, goal_id) -> TeamGoal:
    goal = TeamGoal.objects.filter(team=team, pk=_int(goal_id, "goal", "Goal")).first()
    if goal is None:
        raise TeamItemMissing("Goal: no such goal in this team's plan.", "goal")
    return goal


def _action(team: Team, action_id) -> TeamAction:
    action = (
        TeamAction.objects.select_related("owner", "team")
        .filter(team=team, pk=_int(action_id, "action", "Action"))
        .first()
    )
    if action is None:
        raise TeamItemMissing("Action: no such action in this team's plan.", "action")
    return action


@transaction.atomic
def add_action(
    *,
    actor,
    team: Team,
    title: str,
    area: str = "",
    groups=None,
    goal_id=None,
    description: str = "",
    owner_id=None,
    due_on=None,
    idempotency_key: str = "",
) -> TeamAction:
    """An action, under a goal or on its own. Under a goal, the area and the groups
    default to the goal's."""
    _require(_system(actor) or access.may_edit_plan(actor, team), PLAN_REFUSED)
    goal = None if goal_id in (None, "") else _goal(team, goal_id)
    if goal is not None:
        area = area or goal.area
        if not groups:
            groups = goal.groups
    fields = _entry_fields(
        team,
        title=title,
        description=description,
        area=area,
        groups=groups,
        owner_id=owner_id,
        due_on=due_on,
    )
    action, created = _create(
        TeamAction,
        _key(actor, "action", idempotency_key),
        team=team,
        goal=goal,
        created_by=_username(actor),
        **fields,
    )
    if created:
        _audit(actor, team, "action.add", f"Action {action.pk} added", action_id=action.pk)
    return action


@transaction.atomic
def set_goal_status(*, actor, team: Team, goal_id, status: str) -> TeamGoal:
    _require(_system(actor) or access.may_edit_plan(actor, team), PLAN_REFUSED)
    goal = _goal(team, goal_id)
    status = choice(status, "status", "Status", GoalStatus.choices)
    if goal.status != status:
        goal.status = status
        goal.status_changed_at = timezone.now()
        goal.status_changed_by = _username(actor)
        goal.save(update_fields=["status", "status_changed_at", "status_changed_by"])
        _audit(actor, team, "goal.status", f"Goal {goal.pk}: {status}", goal_id=goal.pk)
    return goal


@transaction.atomic
def set_action_status(*, actor, team: Team, action_id, status: str) -> TeamAction:
    action = _action(team, action_id)
    _require(_system(actor) or access.may_edit_action(actor, action), PLAN_REFUSED)
    status = choice(status, "status", "Status", ActionStatus.choices)
    if action.status != status:
        action.status = status
        action.status_changed_at = timezone.now()
        action.status_changed_by = _username(actor)
        action.save(update_fields=["status", "status_changed_at", "status_changed_by"])
        _audit(actor, team, "action.status", f"Action {action.pk}: {status}", action_id=action.pk)
    return action


@transaction.atomic
def add_indicator(
    *,
    actor,
    team: Team,
    name: str,
    goal_id=None,
    action_id=None,
    unit: str = "",
    target=None,
    idempotency_key: str = "",
) -> TeamIndicator:
    """An indicator of a goal or of an action (one of the two)."""
    goal = None if goal_id in (None, "") else _goal(team, goal_id)
    action = None if action_id in (None, "") else _action(team, action_id)
    if (goal is None) == (action is None):
        raise TeamError("Measures: choose a goal or an action (one of the two).", "goal")
    if action is not None:
        _require(_system(actor) or access.may_edit_action(actor, action), PLAN_REFUSED)
    else:
        _require(_system(actor) or access.may_edit_plan(actor, team), PLAN_REFUSED)
    indicator, created = _create(
        TeamIndicator,
        _key(actor, "indicator", idempotency_key),
        team=team,
        goal=goal,
        action=action,
        name=text(name, "name", "Indicator", 200),
        unit=text(unit, "unit", "Unit", 50, required=False),
        target=number_of(target, "target", "Target"),
        created_by=_username(actor),
    )
    if created:
        _audit(
            actor,
            team,
            "indicator.add",
            f"Indicator {indicator.pk} added",
            indicator_id=indicator.pk,
        )
    return indicator


def _indicator(team: Team, indicator_id) -> TeamIndicator:
    indicator = (
        TeamIndicator.objects.select_related("action__owner", "action__team")
        .filter(team=team, pk=_int(indicator_id, "indicator", "Indicator"))
        .first()
    )
    if indicator is None:
        raise TeamItemMissing("Indicator: no such indicator in this team's plan.", "indicator")
    return indicator


@transaction.atomic
def record_progress(
    *,
    actor,
    team: Team,
    indicator_id,
    value,
    recorded_on=None,
    note: str = "",
    idempotency_key: str = "",
) -> IndicatorProgress:
    """The indicator's value to date, on a date (today by default); earlier entries stay."""
    indicator = _indicator(team, indicator_id)
    if indicator.action is not None:
        _require(_system(actor) or access.may_edit_action(actor, indicator.action), PLAN_REFUSED)
    else:
        _require(_system(actor) or access.may_edit_plan(actor, team), PLAN_REFUSED)
    value = number_of(value, "value", "Value", required=True)
    recorded_on = date_of(recorded_on, "recorded_on", "Date") or timezone.localdate()
    if recorded_on > timezone.localdate():
        raise TeamError("Date: progress cannot be recorded for a future date.", "recorded_on")
    entry, created = _create(
        IndicatorProgress,
        _key(actor, "progress", idempotency_key),
        indicator=indicator,
        value=value,
        recorded_on=recorded_on,
        note=text(note, "note", "Note", 300, required=False),
        created_by=_username(actor),
    )
    if created:
        _audit(
            actor,
            team,
            "indicator.progress",
            f"Indicator {indicator.pk}: {value}",
            indicator_id=indicator.pk,
        )
    return entry


# Reads ---------------------------------------------------------------------------------


@dataclass
class AreaPlan:
    area: str
    label: str
    goals: list[TeamGoal]
    loose_actions: list[TeamAction]  # actions of the area not under a goal


@dataclass
class SectorSeats:
    sector: str
    label: str
    members: list[TeamMember]


def members_by_sector(team: Team, *, current: bool = True) -> list[SectorSeats]:
    members = access.current_members(team) if current else TeamMember.objects.filter(team=team)
    members = members.select_related("organization", "user").order_by("sector", "person_name", "pk")
    grouped: dict[str, list[TeamMember]] = defaultdict(list)
    for member in members:
        grouped[member.sector].append(member)
    labels = dict(TeamSector.choices)
    return [SectorSeats(s, labels.get(s, s), grouped[s]) for s in labels if grouped.get(s)]


def past_members(team: Team) -> list[TeamMember]:
    today = timezone.localdate()
    return list(
        TeamMember.objects.filter(team=team, left_on__lte=today)
        .select_related("organization")
        .order_by("-left_on", "pk")
    )


def funding_of(team: Team) -> tuple[list[Funding], dict[str, Decimal]]:
    """The team's funding, and the total per currency."""
    rows = list(Funding.objects.filter(team=team).order_by("starts_on", "pk"))
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        totals[row.currency] += row.amount
    return rows, dict(totals)


@dataclass(frozen=True)
class ProgressEntry:
    pk: int
    recorded_on: dt.date
    value: Decimal
    note: str


def attach_progress(indicators: list[TeamIndicator]) -> list[TeamIndicator]:
    """Every indicator's progress, oldest first, read in one query as plain rows (a plan
    can hold thousands of entries; model instances for each would cost more than the page)."""
    by_indicator: dict[int, list[ProgressEntry]] = {i.pk: [] for i in indicators}
    rows = (
        IndicatorProgress.objects.filter(indicator_id__in=list(by_indicator))
        .order_by("indicator_id", "recorded_on", "pk")
        .values_list("indicator_id", "pk", "recorded_on", "value", "note")
    )
    for indicator_id, pk, recorded_on, value, note in rows:
        by_indicator[indicator_id].append(ProgressEntry(pk, recorded_on, value, note))
    for indicator in indicators:
        indicator._progress_entries = by_indicator[indicator.pk]
    return indicators


def indicators_of(team: Team) -> list[TeamIndicator]:
    return attach_progress(list(TeamIndicator.objects.filter(team=team).order_by("pk")))


def plan_of(team: Team) -> list[AreaPlan]:
    """The plan by area of action: goals with their actions and indicators, then the
    area's actions that are not under a goal. Every area is listed, empty or not."""
    indicators = indicators_of(team)
    by_goal, by_action = defaultdict(list), defaultdict(list)
    for indicator in indicators:
        if indicator.goal_id:
            by_goal[indicator.goal_id].append(indicator)
        else:
            by_action[indicator.action_id].append(indicator)
    actions = list(
        TeamAction.objects.filter(team=team)
        .select_related("owner__organization")
        .order_by("due_on", "created_at", "pk")
    )
    for action in actions:
        action.indicator_list = by_action[action.pk]
    goals = list(
        TeamGoal.objects.filter(team=team)
        .select_related("owner__organization")
        .order_by("created_at", "pk")
    )
    under_goal = defaultdict(list)
    for action in actions:
        if action.goal_id:
            under_goal[action.goal_id].append(action)
    for goal in goals:
        goal.action_list = under_goal[goal.pk]
        goal.indicator_list = by_goal[goal.pk]
    plan = []
    for area, label in AreaOfAction.choices:
        plan.append(
            AreaPlan(
                area=area,
                label=label,
                goals=[g for g in goals if g.area == area],
                loose_actions=[a for a in actions if a.area == area and not a.goal_id],
            )
        )
    return plan


def groups_covered(team: Team) -> dict[str, int]:
    """How many goals and actions are for each group (an entry for every group counts for
    each): to see at a glance whether the plan reaches all four."""
    counts = dict.fromkeys((v for v, _ in PLAN_GROUPS), 0)
    for groups in [
        *TeamGoal.objects.filter(team=team).values_list("groups", flat=True),
        *TeamAction.objects.filter(team=team).values_list("groups", flat=True),
    ]:
        for value in groups or counts:
            if value in counts:
                counts[value] += 1
    return counts


def status_summary(team: Team) -> dict[str, dict[str, int]]:
    goals = dict.fromkeys(GoalStatus.values, 0)
    for status in TeamGoal.objects.filter(team=team).values_list("status", flat=True):
        goals[status] += 1
    actions = dict.fromkeys(ActionStatus.values, 0)
    for status in TeamAction.objects.filter(team=team).values_list("status", flat=True):
        actions[status] += 1
    return {"goals": goals, "actions": actions}


def overdue_actions(team: Team, *, today: dt.date | None = None) -> list[TeamAction]:
    today = today or timezone.localdate()
    return list(
        TeamAction.objects.filter(team=team, due_on__lt=today)
        .exclude(status__in=[ActionStatus.DONE, ActionStatus.CANCELLED])
        .order_by("due_on", "pk")
    )
