"""The team's action plan: goals, actions, indicators and their progress (htmx).

Anyone who may open the team sees the plan; `cairn.outreach.teams` checks who may
change it (team managers, the team's chair or coordinator, an action's owner) and
refuses the others (403). Unknown goals, actions or indicators answer 404.
"""

from django.views.decorators.http import require_GET, require_POST

from cairn.outreach import access
from cairn.outreach import teams as team_plan
from cairn.outreach.views.teams import render_workspace, team_view, write_in_workspace


def _write(request, slug, write, *, form: str, item_id=None):
    team = access.get_team_for(request.user, slug)
    return write_in_workspace(
        request, team, lambda: write(team), section="plan", form=form, item_id=item_id
    )


@team_view
@require_GET
def plan(request, slug):
    """The plan section alone (htmx refreshes it); the whole page without htmx."""
    team = access.get_team_for(request.user, slug)
    return render_workspace(request, team, section="plan")


@team_view
@require_POST
def goal_add(request, slug):
    p = request.POST
    return _write(
        request,
        slug,
        lambda team: team_plan.add_goal(
            actor=request.user,
            team=team,
            title=p.get("title", ""),
            area=p.get("area", ""),
            groups=p.getlist("groups"),
            description=p.get("description", ""),
            owner_id=p.get("owner", ""),
            due_on=p.get("due_on", ""),
            idempotency_key=p.get("idempotency_key", ""),
        ),
        form="goal",
    )


@team_view
@require_POST
def goal_status(request, slug, goal_id):
    return _write(
        request,
        slug,
        lambda team: team_plan.set_goal_status(
            actor=request.user, team=team, goal_id=goal_id, status=request.POST.get("status", "")
        ),
        form="goal_status",
        item_id=goal_id,
    )


@team_view
@require_POST
def action_add(request, slug):
    p = request.POST
    return _write(
        request,
        slug,
        lambda team: team_plan.add_action(
            actor=request.user,
            team=team,
            title=p.get("title", ""),
            area=p.get("area", ""),
            groups=p.getlist("groups"),
            goal_id=p.get("goal", ""),
            description=p.get("description", ""),
            owner_id=p.get("owner", ""),
            due_on=p.get("due_on", ""),
            idempotency_key=p.get("idempotency_key", ""),
        ),
        form="action",
    )


@team_view
@require_POST
def action_status(request, slug, action_id):
    return _write(
        request,
        slug,
        lambda team: team_plan.set_action_status(
            actor=request.user,
            team=team,
            action_id=action_id,
            status=request.POST.get("status", ""),
        ),
        form="action_status",
        item_id=action_id,
    )


def _measured(post) -> tuple[str, str]:
    """(goal id, action id) from the form's "for" choice ("goal-3", "action-5"), or from
    the fields `goal` and `action`."""
    kind, _, pk = (post.get("for") or "").partition("-")
    if kind == "goal":
        return pk, ""
    if kind == "action":
        return "", pk
    return post.get("goal", ""), post.get("action", "")


@team_view
@require_POST
def indicator_add(request, slug):
    p = request.POST
    goal_id, action_id = _measured(p)
    return _write(
        request,
        slug,
        lambda team: team_plan.add_indicator(
            actor=request.user,
            team=team,
            name=p.get("name", ""),
            goal_id=goal_id,
            action_id=action_id,
            unit=p.get("unit", ""),
            target=p.get("target", ""),
            idempotency_key=p.get("idempotency_key", ""),
        ),
        form="indicator",
    )


@team_view
@require_POST
def indicator_progress(request, slug, indicator_id):
    p = request.POST
    return _write(
        request,
        slug,
        lambda team: team_plan.record_progress(
            actor=request.user,
            team=team,
            indicator_id=indicator_id,
            value=p.get("value", ""),
            recorded_on=p.get("recorded_on", ""),
            note=p.get("note", ""),
            idempotency_key=p.get("idempotency_key", ""),
        ),
        form="progress",
    )


@team_view
@require_POST
def progress_add(request, slug):
    """Progress for the indicator chosen in the form (the plan's one "Record progress")."""
    p = request.POST
    return _write(
        request,
        slug,
        lambda team: team_plan.record_progress(
            actor=request.user,
            team=team,
            indicator_id=p.get("indicator", ""),
            value=p.get("value", ""),
            recorded_on=p.get("recorded_on", ""),
            note=p.get("note", ""),
            idempotency_key=p.get("idempotency_key", ""),
        ),
        form="progress",
    )
