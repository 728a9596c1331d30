"""API: risk assessment, the four groups, follow-up."""

import datetime as dt

from ninja import Field, Schema, Status
from ninja.errors import HttpError

from cairn.api.cases.common import (
    audit_list,
    care_client,
    refused,
    responses,
    router,
)
from cairn.cases import followups
from cairn.cases.access import (
    Purpose,
    get_client_for_user,
)
from cairn.cases.assessment import groups as care_groups
from cairn.cases.assessment import records as assessment_records
from cairn.cases.models import (
    ContactMethod,
    OverdoseEpisode,
)

# Risk assessment, the four groups, follow-up (cases-care) -----------------------------
# The same actions as the pages (cairn.cases.assessment, cairn.cases.followups); every
# person's record is opened through get_client_for_user, which audits the read.


class AssessmentIn(Schema):
    answers: dict[str, str] = Field(description="{item key: option key}; see the instrument")
    episode_id: int | None = None
    note: str = ""


class AssessmentOut(Schema):
    id: int
    client_id: int
    episode_id: int | None
    instrument: str
    assessed_at: dt.datetime
    assessed_by: str
    total_points: int
    tier: str = Field(description="low, moderate, high or highest; a tier, not a probability")
    points_tier: str
    raised_by: list[str] = Field(description="items whose answer set a minimum tier")
    unanswered: list[str]
    lines: list[dict] = Field(description="every item: answer, points, reason, sources")


class GroupIn(Schema):
    group: str = Field(description="not_assessed, recreational, street_involved, ...")
    note: str = ""


class ProposalOut(Schema):
    kind: str
    title: str
    description: str
    basis: str


class GroupOut(Schema):
    client_id: int
    group: str
    group_label: str
    proposals: list[ProposalOut]


class FollowUpStartIn(Schema):
    discharged_at: dt.datetime | None = Field(
        None, description="ED discharge; default the latest ED visit behind the episode"
    )


class FollowUpAttemptIn(Schema):
    outcome: str = Field(description="reached, not_reached or declined")
    method: str = Field(description="phone, text, email, in_person, through_someone, mail")
    attempted_at: dt.datetime | None = None
    note: str = ""


class AttemptOut(Schema):
    attempted_at: dt.datetime
    outcome: str
    method: str
    note: str
    recorded_by: str


class FollowUpOut(Schema):
    id: int
    client_id: int
    episode_id: int
    organization: str
    discharged_at: dt.datetime
    hours_allowed: int
    tier_at_due: str
    due_at: dt.datetime
    state: str = Field(description="due, overdue or contacted")
    contacted_at: dt.datetime | None
    contact_outcome: str
    escalated_at: dt.datetime | None
    attempts: list[AttemptOut]


def _assessment_out(a) -> dict:
    return {
        "id": a.pk,
        "client_id": a.client_id,
        "episode_id": a.episode_id,
        "instrument": f"{a.instrument.key} v{a.instrument.version}",
        "assessed_at": a.assessed_at,
        "assessed_by": a.assessed_by_username,
        "total_points": a.total_points,
        "tier": a.tier,
        "points_tier": a.points_tier,
        "raised_by": a.raised_by,
        "unanswered": a.unanswered,
        "lines": a.lines,
    }


def _follow_up_out(f, *, with_attempts: bool = True) -> dict:
    attempts = f.attempts.all() if with_attempts else []
    return {
        "id": f.pk,
        "client_id": f.client_id,
        "episode_id": f.episode_id,
        "organization": f.organization.name,
        "discharged_at": f.discharged_at,
        "hours_allowed": f.hours_allowed,
        "tier_at_due": f.tier_at_due,
        "due_at": f.due_at,
        "state": f.state(),
        "contacted_at": f.contacted_at,
        "contact_outcome": f.contact_outcome,
        "escalated_at": f.escalated_at,
        "attempts": [
            {
                "attempted_at": a.attempted_at,
                "outcome": a.outcome,
                "method": a.method,
                "note": a.note,
                "recorded_by": a.recorded_by_username,
            }
            for a in attempts
        ],
    }


@router.get(
    "/cases/clients/{client_id}/assessments",
    response=responses(list[AssessmentOut], 404),
    url_name="case_assessments",
    summary="A person's risk assessments, newest first, each with every point's reason",
)
def assessment_list(request, client_id: int):
    client = care_client(request, client_id)
    return [_assessment_out(e.assessment) for e in assessment_records.history_for(client)]


@router.post(
    "/cases/clients/{client_id}/assessments",
    response=responses(AssessmentOut, 404, 422, created=True),
    url_name="case_assessment_create",
    summary="Score and record a risk assessment with the current instrument",
)
def assessment_create(request, client_id: int, body: AssessmentIn):
    client = care_client(request, client_id)
    episode = None
    if body.episode_id is not None:
        episode = client.episodes.filter(pk=body.episode_id).first()
        if episode is None:
            raise HttpError(422, f"Episode {body.episode_id} is not an episode of this person.")
    with refused(422, assessment_records.AssessmentError):
        assessment = assessment_records.record_assessment(
            actor=request.auth, client=client, episode=episode, answers=body.answers, note=body.note
        )
    return Status(201, _assessment_out(assessment))


@router.post(
    "/cases/clients/{client_id}/group",
    response=responses(GroupOut, 404, 422),
    url_name="case_client_group",
    summary="Place a person in one of the four groups; returns the proposed supports",
)
def client_group(request, client_id: int, body: GroupIn):
    client = care_client(request, client_id)
    with refused(422, care_groups.GroupError):
        placement = care_groups.place_client(
            actor=request.auth, client=client, group=body.group, note=body.note
        )
    return {
        "client_id": client.pk,
        "group": placement.group,
        "group_label": placement.get_group_display(),
        "proposals": [
            {"kind": s.kind, "title": s.title, "description": s.description, "basis": s.basis}
            for s in care_groups.proposals_for(placement.group)
        ],
    }


@router.get(
    "/cases/follow-ups",
    response=responses(list[FollowUpOut], 422),
    url_name="case_follow_ups",
    summary="The follow-ups of your teams: open, overdue, due, escalated or contacted",
)
def follow_up_list(request, state: str = "open"):
    with refused(422, followups.FollowUpError):
        rows = list(
            followups.follow_ups_for(request.auth, state=state).prefetch_related("attempts")[:500]
        )
    audit_list(
        request, [f.client_id for f in rows], purpose=Purpose.CARE, what="follow_up_worklist"
    )
    return [_follow_up_out(f) for f in rows]


@router.post(
    "/cases/episodes/{episode_id}/follow-up",
    response=responses(FollowUpOut, 404, 422),
    url_name="case_follow_up_start",
    summary="Start the follow-up clock for an episode (once; again returns the same clock)",
)
def follow_up_start(request, episode_id: int, body: FollowUpStartIn):
    client_id = OverdoseEpisode.objects.filter(pk=episode_id).values_list("client_id", flat=True)
    if not client_id:
        raise HttpError(404, "No episode with this number.")
    client = get_client_for_user(request.auth, client_id[0], purpose=Purpose.CARE)
    episode = client.episodes.get(pk=episode_id)
    with refused(422, followups.FollowUpError):
        follow_up = followups.start_follow_up(
            actor=request.auth, episode=episode, discharged_at=body.discharged_at
        )
    return _follow_up_out(follow_up)


@router.post(
    "/cases/follow-ups/{follow_up_id}/attempts",
    response=responses(FollowUpOut, 404, 422),
    url_name="case_follow_up_attempt",
    summary="Record an attempt to reach the person; the first contact stops the clock",
)
def follow_up_attempt(request, follow_up_id: int, body: FollowUpAttemptIn):
    follow_up = followups.get_follow_up_for_user(request.auth, follow_up_id, purpose=Purpose.CARE)
    if body.method not in ContactMethod.values:
        raise HttpError(422, f"method must be one of {', '.join(ContactMethod.values)}.")
    with refused(422, followups.FollowUpError):
        followups.record_attempt(
            actor=request.auth,
            follow_up=follow_up,
            outcome=body.outcome,
            method=body.method,
            attempted_at=body.attempted_at,
            note=body.note,
        )
    follow_up.refresh_from_db()
    return _follow_up_out(follow_up)
