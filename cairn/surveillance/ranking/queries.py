"""The ranking of high-overdose communities, assembled for one user.

`ranking_for(user, params)` reads the maintained counts and the populations, smooths
and ranks every community of the province (pure statistics in this package), and
returns the rows the user may see, with small counts suppressed where the user's data
tier asks for it. The statistics are cached per input data (the cache key is a hash of
the counts and populations themselves, so new events give a new key: never stale).

Who sees what (see docs/ranking.md for the reasoning):
- Everyone signed in may see the ranking: it is aggregate. Rows are limited to the
  communities the user may open (`communities_visible_to`); ranks are always among all
  the province's communities of that level.
- AGGREGATE tier (`data_tier_for`): a smoothed rate, its interval, a rank and a trend
  ratio each give away the count once the population is known, so rounding them is not
  enough. A community with 1–4 events, and per region the complementary one
  (`suppress_counts`, as a region's mean rate reveals its total), is listed apart
  without figures; the others are ranked among themselves. Trend figures are hidden
  where the previous period's count is hidden the same way.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

import numpy as np
from django.core.cache import cache

from cairn.access.permissions import data_tier_for, jurisdictions_visible_to
from cairn.access.roles import DataTier
from cairn.access.suppression import suppress_counts
from cairn.geography.models import Jurisdiction, Level
from cairn.surveillance.counts import queries as counts
from cairn.surveillance.counts.rates import poisson_interval
from cairn.surveillance.models import CaseDefinition
from cairn.surveillance.ranking.empirical_bayes import NoEvents, smooth_by_region
from cairn.surveillance.ranking.method import MethodContext, Section, method_sections
from cairn.surveillance.ranking.params import (
    LEVEL_LABELS,
    LEVELS,
    RankingParameterError,
    RankingParams,
    parse_params,
    period_label,
    sources_label,
)
from cairn.surveillance.ranking.ranks import DEFAULT_DRAWS, DEFAULT_SEED, simulate_ranks
from cairn.surveillance.ranking.trend import rate_ratio

PER = 100_000
CACHE_SECONDS = 3600

__all__ = ["Ranking", "RankingParameterError", "RankingParams", "parse_params", "ranking_for"]


# Rows ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankingRow:
    """One community. Rates are per 100,000 people per year; None where hidden."""

    jurisdiction_id: int
    code: str
    name: str
    region: str
    population: int
    events: int | None
    crude_rate: float | None
    crude_low: float | None
    crude_high: float | None
    smoothed_rate: float | None
    smoothed_low: float | None
    smoothed_high: float | None
    rank: int | None
    median_rank: int | None
    rank_low: int | None
    rank_high: int | None
    probability_top: float | None
    previous_events: int | None
    trend_ratio: float | None
    trend_low: float | None
    trend_high: float | None
    trend: str | None  # "rising", "falling", "no clear change", "no events"
    hidden: bool = False  # aggregate view: listed apart, without figures


@dataclass(frozen=True)
class UnrankedRow:
    jurisdiction_id: int
    code: str
    name: str
    region: str
    reason: str


@dataclass(frozen=True)
class RegionSummary:
    name: str
    communities: int
    mean_rate: float  # per 100,000 per year
    prior_source: str


@dataclass
class Ranking:
    params: RankingParams
    definition_name: str
    rows: list[RankingRow]  # ranked rows the user may see, best rank first
    hidden_rows: list[RankingRow]  # aggregate view: rows listed apart without figures
    unranked: list[UnrankedRow]  # no population figure
    ranked_total: int  # how many communities the ranks are among
    regions: list[RegionSummary]
    aggregate_view: bool
    draws: int
    seed: int
    no_events: bool = False
    sections: list[Section] = field(default_factory=list)

    @property
    def period_label(self) -> str:
        return period_label(self.params.start, self.params.end)

    @property
    def previous_period_label(self) -> str:
        return period_label(self.params.previous_start, self.params.previous_end)

    @property
    def sources_label(self) -> str:
        return sources_label(self.params.sources)

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.params.level]

    @property
    def region_label(self) -> str:
        return (
            "its health authority" if self.params.region == "health_authority" else ("the province")
        )


# Inputs and the cached statistics ------------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    jurisdiction_id: int
    code: str
    name: str
    path: str
    region: str


def _units(params: RankingParams) -> tuple[list[_Unit], dict[str, str]]:
    """Every jurisdiction at the level, with the name of the region it is smoothed in."""
    level = LEVELS[params.level]
    names = dict(
        Jurisdiction.objects.filter(level__in=[Level.PROVINCE, Level.HEALTH_AUTHORITY]).values_list(
            "code", "name"
        )
    )
    units = []
    for pk, code, name, path in (
        Jurisdiction.objects.filter(level=level)
        .order_by("path")
        .values_list("pk", "code", "name", "path")
    ):
        codes = path.split("/")
        region_code = codes[1] if params.region == "health_authority" else codes[0]
        units.append(_Unit(pk, code, name, path, names.get(region_code, region_code)))
    return units, names


def _summed_counts(params: RankingParams, start: dt.date, end: dt.date) -> dict[int, int]:
    total: dict[int, int] = {}
    if not CaseDefinition.objects.filter(slug=params.definition).exists():
        return total  # nothing loaded yet: no events
    for source in params.sources or (None,):
        found = counts.counts_by_community(
            definition=params.definition,
            source=source,
            start=start,
            end=end,
            level=params.level,
        )
        for key, value in found.items():
            if key is not None:
                total[key] = total.get(key, 0) + value
    return total


@dataclass(frozen=True)
class _Statistics:
    """Everything computed from the data alone (no user in it), for both views; the rank
    simulations are cached apart (`_ranks`), each view's only when a viewer needs it."""

    units: list[_Unit]
    populations: dict[int, int | None]
    events: dict[int, int]
    previous_events: dict[int, int]
    ranked_ids: list[int]
    smoothed: dict[int, tuple[float, float, float]]
    crude: dict[int, tuple[float, float, float]]
    posteriors: dict[int, tuple[float, float, float]]  # gamma shape, rate, mean
    hidden_ids: frozenset[int]  # aggregate view: counts hidden (1–4 or complementary)
    hidden_previous_ids: frozenset[int]
    trends: dict[int, tuple[float, float, float, str]]
    regions: list[RegionSummary]
    no_events: bool


def _ranks_by_id(ids, shape, rate, mean, top) -> dict[int, tuple[int, int, int, int, float]]:
    if not ids:
        return {}
    summary = simulate_ranks(shape, rate, mean, draws=DEFAULT_DRAWS, seed=DEFAULT_SEED, top=top)
    return {
        pk: (
            int(summary.rank[i]),
            int(summary.median[i]),
            int(summary.low[i]),
            int(summary.high[i]),
            float(summary.probability_top[i]),
        )
        for i, pk in enumerate(ids)
    }


def _hidden_by_region(units, values: dict[int, int], ids: set[int]) -> set[int]:
    """Ids whose count the aggregate tier may not see: 1–4, plus the complementary cell
    of each region, whose total its mean rate (or a dashboard) gives away."""
    hidden: set[int] = set()
    by_region: dict[str, dict[str, int]] = {}
    for unit in units:
        if unit.jurisdiction_id in ids:
            by_region.setdefault(unit.region, {})[str(unit.jurisdiction_id)] = values.get(
                unit.jurisdiction_id, 0
            )
    for cells in by_region.values():
        shown = suppress_counts(cells, total_shown=True)
        hidden.update(int(key) for key, value in shown.items() if value is None)
    return hidden


def _compute(params: RankingParams, units, populations, events, previous_events, previous_pops):
    ranked = [u for u in units if populations.get(u.jurisdiction_id)]
    ranked_ids = [u.jurisdiction_id for u in ranked]
    cases = np.array([events.get(pk, 0) for pk in ranked_ids], dtype=float)
    at_risk = np.array([populations[pk] for pk in ranked_ids], dtype=float)
    regions_of = [u.region for u in ranked]
    empty = _Statistics(
        units=units,
        populations=populations,
        events=events,
        previous_events=previous_events,
        ranked_ids=ranked_ids,
        smoothed={},
        crude={},
        posteriors={},
        hidden_ids=frozenset(),
        hidden_previous_ids=frozenset(),
        trends={},
        regions=[],
        no_events=True,
    )
    if not ranked:
        return empty
    try:
        smoothing = smooth_by_region(cases, at_risk, regions_of)
    except NoEvents:
        return empty
    smoothed = {
        pk: (
            float(smoothing.mean[i]) * PER,
            float(smoothing.low[i]) * PER,
            float(smoothing.high[i]) * PER,
        )
        for i, pk in enumerate(ranked_ids)
    }
    id_set = set(ranked_ids)
    hidden = _hidden_by_region(ranked, events, id_set)
    hidden_previous = _hidden_by_region(ranked, previous_events, id_set)
    trends = {}
    for pk in ranked_ids:
        previous_population = previous_pops.get(pk) or populations[pk]
        ratio = rate_ratio(
            events.get(pk, 0),
            previous_events.get(pk, 0),
            current_at_risk=populations[pk],
            previous_at_risk=previous_population,
        )
        trends[pk] = (ratio.ratio, ratio.low, ratio.high, ratio.verdict)
    regions = [
        RegionSummary(
            name=str(name),
            communities=prior.communities,
            mean_rate=prior.prior.mean * PER,
            prior_source=prior.source,
        )
        for name, prior in smoothing.regions.items()
    ]
    return _Statistics(
        units=units,
        populations=populations,
        events=events,
        previous_events=previous_events,
        ranked_ids=ranked_ids,
        smoothed=smoothed,
        crude={pk: _poisson_rate(events.get(pk, 0), populations[pk]) for pk in ranked_ids},
        posteriors={
            pk: (float(smoothing.shape[i]), float(smoothing.rate[i]), float(smoothing.mean[i]))
            for i, pk in enumerate(ranked_ids)
        },
        hidden_ids=frozenset(hidden),
        hidden_previous_ids=frozenset(hidden_previous),
        trends=trends,
        regions=sorted(regions, key=lambda r: r.name),
        no_events=False,
    )


def _ranks(key: str, stats: _Statistics, *, aggregate: bool, top: int) -> dict:
    """Rank summaries among all ranked rows, or (aggregate view) among the shown ones."""
    ranks_key = f"{key}:{'shown' if aggregate else 'all'}"
    found = cache.get(ranks_key)
    if found is None:
        ids = [pk for pk in stats.ranked_ids if not (aggregate and pk in stats.hidden_ids)]
        shape, rate, mean = (np.array([stats.posteriors[pk][i] for pk in ids]) for i in range(3))
        found = _ranks_by_id(ids, shape, rate, mean, top)
        cache.set(ranks_key, found, CACHE_SECONDS)
    return found


def _statistics(params: RankingParams) -> tuple[str, _Statistics]:
    units, _ = _units(params)
    ids = [u.jurisdiction_id for u in units]
    events = _summed_counts(params, params.start, params.end)
    previous_events = _summed_counts(params, params.previous_start, params.previous_end)
    populations = counts.populations_for(ids, year=params.population_year)
    previous_pops = counts.populations_for(ids, year=params.previous_population_year)
    fingerprint = json.dumps(
        [
            "ranking-v2",
            params.definition,
            params.sources,
            params.level,
            params.region,
            params.top,
            params.start.isoformat(),
            params.end.isoformat(),
            [(u.jurisdiction_id, u.code, u.name, u.region) for u in units],
            [events.get(pk, 0) for pk in ids],
            [previous_events.get(pk, 0) for pk in ids],
            [populations.get(pk) for pk in ids],
            [previous_pops.get(pk) for pk in ids],
        ],
        default=str,
    )
    key = "cairn:ranking:" + hashlib.sha256(fingerprint.encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = _compute(params, units, populations, events, previous_events, previous_pops)
        cache.set(key, found, CACHE_SECONDS)
    return key, found


# For the user ---------------------------------------------------------------------------


def _visible_ids(user, params: RankingParams) -> set[int]:
    return set(
        jurisdictions_visible_to(user)
        .filter(level=LEVELS[params.level])
        .values_list("pk", flat=True)
    )


def _poisson_rate(count: int, population: int) -> tuple[float, float, float]:
    low, high = poisson_interval(count)
    return count / population * PER, low / population * PER, high / population * PER


def ranking_for(user, params: RankingParams) -> Ranking:
    """The ranking as this user may see it."""
    key, stats = _statistics(params)
    visible = _visible_ids(user, params)
    jurisdictions = {
        j.pk: j for j in Jurisdiction.objects.filter(pk__in=visible).only("pk", "path", "level")
    }
    aggregate_view = any(
        (data_tier_for(user, jurisdictions[pk]) or DataTier.AGGREGATE) <= DataTier.AGGREGATE
        for pk in visible
    )
    definition_name = (
        CaseDefinition.objects.filter(slug=params.definition).values_list("name", flat=True)
    ).first() or params.definition
    ranks = {} if stats.no_events else _ranks(key, stats, aggregate=aggregate_view, top=params.top)
    rows: list[RankingRow] = []
    hidden_rows: list[RankingRow] = []
    unranked: list[UnrankedRow] = []
    ranked_set = set(stats.ranked_ids)
    for unit in stats.units:
        pk = unit.jurisdiction_id
        if pk not in visible:
            continue
        if pk not in ranked_set:
            unranked.append(
                UnrankedRow(pk, unit.code, unit.name, unit.region, "no population figure")
            )
            continue
        population = stats.populations[pk]
        if stats.no_events:
            continue
        events = stats.events.get(pk, 0)
        previous = stats.previous_events.get(pk, 0)
        if aggregate_view and pk in stats.hidden_ids:
            hidden_rows.append(_hidden_row(unit, population))
            continue
        crude = stats.crude[pk]
        rank = ranks[pk]
        ratio, low, high, verdict = stats.trends[pk]
        trend_hidden = aggregate_view and pk in stats.hidden_previous_ids
        rows.append(
            RankingRow(
                jurisdiction_id=pk,
                code=unit.code,
                name=unit.name,
                region=unit.region,
                population=population,
                events=events,
                crude_rate=crude[0],
                crude_low=crude[1],
                crude_high=crude[2],
                smoothed_rate=stats.smoothed[pk][0],
                smoothed_low=stats.smoothed[pk][1],
                smoothed_high=stats.smoothed[pk][2],
                rank=rank[0],
                median_rank=rank[1],
                rank_low=rank[2],
                rank_high=rank[3],
                probability_top=rank[4],
                previous_events=None if trend_hidden else previous,
                trend_ratio=None if trend_hidden else ratio,
                trend_low=None if trend_hidden else low,
                trend_high=None if trend_hidden else high,
                trend=verdict,
            )
        )
    rows.sort(key=lambda r: (r.rank, r.name))
    hidden_rows.sort(key=lambda r: r.name)
    ranked_total = len(ranks) if not stats.no_events else 0
    ranking = Ranking(
        params=params,
        definition_name=definition_name,
        rows=rows,
        hidden_rows=hidden_rows,
        unranked=unranked,
        ranked_total=ranked_total,
        regions=stats.regions,
        aggregate_view=aggregate_view,
        draws=DEFAULT_DRAWS,
        seed=DEFAULT_SEED,
        no_events=stats.no_events,
    )
    ranking.sections = method_sections(method_context(ranking))
    return ranking


def _hidden_row(unit: _Unit, population: int) -> RankingRow:
    return RankingRow(
        jurisdiction_id=unit.jurisdiction_id,
        code=unit.code,
        name=unit.name,
        region=unit.region,
        population=population,
        events=None,
        crude_rate=None,
        crude_low=None,
        crude_high=None,
        smoothed_rate=None,
        smoothed_low=None,
        smoothed_high=None,
        rank=None,
        median_rank=None,
        rank_low=None,
        rank_high=None,
        probability_top=None,
        previous_events=None,
        trend_ratio=None,
        trend_low=None,
        trend_high=None,
        trend=None,
        hidden=True,
    )


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def method_context(ranking: Ranking) -> MethodContext:
    example = ""
    third = next((r for r in ranking.rows if r.rank == 3), None) or (
        ranking.rows[min(2, len(ranking.rows) - 1)] if ranking.rows else None
    )
    if third is not None and third.rank_low is not None:
        example = (
            f"In this ranking, {third.name}, ranked {_ordinal(third.rank)}, could plausibly be "
            f"anywhere from {_ordinal(third.rank_low)} to {_ordinal(third.rank_high)}."
        )
    region_means = [
        f"Average rate toward which rates are smoothed — {r.name}: "
        f"{r.mean_rate:,.1f} per 100,000 per year ({r.communities} communities"
        + ("" if r.prior_source == "region" else "; spread from all regions pooled")
        + ")."
        for r in ranking.regions
    ]
    return MethodContext(
        definition_name=ranking.definition_name,
        period_label=ranking.period_label,
        previous_period_label=ranking.previous_period_label,
        sources_label=ranking.sources_label,
        level_label=ranking.level_label,
        region_label=ranking.region_label,
        population_year=ranking.params.population_year,
        ranked=ranking.ranked_total,
        draws=ranking.draws,
        top=ranking.params.top,
        aggregate_view=ranking.aggregate_view,
        example=example,
        region_means=region_means,
    )
