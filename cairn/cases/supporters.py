"""Supporters and the person's consent: writes (atomic, audited) and reads.

The care team links family members, friends and peers with lived experience to a
person's case, records the person's consent per supporter and purpose (who recorded
it, when, how), and revokes it with a date and a reason. Every write checks that the
actor may change the case (MANAGE_CASES in an organization holding it) and writes an
audit event in the same transaction, with ids and purposes only (no names).

What a supporter with a Cairn account sees is built by `supporter_view_content` from
a `SupporterView`, which only `cairn.cases.access.get_client_for_supporter` makes: the
sections follow the purposes in force, and nothing else is read.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from cairn.access.audit import actor_name as _username
from cairn.access.audit import record_audit_event
from cairn.cases.access import SupporterView, managing_organization_id, may_be_a_supporter
from cairn.cases.models import Client, ConsentMethod, ContactMethod
from cairn.cases.models.plans import ActionStatus, GoalStatus
from cairn.cases.models.supporters import (
    ConsentPurpose,
    Supporter,
    SupporterConsent,
    SupporterRelationship,
)
from cairn.cases.treatment import status as treatment_status


class SupporterError(ValueError):
    """The supporter or consent cannot be recorded as asked; `field` names the field."""

    def __init__(self, message: str, field: str = "__all__"):
        super().__init__(message)
        self.field = field


class SupporterMissing(SupporterError):
    """No supporter or consent with this number on this person's case."""


def _writable(actor, client: Client) -> int:
    if client.is_merged:
        raise SupporterError(
            "This record was merged into another; record supporters on that record instead."
        )
    return managing_organization_id(actor, client)


def _text(value, field: str, label: str, limit: int, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise SupporterError(f"{label}: this is required.", field)
    if len(value) > limit:
        raise SupporterError(f"{label}: at most {limit} characters.", field)
    return value


def _choice(value, field: str, label: str, choices, *, required: bool = True) -> str:
    value = (value or "").strip()
    if not value and not required:
        return ""
    if value not in choices.values:
        raise SupporterError(f"{label}: give one of {', '.join(choices.values)}.", field)
    return value


def _audit(actor, client: Client, action: str, summary: str, **details) -> None:
    record_audit_event(
        actor=actor,
        action=f"cases.supporter.{action}",
        target_type="cases.client",
        target_id=str(client.pk),
        summary=summary,
        details=details,
    )


def _supporter(client: Client, supporter_id, *, lock: bool = False) -> Supporter:
    try:
        supporter_id = int(supporter_id)
    except (TypeError, ValueError):
        raise SupporterMissing("No such supporter on this person's case.", "supporter") from None
    rows = Supporter.objects.filter(client=client, pk=supporter_id)
    supporter = (rows.select_for_update() if lock else rows).first()
    if supporter is None:
        raise SupporterMissing("No such supporter on this person's case.", "supporter")
    return supporter


# Writes -------------------------------------------------------------------------------


@transaction.atomic
def add_supporter(
    *,
    actor,
    client: Client,
    name: str,
    relationship: str,
    contact_method: str = "",
    contact_value: str = "",
    username: str = "",
    note: str = "",
    idempotency_key: str = "",
) -> Supporter:
    """Link a supporter to the person's case. With `username`, the supporter's own
    Cairn account is linked (one link per account and person; never a police or
    municipal member). No consent is recorded yet: the supporter sees nothing until
    the person consents to a purpose."""
    organization_id = _writable(actor, client)
    name = _text(name, "name", "Name", 150, required=True)
    relationship = _choice(relationship, "relationship", "Relationship", SupporterRelationship)
    contact_method = _choice(
        contact_method, "contact_method", "Contact method", ContactMethod, required=False
    )
    contact_value = _text(contact_value, "contact_value", "Contact", 200)
    if contact_method and not contact_value:
        raise SupporterError("Contact: give the number or address for the method.", "contact_value")
    if contact_value and not contact_method:
        raise SupporterError("Contact method: say how to reach them.", "contact_method")
    note = _text(note, "note", "Note", 300)
    user = None
    username = (username or "").strip()
    if username:
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise SupporterError("Cairn account: no active account with this username.", "username")
        if not may_be_a_supporter(user):
            raise SupporterError(
                "Cairn account: police and municipal members cannot be linked as supporters.",
                "username",
            )
        existing = Supporter.objects.filter(client=client, user=user, ended_at__isnull=True).first()
        if existing is not None and not idempotency_key:
            raise SupporterError(
                "Cairn account: this account is already linked as a supporter of this person.",
                "username",
            )
    key = (idempotency_key or "").strip()
    key = f"{getattr(actor, 'pk', '') or _username(actor)}:supporter:{key}"[:120] if key else None
    if key:
        existing = Supporter.objects.filter(creation_key=key, client=client).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            supporter = Supporter.objects.create(
                client=client,
                organization_id=organization_id,
                name=name,
                relationship=relationship,
                contact_method=contact_method,
                contact_value=contact_value,
                user=user,
                note=note,
                added_by=_username(actor),
                creation_key=key,
            )
    except IntegrityError:
        if key and (again := Supporter.objects.filter(creation_key=key).first()):
            return again
        raise SupporterError(
            "Cairn account: this account is already linked as a supporter of this person.",
            "username",
        ) from None
    _audit(
        actor,
        client,
        "add",
        f"Supporter {supporter.pk} ({relationship}) linked"
        + (" with a Cairn account" if user else ""),
        supporter_id=supporter.pk,
        relationship=relationship,
        account_linked=user is not None,
    )
    return supporter


@transaction.atomic
def record_consent(
    *,
    actor,
    client: Client,
    supporter_id,
    purpose: str,
    method: str,
    note: str = "",
    recorded_at: dt.datetime | None = None,
) -> SupporterConsent:
    """Record the person's consent for one supporter and purpose. When a consent for
    this purpose is already in force, it is returned unchanged (a double submit
    records one)."""
    _writable(actor, client)
    supporter = _supporter(client, supporter_id, lock=True)
    if supporter.ended_at is not None:
        raise SupporterError(
            "Supporter: this link was ended; link the supporter again first.", "supporter"
        )
    purpose = _choice(purpose, "purpose", "Purpose", ConsentPurpose)
    method = _choice(method, "method", "How consent was given", ConsentMethod)
    note = _text(note, "note", "Note", 300)
    now = timezone.now()
    recorded_at = recorded_at or now
    if recorded_at > now + dt.timedelta(minutes=5):
        raise SupporterError("When: consent cannot be recorded in the future.", "recorded_at")
    current = supporter.consents.filter(purpose=purpose, revoked_at__isnull=True).first()
    if current is not None:
        return current
    consent = SupporterConsent.objects.create(
        supporter=supporter,
        purpose=purpose,
        method=method,
        note=note,
        recorded_at=recorded_at,
        recorded_by=_username(actor),
    )
    _audit(
        actor,
        client,
        "consent",
        f"Consent recorded for supporter {supporter.pk}: {purpose} ({method})",
        supporter_id=supporter.pk,
        consent_id=consent.pk,
        purpose=purpose,
        method=method,
    )
    return consent


@transaction.atomic
def revoke_consent(
    *, actor, client: Client, supporter_id, consent_id, reason: str
) -> SupporterConsent:
    """Revoke a consent now, with the reason; access that depended on it ends at once.
    Revoking a revoked consent changes nothing. The row stays (history)."""
    _writable(actor, client)
    supporter = _supporter(client, supporter_id)
    try:
        consent_id = int(consent_id)
    except (TypeError, ValueError):
        raise SupporterMissing("No such consent for this supporter.", "consent") from None
    consent = supporter.consents.select_for_update().filter(pk=consent_id).first()
    if consent is None:
        raise SupporterMissing("No such consent for this supporter.", "consent")
    if consent.revoked_at is not None:
        return consent
    reason = _text(reason, "reason", "Reason", 300, required=True)
    consent.revoked_at = timezone.now()
    consent.revoked_by = _username(actor)
    consent.revocation_reason = reason
    consent.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    _audit(
        actor,
        client,
        "revoke",
        f"Consent revoked for supporter {supporter.pk}: {consent.purpose}",
        supporter_id=supporter.pk,
        consent_id=consent.pk,
        purpose=consent.purpose,
    )
    return consent


@transaction.atomic
def end_link(*, actor, client: Client, supporter_id, reason: str) -> Supporter:
    """End a supporter's link, with the reason: every consent in force is revoked with it
    (access ends at once) and the link stays as history. Ending an ended link changes
    nothing."""
    _writable(actor, client)
    supporter = _supporter(client, supporter_id, lock=True)
    if supporter.ended_at is not None:
        return supporter
    reason = _text(reason, "reason", "Reason", 300, required=True)
    now = timezone.now()
    revoked = list(
        supporter.consents.filter(revoked_at__isnull=True).values_list("purpose", flat=True)
    )
    supporter.consents.filter(revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=_username(actor), revocation_reason=reason
    )
    supporter.ended_at = now
    supporter.ended_by = _username(actor)
    supporter.end_reason = reason
    supporter.save(update_fields=["ended_at", "ended_by", "end_reason"])
    _audit(
        actor,
        client,
        "end",
        f"Supporter {supporter.pk} link ended; {len(revoked)} consent(s) revoked",
        supporter_id=supporter.pk,
        revoked=sorted(revoked),
    )
    return supporter


# Reads --------------------------------------------------------------------------------


def supporters_for(client: Client) -> list[Supporter]:
    """The person's supporters with their full consent history (the care team's view;
    the caller opened the record through the access choke point)."""
    supporters = list(client.supporters.select_related("user").prefetch_related("consents"))
    for supporter in supporters:
        consents = list(supporter.consents.all())
        supporter.consent_history = consents
        supporter.purposes_in_force = [c.purpose for c in consents if c.revoked_at is None]
        supporter.purposes_not_in_force = [
            (p, label)
            for p, label in ConsentPurpose.choices
            if p not in supporter.purposes_in_force
        ]
    return supporters


def contactable_about_follow_up(client: Client) -> list[Supporter]:
    """Supporters the person agreed may be contacted about follow-up."""
    return [
        s
        for s in supporters_for(client)
        if ConsentPurpose.CONTACT_ABOUT_FOLLOW_UP in s.purposes_in_force
    ]


def supporter_view_content(view: SupporterView) -> dict:
    """What the supporter view shows: one section per purpose in force, nothing else.

    * see_care_plan: open goals and actions (text, owner, due date);
    * see_appointments: referrals (kind, to whom, status), follow-up due times and
      the opioid agonist treatment status line (`treatment.status.status_for`);
    * receive_overdose_alerts: overdoses recorded since the consent was given (date);
    * contact_about_follow_up: that the care team may contact them about follow-up.
    """
    client = view.client
    content: dict = {
        "client_id": client.pk,
        "display_name": client.display_name,
        "relationship": view.supporter.get_relationship_display(),
        "purposes": [(p, ConsentPurpose(p).label) for p in sorted(view.purposes)],
        "may_contact_about_follow_up": view.allows(ConsentPurpose.CONTACT_ABOUT_FOLLOW_UP),
        "goals": None,
        "actions": None,
        "referrals": None,
        "follow_ups": None,
        "treatment": None,
        "overdoses": None,
    }
    if view.allows(ConsentPurpose.SEE_CARE_PLAN):
        content["goals"] = [
            {"text": g.text, "status": g.get_status_display()}
            for g in client.plan_goals.filter(status=GoalStatus.OPEN)
        ]
        content["actions"] = [
            {"text": a.text, "owner": a.owner_label, "due_on": a.due_on}
            for a in client.plan_actions.filter(status=ActionStatus.OPEN).select_related(
                "owner_user"
            )
        ]
    if view.allows(ConsentPurpose.SEE_APPOINTMENTS):
        content["referrals"] = [
            {"kind": r.get_kind_display(), "to_whom": r.to_whom, "status": r.get_status_display()}
            for r in client.referrals.all()
        ]
        content["follow_ups"] = [
            {"due_at": f.due_at, "state": f.state()}
            for f in client.follow_ups.filter(contacted_at__isnull=True).order_by("due_at")
        ]
        content["treatment"] = treatment_status.status_for(client).headline
    if view.allows(ConsentPurpose.RECEIVE_OVERDOSE_ALERTS):
        since = (
            view.supporter.consents.filter(
                purpose=ConsentPurpose.RECEIVE_OVERDOSE_ALERTS, revoked_at__isnull=True
            )
            .values_list("recorded_at", flat=True)
            .first()
        )
        content["overdoses"] = [
            {"occurred_at": e.occurred_at}
            for e in client.episodes.filter(occurred_at__gte=since).order_by("-occurred_at")
        ]
    return content
