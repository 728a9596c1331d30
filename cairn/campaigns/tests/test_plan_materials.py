"""Materials and their workflow: draft → language review → approved → published, who
moved each and when, the First Nations approval gate, images served only to those who
may see the campaign, and edits that send a material back to draft."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cairn.access.models import AuditEvent
from cairn.campaigns import materials as workflow
from cairn.campaigns.language.review import decide, open_findings
from cairn.campaigns.models.materials import (
    FirstNationsDecision,
    Material,
    MaterialStatus,
    MaterialTransition,
)
from cairn.campaigns.planning import CampaignError

from .plan_fixtures import *  # noqa: F403
from .plan_fixtures import png_bytes, png_upload

pytestmark = pytest.mark.django_db

STIGMATIZING = "Addicts are our neighbours. Carry naloxone."


def moves(material):
    return [
        (t.from_status, t.to_status, t.by_name)
        for t in MaterialTransition.objects.filter(material=material).order_by("at", "pk")
    ]


def test_a_material_moves_through_the_workflow_with_who_and_when(
    communications_officer, text_material
):
    officer = communications_officer
    findings = workflow.submit_for_review(text_material, officer)
    # "overdose" is worth considering ("drug poisoning") but does not hold approval back.
    assert [(f.matched, f.severity) for f in findings] == [("overdose", "consider")]
    workflow.approve(text_material, officer, "Reads well.")
    workflow.publish(text_material, officer)
    text_material.refresh_from_db()
    assert text_material.status == MaterialStatus.PUBLISHED
    assert moves(text_material) == [
        ("", "draft", "comms.officer"),
        ("draft", "in_review", "comms.officer"),
        ("in_review", "approved", "comms.officer"),
        ("approved", "published", "comms.officer"),
    ]
    assert MaterialTransition.objects.filter(note="Reads well.").exists()
    assert AuditEvent.objects.filter(action="campaigns.material.transition").count() == 3


def test_approval_waits_until_every_stigmatizing_term_is_decided(campaign, communications_officer):
    material = workflow.create_material(
        campaign, communications_officer, kind="text", title="Neighbours", body=STIGMATIZING
    )
    findings = workflow.submit_for_review(material, communications_officer)
    assert [f.matched for f in findings] == ["Addicts"]
    with pytest.raises(CampaignError) as error:
        workflow.approve(material, communications_officer)
    assert error.value.field == "to"
    assert "1 language finding still open" in str(error.value)
    decide(findings[0], communications_officer, "accepted", replacement="person who uses drugs")
    material.refresh_from_db()
    assert material.body.startswith("People who use drugs are our neighbours.")
    assert material.revision == 2
    assert material.status == MaterialStatus.IN_REVIEW
    assert not open_findings(material).exists()
    workflow.approve(material, communications_officer)
    material.refresh_from_db()
    assert material.status == MaterialStatus.APPROVED


def test_a_moves_that_does_not_follow_the_workflow_is_refused_with_the_reason(
    communications_officer, text_material
):
    with pytest.raises(CampaignError) as error:
        workflow.transition(text_material, communications_officer, "published")
    assert error.value.field == "to"
    assert "cannot move to published" in str(error.value)
    with pytest.raises(CampaignError) as error:
        workflow.transition(text_material, communications_officer, "archived")
    assert error.value.field == "to"


def test_asking_twice_for_the_same_move_records_it_once(communications_officer, text_material):
    workflow.transition(text_material, communications_officer, "in_review")
    workflow.transition(text_material, communications_officer, "in_review")
    assert [m[1] for m in moves(text_material)] == ["draft", "in_review"]


def test_changes_are_requested_with_a_note(communications_officer, text_material):
    workflow.submit_for_review(text_material, communications_officer)
    with pytest.raises(CampaignError) as error:
        workflow.transition(text_material, communications_officer, "draft", "")
    assert error.value.field == "note"
    workflow.transition(text_material, communications_officer, "draft", "Say who it is for.")
    text_material.refresh_from_db()
    assert text_material.status == MaterialStatus.DRAFT
    assert MaterialTransition.objects.filter(note="Say who it is for.").exists()


def test_editing_an_approved_material_sends_it_back_to_draft(communications_officer, text_material):
    workflow.submit_for_review(text_material, communications_officer)
    workflow.approve(text_material, communications_officer)
    workflow.update_material_texts(
        text_material, communications_officer, {"body": "A new line. Carry naloxone."}
    )
    text_material.refresh_from_db()
    assert (text_material.status, text_material.revision) == (MaterialStatus.DRAFT, 2)
    assert moves(text_material)[-1][:2] == ("approved", "draft")


def test_the_same_texts_again_change_nothing(communications_officer, text_material):
    workflow.update_material_texts(
        text_material, communications_officer, {"title": text_material.title}
    )
    text_material.refresh_from_db()
    assert text_material.revision == 1


def test_editing_a_material_in_review_checks_the_new_revision(
    communications_officer, text_material
):
    workflow.submit_for_review(text_material, communications_officer)
    workflow.update_material(text_material, communications_officer, body=STIGMATIZING)
    text_material.refresh_from_db()
    assert text_material.status == MaterialStatus.IN_REVIEW
    assert [f.matched for f in open_findings(text_material)] == ["Addicts"]


def test_only_checked_texts_change_through_update_material_texts(
    communications_officer, text_material
):
    with pytest.raises(CampaignError) as error:
        workflow.update_material_texts(text_material, communications_officer, {"status": "x"})
    assert error.value.field == "status"


@pytest.mark.parametrize("persona", ["municipal_coordinator", "first_nations_partner"])
def test_only_the_organization_that_runs_the_campaign_changes_its_materials(
    personas, text_material, persona
):
    with pytest.raises(PermissionDenied):
        workflow.submit_for_review(text_material, personas[persona])
    with pytest.raises(PermissionDenied):
        workflow.update_material_texts(text_material, personas[persona], {"title": "x"})


# First Nations approval ----------------------------------------------------------------


def test_nothing_addressed_to_first_nations_is_published_without_their_approval(
    communications_officer, first_nations_partner, first_nations_material
):
    officer, material = communications_officer, first_nations_material
    workflow.submit_for_review(material, officer)
    workflow.approve(material, officer)
    with pytest.raises(CampaignError) as error:
        workflow.publish(material, officer)
    assert "First Nations partner's approval" in str(error.value)
    campaign = material.campaign
    workflow.record_first_nations_decision(
        campaign, first_nations_partner, decision="changes_requested", note="Name the Nations."
    )
    with pytest.raises(CampaignError):
        workflow.publish(material, officer)
    workflow.record_first_nations_decision(
        campaign, first_nations_partner, decision=FirstNationsDecision.APPROVED
    )
    workflow.publish(material, officer)
    material.refresh_from_db()
    assert material.status == MaterialStatus.PUBLISHED


def test_a_first_nations_decision_needs_the_partner_role_and_a_note_for_changes(
    communications_officer, first_nations_partner, first_nations_campaign, campaign
):
    with pytest.raises(PermissionDenied):
        workflow.record_first_nations_decision(
            first_nations_campaign, communications_officer, decision="approved"
        )
    with pytest.raises(PermissionDenied):  # not addressed to First Nations audiences
        workflow.record_first_nations_decision(campaign, first_nations_partner, decision="approved")
    with pytest.raises(CampaignError) as error:
        workflow.record_first_nations_decision(
            first_nations_campaign, first_nations_partner, decision="maybe"
        )
    assert error.value.field == "decision"
    with pytest.raises(CampaignError) as error:
        workflow.record_first_nations_decision(
            first_nations_campaign, first_nations_partner, decision="changes_requested"
        )
    assert error.value.field == "note"


def test_a_first_nations_decision_sent_twice_is_recorded_once(
    first_nations_partner, first_nations_campaign
):
    for _ in range(2):
        workflow.record_first_nations_decision(
            first_nations_campaign, first_nations_partner, decision="approved", idempotency_key="k"
        )
    assert first_nations_campaign.first_nations_approvals.count() == 1


# Content rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"kind": "text", "title": "T", "body": ""}, "body"),
        ({"kind": "text", "title": "", "body": "B"}, "title"),
        ({"kind": "poem", "title": "T", "body": "B"}, "kind"),
        ({"kind": "text", "title": "T", "body": "B", "channel": "fax"}, "channel"),
        ({"kind": "image", "title": "T", "alt_text": "A picture"}, "image"),
        ({"kind": "video", "title": "T", "caption": "Words"}, "video_url"),
        ({"kind": "video", "title": "T", "video_url": "javascript:alert(1)"}, "video_url"),
        ({"kind": "video", "title": "T", "video_url": "https://example.org/v"}, "caption"),
    ],
)
def test_a_material_without_what_its_kind_needs_is_refused(
    campaign, communications_officer, fields, field
):
    with pytest.raises(CampaignError) as error:
        workflow.create_material(campaign, communications_officer, **fields)
    assert error.value.field == field
    assert not Material.objects.exists()


def test_an_image_needs_its_alt_text(campaign, communications_officer, media):
    with pytest.raises(CampaignError) as error:
        workflow.create_material(
            campaign, communications_officer, kind="image", title="T", image=png_upload()
        )
    assert error.value.field == "alt_text"
    assert "screen readers" in str(error.value)


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("x.png", b"not an image", content_type="image/png"),
        SimpleUploadedFile("x.png", b"", content_type="image/png"),
        SimpleUploadedFile("x.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
    ],
)
def test_a_file_that_is_not_an_image_is_refused(campaign, communications_officer, media, upload):
    with pytest.raises(CampaignError) as error:
        workflow.create_material(
            campaign, communications_officer, kind="image", title="T", alt_text="A", image=upload
        )
    assert error.value.field == "image"


def test_a_video_with_its_caption(campaign, communications_officer):
    material = workflow.create_material(
        campaign,
        communications_officer,
        kind="video",
        title="Faces of the crisis",
        video_url="https://video.example.org/faces",
        caption="A father talks about his son, who uses drugs and is doing well.",
    )
    assert material.checked_texts() == {
        "title": "Faces of the crisis",
        "caption": "A father talks about his son, who uses drugs and is doing well.",
    }


def test_a_material_sent_twice_with_its_key_is_created_once(campaign, communications_officer):
    for _ in range(2):
        workflow.create_material(
            campaign, communications_officer, kind="text", title="T", body="B", idempotency_key="k"
        )
    assert Material.objects.count() == 1


# The image, served only through Cairn -------------------------------------------------


def test_the_image_is_stored_under_a_random_name_and_served_with_its_type(
    client, communications_officer, image_material, media
):
    assert image_material.image.name.startswith(f"campaigns/{image_material.campaign_id}/")
    assert "billboard" not in image_material.image.name
    assert (media / image_material.image.name).exists()
    client.force_login(communications_officer)
    response = client.get(reverse("campaigns:material_image", args=[image_material.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, max-age=300"
    assert b"".join(response.streaming_content) == png_bytes()


@pytest.mark.parametrize(
    "persona, status",
    [("municipal_coordinator", 200), ("first_nations_partner", 404), ("er_nurse", 404)],
)
def test_the_image_is_served_only_to_those_who_may_see_the_campaign(
    client, personas, image_material, persona, status
):
    client.force_login(personas[persona])
    url = reverse("campaigns:material_image", args=[image_material.pk])
    assert client.get(url).status_code == status


def test_the_image_needs_a_sign_in(client, image_material):
    response = client.get(reverse("campaigns:material_image", args=[image_material.pk]))
    assert response.status_code == 302
    assert "/login/" in response["Location"]
