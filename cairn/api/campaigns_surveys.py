"""API: survey instruments, surveys, invitations, panel imports and anonymous scores.

The same rules and functions as the pages (`cairn.campaigns.surveys`):
- instruments: communications staff who plan campaigns (MANAGE_CAMPAIGNS) read the
  shipped sample and their organizations' instruments, and enter new ones;
- surveys: whoever may see the campaign reads them; its organization manages them
  (makes invitations, imports panel CSV);
- responses come out as scores only (wave, group, segment, day): never linked to anyone.
Refused input answers 422 with a `detail` naming what and where.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from ninja import Field, Query, Router, Schema, Status

from cairn.api.cases.common import auth_requiring
from cairn.api.errors import ErrorOut
from cairn.campaigns.access import (
    get_campaign_for,
    may_plan,
    may_use_campaigns,
    organizations_for_new_campaigns,
)
from cairn.campaigns.models.surveys import Instrument, Response, Survey
from cairn.campaigns.surveys import catalogue, designs, importing, invitations
from cairn.campaigns.surveys import instruments as instrument_actions

router = Router(tags=["campaigns_surveys"])


def _require_planner(user) -> None:
    if not may_plan(user):
        raise PermissionDenied(
            "Survey instruments are for communications staff who plan campaigns."
        )


def _require_campaigns(user) -> None:
    if not may_use_campaigns(user):
        raise PermissionDenied("The Campaigns area is for communications staff.")


PLANNERS = auth_requiring(_require_planner)
CAMPAIGN_READERS = auth_requiring(_require_campaigns)


def _errors(*codes: int) -> dict:
    return {code: ErrorOut for code in (401, 403, *codes)}


def _refused(problems: list[tuple[str, str]]):
    return Status(422, {"detail": "; ".join(message for _, message in problems)})


# Instruments ---------------------------------------------------------------------------


class OptionSchema(Schema):
    value: int
    label: str


class ItemSchema(Schema):
    code: str
    wording: str = ""
    reverse_scored: bool = False


class SubscaleSchema(Schema):
    key: str
    name: str
    scoring: str = Field("mean", description="mean or sum")
    min_answered: int | None = Field(None, description="empty: every item")
    items: list[str]


class InstrumentIn(Schema):
    name: str
    abbreviation: str = ""
    description: str = ""
    source_note: str = ""
    higher_means: str = ""
    options: list[OptionSchema]
    items: list[ItemSchema]
    subscales: list[SubscaleSchema] = []
    total_scoring: str = Field("", description="mean, sum, or empty for no total")
    total_min_answered: int | None = None


class InstrumentSummary(Schema):
    id: int
    name: str
    abbreviation: str
    organization: str | None
    shipped: bool
    ready: bool


class InstrumentOut(InstrumentSummary):
    description: str
    source_note: str
    higher_means: str
    options: list[OptionSchema]
    items: list[ItemSchema]
    subscales: list[SubscaleSchema]
    total_scoring: str
    total_min_answered: int | None
    not_ready_because: list[str]


def _instrument_summary(instrument: Instrument, problems=None) -> dict:
    problems = instrument_actions.readiness_problems(instrument) if problems is None else problems
    return {
        "id": instrument.pk,
        "name": instrument.name,
        "abbreviation": instrument.abbreviation,
        "organization": instrument.organization.name if instrument.organization else None,
        "shipped": instrument.is_shipped,
        "ready": not problems,
    }


def _instrument_out(instrument: Instrument) -> dict:
    problems = instrument_actions.readiness_problems(instrument)
    structure = instrument_actions.structure_of(instrument)
    return {
        **_instrument_summary(instrument, problems),
        "description": instrument.description,
        "source_note": instrument.source_note,
        "higher_means": instrument.higher_means,
        "options": [{"value": v, "label": label} for v, label in structure.options],
        "items": structure.items,
        "subscales": structure.subscales,
        "total_scoring": structure.total_scoring,
        "total_min_answered": structure.total_min_answered,
        "not_ready_because": problems,
    }


@router.get(
    "/campaigns/surveys/instruments",
    auth=PLANNERS,
    response={200: list[InstrumentSummary], **_errors()},
    url_name="campaign_instruments",
    summary="Survey instruments: Cairn's sample and your organizations' own",
)
def instrument_list(request):
    catalogue.install_sample_instrument()
    return [_instrument_summary(i) for i in instrument_actions.instruments_for(request.auth)]


@router.post(
    "/campaigns/surveys/instruments",
    auth=PLANNERS,
    response={201: InstrumentOut, **_errors(422)},
    url_name="campaign_instrument_create",
    summary="Enter an instrument: answers, items (with reverse scoring), subscales, total",
)
def instrument_create(request, body: InstrumentIn):
    structure = instrument_actions.Structure(
        options=[(o.value, o.label) for o in body.options],
        items=[i.dict() for i in body.items],
        subscales=[s.dict() for s in body.subscales],
        total_scoring=body.total_scoring,
        total_min_answered=body.total_min_answered,
    )
    try:
        instrument = instrument_actions.save_instrument(
            user=request.auth,
            info=body.dict(),
            structure=structure,
            organization_id=organizations_for_new_campaigns(request.auth)[0],
        )
    except instrument_actions.InstrumentError as error:
        return _refused(error.problems)
    return Status(201, _instrument_out(instrument))


@router.get(
    "/campaigns/surveys/instruments/{int:instrument_id}",
    auth=PLANNERS,
    response={200: InstrumentOut, **_errors(404)},
    url_name="campaign_instrument",
    summary="One instrument with its structure",
)
def instrument_detail(request, instrument_id: int):
    return _instrument_out(instrument_actions.get_instrument_for(request.auth, instrument_id))


# Surveys -------------------------------------------------------------------------------


class WaveOut(Schema):
    key: str
    label: str
    position: int
    opens_on: dt.date | None
    closes_on: dt.date | None
    responses: int


class SurveyIn(Schema):
    title: str
    design: str = Field(description="pre_post, exposed_unexposed or waves")
    instrument_id: int
    consent_text: str = ""
    exposure_question: str = ""
    segment_question: str = ""
    segment_choices: list[list[str]] = Field([], description='[["key", "label"], ...]')


class SurveyOut(Schema):
    id: int
    campaign_id: int
    title: str
    design: str
    instrument_id: int
    instrument: str
    consent_text: str
    exposure_question: str
    segment_question: str
    segment_choices: list[list[str]]
    waves: list[WaveOut]


def _survey_out(survey: Survey) -> dict:
    counts = {}
    for wave_id in Response.objects.filter(survey=survey).values_list("wave_id", flat=True):
        counts[wave_id] = counts.get(wave_id, 0) + 1
    return {
        "id": survey.pk,
        "campaign_id": survey.campaign_id,
        "title": survey.title,
        "design": survey.design,
        "instrument_id": survey.instrument_id,
        "instrument": survey.instrument.name,
        "consent_text": survey.consent_text,
        "exposure_question": survey.exposure_question,
        "segment_question": survey.segment_question,
        "segment_choices": survey.segment_choices,
        "waves": [
            {
                "key": w.key,
                "label": w.label,
                "position": w.position,
                "opens_on": w.opens_on,
                "closes_on": w.closes_on,
                "responses": counts.get(w.pk, 0),
            }
            for w in survey.waves.all()
        ],
    }


@router.get(
    "/campaigns/{int:campaign_id}/surveys",
    auth=CAMPAIGN_READERS,
    response={200: list[SurveyOut], **_errors(404)},
    url_name="campaign_surveys",
    summary="A campaign's surveys with their waves",
)
def survey_list(request, campaign_id: int):
    campaign = get_campaign_for(request.auth, campaign_id)
    return [_survey_out(s) for s in campaign.surveys.select_related("instrument")]


@router.post(
    "/campaigns/{int:campaign_id}/surveys",
    auth=CAMPAIGN_READERS,
    response={201: SurveyOut, **_errors(404, 422)},
    url_name="campaign_survey_create",
    summary="Start a survey of the campaign (its organization only)",
)
def survey_create(request, campaign_id: int, body: SurveyIn):
    campaign = get_campaign_for(request.auth, campaign_id, manage=True)
    instrument = (
        instrument_actions.instruments_for(request.auth).filter(pk=body.instrument_id).first()
    )
    data = body.dict()
    data["consent_text"] = data["consent_text"] or designs.DEFAULT_CONSENT
    try:
        survey = designs.create_survey(
            user=request.auth, campaign=campaign, data=data, instrument=instrument
        )
    except designs.SurveyError as error:
        return _refused(error.problems)
    return Status(201, _survey_out(survey))


@router.get(
    "/campaigns/surveys/{int:survey_id}",
    auth=CAMPAIGN_READERS,
    response={200: SurveyOut, **_errors(404)},
    url_name="campaign_survey",
    summary="One survey",
)
def survey_detail(request, survey_id: int):
    return _survey_out(designs.get_survey_for(request.auth, survey_id))


class InvitationsIn(Schema):
    wave: str = Field(description="a wave key: pre, post, wave_1...")
    count: int = Field(description=f"1 to {invitations.MAX_BATCH}")


class InvitationsOut(Schema):
    batch: int
    count: int
    links: list[str]


@router.post(
    "/campaigns/surveys/{int:survey_id}/invitations",
    auth=CAMPAIGN_READERS,
    response={201: InvitationsOut, **_errors(404, 422)},
    url_name="campaign_survey_invitations",
    summary="Make a batch of one-use invitation links for a wave",
)
def survey_invitations(request, survey_id: int, body: InvitationsIn):
    survey = designs.get_survey_for(request.auth, survey_id, manage=True)
    try:
        wave = invitations.wave_of(survey, body.wave)
        batch = invitations.generate_invitations(
            user=request.auth, survey=survey, wave=wave, count=body.count
        )
    except invitations.InvitationError as error:
        return Status(422, {"detail": f"{error.field}: {error}"})
    base = request.build_absolute_uri("/").rstrip("/")
    tokens = wave.invitations.filter(batch=batch).order_by("pk").values_list("token", flat=True)
    links = [base + reverse("survey:answer", kwargs={"token": t}) for t in tokens]
    return Status(201, {"batch": batch, "count": len(links), "links": links})


class ImportProblem(Schema):
    line: int
    column: str
    message: str


class ImportOut(Schema):
    id: int | None
    rows_read: int
    rows_added: int
    rows_already_imported: int
    rows_refused: int
    errors: list[ImportProblem]


@router.post(
    "/campaigns/surveys/{int:survey_id}/imports",
    auth=CAMPAIGN_READERS,
    response={201: ImportOut, **_errors(404, 422)},
    url_name="campaign_survey_import",
    summary="Import survey-panel rows (the CSV as the request body, Content-Type text/csv)",
    openapi_extra={
        "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}
    },
)
def survey_import(request, survey_id: int):
    survey = designs.get_survey_for(request.auth, survey_id, manage=True)
    try:
        batch = importing.import_panel_csv(
            user=request.auth,
            survey=survey,
            content=request.body,
            file_name=request.headers.get("X-File-Name", "api.csv"),
        )
    except importing.ImportRefused as error:
        return Status(
            422,
            {
                "detail": "; ".join(
                    f"line {p['line']}, column {p['column']}: {p['message']}"
                    if p["column"]
                    else p["message"]
                    for p in error.problems
                )
            },
        )
    return Status(
        201,
        {
            "id": batch.pk,
            "rows_read": batch.rows_read,
            "rows_added": batch.rows_added,
            "rows_already_imported": batch.rows_already_imported,
            "rows_refused": batch.rows_refused,
            "errors": batch.errors,
        },
    )


class ScoreOut(Schema):
    wave: str
    group: str
    segment: str
    source: str
    submitted_on: dt.date
    paired: bool = Field(description="from a panel member with an id (pairs waves)")
    total_score: float | None
    scores: dict[str, float | None]


class ScoreFilters(Schema):
    limit: int = Field(1000, ge=1, le=10000)
    offset: int = Field(0, ge=0)


@router.get(
    "/campaigns/surveys/{int:survey_id}/responses",
    auth=CAMPAIGN_READERS,
    response={200: list[ScoreOut], **_errors(404)},
    url_name="campaign_survey_responses",
    summary="Scores of each response (anonymous: no answers' author, no time, no panel id)",
)
def survey_responses(request, survey_id: int, filters: Query[ScoreFilters]):
    survey = designs.get_survey_for(request.auth, survey_id)
    rows = (
        Response.objects.filter(survey=survey)
        .order_by("wave__position", "submitted_on", "id")
        .values_list(
            "wave__key",
            "group",
            "segment",
            "source",
            "submitted_on",
            "panel_key",
            "total_score",
            "scores",
        )[filters.offset : filters.offset + filters.limit]
    )
    return [
        {
            "wave": wave,
            "group": group,
            "segment": segment,
            "source": source,
            "submitted_on": submitted_on,
            "paired": bool(panel),
            "total_score": total,
            "scores": scores,
        }
        for wave, group, segment, source, submitted_on, panel, total, scores in rows
    ]
