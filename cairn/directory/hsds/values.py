"""HSDS values <-> model values, losslessly.

A typed HSDS value (a number, a date, a date-time) is stored typed, so Cairn can search and
sort on it. When the text a publisher sent differs from how Cairn writes the value back
("1.50" read as 1.5, "2024-01-05T10:00:00+02:00" stored in UTC), the original text is kept
in `extra["_raw"]` and written back as sent. A field sent as "" is remembered in
`extra["_empty"]` (Cairn leaves blank text fields out of an export).
"""

import datetime as dt
import re

RESERVED_EXTRA = ("_refs", "_raw", "_empty")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def format_number(value: float | int | None):
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def number_text(value) -> str:
    value = format_number(value)
    return "" if value is None else str(value)


def parse_date(text: str) -> dt.date | None:
    if not isinstance(text, str) or not _DATE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def format_date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def parse_datetime(text: str) -> dt.datetime | None:
    if not isinstance(text, str):
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def format_datetime(value: dt.datetime | None) -> str | None:
    """RFC 3339 in UTC with a Z, with milliseconds when there are any (HSDS asks for them)."""
    if value is None:
        return None
    value = value.astimezone(dt.UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        if value.microsecond % 1000 == 0:
            text += f".{value.microsecond // 1000:03d}"
        else:
            text += f".{value.microsecond:06d}"
    return text + "Z"
