"""URL permission rows: referrals."""

from tests.url_rows.common import Visit  # noqa: F401

ROWS: dict[str, list[Visit]] = {}
