"""Correcting and voiding: the recorder only, within the window; voided kept, not counted."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cairn.access.models import AuditEvent
from cairn.outreach.encounters import EDIT_WINDOW
from cairn.outreach.indicators import team_indicators
from cairn.outreach.models import Encounter
from cairn.outreach.tests import encounter_fixtures
from cairn.outreach.tests.encounter_fixtures import form_post, record

northern_nurse = encounter_fixtures.northern_nurse
pg_team = encounter_fixtures.pg_team

pytestmark = pytest.mark.django_db


def edit_url(encounter):
    return reverse(
        "outreach:encounter_edit",
        kwargs={"slug": encounter.team.slug, "encounter_id": encounter.pk},
    )


def void_url(encounter):
    return reverse(
        "outreach:encounter_void",
        kwargs={"slug": encounter.team.slug, "encounter_id": encounter.pk},
    )


def list_url(team, **query):
    url = reverse("outreach:encounter_list", kwargs={"slug": team.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_recorder_corrects_an_encounter_and_the_change_is_audited(
    client, outreach_worker, pg_team
):
    encounter = record(outreach_worker, pg_team, naloxone_kits=1)
    client.force_login(outreach_worker)
    assert client.get(edit_url(encounter)).status_code == 200

    data = form_post(pg_team, naloxone_kits="3", group="hidden_regular")
    data.pop("creation_key")
    response = client.post(edit_url(encounter), data)

    assert response.status_code == 302
    encounter.refresh_from_db()
    assert encounter.naloxone_kits == 3
    assert encounter.group == "hidden_regular"
    assert encounter.updated_by == "outreach.worker"
    event = AuditEvent.objects.get(action="outreach.encounter.edit")
    assert event.details["changed"] == ["group", "naloxone_kits"]
    assert Encounter.objects.count() == 1


def test_a_correction_with_a_mistake_is_refused_with_the_field_named(
    client, outreach_worker, pg_team
):
    encounter = record(outreach_worker, pg_team, naloxone_kits=1)
    client.force_login(outreach_worker)
    data = form_post(pg_team, naloxone_kits="-1")
    response = client.post(edit_url(encounter), data)
    assert response.status_code == 400
    assert "Naloxone kits cannot be fewer than 0." in response.content.decode()
    encounter.refresh_from_db()
    assert encounter.naloxone_kits == 1


def test_another_worker_of_the_team_may_not_correct_or_void_it(
    client, outreach_worker, peer_worker, pg_team
):
    encounter = record(outreach_worker, pg_team)
    client.force_login(peer_worker)
    assert client.get(edit_url(encounter)).status_code == 403
    assert client.post(void_url(encounter), {"reason": "mine now"}).status_code == 403
    page = client.get(list_url(pg_team)).content.decode()
    assert f'id="encounter-{encounter.pk}"' in page
    assert edit_url(encounter) not in page


def test_after_the_window_the_recorder_may_not_change_it_either(client, outreach_worker, pg_team):
    encounter = record(outreach_worker, pg_team)
    Encounter.objects.filter(pk=encounter.pk).update(
        recorded_at=timezone.now() - EDIT_WINDOW - dt.timedelta(minutes=1)
    )
    client.force_login(outreach_worker)
    assert client.get(edit_url(encounter)).status_code == 403
    assert client.post(void_url(encounter), {"reason": "late"}).status_code == 403
    assert edit_url(encounter) not in client.get(list_url(pg_team)).content.decode()


def test_a_void_needs_a_reason(client, outreach_worker, pg_team):
    encounter = record(outreach_worker, pg_team)
    client.force_login(outreach_worker)
    response = client.post(void_url(encounter), {"reason": "  "}, follow=True)
    assert "Not voided: Say why the encounter is voided." in response.content.decode()
    encounter.refresh_from_db()
    assert encounter.voided_at is None


def test_a_voided_encounter_is_kept_but_left_out_of_the_list_and_the_indicators(
    client, outreach_worker, pg_team
):
    kept = record(outreach_worker, pg_team, naloxone_kits=2)
    mistake = record(outreach_worker, pg_team, naloxone_kits=5, connected_to_treatment=True)
    client.force_login(outreach_worker)

    response = client.post(void_url(mistake), {"reason": "Entered twice by mistake"})

    assert response.status_code == 302
    mistake.refresh_from_db()
    assert mistake.voided_at is not None
    assert mistake.voided_by == "outreach.worker"
    assert mistake.void_reason == "Entered twice by mistake"
    assert AuditEvent.objects.filter(
        action="outreach.encounter.void", target_id=str(mistake.pk)
    ).exists()
    page = client.get(list_url(pg_team)).content.decode()
    assert f'id="encounter-{kept.pk}"' in page
    assert f'id="encounter-{mistake.pk}"' not in page
    with_voided = client.get(list_url(pg_team, voided=1)).content.decode()
    assert f'id="encounter-{mistake.pk}"' in with_voided
    assert "Voided: Entered twice by mistake" in with_voided
    totals = team_indicators(pg_team).totals
    assert totals["encounters"] == 1
    assert totals["naloxone_kits"] == 2
    assert totals["treatment"] == 0
    # A voided encounter is not corrected or voided again.
    assert client.get(edit_url(mistake)).status_code == 403


def test_the_list_filters_those_needing_follow_up(client, outreach_worker, pg_team):
    plain = record(outreach_worker, pg_team)
    needs = record(
        outreach_worker, pg_team, follow_up_needed=True, follow_up_note="Ride to the clinic"
    )
    client.force_login(outreach_worker)
    page = client.get(list_url(pg_team, follow_up=1)).content.decode()
    assert f'id="encounter-{needs.pk}"' in page
    assert f'id="encounter-{plain.pk}"' not in page
    assert "Ride to the clinic" in page
