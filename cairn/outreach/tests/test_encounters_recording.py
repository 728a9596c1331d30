"""Recording an encounter: once per creation key, refused input named and kept."""

import html
import re

import pytest
from django.urls import reverse

from cairn.access.models import AuditEvent
from cairn.outreach.models import Encounter
from cairn.outreach.tests import encounter_fixtures
from cairn.outreach.tests.encounter_fixtures import form_post, persona_organization

northern_nurse = encounter_fixtures.northern_nurse
pg_team = encounter_fixtures.pg_team

pytestmark = pytest.mark.django_db


def new_url(team):
    return reverse("outreach:encounter_new", kwargs={"slug": team.slug})


def test_the_form_is_prefilled_with_today_the_team_community_and_a_fresh_key(
    client, outreach_worker, pg_team
):
    client.force_login(outreach_worker)
    first = client.get(new_url(pg_team))
    second = client.get(new_url(pg_team))
    assert first.status_code == 200
    form = first.context["form"]
    assert form.initial["community"] == "bc-lha-prince-george"
    assert str(form.initial["occurred_on"]) in first.content.decode()
    assert form.initial["creation_key"] != second.context["form"].initial["creation_key"]
    assert 'option value="bc-lha-prince-george" selected' in first.content.decode()
    ids = re.findall(r'\sid="([^"]+)"', first.content.decode())
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_a_posted_encounter_is_stored_anonymously_for_the_team(client, outreach_worker, pg_team):
    client.force_login(outreach_worker)
    data = form_post(
        pg_team,
        group="first_nations",
        naloxone_kits="2",
        naloxone_training="on",
        harm_reduction_supplies="on",
        connected_to_treatment="on",
        place_description="Behind the library",
        follow_up_needed="on",
        follow_up_note="Wants a ride to the clinic on Monday",
    )
    response = client.post(new_url(pg_team), data)

    encounter = Encounter.objects.get()
    assert response.status_code == 302
    assert response.url == reverse(
        "outreach:encounter_recorded",
        kwargs={"slug": pg_team.slug, "encounter_id": encounter.pk},
    )
    assert encounter.team == pg_team
    assert encounter.organization == persona_organization(outreach_worker)
    assert encounter.recorded_by == outreach_worker
    assert encounter.group == "first_nations"
    assert encounter.naloxone_kits == 2
    assert encounter.naloxone_training and encounter.harm_reduction_supplies
    assert not encounter.information and not encounter.drug_checking_referral
    assert encounter.connected_to_treatment and not encounter.connected_to_housing
    assert encounter.follow_up_note == "Wants a ride to the clinic on Monday"
    assert encounter.creation_key == f"{outreach_worker.pk}:{data['creation_key']}"
    assert AuditEvent.objects.filter(
        action="outreach.encounter.create", target_id=str(encounter.pk)
    ).exists()

    page = client.get(response.url)
    assert "Recorded" in page.content.decode()
    assert "Record another" in page.content.decode()


def test_sending_the_same_form_again_returns_the_first_encounter(client, peer_worker, pg_team):
    client.force_login(peer_worker)
    data = form_post(pg_team, naloxone_kits="1")
    first = client.post(new_url(pg_team), data)
    again = client.post(new_url(pg_team), data)
    assert first.status_code == again.status_code == 302
    assert first.url == again.url
    assert Encounter.objects.count() == 1

    other = client.post(new_url(pg_team), form_post(pg_team, naloxone_kits="1"))
    assert other.url != first.url
    assert Encounter.objects.count() == 2


def test_the_fetch_path_answers_201_then_200_for_a_retry(client, outreach_worker, pg_team):
    client.force_login(outreach_worker)
    data = form_post(pg_team, connected_to_housing="on")
    first = client.post(new_url(pg_team), data, HTTP_ACCEPT="application/json")
    again = client.post(new_url(pg_team), data, HTTP_ACCEPT="application/json")
    assert first.status_code == 201
    assert again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert again.json()["created"] is False
    assert Encounter.objects.count() == 1


def test_the_same_key_from_another_worker_is_another_encounter(
    client, outreach_worker, peer_worker, pg_team
):
    data = form_post(pg_team)
    client.force_login(outreach_worker)
    client.post(new_url(pg_team), data)
    client.force_login(peer_worker)
    client.post(new_url(pg_team), data)
    assert Encounter.objects.count() == 2


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"naloxone_kits": "25"}, "naloxone_kits", "Naloxone kits are at most 20"),
        ({"naloxone_kits": "two"}, "naloxone_kits", "as a whole number"),
        ({"occurred_on": "2999-01-01"}, "occurred_on", "The date is in the future"),
        ({"occurred_on": "yesterday"}, "occurred_on", "Enter the date like"),
        ({"community": "bc-lha-abbotsford"}, "community", "Choose one of the team's communities"),
        ({"group": "not_a_group"}, "group", "Choose one of the groups"),
        ({"latitude": "53.9"}, "longitude", "Give both latitude and longitude"),
        ({"follow_up_needed": "on"}, "follow_up_note", "Say what follow-up is needed"),
        ({"connected_to_other": "on"}, "connection_note", "Say which other connection"),
        (
            {"place_description": "1234 Main Street"},
            "place_description",
            "looks like a street address",
        ),
        ({"creation_key": ""}, "creation_key", "no creation key"),
    ],
)
def test_refused_input_names_the_field_and_keeps_what_was_entered(
    client, outreach_worker, pg_team, overrides, field, message
):
    client.force_login(outreach_worker)
    data = form_post(
        pg_team,
        **{
            "naloxone_training": "on",
            "place_description": "Under the Fifth Avenue bridge",
            **overrides,
        },
    )
    response = client.post(new_url(pg_team), data)
    assert response.status_code == 400
    assert Encounter.objects.count() == 0
    page = response.content.decode()
    assert "The encounter was not recorded" in page
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert f'id="error-{field}"' in page
    assert html.escape(message) in page
    # What was entered is still there.
    assert 'name="naloxone_training" id="id_naloxone_training" checked' in page
    assert html.escape(data["place_description"]) in page
    if field != "creation_key":
        assert data["creation_key"] in page

    as_json = client.post(new_url(pg_team), data, HTTP_ACCEPT="application/json")
    assert as_json.status_code == 400
    assert any(e["field"] == field and message in e["message"] for e in as_json.json()["errors"])


def test_a_place_with_a_street_name_but_no_house_number_is_accepted(
    client, outreach_worker, pg_team
):
    client.force_login(outreach_worker)
    response = client.post(
        new_url(pg_team), form_post(pg_team, place_description="Corner of 3rd Ave and George St")
    )
    assert response.status_code == 302
    assert Encounter.objects.get().place_description == "Corner of 3rd Ave and George St"


def test_a_connection_offers_a_referral_only_when_the_referral_page_exists(
    client, outreach_worker, pg_team
):
    client.force_login(outreach_worker)
    response = client.post(new_url(pg_team), form_post(pg_team, connected_to_treatment="on"))
    page = client.get(response.url).content.decode()
    try:
        url = reverse("referrals:send")
    except Exception:
        assert "Refer to a service" not in page
    else:
        assert f"{url}?encounter={Encounter.objects.get().pk}" in page

    plain = client.post(new_url(pg_team), form_post(pg_team))
    assert "Refer to a service" not in client.get(plain.url).content.decode()


def test_encounter_pages_use_person_first_language(client, outreach_worker, pg_team):
    client.force_login(outreach_worker)
    recorded = client.post(new_url(pg_team), form_post(pg_team, connected_to_treatment="on"))
    slug = {"slug": pg_team.slug}
    pages = [
        new_url(pg_team),
        recorded.url,
        reverse("outreach:encounter_list", kwargs=slug),
        reverse("outreach:encounter_indicators", kwargs=slug),
    ]
    for url in pages:
        html = client.get(url).content.decode().lower()
        for word in ("addict", "abuser", "junkie", "drug user", "substance abuse", "clean"):
            assert word not in html, (url, word)
