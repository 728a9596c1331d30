"""The care plan: goals, actions and referrals — writes (atomic, audited) and reads.

Every function takes a client record that the caller opened through the access choke
point (`get_client_for_user`, which audits the read); writes also check that the actor
is on the care team of an organization holding the case, and record an audit event in
the same transaction. A creation carries an idempotency key: the same key from the same
user returns the first row instead of a second one (a double tap on a tablet).
"""

import datetime as dt
import re

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from cairn.access.audit import actor_name as _username
from cairn.access.audit import record_audit_event
from cairn.access.models import Membership
from cairn.cases.access import CARE_TEAM_ROLES, managing_organization_id
from cairn.cases.assessment import groups
from cairn.cases.models import Client, ClientHolding
from cairn.cases.models.groups import CareGroup, GroupSupport
from cairn.cases.models.plans import (
    ActionStatus,
    GoalStatus,
    PlanAction,
    PlanGoal,
    Referral,
    ReferralChange,
    ReferralKind,
    ReferralStatus,
)

S = ReferralStatus
#: The steps a referral may take from each status; the others are final.
REFERRAL_STEPS: dict[str, tuple[str, ...]] = {
    S.PROPOSED: (S.SENT, S.DECLINED),
    S.SENT: (S.ACCEPTED, S.DECLINED, S.NO_SHOW),
    S.ACCEPTED: (S.STARTED, S.NO_SHOW),
    S.STARTED: (S.COMPLETED,),
}


class PlanError(ValueError):
    """The plan cannot be changed as asked. `field` names the form field at fault."""

    def __init__(self, message: str, field: str = "__all__"):
        super().__init__(message)
        self.field = field


class PlanItemMissing(PlanError):
    """No goal, action or referral with this number on this person's plan."""


def _key(actor, key: str) -> str | None:
    key = (key or "").strip()
    return f"{getattr(actor, 'pk', '') or _username(actor)}:plan:{key}"[:120] if key else None


def holding_organization_id(actor, client: Client) -> int:
    """The actor's organization that holds the case and lets them change it
    (MANAGE_CASES; the first, if several)."""
    return managing_organization_id(actor, client)


def _writable(actor, client: Client) -> int:
    if client.is_merged:
        raise PlanError(
            "This record was merged into another; change the plan on that record instead."
        )
    return holding_organization_id(actor, client)


def _text(value: str, field: str, label: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise PlanError(f"{label}: this is required.", field)
    if len(value) > limit:
        raise PlanError(f"{label}: at most {limit} characters.", field)
    return value


def _audit(actor, client: Client, action: str, summary: str, **details) -> None:
    record_audit_event(
        actor=actor,
        action=f"cases.plan.{action}",
        target_type="cases.client",
        target_id=str(client.pk),
        summary=summary,
        details=details,
    )


def _create(model, actor, key, **fields):
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
            return model.objects.get(creation_key=key), False
        raise


def team_members(client: Client):
    """Who may own an action: care-team members of the organizations holding the case."""
    organizations = ClientHolding.objects.filter(client=client).values("organization_id")
    members = Membership.objects.filter(
        organization_id__in=organizations, role__in=CARE_TEAM_ROLES
    ).values("user_id")
    return get_user_model().objects.filter(pk__in=members, is_active=True).order_by("username")


# Writes -------------------------------------------------------------------------------


@transaction.atomic
def add_goal(*, actor, client: Client, text: str, idempotency_key: str = "") -> PlanGoal:
    organization_id = _writable(actor, client)
    text = _text(text, "text", "Goal", 300)
    goal, created = _create(
        PlanGoal,
        actor,
        _key(actor, idempotency_key),
        client=client,
        organization_id=organization_id,
        text=text,
        created_by=_username(actor),
    )
    if created:
        _audit(actor, client, "goal.add", f"Care plan goal {goal.pk} added", goal_id=goal.pk)
    return goal


@transaction.atomic
def add_action(
    *,
    actor,
    client: Client,
    text: str,
    owner_user_id=None,
    owner_text: str = "",
    due_on: dt.date | None = None,
    goal_id=None,
    support_id=None,
    idempotency_key: str = "",
) -> PlanAction:
    organization_id = _writable(actor, client)
    text = _text(text, "text", "Action", 300)
    owner, owner_text = _owner(client, owner_user_id, owner_text)
    goal = _goal(client, goal_id)
    support = _support(support_id)
    action, created = _create(
        PlanAction,
        actor,
        _key(actor, idempotency_key),
        client=client,
        organization_id=organization_id,
        text=text,
        owner_user=owner,
        owner_text=owner_text,
        due_on=due_on,
        goal=goal,
        from_support=support,
        created_by=_username(actor),
    )
    if created:
        _audit(
            actor, client, "action.add", f"Care plan action {action.pk} added", action_id=action.pk
        )
    return action


@transaction.atomic
def add_referral(
    *,
    actor,
    client: Client,
    kind: str,
    to_whom: str,
    note: str = "",
    support_id=None,
    idempotency_key: str = "",
) -> Referral:
    organization_id = _writable(actor, client)
    if kind not in ReferralKind.values:
        raise PlanError(f"Kind: give one of {', '.join(ReferralKind.values)}.", "kind")
    to_whom = _text(to_whom, "to_whom", "To whom", 200)
    note = (note or "").strip()
    if len(note) > 500:
        raise PlanError("Note: at most 500 characters.", "note")
    referral, created = _create(
        Referral,
        actor,
        _key(actor, idempotency_key),
        client=client,
        organization_id=organization_id,
        kind=kind,
        to_whom=to_whom,
        note=note,
        from_support=_support(support_id),
        created_by=_username(actor),
    )
    if created:
        ReferralChange.objects.create(
            referral=referral,
            status=ReferralStatus.PROPOSED,
            changed_at=referral.created_at,
            changed_by=referral.created_by,
        )
        _audit(
            actor,
            client,
            "referral.add",
            f"Referral {referral.pk} ({kind}) proposed",
            referral_id=referral.pk,
        )
    return referral


def _owner(client: Client, owner_user_id, owner_text: str):
    """(team member or None, name written) of an action's owner: one or the other."""
    owner_text = (owner_text or "").strip()
    if len(owner_text) > 150:
        raise PlanError("Owner: at most 150 characters.", "owner_text")
    owner = None
    if owner_user_id:
        owner = team_members(client).filter(pk=_int(owner_user_id, "owner_user")).first()
        if owner is None:
            raise PlanError(
                "Owner: choose a member of a care team that holds this case.", "owner_user"
            )
    if owner and owner_text:
        raise PlanError("Owner: choose a team member or write a name, not both.", "owner_text")
    return owner, owner_text


def _goal(client: Client, goal_id) -> PlanGoal | None:
    if not goal_id:
        return None
    goal = PlanGoal.objects.filter(client=client, pk=_int(goal_id, "goal")).first()
    if goal is None:
        raise PlanError("Goal: no such goal on this person's plan.", "goal")
    return goal


def _int(value, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise PlanError(
            f"{field.replace('_', ' ').capitalize()}: not a valid choice.", field
        ) from None


def _support(support_id) -> GroupSupport | None:
    if not support_id:
        return None
    support = GroupSupport.objects.filter(pk=_int(support_id, "support"), active=True).first()
    if support is None:
        raise PlanError("Support: no such recommended support in the catalogue.", "support")
    return support


def _set_status(actor, client, model, item_id, status, choices, what):
    _writable(actor, client)
    if status not in choices.values:
        raise PlanError(f"Status: give one of {', '.join(choices.values)}.", "status")
    item = model.objects.select_for_update().filter(client=client, pk=item_id).first()
    if item is None:
        raise PlanItemMissing(f"No such {what} on this person's plan.")
    if item.status == status:  # a repeated submit: nothing to change
        return item
    item.status = status
    item.status_changed_at = timezone.now()
    item.status_changed_by = _username(actor)
    item.save(update_fields=["status", "status_changed_at", "status_changed_by"])
    _audit(
        actor,
        client,
        f"{what}.status",
        f"Care plan {what} {item.pk}: {status}",
        **{f"{what}_id": item.pk, "status": status},
    )
    return item


@transaction.atomic
def set_goal_status(*, actor, client: Client, goal_id, status: str) -> PlanGoal:
    return _set_status(actor, client, PlanGoal, goal_id, status, GoalStatus, "goal")


@transaction.atomic
def set_action_status(*, actor, client: Client, action_id, status: str) -> PlanAction:
    return _set_status(actor, client, PlanAction, action_id, status, ActionStatus, "action")


#: An edit's argument left out: that value stays as it is.
KEEP = object()


def _open_item(actor, client, model, item_id, what: str):
    """The goal or action to edit, locked; only an open one can be edited."""
    _writable(actor, client)
    item = model.objects.select_for_update().filter(client=client, pk=item_id).first()
    if item is None:
        raise PlanItemMissing(f"No such {what} on this person's plan.")
    if item.status != "open":
        raise PlanError(
            f"This {what} is {item.get_status_display().lower()}: "
            + ("mark it open again to edit it." if what == "goal" else "add a new one instead.")
        )
    return item


def _save_edit(actor, client, item, changed: list[str], what: str):
    """Save the changed fields and audit which (not their words: the audit trail keeps
    who did what, the plan keeps what it says). Nothing changed: nothing written."""
    if not changed:
        return item
    item.edited_at = timezone.now()
    item.edited_by = _username(actor)
    item.save(update_fields=[*changed, "edited_at", "edited_by"])
    _audit(
        actor,
        client,
        f"{what}.edit",
        f"Care plan {what} {item.pk} edited: {', '.join(changed)}",
        **{f"{what}_id": item.pk, "fields": changed},
    )
    return item


@transaction.atomic
def edit_goal(*, actor, client: Client, goal_id, text=KEEP) -> PlanGoal:
    """Reword an open goal (a repeated submit changes nothing and audits nothing)."""
    goal = _open_item(actor, client, PlanGoal, goal_id, "goal")
    changed = []
    if text is not KEEP:
        text = _text(text, "text", "Goal", 300)
        if text != goal.text:
            goal.text = text
            changed.append("text")
    return _save_edit(actor, client, goal, changed, "goal")


@transaction.atomic
def edit_action(
    *,
    actor,
    client: Client,
    action_id,
    text=KEEP,
    owner_user_id=KEEP,
    owner_text=KEEP,
    due_on=KEEP,
    goal_id=KEEP,
) -> PlanAction:
    """Change an open action's words, owner, due date or goal; what is left out (KEEP)
    stays. A team member as owner replaces a written name and the other way round. A
    due date moved after its overdue alert may raise a new one once it passes."""
    action = _open_item(actor, client, PlanAction, action_id, "action")
    new = {}
    if text is not KEEP:
        new["text"] = _text(text, "text", "Action", 300)
    if owner_user_id is not KEEP or owner_text is not KEEP:
        user_id, written = action.owner_user_id, action.owner_text
        if owner_user_id is not KEEP:
            user_id = owner_user_id
            if owner_user_id and owner_text is KEEP:
                written = ""  # a team member replaces a written name
        if owner_text is not KEEP:
            written = owner_text
            if (owner_text or "").strip() and owner_user_id is KEEP:
                user_id = None  # and a written name a team member
        owner, written = _owner(client, user_id, written)
        new["owner_user_id"] = owner.pk if owner else None
        new["owner_text"] = written
    if due_on is not KEEP:
        new["due_on"] = due_on
    if goal_id is not KEEP:
        goal = _goal(client, goal_id)
        new["goal_id"] = goal.pk if goal else None
    changed = []
    for name, value in new.items():
        if getattr(action, name) != value:
            setattr(action, name, value)
            changed.append(name.removesuffix("_id"))
    return _save_edit(actor, client, action, changed, "action")


@transaction.atomic
def change_referral(*, actor, client: Client, referral_id, status: str, note: str = "") -> Referral:
    """Move a referral one step: proposed → sent → accepted/declined → started →
    completed, or no-show (after sent or accepted). Repeating the current status is a
    no-op, so a double submit records one change."""
    _writable(actor, client)
    referral = Referral.objects.select_for_update().filter(client=client, pk=referral_id).first()
    if referral is None:
        raise PlanItemMissing("No such referral on this person's plan.")
    if status == referral.status:
        return referral
    allowed = REFERRAL_STEPS.get(referral.status, ())
    if status not in allowed:
        label = ReferralStatus(referral.status).label.lower()
        raise PlanError(
            f"Status: a {label} referral can become "
            + (", ".join(allowed) if allowed else "nothing else (it is final)")
            + ".",
            "status",
        )
    note = (note or "").strip()[:300]
    now = timezone.now()
    referral.status = status
    referral.status_changed_at = now
    referral.status_changed_by = _username(actor)
    referral.save(update_fields=["status", "status_changed_at", "status_changed_by"])
    ReferralChange.objects.create(
        referral=referral, status=status, changed_at=now, changed_by=_username(actor), note=note
    )
    _audit(
        actor,
        client,
        "referral.status",
        f"Referral {referral.pk}: {status}",
        referral_id=referral.pk,
        status=status,
    )
    return referral


# Overdue actions ----------------------------------------------------------------------

SYSTEM_ACTOR = "system:cases.escalate-actions"


def escalate_overdue_actions(*, today: dt.date | None = None, actor=SYSTEM_ACTOR) -> list:
    """Raise one `action_overdue` care alert for every open action past its due date,
    to the team that wrote it (or, if it no longer holds the case, a team that does).
    Once per action and due date: the alert's source key is both, so running again (or
    from two schedulers) raises nothing new, and an action whose due date was moved
    raises a new alert once the new date passes. Returns the alerts raised now."""
    from django.urls import reverse

    from cairn.cases.care_alerts import raise_care_alert
    from cairn.cases.models.care_alerts import CareAlert, CareAlertKind

    today = today or timezone.localdate()
    alerted = CareAlert.objects.filter(
        kind=CareAlertKind.ACTION_OVERDUE, source_key__startswith="action_overdue:"
    ).values_list("source_key", flat=True)
    done = {key.split(":", 1)[1] for key in alerted}
    overdue = PlanAction.objects.filter(
        status=ActionStatus.OPEN, due_on__lt=today, client__status="active"
    ).order_by("due_on", "pk")
    raised = []
    for action in overdue:
        key = f"{action.pk}:{action.due_on:%Y-%m-%d}"
        # Keys written before due dates could be edited name the action alone.
        if key in done or (str(action.pk) in done and action.edited_at is None):
            continue
        holders = list(
            ClientHolding.objects.filter(client_id=action.client_id)
            .order_by("organization_id")
            .values_list("organization_id", flat=True)
        )
        if not holders:
            continue
        team = action.organization_id if action.organization_id in holders else holders[0]
        days = (today - action.due_on).days
        alert = raise_care_alert(
            client=action.client_id,
            organization=team,
            kind=CareAlertKind.ACTION_OVERDUE,
            text=f"Care-plan action {action.pk} is overdue by {days} day"
            f"{'' if days == 1 else 's'} (due {action.due_on:%Y-%m-%d}).",
            link=reverse("cases:plan", args=[action.client_id]),
            source_key=f"action_overdue:{key}",
            actor=actor,
        )
        if alert.created:
            raised.append(alert)
    return raised


#: Words in a catalogue support's title that say which kind of referral it is.
KIND_WORDS = (
    (ReferralKind.TREATMENT, ("oat", "opioid agonist", "treatment", "methadone", "suboxone")),
    (ReferralKind.HOUSING, ("housing", "shelter")),
    (ReferralKind.PEER_SUPPORT, ("peer",)),
    (ReferralKind.PRIMARY_CARE, ("primary care", "family doctor", "nurse practitioner")),
    (ReferralKind.MENTAL_HEALTH, ("mental health", "counselling", "psychiatr")),
    (
        ReferralKind.HARM_REDUCTION,
        ("harm reduction", "naloxone", "drug checking", "drug-checking", "supervised"),
    ),
)


def referral_kind_for(support: GroupSupport) -> str:
    """The referral kind a catalogue support suggests (from its title), else "other"."""
    title = support.title.lower()
    for kind, words in KIND_WORDS:
        if any(re.search(rf"\b{re.escape(word)}", title) for word in words):
            return kind
    return ReferralKind.OTHER


# Reads (the caller opened the record through the access choke point) ------------------


def plan_for(client: Client) -> dict:
    """The plan page's content: goals, actions, referrals, the group's proposals."""
    group = groups.current_group(client)
    return {
        "goals": list(client.plan_goals.all()),
        "actions": list(client.plan_actions.select_related("owner_user", "goal")),
        "referrals": [
            (r, [(s, ReferralStatus(s).label) for s in REFERRAL_STEPS.get(r.status, ())])
            for r in client.referrals.prefetch_related("changes")
        ],
        "group": group,
        "group_label": CareGroup(group).label,
        "proposals": [(s, referral_kind_for(s)) for s in groups.proposals_for(group)],
        "members": list(team_members(client)),
    }


def plan_timeline_entries(client: Client) -> list:
    """Timeline entries (`queries.TimelineEntry`) for goals, actions and referral steps."""
    from cairn.cases.queries import TimelineEntry

    entries = []
    for goal in client.plan_goals.all():
        entries.append(
            TimelineEntry(goal.created_at, "plan", "Goal set", f"{goal.text}; by {goal.created_by}")
        )
        if goal.status_changed_at:
            entries.append(
                TimelineEntry(
                    goal.status_changed_at,
                    "plan",
                    f"Goal {goal.get_status_display().lower()}",
                    f"{goal.text}; by {goal.status_changed_by}",
                )
            )
    for action in client.plan_actions.select_related("owner_user"):
        due = f"; due {action.due_on:%Y-%m-%d}" if action.due_on else ""
        entries.append(
            TimelineEntry(
                action.created_at,
                "plan",
                "Action added",
                f"{action.text} ({action.owner_label}{due}); by {action.created_by}",
            )
        )
        if action.status_changed_at:
            entries.append(
                TimelineEntry(
                    action.status_changed_at,
                    "plan",
                    f"Action {action.get_status_display().lower()}",
                    f"{action.text}; by {action.status_changed_by}",
                )
            )
    entries.extend(_edit_entries(client, TimelineEntry))
    for referral in client.referrals.prefetch_related("changes"):
        for change in referral.changes.all():
            entries.append(
                TimelineEntry(
                    change.changed_at,
                    "referral",
                    f"Referral {change.get_status_display().lower()}: "
                    f"{referral.get_kind_display()}",
                    f"to {referral.to_whom}; by {change.changed_by}"
                    + (f"; {change.note}" if change.note else ""),
                )
            )
    return entries


#: How the timeline names an edited field.
EDITED_FIELD_LABELS = {
    "text": "words",
    "owner_user": "owner",
    "owner_text": "owner",
    "due_on": "due date",
    "goal": "goal",
}


def _edit_entries(client: Client, entry) -> list:
    """One timeline entry per edit of a goal or an action, from its audit event (the
    item keeps only its latest edit)."""
    from cairn.access.models import AuditEvent

    texts = {
        "goal": dict(client.plan_goals.values_list("pk", "text")),
        "action": dict(client.plan_actions.values_list("pk", "text")),
    }
    edits = AuditEvent.objects.filter(
        target_type="cases.client",
        target_id=str(client.pk),
        action__in=["cases.plan.goal.edit", "cases.plan.action.edit"],
    )
    entries = []
    for edit in edits:
        what = edit.action.split(".")[2]
        fields = dict.fromkeys(EDITED_FIELD_LABELS.get(f, f) for f in edit.details["fields"])
        text = texts[what].get(edit.details[f"{what}_id"], "(no longer on the plan)")
        entries.append(
            entry(
                edit.created_at,
                "plan",
                f"{what.capitalize()} edited: {', '.join(fields)}",
                f"{text}; by {edit.actor_username}",
            )
        )
    return entries
