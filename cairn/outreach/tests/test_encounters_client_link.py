"""Linking an encounter to an identified person: the holding care team, with consent.

Nobody else sees the link: not the outreach worker who recorded the encounter, not
another care team, not the team's partners.
"""

import pytest
from django.urls import reverse

from cairn.access.models import AuditEvent
from cairn.cases.actions import ClientInput, create_client
from cairn.outreach.models import EncounterClientLink
from cairn.outreach.tests import encounter_fixtures
from cairn.outreach.tests.encounter_fixtures import record

northern_nurse = encounter_fixtures.northern_nurse
pg_team = encounter_fixtures.pg_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def encounter(outreach_worker, pg_team):
    return record(outreach_worker, pg_team, connected_to_oerc=True)


@pytest.fixture
def person(northern_nurse, prince_george):
    """A person whose case the Northern response centre holds."""
    return create_client(
        actor=northern_nurse,
        details=ClientInput(
            given_name="Robin", family_name="Example", home_community=prince_george
        ),
    ).client


def link_url(encounter):
    return reverse(
        "outreach:encounter_link",
        kwargs={"slug": encounter.team.slug, "encounter_id": encounter.pk},
    )


def list_url(team):
    return reverse("outreach:encounter_list", kwargs={"slug": team.slug})


def test_the_holding_care_team_links_with_consent_and_it_is_audited(
    client, northern_nurse, encounter, person
):
    client.force_login(northern_nurse)
    assert client.get(link_url(encounter)).status_code == 200
    response = client.post(
        link_url(encounter),
        {
            "client_id": person.pk,
            "consent_method": "verbal",
            "consent_note": "Agreed at the clinic",
        },
    )
    assert response.status_code == 302
    link = EncounterClientLink.objects.get()
    assert (link.encounter, link.client, link.consent_method) == (encounter, person, "verbal")
    assert link.linked_by == "northern.nurse"
    assert link.organization == northern_nurse.memberships.get().organization
    assert AuditEvent.objects.filter(action="cases.client.read", target_id=str(person.pk)).exists()
    assert AuditEvent.objects.filter(
        action="outreach.encounter.link_client", target_id=str(encounter.pk)
    ).exists()

    # The care team sees the link on the team's list, and that read is audited.
    page = client.get(list_url(encounter.team)).content.decode()
    assert f"client record {person.pk}" in page
    listed = AuditEvent.objects.filter(action="cases.client.encounter_links").last()
    assert listed.details["client_ids"] == [person.pk]


def test_without_consent_there_is_no_link(client, northern_nurse, encounter, person):
    client.force_login(northern_nurse)
    response = client.post(link_url(encounter), {"client_id": person.pk, "consent_method": ""})
    assert response.status_code == 400
    assert "Record how the person consented" in response.content.decode()
    assert not EncounterClientLink.objects.exists()


def test_a_person_the_care_team_does_not_hold_cannot_be_linked(
    client, northern_nurse, er_nurse, encounter
):
    elsewhere = create_client(actor=er_nurse, details=ClientInput(given_name="Sam")).client
    client.force_login(northern_nurse)
    response = client.post(
        link_url(encounter), {"client_id": elsewhere.pk, "consent_method": "written"}
    )
    assert response.status_code == 400
    assert "No client record with this number is held by your team" in response.content.decode()
    assert not EncounterClientLink.objects.exists()


def test_an_encounter_is_linked_once(client, northern_nurse, encounter, person):
    client.force_login(northern_nurse)
    client.post(link_url(encounter), {"client_id": person.pk, "consent_method": "verbal"})
    again = client.post(link_url(encounter), {"client_id": person.pk, "consent_method": "verbal"})
    assert again.status_code == 400
    assert "already linked" in again.content.decode()
    assert EncounterClientLink.objects.count() == 1


def test_no_one_else_links_or_sees_the_link(client, personas, northern_nurse, encounter, person):
    client.force_login(northern_nurse)
    client.post(link_url(encounter), {"client_id": person.pk, "consent_method": "verbal"})

    # The outreach team's own members may not link, and their list says nothing of it.
    for key in ("outreach_worker", "peer_worker", "first_nations_partner"):
        client.force_login(personas[key])
        assert client.get(link_url(encounter)).status_code == 403
        page = client.get(list_url(encounter.team)).content.decode()
        assert f'id="encounter-{encounter.pk}"' in page
        assert "client record" not in page.lower()
        assert "Link to a person" not in page
    # Another response centre's nurse is not on this team: refused.
    client.force_login(personas["er_nurse"])
    assert client.get(link_url(encounter)).status_code == 403
    assert client.get(list_url(encounter.team)).status_code == 403
    # Partners who do not record outreach never see encounters one by one.
    for key in ("police_liaison", "municipal_coordinator"):
        client.force_login(personas[key])
        assert client.get(list_url(encounter.team)).status_code == 403


def test_the_care_team_removes_a_link_and_the_row_is_kept(
    client, northern_nurse, encounter, person
):
    client.force_login(northern_nurse)
    client.post(link_url(encounter), {"client_id": person.pk, "consent_method": "verbal"})
    url = reverse(
        "outreach:encounter_unlink",
        kwargs={"slug": encounter.team.slug, "encounter_id": encounter.pk},
    )
    client.post(url, {"reason": "The person withdrew consent"})
    link = EncounterClientLink.objects.get()
    assert link.removed_at is not None
    assert link.removal_reason == "The person withdrew consent"
    assert "client record" not in client.get(list_url(encounter.team)).content.decode()


def test_after_a_merge_the_link_points_at_the_surviving_record(
    client, northern_nurse, encounter, person, prince_george
):
    from cairn.cases.actions import merge_clients, undo_merge
    from cairn.outreach.models import EncounterClientLink

    client.force_login(northern_nurse)
    client.post(link_url(encounter), {"client_id": person.pk, "consent_method": "verbal"})
    survivor = create_client(
        actor=northern_nurse,
        details=ClientInput(given_name="Rob", family_name="Sample", home_community=prince_george),
    ).client
    merge = merge_clients(
        actor=northern_nurse, survivor=survivor, merged=person, reason="Same person"
    )

    page = client.get(list_url(encounter.team)).content.decode()
    assert f"client record {survivor.pk}" in page
    assert f"client record {person.pk}<" not in page
    link = EncounterClientLink.objects.get(encounter=encounter)
    assert link.client_id == survivor.pk  # the row itself moved with the merge

    undo_merge(actor=northern_nurse, merge=merge, reason="Two different people")

    link.refresh_from_db()
    assert link.client_id == person.pk
