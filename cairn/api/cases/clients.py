"""API: the worklist, source records, clients, duplicates, episodes, merges."""

import datetime as dt

from ninja import Field, Query, Schema, Status
from ninja.errors import HttpError

from cairn.api.cases.common import (
    audit_list,
    care_client,
    form_errors,
    idempotency_key,
    refused,
    responses,
    router,
)
from cairn.api.errors import ErrorOut
from cairn.cases import actions, queries
from cairn.cases.access import (
    Purpose,
    care_team_communities,
    get_client_for_user,
    get_source_record_for_user,
)
from cairn.cases.forms import ClientForm, EpisodeForm, IdentityLinkForm, MergeForm
from cairn.cases.models import (
    ClientHolding,
    ClientMerge,
    EpisodeSource,
)
from cairn.surveillance.models import Source

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
        raise form_errors(form)
    return form


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


@router.get(
    "/cases/worklist",
    response=responses(WorklistOut, 400),
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
    response=responses(SourceRecordOut, 404),
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
    audit_list(
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
            idempotency_key=idempotency_key(request, body.idempotency_key),
            different_from=body.different_from,
        )
    except actions.PossibleDuplicates as duplicates:
        audit_list(
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
    response={**responses(EpisodeOut, 404, 422, created=True), 409: DuplicatesOut},
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
    response=responses(CandidatesOut, 422),
    url_name="case_clients",
    summary="Search clients: fuzzy on names, aliases and date of birth; exact on health number",
)
def client_search(request, filters: Query[SearchIn]):
    with refused(422, queries.SearchError):
        terms = queries.parse_search(
            filters.q, date_of_birth=filters.date_of_birth, health_number=filters.health_number
        )
    if not terms.kinds:
        return {"candidates": [], "truncated": False}
    result = queries.search_clients(request.auth, terms)
    audit_list(
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
    response={**responses(ClientOut, 422, created=True), 409: DuplicatesOut},
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
    response=responses(CandidatesOut, 422),
    url_name="case_client_duplicates",
    summary="Who on record may be this person (the duplicate check alone, nothing created)",
)
def client_duplicates(request, body: ClientIn):
    form = _client_form(request, body)
    person = form.to_input().person()
    result = queries.find_candidates(request.auth, person)
    audit_list(
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
    response=responses(ClientOut, 400, 404),
    url_name="case_client_detail",
    summary="One client record with its episodes, merges and timeline (the read is audited)",
)
def client_detail(request, client_id: int, purpose: str = Purpose.CARE):
    if purpose not in Purpose.values:
        raise HttpError(400, f"purpose must be one of {', '.join(Purpose.values)}.")
    return _client_out(get_client_for_user(request.auth, client_id, purpose=purpose))


@router.post(
    "/cases/clients/{client_id}/episodes",
    response=responses(EpisodeOut, 404, 409, 422, created=True),
    url_name="case_episode_create",
    summary="Record an overdose episode by hand (no source record)",
)
def episode_create(request, client_id: int, body: EpisodeIn):
    client = care_client(request, client_id)
    form = EpisodeForm(
        {
            "occurred_at": body.occurred_at.strftime("%Y-%m-%dT%H:%M:%S"),
            "community": body.community,
            "summary": body.summary,
        },
        communities=care_team_communities(request.auth),
    )
    if not form.is_valid():
        raise form_errors(form)
    with refused(409, actions.CaseActionError):
        opened = actions.open_episode(
            actor=request.auth,
            client=client,
            occurred_at=body.occurred_at,
            community=form.community(),
            summary=body.summary,
            idempotency_key=idempotency_key(request, body.idempotency_key),
        )
    return Status(201 if opened.created else 200, _episode_out(opened.episode))


@router.post(
    "/cases/clients/{client_id}/identity",
    response=responses(ClientOut, 404, 409, 422),
    url_name="case_client_link_identity",
    summary="Link a fuller identity to a record, with the person's consent recorded",
)
def client_link_identity(request, client_id: int, body: IdentityIn):
    client = care_client(request, client_id)
    form = IdentityLinkForm({k: ("" if v is None else v) for k, v in body.dict().items()})
    if not form.is_valid():
        raise form_errors(form)
    data = form.cleaned_data
    with refused(409, actions.CaseActionError):
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
    return _client_out(care_client(request, client_id))


@router.post(
    "/cases/clients/{client_id}/merge",
    response=responses(MergeOut, 404, 409, 422),
    url_name="case_client_merge",
    summary="Merge another record with this one, keeping full history (undo-able)",
)
def client_merge(request, client_id: int, body: MergeIn):
    client = get_client_for_user(request.auth, client_id, purpose=Purpose.DUPLICATE_REVIEW)
    form = MergeForm({**body.dict(), "other": body.other_id})
    if not form.is_valid():
        raise form_errors(form)
    other = get_client_for_user(request.auth, body.other_id, purpose=Purpose.DUPLICATE_REVIEW)
    survivor, merged = (client, other) if body.keep == "this" else (other, client)
    with refused(409, actions.CaseActionError):
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
    response=responses(MergeOut, 404, 409, 422),
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
    with refused(409, actions.CaseActionError):
        merge = actions.undo_merge(actor=request.auth, merge=merge, reason=body.reason)
    return _merge_out(merge)
