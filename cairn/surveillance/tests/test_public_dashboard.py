"""The public dashboard: open to anyone, published figures only, nothing recoverable.

The walk below reads every public page and CSV for many parameter combinations as an
anonymous visitor and checks every count on them; then, from the CSVs alone (what anyone
can download), it forms every sum a reader could use and shows by linear programming that
each suppressed count could still be any of at least four values.
"""

import csv
import io
import itertools
import re

import pytest

from cairn.geography.models import Level
from cairn.surveillance.dashboards.testing import feasible_ranges, load_dashboard_counts

pytestmark = pytest.mark.django_db

YEAR = 2024
AUTHORITIES = [
    "bc-ha-fraser",
    "bc-ha-interior",
    "bc-ha-northern",
    "bc-ha-vancouver-coastal",
    "bc-ha-vancouver-island",
]


@pytest.fixture
def counts(bc_geography):
    return load_dashboard_counts()


def page_counts(html: str) -> list[int]:
    """Every count a page shows: table and summary cells, and the chart's points."""
    found = [int(n) for n in re.findall(r'data-count="(\d+)"', html)]
    found += [int(n.replace(",", "")) for n in re.findall(r'data-value="([\d,]+)"', html)]
    return found


def csv_rows(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200, url
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_anyone_can_open_the_province_and_authorities(client, counts):
    response = client.get("/public/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Overdoses in British Columbia" in html
    assert "What these numbers mean" in html
    assert 'href="/public/bc-ha-northern/' in html
    assert client.get("/public/bc-ha-northern/").status_code == 200
    # No page below the health authorities, and no signed-in dashboard links.
    assert client.get("/public/bc-lha-prince-george/").status_code == 404
    assert "/surveillance/dashboard/" not in html


def test_public_pages_never_link_to_records_or_show_person_language_problems(client, counts):
    html = client.get(f"/public/?definition=opioid&year={YEAR}").content.decode().lower()
    for word in ("addict", "abuser", "/surveillance/events/", "event_detail"):
        assert word not in html
    assert "people who use drugs" in html


def test_unknown_place_is_one_published_count(client, counts):
    html = client.get(f"/public/?definition=opioid&year={YEAR}").content.decode()
    row = re.search(r'<tr data-code="unknown">(.*?)</tr>', html, re.S).group(1)
    assert "Place not known" in row
    assert "<a " not in row  # no page, no detail
    assert client.get("/public/unknown/").status_code == 404


COMBINATIONS = list(
    itertools.product(
        ["opioid", "stimulant"], ["", "ed", "coroner", "paramedic"], ["week", "month"]
    )
)


def test_no_count_from_1_to_4_on_any_public_page_or_csv(client, counts):
    checked = 0
    for definition, source, freq in COMBINATIONS:
        query = f"?definition={definition}&source={source}&freq={freq}&year={YEAR}"
        for path in ["/public/", *(f"/public/{code}/" for code in AUTHORITIES)]:
            response = client.get(path + query)
            assert response.status_code == 200, path + query
            numbers = page_counts(response.content.decode())
            assert numbers, path + query
            small = [n for n in numbers if 1 <= n <= 4]
            assert not small, f"{path}{query} shows {small}"
            checked += len(numbers)
        for code in ["bc", *AUTHORITIES]:
            for kind in ("table", "series"):
                for row in csv_rows(client, f"/public/{code}/{kind}.csv{query}"):
                    if row["events"]:
                        assert not 1 <= int(row["events"]) <= 4, (code, kind, query, row)
                        checked += 1
                    else:
                        assert row["suppressed"] == "yes"
                        for column in ("rate_per_100k", "share_per_10k_ed_visits", "expected"):
                            assert not row.get(column), (column, row)
    assert checked > 10_000


def _published_equations(client, query: str):
    """Every sum a reader can form from the public CSVs, and what they show."""
    shown, equations = {}, []

    def value(row):
        return int(row["events"]) if row["events"] else None

    province = csv_rows(client, f"/public/bc/table.csv{query}")
    by_authority: dict[str, list] = {}
    for row in province:
        shown[("y", row["area_code"])] = value(row)
        if row["level"] == Level.COMMUNITY:
            by_authority.setdefault(row["health_authority"], []).append(("y", row["area_code"]))
    authorities = {r["area"]: r["area_code"] for r in province if r["level"] == "health_authority"}
    parts = [("y", code) for code in authorities.values()] + [("y", "unknown")]
    equations.append((("y", "bc"), tuple(parts)))
    for name, code in authorities.items():
        equations.append((("y", code), tuple(by_authority[name])))
        by_hsda: dict[str, list] = {}
        hsdas = []
        for row in csv_rows(client, f"/public/{code}/table.csv{query}"):
            shown[("y", row["area_code"])] = value(row)
            if row["level"] == Level.HSDA:
                hsdas.append((row["area"], ("y", row["area_code"])))
            elif row["level"] == Level.COMMUNITY:
                by_hsda.setdefault(row["hsda"], []).append(("y", row["area_code"]))
        equations.append((("y", code), tuple(key for _, key in hsdas)))
        equations += [(key, tuple(by_hsda[hsda])) for hsda, key in hsdas]
    for freq in ("week", "month"):
        series_query = re.sub(r"freq=\w+", f"freq={freq}", query)
        periods: dict[str, list] = {}
        for code in ["bc", *authorities.values()]:
            rows = csv_rows(client, f"/public/{code}/series.csv{series_query}")
            keys = []
            for row in rows:
                key = (freq, code, row["period_start"])
                shown[key] = value(row)
                keys.append(key)
                periods.setdefault(row["period_start"], []).append(key)
            equations.append((("y", code), tuple(keys)))
        # Each period: the province is its authorities plus the unknown place (whose
        # series is never published: a reader can only bound it below by 0).
        for start, keys in periods.items():
            province_key = (freq, "bc", start)
            others = tuple(k for k in keys if k != province_key) + ((freq, "unknown", start),)
            equations.append((province_key, others))
    return shown, equations


@pytest.mark.parametrize(
    ("definition", "source"), [("stimulant", ""), ("stimulant", "paramedic"), ("opioid", "ed")]
)
def test_no_suppressed_count_can_be_worked_out_from_the_totals(client, counts, definition, source):
    shown, equations = _published_equations(
        client, f"?definition={definition}&source={source}&freq=week&year={YEAR}"
    )
    hidden = [k for k, v in shown.items() if v is None]
    assert hidden, "these figures are small enough that some are suppressed"
    for key, (low, high) in feasible_ranges(equations, shown).items():
        assert high - low >= 3 - 1e-6, f"{key} can be narrowed to {low:g}..{high:g}"


def test_public_csv_leaves_out_ed_visit_counts(client, counts):
    rows = csv_rows(client, f"/public/bc/table.csv?definition=opioid&source=ed&year={YEAR}")
    assert "ed_visits" not in rows[0]
    assert "share_per_10k_ed_visits" in rows[0]


def test_public_daily_counts_are_refused(client, counts):
    response = client.get(f"/public/?definition=opioid&freq=day&year={YEAR}")
    assert response.status_code == 400
