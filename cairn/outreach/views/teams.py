"""The team workspace: the list of teams, a team's page, setting a team up, its members
and its funding.

Every view asks `cairn.outreach.access` first (`get_team_for`; `require_manage_teams`
before any input is read on set-up pages) and writes through `cairn.outreach.teams`.
Under htmx a form answers with its section (400 with the field errors when the input
is wrong); without htmx a success redirects to the team's page and an error renders the
page with 400 and what was posted, so nothing typed is lost.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cairn.access.models import Organization
from cairn.access.permissions import communities_visible_to, grants_for
from cairn.access.roles import Permission
from cairn.cases.forms import new_idempotency_key
from cairn.outreach import access
from cairn.outreach import teams as team_plan
from cairn.outreach.models.teams import (
    PLAN_GROUPS,
    ActionStatus,
    AreaOfAction,
    GoalStatus,
    TeamRole,
    TeamSector,
)

INDICATORS_TEMPLATE = "outreach/_indicators.html"


def team_view(view):
    """Signed-in only; the answer varies with HX-Request (partial or page)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        patch_vary_headers(response, ["HX-Request"])
        return response

    return login_required(wrapped)


def _template_exists(name: str) -> bool:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


def encounter_indicators(user, team):
    """The encounters' indicators partial and its data, when the encounters part exists."""
    if not _template_exists(INDICATORS_TEMPLATE):
        return None
    try:
        from cairn.outreach.indicators import indicators_for_viewer
    except ImportError:
        return None
    return indicators_for_viewer(user, team)


def indicators_html(request, team) -> str:
    """The encounters' indicators partial, rendered; empty when it cannot be (the
    encounters part is not installed, or its pages are not wired yet)."""
    try:
        indicators = encounter_indicators(request.user, team)
        if indicators is None:
            return ""
        return render_to_string(INDICATORS_TEMPLATE, {"indicators": indicators}, request=request)
    except (NoReverseMatch, ImportError, AttributeError):
        return ""


def _may_see_encounters(user, team) -> bool:
    """The encounter list is the encounters part's to open (its own rule)."""
    try:
        from cairn.outreach.encounters import may_see_encounters
    except ImportError:  # pragma: no cover - encounters not installed
        return False
    return may_see_encounters(user, team)


def _url_or_none(name: str, **kwargs) -> str | None:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def _owned(indicators, title: str) -> list:
    for indicator in indicators:
        indicator.owner_title = title
    return list(indicators)


def workspace_context(request, team, *, errors=None, form="", item_id=None, posted=None) -> dict:
    user = request.user
    may_manage = access.may_manage_team(user, team)
    may_plan = access.may_edit_plan(user, team)
    plan = team_plan.plan_of(team)
    for area in plan:
        actions = [*area.loose_actions, *(a for g in area.goals for a in g.action_list)]
        for action in actions:
            action.editable = may_plan or access.owns_action(user, action)
    funding, totals = team_plan.funding_of(team)
    # What this user may measure and record progress on: goals when they may edit the
    # plan, actions they may edit.
    indicator_targets, progress_indicators = [], []
    for area in plan:
        for goal in area.goals:
            if may_plan:
                indicator_targets.append((f"goal-{goal.pk}", f"Goal: {goal.title}"))
                progress_indicators += _owned(goal.indicator_list, goal.title)
            for action in goal.action_list:
                if action.editable:
                    indicator_targets.append((f"action-{action.pk}", f"Action: {action.title}"))
                    progress_indicators += _owned(action.indicator_list, action.title)
        for action in area.loose_actions:
            if action.editable:
                indicator_targets.append((f"action-{action.pk}", f"Action: {action.title}"))
                progress_indicators += _owned(action.indicator_list, action.title)
    return {
        "team": team,
        "communities": sorted(team.communities.all(), key=lambda c: c.name),
        "seats": team_plan.members_by_sector(team),
        "past_members": team_plan.past_members(team),
        "current_members": list(
            access.current_members(team).select_related("organization").order_by("person_name")
        ),
        "funding": funding,
        "funding_totals": [f"{c} {a:,.2f}" for c, a in sorted(totals.items())],
        "plan": plan,
        "groups_covered": [
            (dict(PLAN_GROUPS)[g], n) for g, n in team_plan.groups_covered(team).items()
        ],
        "status_summary": team_plan.status_summary(team),
        "overdue": team_plan.overdue_actions(team),
        "may_manage": may_manage,
        "may_plan": may_plan,
        "may_record_outreach": access.may_record_outreach(user, team),
        "encounters_url": (
            _url_or_none("outreach:encounter_list", slug=team.slug)
            if _may_see_encounters(user, team)
            else None
        ),
        "encounter_new_url": _url_or_none("outreach:encounter_new", slug=team.slug),
        "organizations": Organization.objects.order_by("name") if may_manage else [],
        "sectors": TeamSector.choices,
        "team_roles": TeamRole.choices,
        "areas": AreaOfAction.choices,
        "plan_groups": PLAN_GROUPS,
        "indicator_targets": indicator_targets,
        "progress_indicators": progress_indicators,
        "goal_statuses": GoalStatus.choices,
        "action_statuses": ActionStatus.choices,
        "errors": errors or {},
        "failed_form": form,
        "failed_id": item_id,
        "posted": posted or {},
        "posted_groups": (posted.getlist("groups") if hasattr(posted, "getlist") else []),
        "keys": {
            k: new_idempotency_key()
            for k in ("member", "funding", "goal", "action", "indicator", "progress")
        },
    }


def render_workspace(request, team, *, section: str = "", status: int = 200, **failure):
    """The team page, or one of its sections under htmx."""
    context = workspace_context(request, team, **failure)
    if request.htmx and section:
        return render(request, f"outreach/teams/_{section}.htmx.html", context, status=status)
    context["indicators_html"] = indicators_html(request, team)
    return render(request, "outreach/teams/team_detail.html", context, status=status)


def write_in_workspace(request, team, write, *, section: str, form: str, item_id=None):
    """Run a write; answer with the section (htmx) or the page, as the module says."""
    try:
        write()
    except team_plan.TeamItemMissing as error:
        return render(
            request,
            "outreach/teams/problem.html",
            {"message": str(error), "team": team},
            status=404,
        )
    except team_plan.TeamError as error:
        return render_workspace(
            request,
            team,
            section=section,
            status=400,
            errors={error.field: str(error)},
            form=form,
            item_id=item_id,
            posted=request.POST,
        )
    if request.htmx:
        return render_workspace(request, team, section=section)
    return redirect(f"{reverse('outreach:team_detail', kwargs={'slug': team.slug})}#{section}")


# Pages ---------------------------------------------------------------------------------


@team_view
@require_GET
def team_list(request):
    teams = (
        access.teams_for(request.user)
        .prefetch_related(access.communities_prefetch())
        .order_by("name")
    )
    may_set_up = any(g.role.has(Permission.MANAGE_TEAMS) for g in grants_for(request.user))
    return render(
        request,
        "outreach/teams/team_list.html",
        {"teams": teams, "may_set_up": may_set_up},
    )


@team_view
@require_GET
def team_detail(request, slug):
    team = access.get_team_for(request.user, slug)
    return render_workspace(request, team)


def _manageable_communities(user):
    """Communities a team manager may give a team: those their MANAGE_TEAMS reaches."""
    visible = communities_visible_to(user).defer("boundary").order_by("name")
    return [c for c in visible if access.may_manage_communities(user, [c])]


def _team_form(request, *, team=None, errors=None, status=200):
    posted = request.POST if request.method == "POST" else None
    if posted is not None:
        chosen = set(posted.getlist("communities"))
    elif team is not None:
        chosen = {c.code for c in team.communities.all()}
    else:
        chosen = set()
    choices = _manageable_communities(request.user)
    if team is not None:  # the team's own communities stay listed
        extra = [c for c in team.communities.all() if c not in choices]
        choices = sorted([*choices, *extra], key=lambda c: c.name)
    return render(
        request,
        "outreach/teams/team_form.html",
        {
            "team": team,
            "communities": choices,
            "chosen": chosen,
            "errors": errors or {},
            "posted": posted,
            "idempotency_key": (posted or {}).get("idempotency_key") or new_idempotency_key(),
        },
        status=status,
    )


@team_view
@require_http_methods(["GET", "POST"])
def team_new(request):
    access.require_manage_teams(request.user)
    if request.method == "GET":
        return _team_form(request)
    try:
        team = team_plan.create_team(
            actor=request.user,
            name=request.POST.get("name", ""),
            communities=request.POST.getlist("communities"),
            description=request.POST.get("description", ""),
            started_on=request.POST.get("started_on", ""),
            idempotency_key=request.POST.get("idempotency_key", ""),
        )
    except team_plan.TeamError as error:
        return _team_form(request, errors={error.field: str(error)}, status=400)
    return redirect("outreach:team_detail", slug=team.slug)


@team_view
@require_http_methods(["GET", "POST"])
def team_edit(request, slug):
    access.require_manage_teams(request.user)
    team = access.get_team_for(request.user, slug, manage=True)
    if request.method == "GET":
        return _team_form(request, team=team)
    try:
        team_plan.update_team(
            actor=request.user,
            team=team,
            name=request.POST.get("name", ""),
            communities=request.POST.getlist("communities"),
            description=request.POST.get("description", ""),
            started_on=request.POST.get("started_on", ""),
            active=request.POST.get("active") == "on",
        )
    except team_plan.TeamError as error:
        return _team_form(request, team=team, errors={error.field: str(error)}, status=400)
    return redirect("outreach:team_detail", slug=team.slug)


@team_view
@require_POST
def member_add(request, slug):
    access.require_manage_teams(request.user)
    team = access.get_team_for(request.user, slug, manage=True)
    p = request.POST
    return write_in_workspace(
        request,
        team,
        lambda: team_plan.add_member(
            actor=request.user,
            team=team,
            sector=p.get("sector", ""),
            organization_id=p.get("organization", ""),
            organization_name=p.get("organization_name", ""),
            person_name=p.get("person_name", ""),
            team_role=p.get("team_role", ""),
            user_id=p.get("user", ""),
            username=p.get("username", ""),
            joined_on=p.get("joined_on", ""),
            idempotency_key=p.get("idempotency_key", ""),
        ),
        section="members",
        form="member",
    )


@team_view
@require_POST
def member_end(request, slug, member_id):
    access.require_manage_teams(request.user)
    team = access.get_team_for(request.user, slug, manage=True)
    return write_in_workspace(
        request,
        team,
        lambda: team_plan.end_membership(
            actor=request.user,
            team=team,
            member_id=member_id,
            left_on=request.POST.get("left_on", ""),
        ),
        section="members",
        form="member_end",
        item_id=member_id,
    )


@team_view
@require_POST
def funding_add(request, slug):
    access.require_manage_teams(request.user)
    team = access.get_team_for(request.user, slug, manage=True)
    p = request.POST
    return write_in_workspace(
        request,
        team,
        lambda: team_plan.add_funding(
            actor=request.user,
            team=team,
            funder=p.get("funder", ""),
            program=p.get("program", ""),
            amount=p.get("amount", ""),
            currency=p.get("currency", "") or "CAD",
            starts_on=p.get("starts_on", ""),
            ends_on=p.get("ends_on", ""),
            notes=p.get("notes", ""),
            idempotency_key=p.get("idempotency_key", ""),
        ),
        section="funding",
        form="funding",
    )
