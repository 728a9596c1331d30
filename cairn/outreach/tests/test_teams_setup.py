# ruff: noqa: F811  (fixtures imported from teams_fixtures are used as arguments)
"""Setting a team up through its pages: the team, members (partners or not), funding.
Bad input answers 400 naming the field and keeps what was typed; a repeated post with
the same key changes nothing."""

from decimal import Decimal

import pytest

from cairn.access.models import AuditEvent
from cairn.outreach.models.teams import Funding, Team, TeamMember
from cairn.outreach.tests.teams_fixtures import (  # noqa: F401
    northern_clinician,
    persona_organization,
    pg_team,
)

pytestmark = pytest.mark.django_db


def test_a_coordinator_sets_up_a_team_for_their_city(client, municipal_coordinator, prince_george):
    client.force_login(municipal_coordinator)
    form = client.get("/teams/new/").content.decode()
    assert "Prince George" in form and "Abbotsford" not in form  # only covered communities
    data = {
        "name": "Prince George Action Team",
        "communities": ["bc-lha-prince-george"],
        "description": "Our plan for 2026.",
        "started_on": "2026-01-10",
        "idempotency_key": "k-team-1",
    }
    response = client.post("/teams/new/", data)
    assert response.status_code == 302
    team = Team.objects.get(name="Prince George Action Team")
    assert response.url == f"/teams/{team.slug}/"
    assert list(team.communities.all()) == [prince_george]
    assert client.post("/teams/new/", data).status_code == 302  # the same key: no second team
    assert Team.objects.filter(name="Prince George Action Team").count() == 1
    assert AuditEvent.objects.filter(action="outreach.team.create").count() == 1


def test_a_team_needs_a_name_and_a_covered_community(client, municipal_coordinator, prince_george):
    client.force_login(municipal_coordinator)
    response = client.post("/teams/new/", {"name": "", "communities": ["bc-lha-prince-george"]})
    assert response.status_code == 400
    assert 'data-field="name"' in response.content.decode()
    response = client.post("/teams/new/", {"name": "A team", "description": "kept"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-field="communities"' in page and "kept" in page and 'value="A team"' in page
    response = client.post("/teams/new/", {"name": "Fraser", "communities": ["bc-lha-abbotsford"]})
    assert response.status_code == 403
    assert not Team.objects.exists()


def test_members_partners_and_not(client, municipal_coordinator, police_liaison, pg_team):
    client.force_login(municipal_coordinator)
    url = f"/teams/{pg_team.slug}/members/add/"
    police = persona_organization(police_liaison)
    response = client.post(
        url,
        {
            "organization": police.pk,
            "person_name": "Sgt. Kim",
            "team_role": "member",
            "idempotency_key": "m1",
        },
    )
    assert response.status_code == 302
    member = TeamMember.objects.get(person_name="Sgt. Kim")
    assert member.sector == "police"  # the organization's sector by default
    client.post(
        url, {"organization": police.pk, "person_name": "Sgt. Kim", "idempotency_key": "m1"}
    )
    assert TeamMember.objects.filter(person_name="Sgt. Kim").count() == 1
    response = client.post(
        url,
        {
            "organization_name": "Moms Stop the Harm, Prince George",
            "sector": "family_peer_group",
            "team_role": "lived_experience",
            "idempotency_key": "m2",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Moms Stop the Harm, Prince George" in response.content.decode()
    assert "not a Cairn partner" in response.content.decode()
    # Neither a partner nor a name: 400 naming the field, in the section (htmx).
    response = client.post(url, {"person_name": "Nobody"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert 'data-field="organization"' in response.content.decode()
    assert 'id="members"' in response.content.decode()


def test_a_member_leaves_and_is_kept_as_past(client, municipal_coordinator, pg_team):
    client.force_login(municipal_coordinator)
    family = TeamMember.objects.get(team=pg_team, organization_name__startswith="Prince George Fam")
    response = client.post(f"/teams/{pg_team.slug}/members/{family.pk}/end/", {})
    assert response.status_code == 302
    family.refresh_from_db()
    assert family.left_on is not None
    page = client.get(f"/teams/{pg_team.slug}/").content.decode()
    assert "Past members (1)" in page


def test_funding_is_checked_and_recorded_once(client, municipal_coordinator, pg_team):
    client.force_login(municipal_coordinator)
    url = f"/teams/{pg_team.slug}/funding/add/"
    bad = {
        "funder": "City of Prince George",
        "program": "Overdose response",
        "amount": "lots",
        "starts_on": "2026-01-01",
        "idempotency_key": "f1",
    }
    response = client.post(url, bad)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-field="amount"' in page and "City of Prince George" in page
    good = {**bad, "amount": "$25,000", "ends_on": "2026-12-31"}
    assert client.post(url, good).status_code == 302
    assert client.post(url, good).status_code == 302
    rows = Funding.objects.filter(team=pg_team, funder="City of Prince George")
    assert [r.amount for r in rows] == [Decimal("25000.00")]
    response = client.post(url, {**good, "ends_on": "2025-01-01", "idempotency_key": "f2"})
    assert response.status_code == 400 and 'data-field="ends_on"' in response.content.decode()


def test_only_managers_may_post_set_up_forms(client, police_liaison, pg_team):
    client.force_login(police_liaison)
    url = f"/teams/{pg_team.slug}/funding/add/"
    assert client.post(url, {"funder": "x", "program": "y", "amount": "1"}).status_code == 403
    assert client.post(f"/teams/{pg_team.slug}/members/add/", {}).status_code == 403


def test_the_team_page_shows_members_by_sector_and_funding(client, peer_worker, pg_team):
    client.force_login(peer_worker)
    page = client.get(f"/teams/{pg_team.slug}/").content.decode()
    for text in [
        "Police",
        "Prince George Police Detachment",
        "Business",
        "Downtown Prince George Business Association",
        "Lived or living experience representative",
        "Community Action Initiative",
        "CAD 100,000.00",
        "Kits placed: <strong>90</strong> of 200 kits (45%)",
    ]:
        assert text in page, text


def test_editing_the_team(client, municipal_coordinator, pg_team):
    client.force_login(municipal_coordinator)
    url = f"/teams/{pg_team.slug}/edit/"
    response = client.post(url, {"name": "PG CAT", "communities": ["bc-lha-prince-george"]})
    assert response.status_code == 302
    pg_team.refresh_from_db()
    assert pg_team.name == "PG CAT" and not pg_team.active


def test_a_seat_names_a_cairn_user_of_its_organization_only(
    client, municipal_coordinator, police_liaison, peer_worker, pg_team
):
    client.force_login(municipal_coordinator)
    url = f"/teams/{pg_team.slug}/members/add/"
    police = persona_organization(police_liaison)
    response = client.post(
        url, {"organization": police.pk, "username": "peer.worker", "team_role": "coordinator"}
    )
    assert response.status_code == 400
    assert 'data-field="username"' in response.content.decode()
    response = client.post(
        url, {"organization": police.pk, "username": "police.liaison", "team_role": "coordinator"}
    )
    assert response.status_code == 302
    seat = TeamMember.objects.get(team=pg_team, organization=police, team_role="coordinator")
    assert seat.user == police_liaison
