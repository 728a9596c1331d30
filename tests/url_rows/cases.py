"""URL permission rows: case management (cairn/cases/urls.py, cairn/api/cases.py)."""

from tests.url_rows.common import (  # noqa: F401
    ANONYMOUS,
    EVERY_PERSONA,
    PUBLIC,
    Visit,
    community_visits,
)

ROWS: dict[str, list[Visit]] = {}
