"""URL permission rows: Alerts, the inbox and subscriptions."""

from tests.url_rows.common import (  # noqa: F401
    ANONYMOUS,
    EVERY_PERSONA,
    PUBLIC,
    Visit,
    community_visits,
)

ROWS: dict[str, list[Visit]] = {}
