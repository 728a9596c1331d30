# ruff: noqa: F811  (fixtures imported from teams_fixtures are used as arguments)
"""Who may open and change a team's workspace, persona by persona, on a real team."""

import pytest

from cairn.outreach import access
from cairn.outreach import teams as team_plan
from cairn.outreach.tests.teams_fixtures import (  # noqa: F401
    NOT_MEMBERS,
    PG_MEMBERS,
    northern_clinician,
    pg_team,
    seat,
)

pytestmark = pytest.mark.django_db

MANAGERS = {"municipal_coordinator", "administrator"}


def test_every_member_organization_opens_the_workspace(client, personas, pg_team):
    url = f"/teams/{pg_team.slug}/"
    for key in PG_MEMBERS:
        client.force_login(personas[key])
        response = client.get(url)
        assert response.status_code == 200, key
        assert "Prince George Community Action Team" in response.content.decode()


def test_people_outside_the_team_are_refused_except_team_managers(client, personas, pg_team):
    url = f"/teams/{pg_team.slug}/"
    for key in NOT_MEMBERS:
        client.force_login(personas[key])
        expected = 200 if key in MANAGERS else 403
        assert client.get(url).status_code == expected, key
        assert (pg_team in access.teams_for(personas[key])) == (key in MANAGERS), key


def test_the_team_list_shows_only_ones_own_teams(client, personas, pg_team):
    client.force_login(personas["police_liaison"])
    assert "Prince George Community Action Team" in client.get("/teams/").content.decode()
    client.force_login(personas["er_nurse"])
    page = client.get("/teams/").content.decode()
    assert "Prince George Community Action Team" not in page
    assert "You are not on a community action team" in page


def test_only_managers_covering_the_community_set_the_team_up(client, personas, pg_team):
    for key in [*PG_MEMBERS, *NOT_MEMBERS]:
        allowed = key in MANAGERS
        assert access.may_manage_team(personas[key], pg_team) == allowed, key
        client.force_login(personas[key])
        response = client.get(f"/teams/{pg_team.slug}/edit/")
        assert response.status_code == (200 if allowed else 403), key


def test_a_coordinator_does_not_manage_a_team_outside_their_city(personas, pg_team, abbotsford):
    pg_team.communities.add(abbotsford)
    coordinator = personas["municipal_coordinator"]
    assert not access.may_manage_team(coordinator, pg_team)
    assert access.may_view_team(coordinator, pg_team)  # Prince George is still theirs
    assert access.may_manage_team(personas["administrator"], pg_team)
    # A coordinator whose organization is not on the team sees a team of their city only.
    team_plan.end_membership(
        actor="test", team=pg_team, member_id=seat(pg_team, "municipal_coordinator").pk
    )
    assert access.may_view_team(coordinator, pg_team)
    pg_team.communities.remove(pg_team.communities.get(code="bc-lha-prince-george"))
    assert not access.may_view_team(coordinator, pg_team)
    assert pg_team not in access.teams_for(coordinator)


def test_an_organization_that_left_loses_the_workspace(client, personas, pg_team):
    police = personas["police_liaison"]
    team_plan.end_membership(
        actor="test", team=pg_team, member_id=seat(pg_team, "police_liaison").pk
    )
    client.force_login(police)
    assert client.get(f"/teams/{pg_team.slug}/").status_code == 403
    assert pg_team not in access.teams_for(police)


def test_plan_editing_chairs_managers_and_action_owners(personas, pg_team):
    chair = personas["municipal_coordinator"]
    co_chair = personas["first_nations_partner"]
    owner = personas["police_liaison"]
    other = personas["peer_worker"]
    assert access.may_edit_plan(chair, pg_team)
    assert access.may_edit_plan(co_chair, pg_team)  # co-chair seat, not a manager
    assert not access.may_manage_team(co_chair, pg_team)
    assert not access.may_edit_plan(owner, pg_team)
    assert access.may_edit_action(owner, pg_team.action)  # owns the action
    assert not access.may_edit_action(other, pg_team.action)


def test_recording_outreach_needs_the_permission_in_a_member_organization(personas, pg_team):
    expected = {"outreach_worker", "peer_worker", "first_nations_partner"}
    for key in [*PG_MEMBERS, *NOT_MEMBERS]:
        assert access.may_record_outreach(personas[key], pg_team) == (key in expected), key


def test_only_line_list_tiers_are_clinical_members(personas, pg_team, northern_clinician):
    assert access.is_clinical_member(northern_clinician, pg_team)
    for key in PG_MEMBERS:
        assert not access.is_clinical_member(personas[key], pg_team), key


def test_the_workspace_shows_no_health_record(client, personas, pg_team):
    client.force_login(personas["police_liaison"])
    page = client.get(f"/teams/{pg_team.slug}/").content.decode()
    assert "/cases/" not in page
    assert "no one's health record appears here" in page


def test_the_encounters_link_is_shown_only_to_those_who_may_open_the_list(
    client, personas, pg_team
):
    for key, shown in [("outreach_worker", True), ("police_liaison", False)]:
        client.force_login(personas[key])
        page = client.get(f"/teams/{pg_team.slug}/").content.decode()
        assert ("Outreach encounters</a>" in page) == shown, key


def test_a_team_page_does_not_read_community_boundaries(personas, pg_team):
    team = access.get_team_for(personas["police_liaison"], pg_team.slug)
    community = team.communities.all()[0]
    assert "boundary" in community.get_deferred_fields()
