"""The at-risk view of a team: its communities' figures, alerts, ranking and OAT cascade.

Everything is an aggregate, and everything comes from the functions the surveillance
dashboards, alerts, ranking and cascade pages use, with their rules:

- surveillance figures (ED visits, paramedic events, deaths) from the maintained counts,
  through `dashboards.queries` (`make_selection`, `area_series`, `area_rows`): a member
  whose data tier is below the line list for the team's communities sees the published
  figures (small counts suppressed, and yearly totals only for an area as small as a
  community, as on the public dashboard); a clinical member sees exact weekly counts;
- open alerts through `alerts_visible_to` and `describe_alert` (small counts shown as
  "fewer than 5" outside the line-list tiers);
- the ranking through `ranking_for` (rows the viewer's tier may not see are listed apart);
- the OAT cascade through `cascade_for`, one community at a time (exact for the care team
  only). Its First Nations row follows the cascade's own rule (see docs/outreach.md).

No person's record is read here.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from cairn.cases.treatment.cascade import Cascade, cascade_for
from cairn.geography.models import Jurisdiction
from cairn.outreach.access import is_clinical_member
from cairn.outreach.models.teams import Team
from cairn.surveillance.alerts.describe import AlertDescription, describe_alert
from cairn.surveillance.alerts.queries import alerts_visible_to
from cairn.surveillance.counts.rates import Rate
from cairn.surveillance.dashboards.geography import jurisdiction_tree
from cairn.surveillance.dashboards.queries import (
    DashboardQueryError,
    NothingToShow,
    area_rows,
    area_series,
    definitions,
    make_selection,
    suppression_note,
)
from cairn.surveillance.models import Source
from cairn.surveillance.models.alerts import AlertStatus
from cairn.surveillance.ranking.params import DEFAULT_DEFINITION, parse_params
from cairn.surveillance.ranking.queries import Ranking, RankingRow, ranking_for

# What the page shows of each community, in this order.
SOURCES = [
    (Source.EMERGENCY_DEPARTMENT, "Emergency department visits for an overdose"),
    (Source.PARAMEDIC, "Paramedic-attended overdose events"),
    (Source.CORONER, "Deaths from unregulated drug toxicity"),
]
RECENT_WEEKS = 12
OPEN_ALERTS = (AlertStatus.NEW, AlertStatus.ACKNOWLEDGED)
ALERT_LIMIT = 20


@dataclass
class SourceFigures:
    source: str
    label: str
    period_label: str
    events: int | None  # None: suppressed
    population: int | None
    rate: Rate | None  # per 100,000
    periods: list[dt.date] = field(default_factory=list)
    counts: list[int | None] = field(default_factory=list)  # None: suppressed
    expected: list[float | None] = field(default_factory=list)
    freq_label: str = ""
    note: str = ""

    @property
    def series(self) -> list[tuple[dt.date, int | None, float | None]]:
        expected = self.expected or [None] * len(self.periods)
        return list(zip(self.periods, self.counts, expected, strict=False))


@dataclass
class CommunityRanking:
    row: RankingRow | None
    hidden: bool  # listed apart, without figures, for this viewer
    reason: str = ""  # why there is no rank


@dataclass
class SeriesTable:
    """The sources' series side by side: one row per period, one column per source."""

    freq_label: str  # "Weekly" or "Yearly"
    labels: list[str]
    rows: list[tuple[dt.date, list[int | None]]]
    note: str = ""


def series_table(sources: list[SourceFigures]) -> SeriesTable | None:
    shown = [s for s in sources if s.periods]
    if not shown:
        return None
    periods = sorted({p for s in shown for p in s.periods})
    by_source = [dict(zip(s.periods, s.counts, strict=False)) for s in shown]
    return SeriesTable(
        freq_label=shown[0].freq_label,
        labels=[s.label for s in shown],
        rows=[(p, [values.get(p, 0) for values in by_source]) for p in periods],
        note=shown[0].note,
    )


@dataclass
class CommunityFigures:
    community: Jurisdiction
    sources: list[SourceFigures]
    alerts: list[tuple[object, AlertDescription]]
    ranking: CommunityRanking
    cascade: Cascade | None
    cascade_note: str = ""
    series: SeriesTable | None = None

    @property
    def cascade_empty(self) -> bool:
        """Nobody counted: the cascade's "diagnosed" total is zero (not suppressed)."""
        if self.cascade is None or not self.cascade.group_total.cells:
            return False
        return self.cascade.group_total.cells[0].count == 0


@dataclass
class AtRisk:
    team: Team
    exact: bool  # False: small counts suppressed
    definition_name: str
    communities: list[CommunityFigures]
    ranking: Ranking | None
    suppression_note: str
    message: str = ""  # why nothing can be shown, when nothing can


def _definition_slug() -> str | None:
    known = [d.slug for d in definitions()]
    if not known:
        return None
    return DEFAULT_DEFINITION if DEFAULT_DEFINITION in known else known[0]


def _source_figures(community, *, source, label, definition, published, today) -> SourceFigures:
    selection, _, _ = make_selection(
        definition=definition,
        source=source,
        freq="week",
        year=None,
        published=published,
        today=today,
    )
    area = jurisdiction_tree().by_code[community.code]
    row = area_rows(selection, [area])[0]
    series = area_series(selection, area)
    periods, counts, expected = series.periods, list(series.observed), series.expected or []
    if series.freq == "week":
        periods, counts = periods[-RECENT_WEEKS:], counts[-RECENT_WEEKS:]
        expected = list(expected[-RECENT_WEEKS:]) if expected else []
    freq_label = {"week": "Weekly", "month": "Monthly", "year": "Yearly"}.get(series.freq, "")
    return SourceFigures(
        source=source,
        label=label,
        period_label=selection.period_label,
        events=row.events,
        population=row.population,
        rate=row.rate,
        periods=periods,
        counts=counts,
        expected=expected,
        freq_label=freq_label,
        note=series.freq_note,
    )


def _ranking(user) -> Ranking | None:
    return ranking_for(user, parse_params({}))


def _community_ranking(ranking: Ranking | None, community) -> CommunityRanking:
    if ranking is None or ranking.no_events:
        return CommunityRanking(None, False, "No events to rank yet.")
    for row in ranking.rows:
        if row.jurisdiction_id == community.pk:
            return CommunityRanking(row, False)
    for row in ranking.hidden_rows:
        if row.jurisdiction_id == community.pk:
            return CommunityRanking(
                row, True, "Its counts are too small to show at your data tier."
            )
    for row in ranking.unranked:
        if row.jurisdiction_id == community.pk:
            return CommunityRanking(None, False, f"Not ranked: {row.reason}.")
    return CommunityRanking(None, False, "Not in the communities your organization covers.")


def _cascade(user, community, today) -> tuple[Cascade | None, str]:
    try:
        return cascade_for(user, as_of=today, community_code=community.code), ""
    except PermissionDenied:
        return None, "Not in the communities your organization covers."


def at_risk_for(user, team: Team, *, today: dt.date | None = None) -> AtRisk:
    """The team's at-risk view as this user may see it (the caller checked may_view_team)."""
    today = today or timezone.localdate()
    exact = is_clinical_member(user, team)
    communities = sorted(team.communities.all(), key=lambda c: c.name)
    definition = _definition_slug()
    name = next((d.name for d in definitions() if d.slug == definition), "")
    result = AtRisk(
        team=team,
        exact=exact,
        definition_name=name,
        communities=[],
        ranking=None,
        suppression_note=suppression_note(),
    )
    if definition is None:
        result.message = "No case definition is active yet: there are no figures to show."
        return result
    result.ranking = _ranking(user)
    alerts = (
        alerts_visible_to(user)
        .filter(community__in=communities, status__in=OPEN_ALERTS)
        .order_by("-period_end", "-pk")
    )
    by_community: dict[int, list] = {}
    for alert in alerts[: ALERT_LIMIT * max(len(communities), 1)]:
        by_community.setdefault(alert.community_id, []).append(alert)
    for community in communities:
        sources = []
        for source, label in SOURCES:
            try:
                sources.append(
                    _source_figures(
                        community,
                        source=source,
                        label=label,
                        definition=definition,
                        published=not exact,
                        today=today,
                    )
                )
            except (NothingToShow, DashboardQueryError) as error:
                result.message = str(error)
        cascade, note = _cascade(user, community, today)
        result.communities.append(
            CommunityFigures(
                community=community,
                sources=sources,
                alerts=[
                    (alert, describe_alert(alert, viewer=user))
                    for alert in by_community.get(community.pk, [])[:ALERT_LIMIT]
                ],
                ranking=_community_ranking(result.ranking, community),
                cascade=cascade,
                cascade_note=note,
                series=series_table(sources),
            )
        )
    return result
