"""The follow-up clock: 72 hours by default, 24 for the highest tier, attempts, escalation."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from cairn.access.models import AuditEvent
from cairn.cases import actions, followups
from cairn.cases.assessment import records
from cairn.cases.models.followups import FollowUp, FollowUpNotice
from cairn.cases.tests.conftest import make_client, make_record
from cairn.cases.tests.test_assessment_records import HIGHEST, LOWER

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def person(er_nurse):
    return make_client(er_nurse, given_name="Jordan", family_name="Creek", aliases=["JC"])


def _episode(actor, client, hours_ago=2):
    """An episode without a clock: opening one starts its clock automatically, so the
    clock is removed to test starting it with other times."""
    episode = actions.open_episode(
        actor=actor, client=client, occurred_at=timezone.now() - hours_ago * HOUR
    ).episode
    FollowUp.objects.filter(episode=episode).delete()
    return episode


def test_opening_an_episode_by_hand_starts_its_clock_at_the_time_given(er_nurse, person):
    occurred = timezone.now() - 5 * HOUR
    episode = actions.open_episode(actor=er_nurse, client=person, occurred_at=occurred).episode
    follow_up = FollowUp.objects.get(episode=episode)
    assert (follow_up.discharged_at, follow_up.hours_allowed) == (occurred, 72)
    assert follow_up.due_at == occurred + 72 * HOUR
    assert AuditEvent.objects.filter(action="cases.follow_up.start").count() == 1


def test_opening_an_episode_from_an_ed_visit_starts_its_clock_at_the_visit(
    er_nurse, person, vancouver_centre_north, case_definitions
):
    records.record_assessment(actor=er_nurse, client=person, answers=HIGHEST)
    visit = make_record(vancouver_centre_north, hours_ago=10)
    opened = actions.open_episode_from_record(actor=er_nurse, event=visit, client=person)
    follow_up = opened.episode.follow_up
    assert follow_up.discharged_at == visit.occurred_at
    assert (follow_up.tier_at_due, follow_up.hours_allowed) == ("highest", 24)
    assert follow_up.due_at == visit.occurred_at + 24 * HOUR
    # Opening the same record again returns the episode and its one clock.
    again = actions.open_episode_from_record(actor=er_nurse, event=visit, client=person)
    assert again.episode.pk == opened.episode.pk
    assert FollowUp.objects.filter(client=person).count() == 1


def test_the_clock_allows_72_hours_without_an_assessment(er_nurse, person):
    episode = _episode(er_nurse, person)
    discharged = timezone.now() - HOUR
    follow_up = followups.start_follow_up(actor=er_nurse, episode=episode, discharged_at=discharged)
    assert follow_up.hours_allowed == 72
    assert follow_up.due_at == discharged + 72 * HOUR
    assert follow_up.organization_id == episode.organization_id
    assert follow_up.state() == "due"


def test_the_clock_allows_72_hours_for_a_high_tier(er_nurse, person):
    records.record_assessment(
        actor=er_nurse, client=person, answers={"tolerance_loss": "within_4_weeks"}
    )
    follow_up = followups.start_follow_up(actor=er_nurse, episode=_episode(er_nurse, person))
    assert (follow_up.tier_at_due, follow_up.hours_allowed) == ("high", 72)


def test_the_clock_allows_24_hours_for_the_highest_tier(er_nurse, person):
    records.record_assessment(actor=er_nurse, client=person, answers=HIGHEST)
    episode = _episode(er_nurse, person)
    discharged = timezone.now() - HOUR
    follow_up = followups.start_follow_up(actor=er_nurse, episode=episode, discharged_at=discharged)
    assert (follow_up.tier_at_due, follow_up.hours_allowed) == ("highest", 24)
    assert follow_up.due_at == discharged + 24 * HOUR


def test_a_reassessment_to_the_highest_tier_tightens_an_open_clock(er_nurse, person):
    records.record_assessment(actor=er_nurse, client=person, answers=LOWER)
    follow_up = followups.start_follow_up(actor=er_nurse, episode=_episode(er_nurse, person))
    assert follow_up.hours_allowed == 72
    records.record_assessment(actor=er_nurse, client=person, answers=HIGHEST)
    follow_up.refresh_from_db()
    assert (follow_up.hours_allowed, follow_up.due_at) == (24, follow_up.discharged_at + 24 * HOUR)


@override_settings(CAIRN_FOLLOW_UP_HOURS=48, CAIRN_FOLLOW_UP_HOURS_HIGHEST=12)
def test_the_hours_are_configurable(er_nurse, person):
    assert followups.hours_allowed_for("") == 48
    assert followups.hours_allowed_for("moderate") == 48
    assert followups.hours_allowed_for("highest") == 12


def test_the_clock_starts_at_the_ed_visit_when_no_discharge_time_is_given(
    er_nurse, person, vancouver_centre_north, case_definitions
):
    visit = make_record(vancouver_centre_north, hours_ago=30)
    episode = _episode(er_nurse, person, hours_ago=31)
    actions.link_source_record(actor=er_nurse, episode=episode, event=visit)
    follow_up = followups.start_follow_up(actor=er_nurse, episode=episode)
    assert follow_up.discharged_at == visit.occurred_at
    # Starting again returns the same clock.
    assert followups.start_follow_up(actor=er_nurse, episode=episode) == follow_up


def test_a_discharge_in_the_future_is_refused(er_nurse, person):
    with pytest.raises(followups.FollowUpError, match="future"):
        followups.start_follow_up(
            actor=er_nurse,
            episode=_episode(er_nurse, person),
            discharged_at=timezone.now() + 2 * HOUR,
        )


def test_overdue_only_after_the_due_time(er_nurse, person):
    discharged = timezone.now() - 10 * HOUR
    follow_up = followups.start_follow_up(
        actor=er_nurse, episode=_episode(er_nurse, person, 11), discharged_at=discharged
    )
    due = discharged + 72 * HOUR
    assert follow_up.state(now=due) == "due"
    assert follow_up.state(now=due + dt.timedelta(seconds=1)) == "overdue"


def test_attempts_are_recorded_and_the_clock_stops_at_the_first_contact(er_nurse, person):
    follow_up = followups.start_follow_up(
        actor=er_nurse,
        episode=_episode(er_nurse, person, 6),
        discharged_at=timezone.now() - 5 * HOUR,
    )
    first = timezone.now() - 4 * HOUR
    followups.record_attempt(
        actor=er_nurse,
        follow_up=follow_up,
        outcome="not_reached",
        method="phone",
        attempted_at=first,
    )
    follow_up.refresh_from_db()
    assert follow_up.is_open
    reached = timezone.now() - 2 * HOUR
    followups.record_attempt(
        actor=er_nurse,
        follow_up=follow_up,
        outcome="reached",
        method="in_person",
        attempted_at=reached,
    )
    followups.record_attempt(
        actor=er_nurse, follow_up=follow_up, outcome="not_reached", method="text"
    )
    follow_up.refresh_from_db()
    assert (follow_up.contacted_at, follow_up.contact_outcome) == (reached, "reached")
    attempts = list(follow_up.attempts.all())
    assert [a.outcome for a in attempts] == ["not_reached", "reached", "not_reached"]
    assert {a.recorded_by_username for a in attempts} == {"er.nurse"}
    assert AuditEvent.objects.filter(action="cases.follow_up.attempt").count() == 3


def test_declining_is_the_persons_choice_and_stops_the_clock(er_nurse, person):
    follow_up = followups.start_follow_up(actor=er_nurse, episode=_episode(er_nurse, person))
    followups.record_attempt(
        actor=er_nurse, follow_up=follow_up, outcome="declined", method="phone"
    )
    follow_up.refresh_from_db()
    assert (follow_up.is_open, follow_up.contact_outcome) == (False, "declined")


def test_an_attempt_before_discharge_or_in_the_future_is_refused(er_nurse, person):
    follow_up = followups.start_follow_up(
        actor=er_nurse,
        episode=_episode(er_nurse, person, 6),
        discharged_at=timezone.now() - 5 * HOUR,
    )
    with pytest.raises(followups.FollowUpError, match="before the discharge"):
        followups.record_attempt(
            actor=er_nurse,
            follow_up=follow_up,
            outcome="reached",
            method="phone",
            attempted_at=timezone.now() - 6 * HOUR,
        )
    with pytest.raises(followups.FollowUpError, match="future"):
        followups.record_attempt(
            actor=er_nurse,
            follow_up=follow_up,
            outcome="reached",
            method="phone",
            attempted_at=timezone.now() + 2 * HOUR,
        )
    with pytest.raises(followups.FollowUpError, match="Unknown outcome"):
        followups.record_attempt(
            actor=er_nurse, follow_up=follow_up, outcome="maybe", method="phone"
        )
    assert not follow_up.attempts.exists()


def test_overdue_follow_ups_are_escalated_once_with_a_notice(er_nurse, person):
    now = timezone.now()
    late = followups.start_follow_up(
        actor=er_nurse, episode=_episode(er_nurse, person, 80), discharged_at=now - 73 * HOUR
    )
    other = make_client(er_nurse, given_name="Kai", aliases=["Kai"])
    on_time = followups.start_follow_up(
        actor=er_nurse, episode=_episode(er_nurse, other, 10), discharged_at=now - 9 * HOUR
    )
    third = make_client(er_nurse, given_name="Lee", aliases=["Lee"])
    contacted = followups.start_follow_up(
        actor=er_nurse, episode=_episode(er_nurse, third, 80), discharged_at=now - 75 * HOUR
    )
    followups.record_attempt(
        actor=er_nurse,
        follow_up=contacted,
        outcome="reached",
        method="phone",
        attempted_at=now - 74 * HOUR,
    )
    escalated = followups.escalate_overdue(now=now)
    assert [f.pk for f in escalated] == [late.pk]
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert late.escalated_at == now and on_time.escalated_at is None
    notice = FollowUpNotice.objects.get()
    assert (notice.organization_id, notice.follow_up_id) == (late.organization_id, late.pk)
    assert "overdue by 1 h" in notice.message and "Jordan" not in notice.message
    event = AuditEvent.objects.get(action="cases.follow_up.escalate")
    assert (event.actor_username, event.target_id) == (followups.SYSTEM_ACTOR, str(person.pk))
    assert followups.escalate_overdue(now=now + HOUR) == []  # once only


def test_a_highest_tier_clock_is_escalated_after_24_hours(er_nurse, person):
    records.record_assessment(actor=er_nurse, client=person, answers=HIGHEST)
    now = timezone.now()
    followups.start_follow_up(
        actor=er_nurse, episode=_episode(er_nurse, person, 30), discharged_at=now - 25 * HOUR
    )
    assert len(followups.escalate_overdue(now=now)) == 1


def test_the_command_escalates_and_can_start_missing_clocks(er_nurse, person):
    episode = _episode(er_nurse, person, 100)
    out = io.StringIO()
    call_command("escalate_overdue", "--start-missing", "2", stdout=out)
    follow_up = FollowUp.objects.get(episode=episode)
    # The clock started at the overdose (no ED visit linked), 100 h ago: already overdue.
    assert follow_up.escalated_at is not None
    assert out.getvalue().strip() == (
        "Escalated 1 overdue follow-up(s) for 1 team(s); started 1 clock(s)."
    )
    out = io.StringIO()
    call_command("escalate_overdue", stdout=out)
    assert out.getvalue().startswith("Escalated 0 overdue")


def test_the_case_timeline_lists_assessments_groups_and_follow_up_events(er_nurse, person):
    from cairn.cases.assessment import groups

    records.record_assessment(actor=er_nurse, client=person, answers=HIGHEST)
    groups.place_client(actor=er_nurse, client=person, group="street_involved")
    follow_up = followups.start_follow_up(
        actor=er_nurse,
        episode=_episode(er_nurse, person, 30),
        discharged_at=timezone.now() - 26 * HOUR,
    )
    followups.record_attempt(
        actor=er_nurse,
        follow_up=follow_up,
        outcome="not_reached",
        method="phone",
        attempted_at=timezone.now() - 25 * HOUR,
    )
    followups.escalate_overdue()
    titles = [e.title for e in followups.care_timeline_entries(person)]
    assert "Risk assessed: highest tier" in titles
    assert "Group: Street-involved regular use" in titles
    assert "Follow-up clock started" in titles
    assert "Follow-up attempt: did not reach the person" in titles
    times = [e.at for e in followups.care_timeline_entries(person)]
    assert times == sorted(times, reverse=True)
