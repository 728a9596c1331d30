"""URL permission rows: Counts and rates over the API."""

from tests.url_rows.common import (  # noqa: F401
    ANONYMOUS,
    EVERY_PERSONA,
    PUBLIC,
    Visit,
    community_visits,
)

ROWS: dict[str, list[Visit]] = {}
