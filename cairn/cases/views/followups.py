"""Follow-up pages: the team worklist of due and overdue follow-ups with its notices,
starting the clock for an episode, and one follow-up with its attempts.

Lists that show people are audited as one list read; a single follow-up opens the
person's record through `get_client_for_user` (audited).
"""

import datetime as dt

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from cairn.cases import exports, followups
from cairn.cases.access import Purpose, get_client_for_user, record_client_list_read
from cairn.cases.models import ContactMethod
from cairn.cases.models.followups import AttemptOutcome
from cairn.cases.views.common import care_team_view, problem, purpose_from

STATE_LABELS = {
    "open": "All open",
    "overdue": "Overdue",
    "due": "Due, not yet overdue",
    "escalated": "Escalated",
    "contacted": "Contact made",
}


def _parse_time(value: str, field: str) -> dt.datetime | None:
    if not value:
        return None
    parsed = parse_datetime(value)
    if parsed is None:
        raise followups.FollowUpError(f"{field}: give a date and time like 2026-01-31T14:30.")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


@care_team_view
def follow_up_worklist(request):
    state = request.GET.get("state") or "open"
    try:
        rows = list(followups.follow_ups_for(request.user, state=state)[:500])
    except followups.FollowUpError as error:
        return problem(request, str(error))
    if rows:
        record_client_list_read(
            request.user,
            [row.client_id for row in rows],
            purpose=Purpose.CARE,
            what="follow_up_worklist",
        )
    now = timezone.now()
    context = {
        "rows": [(row, row.state(now)) for row in rows],
        "state": state,
        "states": STATE_LABELS.items(),
        "notices": list(followups.notices_for(request.user).filter(read_at__isnull=True)[:50]),
        "now": now,
    }
    return render(request, "cases/followups/worklist.html", context)


@care_team_view
def follow_up_export(request):
    """The follow-up worklist (same `state` filter) as CSV, with names as on the page;
    audited as one list read of the records exported."""
    state = request.GET.get("state") or "open"
    try:
        rows = list(followups.follow_ups_for(request.user, state=state)[:5000])
    except followups.FollowUpError as error:
        return problem(request, str(error))
    record_client_list_read(
        request.user,
        [row.client_id for row in rows],
        purpose=Purpose.CARE,
        what="follow_up_export",
    )
    response = HttpResponse(exports.follow_ups_csv(rows), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="follow-ups-{state}-{stamp}.csv"'
    return response


@care_team_view
@require_POST
def follow_up_notices_read(request):
    count = followups.mark_notices_read(
        actor=request.user, notices=followups.notices_for(request.user)
    )
    messages.success(request, f"{count} notice(s) marked as read.")
    return redirect("cases:follow_up_worklist")


@care_team_view
@require_POST
def follow_up_start(request, client_id, episode_id):
    client = get_client_for_user(request.user, client_id, purpose=Purpose.CARE)
    episode = client.episodes.filter(pk=episode_id).first()
    if episode is None:
        return problem(request, "No episode with this number on this person's record.", status=404)
    try:
        follow_up = followups.start_follow_up(
            actor=request.user,
            episode=episode,
            discharged_at=_parse_time(request.POST.get("discharged_at", ""), "Discharge time"),
        )
    except followups.FollowUpError as error:
        return problem(request, str(error))
    return redirect("cases:follow_up_detail", follow_up_id=follow_up.pk)


def _detail(request, follow_up, *, error="", status=200):
    context = {
        "follow_up": follow_up,
        "client": follow_up.client,
        "state": follow_up.state(),
        "attempts": list(follow_up.attempts.all()),
        "outcomes": AttemptOutcome.choices,
        "methods": ContactMethod.choices,
        "error": error,
    }
    return render(request, "cases/followups/detail.html", context, status=status)


@care_team_view
def follow_up_detail(request, follow_up_id):
    follow_up = followups.get_follow_up_for_user(
        request.user, follow_up_id, purpose=purpose_from(request)
    )
    return _detail(request, follow_up)


@care_team_view
@require_POST
def follow_up_attempt(request, follow_up_id):
    follow_up = followups.get_follow_up_for_user(request.user, follow_up_id, purpose=Purpose.CARE)
    try:
        method = request.POST.get("method", "")
        if method not in ContactMethod.values:
            raise followups.FollowUpError("Choose how you tried to reach the person.")
        followups.record_attempt(
            actor=request.user,
            follow_up=follow_up,
            outcome=request.POST.get("outcome", ""),
            method=method,
            attempted_at=_parse_time(request.POST.get("attempted_at", ""), "Attempt time"),
            note=request.POST.get("note", ""),
        )
    except followups.FollowUpError as error:
        return _detail(request, follow_up, error=str(error), status=400)
    messages.success(request, "Attempt recorded.")
    return redirect("cases:follow_up_detail", follow_up_id=follow_up.pk)
