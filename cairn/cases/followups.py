"""Follow-up after an ED visit: the clock, attempts, worklists and escalation.

The first contact is due `CAIRN_FOLLOW_UP_HOURS` (72) hours after discharge, or
`CAIRN_FOLLOW_UP_HOURS_HIGHEST` (24) when the person's latest risk assessment is in
the highest tier — risk is concentrated in the first days after an overdose visit
(DOMAIN.md §3). The clock stops at the first attempt that reached the person
(including one where they declined). `escalate_overdue` marks open follow-ups past
due as escalated, once, and leaves a notice for the holding team.
"""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from cairn.access.audit import actor_name as _username
from cairn.access.audit import record_audit_event
from cairn.cases.access import (
    care_team_organization_ids,
    clients_visible_to,
    get_client_for_user,
    require_care_team,
)
from cairn.cases.models import Client, EpisodeStatus, OverdoseEpisode
from cairn.cases.models.assessments import RiskAssessment
from cairn.cases.models.followups import (
    CONTACT_MADE,
    AttemptOutcome,
    FollowUp,
    FollowUpAttempt,
    FollowUpNotice,
)
from cairn.surveillance.models import Source

SYSTEM_ACTOR = "system:cases.escalate-overdue"
HIGHEST_TIER = "highest"


class FollowUpError(ValueError):
    """The follow-up cannot be changed as asked; the message says why."""


# The clock (pure) ---------------------------------------------------------------------


def default_hours() -> int:
    return int(getattr(settings, "CAIRN_FOLLOW_UP_HOURS", 72))


def highest_tier_hours() -> int:
    return int(getattr(settings, "CAIRN_FOLLOW_UP_HOURS_HIGHEST", 24))


def hours_allowed_for(tier: str | None) -> int:
    """Hours from discharge to the first contact, for the latest assessed tier."""
    return highest_tier_hours() if tier == HIGHEST_TIER else default_hours()


def due_at_for(discharged_at: dt.datetime, tier: str | None) -> dt.datetime:
    return discharged_at + dt.timedelta(hours=hours_allowed_for(tier))


# Writes -----------------------------------------------------------------------------


def _latest_tier(client_id: int) -> str:
    latest = (
        RiskAssessment.objects.filter(client_id=client_id).order_by("-assessed_at", "-pk").first()
    )
    return latest.tier if latest else ""


def clock_start_for(episode: OverdoseEpisode) -> dt.datetime:
    """When the clock starts without a given discharge time: the latest ED visit behind
    the episode, else when the overdose happened. (Episodes carry no discharge time.)"""
    ed_times = [
        source.event.occurred_at
        for source in episode.sources.select_related("event")
        if source.event.source == Source.EMERGENCY_DEPARTMENT
    ]
    return max(ed_times) if ed_times else episode.occurred_at


@transaction.atomic
def start_follow_up(
    *, actor, episode: OverdoseEpisode, discharged_at: dt.datetime | None = None
) -> FollowUp:
    """Start the clock for an episode (once: a second call returns the first clock)."""
    existing = FollowUp.objects.filter(episode=episode).first()
    if existing is not None:
        return existing
    discharged_at = discharged_at or clock_start_for(episode)
    if discharged_at > timezone.now() + dt.timedelta(minutes=5):
        raise FollowUpError("The discharge time cannot be in the future.")
    if discharged_at < episode.occurred_at - dt.timedelta(days=1):
        raise FollowUpError("The discharge time is before the overdose itself.")
    tier = _latest_tier(episode.client_id)
    try:
        with transaction.atomic():  # a savepoint: a concurrent start wins, and is returned
            follow_up = FollowUp.objects.create(
                episode=episode,
                client_id=episode.client_id,
                organization_id=episode.organization_id,
                discharged_at=discharged_at,
                hours_allowed=hours_allowed_for(tier),
                tier_at_due=tier,
                due_at=due_at_for(discharged_at, tier),
                started_by=_username(actor),
            )
    except IntegrityError:
        return FollowUp.objects.get(episode=episode)
    record_audit_event(
        actor=actor,
        action="cases.follow_up.start",
        target_type="cases.client",
        target_id=str(episode.client_id),
        summary=f"Follow-up clock started for episode {episode.pk}: due "
        f"{timezone.localtime(follow_up.due_at):%Y-%m-%d %H:%M}",
        details={"follow_up_id": follow_up.pk, "hours_allowed": follow_up.hours_allowed},
    )
    return follow_up


def refresh_due_for_client(client: Client) -> int:
    """Re-set the due time of the person's open follow-ups from their latest tier;
    returns how many changed. Runs inside the caller's transaction."""
    tier = _latest_tier(client.pk)
    changed = 0
    for follow_up in FollowUp.objects.select_for_update().filter(
        client=client, contacted_at__isnull=True
    ):
        hours = hours_allowed_for(tier)
        if hours != follow_up.hours_allowed or tier != follow_up.tier_at_due:
            follow_up.hours_allowed = hours
            follow_up.tier_at_due = tier
            follow_up.due_at = due_at_for(follow_up.discharged_at, tier)
            follow_up.save(update_fields=["hours_allowed", "tier_at_due", "due_at"])
            changed += 1
    return changed


@transaction.atomic
def record_attempt(
    *,
    actor,
    follow_up: FollowUp,
    outcome: str,
    method: str,
    attempted_at: dt.datetime | None = None,
    note: str = "",
) -> FollowUpAttempt:
    """Record one attempt to reach the person; a contact that reached them stops the clock."""
    if outcome not in AttemptOutcome.values:
        raise FollowUpError(f"Unknown outcome {outcome!r}; give one of {AttemptOutcome.values}.")
    now = timezone.now()
    attempted_at = attempted_at or now
    if attempted_at > now + dt.timedelta(minutes=5):
        raise FollowUpError("The attempt cannot be in the future.")
    if attempted_at < follow_up.discharged_at:
        raise FollowUpError("The attempt is before the discharge that started the clock.")
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    attempt = FollowUpAttempt.objects.create(
        follow_up=follow_up,
        attempted_at=attempted_at,
        outcome=outcome,
        method=method,
        note=note.strip(),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        recorded_by_username=_username(actor),
    )
    stopped = follow_up.contacted_at is None and outcome in CONTACT_MADE
    if stopped:
        follow_up.contacted_at = attempted_at
        follow_up.contact_outcome = outcome
        follow_up.save(update_fields=["contacted_at", "contact_outcome"])
    record_audit_event(
        actor=actor,
        action="cases.follow_up.attempt",
        target_type="cases.client",
        target_id=str(follow_up.client_id),
        summary=f"Follow-up attempt for episode {follow_up.episode_id}: {outcome}"
        + ("; clock stopped" if stopped else ""),
        details={"follow_up_id": follow_up.pk, "attempt_id": attempt.pk, "outcome": outcome},
    )
    return attempt


def escalate_overdue(*, now: dt.datetime | None = None, actor=SYSTEM_ACTOR) -> list[FollowUp]:
    """Escalate every open follow-up past due that is not escalated yet, each once,
    with a notice to its team. Safe to run from several schedulers at once."""
    now = now or timezone.now()
    escalated = []
    with transaction.atomic():
        overdue = (
            FollowUp.objects.select_for_update(skip_locked=True)
            .filter(contacted_at__isnull=True, escalated_at__isnull=True, due_at__lt=now)
            .order_by("due_at")
        )
        for follow_up in overdue:
            follow_up.escalated_at = now
            follow_up.save(update_fields=["escalated_at"])
            late = now - follow_up.due_at
            hours_late = int(late.total_seconds() // 3600)
            FollowUpNotice.objects.create(
                organization_id=follow_up.organization_id,
                follow_up=follow_up,
                message=f"Follow-up {follow_up.pk} is overdue by {hours_late} h "
                f"(first contact was due within {follow_up.hours_allowed} h of discharge).",
                created_at=now,
            )
            record_audit_event(
                actor=actor,
                action="cases.follow_up.escalate",
                target_type="cases.client",
                target_id=str(follow_up.client_id),
                summary=f"Follow-up {follow_up.pk} escalated: overdue by {hours_late} h",
                details={
                    "follow_up_id": follow_up.pk,
                    "organization_id": follow_up.organization_id,
                },
            )
            escalated.append(follow_up)
    return escalated


def start_missing_clocks(*, since: dt.datetime, actor=SYSTEM_ACTOR) -> list[FollowUp]:
    """Start the clock for open episodes opened since `since` that have none."""
    episodes = OverdoseEpisode.objects.filter(
        status=EpisodeStatus.OPEN, opened_at__gte=since, follow_up__isnull=True
    )
    return [start_follow_up(actor=actor, episode=episode) for episode in episodes]


@transaction.atomic
def mark_notices_read(*, actor, notices: QuerySet[FollowUpNotice]) -> int:
    return notices.filter(read_at__isnull=True).update(
        read_at=timezone.now(), read_by=_username(actor)
    )


# Reads ------------------------------------------------------------------------------

STATES = ("open", "overdue", "due", "contacted", "escalated")


def follow_ups_for(user, *, state: str = "open", now: dt.datetime | None = None):
    """The follow-ups of the user's teams (organizations holding the case), soonest due
    first. Callers that show names audit the list (`record_client_list_read`)."""
    require_care_team(user)
    if state not in STATES:
        raise FollowUpError(f"Unknown state {state!r}; give one of {', '.join(STATES)}.")
    now = now or timezone.now()
    rows = FollowUp.objects.filter(
        organization_id__in=care_team_organization_ids(user),
        client__in=clients_visible_to(user),
    ).select_related("client", "organization", "episode")
    if state == "open":
        rows = rows.filter(contacted_at__isnull=True)
    elif state == "overdue":
        rows = rows.filter(contacted_at__isnull=True, due_at__lt=now)
    elif state == "due":
        rows = rows.filter(contacted_at__isnull=True, due_at__gte=now)
    elif state == "escalated":
        rows = rows.filter(contacted_at__isnull=True, escalated_at__isnull=False)
    else:
        rows = rows.filter(contacted_at__isnull=False).order_by("-contacted_at")
        return rows
    return rows.order_by("due_at", "pk")


def notices_for(user) -> QuerySet[FollowUpNotice]:
    require_care_team(user)
    return FollowUpNotice.objects.filter(
        organization_id__in=care_team_organization_ids(user)
    ).select_related("organization", "follow_up")


def get_follow_up_for_user(user, follow_up_id, *, purpose: str) -> FollowUp:
    """One follow-up of the user's teams; the person's record is opened (and the read
    audited) through `get_client_for_user`."""
    require_care_team(user)
    try:
        follow_up_id = int(follow_up_id)
    except (TypeError, ValueError):
        raise Http404("No follow-up with this number.") from None
    follow_up = (
        FollowUp.objects.filter(
            pk=follow_up_id, organization_id__in=care_team_organization_ids(user)
        )
        .select_related("episode", "organization")
        .first()
    )
    if follow_up is None:
        raise Http404("No follow-up with this number for your teams.")
    follow_up.client = get_client_for_user(user, follow_up.client_id, purpose=purpose)
    return follow_up


def clock_summary_for(client: Client) -> list[FollowUp]:
    """The person's follow-ups with their attempts, newest discharge first (the caller
    opened the record through the access choke point)."""
    return list(
        FollowUp.objects.filter(client=client)
        .select_related("organization", "episode")
        .prefetch_related("attempts")
        .order_by("-discharged_at")
    )


def care_timeline_entries(client: Client) -> list:
    """Timeline entries for the case page (`queries.TimelineEntry`): risk assessments,
    group placements, follow-up clocks, attempts and escalations, newest first. The
    caller opened the record through the access choke point."""
    from cairn.cases.queries import TimelineEntry

    entries = []
    for a in client.risk_assessments.all():
        entries.append(
            TimelineEntry(
                a.assessed_at,
                "assessment",
                f"Risk assessed: {a.get_tier_display().lower()} tier",
                f"{a.total_points} points; by {a.assessed_by_username}",
            )
        )
    for p in client.group_placements.all():
        entries.append(
            TimelineEntry(
                p.placed_at, "group", f"Group: {p.get_group_display()}", f"by {p.placed_by}"
            )
        )
    for f in clock_summary_for(client):
        entries.append(
            TimelineEntry(
                f.discharged_at,
                "follow_up",
                "Follow-up clock started",
                f"first contact due {timezone.localtime(f.due_at):%Y-%m-%d %H:%M} "
                f"({f.hours_allowed} h); {f.organization.name}",
            )
        )
        for attempt in f.attempts.all():
            entries.append(
                TimelineEntry(
                    attempt.attempted_at,
                    "follow_up",
                    f"Follow-up attempt: {attempt.get_outcome_display().lower()}",
                    f"{attempt.get_method_display()}; by {attempt.recorded_by_username}",
                )
            )
        if f.escalated_at:
            entries.append(
                TimelineEntry(f.escalated_at, "follow_up", "Follow-up overdue: escalated", "")
            )
    return sorted(entries, key=lambda e: e.at, reverse=True)
