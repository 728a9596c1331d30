"""API: case management — the worklist, source records, clients, duplicates, episodes, merges.

Only the care team (a role with view_identifiable) of the organizations that hold
a person's case may call these operations: everyone else gets 403 before any
input is read, and a record outside the caller's organizations answers 404. Every
read of a client record, and every list of people returned, is written to the
audit log with its purpose, through the same choke points as the pages
(`cairn.cases.access`). Creating a client or an episode takes an idempotency key
(the `Idempotency-Key` header or `idempotency_key` in the body): the same key again
returns what the first request made.
"""

import datetime as dt
from contextlib import contextmanager

from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import SessionAuth as NinjaSessionAuth

from cairn.api import auth as api_auth
from cairn.api.errors import ErrorOut
from cairn.cases import actions, care_alerts, followups, plans, queries, supporters
from cairn.cases.access import (
    Purpose,
    care_team_communities,
    get_client_for_supporter,
    get_client_for_user,
    get_source_record_for_user,
    record_client_list_read,
    require_care_team,
    require_supporter_access,
    supporter_links_for,
)
from cairn.cases.assessment import groups as care_groups
from cairn.cases.assessment import records as assessment_records
from cairn.cases.forms import ClientForm, EpisodeForm, IdentityLinkForm, MergeForm
from cairn.cases.models import (
    ClientHolding,
    ClientMerge,
    ConsentPurpose,
    ContactMethod,
    EpisodeSource,
    OverdoseEpisode,
)
from cairn.cases.models.plans import ReferralKind
from cairn.surveillance.models import Source


def _auth_requiring(check) -> list:
    """The API's two schemes (session, bearer token), letting in only users that pass
    `check` (which raises PermissionDenied: 403). The classes keep ninja's names, so the
    OpenAPI document describes the same two schemes as every other operation."""

    class SessionAuth(NinjaSessionAuth):
        def authenticate(self, request, key):
            user = super().authenticate(request, key)
            if user is not None:
                check(user)
            return user

    class ApiTokenAuth(api_auth.ApiTokenAuth):
        def authenticate(self, request, token):
            user = super().authenticate(request, token)
            if user is not None:
                check(user)
            return user

    return [SessionAuth(), ApiTokenAuth()]


# Only the care team gets past authentication (supporters' operations say otherwise).
router = Router(tags=["cases"], auth=_auth_requiring(require_care_team))


# Schemas -----------------------------------------------------------------------------


class ReasonOut(Schema):
    text: str
    points: float | None = Field(description="log2 likelihood ratio; null when decisive")


class CandidateOut(Schema):
    client_id: int
    display_name: str
    names: list[str]
    date_of_birth: dt.date | None
    birth_year: int | None
    identity_status: str
    band: str = Field(description="same_health_number, very_likely, likely, possible, unlikely")
    band_label: str
    points: float
    decisive: bool = Field(description="true for an exact health-number match")
    reasons: list[ReasonOut]


class CandidatesOut(Schema):
    candidates: list[CandidateOut]
    truncated: bool = Field(description="more records shared keys than were scored")


class DuplicatesOut(ErrorOut):
    candidates: list[CandidateOut]
    decisive: bool


class PlaceOut(Schema):
    code: str
    name: str


class RecordOut(Schema):
    id: int
    source: str
    occurred_at: dt.datetime
    community: PlaceOut | None
    facility: str
    age_band: str
    sex: str
    chief_complaint: str
    disposition: str


class WorklistOut(Schema):
    count: int = Field(description=f"records waiting, up to {queries.WORKLIST_CAP}")
    more: bool = Field(description="more records wait than the count: narrow the query")
    records: list[RecordOut]


class IdentityOut(Schema):
    given_name: str
    family_name: str
    date_of_birth: dt.date | None
    health_number: str
    postal_code: str
    phone: str


class SourceRecordOut(RecordOut):
    identity: IdentityOut | None
    episode_id: int | None = Field(description="the episode it belongs to, if opened")
    candidates: list[CandidateOut]


class NameOut(Schema):
    kind: str
    given_name: str
    family_name: str
    source: str


class IdentifierOut(Schema):
    kind: str
    value: str
    issuer: str


class ContactOut(Schema):
    method: str
    value: str
    preferred: bool
    safe_to_leave_message: bool | None
    safe_to_say_who_is_calling: bool | None
    best_times: str
    note: str


class SourceLinkOut(Schema):
    event_id: int
    source: str
    occurred_at: dt.datetime
    facility: str


class EpisodeOut(Schema):
    id: int
    client_id: int
    occurred_at: dt.datetime
    origin: str
    status: str
    community: PlaceOut | None
    organization: str
    summary: str
    opened_at: dt.datetime
    opened_by: str
    sources: list[SourceLinkOut]


class MergeOut(Schema):
    id: int
    survivor_id: int
    merged_id: int
    reason: str
    merged_at: dt.datetime
    merged_by: str
    moved: dict
    undone_at: dt.datetime | None
    undone_by: str
    undo_reason: str


class TimelineOut(Schema):
    at: dt.datetime
    kind: str
    title: str
    detail: str


class ClientOut(Schema):
    id: int
    display_name: str
    identity_status: str
    status: str
    merged_into: int | None
    date_of_birth: dt.date | None
    approximate_age: int | None
    birth_year: int | None
    sex: str
    gender: str
    housing_status: str
    safe_contact_notes: str
    home_community: PlaceOut | None
    held_by: list[str]
    names: list[NameOut]
    identifiers: list[IdentifierOut]
    contacts: list[ContactOut]
    episodes: list[EpisodeOut]
    merges: list[MergeOut]
    timeline: list[TimelineOut]


class ClientIn(Schema):
    given_name: str = ""
    family_name: str = ""
    preferred_name: str = ""
    aliases: list[str] = Field(default_factory=list, description="aliases or street names")
    date_of_birth: dt.date | None = None
    approximate_age: int | None = Field(None, description="when the date of birth is unknown")
    sex: str = Field("U", description="F, M, X or U")
    gender: str = ""
    health_number: str = ""
    health_number_kind: str = Field("phn", description="phn (BC) or other_hn")
    phone: str = ""
    phone_safe_to_leave_message: bool | None = None
    housing_status: str = ""
    safe_contact_notes: str = ""
    home_community: str = Field("", description="community code")


class CreateClientIn(ClientIn):
    idempotency_key: str = ""
    different_from: list[int] = Field(
        default_factory=list,
        description="candidate ids the caller checked and judged to be other people",
    )


class OpenFromRecordIn(Schema):
    client_id: int | None = Field(None, description="a client on record; or give `client`")
    client: CreateClientIn | None = None


class EpisodeIn(Schema):
    occurred_at: dt.datetime
    community: str = ""
    summary: str = ""
    idempotency_key: str = ""


class IdentityIn(Schema):
    given_name: str = ""
    family_name: str = ""
    date_of_birth: dt.date | None = None
    health_number: str = ""
    health_number_kind: str = "phn"
    consent_method: str = Field(description="verbal, written or electronic")
    consent_note: str = ""


class MergeIn(Schema):
    other_id: int = Field(description="the other record")
    keep: str = Field("this", description="this: the record in the path stays; other")
    reason: str
    consent_method: str = ""
    consent_note: str = ""


class UndoIn(Schema):
    reason: str


class SearchIn(Schema):
    q: str = Field("", description="name or alias, date of birth, or health number")
    date_of_birth: dt.date | None = None
    health_number: str = ""


# Output helpers ----------------------------------------------------------------------


def _place(place) -> dict | None:
    return {"code": place.code, "name": place.name} if place is not None else None


def _candidate_out(candidate: queries.Candidate) -> dict:
    client, score = candidate.client, candidate.score
    return {
        "client_id": client.pk,
        "display_name": client.display_name,
        "names": candidate.names,
        "date_of_birth": client.date_of_birth,
        "birth_year": client.birth_year,
        "identity_status": client.identity_status,
        "band": score.band,
        "band_label": score.band_label,
        "points": score.points,
        "decisive": score.decisive,
        "reasons": [
            {"text": r.text, "points": None if r.level == "health_number_same" else r.points}
            for r in score.reasons
        ],
    }


def _record_out(event) -> dict:
    return {
        "id": event.pk,
        "source": event.source,
        "occurred_at": event.occurred_at,
        "community": _place(event.community),
        "facility": event.facility,
        "age_band": event.age_band,
        "sex": event.sex,
        "chief_complaint": event.chief_complaint,
        "disposition": event.disposition,
    }


def _episode_out(episode) -> dict:
    return {
        "id": episode.pk,
        "client_id": episode.client_id,
        "occurred_at": episode.occurred_at,
        "origin": episode.origin,
        "status": episode.status,
        "community": _place(episode.community),
        "organization": episode.organization.name,
        "summary": episode.summary,
        "opened_at": episode.opened_at,
        "opened_by": episode.opened_by_username,
        "sources": [
            {
                "event_id": s.event_id,
                "source": s.event.source,
                "occurred_at": s.event.occurred_at,
                "facility": s.event.facility,
            }
            for s in episode.sources.all()
        ],
    }


def _merge_out(merge: ClientMerge) -> dict:
    return {
        "id": merge.pk,
        "survivor_id": merge.survivor_id,
        "merged_id": merge.merged_id,
        "reason": merge.reason,
        "merged_at": merge.merged_at,
        "merged_by": merge.merged_by,
        "moved": {label: len(ids) for label, ids in merge.moved.items()},
        "undone_at": merge.undone_at,
        "undone_by": merge.undone_by,
        "undo_reason": merge.undo_reason,
    }


def _client_out(client) -> dict:
    episodes = queries.episodes_of(client)
    return {
        "id": client.pk,
        "display_name": client.display_name,
        "identity_status": client.identity_status,
        "status": client.status,
        "merged_into": client.merged_into_id,
        "date_of_birth": client.date_of_birth,
        "approximate_age": client.approximate_age,
        "birth_year": client.birth_year,
        "sex": client.sex,
        "gender": client.gender,
        "housing_status": client.housing_status,
        "safe_contact_notes": client.safe_contact_notes,
        "home_community": _place(client.home_community),
        "held_by": list(
            ClientHolding.objects.filter(client=client).values_list("organization__name", flat=True)
        ),
        "names": [
            {
                "kind": n.kind,
                "given_name": n.given_name,
                "family_name": n.family_name,
                "source": n.source,
            }
            for n in queries.names_in_order(client.names.all())
        ],
        "identifiers": [
            {"kind": i.kind, "value": i.value, "issuer": i.issuer} for i in client.identifiers.all()
        ],
        "contacts": [
            {
                "method": c.method,
                "value": c.value,
                "preferred": c.preferred,
                "safe_to_leave_message": c.safe_to_leave_message,
                "safe_to_say_who_is_calling": c.safe_to_say_who_is_calling,
                "best_times": c.best_times,
                "note": c.note,
            }
            for c in client.contacts.filter(active=True)
        ],
        "episodes": [_episode_out(e) for e in episodes],
        "merges": [_merge_out(m) for m in queries.merges_for(client)],
        "timeline": [
            {"at": e.at, "kind": e.kind, "title": e.title, "detail": e.detail}
            for e in queries.timeline_for(client, episodes)
        ],
    }


def _form_errors(form) -> HttpError:
    problems = "; ".join(
        f"{'request' if field == '__all__' else field}: {' '.join(messages)}"
        for field, messages in form.errors.items()
    )
    return HttpError(422, f"The request is not valid: {problems}")


def _client_form(request, body: ClientIn) -> ClientForm:
    data = body.dict()
    safe = data.pop("phone_safe_to_leave_message", None)
    data["phone_safe_to_leave_message"] = {None: "", True: "yes", False: "no"}[safe]
    data["aliases"] = ", ".join(a.replace(",", " ") for a in data.get("aliases") or [])
    data["community"] = data.pop("home_community", "")
    data["different_from"] = " ".join(str(i) for i in data.get("different_from") or [])
    data["confirmed_different"] = bool(data.get("different_from"))
    data = {k: ("" if v is None else v) for k, v in data.items()}
    form = ClientForm(data, communities=care_team_communities(request.auth))
    if not form.is_valid():
        raise _form_errors(form)
    return form


def _idempotency_key(request, body_key: str) -> str:
    return (request.headers.get("Idempotency-Key") or body_key or "").strip()[:80]


# Operations --------------------------------------------------------------------------


def _responses(ok, *errors: int, created: bool = False) -> dict:
    """An operation's responses: `ok` for 200 (and 201 when it can create), and the
    JSON error for 401, 403 and each status in `errors`."""
    codes = {200: ok, **({201: ok} if created else {})}
    codes.update({status: ErrorOut for status in (401, 403, *errors)})
    return codes


@contextmanager
def _refused(status: int, *errors: type[Exception]):
    """Answer `status` with the error's message when the block raises one of `errors`."""
    try:
        yield
    except errors as error:
        raise HttpError(status, str(error)) from None


def _care_client(request, client_id: int):
    """The person's record, for care (the read is audited)."""
    return get_client_for_user(request.auth, client_id, purpose=Purpose.CARE)


def _audit_list(request, client_ids, *, purpose: str, what: str) -> None:
    """Audit a list of people returned (nothing to audit when it is empty)."""
    client_ids = list(client_ids)
    if client_ids:
        record_client_list_read(request.auth, client_ids, purpose=purpose, what=what)


@router.get(
    "/cases/worklist",
    response=_responses(WorklistOut, 400),
    url_name="case_worklist",
    summary="New ED overdose visits (or paramedic reports) not yet opened as cases",
)
def case_worklist(
    request,
    source: str = Source.EMERGENCY_DEPARTMENT,
    days: int = Query(queries.WORKLIST_DAYS, ge=1, le=90),
    community: str = "",
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0),
):
    if source not in queries.WORKLIST_SOURCES:
        raise HttpError(400, "source must be ed or paramedic.")
    ids = queries.waiting_ids(request.auth, source=source, days=days, community_code=community)
    shown = queries.worklist_records(ids[: queries.WORKLIST_CAP][offset : offset + limit])
    return {
        "count": min(len(ids), queries.WORKLIST_CAP),
        "more": len(ids) > queries.WORKLIST_CAP,
        "records": [_record_out(e) for e in shown],
    }


@router.get(
    "/cases/records/{event_id}",
    response=_responses(SourceRecordOut, 404),
    url_name="case_source_record",
    summary="One ED visit or paramedic report, who it names, and who on record may be them",
)
def case_source_record(request, event_id: int):
    event, identity = get_source_record_for_user(
        request.auth, event_id, purpose=Purpose.OPENING_CASE
    )
    person = queries.person_from_identity(identity, event)
    candidates = (
        [] if person.is_empty() else queries.find_candidates(request.auth, person).candidates
    )
    _audit_list(
        request,
        [c.client.pk for c in candidates],
        purpose=Purpose.OPENING_CASE,
        what="duplicate_check",
    )
    link = EpisodeSource.objects.filter(event=event).first()
    return {
        **_record_out(event),
        "identity": None
        if identity is None
        else {
            "given_name": identity.given_name,
            "family_name": identity.family_name,
            "date_of_birth": identity.date_of_birth,
            "health_number": identity.health_number,
            "postal_code": identity.postal_code,
            "phone": identity.phone,
        },
        "episode_id": link.episode_id if link else None,
        "candidates": [_candidate_out(c) for c in candidates],
    }


def _create(request, body: CreateClientIn, *, source: str) -> tuple[int, object]:
    form = _client_form(request, body)
    try:
        created = actions.create_client(
            actor=request.auth,
            details=form.to_input(source=source),
            idempotency_key=_idempotency_key(request, body.idempotency_key),
            different_from=body.different_from,
        )
    except actions.PossibleDuplicates as duplicates:
        _audit_list(
            request,
            [c.client.pk for c in duplicates.candidates],
            purpose=Purpose.DUPLICATE_REVIEW,
            what="duplicate_check",
        )
        return 409, Status(
            409,
            {
                "detail": str(duplicates),
                "decisive": duplicates.decisive,
                "candidates": [_candidate_out(c) for c in duplicates.candidates],
            },
        )
    except actions.CaseActionError as error:
        raise HttpError(422, str(error)) from None
    return (201 if created.created else 200), created.client


@router.post(
    "/cases/records/{event_id}/open",
    response={**_responses(EpisodeOut, 404, 422, created=True), 409: DuplicatesOut},
    url_name="case_open_from_record",
    summary="Open an overdose episode from the record, for a client on record or a new one",
)
def case_open_from_record(request, event_id: int, body: OpenFromRecordIn):
    event, _ = get_source_record_for_user(request.auth, event_id, purpose=Purpose.OPENING_CASE)
    if body.client_id is not None:
        client = get_client_for_user(request.auth, body.client_id, purpose=Purpose.OPENING_CASE)
    elif body.client is not None:
        status, made = _create(
            request, body.client, source=f"{event.get_source_display()} {event.pk}"
        )
        if status == 409:
            return made
        client = made
    else:
        raise HttpError(422, "Give client_id (a client on record) or client (a new person).")
    try:
        opened = actions.open_episode_from_record(actor=request.auth, event=event, client=client)
    except actions.CaseActionError as error:
        return Status(409, {"detail": str(error), "decisive": False, "candidates": []})
    return Status(201 if opened.created else 200, _episode_out(opened.episode))


@router.get(
    "/cases/clients",
    response=_responses(CandidatesOut, 422),
    url_name="case_clients",
    summary="Search clients: fuzzy on names, aliases and date of birth; exact on health number",
)
def client_search(request, filters: Query[SearchIn]):
    with _refused(422, queries.SearchError):
        terms = queries.parse_search(
            filters.q, date_of_birth=filters.date_of_birth, health_number=filters.health_number
        )
    if not terms.kinds:
        return {"candidates": [], "truncated": False}
    result = queries.search_clients(request.auth, terms)
    _audit_list(
        request,
        [c.client.pk for c in result.candidates],
        purpose=Purpose.FINDING_PERSON,
        what="search",
    )
    return {
        "candidates": [_candidate_out(c) for c in result.candidates],
        "truncated": result.truncated,
    }


@router.post(
    "/cases/clients",
    response={**_responses(ClientOut, 422, created=True), 409: DuplicatesOut},
    url_name="case_client_create",
    summary="Create a client after the duplicate check (409 with the candidates if any)",
)
def client_create(request, body: CreateClientIn):
    status, made = _create(request, body, source="entered through the API")
    if status == 409:
        return made
    client = get_client_for_user(request.auth, made.pk, purpose=Purpose.CARE)
    return Status(status, _client_out(client))


@router.post(
    "/cases/clients/duplicates",
    response=_responses(CandidatesOut, 422),
    url_name="case_client_duplicates",
    summary="Who on record may be this person (the duplicate check alone, nothing created)",
)
def client_duplicates(request, body: ClientIn):
    form = _client_form(request, body)
    person = form.to_input().person()
    result = queries.find_candidates(request.auth, person)
    _audit_list(
        request,
        [c.client.pk for c in result.candidates],
        purpose=Purpose.DUPLICATE_REVIEW,
        what="duplicate_check",
    )
    return {
        "candidates": [_candidate_out(c) for c in result.candidates],
        "truncated": result.truncated,
    }


@router.get(
    "/cases/clients/{client_id}",
    response=_responses(ClientOut, 400, 404),
    url_name="case_client_detail",
    summary="One client record with its episodes, merges and timeline (the read is audited)",
)
def client_detail(request, client_id: int, purpose: str = Purpose.CARE):
    if purpose not in Purpose.values:
        raise HttpError(400, f"purpose must be one of {', '.join(Purpose.values)}.")
    return _client_out(get_client_for_user(request.auth, client_id, purpose=purpose))


@router.post(
    "/cases/clients/{client_id}/episodes",
    response=_responses(EpisodeOut, 404, 409, 422, created=True),
    url_name="case_episode_create",
    summary="Record an overdose episode by hand (no source record)",
)
def episode_create(request, client_id: int, body: EpisodeIn):
    client = _care_client(request, client_id)
    form = EpisodeForm(
        {
            "occurred_at": body.occurred_at.strftime("%Y-%m-%dT%H:%M:%S"),
            "community": body.community,
            "summary": body.summary,
        },
        communities=care_team_communities(request.auth),
    )
    if not form.is_valid():
        raise _form_errors(form)
    with _refused(409, actions.CaseActionError):
        opened = actions.open_episode(
            actor=request.auth,
            client=client,
            occurred_at=body.occurred_at,
            community=form.community(),
            summary=body.summary,
            idempotency_key=_idempotency_key(request, body.idempotency_key),
        )
    return Status(201 if opened.created else 200, _episode_out(opened.episode))


@router.post(
    "/cases/clients/{client_id}/identity",
    response=_responses(ClientOut, 404, 409, 422),
    url_name="case_client_link_identity",
    summary="Link a fuller identity to a record, with the person's consent recorded",
)
def client_link_identity(request, client_id: int, body: IdentityIn):
    client = _care_client(request, client_id)
    form = IdentityLinkForm({k: ("" if v is None else v) for k, v in body.dict().items()})
    if not form.is_valid():
        raise _form_errors(form)
    data = form.cleaned_data
    with _refused(409, actions.CaseActionError):
        actions.link_identity(
            actor=request.auth,
            client=client,
            consent_method=data["consent_method"],
            consent_note=data.get("consent_note") or "",
            given_name=data.get("given_name") or "",
            family_name=data.get("family_name") or "",
            date_of_birth=data.get("date_of_birth"),
            health_number=data.get("health_number") or "",
            health_number_kind=data["health_number_kind"],
        )
    return _client_out(_care_client(request, client_id))


@router.post(
    "/cases/clients/{client_id}/merge",
    response=_responses(MergeOut, 404, 409, 422),
    url_name="case_client_merge",
    summary="Merge another record with this one, keeping full history (undo-able)",
)
def client_merge(request, client_id: int, body: MergeIn):
    client = get_client_for_user(request.auth, client_id, purpose=Purpose.DUPLICATE_REVIEW)
    form = MergeForm({**body.dict(), "other": body.other_id})
    if not form.is_valid():
        raise _form_errors(form)
    other = get_client_for_user(request.auth, body.other_id, purpose=Purpose.DUPLICATE_REVIEW)
    survivor, merged = (client, other) if body.keep == "this" else (other, client)
    with _refused(409, actions.CaseActionError):
        merge = actions.merge_clients(
            actor=request.auth,
            survivor=survivor,
            merged=merged,
            reason=body.reason,
            consent_method=body.consent_method,
            consent_note=body.consent_note,
        )
    return _merge_out(merge)


@router.post(
    "/cases/merges/{merge_id}/undo",
    response=_responses(MergeOut, 404, 409, 422),
    url_name="case_merge_undo",
    summary="Undo a merge: what moved goes back to the merged record",
)
def merge_undo(request, merge_id: int, body: UndoIn):
    merge = ClientMerge.objects.filter(pk=merge_id).first()
    if merge is None:
        raise HttpError(404, "No merge with this number.")
    # Both records must be the caller's organizations' to undo (404 otherwise).
    get_client_for_user(request.auth, merge.survivor_id, purpose=Purpose.DUPLICATE_REVIEW)
    get_client_for_user(request.auth, merge.merged_id, purpose=Purpose.DUPLICATE_REVIEW)
    if not body.reason.strip():
        raise HttpError(422, "Say why the merge is being undone.")
    with _refused(409, actions.CaseActionError):
        merge = actions.undo_merge(actor=request.auth, merge=merge, reason=body.reason)
    return _merge_out(merge)


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
    response=_responses(list[AssessmentOut], 404),
    url_name="case_assessments",
    summary="A person's risk assessments, newest first, each with every point's reason",
)
def assessment_list(request, client_id: int):
    client = _care_client(request, client_id)
    return [_assessment_out(e.assessment) for e in assessment_records.history_for(client)]


@router.post(
    "/cases/clients/{client_id}/assessments",
    response=_responses(AssessmentOut, 404, 422, created=True),
    url_name="case_assessment_create",
    summary="Score and record a risk assessment with the current instrument",
)
def assessment_create(request, client_id: int, body: AssessmentIn):
    client = _care_client(request, client_id)
    episode = None
    if body.episode_id is not None:
        episode = client.episodes.filter(pk=body.episode_id).first()
        if episode is None:
            raise HttpError(422, f"Episode {body.episode_id} is not an episode of this person.")
    with _refused(422, assessment_records.AssessmentError):
        assessment = assessment_records.record_assessment(
            actor=request.auth, client=client, episode=episode, answers=body.answers, note=body.note
        )
    return Status(201, _assessment_out(assessment))


@router.post(
    "/cases/clients/{client_id}/group",
    response=_responses(GroupOut, 404, 422),
    url_name="case_client_group",
    summary="Place a person in one of the four groups; returns the proposed supports",
)
def client_group(request, client_id: int, body: GroupIn):
    client = _care_client(request, client_id)
    with _refused(422, care_groups.GroupError):
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
    response=_responses(list[FollowUpOut], 422),
    url_name="case_follow_ups",
    summary="The follow-ups of your teams: open, overdue, due, escalated or contacted",
)
def follow_up_list(request, state: str = "open"):
    with _refused(422, followups.FollowUpError):
        rows = list(
            followups.follow_ups_for(request.auth, state=state).prefetch_related("attempts")[:500]
        )
    _audit_list(
        request, [f.client_id for f in rows], purpose=Purpose.CARE, what="follow_up_worklist"
    )
    return [_follow_up_out(f) for f in rows]


@router.post(
    "/cases/episodes/{episode_id}/follow-up",
    response=_responses(FollowUpOut, 404, 422),
    url_name="case_follow_up_start",
    summary="Start the follow-up clock for an episode (once; again returns the same clock)",
)
def follow_up_start(request, episode_id: int, body: FollowUpStartIn):
    client_id = OverdoseEpisode.objects.filter(pk=episode_id).values_list("client_id", flat=True)
    if not client_id:
        raise HttpError(404, "No episode with this number.")
    client = get_client_for_user(request.auth, client_id[0], purpose=Purpose.CARE)
    episode = client.episodes.get(pk=episode_id)
    with _refused(422, followups.FollowUpError):
        follow_up = followups.start_follow_up(
            actor=request.auth, episode=episode, discharged_at=body.discharged_at
        )
    return _follow_up_out(follow_up)


@router.post(
    "/cases/follow-ups/{follow_up_id}/attempts",
    response=_responses(FollowUpOut, 404, 422),
    url_name="case_follow_up_attempt",
    summary="Record an attempt to reach the person; the first contact stops the clock",
)
def follow_up_attempt(request, follow_up_id: int, body: FollowUpAttemptIn):
    follow_up = followups.get_follow_up_for_user(request.auth, follow_up_id, purpose=Purpose.CARE)
    if body.method not in ContactMethod.values:
        raise HttpError(422, f"method must be one of {', '.join(ContactMethod.values)}.")
    with _refused(422, followups.FollowUpError):
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


# Care alerts, the care plan, supporters (cases-supporters) ----------------------------
# The same functions as the pages (cairn.cases.care_alerts, .plans, .supporters). A
# write refused for its input answers 422 with `field`, the body field at fault.


class FieldErrorOut(ErrorOut):
    field: str = Field(description="the body field at fault; __all__ for the request")


_WRITE = {**_responses(None, 404, 422), 422: FieldErrorOut}


def _write_responses(ok) -> dict:
    return {**_WRITE, 200: ok}


def _field_refusal(error) -> Status:
    field = getattr(error, "field", "__all__")
    return Status(422, {"detail": f"{field}: {error}", "field": field})


def _writing(request, client_id: int, write, out):
    """Open the record (audited), run the write, and shape its result with `out`;
    an unknown item answers 404, refused input 422 with the field."""
    client = _care_client(request, client_id)
    try:
        return out(write(client))
    except (plans.PlanItemMissing, supporters.SupporterMissing) as error:
        raise HttpError(404, str(error)) from None
    except (plans.PlanError, supporters.SupporterError) as error:
        return _field_refusal(error)


class CareAlertOut(Schema):
    id: int
    client_id: int
    organization: str
    kind: str = Field(
        description="follow_up_overdue, action_overdue, oat_stopped, oat_missed_doses, other"
    )
    text: str
    link: str
    raised_at: dt.datetime
    raised_by: str
    acknowledged_at: dt.datetime | None
    acknowledged_by: str


def _alert_out(alert) -> dict:
    return {
        "id": alert.pk,
        "client_id": alert.client_id,
        "organization": alert.organization.name,
        "kind": alert.kind,
        "text": alert.text,
        "link": alert.link,
        "raised_at": alert.raised_at,
        "raised_by": alert.raised_by,
        "acknowledged_at": alert.acknowledged_at,
        "acknowledged_by": alert.acknowledged_by,
    }


@router.get(
    "/cases/alerts",
    response=_responses(list[CareAlertOut], 422),
    url_name="case_care_alerts",
    summary="The care alerts of your teams: open, acknowledged or all, newest first",
)
def care_alert_list(request, state: str = "open", client_id: int | None = None):
    client = None if client_id is None else _care_client(request, client_id)
    with _refused(422, care_alerts.CareAlertError):
        rows = list(care_alerts.alerts_for(request.auth, state=state, client=client)[:500])
    _audit_list(request, [a.client_id for a in rows], purpose=Purpose.CARE, what="care_alerts")
    return [_alert_out(a) for a in rows]


@router.post(
    "/cases/alerts/{alert_id}/acknowledge",
    response=_responses(CareAlertOut, 404),
    url_name="case_care_alert_acknowledge",
    summary="Acknowledge a care alert of your teams (again changes nothing)",
)
def care_alert_acknowledge(request, alert_id: int):
    alert = care_alerts.acknowledge(actor=request.auth, alert_id=alert_id)
    return _alert_out(alert)


# The care plan.


class GoalIn(Schema):
    text: str
    idempotency_key: str = ""


class ActionIn(Schema):
    text: str
    owner_user_id: int | None = Field(None, description="a care-team member holding the case")
    owner_text: str = Field("", description="or: the person, a supporter, someone else")
    due_on: dt.date | None = None
    goal_id: int | None = None
    support_id: int | None = Field(None, description="the catalogue support it comes from")
    idempotency_key: str = ""


class ReferralIn(Schema):
    kind: str = Field(description=", ".join(ReferralKind.values))
    to_whom: str
    note: str = ""
    support_id: int | None = None
    idempotency_key: str = ""


class StatusIn(Schema):
    status: str = Field(
        description="goals: open, achieved, dropped; actions: open, done, cancelled"
    )


class ReferralStepIn(Schema):
    status: str = Field(description="the next step; see docs/cases-plan.md")
    note: str = ""


class GoalOut(Schema):
    id: int
    text: str
    status: str
    organization: str
    created_at: dt.datetime
    created_by: str
    status_changed_at: dt.datetime | None
    status_changed_by: str


class ActionOut(GoalOut):
    owner_user: str | None
    owner_text: str
    owner: str
    due_on: dt.date | None
    goal_id: int | None
    from_support_id: int | None


class ReferralChangeOut(Schema):
    status: str
    changed_at: dt.datetime
    changed_by: str
    note: str


class ReferralOut(Schema):
    id: int
    kind: str
    to_whom: str
    note: str
    status: str
    next_steps: list[str]
    organization: str
    created_at: dt.datetime
    created_by: str
    from_support_id: int | None
    changes: list[ReferralChangeOut]


class PlanOut(Schema):
    client_id: int
    group: str
    goals: list[GoalOut]
    actions: list[ActionOut]
    referrals: list[ReferralOut]


def _item_out(item) -> dict:
    return {
        "id": item.pk,
        "text": item.text,
        "status": item.status,
        "organization": item.organization.name,
        "created_at": item.created_at,
        "created_by": item.created_by,
        "status_changed_at": item.status_changed_at,
        "status_changed_by": item.status_changed_by,
    }


def _action_out(action) -> dict:
    return {
        **_item_out(action),
        "owner_user": action.owner_user.get_username() if action.owner_user_id else None,
        "owner_text": action.owner_text,
        "owner": action.owner_label,
        "due_on": action.due_on,
        "goal_id": action.goal_id,
        "from_support_id": action.from_support_id,
    }


def _referral_out(referral) -> dict:
    return {
        "id": referral.pk,
        "kind": referral.kind,
        "to_whom": referral.to_whom,
        "note": referral.note,
        "status": referral.status,
        "next_steps": list(plans.REFERRAL_STEPS.get(referral.status, ())),
        "organization": referral.organization.name,
        "created_at": referral.created_at,
        "created_by": referral.created_by,
        "from_support_id": referral.from_support_id,
        "changes": [
            {
                "status": c.status,
                "changed_at": c.changed_at,
                "changed_by": c.changed_by,
                "note": c.note,
            }
            for c in referral.changes.all()
        ],
    }


@router.get(
    "/cases/clients/{client_id}/plan",
    response=_responses(PlanOut, 404),
    url_name="case_plan",
    summary="A person's care plan: goals, actions with owners and due dates, referrals",
)
def plan_detail(request, client_id: int):
    client = _care_client(request, client_id)
    plan = plans.plan_for(client)
    return {
        "client_id": client.pk,
        "group": plan["group"],
        "goals": [_item_out(g) for g in client.plan_goals.select_related("organization")],
        "actions": [
            _action_out(a) for a in client.plan_actions.select_related("organization", "owner_user")
        ],
        "referrals": [
            _referral_out(r)
            for r in client.referrals.select_related("organization").prefetch_related("changes")
        ],
    }


@router.post(
    "/cases/clients/{client_id}/plan/goals",
    response=_write_responses(GoalOut),
    url_name="case_plan_goals",
    summary="Add a goal (the same idempotency key returns the first goal)",
)
def plan_goal_add(request, client_id: int, body: GoalIn):
    return _writing(
        request,
        client_id,
        lambda client: plans.add_goal(
            actor=request.auth,
            client=client,
            text=body.text,
            idempotency_key=_idempotency_key(request, body.idempotency_key),
        ),
        _item_out,
    )


@router.post(
    "/cases/clients/{client_id}/plan/goals/{goal_id}",
    response=_write_responses(GoalOut),
    url_name="case_plan_goal",
    summary="Set a goal's status: open, achieved or dropped",
)
def plan_goal_status(request, client_id: int, goal_id: int, body: StatusIn):
    return _writing(
        request,
        client_id,
        lambda client: plans.set_goal_status(
            actor=request.auth, client=client, goal_id=goal_id, status=body.status
        ),
        _item_out,
    )


@router.post(
    "/cases/clients/{client_id}/plan/actions",
    response=_write_responses(ActionOut),
    url_name="case_plan_actions",
    summary="Add an action with an owner and a due date (idempotent on its key)",
)
def plan_action_add(request, client_id: int, body: ActionIn):
    return _writing(
        request,
        client_id,
        lambda client: plans.add_action(
            actor=request.auth,
            client=client,
            text=body.text,
            owner_user_id=body.owner_user_id,
            owner_text=body.owner_text,
            due_on=body.due_on,
            goal_id=body.goal_id,
            support_id=body.support_id,
            idempotency_key=_idempotency_key(request, body.idempotency_key),
        ),
        _action_out,
    )


@router.post(
    "/cases/clients/{client_id}/plan/actions/{action_id}",
    response=_write_responses(ActionOut),
    url_name="case_plan_action",
    summary="Set an action's status: open, done or cancelled",
)
def plan_action_status(request, client_id: int, action_id: int, body: StatusIn):
    return _writing(
        request,
        client_id,
        lambda client: plans.set_action_status(
            actor=request.auth, client=client, action_id=action_id, status=body.status
        ),
        _action_out,
    )


@router.post(
    "/cases/clients/{client_id}/plan/referrals",
    response=_write_responses(ReferralOut),
    url_name="case_plan_referrals",
    summary="Propose a referral (idempotent on its key)",
)
def plan_referral_add(request, client_id: int, body: ReferralIn):
    return _writing(
        request,
        client_id,
        lambda client: plans.add_referral(
            actor=request.auth,
            client=client,
            kind=body.kind,
            to_whom=body.to_whom,
            note=body.note,
            support_id=body.support_id,
            idempotency_key=_idempotency_key(request, body.idempotency_key),
        ),
        _referral_out,
    )


@router.post(
    "/cases/clients/{client_id}/plan/referrals/{referral_id}",
    response=_write_responses(ReferralOut),
    url_name="case_plan_referral",
    summary="Move a referral one step (sent, accepted, declined, started, completed, no-show)",
)
def plan_referral_step(request, client_id: int, referral_id: int, body: ReferralStepIn):
    return _writing(
        request,
        client_id,
        lambda client: plans.change_referral(
            actor=request.auth,
            client=client,
            referral_id=referral_id,
            status=body.status,
            note=body.note,
        ),
        _referral_out,
    )


# Supporters and consent.


class SupporterIn(Schema):
    name: str
    relationship: str = Field(description="family, friend, peer or other")
    contact_method: str = Field("", description="phone, text, email, in_person, ...")
    contact_value: str = ""
    username: str = Field("", description="the supporter's own Cairn account, if any")
    note: str = ""
    idempotency_key: str = ""


class ConsentIn(Schema):
    purpose: str = Field(description=", ".join(ConsentPurpose.values))
    method: str = Field(description="verbal, written or electronic")
    note: str = Field("", description="the person's words, if any")


class RevokeIn(Schema):
    reason: str


class ConsentOut(Schema):
    id: int
    purpose: str
    method: str
    note: str
    recorded_at: dt.datetime
    recorded_by: str
    in_force: bool
    revoked_at: dt.datetime | None
    revoked_by: str
    revocation_reason: str


class SupporterOut(Schema):
    id: int
    client_id: int
    name: str
    relationship: str
    contact_method: str
    contact_value: str
    username: str | None
    note: str
    added_at: dt.datetime
    added_by: str
    ended_at: dt.datetime | None = Field(description="when the link was ended, if it was")
    ended_by: str
    end_reason: str
    purposes_in_force: list[str]
    consents: list[ConsentOut] = Field(description="the full history, oldest first")


def _consent_out(c) -> dict:
    return {
        "id": c.pk,
        "purpose": c.purpose,
        "method": c.method,
        "note": c.note,
        "recorded_at": c.recorded_at,
        "recorded_by": c.recorded_by,
        "in_force": c.revoked_at is None,
        "revoked_at": c.revoked_at,
        "revoked_by": c.revoked_by,
        "revocation_reason": c.revocation_reason,
    }


def _supporter_out(s) -> dict:
    consents = list(s.consents.all())
    return {
        "id": s.pk,
        "client_id": s.client_id,
        "name": s.name,
        "relationship": s.relationship,
        "contact_method": s.contact_method,
        "contact_value": s.contact_value,
        "username": s.user.get_username() if s.user_id else None,
        "note": s.note,
        "added_at": s.added_at,
        "added_by": s.added_by,
        "ended_at": s.ended_at,
        "ended_by": s.ended_by,
        "end_reason": s.end_reason,
        "purposes_in_force": [c.purpose for c in consents if c.revoked_at is None],
        "consents": [_consent_out(c) for c in consents],
    }


@router.get(
    "/cases/clients/{client_id}/supporters",
    response=_responses(list[SupporterOut], 404),
    url_name="case_supporters",
    summary="A person's supporters, each with the full history of their consents",
)
def supporter_list(request, client_id: int):
    return [_supporter_out(s) for s in supporters.supporters_for(_care_client(request, client_id))]


@router.post(
    "/cases/clients/{client_id}/supporters",
    response=_write_responses(SupporterOut),
    url_name="case_supporter_create",
    summary="Link a supporter (no consent yet: they see nothing until the person consents)",
)
def supporter_create(request, client_id: int, body: SupporterIn):
    return _writing(
        request,
        client_id,
        lambda client: supporters.add_supporter(
            actor=request.auth,
            client=client,
            name=body.name,
            relationship=body.relationship,
            contact_method=body.contact_method,
            contact_value=body.contact_value,
            username=body.username,
            note=body.note,
            idempotency_key=_idempotency_key(request, body.idempotency_key),
        ),
        _supporter_out,
    )


@router.post(
    "/cases/clients/{client_id}/supporters/{supporter_id}/consents",
    response=_write_responses(ConsentOut),
    url_name="case_supporter_consents",
    summary="Record the person's consent for one supporter and purpose (once while in force)",
)
def supporter_consent_add(request, client_id: int, supporter_id: int, body: ConsentIn):
    return _writing(
        request,
        client_id,
        lambda client: supporters.record_consent(
            actor=request.auth,
            client=client,
            supporter_id=supporter_id,
            purpose=body.purpose,
            method=body.method,
            note=body.note,
        ),
        _consent_out,
    )


@router.post(
    "/cases/clients/{client_id}/supporters/{supporter_id}/consents/{consent_id}/revoke",
    response=_write_responses(ConsentOut),
    url_name="case_supporter_consent_revoke",
    summary="Revoke a consent now, with the reason; the supporter's access ends at once",
)
def supporter_consent_revoke(
    request, client_id: int, supporter_id: int, consent_id: int, body: RevokeIn
):
    return _writing(
        request,
        client_id,
        lambda client: supporters.revoke_consent(
            actor=request.auth,
            client=client,
            supporter_id=supporter_id,
            consent_id=consent_id,
            reason=body.reason,
        ),
        _consent_out,
    )


class EndLinkIn(Schema):
    reason: str


@router.post(
    "/cases/clients/{client_id}/supporters/{supporter_id}/end",
    response=_write_responses(SupporterOut),
    url_name="case_supporter_end",
    summary="End a supporter's link: every consent in force is revoked with the reason",
)
def supporter_end(request, client_id: int, supporter_id: int, body: EndLinkIn):
    return _writing(
        request,
        client_id,
        lambda client: supporters.end_link(
            actor=request.auth, client=client, supporter_id=supporter_id, reason=body.reason
        ),
        _supporter_out,
    )


# The supporter's own view: any account that may hold a supporter link (never police or
# municipal members), through get_client_for_supporter, which audits each read.

_SUPPORTER_AUTH = _auth_requiring(require_supporter_access)


class SupportingOut(Schema):
    client_id: int
    display_name: str
    relationship: str
    purposes: list[str]


class SupporterViewOut(Schema):
    client_id: int
    display_name: str
    relationship: str
    purposes: list[str] = Field(description="what the person consented to; nothing else shows")
    may_contact_about_follow_up: bool
    goals: list[dict] | None = Field(description="with see_care_plan; else null")
    actions: list[dict] | None = Field(description="with see_care_plan; else null")
    referrals: list[dict] | None = Field(description="with see_appointments; else null")
    follow_ups: list[dict] | None = Field(description="with see_appointments; else null")
    treatment: str | None = Field(description="with see_appointments: OAT status; else null")
    overdoses: list[dict] | None = Field(
        description="with receive_overdose_alerts: overdoses since that consent; else null"
    )


@router.get(
    "/cases/supporting",
    auth=_SUPPORTER_AUTH,
    response=_responses(list[SupportingOut]),
    url_name="case_supporting",
    summary="The people you support, with what each agreed to share with you",
)
def supporting_list(request):
    links = list(supporter_links_for(request.auth).prefetch_related("consents"))
    _audit_list(
        request, [s.client_id for s in links], purpose=Purpose.SUPPORTING, what="supporting"
    )
    return [
        {
            "client_id": s.client_id,
            "display_name": s.client.display_name,
            "relationship": s.relationship,
            "purposes": sorted(c.purpose for c in s.consents.all() if c.revoked_at is None),
        }
        for s in links
    ]


@router.get(
    "/cases/supporting/{client_id}",
    auth=_SUPPORTER_AUTH,
    response=_responses(SupporterViewOut, 404),
    url_name="case_supporting_detail",
    summary="What a person agreed to share with you as their supporter (the read is audited)",
)
def supporting_detail(request, client_id: int):
    view = get_client_for_supporter(request.auth, client_id, purpose=Purpose.SUPPORTING)
    content = supporters.supporter_view_content(view)
    return {**content, "purposes": [key for key, _ in content["purposes"]]}
