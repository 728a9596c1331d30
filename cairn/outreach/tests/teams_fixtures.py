"""Fixtures for the team workspace tests: the Prince George team, set up as a coordinator
would, with the Prince George personas' organizations, two groups that are not Cairn
partners, a clinical member, funding and a small plan.

Imported by the test modules (`from cairn.outreach.tests.teams_fixtures import *`), so
they do not depend on a conftest shared with the encounters' tests.
"""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from cairn.access import actions as access_actions
from cairn.access.models import Organization
from cairn.geography.models import Jurisdiction
from cairn.outreach import teams as team_plan
from cairn.outreach.models.teams import TeamMember

# Personas whose organization sits on the Prince George team.
PG_MEMBERS = {
    "outreach_worker": ("member", "Alex Outreach"),
    "police_liaison": ("member", "Cst. Sam Police"),
    "municipal_coordinator": ("chair", "Jordan City"),
    "first_responder": ("member", "Riley Fire"),
    "peer_worker": ("lived_experience", "Casey Peer"),
    "first_nations_partner": ("co_chair", "Morgan Nation"),
    "service_intake": ("member", "Taylor Clinic"),
}
NOT_MEMBERS = {"er_nurse", "epidemiologist", "regional_epidemiologist", "administrator"}


def persona_organization(user) -> Organization:
    return user.memberships.select_related("organization").first().organization


@pytest.fixture
def northern_clinician(bc_geography):
    """A clinician of a Northern overdose response team: care-team tier for Prince George."""
    organization = access_actions.create_organization(
        actor="test",
        name="Northern Overdose Response Team",
        sector="oerc",
        coverage=[Jurisdiction.objects.get(code="bc-ha-northern")],
    )
    user = access_actions.create_user(
        actor="test", username="northern.clinician", password="x-test-password-1"
    )
    access_actions.add_membership(
        actor="test", user=user, organization=organization, role="oerc_clinician"
    )
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def pg_team(personas, prince_george, northern_clinician):
    """The Prince George Community Action Team with every Prince George persona's
    organization, a family group, a business association and a clinical member."""
    team = team_plan.create_team(
        actor="test",
        name="Prince George Community Action Team",
        communities=[prince_george.code],
        description="Prince George's multi-sector overdose response.",
        started_on="2018-02-01",
    )
    seats = {}
    for key, (role, name) in PG_MEMBERS.items():
        user = personas[key]
        seats[key] = team_plan.add_member(
            actor="test",
            team=team,
            organization_id=persona_organization(user).pk,
            person_name=name,
            team_role=role,
            user_id=user.pk,
            joined_on="2025-01-15",
        )
    seats["family"] = team_plan.add_member(
        actor="test",
        team=team,
        organization_name="Prince George Families for Change",
        sector="family_peer_group",
        person_name="Pat Family",
        joined_on="2025-01-15",
    )
    seats["business"] = team_plan.add_member(
        actor="test",
        team=team,
        organization_name="Downtown Prince George Business Association",
        sector="business",
        joined_on="2025-01-15",
    )
    seats["clinician"] = team_plan.add_member(
        actor="test",
        team=team,
        organization_id=persona_organization(northern_clinician).pk,
        person_name="Dr. Lee Clinic",
        joined_on="2025-01-15",
    )
    team_plan.add_funding(
        actor="test",
        team=team,
        funder="Community Action Initiative",
        program="Community Action Team grant, Stream 1",
        amount="100000",
        starts_on="2025-04-01",
        ends_on="2026-03-31",
    )
    goal = team_plan.add_goal(
        actor="test",
        team=team,
        title="More naloxone in the hands of people who use alone",
        area="naloxone",
        groups=["hidden_regular", "recreational"],
        owner_id=seats["municipal_coordinator"].pk,
        due_on="2026-12-31",
    )
    action = team_plan.add_action(
        actor="test",
        team=team,
        goal_id=goal.pk,
        title="Naloxone kits at every downtown business",
        owner_id=seats["police_liaison"].pk,
        due_on="2026-06-30",
    )
    indicator = team_plan.add_indicator(
        actor="test", team=team, action_id=action.pk, name="Kits placed", unit="kits", target=200
    )
    team_plan.record_progress(
        actor="test", team=team, indicator_id=indicator.pk, value=40, recorded_on="2026-03-01"
    )
    team_plan.record_progress(
        actor="test", team=team, indicator_id=indicator.pk, value=90, recorded_on="2026-06-01"
    )
    team.seats = seats
    team.goal = goal
    team.action = action
    team.indicator = indicator
    return team


def seat(team, key) -> TeamMember:
    return team.seats[key]


TODAY = dt.date(2026, 11, 26)
