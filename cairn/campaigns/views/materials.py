"""Material pages: adding and changing a material, its page (content, workflow, history,
the language review panel) and its image, served only to those who may see the campaign.

Every view asks `cairn.campaigns.access` first (through `materials.get_material_for` or
`views.campaigns.get_campaign`) and writes through `cairn.campaigns.materials`.
"""

from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cairn.campaigns import access
from cairn.campaigns import materials as workflow
from cairn.campaigns.language.review import review_panel_context
from cairn.campaigns.models.campaigns import Channel
from cairn.campaigns.models.materials import MaterialKind, MaterialStatus
from cairn.campaigns.planning import CampaignError
from cairn.campaigns.views.campaigns import campaign_view, get_campaign
from cairn.cases.forms import new_idempotency_key

# The moves offered on the material's page, by status: (to, button, needs a note).
ACTIONS = {
    MaterialStatus.DRAFT: [(MaterialStatus.IN_REVIEW, "Send to language review", False)],
    MaterialStatus.IN_REVIEW: [
        (MaterialStatus.APPROVED, "Approve", False),
        (MaterialStatus.DRAFT, "Request changes", True),
    ],
    MaterialStatus.APPROVED: [
        (MaterialStatus.PUBLISHED, "Publish", False),
        (MaterialStatus.DRAFT, "Request changes", True),
    ],
    MaterialStatus.PUBLISHED: [],
}


def _material_form(request, campaign, *, material=None, errors=None, status=200):
    posted = request.POST if request.method == "POST" else None
    return render(
        request,
        "campaigns/plan/material_form.html",
        {
            "campaign": campaign,
            "material": material,
            "kinds": MaterialKind.choices,
            "channels": Channel.choices,
            "kind": (posted or {}).get("kind") or (material.kind if material else "text"),
            "errors": errors or {},
            "posted": posted,
            "idempotency_key": (posted or {}).get("idempotency_key") or new_idempotency_key(),
        },
        status=status,
    )


@campaign_view
@require_http_methods(["GET", "POST"])
def material_new(request, campaign_id):
    campaign = get_campaign(request.user, campaign_id, manage=True)
    if request.method == "GET":
        return _material_form(request, campaign)
    p = request.POST
    try:
        material = workflow.create_material(
            campaign,
            request.user,
            kind=p.get("kind", ""),
            title=p.get("title", ""),
            body=p.get("body", ""),
            alt_text=p.get("alt_text", ""),
            caption=p.get("caption", ""),
            video_url=p.get("video_url", ""),
            channel=p.get("channel", ""),
            image=request.FILES.get("image"),
            idempotency_key=p.get("idempotency_key", ""),
        )
    except CampaignError as error:
        return _material_form(request, campaign, errors={error.field: str(error)}, status=400)
    return redirect("campaigns:material_detail", material_id=material.pk)


@campaign_view
@require_http_methods(["GET", "POST"])
def material_edit(request, material_id):
    material = workflow.get_material_for(request.user, material_id, manage=True)
    campaign = material.campaign
    if request.method == "GET":
        return _material_form(request, campaign, material=material)
    p = request.POST
    try:
        workflow.update_material(
            material,
            request.user,
            title=p.get("title"),
            body=p.get("body"),
            alt_text=p.get("alt_text"),
            caption=p.get("caption"),
            video_url=p.get("video_url"),
            channel=p.get("channel"),
            image=request.FILES.get("image"),
        )
    except CampaignError as error:
        return _material_form(
            request, campaign, material=material, errors={error.field: str(error)}, status=400
        )
    return redirect("campaigns:material_detail", material_id=material.pk)


def _detail(request, material, *, errors=None, status=200):
    campaign = material.campaign
    may_manage = access.may_manage(request.user, campaign)
    return render(
        request,
        "campaigns/plan/material_detail.html",
        {
            "campaign": campaign,
            "material": material,
            "may_manage": may_manage,
            "actions": ACTIONS[MaterialStatus(material.status)] if may_manage else [],
            "transitions": list(material.transitions.select_related("by").order_by("at", "pk")),
            "review": review_panel_context(material, request.user),
            "needs_first_nations": campaign.needs_first_nations_approval,
            "first_nations_approved": workflow.first_nations_approved(campaign),
            "errors": errors or {},
            "posted": request.POST if request.method == "POST" else {},
        },
        status=status,
    )


@campaign_view
@require_GET
def material_detail(request, material_id):
    material = workflow.get_material_for(request.user, material_id)
    return _detail(request, material)


@campaign_view
@require_POST
def material_transition(request, material_id):
    material = workflow.get_material_for(request.user, material_id, manage=True)
    try:
        workflow.transition(
            material, request.user, request.POST.get("to", ""), request.POST.get("note", "")
        )
    except CampaignError as error:
        material.refresh_from_db()
        return _detail(request, material, errors={error.field: str(error)}, status=400)
    return redirect(
        reverse("campaigns:material_detail", kwargs={"material_id": material.pk}) + "#workflow"
    )


@campaign_view
@require_GET
def material_image(request, material_id):
    """The uploaded image, only for those who may see the campaign; never cached publicly."""
    material = workflow.get_material_for(request.user, material_id)
    if not material.image:
        raise Http404("This material has no image.")
    try:
        handle = material.image.open("rb")
    except FileNotFoundError:
        raise Http404("The image file is missing.") from None
    response = FileResponse(handle, content_type=material.image_type or "application/octet-stream")
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Content-Disposition"] = "inline"
    return response
