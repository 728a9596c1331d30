"""Counts with their rates, period by period: what the counts API and pages show.

Rates per 100,000 per year with exact Poisson intervals, the share per 10,000 ED
visits (CDC DOSE) and the span's age-standardized rate, from the maintained counts
(`queries.py`) and the pure statistics (`rates.py`).
"""

import datetime as dt
from dataclasses import dataclass

from cairn.geography.models import Jurisdiction
from cairn.surveillance.counts.queries import (
    age_band_populations,
    count_series,
    counts_by_age_band,
    next_period,
    populations_for,
)
from cairn.surveillance.counts.rates import (
    AgeStandardizedRate,
    Rate,
    RateNotAvailable,
    age_standardized_rate,
    rate_per,
    share_per_10k,
)
from cairn.surveillance.models import Source

DAYS_PER_YEAR = 365.25


@dataclass(frozen=True)
class PeriodRow:
    start: dt.date
    end: dt.date  # last day, inclusive
    count: int
    population: int | None  # all ages, the period's year (nearest year with a figure)
    rate: Rate | None  # per 100,000 per year (person-years); None without a population
    ed_visits: int | None  # every ED visit: the DOSE denominator (ED counts only)
    share: Rate | None  # per 10,000 ED visits (CDC DOSE); None where not meaningful


@dataclass(frozen=True)
class CountTable:
    jurisdiction: Jurisdiction | None
    definition: str | None
    source: str | None
    freq: str
    rows: list[PeriodRow]
    total: int
    total_rate: Rate | None
    age_standardized: AgeStandardizedRate | None
    age_standardized_note: str  # why there is none, where there is none


def _share_applies(definition: str | None, source: str | None) -> bool:
    return definition is not None and source in (None, Source.EMERGENCY_DEPARTMENT)


def count_table(
    *,
    jurisdiction: Jurisdiction | None,
    definition: str | None,
    source: str | None = None,
    freq: str = "week",
    start: dt.date,
    end: dt.date,
) -> CountTable:
    """Counts per period with rates per 100,000 per year (exact Poisson intervals), the
    share per 10,000 ED visits (ED visits meeting a definition), and the span's
    age-standardized rate where populations by age band exist."""
    series = count_series(
        jurisdiction=jurisdiction,
        definition=definition,
        source=source,
        freq=freq,
        start=start,
        end=end,
    )
    share_applies = _share_applies(definition, source)
    visits = (
        count_series(
            jurisdiction=jurisdiction,
            definition=None,
            source=Source.EMERGENCY_DEPARTMENT,
            freq=freq,
            start=start,
            end=end,
        ).counts
        if share_applies
        else None
    )
    years = {first.year for first in series.periods}
    pk = jurisdiction.pk if jurisdiction is not None else None
    population_by_year = {
        year: (populations_for([pk], year=year)[pk] if pk is not None else None) for year in years
    }
    rows = []
    for i, first in enumerate(series.periods):
        last = next_period(first, freq) - dt.timedelta(days=1)
        count = int(series.counts[i])
        population = population_by_year[first.year]
        person_years = population * ((last - first).days + 1) / DAYS_PER_YEAR if population else 0
        ed_visits = int(visits[i]) if visits is not None else None
        rows.append(
            PeriodRow(
                start=first,
                end=last,
                count=count,
                population=population,
                rate=rate_per(count, person_years, per=100_000) if person_years else None,
                ed_visits=ed_visits,
                share=share_per_10k(count, ed_visits) if ed_visits and count <= ed_visits else None,
            )
        )
    total = int(series.counts.sum())
    span_start, span_end = rows[0].start, rows[-1].end
    span_years = ((span_end - span_start).days + 1) / DAYS_PER_YEAR
    middle_year = (span_start + (span_end - span_start) / 2).year
    population = populations_for([pk], year=middle_year)[pk] if pk is not None else None
    total_rate = rate_per(total, population * span_years, per=100_000) if population else None
    standardized, note = _age_standardized(
        jurisdiction, definition, source, span_start, span_end, middle_year, span_years
    )
    return CountTable(
        jurisdiction=jurisdiction,
        definition=definition,
        source=source,
        freq=freq,
        rows=rows,
        total=total,
        total_rate=total_rate,
        age_standardized=standardized,
        age_standardized_note=note,
    )


def _age_standardized(jurisdiction, definition, source, start, end, year, span_years):
    if jurisdiction is None:
        return None, "The unknown-place bucket has no population."
    if definition is None:
        return None, "Age-standardized rates are kept for case definitions only."
    populations = age_band_populations(jurisdiction.pk, year=year)
    if not populations:
        return None, f"No population by age band is known for {jurisdiction.name}."
    counts = counts_by_age_band(
        jurisdiction=jurisdiction, definition=definition, source=source, start=start, end=end
    )
    person_years = {band: value * span_years for band, value in populations.items()}
    try:
        return age_standardized_rate(counts, person_years), ""
    except RateNotAvailable as error:
        return None, str(error)
