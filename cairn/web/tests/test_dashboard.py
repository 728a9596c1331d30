import pytest
from django.urls import reverse

from cairn.access.personas import PERSONAS
from cairn.access.tests.factories import UserFactory
from cairn.web.dashboard import PANELS

EXPECTED_PANELS = {
    "er_nurse": {"ed_worklist", "follow_ups", "alerts", "spike_rules", "referrals_received"},
    "outreach_worker": {"team_encounters", "resources", "alerts"},
    "epidemiologist": {"alerts", "spike_rules", "ranking", "quarantine"},
    "regional_epidemiologist": {"alerts", "spike_rules", "ranking"},
    "first_responder": {"quick_entry", "community_figures", "alerts"},
    "police_liaison": {"community_figures", "alerts"},
    "municipal_coordinator": {"community_figures", "resources", "alerts", "campaigns"},
    "first_nations_partner": {
        "community_figures",
        "first_nations_data",
        "campaign_approvals",
        "alerts",
    },
    "peer_worker": {"team_encounters", "resources", "alerts"},
    "service_intake": {"referrals_received", "listings", "alerts"},
    "communications_officer": {"campaigns", "alerts"},
    "administrator": {"organizations", "audit_log", "language_terms", "alerts"},
}


def _panels_shown(html: str) -> set[str]:
    return {panel.key for panel in PANELS if f'id="panel-{panel.key}"' in html}


@pytest.mark.parametrize("key", PERSONAS)
def test_dashboard_shows_each_persona_their_panels(client, personas, key):
    persona = PERSONAS[key]
    client.force_login(personas[key])

    response = client.get(reverse("home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert _panels_shown(html) == EXPECTED_PANELS[key]
    assert f"{persona.role_class.name} dashboard" in html
    assert persona.role_class.description.replace("'", "&#x27;") in html
    assert persona.organization in html
    assert persona.role_class.data_tier.label in html


def test_dashboard_panels_say_what_will_appear_and_what_brings_it(client, first_nations_partner):
    client.force_login(first_nations_partner)

    html = client.get(reverse("home")).content.decode()

    assert "First Nations data under First Nations data governance" in html
    assert "Nothing to show yet. This arrives with <strong>Data-sharing agreements" in html


def test_action_team_panels_link_to_teams_referrals_and_the_directory(client, outreach_worker):
    client.force_login(outreach_worker)

    html = client.get(reverse("home")).content.decode()

    assert "My team&#x27;s encounters" in html
    assert "Nothing to show yet" not in html
    for url_name in ("outreach:teams", "referrals:send", "directory:search"):
        assert f'href="{reverse(url_name)}"' in html


def test_the_intake_coordinator_is_led_to_referrals_and_listings(client, service_intake):
    client.force_login(service_intake)

    html = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("referrals:received")}"' in html
    assert f'href="{reverse("directory:my_listings")}"' in html


def test_clinician_panels_link_to_the_worklists(client, er_nurse):
    client.force_login(er_nurse)

    html = client.get(reverse("home")).content.decode()

    assert reverse("cases:worklist") in html
    assert reverse("cases:follow_up_worklist") in html


def test_administrator_panels_link_to_admin(client, administrator):
    client.force_login(administrator)

    html = client.get(reverse("home")).content.decode()

    assert reverse("admin:access_auditevent_changelist") in html
    assert reverse("admin:access_organization_changelist") in html


def test_account_without_a_role_sees_only_that_it_has_no_role(client, bc_geography):
    client.force_login(UserFactory(username="newcomer"))

    response = client.get(reverse("home"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Your account has no role yet" in html
    assert _panels_shown(html) == set()
    assert reverse("community_list") not in html
    assert "Sign out" in html


def test_account_without_a_role_cannot_open_communities(client, bc_geography):
    client.force_login(UserFactory(username="newcomer"))

    assert client.get(reverse("community_list")).status_code == 403


def test_superuser_without_membership_gets_the_administrator_dashboard(client, bc_geography):
    client.force_login(UserFactory(username="root", is_superuser=True))

    html = client.get(reverse("home")).content.decode()

    assert "Administrator dashboard" in html
    assert _panels_shown(html) == {"organizations", "audit_log", "language_terms", "alerts"}


def test_dashboard_sends_anonymous_visitors_to_sign_in(client, db):
    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


@pytest.mark.parametrize(
    ("key", "admin_link_shown"), [("administrator", True), ("police_liaison", False)]
)
def test_navigation_shows_admin_only_to_administrators(client, personas, key, admin_link_shown):
    client.force_login(personas[key])

    html = client.get(reverse("home")).content.decode()

    assert (f'href="{reverse("admin:index")}"' in html) is admin_link_shown
    assert f'href="{reverse("community_list")}"' in html
