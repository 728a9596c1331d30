"""API: closed-loop referrals (the same functions as the pages, cairn.referrals).

Senders (send_referrals) and receivers (receive_referrals) only; anyone else 403. A
referral the user neither sent nor receives is 404. The receiving side never gets the
sender's own fields (reason as written, who the person is to them, the case): only
`shared_details`. Bad input answers 422 with `field`, the body field at fault; the same
`Idempotency-Key` (or body `idempotency_key`) sends one referral.
"""

import datetime as dt

from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from cairn.api.cases.common import FieldErrorOut, auth_requiring, responses
from cairn.referrals import access, actions, queries
from cairn.referrals.actions import ReferralError
from cairn.referrals.models import ConsentHow, SharedDetail
from cairn.referrals.sending import SendInput, send_from_input

router = Router(tags=["referrals"], auth=auth_requiring(access.require_referrals_user))
SENDERS = auth_requiring(access.require_sender)
RECEIVERS = auth_requiring(access.require_receiver)


class ConsentIn(Schema):
    given: bool = Field(description="whether the person agreed to share details")
    how: str = Field("", description=", ".join(ConsentHow.values) + " (when given)")
    allows: list[str] = Field(
        default_factory=list, description="what may be shared: " + ", ".join(SharedDetail.values)
    )
    recorded_by: str = Field("", description="who recorded it (default: you)")
    recorded_at: dt.datetime | None = Field(None, description="when (default: now)")
    note: str = ""


class DetailsIn(Schema):
    """For a person without a client record: what to share, if the consent allows it."""

    name: str = ""
    date_of_birth: dt.date | None = None
    contact: str = ""
    substances: str = ""
    treatment: str = ""
    group: str = Field(
        "", description="recreational, street_involved, hidden_regular, first_nations"
    )


class SendIn(Schema):
    service_id: int
    reason: str
    consent: ConsentIn
    details: DetailsIn | None = None
    plan_referral_id: int | None = Field(None, description="send a care plan's referral")
    encounter_id: int | None = Field(None, description="from an outreach encounter")
    from_organization_id: int | None = None
    person_label: str = Field("", description="who this is, for the sender only")
    idempotency_key: str = ""


class StepIn(Schema):
    step: str = Field(description=", ".join(actions.STEPS))
    note: str = Field("", description="needed to decline or cancel")


class WithdrawIn(Schema):
    note: str = ""


class ChangeOut(Schema):
    kind: str
    status: str
    changed_at: dt.datetime
    changed_by: str
    organization: str
    note: str


class ReferralOut(Schema):
    id: int
    reference: str
    status: str
    overdue: str = Field(description="answer, completion or empty")
    service_id: int
    service: str
    from_organization: str
    to_organization: str
    sent_at: dt.datetime
    sent_by: str
    source: str
    respond_by: dt.datetime
    complete_by: dt.datetime | None
    received_at: dt.datetime | None
    outcome_note: str
    consent_given: bool
    consent_withdrawn_at: dt.datetime | None
    shared_details: dict[str, list[str]]
    next_steps: list[str] = Field(description="the steps you may take now")
    sides: list[str]
    # The sending side only (null for the receiving side).
    reason: str | None = None
    person_label: str | None = None
    client_id: int | None = None
    plan_referral_id: int | None = None
    source_reference: str | None = None
    consent_how: str | None = None
    consent_allows: list[str] | None = None
    consent_recorded_by: str | None = None
    consent_recorded_at: dt.datetime | None = None
    changes: list[ChangeOut] = []


def _out(referral, sides, *, changes: bool = True) -> dict:
    out = {
        "id": referral.pk,
        "reference": referral.reference,
        "status": referral.status,
        "overdue": referral.overdue_kind(),
        "service_id": referral.service_id,
        "service": referral.service.name,
        "from_organization": referral.from_organization.name,
        "to_organization": referral.to_organization.name,
        "sent_at": referral.sent_at,
        "sent_by": referral.sent_by_name,
        "source": referral.source,
        "respond_by": referral.respond_by,
        "complete_by": referral.complete_by,
        "received_at": referral.received_at,
        "outcome_note": referral.outcome_note,
        "consent_given": referral.consent_given,
        "consent_withdrawn_at": referral.consent_withdrawn_at,
        "shared_details": referral.shared_details,
        "next_steps": [step for step, _label in actions.steps_for(referral, sides)],
        "sides": sorted(sides),
    }
    if access.SENDER in sides:
        out.update(
            reason=referral.reason,
            person_label=referral.person_label,
            client_id=referral.client_id,
            plan_referral_id=referral.plan_referral_id,
            source_reference=referral.source_reference,
            consent_how=referral.consent_how,
            consent_allows=referral.consent_allows,
            consent_recorded_by=referral.consent_recorded_by,
            consent_recorded_at=referral.consent_recorded_at,
        )
    if changes:
        out["changes"] = [
            {
                "kind": c.kind,
                "status": c.status,
                "changed_at": c.changed_at,
                "changed_by": c.changed_by,
                "organization": c.organization.name if c.organization_id else "",
                "note": c.note,
            }
            for c in referral.changes.select_related("organization")
        ]
    return out


def _refusal(error: ReferralError) -> Status:
    return Status(422, {"detail": f"{error.field}: {error}", "field": error.field})


WRITE = {**responses(ReferralOut, 404), 422: FieldErrorOut}
API_PAGE = 100  # referrals per page of a list


def _list(request, side: str, status: str, page: int = 1):
    if page < 1:
        raise HttpError(422, "page: give a page number from 1.")
    try:
        rows = queries.referral_list(
            request.auth, side=side, status=status, page=page, limit=API_PAGE
        )[:API_PAGE]
    except queries.ListError as error:
        raise HttpError(422, f"status: {error}") from None
    access.record_referral_list_read(request.auth, [r.referral for r in rows], side=side)
    return [_out(r.referral, {side}, changes=False) for r in rows]


@router.get(
    "/referrals/sent",
    response=responses(list[ReferralOut], 422),
    url_name="referrals_sent",
    auth=SENDERS,
    summary="Referrals your organizations sent, newest first, 100 a page "
    "(status: open, overdue, closed, all, or one status)",
)
def referrals_sent(request, status: str = "open", page: int = 1):
    access.require_sender(request.auth)
    return _list(request, access.SENDER, status, page)


@router.get(
    "/referrals/received",
    response=responses(list[ReferralOut], 422),
    url_name="referrals_received",
    auth=RECEIVERS,
    summary="Referrals to your organizations: only what each person agreed to share",
)
def referrals_received(request, status: str = "open", page: int = 1):
    access.require_receiver(request.auth)
    return _list(request, access.RECEIVER, status, page)


@router.post(
    "/referrals",
    response={**WRITE, 201: ReferralOut},
    url_name="referrals_send",
    auth=SENDERS,
    summary="Send a referral to a directory service (idempotent on Idempotency-Key)",
)
def referral_send(request, body: SendIn):
    access.require_sender(request.auth)
    details = body.details.dict() if body.details else {}
    data = SendInput(
        service_id=body.service_id,
        reason=body.reason,
        consent_given=body.consent.given,
        consent_how=body.consent.how,
        consent_recorded_by=body.consent.recorded_by,
        consent_recorded_at=body.consent.recorded_at,
        consent_note=body.consent.note,
        consent_allows=body.consent.allows,
        details=details,
        plan_referral_id=body.plan_referral_id,
        encounter_id=body.encounter_id,
        from_organization_id=body.from_organization_id,
        person_label=body.person_label,
        idempotency_key=(request.headers.get("Idempotency-Key") or body.idempotency_key or "")[:80],
    )
    try:
        referral, created = send_from_input(request.auth, data)
    except ReferralError as error:
        return _refusal(error)
    sides = access.sides_of(request.auth, referral)
    return Status(201 if created else 200, _out(referral, sides))


@router.get(
    "/referrals/{referral_id}",
    response=responses(ReferralOut, 404),
    url_name="referral_detail",
    summary="One referral; opening it as the receiving side marks it received",
)
def referral_detail(request, referral_id: int):
    referral, sides = access.get_referral_for_user(request.auth, referral_id)
    referral = actions.record_received(actor=request.auth, referral=referral, sides=sides)
    return _out(referral, sides)


@router.post(
    "/referrals/{referral_id}/steps",
    response=WRITE,
    url_name="referral_step",
    summary="Take a step: accept, decline, complete, no_show (receiving side); cancel (sender)",
)
def referral_step(request, referral_id: int, body: StepIn):
    referral, sides = access.get_referral_for_user(request.auth, referral_id)
    try:
        referral = actions.take_step(
            actor=request.auth, referral=referral, sides=sides, step=body.step, note=body.note
        )
    except ReferralError as error:
        return _refusal(error)
    return _out(referral, sides)


@router.post(
    "/referrals/{referral_id}/consent/withdraw",
    response=WRITE,
    url_name="referral_withdraw_consent",
    summary="The person withdrew consent: the receiver's snapshot is blanked (sender only)",
)
def referral_withdraw_consent(request, referral_id: int, body: WithdrawIn):
    referral, sides = access.get_referral_for_user(request.auth, referral_id)
    try:
        referral = actions.withdraw_consent(
            actor=request.auth, referral=referral, sides=sides, note=body.note
        )
    except ReferralError as error:
        return _refusal(error)
    return _out(referral, sides)
