"""Series and tables read from the maintained counts: periods, places, populations."""

import datetime as dt

import pytest

from cairn.geography.models import Jurisdiction, Level, Population
from cairn.surveillance.classification import classify_and_store
from cairn.surveillance.counts.maintain import recount_marked_cells
from cairn.surveillance.counts.queries import (
    CountQueryError,
    age_band_populations,
    count_series,
    counts_by_age_band,
    counts_by_community,
    populations_for,
)
from cairn.surveillance.definitions import load_default_definitions
from cairn.surveillance.tests.factories import EventFactory

pytestmark = pytest.mark.django_db

VANCOUVER_WINTER = dt.timezone(dt.timedelta(hours=-8))
VANCOUVER_SUMMER = dt.timezone(dt.timedelta(hours=-7))


@pytest.fixture
def definitions():
    load_default_definitions()


def overdoses(community, *moments, source="ed", **fields):
    events = [
        EventFactory(
            community=community,
            occurred_at=moment,
            source=source,
            chief_complaint="opioid OD",
            diagnosis_codes=[],
            **fields,
        )
        for moment in moments
    ]
    classify_and_store(events)
    recount_marked_cells()
    return events


def local(text: str, zone=VANCOUVER_WINTER) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=zone)


def test_weekly_series_uses_iso_weeks_at_local_day_boundaries(definitions, prince_george):
    overdoses(
        prince_george,
        local("2022-01-09T23:30"),  # Sunday night: week of Monday 2022-01-03
        local("2022-01-10T00:10"),  # Monday just after midnight: next week
        local("2022-01-12T12:00"),
    )
    series = count_series(
        jurisdiction=prince_george,
        definition="opioid",
        freq="week",
        start=dt.date(2022, 1, 5),  # a Wednesday: snaps to Monday 2022-01-03
        end=dt.date(2022, 1, 20),
    )
    assert series.periods == [dt.date(2022, 1, 3), dt.date(2022, 1, 10), dt.date(2022, 1, 17)]
    assert series.counts.tolist() == [1, 2, 0]
    assert series.counts.dtype.name == "int64"


def test_monthly_series_across_daylight_saving_is_zero_filled(definitions, prince_george):
    overdoses(
        prince_george,
        local("2022-03-31T23:30", VANCOUVER_SUMMER),  # 06:30 UTC on April 1st
        local("2022-04-01T00:30", VANCOUVER_SUMMER),
        local("2022-06-15T12:00", VANCOUVER_SUMMER),
    )
    series = count_series(
        jurisdiction=prince_george,
        definition="all_drug",
        freq="month",
        start=dt.date(2022, 2, 14),
        end=dt.date(2022, 6, 1),
    )
    assert series.periods == [dt.date(2022, m, 1) for m in range(2, 7)]
    assert series.counts.tolist() == [0, 1, 1, 0, 1]


def test_daily_series_by_source(definitions, prince_george):
    overdoses(prince_george, local("2022-01-03T10:00"))
    overdoses(prince_george, local("2022-01-03T11:00"), source="paramedic")
    days = {"start": dt.date(2022, 1, 3), "end": dt.date(2022, 1, 3), "freq": "day"}
    assert count_series(jurisdiction=prince_george, definition="opioid", **days).counts[0] == 2
    ed = count_series(jurisdiction=prince_george, definition="opioid", source="ed", **days)
    assert ed.counts.tolist() == [1]
    medics = count_series(jurisdiction=prince_george, definition=None, source="paramedic", **days)
    assert medics.counts.tolist() == [1]


def test_rollups_sum_the_communities_under_each_level(
    definitions, bc_geography, prince_george, abbotsford, vancouver_centre_north
):
    overdoses(prince_george, local("2022-01-03T10:00"), local("2022-01-04T10:00"))
    overdoses(abbotsford, local("2022-01-03T10:00"))
    overdoses(vancouver_centre_north, local("2022-01-03T10:00"))
    overdoses(None, local("2022-01-03T10:00"))
    span = {"definition": "opioid", "start": dt.date(2022, 1, 1), "end": dt.date(2022, 1, 31)}

    def total(jurisdiction):
        return int(count_series(jurisdiction=jurisdiction, freq="month", **span).counts.sum())

    hsda = prince_george.parent
    authority = hsda.parent
    assert (total(prince_george), total(hsda), total(authority)) == (2, 2, 2)
    assert total(abbotsford.parent.parent) == 1  # Fraser
    assert total(bc_geography) == 5  # includes the unknown place
    assert total(None) == 1

    per_lha = counts_by_community(level="lha", **span)
    assert len(per_lha) == Jurisdiction.objects.filter(level=Level.COMMUNITY).count() == 89
    assert per_lha[prince_george.pk] == 2
    assert sum(per_lha.values()) == 4
    assert list(per_lha.values()).count(0) == 86
    per_hsda = counts_by_community(level="hsda", **span)
    assert len(per_hsda) == 16
    assert per_hsda[hsda.pk] == 2
    per_authority = counts_by_community(level="health_authority", **span)
    assert len(per_authority) == 5
    assert per_authority[authority.pk] == 2
    assert counts_by_community(level="province", **span) == {bc_geography.pk: 5}
    with_unknown = counts_by_community(level="lha", include_unknown=True, **span)
    assert with_unknown[None] == 1


def test_counts_by_age_band_for_standardized_rates(definitions, prince_george):
    overdoses(prince_george, local("2022-01-03T10:00"), age_band="20-24", sex="F")
    overdoses(prince_george, local("2022-01-03T11:00"), age_band="20-24", sex="M")
    overdoses(prince_george, local("2022-01-03T12:00"), age_band="unknown", sex="U")
    span = {"start": dt.date(2022, 1, 1), "end": dt.date(2022, 1, 31)}
    assert counts_by_age_band(jurisdiction=prince_george, definition="opioid", **span) == {
        "20-24": 2,
        "unknown": 1,
    }
    assert counts_by_age_band(jurisdiction=prince_george, definition="opioid", sex="F", **span) == {
        "20-24": 1
    }


def test_populations_for_uses_the_nearest_year(bc_geography, prince_george):
    figures = dict(
        Population.objects.filter(
            jurisdiction=prince_george, sex="all", age_band="all"
        ).values_list("year", "population")
    )
    assert populations_for([prince_george.pk], year=2020) == {prince_george.pk: figures[2020]}
    assert populations_for([prince_george.pk], year=2031) == {
        prince_george.pk: figures[max(figures)]
    }
    nowhere = Jurisdiction.objects.create(
        code="tl-lha-nowhere", name="Nowhere", level=Level.COMMUNITY, path="tl/nowhere"
    )
    assert populations_for([nowhere.pk], year=2020) == {nowhere.pk: None}


def test_age_band_populations_are_not_invented(bc_geography, prince_george):
    assert age_band_populations(prince_george.pk, year=2022) is None
    Population.objects.create(
        jurisdiction=prince_george, year=2021, sex="all", age_band="0-44", population=60_000
    )
    Population.objects.create(
        jurisdiction=prince_george, year=2021, sex="all", age_band="45+", population=40_000
    )
    assert age_band_populations(prince_george.pk, year=2022) == {"0-44": 60_000, "45+": 40_000}


def test_bad_arguments_are_named(definitions, prince_george):
    span = {"start": dt.date(2022, 1, 1), "end": dt.date(2022, 1, 31)}
    with pytest.raises(CountQueryError, match="freq"):
        count_series(jurisdiction=prince_george, definition=None, freq="year", **span)
    with pytest.raises(CountQueryError, match="no-such-thing"):
        count_series(jurisdiction=prince_george, definition="no-such-thing", **span)
    with pytest.raises(CountQueryError, match="source"):
        count_series(jurisdiction=prince_george, definition=None, source="police", **span)
    with pytest.raises(CountQueryError, match="before start"):
        count_series(
            jurisdiction=prince_george,
            definition=None,
            start=dt.date(2022, 2, 1),
            end=dt.date(2022, 1, 1),
        )
    with pytest.raises(CountQueryError, match="level"):
        counts_by_community(definition=None, level="county", **span)
