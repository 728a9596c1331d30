"""API: outreach encounters of a community action team — record, list, indicators.

The same rules and the same validation as the phone form (`cairn.outreach.encounters`,
`cairn.outreach.encounter_form.EncounterForm`):
- recording needs RECORD_OUTREACH in an organization that sits on the team, and an
  `Idempotency-Key` header (or `idempotency_key` in the body): the same key from the same
  caller returns the encounter the first request made, with 200 instead of 201;
- refused input answers 422 with `detail`, the `field` at fault and every problem in
  `errors`;
- the list is for the team's outreach workers and the care team of a member
  organization; it never shows a link to a person's case;
- the indicators are aggregate, suppressed as on the pages for viewers outside the
  team's outreach workers and clinical members.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from cairn.access.permissions import has_permission
from cairn.access.roles import Permission
from cairn.api.cases.common import auth_requiring
from cairn.api.errors import ErrorOut
from cairn.outreach import encounters as actions
from cairn.outreach.access import get_team_for, may_record_outreach
from cairn.outreach.encounter_form import EncounterForm
from cairn.outreach.indicators import (
    GROUPS,
    MEASURE_KEYS,
    add_months,
    indicators_for_viewer,
    month_start,
)

router = Router(tags=["outreach"])

_READ = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _require_record_outreach(user) -> None:
    if not has_permission(user, Permission.RECORD_OUTREACH):
        raise PermissionDenied("Recording outreach needs the record_outreach permission.")


class FieldProblem(Schema):
    field: str
    message: str


class EncounterErrorOut(Schema):
    detail: str
    field: str = Field(description="the first field at fault; __all__ for the request")
    errors: list[FieldProblem] = []


class EncounterIn(Schema):
    occurred_on: dt.date | str = Field("", description="YYYY-MM-DD, within the last year")
    occurred_at_time: str = Field("", description="HH:MM, optional")
    community: str = Field("", description="the code of one of the team's communities")
    latitude: float | str | None = None
    longitude: float | str | None = None
    place_description: str = Field("", description="a park, a corner; never an address")
    group: str = Field(
        "not_assessed",
        description="recreational, street_involved, hidden_regular, first_nations, "
        "or not_assessed (not recorded)",
    )
    naloxone_kits: int | str = Field(0, description="0 to 20")
    naloxone_training: bool = False
    drug_checking_referral: bool = False
    information: bool = False
    harm_reduction_supplies: bool = False
    connected_to_treatment: bool = False
    connected_to_housing: bool = False
    connected_to_oerc: bool = False
    connected_to_other: bool = False
    connection_note: str = ""
    follow_up_needed: bool = False
    follow_up_note: str = ""
    idempotency_key: str = Field("", description="or the Idempotency-Key header")


class EncounterOut(Schema):
    id: int
    team: str
    organization: str
    recorded_by: str
    recorded_at: dt.datetime
    occurred_on: dt.date
    occurred_at_time: dt.time | None
    community: str
    latitude: float | None
    longitude: float | None
    place_description: str
    group: str
    naloxone_kits: int
    naloxone_training: bool
    drug_checking_referral: bool
    information: bool
    harm_reduction_supplies: bool
    connected_to_treatment: bool
    connected_to_housing: bool
    connected_to_oerc: bool
    connected_to_other: bool
    connection_note: str
    follow_up_needed: bool
    follow_up_note: str
    voided: bool


def _encounter_out(encounter) -> dict:
    return {
        "id": encounter.pk,
        "team": encounter.team.slug,
        "organization": encounter.organization.name,
        "recorded_by": encounter.recorded_by_name,
        "recorded_at": encounter.recorded_at,
        "occurred_on": encounter.occurred_on,
        "occurred_at_time": encounter.occurred_at_time,
        "community": encounter.community.code,
        "latitude": encounter.latitude,
        "longitude": encounter.longitude,
        "place_description": encounter.place_description,
        "group": encounter.group,
        "naloxone_kits": encounter.naloxone_kits,
        **{
            name: getattr(encounter, name)
            for name in (
                "naloxone_training",
                "drug_checking_referral",
                "information",
                "harm_reduction_supplies",
                "connected_to_treatment",
                "connected_to_housing",
                "connected_to_oerc",
                "connected_to_other",
                "connection_note",
                "follow_up_needed",
                "follow_up_note",
            )
        },
        "voided": encounter.voided_at is not None,
    }


def _form_data(body: EncounterIn, key: str) -> dict:
    data = body.dict()
    data.pop("idempotency_key", None)
    data["creation_key"] = key
    for name, value in list(data.items()):
        if value is None:
            data[name] = ""
        elif isinstance(value, bool):
            # A form checkbox is absent when not ticked.
            if value:
                data[name] = "on"
            else:
                del data[name]
        else:
            data[name] = str(value)
    return data


def _refusal(problems: list[tuple[str, str]]):
    field = problems[0][0] if problems else "__all__"
    if field == "creation_key":
        field = "Idempotency-Key"
    errors = [
        {"field": "Idempotency-Key" if f == "creation_key" else f, "message": m}
        for f, m in problems
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return Status(422, {"detail": detail, "field": field, "errors": errors})


@router.post(
    "/teams/{slug}/encounters",
    auth=auth_requiring(_require_record_outreach),
    response={
        200: EncounterOut,
        201: EncounterOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: EncounterErrorOut,
    },
    url_name="outreach_encounter_create",
    summary="Record an outreach encounter (anonymous); the same Idempotency-Key returns it again",
)
def encounter_create(request, slug: str, body: EncounterIn):
    team = get_team_for(request.auth, slug)
    if not may_record_outreach(request.auth, team):
        raise PermissionDenied("Only members of this team's organizations may record its outreach.")
    key = (request.headers.get("Idempotency-Key") or body.idempotency_key or "").strip()
    form = EncounterForm(_form_data(body, key), communities=list(team.communities.all()))
    if not form.is_valid():
        return _refusal(form.error_list())
    data = dict(form.cleaned_data)
    data.pop("creation_key")
    try:
        saved = actions.record_encounter(
            actor=request.auth, team=team, details=data, idempotency_key=key
        )
    except actions.EncounterError as error:
        return _refusal([(error.field, str(error))])
    return Status(201 if saved.created else 200, _encounter_out(saved.encounter))


class ListFilters(Schema):
    month: str = Field("", description="YYYY-MM")
    group: str = ""
    include_voided: bool = False
    follow_up_needed: bool = Field(False, description="only those needing follow-up")
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0)


@router.get(
    "/teams/{slug}/encounters",
    response={**_READ, 200: list[EncounterOut]},
    url_name="outreach_encounters",
    summary="The team's encounters, newest first (its outreach workers and care team)",
)
def encounter_list(request, slug: str, filters: Query[ListFilters]):
    if not actions.may_see_encounters_anywhere(request.auth):
        raise PermissionDenied("Only outreach workers and care teams see encounters.")
    team = get_team_for(request.auth, slug)
    if not actions.may_see_encounters(request.auth, team):
        raise PermissionDenied("Only the team's outreach workers and care team see its encounters.")
    month = None
    if filters.month:
        try:
            month = dt.datetime.strptime(filters.month, "%Y-%m").date()
        except ValueError:
            return Status(422, {"detail": "month: give it as YYYY-MM, e.g. 2026-11."})
    if filters.group and filters.group not in dict(GROUPS):
        return Status(422, {"detail": "group: " + ", ".join(g for g, _ in GROUPS) + "."})
    rows = actions.team_encounters(
        team,
        month=month,
        group=filters.group,
        include_voided=filters.include_voided,
        follow_up_only=filters.follow_up_needed,
    ).select_related("team", "organization")
    return [_encounter_out(e) for e in rows[filters.offset : filters.offset + filters.limit]]


class MonthCounts(Schema):
    month: str
    encounters: int | None
    naloxone_kits: int | None
    trained: int | None
    drug_checking: int | None
    treatment: int | None
    housing: int | None
    oerc: int | None


class GroupCounts(Schema):
    group: str
    encounters: int | None
    naloxone_kits: int | None
    trained: int | None
    drug_checking: int | None
    treatment: int | None
    housing: int | None
    oerc: int | None


class MonthGroupCounts(MonthCounts):
    group: str


class EncounterIndicatorsOut(Schema):
    team: str
    start: dt.date
    end: dt.date
    suppressed: bool = Field(description="true: small counts are null (suppressed)")
    by_month: list[MonthCounts]
    by_group: list[GroupCounts]
    total: dict[str, int | None]
    by_month_and_group: list[MonthGroupCounts] | None = Field(
        None, description="only for the team's outreach workers and clinical members"
    )


class Period(Schema):
    start: str = Field("", description="YYYY-MM; default twelve months ago")
    end: str = Field("", description="YYYY-MM; default this month")


def _month(value: str, name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise ValueError(f"{name}: give it as YYYY-MM, e.g. 2026-11.") from None


@router.get(
    "/teams/{slug}/encounters/indicators",
    response={
        200: EncounterIndicatorsOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ErrorOut,
    },
    url_name="outreach_encounter_indicators",
    summary="The team's outreach indicators by month and group (aggregate)",
)
def encounter_indicators(request, slug: str, period: Query[Period]):
    team = get_team_for(request.auth, slug)
    try:
        start = _month(period.start, "start")
        end_month = _month(period.end, "end")
    except ValueError as error:
        return Status(422, {"detail": str(error)})
    end = None
    if end_month is not None:
        end = min(add_months(end_month, 1) - dt.timedelta(days=1), timezone.localdate())
    view = indicators_for_viewer(request.auth, team, start=start, end=end)
    by_month = [
        {"month": m.strftime("%Y-%m"), **dict(zip(MEASURE_KEYS, values, strict=True))}
        for m, (_label, values) in zip(view.months, view.by_month.rows, strict=True)
    ]
    by_group = [
        {"group": g, **dict(zip(MEASURE_KEYS, values, strict=True))}
        for (g, _), (_label, values) in zip(GROUPS, view.by_group.rows, strict=True)
    ]
    cross = None
    if view.full and view.indicators is not None:
        cross = [
            {**row, "month": month_start(row["month"]).strftime("%Y-%m")}
            for row in view.indicators.rows
        ]
    return {
        "team": team.slug,
        "start": view.start,
        "end": view.end,
        "suppressed": not view.full,
        "by_month": by_month,
        "by_group": by_group,
        "total": dict(zip(MEASURE_KEYS, view.by_month.total, strict=True)),
        "by_month_and_group": cross,
    }
