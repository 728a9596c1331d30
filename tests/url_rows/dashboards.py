"""URL permission rows: surveillance dashboards (cairn/surveillance/urls_dashboards.py) and the
public dashboard (cairn/surveillance/urls_public.py).

Signed-in dashboards: every member may open the areas their organizations cover (the
province for wide-area roles); the index sends each persona on to their widest area
(302). The public dashboard answers everyone, signed in or not, for the province and the
health authorities; other areas are 404 there, for everyone.
"""

from tests.url_rows.common import (
    EVERY_PERSONA,
    PRINCE_GEORGE,
    PUBLIC,
    WIDE_AREA,
    Visit,
    community_visits,
)

PROVINCE = "bc"
NORTHERN = "bc-ha-northern"
FRASER = "bc-ha-fraser"
VANCOUVER_COASTAL = "bc-ha-vancouver-coastal"
NORTHERN_INTERIOR = "bc-hsda-northern-interior"

# Who may open each wider area, written out by hand from the personas' coverage.
AREA_COVERED_BY = {
    PROVINCE: frozenset(WIDE_AREA),
    NORTHERN: frozenset({"first_nations_partner", *WIDE_AREA}),
    FRASER: frozenset({"regional_epidemiologist", *WIDE_AREA}),
    VANCOUVER_COASTAL: frozenset({"er_nurse", *WIDE_AREA}),
    NORTHERN_INTERIOR: frozenset({"first_nations_partner", *WIDE_AREA}),
}


def _area_visits() -> list[Visit]:
    return [
        *community_visits(),
        *(Visit(allowed, kwargs={"code": code}) for code, allowed in AREA_COVERED_BY.items()),
        # An unknown code: 404 for every member (the decorator refuses anonymous first).
        Visit(EVERY_PERSONA, kwargs={"code": "no-such-area"}, success=404),
    ]


def _public_visits(extra: list[Visit] | None = None) -> list[Visit]:
    return [
        Visit(PUBLIC, kwargs={"code": PROVINCE}),
        Visit(PUBLIC, kwargs={"code": NORTHERN}),
        Visit(PUBLIC, kwargs={"code": FRASER}),
        # Communities and HSDAs have no public page: 404 for everyone, never their figures.
        Visit(PUBLIC, kwargs={"code": PRINCE_GEORGE}, success=404),
        Visit(PUBLIC, kwargs={"code": NORTHERN_INTERIOR}, success=404),
        Visit(PUBLIC, kwargs={"code": "no-such-area"}, success=404),
        *(extra or []),
    ]


ROWS: dict[str, list[Visit]] = {
    "dashboards:index": [Visit(EVERY_PERSONA, success=302)],
    "dashboards:area": _area_visits(),
    "dashboards:table_csv": _area_visits(),
    "dashboards:series_csv": _area_visits(),
    "public:index": [Visit(PUBLIC)],
    # The province's own code redirects to the public index.
    "public:area": [
        Visit(PUBLIC, kwargs={"code": PROVINCE}, success=302),
        *[v for v in _public_visits() if v.kwargs["code"] != PROVINCE],
    ],
    "public:table_csv": _public_visits(),
    "public:series_csv": _public_visits(),
}
