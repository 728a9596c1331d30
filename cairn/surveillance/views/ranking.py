"""The ranking of high-overdose communities: the page and its CSV and PDF exports.

Aggregate data, so every signed-in member may open it (VIEW_AGGREGATES); which rows
and which figures they see is decided in `cairn.surveillance.ranking.queries`.
"""

from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe

from cairn.access.roles import Permission
from cairn.surveillance.models import CaseDefinition, Source
from cairn.surveillance.ranking.exports import ranking_csv, ranking_pdf, row_cells
from cairn.surveillance.ranking.params import LEVEL_LABELS, RankingParameterError, parse_params
from cairn.surveillance.ranking.plots import axis_maximum, interval_svg
from cairn.surveillance.ranking.queries import ranking_for
from cairn.web.decorators import require_permission

# Sort keys a visitor may choose: (label, key function on a row). Rank is the default.
SORTS = {
    "rank": lambda r: (r.rank, r.name),
    "name": lambda r: (r.name,),
    "events": lambda r: (-(r.events or 0), r.name),
    "population": lambda r: (-r.population, r.name),
    "crude": lambda r: (-(r.crude_rate or 0), r.name),
    "smoothed": lambda r: (-(r.smoothed_rate or 0), r.name),
    "trend": lambda r: (-(r.trend_ratio or 0) if r.trend_ratio == r.trend_ratio else 0, r.name),
}
# The table's columns: (sort key or None, label, note under it, CSS class). "wide-only"
# columns are left out on a phone.
COLUMNS = [
    ("rank", "Rank", "median (95% interval)", "num"),
    ("name", "Community", "", ""),
    ("smoothed", "Smoothed rate", "95% interval", "num"),
    (
        None,
        "Plot",
        "0 to {maximum}: \u25cf smoothed, \u25cb crude, dashes: regional average",
        "wide-only",
    ),
    ("events", "Events", "", "num"),
    ("population", "Population", "", "num wide-only"),
    ("crude", "Crude rate", "95% CI", "num wide-only"),
    ("trend", "Trend", "rate ratio (95% CI)", ""),
    (None, "Top {top}", "chance", "num wide-only"),
]


def plot_range(rows) -> list[float]:
    """What the shared scale must hold: every smoothed rate with room, and most upper
    limits; the few very wide intervals of tiny communities run off the edge."""
    if not rows:
        return []
    highs = sorted(r.smoothed_high for r in rows)
    return [max(r.smoothed_rate for r in rows) * 1.5, highs[int(0.9 * (len(highs) - 1))]]


def _bad_request(request, message: str) -> HttpResponse:
    return render(
        request,
        "surveillance/ranking/ranking.html",
        {"error": message, **_form_choices(), "query": request.GET},
        status=400,
    )


def _form_choices() -> dict:
    return {
        "definitions": list(CaseDefinition.objects.values_list("slug", "name")),
        "sources": Source.choices,
        "levels": list(LEVEL_LABELS.items()),
        "regions": [("health_authority", "its health authority"), ("province", "the province")],
    }


@require_permission(Permission.VIEW_AGGREGATES)
def ranking_page(request):
    try:
        params = parse_params(request.GET)
    except RankingParameterError as error:
        return _bad_request(request, str(error))
    ranking = ranking_for(request.user, params)
    sort = request.GET.get("sort", "rank")
    if sort not in SORTS:
        sort = "rank"
    rows = sorted(ranking.rows, key=SORTS[sort])
    region_means = {r.name: r.mean_rate for r in ranking.regions}
    maximum = axis_maximum(plot_range(rows))
    table = []
    for row in rows:
        plot = interval_svg(
            rate=row.smoothed_rate,
            low=row.smoothed_low,
            high=row.smoothed_high,
            crude=row.crude_rate,
            region_mean=region_means.get(row.region),
            maximum=maximum,
        )
        table.append({"row": row, "cells": row_cells(row), "plot": mark_safe(plot)})
    query = params.as_query()
    export_query = urlencode(query, doseq=True)
    headers = []
    for key, label, note, css in COLUMNS:
        headers.append(
            {
                "label": label.format(top=params.top),
                "note": note.format(maximum=f"{maximum:,.0f}"),
                "css": css,
                "href": "?" + urlencode({**query, "sort": key}, doseq=True) if key else "",
                "sort": ("ascending" if key in ("rank", "name") else "descending")
                if key == sort
                else "",
            }
        )
    return render(
        request,
        "surveillance/ranking/ranking.html",
        {
            "ranking": ranking,
            "table": table,
            "hidden": [row_cells(r) for r in ranking.hidden_rows],
            "headers": headers,
            "sort": sort,
            "export_query": export_query,
            "query": query,
            **_form_choices(),
        },
    )


def _export_name(params, extension: str) -> str:
    return (
        f"cairn-ranking-{params.definition}-{params.level}-{params.start.isoformat()}-"
        f"{params.end.isoformat()}.{extension}"
    )


@require_permission(Permission.VIEW_AGGREGATES)
def ranking_csv_export(request):
    try:
        params = parse_params(request.GET)
    except RankingParameterError as error:
        return HttpResponse(f"{error}\n", status=400, content_type="text/plain; charset=utf-8")
    ranking = ranking_for(request.user, params)
    response = HttpResponse(ranking_csv(ranking), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_export_name(params, "csv")}"'
    return response


@require_permission(Permission.VIEW_AGGREGATES)
def ranking_pdf_export(request):
    try:
        params = parse_params(request.GET)
    except RankingParameterError as error:
        return HttpResponse(f"{error}\n", status=400, content_type="text/plain; charset=utf-8")
    ranking = ranking_for(request.user, params)
    response = HttpResponse(ranking_pdf(ranking), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_export_name(params, "pdf")}"'
    return response
