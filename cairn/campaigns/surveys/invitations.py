"""Invitations: batches of one-use tokens, and the CSV of their links to send out.

A token is 128 random bits (22 URL-safe characters): it cannot be guessed, and it
says nothing about whom it was sent to. Cairn never learns that: the campaign team
sends the links (a mailing, a panel provider, QR codes on cards) from the CSV.
"""

import csv
import io
import secrets

from django.core import signing
from django.db import transaction
from django.db.models import Max
from django.urls import reverse

from cairn.access.audit import record_audit_event
from cairn.campaigns.models.surveys import Invitation, Survey, SurveyWave

MAX_BATCH = 10_000
#: Invitations issued through a wave's open link carry batch 0.
OPEN_LINK_BATCH = 0
_OPEN_LINK_SALT = "cairn.campaigns.surveys.open-link"


class InvitationError(Exception):
    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


def new_token() -> str:
    return secrets.token_urlsafe(16)


def parse_count(value) -> int:
    try:
        count = int(str(value).strip())
    except (TypeError, ValueError):
        raise InvitationError(
            "count", "Give the number of invitations as a whole number."
        ) from None
    if not 1 <= count <= MAX_BATCH:
        raise InvitationError("count", f"Make between 1 and {MAX_BATCH:,} invitations at a time.")
    return count


def wave_of(survey: Survey, key: str) -> SurveyWave:
    wave = survey.waves.filter(key=(key or "").strip()).first()
    if wave is None:
        keys = ", ".join(survey.waves.values_list("key", flat=True))
        raise InvitationError("wave", f"Choose one of the survey's waves ({keys}).")
    return wave


def generate_invitations(*, user, survey: Survey, wave: SurveyWave, count) -> int:
    """Make `count` invitations for the wave in a new batch; returns the batch number."""
    count = parse_count(count)
    if wave.survey_id != survey.pk:
        raise InvitationError("wave", "That wave belongs to another survey.")
    with transaction.atomic():
        # One batch number per survey at a time: lock the survey row while numbering.
        Survey.objects.select_for_update().filter(pk=survey.pk).first()
        last = Invitation.objects.filter(wave__survey=survey).aggregate(m=Max("batch"))["m"]
        batch = (last or 0) + 1
        Invitation.objects.bulk_create(
            (Invitation(wave=wave, token=new_token(), batch=batch) for _ in range(count)),
            batch_size=2000,
        )
        record_audit_event(
            actor=user,
            action="campaigns.survey_invitations_made",
            target=survey,
            summary=f"{count} invitations for {wave.label} (batch {batch})",
            details={"wave": wave.key, "batch": batch, "count": count},
        )
    return batch


def invitation_counts(survey: Survey) -> list[dict]:
    """Per wave and batch: made, used."""
    rows = {}
    for wave_key, wave_label, batch, used_on in Invitation.objects.filter(
        wave__survey=survey
    ).values_list("wave__key", "wave__label", "batch", "used_on"):
        row = rows.setdefault(
            (batch, wave_key),
            {"batch": batch, "wave": wave_key, "wave_label": wave_label, "made": 0, "used": 0},
        )
        row["made"] += 1
        row["used"] += used_on is not None
    return [rows[key] for key in sorted(rows)]


def links_csv(survey: Survey, *, base_url: str, batch: int | None = None) -> str:
    """CSV of the survey's unused invitation links: wave, batch, link."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["wave", "batch", "link"])
    invitations = Invitation.objects.filter(wave__survey=survey, used_on__isnull=True).exclude(
        batch=OPEN_LINK_BATCH
    )
    if batch is not None:
        invitations = invitations.filter(batch=batch)
    base = base_url.rstrip("/")
    for wave_key, batch_number, token in invitations.order_by("batch", "pk").values_list(
        "wave__key", "batch", "token"
    ):
        writer.writerow(
            [wave_key, batch_number, base + reverse("survey:answer", kwargs={"token": token})]
        )
    return out.getvalue()


# Open links -----------------------------------------------------------------------------
#
# When invitations cannot be sent one by one (a poster, a partner's newsletter), a wave's
# open link lets anyone answer: each visitor who agrees to take part gets a fresh
# invitation (batch 0) and answers once through it. Anyone with the link may answer more
# than once, so an open wave is a convenience sample; the survey page says so.


def open_link_key(wave: SurveyWave) -> str:
    """The wave's open-link key: its id, signed so no other wave's can be made up."""
    return signing.Signer(salt=_OPEN_LINK_SALT).sign(str(wave.pk)).replace(":", ".")


def wave_for_open_link(key: str) -> SurveyWave | None:
    try:
        wave_id = signing.Signer(salt=_OPEN_LINK_SALT).unsign((key or "").replace(".", ":"))
    except signing.BadSignature:
        return None
    return SurveyWave.objects.select_related("survey").filter(pk=int(wave_id)).first()


def issue_open_invitation(wave: SurveyWave) -> Invitation:
    return Invitation.objects.create(wave=wave, token=new_token(), batch=OPEN_LINK_BATCH)
