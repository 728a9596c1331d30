"""Fixtures for the plan part's tests: uploaded files kept in a temporary folder, a
small PNG, materials of each kind, and the form of a campaign as the page posts it."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from cairn.campaigns import materials as workflow
from cairn.campaigns.models.materials import MaterialKind

CAMPAIGN_FORM = {
    "name": "People who use drugs are people first",
    "objective": "More people see drug use as a health issue and carry naloxone.",
    "frame": "humanizing",
    "audiences": ["general_public", "families"],
    "channels": ["social_media", "billboards"],
    "communities": ["bc"],
    "starts_on": "2026-05-04",
    "ends_on": "2026-06-28",
    "budget": "120000",
    "partners": "BC Lions\nVancouver Canucks",
}


def png_bytes(width: int = 4, height: int = 3) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (31, 95, 139)).save(buffer, format="PNG")
    return buffer.getvalue()


def png_upload(name: str = "billboard.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded images go to a temporary folder, never into var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def text_material(campaign, communications_officer):
    return workflow.create_material(
        campaign,
        communications_officer,
        kind=MaterialKind.TEXT,
        title="Stop overdose: people from all walks of life",
        body="Anyone can be affected by the toxic drug supply. Carry naloxone.",
        channel="social_media",
    )


@pytest.fixture
def image_material(campaign, communications_officer, media):
    return workflow.create_material(
        campaign,
        communications_officer,
        kind=MaterialKind.IMAGE,
        title="Billboard: a carpenter, a nurse, a student",
        alt_text="Three people at work: a carpenter, a nurse and a student, smiling.",
        image=png_upload(),
    )


@pytest.fixture
def first_nations_material(first_nations_campaign, communications_officer):
    return workflow.create_material(
        first_nations_campaign,
        communications_officer,
        kind=MaterialKind.TEXT,
        title="Our relatives who use drugs",
        body="Drug use is a health issue, not a moral one. Reach out to family.",
    )
