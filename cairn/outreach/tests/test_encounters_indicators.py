"""Team indicators, counted by hand on a small set; suppressed beyond the team."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from cairn.outreach.indicators import indicators_for_viewer, month_start, team_indicators
from cairn.outreach.models import Encounter, Team
from cairn.outreach.tests import encounter_fixtures
from cairn.outreach.tests.encounter_fixtures import record

northern_nurse = encounter_fixtures.northern_nurse
pg_team = encounter_fixtures.pg_team

pytestmark = pytest.mark.django_db

MEASURES = [
    "encounters",
    "naloxone_kits",
    "trained",
    "drug_checking",
    "treatment",
    "housing",
    "oerc",
]


def counts(*values):
    return dict(zip(MEASURES, values, strict=True))


@pytest.fixture
def months():
    this_month = timezone.localdate()
    last_month = month_start(this_month) - dt.timedelta(days=1)
    return last_month, this_month


@pytest.fixture
def small_set(outreach_worker, peer_worker, pg_team, months, prince_george):
    last, this = months
    w = outreach_worker
    record(
        w,
        pg_team,
        occurred_on=last.isoformat(),
        group="street_involved",
        naloxone_kits=2,
        naloxone_training=True,
        connected_to_treatment=True,
    )
    record(
        w,
        pg_team,
        occurred_on=last.isoformat(),
        group="street_involved",
        naloxone_kits=1,
        drug_checking_referral=True,
    )
    record(
        peer_worker,
        pg_team,
        occurred_on=last.isoformat(),
        group="first_nations",
        connected_to_housing=True,
        connected_to_oerc=True,
    )
    record(
        w,
        pg_team,
        occurred_on=this.isoformat(),
        group="recreational",
        naloxone_kits=3,
        naloxone_training=True,
        drug_checking_referral=True,
    )
    record(w, pg_team, occurred_on=this.isoformat(), group="not_assessed", information=True)
    record(
        peer_worker,
        pg_team,
        occurred_on=this.isoformat(),
        group="street_involved",
        naloxone_kits=1,
        connected_to_treatment=True,
        connected_to_housing=True,
    )
    voided = record(
        w,
        pg_team,
        occurred_on=this.isoformat(),
        group="street_involved",
        naloxone_kits=4,
        connected_to_treatment=True,
    )
    Encounter.objects.filter(pk=voided.pk).update(voided_at=timezone.now(), void_reason="twice")
    # Another team's encounter is not counted.
    other = Team.objects.create(name="Another team", slug="another")
    other.communities.set([prince_george])
    Encounter.objects.create(
        team=other,
        organization=pg_team.members.first().organization,
        recorded_by_name="x",
        occurred_on=this,
        community=prince_george,
        naloxone_kits=5,
    )
    return last, this


def test_indicators_counted_by_hand(pg_team, small_set):
    last, this = small_set
    indicators = team_indicators(pg_team)

    assert len(indicators.months) == 12
    assert indicators.months[-1] == month_start(this)
    assert indicators.totals == counts(6, 7, 2, 2, 2, 2, 1)
    assert indicators.by_month[month_start(last)] == counts(3, 3, 1, 1, 1, 1, 1)
    assert indicators.by_month[month_start(this)] == counts(3, 4, 1, 1, 1, 1, 0)
    assert indicators.by_group["street_involved"] == counts(3, 4, 1, 1, 2, 1, 0)
    assert indicators.by_group["first_nations"] == counts(1, 0, 0, 0, 0, 1, 1)
    assert indicators.by_group["recreational"] == counts(1, 3, 1, 1, 0, 0, 0)
    assert indicators.by_group["not_assessed"] == counts(1, 0, 0, 0, 0, 0, 0)
    assert indicators.by_group["hidden_regular"] == counts(0, 0, 0, 0, 0, 0, 0)
    assert indicators.cell(month_start(last), "street_involved") == counts(2, 3, 1, 1, 1, 0, 0)
    assert len(indicators.rows) == 12 * 5


def test_a_period_counts_only_its_months(pg_team, small_set):
    last, this = small_set
    only_this = team_indicators(pg_team, start=month_start(this), end=this)
    assert only_this.months == [month_start(this)]
    assert only_this.totals == counts(3, 4, 1, 1, 1, 1, 0)


def test_the_team_sees_counts_as_they_are_and_partners_see_them_suppressed(
    client, pg_team, small_set, outreach_worker, police_liaison, municipal_coordinator
):
    full = indicators_for_viewer(outreach_worker, pg_team)
    assert full.full
    assert full.by_month.total == [6, 7, 2, 2, 2, 2, 1]

    for partner in (police_liaison, municipal_coordinator):
        shown = indicators_for_viewer(partner, pg_team)
        assert not shown.full
        # Every count here is from 1 to 4 (or a total of such counts): nothing is shown
        # but the zeros.
        assert shown.by_month.total == [None] * 7
        assert shown.by_group.total == [None] * 7
        assert all(v in (None, 0) for _, values in shown.by_month.rows for v in values)
        assert shown.indicators is None

    client.force_login(police_liaison)
    url = reverse("outreach:encounter_indicators", kwargs={"slug": pg_team.slug})
    page = client.get(url).content.decode()
    assert "suppressed" in page
    assert "Totals only" in page


def test_complementary_suppression_hides_the_month_that_would_give_a_small_one_away(
    pg_team, outreach_worker, police_liaison, months
):
    last, this = months
    for _ in range(2):
        record(outreach_worker, pg_team, occurred_on=last.isoformat())
    for _ in range(10):
        record(outreach_worker, pg_team, occurred_on=this.isoformat())

    shown = indicators_for_viewer(police_liaison, pg_team)
    encounters = {label: values[0] for label, values in shown.by_month.rows}
    assert encounters[last.strftime("%b %Y")] is None  # 2: suppressed
    assert encounters[this.strftime("%b %Y")] is None  # 10: hidden with it
    assert shown.by_month.total[0] == 12
    assert shown.by_group.total[0] == 12  # every one in "street_involved": 12 shown
    groups = {label: values[0] for label, values in shown.by_group.rows}
    assert groups["Street-involved regular use"] == 12


def test_the_csv_holds_what_the_viewer_may_see(
    client, pg_team, small_set, outreach_worker, police_liaison
):
    last, this = small_set
    url = reverse("outreach:encounter_indicators_csv", kwargs={"slug": pg_team.slug})

    client.force_login(outreach_worker)
    response = client.get(url)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    cell = next(
        r
        for r in rows
        if r["breakdown"] == "month_group"
        and r["month"] == last.strftime("%Y-%m")
        and r["group"] == "street_involved"
    )
    assert (cell["encounters"], cell["naloxone_kits"], cell["treatment"]) == ("2", "3", "1")
    total = next(r for r in rows if r["breakdown"] == "total")
    assert [total[m] for m in MEASURES] == ["6", "7", "2", "2", "2", "2", "1"]

    client.force_login(police_liaison)
    rows = list(csv.DictReader(io.StringIO(client.get(url).content.decode())))
    assert not any(r["breakdown"] == "month_group" for r in rows)
    total = next(r for r in rows if r["breakdown"] == "total")
    assert total["encounters"] == "suppressed"
    month = next(
        r for r in rows if r["breakdown"] == "month" and r["month"] == this.strftime("%Y-%m")
    )
    assert month["encounters"] == "suppressed"
    assert month["oerc"] == "0"
