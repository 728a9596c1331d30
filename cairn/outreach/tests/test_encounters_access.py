"""Who may open each encounter page and operation, with a real team, per persona.

The Prince George team's member organizations: the action team's agency (outreach
worker), the peer network, police, the city, the First Nations partnership, and a
Northern response centre (its nurse is on a care team). The ER nurse's Vancouver
centre is not a member.
"""

import datetime as dt

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone

from cairn.outreach.tests import encounter_fixtures
from cairn.outreach.tests.encounter_fixtures import record

northern_nurse = encounter_fixtures.northern_nurse
pg_team = encounter_fixtures.pg_team

pytestmark = pytest.mark.django_db

RECORDERS = {"outreach_worker", "peer_worker", "first_nations_partner"}
SEE_ENCOUNTERS = RECORDERS | {"northern_nurse"}
TEAM_VIEWERS = SEE_ENCOUNTERS | {"police_liaison", "municipal_coordinator", "administrator"}

PAGES = [
    ("outreach:encounter_new", False, RECORDERS),
    ("outreach:encounter_list", False, SEE_ENCOUNTERS),
    ("outreach:encounter_recorded", True, SEE_ENCOUNTERS),
    ("outreach:encounter_edit", True, {"outreach_worker"}),
    ("outreach:encounter_link", True, {"northern_nurse"}),
    ("outreach:encounter_indicators", False, TEAM_VIEWERS),
    ("outreach:encounter_indicators_csv", False, TEAM_VIEWERS),
    ("api:outreach_encounters", False, SEE_ENCOUNTERS),
    ("api:outreach_encounter_indicators", False, TEAM_VIEWERS),
]


@pytest.fixture
def everyone(personas, northern_nurse):
    return {**personas, "northern_nurse": northern_nurse}


@pytest.mark.parametrize(("name", "with_encounter", "allowed"), PAGES)
def test_each_page_is_open_to_exactly_its_people(
    client, everyone, pg_team, outreach_worker, name, with_encounter, allowed
):
    kwargs = {"slug": pg_team.slug}
    if with_encounter:
        kwargs["encounter_id"] = record(outreach_worker, pg_team).pk
    try:
        url = reverse(name, kwargs=kwargs)
    except Exception:
        pytest.skip(f"{name} is not served yet")
    problems = []
    for who, user in sorted(everyone.items()):
        client.force_login(user)
        status = client.get(url).status_code
        expected = 200 if who in allowed else 403
        if status != expected:
            problems.append(f"{who}: {status}, expected {expected}")
    client.logout()
    anonymous = client.get(url)
    if url.startswith("/api/"):
        assert anonymous.status_code == 401
    else:
        assert anonymous.status_code == 302
        assert anonymous.url.startswith(resolve_url(settings.LOGIN_URL))
    assert not problems, f"{url}: " + "; ".join(problems)


def test_only_recorders_post_an_encounter(client, everyone, pg_team):
    url = reverse("outreach:encounter_new", kwargs={"slug": pg_team.slug})
    for who, user in sorted(everyone.items()):
        client.force_login(user)
        status = client.post(url, encounter_fixtures.form_post(pg_team)).status_code
        assert status == (302 if who in RECORDERS else 403), who


def test_a_worker_whose_organization_left_the_team_may_no_longer_record(
    client, outreach_worker, pg_team
):
    seat = pg_team.members.get(organization=outreach_worker.memberships.get().organization)
    seat.left_on = timezone.localdate() - dt.timedelta(days=1)
    seat.save()
    client.force_login(outreach_worker)
    url = reverse("outreach:encounter_new", kwargs={"slug": pg_team.slug})
    assert client.get(url).status_code == 403
    assert client.post(url, encounter_fixtures.form_post(pg_team)).status_code == 403
