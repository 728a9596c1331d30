"""Signed-in dashboards: coverage, data tier, the chart and its band, sorting, CSV, errors."""

import csv
import datetime as dt
import io
import re

import pytest
from django.db.models import Sum

from cairn.geography.models import Jurisdiction, Level
from cairn.surveillance.dashboards.queries import make_selection, published_counts
from cairn.surveillance.dashboards.testing import load_dashboard_counts
from cairn.surveillance.models import CaseDefinition
from cairn.surveillance.models.counts import DailyCount

pytestmark = pytest.mark.django_db

YEAR = 2024
QUERY = f"?definition=opioid&year={YEAR}"


@pytest.fixture
def counts(bc_geography):
    return load_dashboard_counts()


def url(code, suffix="", query=QUERY):
    return f"/surveillance/dashboard/{code}/{suffix}{query}"


def exact_total(definition_id, *, communities=None, unknown=False, source=None):
    rows = DailyCount.objects.filter(
        definition_id=definition_id, day__gte=dt.date(YEAR, 1, 1), day__lte=dt.date(YEAR, 12, 31)
    )
    if source:
        rows = rows.filter(source=source)
    if unknown:
        rows = rows.filter(community__isnull=True)
    elif communities is not None:
        rows = rows.filter(community__in=communities)
    return rows.aggregate(n=Sum("count"))["n"] or 0


def row_count(html: str, code: str) -> str:
    """The events cell of the table row for an area: its number, or "suppressed"."""
    match = re.search(
        rf'<tr data-code="{re.escape(code)}">.*?<td class="num">(.*?)</td>', html, re.S
    )
    assert match, f"no row for {code}"
    cell = match.group(1)
    number = re.search(r'data-count="(\d+)"', cell)
    return number.group(1) if number else "suppressed"


def test_epidemiologist_sees_exact_figures_for_the_province(client, epidemiologist, counts):
    client.force_login(epidemiologist)
    response = client.get(url("bc"))
    assert response.status_code == 200
    html = response.content.decode()
    prince_george = Jurisdiction.objects.get(code="bc-lha-prince-george")
    assert row_count(html, prince_george.code) == str(
        exact_total(counts["opioid"], communities=[prince_george])
    )
    assert row_count(html, "unknown") == str(exact_total(counts["opioid"], unknown=True))
    province = exact_total(counts["opioid"])
    assert f'data-count="{province}"' in html
    assert "Exact counts" in html
    assert 'class="suppressed' not in html


def test_weekly_chart_has_the_farrington_band(client, epidemiologist, counts):
    client.force_login(epidemiologist)
    html = client.get(url("bc", query=QUERY + "&freq=week")).content.decode()
    assert '<svg class="series-chart"' in html
    assert 'class="band"' in html and 'class="expected"' in html
    assert "Farrington flexible" in html
    desc = re.search(r'<desc id="series-chart-desc">(.*?)</desc>', html).group(1)
    assert desc.startswith("Weekly events from week of 1 Jan 2024 to week of 30 Dec 2024.")
    # Each whole week's point says its expected count; the last week, cut at 31 December,
    # gets none.
    tips = re.findall(r'data-period="([\d-]+)"[^>]*><title>([^<]*)</title>', html)
    assert len(tips) == 53
    assert all(", expected " in tip for _, tip in tips[:-1])
    assert ", expected " not in tips[-1][1]


def test_daily_chart_uses_ears_c2(client, epidemiologist, counts):
    client.force_login(epidemiologist)
    html = client.get(url("bc-ha-fraser", query=QUERY + "&freq=day")).content.decode()
    assert "EARS C2" in html
    assert "Daily events from 1 Jan 2024 to 31 Dec 2024." in html


def test_police_liaison_sees_published_figures_for_prince_george(client, police_liaison, counts):
    client.force_login(police_liaison)
    response = client.get(url("bc-lha-prince-george"))
    assert response.status_code == 200
    html = response.content.decode()
    selection, _, _ = make_selection(
        definition="opioid",
        source=None,
        freq="week",
        year=YEAR,
        published=True,
        today=dt.date.today(),
    )
    prince_george = Jurisdiction.objects.get(code="bc-lha-prince-george")
    published = published_counts(selection).totals[prince_george.pk]
    shown = re.search(r"<dt>Events</dt><dd>(.*?)</dd>", html, re.S).group(1)
    if published is None:
        assert "suppressed" in shown
    else:
        assert f'data-count="{published}"' in shown
    assert "Counts from 1 to 4 are suppressed" in html
    # A small area's series is yearly, each year's published total.
    assert "Yearly figures" in html
    assert "Yearly events from 2022 to 2024." in html


@pytest.mark.parametrize(
    ("persona", "code", "status"),
    [
        ("police_liaison", "bc", 403),
        ("police_liaison", "bc-ha-northern", 403),
        ("police_liaison", "bc-lha-abbotsford", 403),
        ("regional_epidemiologist", "bc-ha-fraser", 200),
        ("regional_epidemiologist", "bc-lha-abbotsford", 200),
        ("regional_epidemiologist", "bc-lha-prince-george", 403),
        ("first_nations_partner", "bc-ha-northern", 200),
        ("administrator", "bc", 200),
    ],
)
def test_areas_open_only_to_those_who_cover_them(client, personas, counts, persona, code, status):
    client.force_login(personas[persona])
    assert client.get(url(code)).status_code == status


def test_aggregate_tier_on_a_wide_area_sees_the_public_figures(client, administrator, counts):
    client.force_login(administrator)
    signed_in = client.get(url("bc")).content.decode()
    client.logout()
    public = client.get(f"/public/{QUERY}").content.decode()
    cells = re.compile(r'<tr data-code="([^"]+)">.*?<td class="num">(.*?)</td>', re.S)
    assert cells.findall(signed_in) == cells.findall(public)
    assert "You see published figures" in signed_in


def test_community_table_sorts_by_any_column(client, epidemiologist, counts):
    client.force_login(epidemiologist)
    html = client.get(url("bc", query=QUERY + "&sort=events&order=desc")).content.decode()
    table = html[html.index('id="community-table"') :]
    events = [
        int(n) for n in re.findall(r'<td class="num"><span class="count" data-count="(\d+)"', table)
    ]
    assert len(events) == 89
    assert events == sorted(events, reverse=True)
    assert 'aria-sort="descending"' in table
    html = client.get(url("bc", query=QUERY + "&sort=name&order=asc")).content.decode()
    table = html[html.index('id="community-table"') :]
    names = re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', table)
    assert names == sorted(names, key=str.lower)


def test_sorting_with_htmx_returns_only_the_table(client, epidemiologist, counts):
    client.force_login(epidemiologist)
    response = client.get(
        url("bc-ha-fraser", query=QUERY + "&sort=rate&order=asc"), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="panel dashboard-section" id="community-table"')
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_suppressed_rows_sort_last_whichever_the_order(client, administrator, counts):
    client.force_login(administrator)
    for order in ("asc", "desc"):
        html = client.get(
            url("bc", query=f"?definition=stimulant&year={YEAR}&sort=events&order={order}")
        ).content.decode()
        table = html[html.index('id="community-table"') :]
        cells = re.findall(r'<td class="num">(<span class="(?:suppressed )?count"[^>]*>)', table)
        flags = ["suppressed" in c for c in cells]
        assert any(flags), "stimulant counts are small enough that some are suppressed"
        assert flags == sorted(flags), "every suppressed row comes after every shown one"


def test_table_csv_matches_the_counts(client, epidemiologist, counts):
    client.force_login(epidemiologist)
    response = client.get(url("bc-ha-northern", "table.csv", QUERY + "&source=ed"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    northern = Jurisdiction.objects.get(code="bc-ha-northern")
    levels = [r["level"] for r in rows]
    assert levels[0] == Level.HEALTH_AUTHORITY and levels.count(Level.HSDA) == 3
    by_code = {r["area_code"]: r for r in rows}
    communities = Jurisdiction.objects.filter(
        level=Level.COMMUNITY, path__startswith=northern.path + "/"
    )
    assert int(by_code[northern.code]["events"]) == exact_total(
        counts["opioid"], communities=communities, source="ed"
    )
    prince_george = by_code["bc-lha-prince-george"]
    assert prince_george["hsda"] == "Northern Interior"
    assert float(prince_george["rate_low_95"]) < float(prince_george["rate_per_100k"])
    assert int(prince_george["ed_visits"]) > 0
    assert float(prince_george["share_per_10k_ed_visits"]) == pytest.approx(
        int(prince_george["events"]) / int(prince_george["ed_visits"]) * 10_000, abs=0.01
    )


def test_series_csv_has_the_band(client, epidemiologist, counts):
    client.force_login(epidemiologist)
    response = client.get(url("bc", "series.csv", QUERY + "&freq=week"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 53  # 1 Jan 2024 is a Monday; the last week is clipped at 31 Dec
    assert rows[0]["period_start"] == "2024-01-01" and rows[-1]["period_end"] == "2024-12-31"
    assert sum(int(r["events"]) for r in rows) == exact_total(counts["opioid"])
    assert all(r["expected"] for r in rows[:-1])  # the clipped last week gets no band
    assert rows[-1]["expected"] == ""


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?year=20x4", "year: &#x27;20x4&#x27; is not a year"),
        ("?year=1999", "year: 1999 has no counts to show"),
        ("?definition=no-such", "definition: no active case definition"),
        ("?source=fax", "source: &#x27;fax&#x27; is not one of"),
        ("?freq=hour", "freq: &#x27;hour&#x27; is not one of"),
        ("?sort=shoe", "sort: &#x27;shoe&#x27; is not one of"),
        ("?order=up", "order: &#x27;up&#x27; is not asc or desc"),
    ],
)
def test_bad_parameters_are_named(client, epidemiologist, counts, query, message):
    client.force_login(epidemiologist)
    response = client.get(url("bc", query=query))
    assert response.status_code == 400
    assert message in response.content.decode()


def test_daily_counts_are_for_line_list_tiers_only(client, administrator, counts):
    client.force_login(administrator)
    response = client.get(url("bc", query=QUERY + "&freq=day"))
    assert response.status_code == 400
    assert "freq: &#x27;day&#x27; is not one of week, month" in response.content.decode()


def test_index_sends_members_to_their_widest_area(client, personas, counts):
    client.force_login(personas["regional_epidemiologist"])
    response = client.get("/surveillance/dashboard/?year=2024")
    assert response.status_code == 302
    assert response.url == "/surveillance/dashboard/bc-ha-fraser/?year=2024"


def test_nothing_to_show_without_definitions(client, epidemiologist):
    CaseDefinition.objects.update(active=False)  # the migrations load the shipped ones
    client.force_login(epidemiologist)
    response = client.get("/surveillance/dashboard/bc/")
    assert response.status_code == 200
    assert "No case definition is active yet" in response.content.decode()
