"""URL permission rows: The ranking of high-overdose communities."""

from tests.url_rows.common import (  # noqa: F401
    ANONYMOUS,
    EVERY_PERSONA,
    PUBLIC,
    Visit,
    community_visits,
)

ROWS: dict[str, list[Visit]] = {}
