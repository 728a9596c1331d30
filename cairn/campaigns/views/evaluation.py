"""Evaluation pages: a survey's results (tables, charts, summary, CSV) and a campaign's
reach metrics (totals, every row, CSV import, one row by hand).

Access is the campaign's (`cairn.campaigns.access`): whoever may see the campaign reads
its results and reach; its organization's communications staff import and record reach.
People without the Campaigns area get 403 before anything is looked up.
"""

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from cairn.campaigns.access import get_campaign_for, may_manage, may_plan, may_use_campaigns
from cairn.campaigns.evaluation import charts, reach
from cairn.campaigns.evaluation.agreement import item_agreement
from cairn.campaigns.evaluation.analysis import MIN_GROUP, cached_analysis, finite
from cairn.campaigns.models.campaigns import Channel
from cairn.campaigns.models.reach import ReachMetric, ReachMetricKind
from cairn.campaigns.surveys.designs import get_survey_for

INTERVAL_METHODS = {
    "welch": "Welch t",
    "paired": "paired t",
    "bootstrap_bca": "bootstrap BCa",
}


def _require_campaigns(user) -> None:
    if not may_use_campaigns(user):
        raise PermissionDenied("The Campaigns area is for communications staff.")


def _require_planner(user) -> None:
    if not may_plan(user):
        raise PermissionDenied("Only communications staff who run campaigns change reach.")


def results_sections(analysis) -> list[dict]:
    """Per measure: the means chart, the comparisons for everyone, and per contrast the
    segment table and forest plot."""
    sections = []
    contrasts = []
    for result in analysis.comparisons:
        if result.contrast not in contrasts:
            contrasts.append(result.contrast)
    for measure in analysis.measures:
        everyone = analysis.for_measure(measure.key)
        by_contrast = []
        for contrast in contrasts:
            rows = [
                r for r in analysis.comparisons if r.measure == measure and r.contrast == contrast
            ]
            if not rows:
                continue
            by_contrast.append(
                {
                    "title": rows[0].title,
                    "rows": rows,
                    "chart": charts.differences_chart_svg(
                        rows, title=f"{measure.name}: {rows[0].title}, difference with 95% interval"
                    )
                    if analysis.segments
                    else "",
                }
            )
        sections.append(
            {
                "measure": measure,
                "means": analysis.groups[measure.key],
                "means_chart": charts.means_chart_svg(
                    analysis.groups[measure.key],
                    measure_name=measure.name,
                    # A mean score stays on the answer scale; a sum runs wider.
                    scale_low=analysis.scale_low if measure.scoring == "mean" else None,
                    scale_high=analysis.scale_high if measure.scoring == "mean" else None,
                ),
                "everyone": everyone,
                "contrasts": by_contrast,
            }
        )
    return sections


@login_required
def survey_results(request, survey_id):
    _require_campaigns(request.user)
    survey = get_survey_for(request.user, survey_id)
    analysis = cached_analysis(survey)
    return render(
        request,
        "campaigns/evaluation/survey_results.html",
        {
            "survey": survey,
            "campaign": survey.campaign,
            "analysis": analysis,
            "sections": results_sections(analysis),
            "agreement": item_agreement(survey),
            "methods": INTERVAL_METHODS,
            "min_group": MIN_GROUP,
        },
    )


RESULT_COLUMNS = [
    "measure",
    "comparison",
    "segment",
    "n_compared",
    "n_reference",
    "paired",
    "difference",
    "ci_low",
    "ci_high",
    "interval_method",
    "effect_size",
    "effect",
    "effect_ci_low",
    "effect_ci_high",
    "hedges_g",
    "hedges_g_ci_low",
    "hedges_g_ci_high",
    "note",
]


def _cell(value) -> str:
    value = finite(value)
    return "" if value is None else f"{value:.4f}"


@login_required
def survey_results_csv(request, survey_id):
    _require_campaigns(request.user)
    survey = get_survey_for(request.user, survey_id)
    analysis = cached_analysis(survey)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-results.csv"'
    writer = csv.writer(response)
    writer.writerow(RESULT_COLUMNS)
    for r in analysis.comparisons:
        effect = r.effect
        writer.writerow(
            [
                r.measure.name,
                r.title,
                r.segment_label,
                r.n_compared,
                r.n_reference,
                "yes" if r.paired else "no",
                _cell(r.estimate),
                _cell(r.low),
                _cell(r.high),
                INTERVAL_METHODS.get(r.interval_method, ""),
                ("Cohen's d_z" if effect.kind == "d_z" else "Cohen's d") if effect else "",
                *(
                    _cell(getattr(effect, f, None)) if effect else ""
                    for f in ("d", "d_low", "d_high", "g", "g_low", "g_high")
                ),
                r.withheld_reason,
            ]
        )
    return response


def _reach_page(request, campaign, *, status=200, **extra):
    context = {
        "campaign": campaign,
        "may_manage": may_manage(request.user, campaign),
        "totals": reach.reach_totals(campaign),
        "metrics": ReachMetric.objects.filter(campaign=campaign).select_related("updated_by"),
        "channels": [(c, label) for c, label in Channel.choices if c in campaign.channel_keys],
        "metric_kinds": ReachMetricKind.choices,
        "columns": reach.COLUMNS,
        **extra,
    }
    return render(request, "campaigns/evaluation/reach.html", context, status=status)


@login_required
def campaign_reach(request, campaign_id):
    _require_campaigns(request.user)
    campaign = get_campaign_for(request.user, campaign_id)
    return _reach_page(request, campaign)


@login_required
@require_POST
def reach_import(request, campaign_id):
    _require_planner(request.user)
    campaign = get_campaign_for(request.user, campaign_id, manage=True)
    upload = request.FILES.get("file")
    if upload is None:
        return _reach_page(
            request, campaign, status=400, import_problem="Choose a CSV file to import."
        )
    try:
        result = reach.import_reach_csv(
            campaign=campaign, user=request.user, content=upload.read(), file_name=upload.name
        )
    except reach.ReachImportError as error:
        return _reach_page(request, campaign, status=400, import_problem=str(error))
    return _reach_page(request, campaign, import_result=result, file_name=upload.name)


@login_required
@require_POST
def reach_record(request, campaign_id):
    _require_planner(request.user)
    campaign = get_campaign_for(request.user, campaign_id, manage=True)
    row = {column: request.POST.get(column, "") for column in reach.COLUMNS}
    result = reach.save_reach_rows(
        campaign=campaign, user=request.user, rows=[(1, row)], source="form"
    )
    if result.errors:
        errors = {e.column: e.message for e in result.errors}
        return _reach_page(request, campaign, status=400, record_errors=errors, record_row=row)
    return _reach_page(request, campaign, record_result=result)


@login_required
def reach_template(request):
    _require_campaigns(request.user)
    response = HttpResponse(reach.reach_template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="reach-metrics.csv"'
    return response
