"""The campaigns API: the same rules as the pages; bad input answers 422 naming the field;
a creation sent twice with its key makes one (201, then 200)."""

import base64

import pytest

from cairn.campaigns.models import Campaign
from cairn.campaigns.models.materials import Material

from .plan_fixtures import *  # noqa: F403
from .plan_fixtures import CAMPAIGN_FORM, png_bytes

pytestmark = pytest.mark.django_db

API = "/api/v1/campaigns"
BODY = {
    **CAMPAIGN_FORM,
    "partners": ["BC Lions", "Vancouver Canucks"],
}


def signed_in(client, user):
    client.force_login(user)
    return client


def test_planning_a_campaign_twice_with_its_key_makes_one(client, communications_officer):
    signed_in(client, communications_officer)
    first = client.post(API, {**BODY, "idempotency_key": "k1"}, content_type="application/json")
    again = client.post(API, {**BODY, "idempotency_key": "k1"}, content_type="application/json")
    assert first.status_code == 201, first.json()
    assert again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert Campaign.objects.count() == 1
    body = first.json()
    assert body["organization"] == "Ministry of Mental Health and Addictions"
    assert body["partners"] == ["BC Lions", "Vancouver Canucks"]
    assert body["may_manage"] is True


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"frame": "shock"}, "frame"),
        ({"starts_on": "soon"}, "starts_on"),
        ({"communities": ["atlantis"]}, "communities"),
        ({"budget": "lots"}, "budget"),
    ],
)
def test_bad_input_answers_422_naming_the_field(client, communications_officer, changes, field):
    response = signed_in(client, communications_officer).post(
        API, {**BODY, **changes}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_the_list_with_filters_and_a_filter_that_cannot_be_read(
    client, communications_officer, campaign, team_campaign
):
    signed_in(client, communications_officer)
    assert {c["name"] for c in client.get(API).json()} == {campaign.name, team_campaign.name}
    only = client.get(API, {"audience": "employers_trades"}).json()
    assert [c["name"] for c in only] == [team_campaign.name]
    bad = client.get(API, {"phase": "someday"})
    assert bad.status_code == 422
    assert bad.json()["field"] == "phase"


def test_people_without_a_campaign_role_are_refused_the_list(client, er_nurse):
    assert signed_in(client, er_nurse).get(API).status_code == 403


def test_changing_a_campaign_is_for_its_organization(
    client, communications_officer, municipal_coordinator, campaign
):
    url = f"{API}/{campaign.pk}"
    refused = signed_in(client, municipal_coordinator).put(
        url, BODY, content_type="application/json"
    )
    assert refused.status_code == 403
    done = signed_in(client, communications_officer).put(
        url, {**BODY, "name": "Renamed"}, content_type="application/json"
    )
    assert done.status_code == 200
    assert done.json()["name"] == "Renamed"


def test_a_material_through_the_workflow(client, communications_officer, campaign):
    signed_in(client, communications_officer)
    created = client.post(
        f"{API}/{campaign.pk}/materials",
        {"kind": "text", "title": "Carry naloxone", "body": "Anyone can carry it."},
        content_type="application/json",
        headers={"Idempotency-Key": "m1"},
    )
    assert created.status_code == 201
    material_id = created.json()["id"]
    url = f"{API}/materials/{material_id}/transition"
    for to in ("in_review", "approved", "published"):
        moved = client.post(url, {"to": to}, content_type="application/json")
        assert moved.status_code == 200, moved.json()
    material = client.get(f"{API}/materials/{material_id}").json()
    assert material["status"] == "published"
    assert [t["to_status"] for t in material["transitions"]] == [
        "draft",
        "in_review",
        "approved",
        "published",
    ]
    refused = client.post(url, {"to": "in_review"}, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["field"] == "to"


def test_an_image_material_with_alt_text_over_the_api(
    client, communications_officer, campaign, media
):
    signed_in(client, communications_officer)
    image = base64.b64encode(png_bytes()).decode()
    body = {"kind": "image", "title": "Billboard", "image_base64": image, "image_name": "b.png"}
    missing_alt = client.post(
        f"{API}/{campaign.pk}/materials", body, content_type="application/json"
    )
    assert missing_alt.status_code == 422
    assert missing_alt.json()["field"] == "alt_text"
    created = client.post(
        f"{API}/{campaign.pk}/materials",
        {**body, "alt_text": "A nurse and a carpenter, smiling."},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert client.get(created.json()["image_url"]).status_code == 200
    bad = client.post(
        f"{API}/{campaign.pk}/materials",
        {**body, "image_base64": "%%%"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert bad.json()["field"] == "image_base64"


def test_materials_of_a_campaign_another_organization_runs_are_read_only(
    client, municipal_coordinator, campaign, text_material
):
    signed_in(client, municipal_coordinator)
    listed = client.get(f"{API}/{campaign.pk}/materials")
    assert [m["title"] for m in listed.json()] == [text_material.title]
    refused = client.post(
        f"{API}/materials/{text_material.pk}/transition",
        {"to": "in_review"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert Material.objects.get().status == "draft"


def test_a_first_nations_partner_records_a_decision(
    client, first_nations_partner, first_nations_campaign
):
    signed_in(client, first_nations_partner)
    url = f"{API}/{first_nations_campaign.pk}/first-nations-approval"
    body = {"decision": "approved", "idempotency_key": "d1"}
    first = client.post(url, body, content_type="application/json")
    again = client.post(url, body, content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    campaign = client.get(f"{API}/{first_nations_campaign.pk}").json()
    assert campaign["first_nations_approved"] is True


def test_a_path_that_is_not_a_number_is_left_to_other_operations(client, communications_officer):
    response = signed_in(client, communications_officer).get(f"{API}/not-a-number")
    assert response.status_code == 404
    assert "No API endpoint" in response.json()["detail"]
