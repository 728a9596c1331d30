"""Reading a dashboard's query string: one place, the same for every page and export."""

import datetime as dt
from dataclasses import dataclass

from cairn.surveillance.dashboards.pages import DEFAULT_SORT
from cairn.surveillance.dashboards.queries import (
    SORT_KEYS,
    DashboardQueryError,
    Definition,
    Selection,
    make_selection,
)


@dataclass
class Request:
    selection: Selection
    years: list[int]
    definitions: list[Definition]
    sort: str
    descending: bool


def _clean(value: str | None, name: str, limit: int = 60) -> str:
    value = (value or "").replace("\x00", "").strip()
    if len(value) > limit:
        raise DashboardQueryError(f"{name}: the value is too long ({len(value)} characters).")
    return value


def read_request(query, *, published: bool, today: dt.date) -> Request:
    """The selection a GET query asks for; DashboardQueryError names a bad parameter."""
    year_text = _clean(query.get("year"), "year")
    year = None
    if year_text:
        if not year_text.isdigit() or len(year_text) != 4:
            raise DashboardQueryError(f"year: {year_text!r} is not a year such as 2022.")
        year = int(year_text)
    selection, years, definitions = make_selection(
        definition=_clean(query.get("definition"), "definition") or None,
        source=_clean(query.get("source"), "source") or None,
        freq=_clean(query.get("freq"), "freq") or None,
        year=year,
        published=published,
        today=today,
    )
    sort = _clean(query.get("sort"), "sort") or DEFAULT_SORT[0]
    if sort not in SORT_KEYS:
        raise DashboardQueryError(f"sort: {sort!r} is not one of {', '.join(SORT_KEYS)}.")
    order = _clean(query.get("order"), "order") or ("desc" if DEFAULT_SORT[1] else "asc")
    if order not in ("asc", "desc"):
        raise DashboardQueryError(f"order: {order!r} is not asc or desc.")
    return Request(
        selection=selection,
        years=years,
        definitions=definitions,
        sort=sort,
        descending=order == "desc",
    )
