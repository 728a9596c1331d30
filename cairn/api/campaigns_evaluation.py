"""API: a survey's analysis and a campaign's reach metrics.

The same functions and rules as the pages (`cairn.campaigns.evaluation`, `.access`):
whoever may see a campaign reads its survey analysis and reach; its organization's
communications staff record and import reach. People without the Campaigns area get 403
before anything is looked up. Numbers that do not exist (a withheld group, an effect
size of groups without spread) are null, never NaN. Refused input answers 422 naming
the row (line) and column; a reach import keeps its good rows and reports the others.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from ninja import Field, Router, Schema, Status

from cairn.api.cases.common import auth_requiring
from cairn.api.errors import ErrorOut
from cairn.campaigns.access import get_campaign_for, may_plan, may_use_campaigns
from cairn.campaigns.evaluation import reach
from cairn.campaigns.evaluation.agreement import item_agreement
from cairn.campaigns.evaluation.analysis import cached_analysis, finite
from cairn.campaigns.models.reach import ReachMetric
from cairn.campaigns.surveys.designs import get_survey_for

router = Router(tags=["campaigns_evaluation"])


def _require_campaigns(user) -> None:
    if not may_use_campaigns(user):
        raise PermissionDenied("The Campaigns area is for communications staff.")


def _require_planner(user) -> None:
    if not may_plan(user):
        raise PermissionDenied("Only communications staff who run campaigns change reach.")


CAMPAIGN_READERS = auth_requiring(_require_campaigns)
PLANNERS = auth_requiring(_require_planner)


def _errors(*codes: int) -> dict:
    return {code: ErrorOut for code in (401, 403, *codes)}


# Survey analysis -----------------------------------------------------------------------


class EffectOut(Schema):
    kind: str = Field(description='"d" (pooled SD) or "d_z" (SD of the paired changes)')
    d: float | None
    d_low: float | None
    d_high: float | None
    hedges_g: float | None
    hedges_g_low: float | None
    hedges_g_high: float | None


class ComparisonOut(Schema):
    contrast: str = Field(description='e.g. "post-vs-pre" or "exposed-vs-unexposed@post"')
    title: str
    measure: str = Field(description='"total" or a subscale key')
    measure_name: str
    segment: str = Field(description="empty: everyone")
    segment_label: str
    n_compared: int
    n_reference: int
    paired: bool
    n_pairs: int
    withheld: bool = Field(description="true: a group has fewer than 10 responses")
    withheld_reason: str
    difference: float | None = Field(description="compared minus reference")
    ci_low: float | None
    ci_high: float | None
    interval_method: str = Field(description='"welch", "paired" or "bootstrap_bca"; empty')
    effect: EffectOut | None


class GroupMeanOut(Schema):
    key: str
    label: str
    n: int
    mean: float | None
    ci_low: float | None
    ci_high: float | None


class MeasureOut(Schema):
    key: str
    name: str
    scoring: str
    groups: list[GroupMeanOut]


class AnalysisOut(Schema):
    survey_id: int
    campaign_id: int
    design: str
    n_responses: int
    higher_means: str
    scale_low: int | None
    scale_high: int | None
    summary: list[str] = Field(description="plain-language paragraphs, most important first")
    measures: list[MeasureOut]
    comparisons: list[ComparisonOut]


def _comparison_out(result) -> dict:
    effect = result.effect
    return {
        "contrast": result.contrast,
        "title": result.title,
        "measure": result.measure.key,
        "measure_name": result.measure.name,
        "segment": result.segment,
        "segment_label": result.segment_label,
        "n_compared": result.n_compared,
        "n_reference": result.n_reference,
        "paired": result.paired,
        "n_pairs": result.n_pairs,
        "withheld": result.withheld,
        "withheld_reason": result.withheld_reason,
        "difference": finite(result.estimate),
        "ci_low": finite(result.low),
        "ci_high": finite(result.high),
        "interval_method": result.interval_method,
        "effect": None
        if effect is None
        else {
            "kind": effect.kind,
            "d": finite(effect.d),
            "d_low": finite(effect.d_low),
            "d_high": finite(effect.d_high),
            "hedges_g": finite(effect.g),
            "hedges_g_low": finite(effect.g_low),
            "hedges_g_high": finite(effect.g_high),
        },
    }


@router.get(
    "/campaigns/surveys/{survey_id}/analysis",
    auth=CAMPAIGN_READERS,
    response={200: AnalysisOut, **_errors(404)},
    url_name="campaign_survey_analysis",
    summary="A survey's results: means per wave or group, differences with 95% CIs and "
    "effect sizes, by subscale and segment, and the plain-language summary",
)
def survey_analysis(request, survey_id: int):
    survey = get_survey_for(request.auth, survey_id)
    analysis = cached_analysis(survey)
    return {
        "survey_id": survey.pk,
        "campaign_id": survey.campaign_id,
        "design": analysis.design,
        "n_responses": analysis.n_responses,
        "higher_means": analysis.higher_means,
        "scale_low": analysis.scale_low,
        "scale_high": analysis.scale_high,
        "summary": analysis.summary,
        "measures": [
            {
                "key": m.key,
                "name": m.name,
                "scoring": m.scoring,
                "groups": [
                    {
                        "key": g.key,
                        "label": g.label,
                        "n": g.n,
                        "mean": finite(g.mean),
                        "ci_low": finite(g.low),
                        "ci_high": finite(g.high),
                    }
                    for g in analysis.groups[m.key]
                ],
            }
            for m in analysis.measures
        ],
        "comparisons": [_comparison_out(r) for r in analysis.comparisons],
    }


class ShareChangeOut(Schema):
    title: str
    compared_label: str
    reference_label: str
    compared_n: int
    compared_share: float | None
    reference_n: int
    reference_share: float | None
    difference: float | None = Field(description="compared minus reference, a proportion")
    ci_low: float | None
    ci_high: float | None


class ItemAgreementOut(Schema):
    code: str
    wording: str
    changes: list[ShareChangeOut]


class AgreementOut(Schema):
    survey_id: int
    agree_answers: list[str] = Field(description="the answers counted as agreeing")
    items: list[ItemAgreementOut]


@router.get(
    "/campaigns/surveys/{survey_id}/agreement",
    auth=CAMPAIGN_READERS,
    response={200: AgreementOut, **_errors(404)},
    url_name="campaign_survey_agreement",
    summary="The share agreeing with each item per wave or group, and its change with "
    "Newcombe's 95% interval (groups under 10 answers withheld as null)",
)
def survey_agreement(request, survey_id: int):
    survey = get_survey_for(request.auth, survey_id)
    agreement = item_agreement(survey)
    return {
        "survey_id": survey.pk,
        "agree_answers": agreement.agree_labels,
        "items": [
            {
                "code": item.code,
                "wording": item.wording,
                "changes": [
                    {
                        "title": c.title,
                        "compared_label": c.compared_label,
                        "reference_label": c.reference_label,
                        "compared_n": c.compared_n,
                        "compared_share": c.compared_share,
                        "reference_n": c.reference_n,
                        "reference_share": c.reference_share,
                        "difference": c.difference,
                        "ci_low": c.low,
                        "ci_high": c.high,
                    }
                    for c in item.changes
                ],
            }
            for item in agreement.items
        ],
    }


# Reach ---------------------------------------------------------------------------------


class ReachMetricOut(Schema):
    channel: str
    period_start: dt.date
    period_end: dt.date
    metric: str
    label: str
    value: int
    source: str


class ReachTotalOut(Schema):
    channel: str
    metric: str = Field(description='a metric key, or "other:<label>"')
    metric_name: str
    value: int


class ReachOut(Schema):
    campaign_id: int
    metrics: list[ReachMetricOut]
    totals: list[ReachTotalOut]
    impressions: int
    cost_per_thousand_impressions: Decimal | None = Field(
        description="the campaign's whole budget per 1,000 impressions; null without either"
    )


class ReachRowIn(Schema):
    channel: str
    period_start: str = Field(description="YYYY-MM-DD")
    period_end: str = Field(description="YYYY-MM-DD")
    metric: str
    label: str = ""
    value: int | str


class ReachRowsIn(Schema):
    rows: list[ReachRowIn] = Field(min_length=1, max_length=reach.MAX_ROWS)


class RowErrorOut(Schema):
    line: int = Field(description="the row's line in the file, or its 1-based index in `rows`")
    column: str
    message: str


class ReachRefusedOut(Schema):
    detail: str
    errors: list[RowErrorOut] = []


class ReachImportOut(Schema):
    rows_read: int
    added: int
    updated: int
    unchanged: int
    refused: int
    errors: list[RowErrorOut]


def _reach_out(campaign) -> dict:
    totals = reach.reach_totals(campaign)
    flat = []
    channel_keys = {label: key for key, label in ReachMetric._meta.get_field("channel").choices}
    for channel_name, values in totals.rows:
        for (column, name), value in zip(totals.columns, values, strict=True):
            if value is not None:
                flat.append(
                    {
                        "channel": channel_keys[channel_name],
                        "metric": column,
                        "metric_name": name,
                        "value": value,
                    }
                )
    return {
        "campaign_id": campaign.pk,
        "metrics": list(
            ReachMetric.objects.filter(campaign=campaign).values(
                "channel", "period_start", "period_end", "metric", "label", "value", "source"
            )
        ),
        "totals": flat,
        "impressions": totals.impressions,
        "cost_per_thousand_impressions": totals.cost_per_thousand_impressions,
    }


@router.get(
    "/campaigns/{campaign_id}/reach",
    auth=CAMPAIGN_READERS,
    response={200: ReachOut, **_errors(404)},
    url_name="campaign_reach",
    summary="A campaign's reach figures, their totals per channel and metric, and the cost "
    "per 1,000 impressions",
)
def campaign_reach(request, campaign_id: int):
    return _reach_out(get_campaign_for(request.auth, campaign_id))


def _import_status(result: reach.ReachImportResult):
    if result.rows_read and result.refused == result.rows_read:
        detail = "Every row was refused; `errors` names each one's line and column."
        return Status(422, {"detail": detail, "errors": result.as_dict()["errors"]})
    return Status(200, result.as_dict())


@router.post(
    "/campaigns/{campaign_id}/reach",
    auth=PLANNERS,
    response={200: ReachImportOut, 422: ReachRefusedOut, **_errors(404)},
    url_name="campaign_reach_record",
    summary="Record reach figures as JSON rows (inserted or updated in place; 422 when "
    "every row is refused)",
)
def reach_record(request, campaign_id: int, body: ReachRowsIn):
    campaign = get_campaign_for(request.auth, campaign_id, manage=True)
    rows = [(index, row.model_dump()) for index, row in enumerate(body.rows, start=1)]
    result = reach.save_reach_rows(campaign=campaign, user=request.auth, rows=rows, source="form")
    return _import_status(result)


@router.post(
    "/campaigns/{campaign_id}/reach/import",
    auth=PLANNERS,
    response={200: ReachImportOut, 422: ReachRefusedOut, **_errors(404)},
    url_name="campaign_reach_import",
    summary="Import reach figures (the CSV as the request body, Content-Type text/csv); "
    "good rows are kept, the others reported by line and column",
    openapi_extra={
        "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}
    },
)
def reach_import(request, campaign_id: int):
    campaign = get_campaign_for(request.auth, campaign_id, manage=True)
    try:
        result = reach.import_reach_csv(
            campaign=campaign,
            user=request.auth,
            content=request.body,
            file_name=request.headers.get("X-File-Name", "api.csv"),
        )
    except reach.ReachImportError as error:
        return Status(422, {"detail": str(error)})
    return _import_status(result)
