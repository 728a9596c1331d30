"""Access and audit: only the care team of the holding organizations sees a person, and
every read leaves an audit event with its purpose."""

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from cairn.access.models import AuditEvent
from cairn.access.personas import PERSONAS
from cairn.cases import actions, queries
from cairn.cases.access import (
    InvalidPurpose,
    Purpose,
    get_client_for_user,
    get_source_record_for_user,
)
from cairn.cases.tests.conftest import make_client
from tests.url_rows.cases import ROWS

BORN = dt.date(1988, 4, 9)
NOT_CARE_TEAM = sorted(set(PERSONAS) - {"er_nurse"})


@pytest.fixture
def held(er_nurse, nurse_record):
    client = make_client(
        er_nurse,
        given_name="Alex",
        family_name="Testerson",
        date_of_birth=BORN,
        health_number="9999012345",
    )
    other = make_client(er_nurse, aliases=["Zephyrine"], different_from=[client.pk])
    merge = actions.merge_clients(
        actor=er_nurse, survivor=client, merged=other, reason="Same", consent_method="verbal"
    )
    return {"client": client, "event": nurse_record, "merge": merge}


def test_reading_a_client_writes_an_audit_event_with_its_purpose(er_nurse, held):
    client = held["client"]
    AuditEvent.objects.all().delete()
    get_client_for_user(er_nurse, client.pk, purpose=Purpose.CARE)
    event = AuditEvent.objects.get()
    assert event.action == "cases.client.read"
    assert (event.actor_username, event.target_type, event.target_id) == (
        "er.nurse",
        "cases.client",
        str(client.pk),
    )
    assert event.details == {"purpose": "care"}


def test_an_unknown_purpose_is_refused(er_nurse, held):
    with pytest.raises(InvalidPurpose):
        get_client_for_user(er_nurse, held["client"].pk, purpose="curiosity")


@pytest.mark.parametrize("persona", NOT_CARE_TEAM)
def test_no_one_off_the_care_team_can_open_a_client(personas, held, persona):
    with pytest.raises(PermissionDenied):
        get_client_for_user(personas[persona], held["client"].pk, purpose=Purpose.CARE)
    with pytest.raises(PermissionDenied):
        get_source_record_for_user(personas[persona], held["event"].pk, purpose=Purpose.CARE)


def test_a_clinician_of_another_organization_gets_not_found(other_clinician, held):
    with pytest.raises(Http404):
        get_client_for_user(other_clinician, held["client"].pk, purpose=Purpose.CARE)
    with pytest.raises(Http404):  # Vancouver is outside Fraser's coverage
        get_source_record_for_user(other_clinician, held["event"].pk, purpose=Purpose.CARE)


def test_reading_an_ed_visits_identity_is_audited(er_nurse, nurse_record):
    event, identity = get_source_record_for_user(
        er_nurse, nurse_record.pk, purpose=Purpose.OPENING_CASE
    )
    assert identity.family_name == "Testerson"
    audit = AuditEvent.objects.get(action="cases.source_record.read")
    assert audit.target_id == str(event.pk) and audit.details["purpose"] == "opening_case"


def test_search_is_audited_with_the_records_shown_never_the_words_searched(client, er_nurse, held):
    client.force_login(er_nurse)
    AuditEvent.objects.all().delete()
    response = client.get(reverse("cases:client_search"), {"q": "Alex Testerson"})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="cases.client.search")
    assert event.details["client_ids"] == [held["client"].pk]
    assert event.details["purpose"] == "finding_person"
    assert "Testerson" not in json.dumps(event.details) + event.summary


def test_every_read_is_audited_and_the_case_page_folds_repeated_reads(client, er_nurse, held):
    client.force_login(er_nurse)
    AuditEvent.objects.all().delete()
    page = reverse("cases:client_detail", args=[held["client"].pk])
    for _ in range(3):
        response = client.get(page)

    reads = AuditEvent.objects.filter(action="cases.client.read", target_id=str(held["client"].pk))
    # Three loads, three reads recorded; the page shows them as one line.
    assert reads.count() == 3
    lines = queries.access_log_for(held["client"])
    assert lines[0].latest.summary.startswith("Opened client record")
    assert lines[0].times == 3
    assert "(3 times since" in response.content.decode()


def _kwargs(name: str, visit_kwargs: dict, held) -> dict:
    real = {
        "client_id": held["client"].pk,
        "event_id": held["event"].pk,
        "merge_id": held["merge"].pk,
    }
    # Other parts of the app add rows with other ids: those keep their placeholder.
    return {key: str(real.get(key, value)) for key, value in visit_kwargs.items()}


def _every_visit():
    for name, visits in ROWS.items():
        for visit in visits:
            yield pytest.param(name, visit, id=f"{name}-{visit.method}")


@pytest.mark.parametrize(("name", "visit"), list(_every_visit()))
def test_every_case_url_with_real_records_refuses_everyone_but_the_care_team(
    client, personas, held, name, visit
):
    """Police, municipal and every other persona: refused on every URL, with records that
    exist, and nothing identifying in what they get back."""
    url = reverse(name, kwargs=_kwargs(name, visit.kwargs, held))
    for who in [*NOT_CARE_TEAM, "anonymous"]:
        client.logout()
        if who != "anonymous":
            client.force_login(personas[who])
        response = getattr(client, visit.method)(url)
        if who == "anonymous":
            assert response.status_code in (302, 401), (who, url, response.status_code)
        else:
            assert response.status_code == 403, (who, url, response.status_code)
        body = response.content.decode()
        assert "Testerson" not in body and "9999012345" not in body, (who, url)
    assert (
        not AuditEvent.objects.filter(action__startswith="cases.client.read")
        .exclude(actor_username="er.nurse")
        .exists()
    )


def test_dup_check_candidates_never_cross_organizations(er_nurse, other_clinician, held):
    person = queries.details_of(held["client"])
    assert queries.find_candidates(other_clinician, person).candidates == []
