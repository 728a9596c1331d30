"""Reads that assemble a dashboard: counts per area and period, rates, the expected band.

Everything comes from the maintained daily counts (DailyCount), one aggregate query per
kind of figure, summed up the jurisdiction tree in Python; never from the events. Results
are cached per process for a short while (`CACHE_SECONDS`) and keyed by the counts'
newest row, so a recount shows up on the next page view.

Two views of the same numbers:
- exact (`exact_counts`), for data tiers that see line lists (epidemiologists, the care
  team) within the places they cover;
- published (`published_counts`), for the aggregate tier and the public: one table of
  every monthly figure of every area, the weekly figures of the province and health
  authorities, and every area's total for the period, protected together by
  `disclosure.protect` so that no count from 1 to 4 shows and none can be worked out
  from the others. Suppressed views are always whole calendar years, or the current year
  up to the last complete month, so that two views never differ by a few days.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass, replace
from urllib.parse import urlencode

import numpy as np
from django.core.cache import cache
from django.db.models import F, Max, Min, Sum
from django.db.models.functions import TruncMonth, TruncWeek

from cairn.access.suppression import is_suppressed, suppression_threshold
from cairn.geography.models import Jurisdiction, Level
from cairn.surveillance.counts.queries import next_period, periods_between, populations_for
from cairn.surveillance.counts.rates import Rate, RateNotAvailable, rate_per_100k, share_per_10k
from cairn.surveillance.dashboards.disclosure import Equation, Grid, protect
from cairn.surveillance.dashboards.geography import UNKNOWN, Area, Tree, jurisdiction_tree
from cairn.surveillance.models import CaseDefinition, Source
from cairn.surveillance.models.counts import DailyCount

CACHE_SECONDS = 120
FREQUENCIES = {"day": "Daily", "week": "Weekly", "month": "Monthly"}
SERIES_LABELS = {**FREQUENCIES, "year": "Yearly"}
PUBLISHED_FREQUENCIES = ("week", "month")
SERIES_PUBLISHED_LEVELS = (Level.PROVINCE, Level.HEALTH_AUTHORITY)


class DashboardQueryError(ValueError):
    """A dashboard was asked for with a value it cannot use; the message says which."""


class NothingToShow(LookupError):
    """No case definition is active yet, so no dashboard has anything to show."""


# Choices -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Definition:
    pk: int
    slug: str
    name: str
    description: str


def definitions() -> list[Definition]:
    """Active case definitions, in the order pages list them."""
    return [
        Definition(pk, slug, name, description)
        for pk, slug, name, description in CaseDefinition.objects.filter(active=True)
        .order_by("position", "slug")
        .values_list("pk", "slug", "name", "description")
    ]


def counts_version() -> int:
    """The newest daily-count row: recounts insert rows, so a recount changes it."""
    return DailyCount.objects.aggregate(last=Max("id"))["last"] or 0


def cached(key: tuple, compute):
    """compute(), kept in Django's cache for CACHE_SECONDS under a digest of `key`."""
    return _cached(key, compute)


def _cached(key: tuple, compute):
    text = ":".join(str(part) for part in key)
    key = "dash:" + hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, CACHE_SECONDS)
    return found


def data_span(definition: Definition, *, version: int) -> tuple[dt.date, dt.date] | None:
    """First and last day with counted events for the definition (None when none)."""

    def compute():
        span = DailyCount.objects.filter(definition_id=definition.pk).aggregate(
            first=Min("day"), last=Max("day")
        )
        return (span["first"], span["last"]) if span["first"] else ()

    found = _cached(("span", definition.pk, version), compute)
    return tuple(found) if found else None


def counts_span(*, version: int) -> tuple[dt.date, dt.date] | None:
    """First and last day of any count: the years every dashboard offers."""

    def compute():
        span = DailyCount.objects.aggregate(first=Min("day"), last=Max("day"))
        return (span["first"], span["last"]) if span["first"] else ()

    found = _cached(("span", "all", version), compute)
    return tuple(found) if found else None


@dataclass(frozen=True)
class Selection:
    """What one dashboard shows: a definition, a source, a frequency and a period."""

    definition: Definition
    source: str | None
    freq: str
    year: int
    start: dt.date
    end: dt.date
    published: bool  # suppressed view (aggregate tier or public)
    version: int = 0  # counts_version() when the selection was made: keys every cache

    @property
    def source_label(self) -> str:
        return Source(self.source).label if self.source else "All sources"

    @property
    def freq_label(self) -> str:
        return FREQUENCIES[self.freq]

    @property
    def shows_share(self) -> bool:
        return self.source == Source.EMERGENCY_DEPARTMENT

    @property
    def period_label(self) -> str:
        if self.start == dt.date(self.year, 1, 1) and self.end == dt.date(self.year, 12, 31):
            return str(self.year)
        return f"{self.start:%-d %b %Y} to {self.end:%-d %b %Y}"

    def query_string(self, **changes) -> str:
        params = {
            "definition": self.definition.slug,
            "source": self.source or "",
            "freq": self.freq,
            "year": self.year,
        }
        params.update(changes)
        return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def selection_range(
    year: int, *, published: bool, today: dt.date
) -> tuple[dt.date, dt.date] | None:
    """The days a year covers on a dashboard; None when none of it can be shown yet.

    The current year runs to today for exact views, and to the end of the last complete
    month for published ones (a published period never ends mid-month, so consecutive
    days cannot be worked out by subtracting two published totals).
    """
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    end = min(end, today.replace(day=1) - dt.timedelta(days=1)) if published else min(end, today)
    return (start, end) if end >= start else None


def make_selection(
    *,
    definition: str | None,
    source: str | None,
    freq: str | None,
    year: int | None,
    published: bool,
    today: dt.date,
) -> tuple[Selection, list[int], list[Definition]]:
    """Check the requested values; the selection, the years to offer and the definitions.

    Missing values take defaults (the first definition, all sources, weekly, the latest
    year with data). Bad ones raise DashboardQueryError naming the parameter.
    """
    known = definitions()
    if not known:
        raise NothingToShow("No case definition is active yet: there is nothing to show.")
    chosen = known[0] if not definition else next((d for d in known if d.slug == definition), None)
    if chosen is None:
        names = ", ".join(d.slug for d in known)
        raise DashboardQueryError(
            f"definition: no active case definition {definition!r} ({names})."
        )
    if source and source not in Source.values:
        raise DashboardQueryError(
            f"source: {source!r} is not one of {', '.join(Source.values)} (or empty for all)."
        )
    freq = freq or "week"
    allowed = PUBLISHED_FREQUENCIES if published else tuple(FREQUENCIES)
    if freq not in allowed:
        raise DashboardQueryError(f"freq: {freq!r} is not one of {', '.join(allowed)}.")
    version = counts_version()
    span = counts_span(version=version)
    latest = (today.replace(day=1) - dt.timedelta(days=1)).year if published else today.year
    years = list(range(span[0].year, min(span[1].year, latest) + 1)) if span else []
    if not years:
        years = [latest]
    if year is None:
        year = years[-1]
    elif year not in years:
        raise DashboardQueryError(
            f"year: {year} has no counts to show (years: {years[0]} to {years[-1]})."
        )
    span_days = selection_range(year, published=published, today=today)
    if span_days is None:  # pragma: no cover - years above never include such a year
        raise DashboardQueryError(f"year: {year} has no complete month yet.")
    selection = Selection(
        definition=chosen,
        source=source or None,
        freq=freq,
        year=year,
        start=span_days[0],
        end=span_days[1],
        published=published,
        version=version,
    )
    return selection, years, known


# Counting ------------------------------------------------------------------------------


def _period_rows(*, definition_id, source, start, end, freq):
    rows = DailyCount.objects.filter(day__gte=start, day__lte=end)
    rows = (
        rows.filter(definition__isnull=True)
        if definition_id is None
        else rows.filter(definition_id=definition_id)
    )
    if source:
        rows = rows.filter(source=source)
    if freq == "day":
        rows = rows.values("community_id", period=F("day"))
    else:
        trunc = TruncWeek if freq == "week" else TruncMonth
        rows = rows.annotate(period=trunc("day")).values("community_id", "period")
    return (
        rows.annotate(events=Sum("count"))
        .order_by()
        .values_list("community_id", "period", "events")
    )


@dataclass
class AreaCounts:
    """Events per area: a series over `periods` and the total over the selection."""

    periods: list[dt.date]
    freq: str
    series: dict  # area key -> np.ndarray of int64 (len periods)
    totals: dict  # area key -> int


def _sum_up(tree: Tree, leaf_series: dict, n: int) -> dict:
    """Series for every area from the communities' (and the unknown bucket's) series."""
    series = {}

    def visit(area: Area) -> np.ndarray:
        if area.is_community or area.is_unknown:
            values = leaf_series.get(area.key)
            values = np.zeros(n, dtype=np.int64) if values is None else values
        else:
            values = np.zeros(n, dtype=np.int64)
            for child in area.children:
                values = values + visit(child)
        series[area.key] = values
        return values

    visit(tree.province)
    return series


def _count_areas(
    tree: Tree, *, definition_id, source, start: dt.date, end: dt.date, freq: str
) -> AreaCounts:
    periods = periods_between(start, end, freq)
    index = {first: i for i, first in enumerate(periods)}
    leaves: dict = {}
    for community_id, period, events in _period_rows(
        definition_id=definition_id, source=source, start=start, end=end, freq=freq
    ):
        if isinstance(period, dt.datetime):
            period = period.date()
        key = UNKNOWN if community_id is None else community_id
        if key not in tree.by_key:
            continue  # a community no longer in the tree
        row = leaves.setdefault(key, np.zeros(len(periods), dtype=np.int64))
        row[index[period]] += events
    series = _sum_up(tree, leaves, len(periods))
    return AreaCounts(
        periods=periods,
        freq=freq,
        series=series,
        totals={key: int(values.sum()) for key, values in series.items()},
    )


def exact_counts(selection: Selection, *, definition_id="selected", freq=None) -> AreaCounts:
    """Exact events per area and period for the selection (definition None = all events)."""
    tree = jurisdiction_tree()
    pk = selection.definition.pk if definition_id == "selected" else definition_id
    freq = freq or selection.freq
    return _cached(
        (
            "exact",
            pk,
            selection.source,
            freq,
            selection.start,
            selection.end,
            selection.version,
            tree.version,
        ),
        lambda: _count_areas(
            tree,
            definition_id=pk,
            source=selection.source,
            start=selection.start,
            end=selection.end,
            freq=freq,
        ),
    )


@dataclass
class PublishedCounts:
    """The figures the aggregate tier and the public may see; None where suppressed."""

    months: list[dt.date]
    weeks: list[dt.date]
    monthly: dict  # area key -> list[int | None]
    weekly: dict  # area key -> list[int | None] (province and health authorities only)
    totals: dict  # area key -> int | None


def _protect_selection(tree: Tree, monthly: AreaCounts, weekly: AreaCounts) -> PublishedCounts:
    """Protect together every figure a published view can show for one period.

    Series (weekly and monthly) are published for the province and the health
    authorities, whose counts are large; smaller areas publish their total only. Monthly
    series for small areas would be mostly suppressed, and protecting them would also
    hide many areas' totals (a total over twelve hidden small months gives them away).
    """
    values: dict = {}
    areas = tree.areas()
    for area in areas:
        values[("y", area.key)] = monthly.totals[area.key]
    series_areas = [tree.province, *tree.province.children]  # HAs and the unknown bucket
    for area in series_areas:
        for i, value in enumerate(monthly.series[area.key]):
            values[("m", area.key, i)] = int(value)
        for i, value in enumerate(weekly.series[area.key]):
            values[("w", area.key, i)] = int(value)

    def row(prefix: str, key, n: int) -> tuple:
        return (*((prefix, key, i) for i in range(n)), ("y", key))

    n_months, n_weeks = len(monthly.periods), len(weekly.periods)
    grids = [
        Grid(tuple(row("m", a.key, n_months) for a in series_areas)),
        Grid(tuple(row("w", a.key, n_weeks) for a in series_areas)),
    ]
    # Below the health authorities, totals only: each area's total is its parts' sum.
    equations = [
        Equation(("y", area.key), tuple(("y", child.key) for child in area.children))
        for area in areas
        if area.children and area.level != Level.PROVINCE
    ]
    shown = protect(values, equations, grids=grids)
    return PublishedCounts(
        months=monthly.periods,
        weeks=weekly.periods,
        monthly={a.key: [shown[("m", a.key, i)] for i in range(n_months)] for a in series_areas},
        weekly={a.key: [shown[("w", a.key, i)] for i in range(n_weeks)] for a in series_areas},
        totals={a.key: shown[("y", a.key)] for a in areas},
    )


def published_counts(selection: Selection) -> PublishedCounts:
    """Every figure of the selection's period as the aggregate tier may see it."""
    tree = jurisdiction_tree()
    version = selection.version

    def compute():
        monthly = _count_areas(
            tree,
            definition_id=selection.definition.pk,
            source=selection.source,
            start=selection.start,
            end=selection.end,
            freq="month",
        )
        weekly = _count_areas(
            tree,
            definition_id=selection.definition.pk,
            source=selection.source,
            start=selection.start,
            end=selection.end,
            freq="week",
        )
        return _protect_selection(tree, monthly, weekly)

    return _cached(
        (
            "published",
            selection.definition.pk,
            selection.source,
            selection.start,
            selection.end,
            version,
            tree.version,
        ),
        compute,
    )


# What a page shows ----------------------------------------------------------------------


@dataclass
class Series:
    periods: list[dt.date]
    freq: str
    observed: list[int | None]
    expected: list[float | None] | None = None
    upperbound: list[float | None] | None = None
    alarms: list[bool] | None = None
    method: str = ""
    band_note: str = ""  # why no band is drawn, when none is
    partial_first: bool = False  # the first period starts before the selection
    partial_last: bool = False
    freq_note: str = ""  # e.g. "monthly: weekly figures are not published for areas this small"


def area_series(selection: Selection, area: Area) -> Series:
    """The area's series as the selection's viewer may see it, with the expected band."""
    key = ("series", selection, area.key, area.code)
    return _cached(key, lambda: _area_series(selection, area))


def _area_series(selection: Selection, area: Area) -> Series:
    freq = selection.freq
    note = ""
    if selection.published and area.level not in SERIES_PUBLISHED_LEVELS:
        freq = "year"
        periods, observed = _published_years(selection, area)
        note = (
            "Yearly figures: weekly and monthly figures are published for the province and "
            "health authorities only, because counts for smaller areas are too often between "
            "1 and 4."
        )
    elif selection.published:
        published = published_counts(selection)
        if freq == "week":
            periods, observed = published.weeks, published.weekly[area.key]
        else:
            periods, observed = published.months, published.monthly[area.key]
    else:
        counts = exact_counts(selection)
        periods, observed = counts.periods, [int(v) for v in counts.series[area.key]]
    series = Series(
        periods=periods,
        freq=freq,
        observed=observed,
        partial_first=bool(periods) and periods[0] < selection.start,
        partial_last=bool(periods) and _period_end(periods[-1], freq) > selection.end,
        freq_note=note,
    )
    _add_band(series, selection, area)
    return series


def _published_years(selection: Selection, area: Area) -> tuple[list[dt.date], list]:
    """The area's published total for each year up to the selection's, oldest first."""
    span = data_span(selection.definition, version=selection.version)
    first_year = span[0].year if span else selection.year
    periods, observed = [], []
    for year in range(first_year, selection.year + 1):
        if year == selection.year:
            that_year = selection
        else:
            that_year = replace(
                selection, year=year, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31)
            )
        periods.append(dt.date(year, 1, 1))
        observed.append(published_counts(that_year).totals[area.key])
    return periods, observed


def _period_end(first: dt.date, freq: str) -> dt.date:
    if freq == "year":
        return dt.date(first.year, 12, 31)
    return next_period(first, freq) - dt.timedelta(days=1)


BAND_METHODS = {"day": "ears-c2", "week": "farrington-flexible"}


def _add_band(series: Series, selection: Selection, area: Area) -> None:
    """Expected counts and upper bounds from the same methods the alerts use.

    Computed on the fly for the one series shown (EARS C2 for days, Farrington flexible
    for weeks; none for months). A published series gets a band only when neither it
    nor the history behind the band holds a suppressed or small count: a baseline mean
    could otherwise give a hidden count away.
    """
    method = BAND_METHODS.get(series.freq)
    if method is None:
        word = {"month": "monthly", "year": "yearly"}.get(series.freq, series.freq)
        series.band_note = f"No expected range is drawn for {word} figures."
        return
    if selection.published and any(v is None for v in series.observed):
        series.band_note = (
            "The expected range is not drawn because some counts behind it are suppressed."
        )
        return
    from cairn.surveillance.alerts.statistical import (
        METHOD_CONFIGS,
        detect_series,
        plan,
    )
    from cairn.surveillance.detection import METHOD_LABELS

    config = METHOD_CONFIGS.get(method)
    span = data_span(selection.definition, version=selection.version)
    if config is None or span is None:
        return
    schedule = plan(config, since=selection.start, until=selection.end, data_start=span[0])
    if schedule is None:
        series.band_note = "Not enough history before this period for an expected range."
        return
    history = _history(selection, area, config.period, schedule.periods)
    if selection.published and any(is_suppressed(int(v)) for v in history):
        series.band_note = (
            "The expected range is not drawn because some counts behind it are suppressed."
        )
        return
    result = detect_series(config, history, schedule.periods, schedule.params)
    if result is None:
        return
    position = {first: i for i, first in enumerate(schedule.periods)}
    expected, upper, alarms = [], [], []
    for i, first in enumerate(series.periods):
        j = position.get(first)
        whole = not (
            (i == 0 and series.partial_first)
            or (i == len(series.periods) - 1 and series.partial_last)
        )
        if j is None or not whole or not result.defined[j]:
            expected.append(None)
            upper.append(None)
            alarms.append(False)
            continue
        expected.append(float(result.expected[j]))
        upper.append(float(result.upperbound[j]))
        alarms.append(bool(result.alarm[j]))
    series.expected, series.upperbound, series.alarms = expected, upper, alarms
    series.method = METHOD_LABELS.get(method, method)


def _history(selection: Selection, area: Area, period: str, periods: list[dt.date]) -> np.ndarray:
    tree = jurisdiction_tree()
    start = periods[0]
    end = _period_end(periods[-1], period)

    def compute():
        counts = _count_areas(
            tree,
            definition_id=selection.definition.pk,
            source=selection.source,
            start=start,
            end=end,
            freq=period,
        )
        return counts.series[area.key]

    return _cached(
        (
            "history",
            selection.definition.pk,
            selection.source,
            period,
            start,
            end,
            area.key,
            selection.version,
            tree.version,
        ),
        compute,
    )


@dataclass
class AreaRow:
    area: Area
    hsda: Area | None
    authority: Area | None
    events: int | None  # None: suppressed
    population: int | None
    rate: Rate | None
    ed_visits: int | None = None  # exact views only
    share: Rate | None = None

    @property
    def suppressed(self) -> bool:
        return self.events is None


def _rate(events: int | None, population: int | None) -> Rate | None:
    if events is None or not population:
        return None
    try:
        return rate_per_100k(events, population)
    except RateNotAvailable:
        return None


def _share(events: int | None, visits: int | None) -> Rate | None:
    if events is None or not visits or events > visits:
        return None
    try:
        return share_per_10k(events, visits)
    except (RateNotAvailable, ValueError):
        return None


def area_rows(selection: Selection, areas: list[Area]) -> list[AreaRow]:
    """One row per area: events over the period, population, rate and (ED) share."""
    if selection.published:
        totals = published_counts(selection).totals
    else:
        totals = exact_counts(selection).totals
    ids = [a.key for a in areas if not a.is_unknown]
    populations = populations_for(ids, year=selection.year)
    visits = {}
    if selection.shows_share:
        visits = exact_counts(selection, definition_id=None, freq="month").totals
    rows = []
    for area in areas:
        events = totals[area.key]
        population = None if area.is_unknown else populations.get(area.key)
        denominator = visits.get(area.key)
        share = None
        if selection.shows_share:
            if selection.published and denominator is not None and is_suppressed(denominator):
                share = None
            else:
                share = _share(events, denominator)
        rows.append(
            AreaRow(
                area=area,
                hsda=area.ancestor(Level.HSDA),
                authority=area.ancestor(Level.HEALTH_AUTHORITY),
                events=events,
                population=population,
                rate=_rate(events, population),
                ed_visits=None if selection.published else denominator,
                share=share,
            )
        )
    return rows


SORT_KEYS = {
    "name": lambda r: (r.area.name.lower(),),
    "hsda": lambda r: ((r.hsda.name if r.hsda else "").lower(), r.area.name.lower()),
    "authority": lambda r: ((r.authority.name if r.authority else "").lower(), r.area.name),
    "events": lambda r: (r.events,),
    "population": lambda r: (r.population,),
    "rate": lambda r: (r.rate.value if r.rate else None,),
    "share": lambda r: (r.share.value if r.share else None,),
}


def sort_rows(rows: list[AreaRow], *, key: str, descending: bool) -> list[AreaRow]:
    """Rows sorted by a column; rows without a value (suppressed, no population) go last
    whichever the direction, so their place says nothing about their value."""
    if key not in SORT_KEYS:
        raise DashboardQueryError(f"sort: {key!r} is not one of {', '.join(SORT_KEYS)}.")
    get = SORT_KEYS[key]
    with_value = [r for r in rows if None not in get(r)]
    without = [r for r in rows if None in get(r)]
    with_value.sort(key=get, reverse=descending)
    without.sort(key=lambda r: r.area.name.lower())
    return with_value + without


def jurisdiction_for(area: Area) -> Jurisdiction:
    return Jurisdiction.objects.defer("boundary").get(pk=area.key)


def suppression_note() -> str:
    threshold = suppression_threshold()
    return (
        f"Counts from 1 to {threshold - 1} are suppressed, and so are some larger counts "
        "where a suppressed count could otherwise be worked out from a total."
    )
