"""What a ranking is asked for: parameters from a query string, checked, with clear errors.

Shared by the page, the exports and the API, so all three accept the same parameters.
"""

import datetime as dt
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.utils.formats import date_format

from cairn.geography.models import Level
from cairn.surveillance.models import CaseDefinition, Source

DEFAULT_DEFINITION = "all_drug"  # what the community panel counts as an overdose
LEVELS = {"lha": Level.COMMUNITY, "hsda": Level.HSDA}
LEVEL_LABELS = {"lha": "local health areas", "hsda": "health service delivery areas"}
REGIONS = ("health_authority", "province")
DEFAULT_REGION = {"lha": "health_authority", "hsda": "province"}
DEFAULT_TOP = 10
FIRST_YEAR = 2000


class RankingParameterError(ValueError):
    """A ranking was asked for with a bad parameter; the message names it."""


@dataclass(frozen=True)
class RankingParams:
    definition: str
    sources: tuple[str, ...]  # empty: every source
    start: dt.date
    end: dt.date
    level: str = "lha"
    region: str = "health_authority"
    top: int = DEFAULT_TOP

    @property
    def previous_start(self) -> dt.date:
        return _years_before(self.start, 1)

    @property
    def previous_end(self) -> dt.date:
        return self.start - dt.timedelta(days=1)

    @property
    def population_year(self) -> int:
        return _midpoint(self.start, self.end).year

    @property
    def previous_population_year(self) -> int:
        return _midpoint(self.previous_start, self.previous_end).year

    def as_query(self) -> dict[str, str | list[str]]:
        """The parameters as a query string would give them (for links and exports)."""
        query: dict[str, str | list[str]] = {
            "definition": self.definition,
            "end": self.end.isoformat(),
            "level": self.level,
            "region": self.region,
        }
        if self.sources:
            query["source"] = list(self.sources)
        return query


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _midpoint(start: dt.date, end: dt.date) -> dt.date:
    return start + (end - start) / 2


def local_today() -> dt.date:
    return dt.datetime.now(zoneinfo.ZoneInfo(settings.TIME_ZONE)).date()


def _one(query: Mapping, name: str) -> str | None:
    if hasattr(query, "getlist"):
        values = [v for v in query.getlist(name) if v != ""]
    else:
        value = query.get(name)
        values = [] if value in (None, "") else (value if isinstance(value, list) else [value])
    if len(values) > 1:
        raise RankingParameterError(f"Give {name} once, not {len(values)} times.")
    return str(values[0]).strip() if values else None


def _many(query: Mapping, name: str) -> list[str]:
    if hasattr(query, "getlist"):
        values = query.getlist(name)
    else:
        value = query.get(name)
        values = [] if value is None else (value if isinstance(value, list) else [value])
    out: list[str] = []
    for value in values:
        out.extend(part.strip() for part in str(value).split(",") if part.strip())
    return out


def parse_params(query: Mapping, *, today: dt.date | None = None) -> RankingParams:
    """RankingParams from a query string (a QueryDict or a plain dict).

    definition: a case definition slug (default all_drug). source: one or more sources
    (repeat or comma-separate; default every source). year=YYYY ranks that calendar
    year; otherwise end=YYYY-MM-DD ranks the 12 months ending that day (default
    yesterday). level: lha (default) or hsda. region: where rates are smoothed toward,
    health_authority (default for lha) or province (default for hsda).
    """
    today = today or local_today()
    slugs = list(CaseDefinition.objects.values_list("slug", flat=True))
    definition = _one(query, "definition") or (
        DEFAULT_DEFINITION if DEFAULT_DEFINITION in slugs or not slugs else slugs[0]
    )
    # With no definition loaded at all (a fresh database) the page still opens, empty.
    if slugs and definition not in slugs:
        known = ", ".join(sorted(slugs)) or "none loaded"
        raise RankingParameterError(
            f"definition: no case definition {definition!r} (known: {known})."
        )
    sources = tuple(dict.fromkeys(_many(query, "source")))
    for source in sources:
        if source not in Source.values:
            raise RankingParameterError(
                f"source: {source!r} is not one of {', '.join(Source.values)}."
            )
    level = _one(query, "level") or "lha"
    if level not in LEVELS:
        raise RankingParameterError(f"level must be lha or hsda, not {level!r}.")
    region = _one(query, "region") or DEFAULT_REGION[level]
    if region not in REGIONS:
        raise RankingParameterError(f"region must be health_authority or province, not {region!r}.")
    year = _one(query, "year")
    end_text = _one(query, "end")
    if year is not None and end_text is not None:
        raise RankingParameterError("Give either year or end, not both.")
    if year is not None:
        try:
            year_number = int(year)
        except ValueError:
            raise RankingParameterError(f"year must be a year like 2024, not {year!r}.") from None
        if not FIRST_YEAR <= year_number <= today.year:
            raise RankingParameterError(
                f"year must be between {FIRST_YEAR} and {today.year}, not {year_number}."
            )
        start, end = dt.date(year_number, 1, 1), dt.date(year_number, 12, 31)
    else:
        if end_text is None:
            end = today - dt.timedelta(days=1)
        else:
            try:
                end = dt.date.fromisoformat(end_text)
            except ValueError:
                raise RankingParameterError(
                    f"end must be a date like 2025-05-31, not {end_text!r}."
                ) from None
            if not dt.date(FIRST_YEAR, 1, 1) <= end <= today:
                raise RankingParameterError(
                    f"end must be between {FIRST_YEAR}-01-01 and today, not {end}."
                )
        start = _years_before(end, 1) + dt.timedelta(days=1)
    return RankingParams(
        definition=definition,
        sources=sources,
        start=start,
        end=end,
        level=level,
        region=region,
    )


def period_label(start: dt.date, end: dt.date) -> str:
    return f"12 months from {date_format(start, 'j F Y')} to {date_format(end, 'j F Y')}"


def sources_label(sources: tuple[str, ...]) -> str:
    if not sources:
        return "all sources"
    labels = dict(Source.choices)
    return ", ".join(labels[s].lower() + "s" for s in sources)
