"""Follow-up pages: the team worklist, notices, one follow-up and its attempts; access per
persona and audit of every read."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cairn.access.models import AuditEvent
from cairn.access.personas import PERSONAS
from cairn.cases import actions, followups
from cairn.cases.models.followups import FollowUp, FollowUpNotice
from cairn.cases.tests.conftest import make_client

NOT_CARE_TEAM = sorted(set(PERSONAS) - {"er_nurse"})
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def overdue(er_nurse):
    person = make_client(er_nurse, given_name="Morgan", family_name="Bay", aliases=["Mo"])
    episode = actions.open_episode(
        actor=er_nurse, client=person, occurred_at=timezone.now() - 80 * HOUR
    ).episode
    follow_up = episode.follow_up  # started with the episode, at the overdose: 80 h ago
    followups.escalate_overdue()
    return follow_up


@pytest.fixture
def due(er_nurse):
    person = make_client(er_nurse, given_name="Casey", family_name="Fern", aliases=["Case"])
    episode = actions.open_episode(
        actor=er_nurse, client=person, occurred_at=timezone.now() - 3 * HOUR
    ).episode
    return episode.follow_up  # started with the episode, 3 h ago


def test_the_worklist_shows_due_and_overdue_and_audits_the_list(client, er_nurse, overdue, due):
    client.force_login(er_nurse)
    AuditEvent.objects.all().delete()
    html = client.get(reverse("cases:follow_up_worklist")).content.decode()
    assert "Morgan Bay" in html and "Casey Fern" in html
    assert "Overdue" in html and "escalated" in html
    assert "is overdue by" in html  # the team's notice
    event = AuditEvent.objects.get(action="cases.client.follow_up_worklist")
    assert event.details["client_ids"] == sorted([overdue.client_id, due.client_id])
    only_overdue = client.get(
        reverse("cases:follow_up_worklist") + "?state=overdue"
    ).content.decode()
    assert "Morgan Bay" in only_overdue and "Casey Fern" not in only_overdue
    only_due = client.get(reverse("cases:follow_up_worklist") + "?state=due").content.decode()
    assert "Casey Fern" in only_due and "Morgan Bay" not in only_due
    bad = client.get(reverse("cases:follow_up_worklist") + "?state=someday")
    assert bad.status_code == 400 and "Unknown state" in bad.content.decode()


def test_notices_can_be_marked_read(client, er_nurse, overdue):
    client.force_login(er_nurse)
    response = client.post(reverse("cases:follow_up_notices_read"))
    assert response.status_code == 302
    assert FollowUpNotice.objects.get().read_by == "er.nurse"


def test_another_team_sees_none_of_these_follow_ups(client, other_clinician, overdue, due):
    assert list(followups.follow_ups_for(other_clinician)) == []
    assert not followups.notices_for(other_clinician).exists()
    client.force_login(other_clinician)
    html = client.get(reverse("cases:follow_up_worklist")).content.decode()
    assert "Morgan" not in html and "is overdue by" not in html
    assert client.get(reverse("cases:follow_up_detail", args=[overdue.pk])).status_code == 404


def test_recording_an_attempt_on_the_page_stops_the_clock(client, er_nurse, due):
    client.force_login(er_nurse)
    url = reverse("cases:follow_up_detail", args=[due.pk])
    AuditEvent.objects.all().delete()
    assert "Casey Fern" in client.get(url).content.decode()
    assert AuditEvent.objects.filter(
        action="cases.client.read", target_id=str(due.client_id)
    ).exists()
    attempt_url = reverse("cases:follow_up_attempt", args=[due.pk])
    response = client.post(
        attempt_url, {"outcome": "reached", "method": "phone", "note": "Doing ok"}
    )
    assert response.status_code == 302
    due.refresh_from_db()
    assert due.contact_outcome == "reached"
    assert "Reached the person" in client.get(url).content.decode()
    bad = client.post(attempt_url, {"outcome": "reached", "method": "carrier pigeon"})
    assert bad.status_code == 400


def test_starting_the_clock_from_the_page(client, er_nurse):
    person = make_client(er_nurse, given_name="Dana", aliases=["Dana"])
    episode = actions.open_episode(
        actor=er_nurse, client=person, occurred_at=timezone.now() - 5 * HOUR
    ).episode
    client.force_login(er_nurse)
    url = reverse("cases:follow_up_start", args=[person.pk, episode.pk])
    response = client.post(
        url, {"discharged_at": timezone.localtime(timezone.now() - HOUR).strftime("%Y-%m-%dT%H:%M")}
    )
    follow_up = FollowUp.objects.get(episode=episode)
    assert response.status_code == 302 and follow_up.hours_allowed == 72
    bad = client.post(reverse("cases:follow_up_start", args=[person.pk, 999999]))
    assert bad.status_code == 404
    garbled = make_client(er_nurse, given_name="Eli", aliases=["Eli"])
    other_episode = actions.open_episode(
        actor=er_nurse, client=garbled, occurred_at=timezone.now() - HOUR
    ).episode
    response = client.post(
        reverse("cases:follow_up_start", args=[garbled.pk, other_episode.pk]),
        {"discharged_at": "yesterday-ish"},
    )
    assert response.status_code == 400 and "2026-01-31T14:30" in response.content.decode()


@pytest.mark.parametrize("persona", NOT_CARE_TEAM)
def test_no_one_off_the_care_team_sees_follow_ups(client, personas, overdue, persona):
    client.force_login(personas[persona])
    assert client.get(reverse("cases:follow_up_worklist")).status_code == 403
    assert client.get(reverse("cases:follow_up_detail", args=[overdue.pk])).status_code == 403
    response = client.post(
        reverse("cases:follow_up_attempt", args=[overdue.pk]),
        {"outcome": "reached", "method": "phone"},
    )
    assert response.status_code == 403
    assert not overdue.attempts.exists()


def test_the_case_page_shows_care_and_starts_a_clock_by_hand(client, er_nurse):
    person = make_client(er_nurse, given_name="Avery", family_name="Stone", aliases=["Av"])
    episode = actions.open_episode(
        actor=er_nurse, client=person, occurred_at=timezone.now() - 10 * HOUR
    ).episode
    FollowUp.objects.filter(episode=episode).delete()  # as for an episode from before clocks
    client.force_login(er_nurse)
    page = reverse("cases:client_detail", args=[person.pk])
    html = client.get(page).content.decode()
    # The care summary is part of the page itself, without JavaScript.
    assert 'id="care-summary"' in html and "Not assessed yet." in html
    assert reverse("cases:assessments", args=[person.pk]) in html
    start = reverse("cases:follow_up_start", args=[person.pk, episode.pk])
    assert f'action="{start}"' in html
    discharged = timezone.localtime(timezone.now() - 8 * HOUR).replace(second=0, microsecond=0)
    response = client.post(start, {"discharged_at": discharged.strftime("%Y-%m-%dT%H:%M")})
    follow_up = FollowUp.objects.get(episode=episode)
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:follow_up_detail", args=[follow_up.pk])
    assert follow_up.discharged_at == discharged
    html = client.get(page).content.decode()
    assert f'action="{start}"' not in html  # one clock per episode
    assert f"first contact due {timezone.localtime(follow_up.due_at):%Y-%m-%d %H:%M} (72 h)" in html
    assert "Follow-up clock started" in html  # on the timeline
