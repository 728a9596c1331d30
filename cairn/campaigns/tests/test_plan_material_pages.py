"""The material pages: adding one (text, image with alt text), its page with the workflow
and history, moving it, and the language review panel inside."""

import pytest
from django.urls import reverse

from cairn.campaigns.models.materials import Material, MaterialStatus

from .plan_fixtures import *  # noqa: F403
from .plan_fixtures import png_upload

pytestmark = pytest.mark.django_db


def signed_in(client, user):
    client.force_login(user)
    return client


def test_adding_a_text_material_and_a_double_click_makes_one(
    client, communications_officer, campaign
):
    signed_in(client, communications_officer)
    url = reverse("campaigns:material_new", args=[campaign.pk])
    key = client.get(url).context["idempotency_key"]
    data = {
        "kind": "text",
        "title": "Carry naloxone",
        "body": "Anyone can.",
        "idempotency_key": key,
    }
    first, second = client.post(url, data), client.post(url, data)
    material = Material.objects.get()
    assert first["Location"] == second["Location"] == f"/campaigns/materials/{material.pk}/"


def test_an_image_without_alt_text_answers_400_naming_it_and_keeps_what_was_typed(
    client, communications_officer, campaign, media
):
    signed_in(client, communications_officer)
    url = reverse("campaigns:material_new", args=[campaign.pk])
    page = client.post(url, {"kind": "image", "title": "Billboard", "image": png_upload()})
    assert page.status_code == 400
    text = page.content.decode()
    assert 'data-field="alt_text"' in text
    assert 'value="Billboard"' in text
    done = client.post(
        url,
        {"kind": "image", "title": "Billboard", "alt_text": "Two people.", "image": png_upload()},
    )
    assert done.status_code == 302
    detail = client.get(done["Location"]).content.decode()
    material = Material.objects.get()
    assert f'src="/campaigns/materials/{material.pk}/image/" alt="Two people."' in detail


def test_the_material_page_moves_it_and_shows_who_did(
    client, communications_officer, text_material
):
    signed_in(client, communications_officer)
    url = reverse("campaigns:material_transition", args=[text_material.pk])
    assert client.post(url, {"to": "in_review"}).status_code == 302
    assert client.post(url, {"to": "approved", "note": "Good."}).status_code == 302
    page = client.get(reverse("campaigns:material_detail", args=[text_material.pk]))
    text = page.content.decode()
    assert "Publish" in text
    assert text.count("comms.officer") >= 3
    assert "campaigns/language/_review_panel.html" in [t.name for t in page.templates]
    refused = client.post(url, {"to": "draft", "note": ""})
    assert refused.status_code == 400
    assert 'data-field="note"' in refused.content.decode()


def test_a_move_out_of_order_answers_400_with_the_reason(
    client, communications_officer, text_material
):
    signed_in(client, communications_officer)
    url = reverse("campaigns:material_transition", args=[text_material.pk])
    page = client.post(url, {"to": "published"})
    assert page.status_code == 400
    assert "cannot move to published" in page.content.decode()


def test_editing_an_approved_material_on_its_page_sends_it_back_to_draft(
    client, communications_officer, text_material
):
    signed_in(client, communications_officer)
    move = reverse("campaigns:material_transition", args=[text_material.pk])
    client.post(move, {"to": "in_review"})
    client.post(move, {"to": "approved"})
    edit = reverse("campaigns:material_edit", args=[text_material.pk])
    assert "sends this material back to draft" in client.get(edit).content.decode()
    response = client.post(edit, {"title": text_material.title, "body": "New words."})
    assert response.status_code == 302
    text_material.refresh_from_db()
    assert (text_material.status, text_material.revision) == (MaterialStatus.DRAFT, 2)


@pytest.mark.parametrize(
    "persona, page_status, change_status",
    [
        ("communications_officer", 200, 200),
        ("municipal_coordinator", 200, 403),
        ("first_nations_partner", 404, 404),
        ("peer_worker", 404, 404),
    ],
)
def test_who_opens_and_changes_a_material(
    client, personas, text_material, persona, page_status, change_status
):
    signed_in(client, personas[persona])
    detail = client.get(reverse("campaigns:material_detail", args=[text_material.pk]))
    assert detail.status_code == page_status
    edit = client.get(reverse("campaigns:material_edit", args=[text_material.pk]))
    assert edit.status_code == change_status
    new = client.get(reverse("campaigns:material_new", args=[text_material.campaign_id]))
    assert new.status_code == change_status


def test_a_first_nations_partner_reads_the_materials_of_a_campaign_addressed_to_them(
    client, first_nations_partner, first_nations_material
):
    signed_in(client, first_nations_partner)
    page = client.get(reverse("campaigns:material_detail", args=[first_nations_material.pk]))
    assert page.status_code == 200
    assert "Send to language review" not in page.content.decode()
