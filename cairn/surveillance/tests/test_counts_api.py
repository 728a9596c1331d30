"""`GET /api/v1/counts/{code}`: series with rates, scoped and suppressed by who asks."""

import datetime as dt

import pytest

from cairn.geography.models import Population
from cairn.surveillance.classification import classify_and_store
from cairn.surveillance.counts.maintain import recount_marked_cells
from cairn.surveillance.counts.rates import poisson_interval, share_per_10k
from cairn.surveillance.definitions import load_default_definitions
from cairn.surveillance.tests.factories import EventFactory

pytestmark = pytest.mark.django_db

PST = dt.timezone(dt.timedelta(hours=-8))
JANUARY = {"definition": "opioid", "freq": "week", "start": "2022-01-03", "end": "2022-01-23"}


def events(community, day: str, n: int, *, overdose=True, source="ed", age_band="30-34"):
    created = [
        EventFactory(
            community=community,
            source=source,
            occurred_at=dt.datetime.fromisoformat(day).replace(hour=10, tzinfo=PST),
            chief_complaint="opioid OD" if overdose else "fall",
            diagnosis_codes=[],
            age_band=age_band,
        )
        for _ in range(n)
    ]
    classify_and_store(created)
    recount_marked_cells()


@pytest.fixture
def prince_george_january(prince_george):
    load_default_definitions()
    events(prince_george, "2022-01-04", 7)  # week of 2022-01-03
    events(prince_george, "2022-01-11", 2)  # week of 2022-01-10: a small count
    events(prince_george, "2022-01-12", 300, overdose=False)
    events(prince_george, "2022-01-19", 12)
    return prince_george


def get(client, user, code, **params):
    client.force_login(user)
    return client.get(f"/api/v1/counts/{code}", params)


def test_epidemiologist_sees_counts_rates_and_dose_shares(
    client, epidemiologist, prince_george_january
):
    response = get(client, epidemiologist, "bc-lha-prince-george", **JANUARY)
    assert response.status_code == 200
    body = response.json()
    assert body["suppressed"] is False
    assert [p["start"] for p in body["periods"]] == ["2022-01-03", "2022-01-10", "2022-01-17"]
    assert [p["count"] for p in body["periods"]] == [7, 2, 12]
    assert [p["ed_visits"] for p in body["periods"]] == [7, 302, 12]
    assert body["total"] == 21
    week = body["periods"][1]
    population = Population.objects.get(
        jurisdiction=prince_george_january, year=2022, sex="all", age_band="all"
    ).population
    assert week["population"] == population
    person_years = population * 7 / 365.25
    low, high = poisson_interval(2)
    rate = week["rate_per_100k_per_year"]
    assert rate["value"] == pytest.approx(2 / person_years * 100_000)
    assert (rate["low"], rate["high"]) == pytest.approx(
        (low / person_years * 100_000, high / person_years * 100_000)
    )
    share = share_per_10k(2, 302)
    assert week["share_per_10k_ed_visits"] == pytest.approx(
        {"value": share.value, "low": share.low, "high": share.high}
    )
    assert body["age_standardized_rate_per_100k_per_year"] is None
    assert "No population by age band" in body["age_standardized_note"]


def test_aggregate_tier_sees_small_counts_and_their_rates_hidden(
    client, police_liaison, prince_george_january
):
    body = get(client, police_liaison, "bc-lha-prince-george", **JANUARY).json()
    assert body["suppressed"] is True
    # 2 is hidden, and 7 with it: the total (21) would give the 2 back.
    assert [p["count"] for p in body["periods"]] == [None, None, 12]
    assert body["total"] == 21
    hidden = body["periods"][:2]
    assert all(p["rate_per_100k_per_year"] is None for p in hidden)
    assert all(p["share_per_10k_ed_visits"] is None for p in hidden)
    assert body["periods"][2]["rate_per_100k_per_year"] is not None


def test_regions_and_the_province_sum_their_communities(
    client, epidemiologist, first_nations_partner, prince_george_january, bc_geography
):
    events(None, "2022-01-05", 3)  # unknown place
    northern = prince_george_january.parent.parent
    body = get(client, first_nations_partner, northern.code, **JANUARY).json()
    assert body["jurisdiction"]["level"] == "health_authority"
    assert body["total"] == 21
    province = get(client, epidemiologist, "bc", **JANUARY).json()
    assert province["total"] == 24
    unknown = get(client, epidemiologist, "unknown", **JANUARY).json()
    assert unknown["total"] == 3
    assert unknown["periods"][0]["population"] is None


def test_age_standardized_rate_where_age_band_populations_exist(
    client, epidemiologist, prince_george_january
):
    for band, population in {"0-44": 60_000, "45+": 40_000}.items():
        Population.objects.create(
            jurisdiction=prince_george_january,
            year=2022,
            sex="all",
            age_band=band,
            population=population,
        )
    body = get(client, epidemiologist, "bc-lha-prince-george", **JANUARY).json()
    standardized = body["age_standardized_rate_per_100k_per_year"]
    assert standardized["events"] == 21
    assert standardized["low"] < standardized["value"] < standardized["high"]


def test_someone_else_s_community_is_refused(client, police_liaison, abbotsford):
    response = get(client, police_liaison, "bc-lha-abbotsford")
    assert response.status_code == 403
    assert "Abbotsford" in response.json()["detail"]


def test_bad_arguments_are_explained(client, epidemiologist, prince_george):
    assert get(client, epidemiologist, "no-such-place").status_code == 404
    response = get(client, epidemiologist, "bc-lha-prince-george", freq="year")
    assert response.status_code == 422
    assert "freq" in response.json()["detail"]
    response = get(client, epidemiologist, "bc-lha-prince-george", definition="nope")
    assert response.status_code == 422
    response = get(client, epidemiologist, "bc-lha-prince-george", start="yesterday")
    assert response.status_code == 422


def test_defaults_give_the_last_52_weeks(client, epidemiologist, prince_george):
    body = get(client, epidemiologist, "bc-lha-prince-george").json()
    assert body["freq"] == "week"
    assert len(body["periods"]) in (53, 54)
    assert body["total"] == 0
