"""A campaign's materials (text, images with alt text, video links), their workflow and
the First Nations partners' approval of a campaign.

A material moves draft → in_review (the language review) → approved → published; an
approved or in-review material can go back to draft with a note ("changes requested"),
and editing any text a reviewer checked sends it back to draft. Every move is a
MaterialTransition row: from, to, who, when, note, and the revision it applied to.
The rules live in `cairn.campaigns.materials`; these are only the tables.

Uploaded images are stored under MEDIA_ROOT/campaigns/ with a random name and served
only through a Cairn view that checks who asks (never publicly).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from cairn.access.models import Organization
from cairn.campaigns.models.campaigns import Campaign, Channel

__all__ = [
    "FirstNationsApproval",
    "FirstNationsDecision",
    "Material",
    "MaterialKind",
    "MaterialStatus",
    "MaterialTransition",
]


class MaterialKind(models.TextChoices):
    TEXT = "text", "Text"
    IMAGE = "image", "Image"
    VIDEO = "video", "Video"


class MaterialStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "Language review"
    APPROVED = "approved", "Approved"
    PUBLISHED = "published", "Published"


def material_image_path(material: "Material", filename: str) -> str:
    """A random name under the campaign's folder; the uploaded name is kept only as
    `image_name` (it may say more than it should)."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"campaigns/{material.campaign_id}/{uuid.uuid4().hex}.{extension[:5]}"


class Material(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(max_length=10, choices=MaterialKind.choices)
    channel = models.CharField(
        max_length=30,
        choices=Channel.choices,
        blank=True,
        help_text="Where the material runs (blank: any of the campaign's channels).",
    )
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="The text people read or hear.")
    image = models.FileField(upload_to=material_image_path, blank=True, max_length=200)
    image_name = models.CharField(max_length=200, blank=True)
    image_type = models.CharField(max_length=40, blank=True)
    alt_text = models.TextField(
        blank=True, help_text="What the image shows, for people using screen readers."
    )
    video_url = models.URLField(blank=True, max_length=500)
    caption = models.TextField(blank=True, help_text="The video's caption or transcript.")
    status = models.CharField(
        max_length=12, choices=MaterialStatus.choices, default=MaterialStatus.DRAFT
    )
    revision = models.PositiveIntegerField(
        default=1, help_text="Goes up by one on every change to a text the review checks."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    creation_key = models.CharField(
        max_length=120, null=True, blank=True, unique=True, editable=False
    )

    class Meta:
        ordering = ["campaign", "created_at", "pk"]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self) -> str:
        return self.title

    def checked_texts(self) -> dict[str, str]:
        """The texts the language review checks, by field (non-empty ones only)."""
        texts = {
            "title": self.title,
            "body": self.body,
            "alt_text": self.alt_text,
            "caption": self.caption,
        }
        return {field: text for field, text in texts.items() if text and text.strip()}


class MaterialTransition(models.Model):
    """One move in a material's workflow: who moved it, when, and why."""

    material = models.ForeignKey(Material, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=12, choices=MaterialStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=MaterialStatus.choices)
    revision = models.PositiveIntegerField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    by_name = models.CharField(max_length=150, help_text="The username, kept as text too.")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["material", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.material}: {self.from_status or 'new'} → {self.to_status}"


class FirstNationsDecision(models.TextChoices):
    APPROVED = "approved", "Approved"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"


class FirstNationsApproval(models.Model):
    """A First Nations partner's decision on a campaign addressed to First Nations
    audiences. The newest decision is the current one; nothing is published without a
    current "approved"."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="first_nations_approvals"
    )
    decision = models.CharField(max_length=20, choices=FirstNationsDecision.choices)
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    creation_key = models.CharField(
        max_length=120, null=True, blank=True, unique=True, editable=False
    )

    class Meta:
        ordering = ["campaign", "decided_at", "pk"]
        get_latest_by = ["decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.get_decision_display()} by {self.organization}"
