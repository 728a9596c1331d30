"""Audit events, written in the same transaction as the action they record."""

from typing import Any

from django.db import transaction

from cairn.access.models import AuditEvent


def actor_name(actor: Any) -> str:
    """How a record names who did something: a user's username, or the name of a system
    actor given as text ("demo setup", "cli:import-hsds"); empty for none."""
    if getattr(actor, "is_authenticated", False):
        return actor.get_username()
    return str(actor) if actor else ""


def audit_actor_fields(actor: Any) -> dict:
    """Who acted, as audit columns: a signed-in user, or a named system ("intake:hl7v2")."""
    if getattr(actor, "is_authenticated", False):
        return {"actor_id": actor.pk, "actor_username": actor.get_username()}
    return {"actor_id": None, "actor_username": str(actor) if actor else ""}


def record_audit_event(
    *,
    actor: Any,
    action: str,
    target: Any = None,
    target_type: str = "",
    target_id: str = "",
    summary: str = "",
    details: dict | None = None,
) -> AuditEvent:
    """Write one audit event. Must run inside the caller's transaction.

    Refusing to run outside a transaction means an action can never commit its
    change without its audit row, nor leave an audit row for a change that rolled back.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"Audit event {action!r} must be written inside transaction.atomic().")
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
    return AuditEvent.objects.create(
        **audit_actor_fields(actor),
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        summary=summary[:300],
        details=details or {},
    )
