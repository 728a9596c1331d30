"""The funder's progress report (PDF, CSV) and the team's at-risk view.

Both are open to whoever may open the team. The report carries no person's name and
only suppressed outreach counts, whoever downloads it (it is meant to be passed on);
the at-risk view shows aggregates at the viewer's data tier (see cairn/outreach/at_risk.py).
"""

import datetime as dt

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET

from cairn.access.suppression import suppression_threshold
from cairn.outreach import access
from cairn.outreach.at_risk import at_risk_for
from cairn.outreach.reports import progress_report, report_csv, report_pdf
from cairn.outreach.views.teams import team_view


class BadPeriod(ValueError):
    pass


def _period(query) -> tuple[dt.date | None, dt.date | None]:
    """?start=&end= for the outreach indicators; empty: the last twelve months."""
    days = []
    for name in ("start", "end"):
        value = (query.get(name) or "").strip()
        if not value:
            days.append(None)
            continue
        try:
            day = parse_date(value)
        except ValueError:
            day = None
        if day is None:
            raise BadPeriod(f"{name}: give a date like 2026-01-31, not {value[:40]!r}.")
        days.append(day)
    start, end = days
    if start and end and end < start:
        raise BadPeriod("end: the period cannot end before it starts.")
    return start, end


def _report(request, slug, build, content_type: str, extension: str):
    team = access.get_team_for(request.user, slug)
    try:
        start, end = _period(request.GET)
    except BadPeriod as error:
        return render(
            request,
            "outreach/teams/problem.html",
            {"message": str(error), "team": team},
            status=400,
        )
    body = build(progress_report(team, start=start, end=end))
    response = HttpResponse(body, content_type=content_type)
    name = f"{team.slug}-progress-{timezone.localdate():%Y-%m-%d}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@team_view
@require_GET
def report_pdf_view(request, slug):
    return _report(request, slug, report_pdf, "application/pdf", "pdf")


@team_view
@require_GET
def report_csv_view(request, slug):
    return _report(request, slug, report_csv, "text/csv; charset=utf-8", "csv")


@team_view
@require_GET
def at_risk(request, slug):
    team = access.get_team_for(request.user, slug)
    return render(
        request,
        "outreach/teams/at_risk.html",
        {
            "team": team,
            "view": at_risk_for(request.user, team),
            "threshold": suppression_threshold(),
        },
    )
