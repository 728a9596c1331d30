"""URL permission rows: Counts and rates over the API (cairn/api/counts.py).

A jurisdiction's counts are for those whose organizations cover it; the province's
and the unknown-place bucket's for wide-area roles only.
"""

from tests.url_rows.common import WIDE_AREA, Visit, community_visits

ROWS: dict[str, list[Visit]] = {
    "api:counts": [
        *community_visits(),
        Visit(frozenset(WIDE_AREA), kwargs={"code": "bc"}),
        Visit(frozenset(WIDE_AREA), kwargs={"code": "unknown"}),
    ],
}
