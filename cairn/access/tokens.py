"""API tokens: issued once, stored hashed, revocable, each use checked here."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from cairn.access.audit import record_audit_event
from cairn.access.models import ApiToken

TOKEN_PREFIX = "cairn_"


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def issue_api_token(*, actor, user, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; the plain text is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[: len(TOKEN_PREFIX) + 6], token_hash=_hash(raw)
    )
    record_audit_event(
        actor=actor,
        action="api_token.issue",
        target=token,
        summary=f"Issued API token {name!r} for {user.get_username()}",
    )
    return token, raw


@transaction.atomic
def revoke_api_token(*, actor, token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record_audit_event(actor=actor, action="api_token.revoke", target=token)


def user_for_api_token(raw: str):
    """The active user a token acts as, or None (unknown, revoked, inactive user)."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=_hash(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
