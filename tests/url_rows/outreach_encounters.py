"""URL permission rows: outreach encounters and team indicators."""

from tests.url_rows.common import Visit  # noqa: F401

ROWS: dict[str, list[Visit]] = {}
