"""The care plan page: goals, actions, referrals, and the group's recommended supports
offered as one-click actions or referrals.

Every view opens the person's record through `get_client_for_user` (care team of a
holding organization only; the read is audited). Writes go through `cairn.cases.plans`.
Under htmx a form answers with the plan partial (400 with the field errors when the
input is wrong); without htmx, a success redirects to the page and an error renders the
page with 400.
"""

from django.shortcuts import render
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET, require_POST

from cairn.cases import plans
from cairn.cases.access import get_client_for_user
from cairn.cases.forms import new_idempotency_key
from cairn.cases.models.plans import ActionStatus, GoalStatus, ReferralKind
from cairn.cases.views.common import care_team_view, purpose_from, write_on_record


def _render(request, client, *, errors=None, form="", item_id=None, posted=None, status=200):
    context = {
        "client": client,
        "active": not client.is_merged,
        "errors": errors or {},
        "failed_form": form,
        "failed_id": item_id,
        "posted": posted or {},
        "goal_statuses": GoalStatus.choices,
        "action_statuses": ActionStatus.choices,
        "referral_kinds": ReferralKind.choices,
        "key_goal": new_idempotency_key(),
        "key_action": new_idempotency_key(),
        "key_referral": new_idempotency_key(),
        **plans.plan_for(client),
    }
    template = "cases/plans/_plan.htmx.html" if request.htmx else "cases/plans/plan.html"
    return render(request, template, context, status=status)


def _write(request, client_id, form: str, write, item_id=None):
    return write_on_record(
        request,
        client_id,
        write,
        render_section=_render,
        page="cases:plan",
        missing=plans.PlanItemMissing,
        refused=plans.PlanError,
        form=form,
        item_id=item_id,
    )


@care_team_view
@require_GET
def plan(request, client_id):
    client = get_client_for_user(request.user, client_id, purpose=purpose_from(request))
    return _render(request, client)


@care_team_view
@require_POST
def plan_goal_add(request, client_id):
    return _write(
        request,
        client_id,
        "goal",
        lambda client: plans.add_goal(
            actor=request.user,
            client=client,
            text=request.POST.get("text", ""),
            idempotency_key=request.POST.get("idempotency_key", ""),
        ),
    )


@care_team_view
@require_POST
def plan_goal_status(request, client_id, goal_id):
    return _write(
        request,
        client_id,
        "goal_status",
        lambda client: plans.set_goal_status(
            actor=request.user, client=client, goal_id=goal_id, status=request.POST.get("status")
        ),
        item_id=goal_id,
    )


def _due_on(value: str):
    value = (value or "").strip()
    if not value:
        return None
    try:
        parsed = parse_date(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise plans.PlanError("Due date: give a date like 2026-01-31.", "due_on")
    return parsed


@care_team_view
@require_POST
def plan_action_add(request, client_id):
    def write(client):
        plans.add_action(
            actor=request.user,
            client=client,
            text=request.POST.get("text", ""),
            owner_user_id=request.POST.get("owner_user", ""),
            owner_text=request.POST.get("owner_text", ""),
            due_on=_due_on(request.POST.get("due_on", "")),
            goal_id=request.POST.get("goal", ""),
            support_id=request.POST.get("support", ""),
            idempotency_key=request.POST.get("idempotency_key", ""),
        )

    return _write(request, client_id, "action", write)


@care_team_view
@require_POST
def plan_action_status(request, client_id, action_id):
    return _write(
        request,
        client_id,
        "action_status",
        lambda client: plans.set_action_status(
            actor=request.user,
            client=client,
            action_id=action_id,
            status=request.POST.get("status"),
        ),
        item_id=action_id,
    )


@care_team_view
@require_POST
def plan_goal_edit(request, client_id, goal_id):
    return _write(
        request,
        client_id,
        "goal_edit",
        lambda client: plans.edit_goal(
            actor=request.user, client=client, goal_id=goal_id, text=request.POST.get("text", "")
        ),
        item_id=goal_id,
    )


@care_team_view
@require_POST
def plan_action_edit(request, client_id, action_id):
    """The whole edit form is posted: every value replaces the stored one."""

    def write(client):
        plans.edit_action(
            actor=request.user,
            client=client,
            action_id=action_id,
            text=request.POST.get("text", ""),
            owner_user_id=request.POST.get("owner_user", ""),
            owner_text=request.POST.get("owner_text", ""),
            due_on=_due_on(request.POST.get("due_on", "")),
            goal_id=request.POST.get("goal", ""),
        )

    return _write(request, client_id, "action_edit", write, item_id=action_id)


@care_team_view
@require_POST
def plan_referral_add(request, client_id):
    return _write(
        request,
        client_id,
        "referral",
        lambda client: plans.add_referral(
            actor=request.user,
            client=client,
            kind=request.POST.get("kind", ""),
            to_whom=request.POST.get("to_whom", ""),
            note=request.POST.get("note", ""),
            support_id=request.POST.get("support", ""),
            idempotency_key=request.POST.get("idempotency_key", ""),
        ),
    )


@care_team_view
@require_POST
def plan_referral_status(request, client_id, referral_id):
    return _write(
        request,
        client_id,
        "referral_status",
        lambda client: plans.change_referral(
            actor=request.user,
            client=client,
            referral_id=referral_id,
            status=request.POST.get("status", ""),
            note=request.POST.get("note", ""),
        ),
        item_id=referral_id,
    )
