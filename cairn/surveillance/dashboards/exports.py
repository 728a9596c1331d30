"""CSV exports of a dashboard's table and series: the same figures the page shows.

A suppressed count is an empty cell with `suppressed` set to "yes", and so is every figure
computed from it. Text that a spreadsheet would run as a formula is prefixed with an
apostrophe.
"""

import csv
import datetime as dt
import io

from django.utils.text import slugify

from cairn.geography.models import Level
from cairn.surveillance.counts.queries import next_period
from cairn.surveillance.dashboards.geography import Area, Tree
from cairn.surveillance.dashboards.queries import AreaRow, Selection, Series


def _text(value) -> str:
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _number(value, digits: int | None = None) -> str:
    if value is None:
        return ""
    if digits is None:
        return str(int(value))
    return f"{value:.{digits}f}"


def _context(selection: Selection) -> list[str]:
    return [
        selection.definition.slug,
        selection.source or "all",
        selection.start.isoformat(),
        selection.end.isoformat(),
    ]


CONTEXT_HEADER = ["definition", "source", "period_start", "period_end"]


def table_csv(selection: Selection, rows: list[AreaRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = [
        *CONTEXT_HEADER,
        "area_code",
        "area",
        "level",
        "hsda",
        "health_authority",
        "events",
        "suppressed",
        "population",
        "rate_per_100k",
        "rate_low_95",
        "rate_high_95",
    ]
    if selection.shows_share:
        if not selection.published:
            header.append("ed_visits")
        header += ["share_per_10k_ed_visits", "share_low_95", "share_high_95"]
    writer.writerow(header)
    for row in rows:
        line = [
            *_context(selection),
            _text(row.area.code),
            _text(row.area.name),
            _text(row.area.level),
            _text(row.hsda.name if row.hsda else ""),
            _text(row.authority.name if row.authority else ""),
            _number(row.events),
            "yes" if row.suppressed else "no",
            _number(row.population),
            _number(row.rate.value if row.rate else None, 2),
            _number(row.rate.low if row.rate else None, 2),
            _number(row.rate.high if row.rate else None, 2),
        ]
        if selection.shows_share:
            if not selection.published:
                line.append(_number(row.ed_visits))
            line += [
                _number(row.share.value if row.share else None, 2),
                _number(row.share.low if row.share else None, 2),
                _number(row.share.high if row.share else None, 2),
            ]
        writer.writerow(line)
    return out.getvalue()


def series_csv(selection: Selection, area: Area, series: Series) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "definition",
            "source",
            "area_code",
            "area",
            "frequency",
            "period_start",
            "period_end",
            "events",
            "suppressed",
            "expected",
            "upper_bound",
            "alarm",
        ]
    )
    for i, first in enumerate(series.periods):
        start = max(first, selection.start)
        if series.freq == "year":
            end = min(dt.date(first.year, 12, 31), selection.end)
        else:
            end = min(next_period(first, series.freq) - dt.timedelta(days=1), selection.end)
        observed = series.observed[i]
        expected = series.expected[i] if series.expected else None
        upper = series.upperbound[i] if series.upperbound else None
        alarm = "" if expected is None else ("yes" if series.alarms[i] else "no")
        writer.writerow(
            [
                selection.definition.slug,
                selection.source or "all",
                _text(area.code),
                _text(area.name),
                series.freq,
                start.isoformat(),
                end.isoformat(),
                _number(observed),
                "yes" if observed is None else "no",
                _number(expected, 3),
                _number(upper, 3),
                alarm,
            ]
        )
    return out.getvalue()


def table_areas(area: Area, tree: Tree) -> list[Area]:
    """The rows of an area's table export: the area, its parts, then its communities."""
    if area.is_community:
        return [area]
    parts = [c for c in area.children if not c.is_unknown]
    if area.level == Level.PROVINCE:
        parts.append(tree.unknown)
    communities = [c for c in area.communities() if c not in parts]
    return [area, *parts, *communities]


def filename(selection: Selection, area: Area, kind: str) -> str:
    parts = [
        "cairn",
        area.code,
        selection.definition.slug,
        selection.source or "all-sources",
        str(selection.year),
        kind,
    ]
    return slugify("-".join(parts)) + ".csv"
