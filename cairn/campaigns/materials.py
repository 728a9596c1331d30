"""A campaign's materials and their workflow: draft → language review → approved → published.

- `submit_for_review` moves a draft into the language review and runs it
  (`cairn.campaigns.language.review.review_material`).
- `approve` refuses while the review has open findings (a blocking term without a
  decision on the current revision).
- `publish` needs an approved material and, when the campaign is addressed to First
  Nations audiences, a current "approved" decision of a First Nations partner.
- `request_changes` sends an in-review or approved material back to draft with a note.
- Editing a text the review checks (title, body, alt text, caption) raises the revision;
  an approved or published material goes back to draft, and a material in review is
  checked again on its new revision (`update_material_texts`, also used by the language
  review's "use the suggestion").

Every move is a MaterialTransition row and an audit event, in one transaction. Only the
organization that runs the campaign changes its materials (`cairn.campaigns.access`).
Bad input raises CampaignError naming the field; a refused move raises it with field
"to" and says why.
"""

import io
import mimetypes

from django.core.exceptions import PermissionDenied
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from cairn.access.audit import actor_name, record_audit_event
from cairn.access.permissions import grants_for
from cairn.access.roles import Permission
from cairn.campaigns import access
from cairn.campaigns.models.campaigns import Campaign, Channel
from cairn.campaigns.models.materials import (
    FirstNationsApproval,
    FirstNationsDecision,
    Material,
    MaterialKind,
    MaterialStatus,
    MaterialTransition,
)
from cairn.campaigns.planning import CampaignError, choice, creation_key, text

CHECKED_FIELDS = ("title", "body", "alt_text", "caption")
FIELD_LIMITS = {"title": 200, "body": 20000, "alt_text": 1000, "caption": 20000}
FIELD_LABELS = {"title": "Title", "body": "Text", "alt_text": "Alt text", "caption": "Caption"}
IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
MAX_IMAGE_BYTES = 8 * 1024 * 1024

# The moves a person may ask for, from each status.
MOVES = {
    MaterialStatus.DRAFT: {MaterialStatus.IN_REVIEW},
    MaterialStatus.IN_REVIEW: {MaterialStatus.APPROVED, MaterialStatus.DRAFT},
    MaterialStatus.APPROVED: {MaterialStatus.PUBLISHED, MaterialStatus.DRAFT},
    MaterialStatus.PUBLISHED: set(),
}


def _require_manage(user, campaign: Campaign) -> None:
    if not access.may_manage(user, campaign):
        raise PermissionDenied("Only the organization that runs this campaign may change it.")


def _audit(user, material: Material, action: str, summary: str, **details) -> None:
    record_audit_event(
        actor=user,
        action=f"campaigns.material.{action}",
        target_type="campaigns.material",
        target_id=str(material.pk),
        summary=summary,
        details={"campaign": material.campaign_id, **details},
    )


def _move(material: Material, user, to: str, note: str = "") -> MaterialTransition:
    """Record a move (the caller has checked it is allowed)."""
    transition = MaterialTransition.objects.create(
        material=material,
        from_status=material.status,
        to_status=to,
        revision=material.revision,
        by=user if getattr(user, "is_authenticated", False) else None,
        by_name=actor_name(user),
        note=note,
    )
    before = material.status
    material.status = to
    material.save(update_fields=["status", "updated_at"])
    _audit(
        user,
        material,
        "transition",
        f"Material {material.title}: {before} → {to}",
        **{"from": before, "to": to, "revision": material.revision, "note": note[:500]},
    )
    return transition


def _locked(material: Material) -> Material:
    """The material's row, locked for this transaction (two clicks move it once)."""
    return Material.objects.select_for_update().select_related("campaign").get(pk=material.pk)


def get_material_for(user, material_id, *, manage: bool = False) -> Material:
    """The material if the user may see its campaign (404 otherwise) and, with `manage`,
    change it (403 otherwise) — decided by `access.get_campaign_for`."""
    try:
        number = int(material_id)
    except (TypeError, ValueError):
        raise Http404("No such material.") from None
    if not 0 < number < 2**31:
        raise Http404("No such material.")
    material = Material.objects.filter(pk=number).first()
    if material is None:
        raise Http404("No such material.")
    material.campaign = access.get_campaign_for(user, material.campaign_id, manage=manage)
    return material


# Content -------------------------------------------------------------------------------


def _video_url(value) -> str:
    value = text(value, "video_url", "Video link", 500, required=False)
    if value:
        try:
            URLValidator(schemes=["http", "https"])(value)
        except Exception:
            raise CampaignError(
                "Video link: give a web address starting with https://.", "video_url"
            ) from None
    return value


def _image(upload) -> tuple[bytes, str, str]:
    """An uploaded image's bytes, its content type and a safe name; refuses anything that
    is not a PNG, JPEG, GIF or WebP image of at most 8 MB."""
    from PIL import Image

    size = getattr(upload, "size", None) or 0
    if size > MAX_IMAGE_BYTES:
        raise CampaignError("Image: at most 8 MB.", "image")
    data = upload.read()
    if len(data) > MAX_IMAGE_BYTES:
        raise CampaignError("Image: at most 8 MB.", "image")
    if not data:
        raise CampaignError("Image: the file is empty.", "image")
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            kind = image.format
    except Exception:
        # Anything Pillow cannot read (a broken, truncated or enormous file) is refused.
        raise CampaignError(
            "Image: not an image Cairn can read (PNG, JPEG, GIF, WebP).", "image"
        ) from None
    if kind not in IMAGE_TYPES:
        raise CampaignError("Image: give a PNG, JPEG, GIF or WebP image.", "image")
    name = str(getattr(upload, "name", "") or "image")[-200:]
    extension = mimetypes.guess_extension(IMAGE_TYPES[kind]) or ".img"
    return data, IMAGE_TYPES[kind], name if "." in name else f"{name}{extension}"


def _store_image(material: Material, image) -> None:
    from django.core.files.base import ContentFile

    data, content_type, name = image
    if material.image:
        material.image.delete(save=False)
    material.image_name = name
    material.image_type = content_type
    extension = {
        "image/png": "png",
        "image/jpeg": "jpg",
        "image/gif": "gif",
        "image/webp": "webp",
    }[content_type]
    material.image.save(f"upload.{extension}", ContentFile(data), save=False)


def _complete(material: Material, *, has_image: bool) -> None:
    """What each kind of material needs before it may be saved."""
    if material.kind == MaterialKind.TEXT and not material.body.strip():
        raise CampaignError("Text: a text material needs its text.", "body")
    if material.kind == MaterialKind.IMAGE:
        if not has_image:
            raise CampaignError("Image: choose the image file to upload.", "image")
        if not material.alt_text.strip():
            raise CampaignError(
                "Alt text: describe what the image shows, for people using screen readers.",
                "alt_text",
            )
    if material.kind == MaterialKind.VIDEO:
        if not material.video_url:
            raise CampaignError("Video link: give the video's web address.", "video_url")
        if not material.caption.strip():
            raise CampaignError(
                "Caption: give the video's caption or transcript, so everyone can follow it.",
                "caption",
            )


def _texts(values: dict) -> dict[str, str]:
    return {
        name: text(values.get(name), name, FIELD_LABELS[name], FIELD_LIMITS[name], required=False)
        for name in CHECKED_FIELDS
        if name in values
    }


@transaction.atomic
def create_material(
    campaign: Campaign,
    user,
    *,
    kind,
    title,
    body="",
    alt_text="",
    caption="",
    video_url="",
    channel="",
    image=None,
    idempotency_key: str = "",
) -> Material:
    """Add a draft material to a campaign. The same idempotency key from the same person
    returns the material the first request made."""
    _require_manage(user, campaign)
    key = creation_key(user, "material", idempotency_key)
    if key and (existing := Material.objects.filter(creation_key=key).first()):
        return existing
    kind = choice(kind, "kind", "Kind", MaterialKind.choices)
    channel = (
        choice(channel, "channel", "Channel", Channel.choices) if str(channel or "").strip() else ""
    )
    texts = _texts({"title": title, "body": body, "alt_text": alt_text, "caption": caption})
    if not texts["title"]:
        raise CampaignError("Title: this is required.", "title")
    material = Material(
        campaign=campaign,
        kind=kind,
        channel=channel,
        video_url=_video_url(video_url) if kind == MaterialKind.VIDEO else "",
        created_by=user,
        creation_key=key,
        **texts,
    )
    upload = _image(image) if (image and kind == MaterialKind.IMAGE) else None
    _complete(material, has_image=upload is not None)
    if upload:
        _store_image(material, upload)
    try:
        with transaction.atomic():
            material.save()
    except IntegrityError:
        if material.image:
            material.image.delete(save=False)
        if key and (existing := Material.objects.filter(creation_key=key).first()):
            return existing
        raise
    MaterialTransition.objects.create(
        material=material,
        from_status="",
        to_status=MaterialStatus.DRAFT,
        revision=material.revision,
        by=user,
        by_name=actor_name(user),
        note="Created.",
    )
    _audit(user, material, "create", f"Added material {material.title}", kind=kind)
    return material


def _after_text_change(material: Material, user, note: str) -> None:
    """An approved or published material goes back to draft; one in review is checked
    again on its new revision."""
    if material.status in (MaterialStatus.APPROVED, MaterialStatus.PUBLISHED):
        _move(material, user, MaterialStatus.DRAFT, note)
    elif material.status == MaterialStatus.IN_REVIEW:
        _review(material, user)


@transaction.atomic
def update_material_texts(material: Material, user, texts: dict) -> Material:
    """Change some of the checked texts ({"title"|"body"|"alt_text"|"caption": text}).
    A change raises the revision by one; an approved or published material goes back to
    draft, and one in review is checked again (its earlier decisions kept where the same
    term and text remain). Nothing changes (and the revision stays) when the texts are the
    same. The language review's "use the suggestion" calls this."""
    unknown = set(texts) - set(CHECKED_FIELDS)
    if unknown:
        raise CampaignError(
            f"Texts: {', '.join(sorted(unknown))} cannot be changed here; "
            f"only {', '.join(CHECKED_FIELDS)}.",
            sorted(unknown)[0],
        )
    material = _locked(material)
    _require_manage(user, material.campaign)
    cleaned = _texts(texts)
    changed = {k: v for k, v in cleaned.items() if getattr(material, k) != v}
    if not changed:
        return material
    if "title" in changed and not changed["title"]:
        raise CampaignError("Title: this is required.", "title")
    for name, value in changed.items():
        setattr(material, name, value)
    _complete(material, has_image=bool(material.image))
    material.revision += 1
    material.save(update_fields=[*changed, "revision", "updated_at"])
    _audit(
        user,
        material,
        "edit",
        f"Changed {', '.join(changed)} of material {material.title}",
        fields=sorted(changed),
        revision=material.revision,
    )
    _after_text_change(material, user, f"Edited ({', '.join(sorted(changed))}).")
    return material


@transaction.atomic
def update_material(
    material: Material,
    user,
    *,
    title=None,
    body=None,
    alt_text=None,
    caption=None,
    video_url=None,
    channel=None,
    image=None,
) -> Material:
    """Change a material (None leaves a field as it is). A new image or video link counts
    as a change to what was reviewed, like a text."""
    material = _locked(material)
    _require_manage(user, material.campaign)
    values = {"title": title, "body": body, "alt_text": alt_text, "caption": caption}
    cleaned = _texts({k: v for k, v in values.items() if v is not None})
    changed = [k for k, v in cleaned.items() if getattr(material, k) != v]
    for name in changed:
        setattr(material, name, cleaned[name])
    if not material.title:
        raise CampaignError("Title: this is required.", "title")
    if channel is not None:
        channel = (
            choice(channel, "channel", "Channel", Channel.choices) if str(channel).strip() else ""
        )
        if channel != material.channel:
            material.channel = channel
            changed.append("channel")
    if video_url is not None and material.kind == MaterialKind.VIDEO:
        video_url = _video_url(video_url)
        if video_url != material.video_url:
            material.video_url = video_url
            changed.append("video_url")
    upload = _image(image) if (image and material.kind == MaterialKind.IMAGE) else None
    _complete(material, has_image=bool(upload or material.image))
    if not changed and not upload:
        return material
    if upload:
        _store_image(material, upload)
        changed.append("image")
    reviewed = [name for name in changed if name != "channel"]
    if reviewed:
        material.revision += 1
    material.save()
    _audit(
        user,
        material,
        "edit",
        f"Changed {', '.join(changed)} of material {material.title}",
        fields=changed,
        revision=material.revision,
    )
    if reviewed:
        _after_text_change(material, user, f"Edited ({', '.join(reviewed)}).")
    return material


# The workflow --------------------------------------------------------------------------


def _review(material: Material, user):
    from cairn.campaigns.language.review import review_material

    return review_material(material, user)


def _open_findings(material: Material):
    from cairn.campaigns.language.review import open_findings

    return open_findings(material)


def _refuse(message: str):
    raise CampaignError(message, "to")


def _check_move(material: Material, to: str) -> None:
    if to not in MOVES[MaterialStatus(material.status)]:
        allowed = ", ".join(sorted(MOVES[MaterialStatus(material.status)])) or "none"
        _refuse(
            f"To: a material that is {material.get_status_display().lower()} cannot move to "
            f"{to}; from here it can move to: {allowed}."
        )


@transaction.atomic
def submit_for_review(material: Material, user):
    """Draft → language review; runs the review and returns its findings."""
    material = _locked(material)
    _require_manage(user, material.campaign)
    _check_move(material, MaterialStatus.IN_REVIEW)
    _move(material, user, MaterialStatus.IN_REVIEW, "Sent to language review.")
    return _review(material, user)


@transaction.atomic
def approve(material: Material, user, note: str = "") -> Material:
    """Language review → approved, once no finding is left open."""
    material = _locked(material)
    _require_manage(user, material.campaign)
    _check_move(material, MaterialStatus.APPROVED)
    note = text(note, "note", "Note", 2000, required=False)
    open_count = _open_findings(material).count()
    if open_count:
        _refuse(
            f"To: {open_count} language finding{'s' if open_count != 1 else ''} still open; "
            "accept the suggestion or override each with a reason before approving."
        )
    _move(material, user, MaterialStatus.APPROVED, note or "Approved.")
    return material


def first_nations_approval(campaign: Campaign) -> FirstNationsApproval | None:
    """The campaign's current First Nations decision (the newest), if any."""
    return campaign.first_nations_approvals.order_by("-decided_at", "-pk").first()


def first_nations_approved(campaign: Campaign) -> bool:
    current = first_nations_approval(campaign)
    return current is not None and current.decision == FirstNationsDecision.APPROVED


@transaction.atomic
def publish(material: Material, user) -> Material:
    """Approved → published; for a campaign addressed to First Nations audiences only
    with a First Nations partner's current approval."""
    material = _locked(material)
    _require_manage(user, material.campaign)
    _check_move(material, MaterialStatus.PUBLISHED)
    campaign = material.campaign
    if campaign.needs_first_nations_approval and not first_nations_approved(campaign):
        _refuse(
            "To: this campaign is addressed to First Nations audiences; a First Nations "
            "partner's approval is needed before anything is published."
        )
    _move(material, user, MaterialStatus.PUBLISHED, "Published.")
    return material


@transaction.atomic
def request_changes(material: Material, user, note: str) -> Material:
    """Language review or approved → draft, with a note saying what should change."""
    material = _locked(material)
    _require_manage(user, material.campaign)
    _check_move(material, MaterialStatus.DRAFT)
    note = text(note, "note", "Note", 2000, required=True)
    _move(material, user, MaterialStatus.DRAFT, note)
    return material


@transaction.atomic
def transition(material: Material, user, to, note: str = ""):
    """One move asked for by name (the page's and the API's `to` field). Asking again
    for the status the material already has changes nothing (a double click, a retry)."""
    to = choice(to, "to", "To", MaterialStatus.choices)
    material = _locked(material)
    _require_manage(user, material.campaign)
    if material.status == to:
        return material
    if to == MaterialStatus.IN_REVIEW:
        submit_for_review(material, user)
    elif to == MaterialStatus.APPROVED:
        approve(material, user, note)
    elif to == MaterialStatus.PUBLISHED:
        publish(material, user)
    else:
        request_changes(material, user, note)
    return Material.objects.get(pk=material.pk)


# First Nations approval ----------------------------------------------------------------


@transaction.atomic
def record_first_nations_decision(
    campaign: Campaign, user, *, decision, note="", idempotency_key: str = ""
) -> FirstNationsApproval:
    """A First Nations partner approves the campaign or asks for changes (note required)."""
    if not access.may_approve_first_nations(user, campaign):
        raise PermissionDenied(
            "Only a First Nations partner covering this campaign's communities may decide."
        )
    key = creation_key(user, "first-nations", idempotency_key)
    if key and (existing := FirstNationsApproval.objects.filter(creation_key=key).first()):
        return existing
    decision = choice(decision, "decision", "Decision", FirstNationsDecision.choices)
    note = text(
        note,
        "note",
        "Note",
        4000,
        required=decision == FirstNationsDecision.CHANGES_REQUESTED,
    )
    granting = [
        g.organization_id
        for g in grants_for(user)
        if g.organization_id and g.role.has(Permission.APPROVE_FIRST_NATIONS_CAMPAIGNS)
    ]
    if not granting:
        raise PermissionDenied("A First Nations decision is recorded for an organization.")
    organization_id = granting[0]
    try:
        with transaction.atomic():
            approval = FirstNationsApproval.objects.create(
                campaign=campaign,
                decision=decision,
                note=note,
                decided_by=user,
                organization_id=organization_id,
                decided_at=timezone.now(),
                creation_key=key,
            )
    except IntegrityError:
        if key and (existing := FirstNationsApproval.objects.filter(creation_key=key).first()):
            return existing
        raise
    record_audit_event(
        actor=user,
        action="campaigns.first_nations_decision",
        target_type="campaigns.campaign",
        target_id=str(campaign.pk),
        summary=f"First Nations decision on {campaign.name}: {decision}",
        details={"decision": decision, "note": note[:500]},
    )
    return approval
