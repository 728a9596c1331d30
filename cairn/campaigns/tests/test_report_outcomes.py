"""Outcome series of a campaign's communities: windows, sources, suppression, estimate."""

import datetime as dt

import pytest

from cairn.campaigns.outcomes import (
    OutcomeError,
    campaign_outcomes,
    oat_start_counts,
    outcome_window,
)
from cairn.campaigns.tests import report_fixtures
from cairn.campaigns.tests.report_fixtures import MONTHS, START_INDEX, TODAY, encounter, oat_episode
from cairn.cases.models import OatEpisode
from cairn.surveillance.models import CaseDefinition

pytestmark = pytest.mark.django_db

all_drug = report_fixtures.all_drug
pg_campaign = report_fixtures.pg_campaign
pg_ed_visits = report_fixtures.pg_ed_visits
pg_outreach_team = report_fixtures.pg_outreach_team


def _series(outcomes, key):
    return next(s for s in outcomes.series if s.key == key)


def test_window_is_two_years_before_to_the_last_whole_month_before_today(pg_campaign):
    periods, last_day = outcome_window(pg_campaign, "month", TODAY)
    assert periods == MONTHS
    assert last_day == dt.date(2026, 10, 31)


def test_window_stops_one_year_after_the_start(pg_campaign):
    periods, last_day = outcome_window(pg_campaign, "week", dt.date(2028, 1, 1))
    assert periods[0] == dt.date(2024, 1, 8)  # the Monday of 12 January 2024's week
    assert last_day == dt.date(2027, 1, 17)  # the Sunday ending the week of 11 January 2027


def test_a_campaign_starting_on_29_february_has_a_window(pg_campaign):
    pg_campaign.starts_on = dt.date(2024, 2, 29)
    periods, _ = outcome_window(pg_campaign, "month", TODAY)
    assert periods[0] == dt.date(2022, 2, 1) and periods[-1] == dt.date(2025, 2, 1)


def test_an_unknown_frequency_is_named(pg_campaign):
    with pytest.raises(OutcomeError, match="freq must be one of week, month, not 'day'"):
        campaign_outcomes(pg_campaign, freq="day", today=TODAY)


def test_epidemiologist_sees_exact_ed_visits_with_the_campaign_marked(
    pg_campaign, pg_ed_visits, epidemiologist
):
    outcomes = campaign_outcomes(pg_campaign, user=epidemiologist, today=TODAY)
    ed = _series(outcomes, "ed_visits")
    assert ed.counts == [int(c) for c in pg_ed_visits]
    assert not ed.suppressed and ed.total == int(pg_ed_visits.sum())
    assert outcomes.campaign_start_index == START_INDEX  # January 2026
    assert outcomes.campaign_end_index == START_INDEX + 2  # March 2026
    assert outcomes.places == ["Prince George"]


def test_the_estimate_finds_the_drop_and_calls_it_an_association(
    pg_campaign, pg_ed_visits, epidemiologist
):
    ed = _series(campaign_outcomes(pg_campaign, user=epidemiologist, today=TODAY), "ed_visits")
    assert ed.fit is not None
    assert ed.fit.level_change.low < 0.75 < ed.fit.level_change.high
    assert ed.fit.level_change.high < 1
    assert "lower than the trend before it predicted" in ed.fit_note
    assert "not proof" in ed.fit_note


def test_communications_officer_sees_small_counts_suppressed(
    pg_campaign, all_drug, prince_george, communications_officer
):
    from cairn.surveillance.models.counts import DailyCount

    DailyCount.objects.create(
        community=prince_george, day=dt.date(2025, 3, 3), source="ed", definition=all_drug, count=3
    )
    DailyCount.objects.create(
        community=prince_george, day=dt.date(2025, 4, 3), source="ed", definition=all_drug, count=9
    )
    ed = _series(
        campaign_outcomes(pg_campaign, user=communications_officer, today=TODAY), "ed_visits"
    )
    march, april = MONTHS.index(dt.date(2025, 3, 1)), MONTHS.index(dt.date(2025, 4, 1))
    assert ed.suppressed
    assert ed.counts[march] is None  # 3 is hidden
    assert ed.counts[april] is None  # and 9 with it: the total would give the 3 away
    assert ed.total == 12
    assert ed.fit is None and "too few" in ed.fit_note


def test_the_report_without_a_viewer_is_suppressed(pg_campaign, pg_ed_visits):
    ed = _series(campaign_outcomes(pg_campaign, user=None, today=TODAY), "ed_visits")
    assert ed.suppressed


def test_oat_starts_count_people_starting_after_time_without_treatment(
    pg_campaign, prince_george, er_nurse
):
    vancouver = prince_george.__class__.objects.get(code="bc-lha-vancouver-city-centre")
    first = oat_episode(prince_george, dt.date(2025, 5, 6))
    oat_episode(vancouver, dt.date(2025, 5, 7))  # another community
    # A switch from methadone is not a start.
    OatEpisode.objects.create(
        client=first.client,
        origin="entered",
        drug="bup_nx",
        started_on=dt.date(2025, 6, 2),
        switched_from=first,
    )
    # An entered episode and a derived one of the same person, days apart: one start.
    second = oat_episode(prince_george, dt.date(2025, 5, 20), stopped_on=dt.date(2025, 7, 1))
    OatEpisode.objects.create(
        client=second.client,
        origin="derived",
        drug="methadone",
        started_on=dt.date(2025, 5, 22),
        stopped_on=dt.date(2025, 7, 2),
    )
    # Back on treatment two months after stopping: a start.
    OatEpisode.objects.create(
        client=second.client, origin="entered", drug="methadone", started_on=dt.date(2025, 9, 3)
    )
    outcomes = campaign_outcomes(
        pg_campaign, user=pg_campaign.owner, today=TODAY, keys=("oat_starts",)
    )
    oat = _series(outcomes, "oat_starts")
    may, sept = MONTHS.index(dt.date(2025, 5, 1)), MONTHS.index(dt.date(2025, 9, 1))
    assert oat.suppressed  # the municipal coordinator is not on the care team
    assert oat.counts[may] is None and oat.total is None  # 2 and 3 are small counts
    raw = oat_start_counts([prince_george.pk], MONTHS, "month", dt.date(2026, 10, 31))
    assert raw[may] == 2 and raw[sept] == 1 and raw.sum() == 3


def test_naloxone_kits_sum_outreach_encounters_without_voided_ones(
    pg_campaign, prince_george, pg_outreach_team, epidemiologist
):
    encounter(pg_outreach_team, prince_george, dt.date(2025, 2, 3), 4)
    encounter(pg_outreach_team, prince_george, dt.date(2025, 2, 17), 3)
    encounter(pg_outreach_team, prince_george, dt.date(2025, 2, 18), 20, voided=True)
    kits = _series(
        campaign_outcomes(pg_campaign, user=epidemiologist, today=TODAY), "naloxone_kits"
    )
    assert kits.counts[MONTHS.index(dt.date(2025, 2, 1))] == 7
    assert kits.total == 7


def test_a_campaign_that_has_not_started_has_series_but_no_estimate(
    communications_officer, pg_ed_visits, epidemiologist
):
    from cairn.campaigns.tests.conftest import make_campaign

    planned = make_campaign(
        communications_officer,
        communities=("bc-lha-prince-george",),
        starts_on=dt.date(2027, 2, 1),
        ends_on=dt.date(2027, 3, 1),
    )
    outcomes = campaign_outcomes(planned, user=epidemiologist, today=TODAY)
    assert outcomes.campaign_start_index is None
    assert all(s.fit is None for s in outcomes.series)
    assert "has not started" in outcomes.series[0].fit_note


def test_without_the_case_definition_the_ed_series_says_what_is_missing(
    pg_campaign, communications_officer
):
    # A database migrated from scratch has the published definitions; this one has lost it.
    CaseDefinition.objects.filter(slug="all_drug").delete()

    ed = _series(
        campaign_outcomes(pg_campaign, user=communications_officer, today=TODAY), "ed_visits"
    )
    assert not ed.available and not ed.has_data and ed.fit is None
    assert ed.fit_note == (
        "No ED overdose counts: the all-drug overdose case definition is not loaded in this Cairn."
    )


def test_a_series_with_nothing_recorded_says_so_instead_of_zeros(
    pg_campaign, all_drug, communications_officer
):
    kits = _series(
        campaign_outcomes(pg_campaign, user=communications_officer, today=TODAY), "naloxone_kits"
    )
    assert kits.available and not kits.has_data
    assert (
        kits.fit_note
        == "No naloxone kits recorded as handed out in these communities over these months yet."
    )


def test_a_campaign_planned_years_ahead_has_no_periods_yet(communications_officer):
    from cairn.campaigns.tests.conftest import make_campaign

    later = make_campaign(
        communications_officer, starts_on=dt.date(2030, 1, 7), ends_on=dt.date(2030, 2, 1)
    )
    outcomes = campaign_outcomes(later, user=communications_officer, today=TODAY)
    assert outcomes.series == [] and outcomes.periods == []
    assert outcomes.campaign_start_index is None
