"""Template helpers for the evaluation pages and the campaign page's two evaluation
sections (`_campaign_results.html`, `_campaign_reach.html`): the sections ask for their
data here, so the plan's campaign view needs to know nothing about them."""

import math

from django import template

from cairn.campaigns.evaluation import reach
from cairn.campaigns.evaluation.analysis import cached_analysis
from cairn.campaigns.evaluation.summary import number

register = template.Library()


@register.filter
def signed(value, digits=2):
    """A number with a true minus sign (−0.32), empty for a missing one."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return number(float(value), int(digits))


@register.filter
def is_number(value) -> bool:
    return isinstance(value, int | float) and not math.isnan(value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "")


@register.simple_tag
def campaign_results(campaign) -> list[dict]:
    """One headline per survey of the campaign."""
    results = []
    for survey in campaign.surveys.select_related("instrument").order_by("created_at"):
        analysis = cached_analysis(survey)
        headline = analysis.headline
        results.append(
            {
                "survey": survey,
                "n_responses": analysis.n_responses,
                "headline": headline,
                "sentence": analysis.summary[0],
            }
        )
    return results


@register.simple_tag
def campaign_reach(campaign):
    return reach.reach_totals(campaign)


@register.filter
def thousands(value) -> str:
    """12345 → "12,345" (no locale needed)."""
    return "" if value is None else f"{int(value):,}"


@register.filter
def percent(value) -> str:
    """0.754 → "75%"."""
    return "" if value is None else f"{100 * value:.0f}%"


@register.filter
def points(value) -> str:
    """A change of proportions in percentage points, signed: 0.25 → "+25", −0.031 → "−3.1"."""
    if value is None:
        return ""
    amount = 100 * value
    text = f"{amount:+.1f}" if abs(amount) < 10 else f"{amount:+.0f}"
    return text.replace("-", "−")
