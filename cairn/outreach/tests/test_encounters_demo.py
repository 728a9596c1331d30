"""The demo's encounters: a year per team, shaped by group and month, loaded once."""

import datetime as dt
from collections import Counter

import pytest

from cairn.demo.encounters import load_demo_encounters
from cairn.outreach.indicators import team_indicators
from cairn.outreach.models import Encounter
from cairn.outreach.tests import encounter_fixtures

northern_nurse = encounter_fixtures.northern_nurse
pg_team = encounter_fixtures.pg_team

pytestmark = pytest.mark.django_db

END = dt.date(2026, 10, 31)


def test_a_year_of_encounters_once_per_team(pg_team, outreach_worker, peer_worker):
    added = load_demo_encounters(end=END)
    assert 700 <= added <= 1300  # about 75 a month, more in winter
    assert load_demo_encounters(end=END) == 0
    assert Encounter.objects.count() == added

    rows = Encounter.objects.filter(team=pg_team)
    first, last = rows.order_by("occurred_on").first(), rows.order_by("occurred_on").last()
    assert first.occurred_on >= END - dt.timedelta(days=364)
    assert last.occurred_on <= END
    recorders = set(rows.values_list("recorded_by_name", flat=True))
    assert recorders <= {"outreach.worker", "peer.worker", "fn.partner"}
    assert "outreach.worker" in recorders

    groups = Counter(rows.values_list("group", flat=True))
    assert groups.most_common(1)[0][0] == "street_involved"
    assert groups["first_nations"] > groups["recreational"]

    by_month = Counter(d.month for d in rows.values_list("occurred_on", flat=True))
    assert by_month[1] + by_month[12] > by_month[6] + by_month[7]

    totals = team_indicators(pg_team, start=dt.date(2025, 11, 1), end=END).totals
    assert totals["encounters"] == added
    assert 0 < totals["treatment"] < totals["encounters"] // 5
    assert totals["naloxone_kits"] > totals["trained"]


def test_with_the_demo_teams_every_team_with_a_partner_gets_its_year(personas):
    from cairn.demo.teams import load_demo_teams
    from cairn.outreach.models import Team

    load_demo_teams()
    added = load_demo_encounters(end=END)
    counts = Counter(Encounter.objects.values_list("team__name", flat=True))
    assert sum(counts.values()) == added
    prince_george = Team.objects.get(communities__code="bc-lha-prince-george")
    assert counts[prince_george.name] == max(counts.values())
    assert len(counts) >= 3
    assert load_demo_encounters(end=END) == 0
