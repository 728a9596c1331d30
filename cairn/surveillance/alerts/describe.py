"""Alerts in words, with their figures as the viewer's data tier may see them.

For the aggregate tier, counts from 1 to 4 are suppressed, and so are expected values
and thresholds under the suppression threshold: an expected 0.4 a day over a 7-day
baseline gives away that about three events happened that week.
"""

from dataclasses import dataclass

from django.utils.formats import date_format

from cairn.access.permissions import data_tier_for
from cairn.access.roles import DataTier
from cairn.access.suppression import suppression_threshold
from cairn.surveillance.models.alerts import SPIKE_RULE_METHOD, Alert, AlertPeriod

METHOD_LABELS = {
    SPIKE_RULE_METHOD: "Spike rule",
    "ears-c1": "EARS C1",
    "ears-c2": "EARS C2",
    "ears-c3": "EARS C3",
    "farrington-flexible": "Farrington (flexible)",
    "farrington": "Farrington (classic)",
    "ewma": "ESSENCE EWMA",
    "regression": "ESSENCE regression",
    "switch": "ESSENCE regression/EWMA switch",
}


def method_label(method: str) -> str:
    return METHOD_LABELS.get(method, method)


def sees_exact_counts(user, community) -> bool:
    tier = data_tier_for(user, community)
    return tier is not None and tier >= DataTier.LINE_LIST


def shown_count(value: int | None, *, exact: bool) -> str:
    if value is None:
        return "—"
    value = int(value)
    if not exact and 0 < value < suppression_threshold():
        return f"fewer than {suppression_threshold()}"
    return f"{value:,}"


def shown_figure(value: float | None, *, exact: bool) -> str:
    if value is None:
        return "—"
    if not exact and value < suppression_threshold():
        return f"under {suppression_threshold()}"
    return f"{value:,.1f}"


def period_text(period: str, start, end=None) -> str:
    if period == AlertPeriod.WEEK:
        text = f"the week of {date_format(start, 'j F Y')}"
    else:
        text = date_format(start, "j F Y")
    if end is not None and end > start and (period == AlertPeriod.DAY or (end - start).days > 6):
        text += f" to {date_format(end, 'j F Y')}"
    return text


@dataclass(frozen=True)
class AlertDescription:
    headline: str
    when: str
    method: str
    how: str  # the rule or method in a sentence
    observed: str
    expected: str
    upperbound: str
    bound_label: str  # "Threshold" for spike rules, "Upper bound" otherwise
    p_value: str
    level: str
    exact: bool  # False: small counts are suppressed for this viewer

    @property
    def expected_phrase(self) -> str:
        if self.expected == "—":
            return "expected count not known"
        if self.expected.startswith("under"):
            return f"expected {self.expected}"
        return f"expected about {self.expected}"


def describe_alert(alert: Alert, *, viewer) -> AlertDescription:
    exact = sees_exact_counts(viewer, alert.community)
    definition = alert.definition.name
    source = f" ({alert.get_source_display().lower()}s)" if alert.source else ""
    if alert.is_spike_rule:
        threshold = int(alert.upperbound) if alert.upperbound is not None else None
        trigger = alert.signals.filter(method=SPIKE_RULE_METHOD).order_by("period_start").first()
        hours = (trigger.details if trigger else {}).get("window_hours", 24)
        headline = f"Spike of {definition.lower()} events{source} in {alert.community.name}"
        how = f"Spike rule: {threshold} or more events within {hours} hours"
        bound_label = "Threshold"
        upperbound = "—" if threshold is None else shown_count(threshold, exact=exact)
    else:
        headline = (
            f"More {definition.lower()} events than expected{source} in {alert.community.name}"
        )
        how = f"{method_label(alert.method)}: more events than the upper bound of what is usual"
        bound_label = "Upper bound"
        upperbound = shown_figure(alert.upperbound, exact=exact)
    p_value = "—" if alert.p_value is None else f"{alert.p_value:.2g}"
    return AlertDescription(
        headline=headline,
        when=period_text(alert.period, alert.period_start, alert.period_end),
        method=method_label(alert.method),
        how=how,
        observed=shown_count(alert.observed, exact=exact),
        expected=shown_figure(alert.expected, exact=exact),
        upperbound=upperbound,
        bound_label=bound_label,
        p_value=p_value,
        level=alert.level,
        exact=exact,
    )
