"""Creating clients: the duplicate check, idempotency, anonymous records and identity links."""

import datetime as dt

import pytest

from cairn.access.models import AuditEvent
from cairn.cases import actions, queries
from cairn.cases.actions import ClientInput
from cairn.cases.models import (
    Client,
    ClientHolding,
    ClientMatchKey,
    IdentityLink,
    IdentityStatus,
)
from cairn.cases.tests.conftest import make_client

BORN = dt.date(1988, 4, 9)


def test_create_client_is_held_by_the_creators_organization_and_audited(er_nurse):
    created = actions.create_client(
        actor=er_nurse,
        details=ClientInput(given_name="Alex", family_name="Testerson", date_of_birth=BORN),
    )
    client = created.client
    assert created.created
    assert client.display_name == "Alex Testerson"
    assert client.identity_status == IdentityStatus.IDENTIFIED
    holder = ClientHolding.objects.get(client=client).organization
    assert holder.name == "Vancouver Coastal Overdose Emergency Response Centre"
    assert ClientMatchKey.objects.filter(client=client).count() >= 5
    event = AuditEvent.objects.get(action="cases.client.create")
    assert event.target_id == str(client.pk) and event.actor_username == "er.nurse"


def test_similar_person_is_caught_with_reasons_before_a_second_record(er_nurse):
    first = make_client(er_nurse, given_name="Alex", family_name="Testerson", date_of_birth=BORN)
    with pytest.raises(actions.PossibleDuplicates) as caught:
        actions.create_client(
            actor=er_nurse,
            details=ClientInput(given_name="Alec", family_name="Testersen", date_of_birth=BORN),
        )
    candidate = caught.value.candidates[0]
    assert candidate.client == first
    assert candidate.band in {"likely", "very_likely"}
    assert "Same date of birth (1988-04-09)" in [r.text for r in candidate.score.reasons]
    assert Client.objects.count() == 1


def test_a_checked_candidate_judged_different_lets_the_record_be_created(er_nurse):
    first = make_client(er_nurse, given_name="Alex", family_name="Testerson", date_of_birth=BORN)
    created = actions.create_client(
        actor=er_nurse,
        details=ClientInput(given_name="Alec", family_name="Testersen", date_of_birth=BORN),
        different_from=[first.pk],
    )
    assert created.created and Client.objects.count() == 2


def test_same_health_number_always_stops_a_new_record(er_nurse):
    first = make_client(
        er_nurse, given_name="Alex", family_name="Testerson", health_number="9999012345"
    )
    with pytest.raises(actions.PossibleDuplicates) as caught:
        actions.create_client(
            actor=er_nurse,
            details=ClientInput(
                given_name="Robin", family_name="Other", health_number="9999 012 345"
            ),
            different_from=[first.pk],  # judging it different does not help
        )
    assert caught.value.decisive
    assert caught.value.candidates[0].client == first


def test_sending_the_same_create_twice_makes_one_record(er_nurse):
    details = ClientInput(given_name="Alex", family_name="Testerson", date_of_birth=BORN)
    first = actions.create_client(actor=er_nurse, details=details, idempotency_key="tap-1")
    again = actions.create_client(actor=er_nurse, details=details, idempotency_key="tap-1")
    assert first.created and not again.created
    assert again.client == first.client
    assert Client.objects.count() == 1


def test_a_person_can_start_anonymous_with_an_alias(er_nurse):
    client = make_client(er_nurse, aliases=["Sparrow"], approximate_age=30, sex="F")
    assert client.identity_status == IdentityStatus.ANONYMOUS
    assert client.display_name == "Sparrow"
    assert client.birth_year == dt.date.today().year - 30


def test_a_record_needs_a_name_or_an_alias(er_nurse):
    with pytest.raises(actions.CaseActionError, match="name or an alias"):
        actions.create_client(actor=er_nurse, details=ClientInput(date_of_birth=BORN))


def test_linking_an_identity_needs_consent_and_is_recorded(er_nurse):
    client = make_client(er_nurse, aliases=["Sparrow"])
    with pytest.raises(actions.CaseActionError, match="consent"):
        actions.link_identity(
            actor=er_nurse,
            client=client,
            consent_method="",
            given_name="Robin",
            family_name="Testa",
        )
    link = actions.link_identity(
        actor=er_nurse,
        client=client,
        consent_method="verbal",
        consent_note="Agreed so the clinic can find their records",
        given_name="Robin",
        family_name="Testa",
        date_of_birth=BORN,
        health_number="9999 111 222",
    )
    client.refresh_from_db()
    assert client.identity_status == IdentityStatus.IDENTIFIED
    assert client.display_name == "Robin Testa"
    assert link.added == ["legal name", "date of birth", "health number"]
    assert IdentityLink.objects.filter(client=client).count() == 1
    # The linked identity is now found by search.
    terms = queries.parse_search("Robin Testa")
    assert [c.client for c in queries.search_clients(er_nurse, terms).candidates] == [client]


def test_candidates_come_only_from_the_users_organizations(er_nurse, other_clinician):
    theirs = make_client(
        other_clinician,
        given_name="Alex",
        family_name="Testerson",
        date_of_birth=BORN,
        health_number="9999012345",
    )
    person = ClientInput(
        given_name="Alex", family_name="Testerson", date_of_birth=BORN, health_number="9999012345"
    ).person()
    assert queries.find_candidates(er_nurse, person).candidates == []
    assert [c.client for c in queries.find_candidates(other_clinician, person).candidates] == [
        theirs
    ]


def test_updating_details_is_audited_and_dates_the_housing_status(er_nurse):
    client = make_client(er_nurse, given_name="Alex", family_name="Testerson")
    actions.update_client(actor=er_nurse, client=client, housing_status="shelter")
    client.refresh_from_db()
    assert client.housing_status == "shelter" and client.housing_updated_on is not None
    assert AuditEvent.objects.filter(action="cases.client.update").count() == 1
    with pytest.raises(actions.CaseActionError, match="cannot be changed here"):
        actions.update_client(actor=er_nurse, client=client, date_of_birth=BORN)


def test_rebuild_keys_command_restores_lost_keys(er_nurse):
    from io import StringIO

    from django.core.management import call_command

    client = make_client(er_nurse, given_name="Alex", family_name="Testerson", date_of_birth=BORN)
    expected = ClientMatchKey.objects.filter(client=client).count()
    ClientMatchKey.objects.all().delete()
    out = StringIO()
    call_command("cases", "rebuild-keys", stdout=out)
    assert ClientMatchKey.objects.filter(client=client).count() == expected
    assert f"Rebuilt {expected} match keys for 1 clients" in out.getvalue()
