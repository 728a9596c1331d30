"""The worklist of new ED overdose visits, and opening episodes from records."""

import datetime as dt

import pytest

from cairn.cases import actions, queries
from cairn.cases.models import EpisodeOrigin, EpisodeSource, OverdoseEpisode
from cairn.cases.tests.conftest import make_client, make_record
from cairn.surveillance.models import Source


def test_worklist_lists_new_ed_overdose_visits_in_covered_communities(
    er_nurse, vancouver_centre_north, prince_george, case_definitions
):
    overdose = make_record(vancouver_centre_north)
    make_record(vancouver_centre_north, complaint="ankle sprain after fall", codes=["S93.4"])
    make_record(prince_george)  # Northern: not the nurse's communities
    make_record(vancouver_centre_north, hours_ago=24 * 20)  # older than 14 days
    make_record(vancouver_centre_north, source=Source.PARAMEDIC)  # another list
    assert list(queries.worklist(er_nurse)) == [overdose]


def test_paramedic_reports_have_their_own_list(er_nurse, vancouver_centre_north, case_definitions):
    report = make_record(vancouver_centre_north, source=Source.PARAMEDIC, complaint="", codes=[])
    assert list(queries.worklist(er_nurse, source=Source.PARAMEDIC)) == [report]


def test_opened_and_set_aside_records_leave_the_worklist(
    er_nurse, vancouver_centre_north, case_definitions
):
    opened, declined, waiting = (make_record(vancouver_centre_north) for _ in range(3))
    client = make_client(er_nurse, given_name="Alex", family_name="Testerson")
    actions.open_episode_from_record(actor=er_nurse, event=opened, client=client)
    actions.set_aside_record(actor=er_nurse, event=declined, reason="Person declined follow-up")
    assert list(queries.worklist(er_nurse)) == [waiting]


def test_opening_an_episode_from_a_visit_links_the_source_record(
    er_nurse, vancouver_centre_north, case_definitions
):
    visit = make_record(vancouver_centre_north)
    client = make_client(er_nurse, given_name="Alex", family_name="Testerson")
    opened = actions.open_episode_from_record(actor=er_nurse, event=visit, client=client)
    episode = opened.episode
    assert opened.created
    assert episode.origin == EpisodeOrigin.ED_VISIT
    assert episode.occurred_at == visit.occurred_at
    assert episode.community == vancouver_centre_north
    assert [s.event for s in episode.sources.all()] == [visit]


def test_opening_the_same_visit_twice_is_a_no_op_and_another_client_is_refused(
    er_nurse, vancouver_centre_north, case_definitions
):
    visit = make_record(vancouver_centre_north)
    client = make_client(er_nurse, given_name="Alex", family_name="Testerson")
    other = make_client(er_nurse, given_name="Robin", family_name="Mockett")
    first = actions.open_episode_from_record(actor=er_nurse, event=visit, client=client)
    again = actions.open_episode_from_record(actor=er_nurse, event=visit, client=client)
    assert not again.created and again.episode == first.episode
    with pytest.raises(actions.CaseActionError, match="already part of episode"):
        actions.open_episode_from_record(actor=er_nurse, event=visit, client=other)
    assert OverdoseEpisode.objects.count() == 1


def test_a_paramedic_report_of_the_same_overdose_can_be_added(
    er_nurse, vancouver_centre_north, case_definitions
):
    visit = make_record(vancouver_centre_north)
    report = make_record(vancouver_centre_north, source=Source.PARAMEDIC, hours_ago=4)
    client = make_client(er_nurse, given_name="Alex", family_name="Testerson")
    episode = actions.open_episode_from_record(actor=er_nurse, event=visit, client=client).episode
    actions.link_source_record(actor=er_nurse, episode=episode, event=report)
    assert EpisodeSource.objects.filter(episode=episode).count() == 2


def test_an_episode_entered_by_hand_is_idempotent_and_not_in_the_future(er_nurse):
    client = make_client(er_nurse, aliases=["Sparrow"])
    when = dt.datetime(2024, 5, 1, 22, 0, tzinfo=dt.UTC)
    first = actions.open_episode(
        actor=er_nurse,
        client=client,
        occurred_at=when,
        summary="Told us at the drop-in",
        idempotency_key="k1",
    )
    again = actions.open_episode(
        actor=er_nurse, client=client, occurred_at=when, idempotency_key="k1"
    )
    assert first.created and not again.created and first.episode == again.episode
    with pytest.raises(actions.CaseActionError, match="future"):
        actions.open_episode(
            actor=er_nurse, client=client, occurred_at=dt.datetime(2999, 1, 1, tzinfo=dt.UTC)
        )


def test_setting_aside_needs_a_reason(er_nurse, vancouver_centre_north, case_definitions):
    visit = make_record(vancouver_centre_north)
    with pytest.raises(actions.CaseActionError, match="why"):
        actions.set_aside_record(actor=er_nurse, event=visit, reason=" ")
