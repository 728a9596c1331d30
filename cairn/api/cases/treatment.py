"""API: opioid agonist treatment — a person's episodes, dispensing and missed doses,
the CSV import, and the cascade of care.

A person's treatment is for the care team of an organization holding the case only
(everyone else 403 before any input is read; a person the caller's organizations do
not hold, 404); every read goes through `get_client_for_user` and is audited. Field
errors answer 422 with `detail` and the `field` at fault. Recording the same
dispensing or missed dose again (same person, drug and day) returns the first (200
instead of 201); starting an episode takes an idempotency key (`Idempotency-Key`
header or `idempotency_key`). The cascade is an aggregate any member may read for
their communities, small counts suppressed (null) outside the care team.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from ninja import Field, File, Query, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from cairn.api.auth import api_auth
from cairn.api.cases.common import FieldErrorOut, router
from cairn.api.errors import ErrorOut
from cairn.cases.access import Purpose, get_client_for_user
from cairn.cases.treatment import cascade as cascade_queries
from cairn.cases.treatment import importing, records, status


class OatEpisodeOut(Schema):
    id: int
    origin: str = Field(description="entered (by the care team) or derived (from dispensing)")
    drug: str
    prescriber: str
    pharmacy: str
    started_on: dt.date
    stopped_on: dt.date | None
    end_reason: str
    last_covered_on: dt.date | None
    concurrent: bool
    switched_from_id: int | None
    dispensings: int


class DispensingOut(Schema):
    id: int
    drug: str
    dispensed_on: dt.date
    dose: Decimal | None
    dose_unit: str
    witnessed: bool
    carry_days: int
    days_supply: int | None
    pharmacy: str
    prescriber: str
    source: str


class MissedDoseOut(Schema):
    id: int
    drug: str
    missed_on: dt.date
    pharmacy: str
    note: str
    source: str


class StatusOut(Schema):
    as_of: dt.date
    on_oat: bool
    since: dt.date | None
    days_on: int | None
    days_without_dose: int
    stopped_on: dt.date | None
    headline: str


class TreatmentOut(Schema):
    client_id: int
    status: StatusOut
    episodes: list[OatEpisodeOut]
    dispensings: list[DispensingOut] = Field(description="the latest 60")
    missed_doses: list[MissedDoseOut] = Field(description="the latest 30")


class EpisodeIn(Schema):
    drug: str = Field(description="bup_nx, methadone, srom, ioat, xr_bup or other")
    started_on: str = Field(description="YYYY-MM-DD")
    prescriber: str = ""
    pharmacy: str = ""
    note: str = ""
    idempotency_key: str = ""


class StopIn(Schema):
    stopped_on: str = Field(description="YYYY-MM-DD: the last day on treatment")
    end_reason: str = Field(
        description="person_chose, taper_completed, switched, transferred, institution, died, other"
    )
    note: str = ""


class DispensingIn(Schema):
    drug: str
    dispensed_on: str = Field(description="YYYY-MM-DD")
    dose: str = Field("", description="mg")
    witnessed: str = Field("yes", description="yes or no")
    carry_days: str = Field("0", description="take-home doses for the following days")
    days_supply: str = Field("", description="days covered when not the drug's default")
    pharmacy: str = ""
    prescriber: str = ""


class MissedDoseIn(Schema):
    drug: str
    missed_on: str = Field(description="YYYY-MM-DD")
    pharmacy: str = ""
    note: str = ""


class ImportErrorOut(Schema):
    line: int
    column: str
    message: str


class ImportOut(Schema):
    import_id: int
    rows: int
    accepted: int
    already_recorded: int
    errors: list[ImportErrorOut]


class StageOut(Schema):
    key: str
    label: str
    definition: str


class CascadeRowOut(Schema):
    key: str
    label: str
    counts: list[int | None] = Field(description="one per stage; null when suppressed")
    shares: list[int | None] = Field(description="percent of the row's diagnosed")


class CascadeOut(Schema):
    as_of: dt.date
    scope: str
    exact: bool = Field(description="false: counts of 1-4 suppressed (null)")
    stages: list[StageOut]
    by_group: list[CascadeRowOut]
    group_total: CascadeRowOut
    by_community: list[CascadeRowOut]
    community_total: CascadeRowOut


_READ = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
_WRITE = {**_READ, 422: FieldErrorOut}


def _field_error(error: records.TreatmentError):
    return Status(422, {"detail": str(error), "field": error.field})


def _treatment_out(client) -> dict:
    data = status.treatment_for(client)
    s = data["status"]
    return {
        "client_id": client.pk,
        "status": {
            "as_of": s.as_of,
            "on_oat": s.on_oat,
            "since": s.since,
            "days_on": s.days_on,
            "days_without_dose": s.days_without_dose,
            "stopped_on": s.stopped_on,
            "headline": s.headline,
        },
        "episodes": data["episodes"],
        "dispensings": data["dispensings"],
        "missed_doses": data["missed_doses"],
    }


@router.get(
    "/cases/clients/{client_id}/treatment",
    response={**_READ, 200: TreatmentOut},
    url_name="case_treatment",
    summary="A person's OAT: where they are today, episodes, dispensing, missed doses",
)
def treatment(request, client_id: int):
    client = get_client_for_user(request.auth, client_id, purpose=Purpose.CARE)
    return _treatment_out(client)


@router.post(
    "/cases/clients/{client_id}/treatment/episodes",
    response={**_WRITE, 200: OatEpisodeOut, 201: OatEpisodeOut},
    url_name="case_treatment_episode_start",
    summary="Start an OAT episode (entered by the care team)",
)
def episode_start(request, client_id: int, body: EpisodeIn):
    client = get_client_for_user(request.auth, client_id, purpose=Purpose.CARE)
    key = (request.headers.get("Idempotency-Key") or body.idempotency_key or "").strip()[:80]
    try:
        saved = records.start_episode(
            actor=request.auth,
            client=client,
            drug=body.drug,
            started_on=body.started_on,
            prescriber=body.prescriber,
            pharmacy=body.pharmacy,
            note=body.note,
            idempotency_key=key,
        )
    except records.TreatmentError as error:
        return _field_error(error)
    return Status(201 if saved.created else 200, saved.row)


@router.post(
    "/cases/clients/{client_id}/treatment/episodes/{episode_id}/stop",
    response={**_WRITE, 200: OatEpisodeOut},
    url_name="case_treatment_episode_stop",
    summary="Record that an entered OAT episode stopped, and why",
)
def episode_stop(request, client_id: int, episode_id: int, body: StopIn):
    client = get_client_for_user(request.auth, client_id, purpose=Purpose.CARE)
    try:
        return records.stop_episode(
            actor=request.auth,
            client=client,
            episode_id=episode_id,
            stopped_on=body.stopped_on,
            end_reason=body.end_reason,
            note=body.note,
        )
    except records.TreatmentItemMissing as error:
        raise HttpError(404, str(error)) from None
    except records.TreatmentError as error:
        return _field_error(error)


@router.post(
    "/cases/clients/{client_id}/treatment/dispensing",
    response={**_WRITE, 200: DispensingOut, 201: DispensingOut},
    url_name="case_treatment_dispensing_add",
    summary="Record a dispensing (once per person, drug and day)",
)
def dispensing_add(request, client_id: int, body: DispensingIn):
    client = get_client_for_user(request.auth, client_id, purpose=Purpose.CARE)
    try:
        saved = records.record_dispensing(actor=request.auth, client=client, data=body.dict())
    except records.TreatmentError as error:
        return _field_error(error)
    return Status(201 if saved.created else 200, saved.row)


@router.post(
    "/cases/clients/{client_id}/treatment/missed-doses",
    response={**_WRITE, 200: MissedDoseOut, 201: MissedDoseOut},
    url_name="case_treatment_missed_dose_add",
    summary="Record a missed dose (once per person, drug and day)",
)
def missed_dose_add(request, client_id: int, body: MissedDoseIn):
    client = get_client_for_user(request.auth, client_id, purpose=Purpose.CARE)
    try:
        saved = records.record_missed_dose(actor=request.auth, client=client, data=body.dict())
    except records.TreatmentError as error:
        return _field_error(error)
    return Status(201 if saved.created else 200, saved.row)


@router.post(
    "/cases/treatment/imports",
    response={200: ImportOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    url_name="case_treatment_import",
    summary="Import dispensing and missed doses from CSV (docs/cases-treatment.md)",
    description="Every bad row is reported with its line and column; every good row is "
    "saved; rows already on record are counted, not duplicated. A file that cannot be read "
    "at all answers 400 and saves nothing.",
)
def treatment_import(request, file: File[UploadedFile], mapping: str = ""):
    try:
        result = importing.import_csv(
            actor=request.auth,
            data=file.read(importing.MAX_BYTES + 1),
            filename=file.name or "",
            mapping=mapping,
        )
    except importing.ImportRefused as error:
        raise HttpError(400, str(error)) from None
    return {
        "import_id": result.batch.pk,
        "rows": result.rows,
        "accepted": result.accepted,
        "already_recorded": result.already_recorded,
        "errors": result.errors,
    }


class CascadeQuery(Schema):
    community: str = Field("", description="a community code; empty: all yours")
    date: dt.date | None = Field(None, description="YYYY-MM-DD; default today")


def _row(row) -> dict:
    return {
        "key": row.key,
        "label": row.label,
        "counts": [c.count for c in row.cells],
        "shares": [c.share for c in row.cells],
    }


@router.get(
    "/cases/treatment/cascade",
    auth=api_auth,
    response={200: CascadeOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    url_name="case_treatment_cascade",
    summary="The OAT cascade of care per group and community (aggregate)",
)
def treatment_cascade(request, query: Query[CascadeQuery]):
    as_of = query.date or timezone.localdate()
    if as_of > timezone.localdate():
        raise HttpError(400, f"date: {as_of} is in the future.")
    result = cascade_queries.cascade_for(request.auth, as_of=as_of, community_code=query.community)
    return {
        "as_of": result.as_of,
        "scope": result.scope_label,
        "exact": result.exact,
        "stages": [vars(s) for s in result.stages],
        "by_group": [_row(r) for r in result.by_group],
        "group_total": _row(result.group_total),
        "by_community": [_row(r) for r in result.by_community],
        "community_total": _row(result.community_total),
    }
