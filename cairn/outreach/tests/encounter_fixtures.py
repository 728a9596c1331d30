"""Fixtures for the encounter tests (imported by each test_encounters_* module).

The Prince George team sits with the partners of the Prince George personas (the
action team's agency, the peer network, police, the city, the First Nations
partnership) and a Northern overdose response centre whose nurse is on a care team.
"""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from cairn.access.models import Organization
from cairn.access.tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from cairn.geography.models import Jurisdiction
from cairn.outreach.encounter_form import EncounterForm
from cairn.outreach.encounters import record_encounter
from cairn.outreach.models import Team, TeamMember

PG_PARTNERS = {
    "outreach_worker": "community_agency",
    "peer_worker": "family_peer_group",
    "police_liaison": "police",
    "municipal_coordinator": "municipal_government",
    "first_nations_partner": "first_nations",
}


def persona_organization(user) -> Organization:
    return user.memberships.get().organization


@pytest.fixture
def northern_nurse(bc_geography):
    """A nurse of a Northern overdose response centre (care team), covering Northern HA."""
    northern = Jurisdiction.objects.get(code="bc-ha-northern")
    organization = OrganizationFactory(
        name="Northern Overdose Response Centre", sector="oerc", coverage=[northern]
    )
    user = UserFactory(username="northern.nurse")
    MembershipFactory(user=user, organization=organization, role="oerc_clinician")
    return user


@pytest.fixture
def pg_team(personas, prince_george, northern_nurse):
    team = Team.objects.create(name="Prince George Community Action Team", slug="prince-george")
    team.communities.set([prince_george])
    joined = timezone.localdate() - dt.timedelta(days=400)
    for key, sector in PG_PARTNERS.items():
        TeamMember.objects.create(
            team=team,
            organization=persona_organization(personas[key]),
            sector=sector,
            joined_on=joined,
        )
    TeamMember.objects.create(
        team=team,
        organization=persona_organization(northern_nurse),
        sector="oerc",
        joined_on=joined,
    )
    return team


def details(team, **overrides) -> dict:
    """Valid encounter details as EncounterForm.cleaned_data gives them."""
    data = {
        "creation_key": str(uuid.uuid4()),
        "occurred_on": timezone.localdate().isoformat(),
        "community": team.communities.get().code,
        "group": "street_involved",
        "naloxone_kits": 0,
    }
    data.update(overrides)
    form = EncounterForm(data, communities=list(team.communities.all()))
    assert form.is_valid(), form.errors
    cleaned = dict(form.cleaned_data)
    cleaned.pop("creation_key")
    return cleaned


def record(actor, team, key=None, **overrides):
    """An encounter recorded through the action, as the form would send it."""
    return record_encounter(
        actor=actor,
        team=team,
        details=details(team, **overrides),
        idempotency_key=key or str(uuid.uuid4()),
    ).encounter


def form_post(team, **overrides) -> dict:
    """What the phone form posts (checkboxes "on" when ticked, absent otherwise)."""
    data = {
        "creation_key": str(uuid.uuid4()),
        "occurred_on": timezone.localdate().isoformat(),
        "occurred_at_time": "",
        "community": team.communities.get().code,
        "place_description": "",
        "group": "not_assessed",
        "naloxone_kits": "0",
        "connection_note": "",
        "follow_up_note": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
