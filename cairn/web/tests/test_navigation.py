"""The main navigation shows each persona the areas that concern them, and nothing else."""

import re

import pytest
from django.urls import reverse


def _nav_labels(html: str) -> list[str]:
    nav = html.split('<nav class="site-nav" aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    return re.findall(r"<a [^>]*>([^<]+)</a>", nav)


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("er_nurse", ["Cases", "Referrals", "Directory"]),
        ("outreach_worker", ["Referrals", "Directory"]),
        ("service_intake", ["Referrals", "Directory"]),
        ("municipal_coordinator", ["Teams", "Directory"]),
        ("police_liaison", ["Directory"]),
        ("administrator", ["Teams", "Directory", "Admin"]),
    ],
)
def test_partnership_areas_appear_for_those_they_concern(client, personas, persona, expected):
    client.force_login(personas[persona])

    labels = _nav_labels(client.get(reverse("home")).content.decode())

    partnership = [
        label for label in labels if label in {"Cases", "Teams", "Referrals", "Directory", "Admin"}
    ]
    assert partnership == expected


def test_a_team_member_sees_teams_in_the_navigation(client, outreach_worker):
    from cairn.access.models import Organization
    from cairn.outreach.models import Team, TeamMember

    team = Team.objects.create(name="Test action team", slug="test-action-team")
    TeamMember.objects.create(
        team=team,
        organization=Organization.objects.get(name="Prince George Community Action Team"),
        person_name="Outreach worker",
        sector="community_agency",
    )
    client.force_login(outreach_worker)

    labels = _nav_labels(client.get(reverse("home")).content.decode())

    assert "Teams" in labels
    assert labels.index("Teams") < labels.index("Directory")


def test_the_sign_in_page_and_the_public_dashboard_lead_to_the_directory(client, bc_geography):
    for page in (reverse("login"), reverse("public:index")):
        html = client.get(page).content.decode()
        assert f'href="{reverse("directory:search")}"' in html, page
