"""The campaign's outcome series page (and its htmx section) and the campaign report.

Whoever may open the campaign (`cairn.campaigns.access.get_campaign_for`) may see them.
The outcome series follow the viewer's data tier (small counts suppressed below the tier
each source needs); the report, HTML or PDF, is meant to be passed on and is always
suppressed (`cairn.campaigns.report.build`).
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from cairn.campaigns.access import get_campaign_for
from cairn.campaigns.outcomes import FREQUENCIES, campaign_outcomes
from cairn.campaigns.report import build_report, render_report_pdf
from cairn.campaigns.report.build import outcome_panels

MAX_ID = 2**31 - 1


def _campaign(user, campaign_id: int):
    if not 0 < campaign_id <= MAX_ID:
        raise Http404("No such campaign.")
    return get_campaign_for(user, campaign_id)


def _safe_panels(panels):
    for panel in panels:
        panel.chart_svg = mark_safe(panel.chart_svg)  # noqa: S308 - every text in it is escaped
    return panels


@login_required
@require_GET
def campaign_outcomes_view(request, campaign_id: int):
    campaign = _campaign(request.user, campaign_id)
    freq = request.GET.get("freq", "month") or "month"
    context = {"campaign": campaign, "frequencies": FREQUENCIES, "freq": freq}
    if freq not in FREQUENCIES:
        context["error"] = f"freq: choose week or month, not {freq[:20]!r}."
        context["freq"] = "month"
        status = 400
        outcomes = None
    else:
        status = 200
        outcomes = campaign_outcomes(campaign, user=request.user, freq=freq)
    context["outcomes"] = outcomes
    context["panels"] = _safe_panels(outcome_panels(outcomes)) if outcomes else []
    template = (
        "campaigns/report/_outcomes_section.html"
        if request.htmx
        else "campaigns/report/outcomes.html"
    )
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def campaign_report_view(request, campaign_id: int):
    campaign = _campaign(request.user, campaign_id)
    report = build_report(campaign, request.user)
    _safe_panels(report.outcome_panels)
    for section in report.surveys:
        section.chart_svg = mark_safe(section.chart_svg)  # noqa: S308 - escaped throughout
    return render(request, "campaigns/report/report.html", {"report": report, "campaign": campaign})


@login_required
@require_GET
def campaign_report_pdf_view(request, campaign_id: int):
    campaign = _campaign(request.user, campaign_id)
    body = render_report_pdf(build_report(campaign, request.user))
    response = HttpResponse(body, content_type="application/pdf")
    name = f"campaign-{campaign.pk}-report-{timezone.localdate():%Y-%m-%d}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
