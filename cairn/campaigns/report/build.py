"""The campaign report: one reading of everything, which the HTML page and the PDF share.

What it holds: the plan (objective, frame, audiences, channels, communities, period,
budget, partners), the materials with their workflow status and the outcome of their
language review (findings fixed, kept with a reason, still open), the First Nations
partners' decision where one is needed, reach per channel, each survey's results (the
evaluation's `analyse_survey`: differences with 95% intervals and effect sizes, small
groups withheld) and the outcome series of the campaign's communities with the
interrupted-time-series estimate.

The report is meant to be passed on, so its outcome counts are always suppressed
(counts of 1-4 hidden, whoever makes it), and it names organizations, not people.
Every estimate is labelled as an association, not proof.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from cairn.campaigns.evaluation.analysis import SurveyAnalysis, analyse_survey, finite
from cairn.campaigns.language.review import review_outcome
from cairn.campaigns.models import Audience, Campaign, Channel, Frame
from cairn.campaigns.models.materials import FirstNationsApproval, Material
from cairn.campaigns.models.reach import ReachMetric, ReachMetricKind
from cairn.campaigns.outcomes import CampaignOutcomes, OutcomeSeries, campaign_outcomes
from cairn.campaigns.report.charts import interval_chart_svg, outcome_chart_svg

TITLE = "Campaign report"
ASSOCIATION = (
    "Every difference in this report is an association, not proof that the campaign "
    "caused it. Survey differences compare the people who answered at each wave or in each "
    "group; outcome estimates compare the counts after the start with the trend before it. "
    "Other things that changed at the same time could explain either."
)


@dataclass
class MaterialLine:
    title: str
    kind: str
    channel: str
    status: str
    revision: int
    checked: bool  # whether the language review ran at all
    fixed: int  # findings whose suggestion was taken or that are no longer in the text
    kept: list[tuple[str, str]]  # (term, the reason it was kept)
    open: int  # blocking findings without a decision on the current revision
    consider: int  # suggestions only ("consider"), not blocking
    approved: str  # "approved on 3 Feb 2026" or ""
    published: str


@dataclass
class ReachLine:
    channel: str
    metric: str
    value: int

    @property
    def value_text(self) -> str:
        return f"{self.value:,}"


@dataclass
class SurveySection:
    title: str
    design: str
    n_responses: int
    analysis: SurveyAnalysis
    chart_svg: str
    rows: list[tuple[str, str, str, str]]  # comparison, difference (CI), effect size, n


@dataclass
class OutcomePanel:
    series: OutcomeSeries
    chart_svg: str
    table: list[tuple[dt.date, str | None]]  # the count written out; None if suppressed


@dataclass
class CampaignReport:
    campaign: Campaign
    made_on: dt.date
    frame: str
    audiences: list[str]
    channels: list[str]
    communities: list[str]
    partners: list[str]
    organization: str
    budget: str  # "$250,000.00 CAD" or "not recorded"
    materials: list[MaterialLine] = field(default_factory=list)
    first_nations: str = ""
    reach: list[ReachLine] = field(default_factory=list)
    impressions: int = 0
    cost_per_thousand: Decimal | None = None
    surveys: list[SurveySection] = field(default_factory=list)
    outcomes: CampaignOutcomes | None = None
    outcome_panels: list[OutcomePanel] = field(default_factory=list)
    association: str = ASSOCIATION

    @property
    def title(self) -> str:
        return f"{TITLE}: {self.campaign.name}"


def money(amount) -> str:
    return "not recorded" if amount is None else f"${Decimal(str(amount)):,.2f} CAD"


def _date(value) -> str:
    return f"{timezone.localtime(value):%-d %b %Y}" if value else ""


def _material_lines(campaign: Campaign) -> list[MaterialLine]:
    lines = []
    channels = dict(Channel.choices)
    statuses = dict(Material._meta.get_field("status").choices)
    kinds = dict(Material._meta.get_field("kind").choices)
    for material in campaign.materials.order_by("pk").prefetch_related("transitions"):
        outcome = review_outcome(material)
        approved = published = ""
        for transition in material.transitions.all():
            if transition.to_status == "approved":
                approved = f"approved on {_date(transition.at)}"
            if transition.to_status == "published":
                published = f"published on {_date(transition.at)}"
        lines.append(
            MaterialLine(
                title=material.title,
                kind=kinds.get(material.kind, material.kind),
                channel=channels.get(material.channel, material.channel or ""),
                status=statuses.get(material.status, material.status),
                revision=material.revision,
                checked=outcome["checked"],
                fixed=outcome["accepted"] + outcome["fixed"],
                kept=[(f["matched"], f["reason"]) for f in outcome["overridden"]],
                open=outcome["open"],
                consider=outcome["consider"],
                approved=approved,
                published=published,
            )
        )
    return lines


def _first_nations(campaign: Campaign) -> str:
    if not campaign.needs_first_nations_approval:
        return ""
    latest = (
        FirstNationsApproval.objects.filter(campaign=campaign)
        .select_related("organization")
        .order_by("-decided_at", "-pk")
        .first()
    )
    if latest is None:
        return "Addressed to First Nations audiences: no First Nations partner's decision yet."
    decision = latest.get_decision_display().lower()
    return (
        f"Addressed to First Nations audiences: {decision} by {latest.organization.name} "
        f"on {_date(latest.decided_at)}."
    )


def _reach(campaign: Campaign) -> tuple[list[ReachLine], int]:
    channels, metrics = dict(Channel.choices), dict(ReachMetricKind.choices)
    rows = (
        ReachMetric.objects.filter(campaign=campaign)
        .values("channel", "metric", "label")
        .annotate(total=Sum("value"))
        .order_by("channel", "metric", "label")
    )
    lines = [
        ReachLine(
            channels.get(r["channel"], r["channel"]),
            r["label"] if r["metric"] == ReachMetricKind.OTHER else metrics[r["metric"]],
            int(r["total"]),
        )
        for r in rows
    ]
    impressions = sum(int(r["total"]) for r in rows if r["metric"] == ReachMetricKind.IMPRESSIONS)
    return lines, impressions


def _difference_text(result) -> str:
    low, high = finite(result.low), finite(result.high)
    if low is None or high is None:
        return f"{result.estimate:+.2f} (no interval: the scores do not vary)"
    return f"{result.estimate:+.2f} (95% CI {low:.2f} to {high:.2f})"


def _effect_text(effect) -> str:
    if effect is None:
        return ""
    d, low, high = finite(effect.d), finite(effect.d_low), finite(effect.d_high)
    if d is None or low is None or high is None:
        return "not defined (the scores do not vary)"
    return f"d = {d:.2f} ({low:.2f} to {high:.2f})"


def _survey_sections(campaign: Campaign) -> list[SurveySection]:
    sections = []
    for survey in campaign.surveys.order_by("pk"):
        analysis = analyse_survey(survey)
        chart_rows, rows = [], []
        for result in analysis.comparisons:
            if result.segment:
                continue
            label = f"{result.measure.name}: {result.compared_label} vs {result.reference_label}"
            n = f"{result.n_compared} and {result.n_reference}"
            if result.withheld:
                rows.append((label, result.withheld_reason, "", n))
                continue
            chart_rows.append((label, result.estimate, result.low, result.high))
            rows.append((label, _difference_text(result), _effect_text(result.effect), n))
        sections.append(
            SurveySection(
                title=survey.title,
                design=survey.get_design_display(),
                n_responses=analysis.n_responses,
                analysis=analysis,
                chart_svg=interval_chart_svg(
                    rows=chart_rows,
                    title=f"{survey.title}: differences in mean score with 95% intervals",
                    axis_label="Difference in mean score (0 = no difference)",
                )
                if chart_rows
                else "",
                rows=rows,
            )
        )
    return sections


def outcome_panels(outcomes: CampaignOutcomes) -> list[OutcomePanel]:
    """Each series with its chart (campaign shaded, fitted trend when estimated)."""
    band = None
    if outcomes.campaign_start_index is not None:
        band = (outcomes.campaign_start_index, outcomes.campaign_end_index)
    panels = []
    for series in outcomes.series:
        fit = series.fit
        chart = outcome_chart_svg(
            periods=series.periods,
            observed=series.counts,
            title=f"{series.outcome.label}, {', '.join(outcomes.places) or 'no community'}",
            y_label=series.outcome.noun,
            kind=outcomes.freq,
            band=band,
            fitted=None if fit is None else [float(v) for v in fit.fitted],
            counterfactual=None if fit is None else [float(v) for v in fit.counterfactual],
        )
        table = [
            (first, None if count is None else f"{count:,}")
            for first, count in zip(series.periods, series.counts, strict=True)
        ]
        panels.append(OutcomePanel(series, chart, table))
    return panels


def build_report(campaign: Campaign, user=None, *, today: dt.date | None = None) -> CampaignReport:
    """The report of a campaign the caller already checked `user` may see. The outcome
    counts are suppressed whoever asks (the report is meant to be passed on)."""
    today = today or timezone.localdate()
    audiences, channels = dict(Audience.choices), dict(Channel.choices)
    report = CampaignReport(
        campaign=campaign,
        made_on=today,
        frame=dict(Frame.choices).get(campaign.frame, campaign.frame),
        audiences=[audiences.get(k, k) for k in campaign.audience_keys],
        channels=[channels.get(k, k) for k in campaign.channel_keys],
        communities=[j.name for j in campaign.communities.order_by("path")],
        partners=[line.strip() for line in campaign.partners.splitlines() if line.strip()],
        organization=campaign.organization.name,
        budget=money(campaign.budget),
    )
    report.materials = _material_lines(campaign)
    report.first_nations = _first_nations(campaign)
    report.reach, report.impressions = _reach(campaign)
    if campaign.budget and report.impressions:
        report.cost_per_thousand = (
            Decimal(campaign.budget) / Decimal(report.impressions) * 1000
        ).quantize(Decimal("0.01"))
    report.surveys = _survey_sections(campaign)
    report.outcomes = campaign_outcomes(campaign, user=None, freq="month", today=today)
    report.outcome_panels = outcome_panels(report.outcomes)
    return report
