"""URL permission rows: campaigns, language."""

from tests.url_rows.common import EVERY_PERSONA, Visit  # noqa: F401

ROWS: dict = {}
