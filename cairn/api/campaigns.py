"""API: campaigns — their plan, materials and the materials' workflow (see docs/campaigns.md).

The same rules as the pages (`cairn.campaigns.access`): communications staff manage
their own organization's campaigns and read the others running where they work; First
Nations partners read the campaigns addressed to First Nations audiences where they work
and record their decision. A campaign or material the caller may not see answers 404;
one they see but may not change, 403. Creating a campaign, a material or a decision
takes an idempotency key (the `Idempotency-Key` header or `idempotency_key` in the body):
the same key again returns what the first request made (200 instead of 201). Bad input
answers 422 with `detail` and the `field` at fault.
"""

import base64
import binascii
import datetime as dt
import io
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from cairn.api.errors import ErrorOut
from cairn.campaigns import access, planning
from cairn.campaigns import materials as workflow
from cairn.campaigns.models.campaigns import Audience, Campaign, Channel, Frame
from cairn.campaigns.models.materials import (
    FirstNationsApproval,
    FirstNationsDecision,
    Material,
    MaterialKind,
    MaterialStatus,
)

router = Router(tags=["campaigns"])


class FieldErrorOut(Schema):
    detail: str
    field: str


_READ = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
_WRITE = {**_READ, 422: FieldErrorOut}


def _field_error(error: planning.CampaignError):
    return Status(422, {"detail": str(error), "field": error.field})


def _key(request, body_key: str) -> str:
    return (request.headers.get("Idempotency-Key") or body_key or "").strip()[:80]


def _campaign(request, campaign_id: int, *, manage: bool = False) -> Campaign:
    if not 0 < campaign_id < 2**31:
        raise Http404("No such campaign.")
    return access.get_campaign_for(request.auth, campaign_id, manage=manage)


# Output --------------------------------------------------------------------------------


class CommunityOut(Schema):
    code: str
    name: str
    level: str


class CampaignOut(Schema):
    id: int
    name: str
    objective: str
    frame: str
    audiences: list[str]
    channels: list[str]
    communities: list[CommunityOut]
    starts_on: dt.date
    ends_on: dt.date
    phase: str = Field(description="planned, running or ended (today)")
    budget: Decimal | None
    partners: list[str]
    organization: str
    organization_id: int
    owner: str
    needs_first_nations_approval: bool
    first_nations_approved: bool
    may_manage: bool


class TransitionOut(Schema):
    from_status: str
    to_status: str
    revision: int
    by: str
    at: dt.datetime
    note: str


class MaterialOut(Schema):
    id: int
    campaign_id: int
    kind: str
    channel: str
    title: str
    body: str
    alt_text: str
    video_url: str
    caption: str
    image_url: str | None = Field(description="the image, for those who may see the campaign")
    status: str
    revision: int
    created_at: dt.datetime
    transitions: list[TransitionOut]


class DecisionOut(Schema):
    id: int
    campaign_id: int
    decision: str
    note: str
    organization: str
    decided_by: str
    decided_at: dt.datetime


def _campaign_out(campaign: Campaign, user) -> dict:
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "objective": campaign.objective,
        "frame": campaign.frame,
        "audiences": campaign.audience_keys,
        "channels": campaign.channel_keys,
        "communities": [
            {"code": c.code, "name": c.name, "level": c.level}
            for c in sorted(campaign.communities.all(), key=lambda c: c.path)
        ],
        "starts_on": campaign.starts_on,
        "ends_on": campaign.ends_on,
        "phase": campaign.phase(),
        "budget": campaign.budget,
        "partners": [p.strip() for p in campaign.partners.splitlines() if p.strip()],
        "organization": campaign.organization.name,
        "organization_id": campaign.organization_id,
        "owner": campaign.owner.get_username(),
        "needs_first_nations_approval": campaign.needs_first_nations_approval,
        "first_nations_approved": workflow.first_nations_approved(campaign),
        "may_manage": access.may_manage(user, campaign),
    }


def _material_out(material: Material) -> dict:
    from django.urls import reverse

    return {
        "id": material.pk,
        "campaign_id": material.campaign_id,
        "kind": material.kind,
        "channel": material.channel,
        "title": material.title,
        "body": material.body,
        "alt_text": material.alt_text,
        "video_url": material.video_url,
        "caption": material.caption,
        "image_url": (
            reverse("campaigns:material_image", kwargs={"material_id": material.pk})
            if material.image
            else None
        ),
        "status": material.status,
        "revision": material.revision,
        "created_at": material.created_at,
        "transitions": [
            {
                "from_status": t.from_status,
                "to_status": t.to_status,
                "revision": t.revision,
                "by": t.by_name,
                "at": t.at,
                "note": t.note,
            }
            for t in material.transitions.order_by("at", "pk")
        ],
    }


def _decision_out(approval: FirstNationsApproval) -> dict:
    return {
        "id": approval.pk,
        "campaign_id": approval.campaign_id,
        "decision": approval.decision,
        "note": approval.note,
        "organization": approval.organization.name,
        "decided_by": approval.decided_by.get_username(),
        "decided_at": approval.decided_at,
    }


def _prefetched(campaigns):
    return campaigns.select_related("organization", "owner").prefetch_related(
        "audiences", "channels", "communities", "first_nations_approvals"
    )


# Campaigns -----------------------------------------------------------------------------


class CampaignFilterIn(Schema):
    frame: str = Field("", description=", ".join(Frame.values))
    audience: str = Field("", description=", ".join(Audience.values))
    channel: str = Field("", description=", ".join(Channel.values))
    community: str = Field("", description="a jurisdiction code: campaigns running there")
    phase: str = Field("", description="planned, running, ended")
    organization: str = Field("", description="an organization's id")
    year: str = Field("", description="campaigns running some time that year")
    q: str = Field("", description="the name contains")


@router.get(
    "/campaigns",
    response={200: list[CampaignOut], 401: ErrorOut, 403: ErrorOut, 422: FieldErrorOut},
    url_name="campaigns_list",
    summary="The campaigns you may open, with the list page's filters",
)
def campaign_list(request, filters: Query[CampaignFilterIn]):
    if not access.may_use_campaigns(request.auth):
        raise PermissionDenied("Campaigns are for communications staff and partners.")
    result = planning.filter_campaigns(
        access.campaigns_for(request.auth), filters.dict(), today=None
    )
    if result.errors:
        field, message = next(iter(result.errors.items()))
        return Status(422, {"detail": message, "field": field})
    campaigns = _prefetched(result.campaigns).order_by("-starts_on", "name")[:1000]
    return [_campaign_out(c, request.auth) for c in campaigns]


class CampaignIn(Schema):
    name: str
    objective: str
    frame: str = Field(description=", ".join(Frame.values))
    audiences: list[str] = Field(description=", ".join(Audience.values))
    channels: list[str] = Field(description=", ".join(Channel.values))
    communities: list[str] = Field(description="jurisdiction codes inside your coverage")
    starts_on: str = Field(description="YYYY-MM-DD")
    ends_on: str = Field(description="YYYY-MM-DD")
    budget: str | None = Field(None, description="Canadian dollars, e.g. 250000")
    partners: list[str] = Field(default_factory=list)
    owner: str = Field("", description="username of a member of the organization; blank: you")


class CampaignCreateIn(CampaignIn):
    organization_id: int | None = Field(None, description="blank: your (first) organization")
    idempotency_key: str = ""


def _plan_fields(body: CampaignIn) -> dict:
    return {
        "name": body.name,
        "objective": body.objective,
        "frame": body.frame,
        "audiences": body.audiences,
        "channels": body.channels,
        "communities": body.communities,
        "starts_on": body.starts_on,
        "ends_on": body.ends_on,
        "budget": body.budget,
        "partners": "\n".join(p.strip() for p in body.partners if p.strip()),
        "owner": body.owner or None,
    }


@router.post(
    "/campaigns",
    response={**_WRITE, 200: CampaignOut, 201: CampaignOut},
    url_name="campaign_create",
    summary="Plan a campaign for your organization (201; 200 when the key repeats)",
)
def campaign_create(request, body: CampaignCreateIn):
    if not access.may_plan(request.auth):
        raise PermissionDenied("Only communications staff (manage_campaigns) plan campaigns.")
    key = _key(request, body.idempotency_key)
    full = planning.creation_key(request.auth, "campaign", key)
    before = bool(full and Campaign.objects.filter(creation_key=full).exists())
    try:
        campaign = planning.create_campaign(
            actor=request.auth,
            organization=body.organization_id,
            idempotency_key=key,
            **_plan_fields(body),
        )
    except planning.CampaignError as error:
        return _field_error(error)
    campaign = _prefetched(Campaign.objects.filter(pk=campaign.pk)).get()
    return Status(200 if before else 201, _campaign_out(campaign, request.auth))


@router.get(
    "/campaigns/{int:campaign_id}",
    response={**_READ, 200: CampaignOut},
    url_name="campaign_detail",
    summary="A campaign's plan",
)
def campaign_detail(request, campaign_id: int):
    campaign = _campaign(request, campaign_id)
    return _campaign_out(campaign, request.auth)


@router.put(
    "/campaigns/{int:campaign_id}",
    response={**_WRITE, 200: CampaignOut},
    url_name="campaign_update",
    summary="Change a campaign's plan (the organization that runs it)",
)
def campaign_update(request, campaign_id: int, body: CampaignIn):
    campaign = _campaign(request, campaign_id, manage=True)
    try:
        planning.update_campaign(actor=request.auth, campaign=campaign, **_plan_fields(body))
    except planning.CampaignError as error:
        return _field_error(error)
    campaign = _prefetched(Campaign.objects.filter(pk=campaign.pk)).get()
    return _campaign_out(campaign, request.auth)


class DecisionIn(Schema):
    decision: str = Field(description=", ".join(FirstNationsDecision.values))
    note: str = Field("", description="required when asking for changes")
    idempotency_key: str = ""


@router.post(
    "/campaigns/{int:campaign_id}/first-nations-approval",
    response={**_WRITE, 200: DecisionOut, 201: DecisionOut},
    url_name="campaign_first_nations_decision",
    summary="A First Nations partner approves the campaign or asks for changes",
)
def first_nations_decision(request, campaign_id: int, body: DecisionIn):
    campaign = _campaign(request, campaign_id)
    key = _key(request, body.idempotency_key)
    full = planning.creation_key(request.auth, "first-nations", key)
    before = bool(full and FirstNationsApproval.objects.filter(creation_key=full).exists())
    try:
        approval = workflow.record_first_nations_decision(
            campaign, request.auth, decision=body.decision, note=body.note, idempotency_key=key
        )
    except planning.CampaignError as error:
        return _field_error(error)
    return Status(200 if before else 201, _decision_out(approval))


# Materials -----------------------------------------------------------------------------


@router.get(
    "/campaigns/{int:campaign_id}/materials",
    response={**_READ, 200: list[MaterialOut]},
    url_name="campaign_materials",
    summary="A campaign's materials with their workflow history",
)
def material_list(request, campaign_id: int):
    campaign = _campaign(request, campaign_id)
    return [_material_out(m) for m in campaign.materials.order_by("created_at", "pk")]


class MaterialIn(Schema):
    kind: str = Field(description=", ".join(MaterialKind.values))
    title: str
    body: str = ""
    alt_text: str = Field("", description="required for an image")
    video_url: str = Field("", description="for a video")
    caption: str = Field("", description="a video's caption or transcript (required)")
    channel: str = Field("", description=", ".join(Channel.values) + "; blank: any")
    image_base64: str = Field("", description="an image (PNG, JPEG, GIF, WebP), base64")
    image_name: str = ""
    idempotency_key: str = ""


class _Upload(io.BytesIO):
    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name = name
        self.size = len(data)


def _upload(body: MaterialIn):
    if not body.image_base64:
        return None
    try:
        data = base64.b64decode(body.image_base64, validate=True)
    except (binascii.Error, ValueError):
        raise planning.CampaignError(
            "Image: image_base64 is not valid base64.", "image_base64"
        ) from None
    return _Upload(data, body.image_name or "image")


@router.post(
    "/campaigns/{int:campaign_id}/materials",
    response={**_WRITE, 200: MaterialOut, 201: MaterialOut},
    url_name="campaign_material_create",
    summary="Add a draft material (text, image with alt text, or video with caption)",
)
def material_create(request, campaign_id: int, body: MaterialIn):
    campaign = _campaign(request, campaign_id, manage=True)
    key = _key(request, body.idempotency_key)
    full = planning.creation_key(request.auth, "material", key)
    before = bool(full and Material.objects.filter(creation_key=full).exists())
    try:
        material = workflow.create_material(
            campaign,
            request.auth,
            kind=body.kind,
            title=body.title,
            body=body.body,
            alt_text=body.alt_text,
            caption=body.caption,
            video_url=body.video_url,
            channel=body.channel,
            image=_upload(body),
            idempotency_key=key,
        )
    except planning.CampaignError as error:
        return _field_error(error)
    return Status(200 if before else 201, _material_out(material))


@router.get(
    "/campaigns/materials/{int:material_id}",
    response={**_READ, 200: MaterialOut},
    url_name="campaign_material_detail",
    summary="A material, its status and who moved it when",
)
def material_detail(request, material_id: int):
    return _material_out(workflow.get_material_for(request.auth, material_id))


class TransitionIn(Schema):
    to: str = Field(description=", ".join(MaterialStatus.values))
    note: str = Field("", description="required when sending back to draft")


@router.post(
    "/campaigns/materials/{int:material_id}/transition",
    response={**_WRITE, 200: MaterialOut},
    url_name="campaign_material_transition",
    summary="Move a material: in_review, approved, published, or back to draft",
)
def material_transition(request, material_id: int, body: TransitionIn):
    material = workflow.get_material_for(request.auth, material_id, manage=True)
    try:
        material = workflow.transition(material, request.auth, body.to, body.note)
    except planning.CampaignError as error:
        return _field_error(error)
    return _material_out(material)
