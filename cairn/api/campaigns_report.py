"""API: a campaign's outcome series with the interrupted-time-series estimate, and its
report (see docs/campaigns-report.md).

Open to whoever may open the campaign (`cairn.campaigns.access.get_campaign_for`): an
unknown campaign, or one the caller may not see, answers 404. The outcome series follow
the caller's data tier (counts of 1-4 are null, with complementary suppression, below
the tier each source needs); the report is always suppressed (it is meant to be passed
on). Every estimate is an association, not proof.
"""

import datetime as dt

from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from cairn.api.errors import ErrorOut
from cairn.campaigns.access import get_campaign_for
from cairn.campaigns.its import RateRatio
from cairn.campaigns.outcomes import FREQUENCIES, CampaignOutcomes, campaign_outcomes
from cairn.campaigns.report import build_report

router = Router(tags=["campaigns_report"])

MAX_ID = 2**31 - 1
_READ = {401: ErrorOut, 404: ErrorOut}


class RateRatioOut(Schema):
    value: float
    low: float = Field(description="Lower 95% limit.")
    high: float = Field(description="Upper 95% limit.")


class EstimateOut(Schema):
    level_change: RateRatioOut | None = Field(
        description="Rate ratio at the campaign's start against the trend before it."
    )
    slope_change: RateRatioOut | None = Field(
        description="Ratio by which the trend per period changed after the start."
    )
    trend_before: RateRatioOut = Field(description="Rate ratio per period before the start.")
    errors: str = Field(description="newey_west (default) or quasi.")
    lags: int
    dispersion: float
    periods_before: int
    periods_after: int
    seasonal_harmonics: int


class PeriodCountOut(Schema):
    start: dt.date = Field(description="First day of the week (Monday) or month.")
    count: int | None = Field(description="Null where suppressed.")


class SeriesOut(Schema):
    key: str = Field(description="ed_visits, oat_starts or naloxone_kits.")
    label: str
    source: str
    available: bool
    suppressed: bool = Field(description="True where small counts are hidden for you.")
    total: int | None
    periods: list[PeriodCountOut]
    estimate: EstimateOut | None = Field(description="Null when no estimate could be made.")
    note: str = Field(description="The estimate in words, or why there is none.")


class OutcomesOut(Schema):
    campaign: int
    freq: str
    start: dt.date
    end: dt.date
    campaign_start: dt.date | None = Field(description="The period the campaign starts in.")
    campaign_end: dt.date | None = Field(description="The last period it runs in.")
    places: list[str]
    association_note: str
    series: list[SeriesOut]


class OutcomesQuery(Schema):
    freq: str = Field("month", description="week (ISO, from Monday) or month.")


def _ratio(ratio: RateRatio | None) -> dict | None:
    return None if ratio is None else {"value": ratio.value, "low": ratio.low, "high": ratio.high}


def outcomes_out(outcomes: CampaignOutcomes) -> dict:
    periods = outcomes.periods
    start_i, end_i = outcomes.campaign_start_index, outcomes.campaign_end_index
    series = []
    for s in outcomes.series:
        fit = s.fit
        series.append(
            {
                "key": s.key,
                "label": s.outcome.label,
                "source": s.outcome.source,
                "available": s.available,
                "suppressed": s.suppressed,
                "total": s.total,
                "periods": [
                    {"start": first, "count": count}
                    for first, count in zip(s.periods, s.counts, strict=True)
                ],
                "estimate": None
                if fit is None
                else {
                    "level_change": _ratio(fit.level_change),
                    "slope_change": _ratio(fit.slope_change),
                    "trend_before": _ratio(fit.trend_before),
                    "errors": fit.errors,
                    "lags": fit.lags,
                    "dispersion": fit.dispersion,
                    "periods_before": fit.periods_before,
                    "periods_after": fit.periods_after,
                    "seasonal_harmonics": fit.harmonics,
                },
                "note": s.fit_note,
            }
        )
    return {
        "campaign": outcomes.campaign.pk,
        "freq": outcomes.freq,
        "start": outcomes.start,
        "end": outcomes.end,
        "campaign_start": periods[start_i] if start_i is not None and periods else None,
        "campaign_end": periods[end_i] if end_i is not None and periods else None,
        "places": outcomes.places,
        "association_note": f"Association, not proof. {outcomes.note}",
        "series": series,
    }


def _campaign(request, campaign_id: int):
    if not 0 < campaign_id <= MAX_ID:
        raise HttpError(404, "No such campaign.")
    return get_campaign_for(request.auth, campaign_id)


@router.get(
    "/campaigns/{campaign_id}/outcomes",
    response={**_READ, 200: OutcomesOut, 422: ErrorOut},
    url_name="campaign_outcomes",
    summary="Outcome series of a campaign's communities, with the interrupted-time-series "
    "estimate (an association, not proof)",
)
def outcomes(request, campaign_id: int, query: Query[OutcomesQuery]):
    campaign = _campaign(request, campaign_id)
    if query.freq not in FREQUENCIES:
        raise HttpError(422, f"freq must be week or month, not {query.freq[:20]!r}.")
    return outcomes_out(campaign_outcomes(campaign, user=request.auth, freq=query.freq))


class MaterialOut(Schema):
    title: str
    kind: str
    channel: str
    status: str
    revision: int
    checked: bool = Field(description="Whether the language review ran on it.")
    findings_fixed: int
    findings_kept: list[str] = Field(description="Each kept term with its reason.")
    findings_open: int
    findings_to_consider: int


class ReachOut(Schema):
    channel: str
    metric: str
    value: int


class ComparisonOut(Schema):
    comparison: str
    difference: str = Field(description="Difference in mean score with its 95% CI, or why not.")
    effect_size: str
    responses: str


class SurveyOut(Schema):
    title: str
    design: str
    responses: int
    summary: list[str]
    comparisons: list[ComparisonOut]


class ReportOut(Schema):
    campaign: int
    name: str
    organization: str
    made_on: dt.date
    objective: str
    frame: str
    audiences: list[str]
    channels: list[str]
    communities: list[str]
    starts_on: dt.date
    ends_on: dt.date
    first_nations: str
    materials: list[MaterialOut]
    reach: list[ReachOut]
    cost_per_thousand_impressions: float | None
    surveys: list[SurveyOut]
    outcomes: OutcomesOut
    association_note: str


@router.get(
    "/campaigns/{campaign_id}/report",
    response={**_READ, 200: ReportOut},
    url_name="campaign_report",
    summary="The campaign report: plan, materials and their language review, reach, survey "
    "results and outcomes (the PDF is at /campaigns/{id}/report.pdf)",
)
def report(request, campaign_id: int):
    campaign = _campaign(request, campaign_id)
    r = build_report(campaign, request.auth)
    return {
        "campaign": campaign.pk,
        "name": campaign.name,
        "organization": r.organization,
        "made_on": r.made_on,
        "objective": campaign.objective,
        "frame": r.frame,
        "audiences": r.audiences,
        "channels": r.channels,
        "communities": r.communities,
        "starts_on": campaign.starts_on,
        "ends_on": campaign.ends_on,
        "first_nations": r.first_nations,
        "materials": [
            {
                "title": m.title,
                "kind": m.kind,
                "channel": m.channel,
                "status": m.status,
                "revision": m.revision,
                "checked": m.checked,
                "findings_fixed": m.fixed,
                "findings_kept": [f"{term}: {reason}" for term, reason in m.kept],
                "findings_open": m.open,
                "findings_to_consider": m.consider,
            }
            for m in r.materials
        ],
        "reach": [{"channel": x.channel, "metric": x.metric, "value": x.value} for x in r.reach],
        "cost_per_thousand_impressions": None
        if r.cost_per_thousand is None
        else float(r.cost_per_thousand),
        "surveys": [
            {
                "title": s.title,
                "design": s.design,
                "responses": s.n_responses,
                "summary": s.analysis.summary,
                "comparisons": [
                    {"comparison": a, "difference": b, "effect_size": c, "responses": d}
                    for a, b, c, d in s.rows
                ],
            }
            for s in r.surveys
        ],
        "outcomes": outcomes_out(r.outcomes),
        "association_note": r.association,
    }
