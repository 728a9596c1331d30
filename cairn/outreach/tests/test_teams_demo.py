"""The demo's teams: loaded through the same actions as the pages, and only once."""

import pytest

from cairn.demo.teams import PG_TEAM, load_demo_teams
from cairn.outreach import access
from cairn.outreach import teams as team_plan
from cairn.outreach.models.teams import (
    AreaOfAction,
    Funding,
    IndicatorProgress,
    Team,
    TeamAction,
    TeamGoal,
    TeamMember,
)

pytestmark = pytest.mark.django_db


def _counts():
    return [
        m.objects.count()
        for m in (Team, TeamMember, Funding, TeamGoal, TeamAction, IndicatorProgress)
    ]


def test_the_demo_teams_load_once(personas):
    assert load_demo_teams() == 4
    first = _counts()
    assert load_demo_teams() == 0
    assert _counts() == first


def test_the_prince_george_team_covers_every_area_and_group(personas):
    load_demo_teams()
    team = Team.objects.get(name=PG_TEAM)
    members = list(team.members.select_related("organization"))
    partners = {m.organization.name for m in members if m.organization_id}
    for key in [
        "outreach_worker",
        "police_liaison",
        "municipal_coordinator",
        "first_responder",
        "peer_worker",
        "first_nations_partner",
        "service_intake",
    ]:
        assert personas[key].memberships.first().organization.name in partners, key
    outside = {m.organization_name for m in members if not m.organization_id}
    assert outside == {
        "Prince George Families for Change",
        "Downtown Prince George Business Association",
    }
    assert Funding.objects.filter(
        team=team, amount=100000, funder="Community Action Initiative"
    ).exists()
    areas = {a.area for a in team_plan.plan_of(team) if a.goals or a.loose_actions}
    assert areas == set(AreaOfAction.values)
    assert all(n > 0 for n in team_plan.groups_covered(team).values())


def test_the_demo_personas_find_their_teams(personas):
    load_demo_teams()
    names = {t.name for t in access.teams_for(personas["police_liaison"])}
    assert names == {PG_TEAM}
    assert len(access.teams_for(personas["first_nations_partner"])) == 2  # PG and Terrace
    assert len(access.teams_for(personas["administrator"])) == 4
    vancouver = Team.objects.get(name__startswith="Vancouver")
    assert access.is_clinical_member(personas["er_nurse"], vancouver)
