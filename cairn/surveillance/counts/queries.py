"""Reads of the maintained counts: series, counts per jurisdiction, populations.

Everything here sums the daily rows of DailyCount (a few hundred thousand rows for a
province over years), never the events. These functions do not decide who may see
what: the caller asks `cairn.access` and suppresses small counts where the viewer's
data tier requires it.

The "unknown place" bucket (events whose community could not be determined) is
`jurisdiction=None` in `count_series`, the key None in `counts_by_community(...,
include_unknown=True)`, and part of the province's totals when the database holds one
province (every event received is the province's, wherever in it it happened).
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.db.models import Q, Sum

from cairn.geography.models import ALL_AGES, LEVEL_DEPTH, Jurisdiction, Level, Population, Sex
from cairn.surveillance.models import CaseDefinition, Source
from cairn.surveillance.models.counts import DailyCount, DailyCountByAge

FREQUENCIES = ("day", "week", "month")
LEVELS = {
    "lha": Level.COMMUNITY,
    "community": Level.COMMUNITY,
    "hsda": Level.HSDA,
    "health_authority": Level.HEALTH_AUTHORITY,
    "ha": Level.HEALTH_AUTHORITY,
    "province": Level.PROVINCE,
}


class CountQueryError(ValueError):
    """A count was asked for with a bad argument; the message names which and why."""


@dataclass(frozen=True)
class CountSeries:
    periods: list[dt.date]  # first day of each period, contiguous, zero-filled
    counts: np.ndarray  # int64, same length


# Periods -------------------------------------------------------------------------------


def period_start(day: dt.date, freq: str) -> dt.date:
    """The first day of the day's period: itself, its ISO week's Monday, its month's 1st."""
    if freq == "day":
        return day
    if freq == "week":
        return day - dt.timedelta(days=day.weekday())
    if freq == "month":
        return day.replace(day=1)
    raise CountQueryError(f"freq must be one of {', '.join(FREQUENCIES)}, not {freq!r}.")


def next_period(first: dt.date, freq: str) -> dt.date:
    if freq == "day":
        return first + dt.timedelta(days=1)
    if freq == "week":
        return first + dt.timedelta(days=7)
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def periods_between(start: dt.date, end: dt.date, freq: str) -> list[dt.date]:
    """The first days of the whole periods covering start..end (inclusive)."""
    first, last = period_start(start, freq), period_start(end, freq)
    periods = []
    while first <= last:
        periods.append(first)
        first = next_period(first, freq)
    return periods


def _check_dates(start, end) -> None:
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise CountQueryError(f"{name} must be a date, not {value!r}.")
    if end < start:
        raise CountQueryError(f"end ({end}) is before start ({start}).")


# Filters -------------------------------------------------------------------------------


def definition_id(slug: str | None) -> int | None:
    """The CaseDefinition pk for a slug (None stays None: every event of the source)."""
    if slug is None:
        return None
    found = CaseDefinition.objects.filter(slug=slug).values_list("pk", flat=True).first()
    if found is None:
        known = ", ".join(CaseDefinition.objects.order_by("slug").values_list("slug", flat=True))
        raise CountQueryError(f"No case definition has the slug {slug!r} (known: {known}).")
    return found


def _check_source(source: str | None) -> None:
    if source is not None and source not in Source.values:
        raise CountQueryError(f"source must be one of {', '.join(Source.values)}, not {source!r}.")


def includes_unknown_place(jurisdiction: Jurisdiction) -> bool:
    """True for the province when it is the only one: its totals include unplaced events."""
    if jurisdiction.parent_id is not None:
        return False
    return not Jurisdiction.objects.filter(parent__isnull=True).exclude(pk=jurisdiction.pk).exists()


def community_ids_under(jurisdiction: Jurisdiction) -> list[int]:
    """The communities (LHAs) at or under a jurisdiction."""
    if jurisdiction.level == Level.COMMUNITY:
        return [jurisdiction.pk]
    return list(
        Jurisdiction.objects.filter(
            path__startswith=jurisdiction.path + "/", level=Level.COMMUNITY
        ).values_list("pk", flat=True)
    )


def place_filter(jurisdiction: Jurisdiction | None) -> Q:
    """Rows of a jurisdiction's communities; None is the unknown-place bucket."""
    if jurisdiction is None:
        return Q(community__isnull=True)
    condition = Q(community_id__in=community_ids_under(jurisdiction))
    if includes_unknown_place(jurisdiction):
        condition |= Q(community__isnull=True)
    return condition


def _rows(model, *, definition: str | None, source: str | None, start: dt.date, end: dt.date):
    _check_source(source)
    rows = model.objects.filter(day__gte=start, day__lte=end)
    pk = definition_id(definition)
    rows = rows.filter(definition__isnull=True) if pk is None else rows.filter(definition_id=pk)
    if source is not None:
        rows = rows.filter(source=source)
    return rows


# Queries -------------------------------------------------------------------------------


def count_series(
    *,
    jurisdiction: Jurisdiction | None,
    definition: str | None,
    source: str | None = None,
    freq: str = "week",
    start: dt.date,
    end: dt.date,
) -> CountSeries:
    """Events per period in a jurisdiction (any level), zero-filled, whole periods.

    definition: a CaseDefinition slug, or None for every event of the source.
    source: a Source value, or None for all sources. freq: "day", "week" (ISO weeks,
    starting Monday) or "month"; start and end snap outwards to whole periods.
    jurisdiction None: the unknown-place bucket.
    """
    _check_dates(start, end)
    periods = periods_between(start, end, freq)
    last_day = next_period(periods[-1], freq) - dt.timedelta(days=1)
    rows = (
        _rows(DailyCount, definition=definition, source=source, start=periods[0], end=last_day)
        .filter(place_filter(jurisdiction))
        .values("day")
        .annotate(events=Sum("count"))
        .order_by()
    )
    index = {first: i for i, first in enumerate(periods)}
    counts = np.zeros(len(periods), dtype=np.int64)
    for row in rows:
        counts[index[period_start(row["day"], freq)]] += row["events"]
    return CountSeries(periods=periods, counts=counts)


def _level(level: str) -> str:
    try:
        return LEVELS[level]
    except KeyError:
        raise CountQueryError(f"level must be one of {', '.join(LEVELS)}, not {level!r}.") from None


def counts_by_community(
    *,
    definition: str | None,
    source: str | None = None,
    start: dt.date,
    end: dt.date,
    level: str = "lha",
    include_unknown: bool = False,
) -> dict[int | None, int]:
    """Jurisdiction id -> events from start to end (whole days, inclusive) for EVERY
    jurisdiction at the level ("lha", "hsda", "health_authority", "province"), zeros
    included. include_unknown adds the unknown-place bucket under the key None (a
    single province's count already includes it)."""
    _check_dates(start, end)
    wanted = _level(level)
    per_community: dict[int | None, int] = {
        row["community_id"]: row["events"]
        for row in _rows(DailyCount, definition=definition, source=source, start=start, end=end)
        .values("community_id")
        .annotate(events=Sum("count"))
        .order_by()
    }
    unknown = per_community.pop(None, 0)
    targets = list(Jurisdiction.objects.filter(level=wanted).values_list("pk", "code", "path"))
    if wanted == Level.COMMUNITY:
        result: dict[int | None, int] = {pk: per_community.get(pk, 0) for pk, _, _ in targets}
    else:
        depth = LEVEL_DEPTH[wanted]
        by_code = {code: pk for pk, code, _ in targets}
        result = dict.fromkeys(by_code.values(), 0)
        paths = dict(Jurisdiction.objects.filter(level=Level.COMMUNITY).values_list("pk", "path"))
        for community_id, events in per_community.items():
            codes = paths.get(community_id, "").split("/")
            if len(codes) > depth and codes[depth] in by_code:
                result[by_code[codes[depth]]] += events
        if wanted == Level.PROVINCE and len(targets) == 1:
            result[targets[0][0]] += unknown
    if include_unknown:
        result[None] = unknown
    return result


def populations_for(jurisdiction_ids: Iterable[int], *, year: int) -> dict[int, int | None]:
    """All-ages, both-sexes population of each jurisdiction in `year`: that year's figure,
    else the nearest year's (the earlier one on a tie), else None."""
    ids = list(jurisdiction_ids)
    figures: dict[int, dict[int, int]] = {}
    for jurisdiction_id, figure_year, population in Population.objects.filter(
        jurisdiction_id__in=ids, sex=Sex.ALL, age_band=ALL_AGES
    ).values_list("jurisdiction_id", "year", "population"):
        figures.setdefault(jurisdiction_id, {})[figure_year] = population
    result: dict[int, int | None] = {}
    for jurisdiction_id in ids:
        years = figures.get(jurisdiction_id)
        if not years:
            result[jurisdiction_id] = None
            continue
        nearest = min(years, key=lambda y: (abs(y - year), y))
        result[jurisdiction_id] = years[nearest]
    return result


def population_year_used(jurisdiction_id: int, *, year: int) -> int | None:
    """Which year's figure `populations_for` uses for a jurisdiction (None if none)."""
    years = list(
        Population.objects.filter(
            jurisdiction_id=jurisdiction_id, sex=Sex.ALL, age_band=ALL_AGES
        ).values_list("year", flat=True)
    )
    return min(years, key=lambda y: (abs(y - year), y)) if years else None


def counts_by_age_band(
    *,
    jurisdiction: Jurisdiction | None,
    definition: str,
    source: str | None = None,
    start: dt.date,
    end: dt.date,
    sex: str | None = None,
) -> dict[str, int]:
    """Events meeting a definition, by five-year age band ("unknown" included), start..end."""
    _check_dates(start, end)
    if definition is None:
        raise CountQueryError("Counts by age band are kept for case definitions only.")
    rows = _rows(DailyCountByAge, definition=definition, source=source, start=start, end=end)
    rows = rows.filter(place_filter(jurisdiction))
    if sex is not None:
        rows = rows.filter(sex=sex)
    return {
        row["age_band"]: row["events"]
        for row in rows.values("age_band").annotate(events=Sum("count")).order_by()
    }


def age_band_populations(jurisdiction_id: int, *, year: int) -> dict[str, int] | None:
    """Both-sexes population by age band for the year (nearest year with age bands), or
    None where the jurisdiction has no population by age band at all."""
    rows = list(
        Population.objects.filter(jurisdiction_id=jurisdiction_id, sex=Sex.ALL)
        .exclude(age_band=ALL_AGES)
        .values_list("year", "age_band", "population")
    )
    if not rows:
        return None
    nearest = min({y for y, _, _ in rows}, key=lambda y: (abs(y - year), y))
    return {band: population for y, band, population in rows if y == nearest}
