"""The ranking assembled from the maintained counts, scoped to the user.

Counts are written straight into DailyCount (the table the counts module maintains), one
row per community and period, so each test knows exactly which counts are behind it.
"""

import datetime as dt

import numpy as np
import pytest
from django.core.cache import cache

from cairn.geography.models import Jurisdiction, Level, Population
from cairn.surveillance.counts.queries import populations_for
from cairn.surveillance.definitions import load_default_definitions
from cairn.surveillance.models import CaseDefinition
from cairn.surveillance.models.counts import DailyCount
from cairn.surveillance.ranking.empirical_bayes import smooth_by_region
from cairn.surveillance.ranking.params import RankingParameterError, parse_params
from cairn.surveillance.ranking.queries import ranking_for

TODAY = dt.date(2025, 3, 1)
CURRENT_DAY = dt.date(2024, 6, 15)  # inside 2024, the period ranked by year=2024
PREVIOUS_DAY = dt.date(2023, 6, 15)
PRINCE_GEORGE_EVENTS = 3  # small: hidden from the aggregate tier


def seed_counts(*, prince_george_events=PRINCE_GEORGE_EVENTS, previous_small=()):
    """Events for every LHA in 2023 and 2024 (all_drug, ED; some paramedic), seeded."""
    load_default_definitions()
    definition = CaseDefinition.objects.get(slug="all_drug")
    communities = list(Jurisdiction.objects.filter(level=Level.COMMUNITY).order_by("code"))
    populations = populations_for([c.pk for c in communities], year=2024)
    rng = np.random.default_rng(42)
    rows = []
    expected = {}
    for community in communities:
        population = populations[community.pk] or 10_000
        rate = rng.gamma(6, 40 / 6) / 100_000  # ~40 per 100,000, varying
        current = int(rng.poisson(rate * population))
        previous = int(rng.poisson(rate * population))
        if community.code == "bc-lha-prince-george":
            current = prince_george_events
        if community.code in previous_small:
            previous = 2
        paramedic = current // 4
        expected[community.code] = (current, previous, paramedic)
        for day, count, source in (
            (CURRENT_DAY, current - paramedic, "ed"),
            (CURRENT_DAY, paramedic, "paramedic"),
            (PREVIOUS_DAY, previous, "ed"),
        ):
            if count:
                rows.append(
                    DailyCount(
                        community=community,
                        day=day,
                        source=source,
                        definition=definition,
                        count=count,
                    )
                )
    DailyCount.objects.bulk_create(rows)
    cache.clear()
    return expected


def params(**query):
    return parse_params({"year": "2024", **query}, today=TODAY)


@pytest.fixture
def counts(bc_geography):
    return seed_counts()


def test_the_provincial_view_ranks_every_lha(epidemiologist, counts):
    ranking = ranking_for(epidemiologist, params())
    lhas = Jurisdiction.objects.filter(level=Level.COMMUNITY).count()
    assert lhas == 89
    # Every LHA with a population figure is ranked; the others are listed as unranked.
    assert len(ranking.rows) + len(ranking.unranked) == 89
    assert all(u.reason == "no population figure" for u in ranking.unranked)
    assert ranking.ranked_total == len(ranking.rows) > 80
    assert {r.rank for r in ranking.rows} <= set(range(1, len(ranking.rows) + 1))
    assert not ranking.aggregate_view and not ranking.hidden_rows
    for row in ranking.rows:
        assert row.rank_low <= row.median_rank <= row.rank_high
        assert row.smoothed_low <= row.smoothed_rate <= row.smoothed_high
        assert row.crude_low <= row.crude_rate <= row.crude_high
        current, previous, _ = counts[row.code]
        assert (row.events, row.previous_events) == (current, previous)
        assert row.crude_rate == pytest.approx(current / row.population * 100_000)
    smoothed = [r.smoothed_rate for r in ranking.rows]
    assert smoothed == sorted(smoothed, reverse=True)


def test_smoothed_rates_are_the_statistics_on_the_counts(epidemiologist, counts):
    ranking = ranking_for(epidemiologist, params())
    rows = sorted(ranking.rows, key=lambda r: r.code)
    smoothing = smooth_by_region(
        [r.events for r in rows], [r.population for r in rows], [r.region for r in rows]
    )
    np.testing.assert_allclose(
        [r.smoothed_rate for r in rows], smoothing.mean * 100_000, rtol=1e-12
    )
    np.testing.assert_allclose(
        [r.smoothed_high for r in rows], smoothing.high * 100_000, rtol=1e-12
    )
    authorities = Jurisdiction.objects.filter(level=Level.HEALTH_AUTHORITY)
    assert {r.region for r in rows} == set(authorities.values_list("name", flat=True))


def test_a_regional_epidemiologist_sees_their_communities_ranked_among_all(
    regional_epidemiologist, epidemiologist, counts
):
    everyone = {r.code: r for r in ranking_for(epidemiologist, params()).rows}
    ranking = ranking_for(regional_epidemiologist, params())
    fraser = Jurisdiction.objects.get(level=Level.HEALTH_AUTHORITY, name__icontains="fraser")
    assert ranking.rows and all(r.region == fraser.name for r in ranking.rows)
    assert (
        len(ranking.rows)
        == Jurisdiction.objects.filter(
            level=Level.COMMUNITY, path__startswith=fraser.path + "/"
        ).count()
    )
    assert ranking.ranked_total == len(everyone)
    for row in ranking.rows:
        assert row == everyone[row.code]


def test_the_aggregate_tier_never_sees_a_count_from_1_to_4(administrator, counts):
    ranking = ranking_for(administrator, params())
    assert ranking.aggregate_view
    shown = {r.code for r in ranking.rows}
    hidden = {r.code for r in ranking.hidden_rows}
    unranked = {u.code for u in ranking.unranked}  # no population: no figures at all
    small = {c for c, (current, _, _) in counts.items() if 1 <= current <= 4} - unranked
    assert "bc-lha-prince-george" in small
    assert small <= hidden and not shown & hidden
    for row in ranking.rows:
        assert row.events is not None and not 1 <= row.events <= 4
        assert row.previous_events is None or not 1 <= row.previous_events <= 4
    for row in ranking.hidden_rows:
        assert row.events is row.smoothed_rate is row.rank is row.trend_ratio is None
    # A region with a hidden community hides at least one more (its total is published).
    by_region = {}
    for row in ranking.hidden_rows:
        by_region.setdefault(row.region, []).append(row)
    assert all(len(rows) >= 2 for rows in by_region.values())
    # Ranks count only the communities shown: no gap betrays a hidden one.
    assert sorted(r.rank for r in ranking.rows) == list(range(1, len(ranking.rows) + 1))
    assert ranking.ranked_total == len(ranking.rows)


def test_a_community_partner_sees_only_their_community(police_liaison, counts):
    ranking = ranking_for(police_liaison, params())
    assert ranking.aggregate_view
    assert [r.code for r in ranking.hidden_rows] == ["bc-lha-prince-george"]
    assert ranking.rows == []


def test_trend_figures_are_hidden_when_the_previous_count_was_small(
    administrator, epidemiologist, bc_geography
):
    seed_counts(prince_george_events=40, previous_small=("bc-lha-prince-george",))
    full = {r.code: r for r in ranking_for(epidemiologist, params()).rows}
    assert full["bc-lha-prince-george"].previous_events == 2
    assert full["bc-lha-prince-george"].trend_ratio == pytest.approx(
        (40 / full["bc-lha-prince-george"].population)
        / (
            2
            / populations_for([full["bc-lha-prince-george"].jurisdiction_id], year=2023)[
                full["bc-lha-prince-george"].jurisdiction_id
            ]
        )
    )
    aggregate = {r.code: r for r in ranking_for(administrator, params()).rows}
    row = aggregate["bc-lha-prince-george"]
    assert row.events == 40
    assert row.previous_events is row.trend_ratio is row.trend_low is None
    assert row.trend == full["bc-lha-prince-george"].trend


def test_sources_can_be_chosen(epidemiologist, counts):
    ranking = ranking_for(epidemiologist, params(source=["paramedic"]))
    for row in ranking.rows:
        assert row.events == counts[row.code][2]
    both = ranking_for(epidemiologist, params(source="ed,paramedic"))
    for row in both.rows:
        assert row.events == counts[row.code][0]


def test_hsda_level_ranks_the_16_areas_smoothed_toward_the_province(epidemiologist, counts):
    ranking = ranking_for(epidemiologist, params(level="hsda"))
    assert ranking.params.region == "province"
    assert len(ranking.rows) == Jurisdiction.objects.filter(level=Level.HSDA).count() == 16
    assert {r.region for r in ranking.rows} == {"British Columbia"}
    total = sum(current for current, _, _ in counts.values())
    assert sum(r.events for r in ranking.rows) == total


def test_a_community_without_a_population_is_listed_not_ranked(epidemiologist, counts):
    before = ranking_for(epidemiologist, params())
    prince_george = Jurisdiction.objects.get(code="bc-lha-prince-george")
    Population.objects.filter(jurisdiction=prince_george).delete()
    ranking = ranking_for(epidemiologist, params())
    assert {u.code for u in ranking.unranked} == {u.code for u in before.unranked} | {
        "bc-lha-prince-george"
    }
    assert "bc-lha-prince-george" not in {r.code for r in ranking.rows}
    assert ranking.ranked_total == before.ranked_total - 1


def test_a_period_without_events_ranks_nothing(epidemiologist, counts):
    ranking = ranking_for(epidemiologist, params(year="2021"))
    assert ranking.no_events and ranking.rows == [] and ranking.ranked_total == 0


def test_the_default_period_is_the_12_months_to_yesterday(bc_geography):
    load_default_definitions()
    chosen = parse_params({}, today=TODAY)
    assert (chosen.start, chosen.end) == (dt.date(2024, 2, 29), dt.date(2025, 2, 28))
    assert (chosen.previous_start, chosen.previous_end) == (
        dt.date(2023, 2, 28),
        dt.date(2024, 2, 28),
    )
    assert chosen.definition == "all_drug" and chosen.level == "lha"
    assert chosen.region == "health_authority" and chosen.sources == ()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"definition": "cocaine"}, "definition: no case definition 'cocaine'"),
        ({"source": "hospital"}, "source: 'hospital' is not one of"),
        ({"year": "2024", "end": "2024-05-01"}, "either year or end"),
        ({"year": "last"}, "year must be a year like 2024"),
        ({"year": "1990"}, "year must be between 2000 and 2025"),
        ({"end": "31/05/2024"}, "end must be a date like"),
        ({"end": "2026-01-01"}, "end must be between"),
        ({"level": "city"}, "level must be lha or hsda"),
        ({"region": "hsda"}, "region must be health_authority or province"),
    ],
)
def test_bad_parameters_are_named(bc_geography, query, message):
    load_default_definitions()
    with pytest.raises(RankingParameterError, match=message):
        parse_params(query, today=TODAY)


def test_the_statistics_are_cached_per_data(epidemiologist, counts):
    first = ranking_for(epidemiologist, params())
    again = ranking_for(epidemiologist, params())
    assert repr(again.rows) == repr(first.rows)  # repr: NaN trend ratios compare unequal
    # New events change the data, hence the key: the ranking is never stale.
    DailyCount.objects.filter(
        community__code="bc-lha-abbotsford", day=CURRENT_DAY, source="ed"
    ).update(count=500)
    changed = {r.code: r for r in ranking_for(epidemiologist, params()).rows}
    assert changed["bc-lha-abbotsford"].events == 500 + counts["bc-lha-abbotsford"][2]
