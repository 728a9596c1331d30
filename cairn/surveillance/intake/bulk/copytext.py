"""Values written as PostgreSQL's `COPY … FROM STDIN` text format reads them.

Lines are built as plain strings, so a batch is one string sent with one call: no
per-value adaptation. Text that holds a backslash, tab, newline or carriage return
is escaped; NUL, which PostgreSQL text cannot hold, becomes U+FFFD.
"""

import datetime as dt
import json
import re

NULL = "\\N"
SPECIAL = re.compile(r"[\\\t\n\r\x00]")
_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r", "\x00": "\ufffd"}


def _escape(match: re.Match) -> str:
    return _ESCAPES[match.group()]


def text(value: str | None) -> str:
    if value is None:
        return NULL
    if SPECIAL.search(value) is None:
        return value
    return SPECIAL.sub(_escape, value)


def json_list(values) -> str:
    return text(json.dumps(list(values))) if values else "[]"


def boolean(value: bool | None) -> str:
    return NULL if value is None else ("t" if value else "f")


def integer(value: int | None) -> str:
    return NULL if value is None else str(int(value))


def date(value: dt.date | None) -> str:
    return NULL if value is None else value.isoformat()
