"""The cascade of care on a constructed cohort, every figure worked out by hand; group
and community rows; suppression for the aggregate tier; the cascade page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cairn.cases.assessment import groups
from cairn.cases.models.treatment import OatDispensing, OudDiagnosis
from cairn.cases.tests.conftest import make_client
from cairn.cases.treatment import records
from cairn.cases.treatment.cascade import cascade_for

TODAY = timezone.localdate()
STAGES = [
    "diagnosed",
    "ever",
    "recent",
    "current",
    "retained_30",
    "retained_90",
    "retained_365",
    "retained_730",
]


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def supply(actor, client, drug, first_ago, last_ago):
    """Daily dispensing from `first_ago` to `last_ago` days ago."""
    organization = actor.memberships.get().organization
    OatDispensing.objects.bulk_create(
        OatDispensing(
            client=client,
            drug=drug,
            dispensed_on=ago(n),
            source="entered",
            organization=organization,
        )
        for n in range(first_ago, last_ago - 1, -1)
    )


@pytest.fixture
def cohort(er_nurse, vancouver_centre_north, prince_george):
    def person(name, group=None, community=vancouver_centre_north):
        client = make_client(
            er_nurse, given_name=name, family_name="Cohort", home_community=community
        )
        if group:
            groups.place_client(actor=er_nurse, client=client, group=group)
        return client

    a = person("Ash", "street_involved")  # a diagnosis, never on OAT
    records.record_diagnosis(actor=er_nurse, client=a, diagnosed_on=ago(50))
    b = person("Birch", "street_involved")  # 401 days on methadone, still on it
    supply(er_nurse, b, "methadone", 400, 0)
    c = person("Cedar", "hidden_regular")  # stopped 500 days ago: ever, not recent
    supply(er_nurse, c, "methadone", 800, 500)
    d = person("Dogwood")  # stopped 100 days ago: recent, not current
    supply(er_nurse, d, "bup_nx", 200, 100)
    e = person("Elm", "first_nations")  # switched methadone -> bup_nx: one 61-day course
    supply(er_nurse, e, "methadone", 60, 31)
    supply(er_nurse, e, "bup_nx", 35, 0)
    f = person("Fir", "recreational")  # an entered episode, 96 days, not stopped
    records.start_episode(actor=er_nurse, client=f, drug="xr_bup", started_on=ago(95))
    g = person("Gale", "street_involved")  # last dose 3 days ago: within the gap, current
    supply(er_nurse, g, "methadone", 10, 3)
    h = person("Hazel", community=prince_george)  # outside the nurse's communities
    OudDiagnosis.objects.create(client=h)
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g, "h": h}


def figures(row):
    return [cell.count for cell in row.cells]


def test_the_cascade_figures_match_the_hand_count(er_nurse, cohort):
    result = cascade_for(er_nurse, as_of=TODAY)
    assert [s.key for s in result.stages] == STAGES
    assert result.exact
    assert figures(result.group_total) == [7, 6, 5, 4, 3, 2, 1, 0]
    rows = {row.key: figures(row) for row in result.by_group}
    assert list(rows) == [
        "recreational",
        "street_involved",
        "hidden_regular",
        "first_nations",
        "not_assessed",
    ]
    assert rows["street_involved"] == [3, 2, 2, 2, 1, 1, 1, 0]  # Ash, Birch, Gale
    assert rows["hidden_regular"] == [1, 1, 0, 0, 0, 0, 0, 0]  # Cedar
    assert rows["not_assessed"] == [1, 1, 1, 0, 0, 0, 0, 0]  # Dogwood
    assert rows["first_nations"] == [1, 1, 1, 1, 1, 0, 0, 0]  # Elm
    assert rows["recreational"] == [1, 1, 1, 1, 1, 1, 0, 0]  # Fir
    (community,) = result.by_community
    assert community.label == cohort["b"].home_community.name
    assert figures(community) == [7, 6, 5, 4, 3, 2, 1, 0]
    # Shares are of "diagnosed": 4 of 7 currently on OAT.
    assert result.group_total.cells[3].share == round(100 * 4 / 7)


def test_the_cascade_on_an_earlier_date_ignores_what_came_later(er_nurse, cohort):
    result = cascade_for(er_nurse, as_of=ago(150))
    # On that day: Birch (251 days on), Cedar (stopped 350 days before: recent, as the
    # window is 365 days), Dogwood (51 days on); Ash's diagnosis came later; Elm, Fir
    # and Gale had not started.
    assert figures(result.group_total) == [3, 3, 3, 2, 2, 1, 0, 0]
    assert figures(cascade_for(er_nurse, as_of=ago(136)).group_total)[2] == 3
    # Cedar's last day (500 days ago) is 366 days before: no longer recent.
    assert figures(cascade_for(er_nurse, as_of=ago(134)).group_total)[2] == 2


def test_a_single_community_and_retention_at_the_boundary(er_nurse, cohort, settings):
    settings.CAIRN_OAT_RETENTION_DAYS = (61, 62)
    result = cascade_for(er_nurse, as_of=TODAY, community_code=cohort["b"].home_community.code)
    # Elm: 61 days on (day 60 ago to today, both counted): retained >= 61, not >= 62.
    # Fir: 96 days, Birch: 401 days.
    assert figures(result.group_total)[4:] == [3, 2]


def test_the_aggregate_tier_sees_small_counts_suppressed(epidemiologist, police_liaison, cohort):
    result = cascade_for(epidemiologist, as_of=TODAY)
    assert not result.exact
    counts = [c.count for row in result.by_group for c in row.cells]
    assert set(counts) <= {None, 0}
    assert figures(result.group_total)[0] is None  # 8 is a sum of small hidden counts
    police = cascade_for(police_liaison, as_of=TODAY)
    assert [row.label for row in police.by_community] == ["Prince George"]
    assert figures(police.community_total)[0] is None


def test_the_cascade_page_shows_definitions_and_suppression(
    client, er_nurse, police_liaison, cohort
):
    client.force_login(er_nurse)
    html = client.get(reverse("cases:treatment_cascade")).content.decode()
    assert "Exact counts" in html and "Retained ≥ 12 months" in html
    assert "What each stage means" in html and "Piske" in html
    assert "Nova Scotia" in html  # the gap rules and their sources
    client.force_login(police_liaison)
    response = client.get(reverse("cases:treatment_cascade"))
    html = response.content.decode()
    assert response.status_code == 200 and "suppressed" in html
    assert "Hazel" not in html and "Cohort" not in html
    assert client.get(reverse("cases:treatment_cascade"), {"date": "soon"}).status_code == 400
    other = client.get(reverse("cases:treatment_cascade"), {"community": "nowhere"})
    assert other.status_code == 404
