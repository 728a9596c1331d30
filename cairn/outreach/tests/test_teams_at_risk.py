# ruff: noqa: F811  (fixtures imported from teams_fixtures are used as arguments)
"""The at-risk view: its communities' figures, alerts, ranking and cascade, all aggregate;
small counts suppressed for members whose tier is below the line list, exact for a
clinical member."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from cairn.outreach.at_risk import at_risk_for
from cairn.outreach.tests.teams_fixtures import (  # noqa: F401
    northern_clinician,
    pg_team,
)
from cairn.surveillance.definitions import load_default_definitions
from cairn.surveillance.models import CaseDefinition
from cairn.surveillance.models.alerts import Alert
from cairn.surveillance.models.counts import DailyCount

pytestmark = pytest.mark.django_db


def _first_complete_month_days(n: int) -> list[dt.date]:
    """Mondays early in the current year, inside what a published view shows."""
    year = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).year
    first = dt.date(year, 1, 5)
    first += dt.timedelta(days=(7 - first.weekday()) % 7)
    return [first + dt.timedelta(weeks=i) for i in range(n)]


@pytest.fixture
def pg_figures(pg_team, prince_george):
    """Three ED overdose visits (a small count), 60 paramedic events, one open alert."""
    load_default_definitions()
    definition = CaseDefinition.objects.get(slug="all_drug")
    days = _first_complete_month_days(10)
    rows = [
        DailyCount(
            community=prince_george, day=days[0], source="ed", definition=definition, count=2
        ),
        DailyCount(
            community=prince_george, day=days[3], source="ed", definition=definition, count=1
        ),
    ]
    rows += [
        DailyCount(
            community=prince_george, day=day, source="paramedic", definition=definition, count=6
        )
        for day in days
    ]
    DailyCount.objects.bulk_create(rows)
    Alert.objects.create(
        community=prince_george,
        definition=definition,
        source="ed",
        episode_key=f"{prince_george.pk}:{definition.pk}:ed",
        method="ears-c2",
        period="day",
        period_start=days[0],
        period_end=days[0],
        observed=3,
        expected=0.4,
        upperbound=1.9,
    )
    return definition


def _count_cell(html: str, source: str) -> str:
    match = re.search(rf'<tr data-source="{source}">.*?<td class="num">(.*?)</td>', html, re.S)
    assert match, source
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_a_police_member_sees_small_counts_suppressed(client, police_liaison, pg_team, pg_figures):
    client.force_login(police_liaison)
    response = client.get(f"/teams/{pg_team.slug}/at-risk/")
    assert response.status_code == 200
    html = response.content.decode()
    assert _count_cell(html, "ed") == "suppressed"
    assert _count_cell(html, "paramedic") == "60"
    assert _count_cell(html, "coroner") == "0"
    assert "Small counts are suppressed" in html
    assert "fewer than 5 events" in html  # the alert's observed count
    assert "<summary>Yearly" in html and "<summary>Weekly" not in html  # yearly for a community
    assert "Opioid agonist treatment cascade" in html
    # Nobody with a case here: one sentence, not a table of zeros.
    assert "Nobody whose home community is Prince George has opioid use disorder" in html


def test_a_clinical_member_sees_exact_weekly_counts(
    client, northern_clinician, pg_team, pg_figures
):
    client.force_login(northern_clinician)
    html = client.get(f"/teams/{pg_team.slug}/at-risk/").content.decode()
    assert _count_cell(html, "ed") == "3"
    assert "Exact counts" in html
    assert "<summary>Weekly" in html
    assert "3 events" in html


def test_the_view_reuses_the_ranking_with_intervals(police_liaison, pg_team, pg_figures):
    view = at_risk_for(police_liaison, pg_team)
    ranking = view.communities[0].ranking
    assert view.ranking is not None
    if ranking.row is not None and not ranking.hidden:
        assert ranking.row.rank_low <= ranking.row.rank <= ranking.row.rank_high
    else:
        assert ranking.reason


def test_every_figure_is_aggregate_for_every_member(client, personas, pg_team, pg_figures):
    for key in ["outreach_worker", "municipal_coordinator", "peer_worker", "service_intake"]:
        client.force_login(personas[key])
        html = client.get(f"/teams/{pg_team.slug}/at-risk/").content.decode()
        assert _count_cell(html, "ed") == "suppressed", key
        assert "/cases/clients/" not in html, key


def test_outsiders_are_refused(client, er_nurse, pg_team):
    client.force_login(er_nurse)
    assert client.get(f"/teams/{pg_team.slug}/at-risk/").status_code == 403


def test_without_definitions_the_view_says_so(client, police_liaison, pg_team):
    CaseDefinition.objects.update(active=False)  # the migrations load the shipped ones
    client.force_login(police_liaison)
    html = client.get(f"/teams/{pg_team.slug}/at-risk/").content.decode()
    assert "No case definition is active yet" in html
