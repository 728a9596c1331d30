"""URL permission rows: The ranking of high-overdose communities.

The ranking is aggregate data: every signed-in persona may open the page, its exports
and the API (which rows and figures each sees is tested in
cairn/surveillance/tests/test_ranking_access.py).
"""

from tests.url_rows.common import (  # noqa: F401
    ANONYMOUS,
    EVERY_PERSONA,
    PUBLIC,
    Visit,
    community_visits,
)

ROWS: dict[str, list[Visit]] = {
    "ranking:ranking": [Visit(EVERY_PERSONA)],
    "ranking:ranking_csv": [Visit(EVERY_PERSONA)],
    "ranking:ranking_pdf": [Visit(EVERY_PERSONA)],
    "api:ranking": [Visit(EVERY_PERSONA)],
}
