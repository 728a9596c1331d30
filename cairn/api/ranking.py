"""`/api/v1/ranking`: the ranking of high-overdose communities, as the page shows it."""

import math

from django.core.exceptions import PermissionDenied
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from cairn.access.permissions import has_permission
from cairn.access.roles import Permission
from cairn.api.errors import ErrorOut
from cairn.surveillance.ranking.params import RankingParameterError, parse_params
from cairn.surveillance.ranking.queries import ranking_for

router = Router(tags=["ranking"])


class RankingQuery(Schema):
    definition: str | None = Field(None, description="Case definition slug (default all_drug).")
    source: list[str] = Field(
        default_factory=list,
        description="Sources to count (ed, paramedic, first_responder, coroner); none: all.",
    )
    year: int | None = Field(None, description="Rank this calendar year.")
    end: str | None = Field(
        None, description="Rank the 12 months ending this day (YYYY-MM-DD; default yesterday)."
    )
    level: str | None = Field(None, description="lha (default) or hsda.")
    region: str | None = Field(
        None, description="Smooth toward: health_authority (default for lha) or province."
    )


class RankingRowOut(Schema):
    code: str
    name: str
    region: str = Field(description="The region whose average the rate is smoothed toward.")
    population: int
    events: int | None = Field(description="Null where hidden (1–4, or complementary).")
    crude_rate: float | None = Field(description="Per 100,000 per year.")
    crude_low: float | None
    crude_high: float | None
    smoothed_rate: float | None = Field(description="Empirical Bayes, per 100,000 per year.")
    smoothed_low: float | None
    smoothed_high: float | None
    rank: int | None = Field(description="Rank of the smoothed rate; 1 is the highest.")
    median_rank: int | None
    rank_low: int | None = Field(description="2.5th percentile of the simulated ranks.")
    rank_high: int | None = Field(description="97.5th percentile of the simulated ranks.")
    probability_top: float | None = Field(description="Share of draws in the top `top`.")
    previous_events: int | None
    trend_ratio: float | None = Field(description="Rate ratio against the previous 12 months.")
    trend_low: float | None
    trend_high: float | None
    trend: str | None = Field(description="rising, falling, no clear change or no events.")
    hidden: bool


class UnrankedOut(Schema):
    code: str
    name: str
    reason: str


class RegionOut(Schema):
    name: str
    communities: int
    mean_rate: float = Field(description="Per 100,000 per year.")
    prior_source: str


class SectionOut(Schema):
    heading: str
    paragraphs: list[str]


class RankingOut(Schema):
    definition: str
    definition_name: str
    sources: list[str]
    start: str
    end: str
    previous_start: str
    previous_end: str
    level: str
    region: str
    population_year: int
    top: int
    draws: int
    seed: int
    ranked_total: int = Field(description="How many communities the ranks are among.")
    aggregate_view: bool = Field(description="True where small counts are hidden for you.")
    no_events: bool
    rows: list[RankingRowOut]
    hidden_rows: list[RankingRowOut]
    unranked: list[UnrankedOut]
    regions: list[RegionOut]
    method: list[SectionOut]


def _finite(value):
    """JSON has no infinity or NaN: an unbounded ratio or limit is null."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def _row(row) -> dict:
    return {field: _finite(getattr(row, field)) for field in RankingRowOut.model_fields}


@router.get(
    "/ranking",
    response={200: RankingOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    url_name="ranking",
    summary="High-overdose communities ranked, with smoothed rates and rank intervals",
)
def ranking(request, filters: Query[RankingQuery]):
    if not has_permission(request.auth, Permission.VIEW_AGGREGATES):
        raise PermissionDenied("None of your roles lets you view aggregate data.")
    query = {
        key: value
        for key, value in {
            "definition": filters.definition,
            "source": filters.source,
            "year": None if filters.year is None else str(filters.year),
            "end": filters.end,
            "level": filters.level,
            "region": filters.region,
        }.items()
        if value not in (None, [])
    }
    try:
        params = parse_params(query)
    except RankingParameterError as error:
        raise HttpError(400, str(error)) from None
    result = ranking_for(request.auth, params)
    return {
        "definition": params.definition,
        "definition_name": result.definition_name,
        "sources": list(params.sources),
        "start": params.start.isoformat(),
        "end": params.end.isoformat(),
        "previous_start": params.previous_start.isoformat(),
        "previous_end": params.previous_end.isoformat(),
        "level": params.level,
        "region": params.region,
        "population_year": params.population_year,
        "top": params.top,
        "draws": result.draws,
        "seed": result.seed,
        "ranked_total": result.ranked_total,
        "aggregate_view": result.aggregate_view,
        "no_events": result.no_events,
        "rows": [_row(r) for r in result.rows],
        "hidden_rows": [_row(r) for r in result.hidden_rows],
        "unranked": [{"code": u.code, "name": u.name, "reason": u.reason} for u in result.unranked],
        "regions": [r.__dict__ for r in result.regions],
        "method": [{"heading": s.heading, "paragraphs": s.paragraphs} for s in result.sections],
    }
