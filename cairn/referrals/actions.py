"""Writes on closed-loop referrals: send, the steps each side takes, consent withdrawal,
and the overdue notices. Each is atomic and writes its audit event in the same
transaction; every step is also a `ReferralChange` row.

Callers fetch the referral through `cairn.referrals.access.get_referral_for_user`
(which decides the sides the user is on) and pass those sides here; these functions
check that the side may take the step. A referral sent from a care plan's referral
keeps that plan referral's status in step (`_sync_plan`).
"""

import contextlib
import datetime as dt
import secrets
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from cairn.access.audit import actor_name as _username
from cairn.access.audit import record_audit_event
from cairn.access.models import Organization
from cairn.cases.models import Client
from cairn.cases.models.plans import Referral as PlanReferral
from cairn.cases.models.plans import ReferralChange as PlanReferralChange
from cairn.cases.models.plans import ReferralStatus as PlanStatus
from cairn.referrals import sharing
from cairn.referrals.access import RECEIVER, SENDER
from cairn.referrals.arrivals import send_arrival_emails
from cairn.referrals.models import (
    AWAITING_ANSWER,
    ConsentHow,
    OverdueNotice,
    Referral,
    ReferralChange,
    ReferralSource,
    ReferralStatus,
    SharedDetail,
)

S = ReferralStatus


def respond_days() -> int:
    """Days the receiving side has to answer (settings.CAIRN_REFERRAL_RESPOND_DAYS)."""
    return settings.CAIRN_REFERRAL_RESPOND_DAYS


def complete_days() -> int:
    """Days after acceptance to complete (settings.CAIRN_REFERRAL_COMPLETE_DAYS)."""
    return settings.CAIRN_REFERRAL_COMPLETE_DAYS


REASON_LIMIT = 2000
SYSTEM_ACTOR = "system:referrals.overdue"


class ReferralError(ValueError):
    """The referral cannot be sent or changed as asked; `field` names the field at fault."""

    def __init__(self, message: str, field: str = "__all__"):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ConsentToShare:
    """The person's consent to share details with the receiving organization.

    `given` False makes the referral anonymous (reference code and reason only) and
    `allows` must then be empty. `allows` holds `SharedDetail` values. `details` are what
    the sender typed for a person without a client record (name, date_of_birth, contact,
    substances, treatment, group); from a case they come from the record.
    """

    given: bool
    how: str = ""
    allows: frozenset = frozenset()
    recorded_by: str = ""
    recorded_at: dt.datetime | None = None
    note: str = ""
    details: dict = field(default_factory=dict)


#: The step each action takes, the side that takes it, and the statuses it starts from.
STEPS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "accept": (S.ACCEPTED, RECEIVER, AWAITING_ANSWER),
    "decline": (S.DECLINED, RECEIVER, AWAITING_ANSWER),
    "complete": (S.COMPLETED, RECEIVER, (S.ACCEPTED,)),
    "no_show": (S.NO_SHOW, RECEIVER, (S.ACCEPTED,)),
    "cancel": (S.CANCELLED, SENDER, AWAITING_ANSWER),
}
#: Steps that need a note (why).
NOTE_REQUIRED = {"decline", "cancel"}
STEP_LABELS = {
    "accept": "Accept",
    "decline": "Decline",
    "complete": "Record completion",
    "no_show": "Record a no-show",
    "cancel": "Cancel the referral",
}


def _audit(actor, referral: Referral, action: str, summary: str, **details) -> None:
    record_audit_event(
        actor=actor,
        action=f"referrals.referral.{action}",
        target=referral,
        summary=summary,
        details={"reference": referral.reference, **details},
    )


def new_reference() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone
    code = "".join(secrets.choice(alphabet) for _ in range(8))
    return f"R-{code[:4]}-{code[4:]}"


def _key(actor, key) -> str | None:
    key = (key or "").strip()
    return f"{getattr(actor, 'pk', '') or _username(actor)}:referral:{key}"[:120] if key else None


def _check_consent(consent: ConsentToShare, actor) -> ConsentToShare:
    if not isinstance(consent, ConsentToShare):
        raise ReferralError("Consent: record whether the person consented.", "consent")
    allows = frozenset(str(a) for a in consent.allows)
    unknown = allows - set(SharedDetail.values)
    if unknown:
        raise ReferralError(
            f"What to share: {', '.join(sorted(unknown))} is not one of "
            f"{', '.join(SharedDetail.values)}.",
            "consent_allows",
        )
    if not consent.given:
        if allows:
            raise ReferralError(
                "What to share: without the person's consent nothing but the reason is "
                "shared; record their consent or share nothing.",
                "consent_allows",
            )
        return ConsentToShare(given=False)
    if consent.how not in ConsentHow.values:
        raise ReferralError(
            f"How consent was given: give one of {', '.join(ConsentHow.values)}.", "consent_how"
        )
    if not allows:
        raise ReferralError(
            "What to share: choose what the person agrees to share, or record that "
            "consent was not given.",
            "consent_allows",
        )
    note = (consent.note or "").strip()
    if len(note) > 300:
        raise ReferralError("Consent note: at most 300 characters.", "consent_note")
    recorded_by = (consent.recorded_by or "").strip() or _username(actor)
    if len(recorded_by) > 150:
        raise ReferralError("Consent recorded by: at most 150 characters.", "consent_recorded_by")
    recorded_at = consent.recorded_at or timezone.now()
    if recorded_at > timezone.now() + dt.timedelta(minutes=5):
        raise ReferralError(
            "Consent recorded at: it cannot be in the future.", "consent_recorded_at"
        )
    return ConsentToShare(
        given=True,
        how=consent.how,
        allows=allows,
        recorded_by=recorded_by,
        recorded_at=recorded_at,
        note=note,
        details=dict(consent.details or {}),
    )


def receiving_organization_of(service) -> Organization | None:
    provider = getattr(service, "provider", None)
    return getattr(provider, "partner", None) if provider is not None else None


def check_service(service):
    """The service, if it can take a closed-loop referral; ReferralError otherwise."""
    if service is None:
        raise ReferralError("Service: choose the service to refer to.", "service")
    status = (getattr(service, "status", "") or "active").lower()
    if status != "active":
        raise ReferralError(
            f"Service: {service.name} is {status}; choose an active service.", "service"
        )
    if receiving_organization_of(service) is None:
        raise ReferralError(
            f"Service: {service.name} has no Cairn partner to receive closed-loop referrals; "
            "contact it directly with the details on its listing.",
            "service",
        )
    return service


@transaction.atomic
def send_referral(
    *,
    actor,
    from_organization: Organization,
    service,
    reason: str,
    consent: ConsentToShare,
    client: Client | None = None,
    plan_referral: PlanReferral | None = None,
    source: str,
    source_reference: str = "",
    person_label: str = "",
    creation_key: str | None = None,
) -> Referral:
    """Send a referral to `service` (received by its provider's Cairn partner).

    The caller checked that `actor` may send for `from_organization` (and, from a case,
    that the organization holds the case and `client` was opened through the cases
    choke point). Idempotent on `creation_key`: the same key from the same actor
    returns the first referral. Raises ReferralError naming the field at fault.
    """
    key = _key(actor, creation_key)
    if key:
        existing = Referral.objects.filter(creation_key=key).first()
        if existing is not None:
            return existing
    if source not in ReferralSource.values:
        raise ReferralError(f"Source: give one of {', '.join(ReferralSource.values)}.", "source")
    check_service(service)
    reason = (reason or "").strip()
    if not reason:
        raise ReferralError("Reason: say why the person is referred.", "reason")
    if len(reason) > REASON_LIMIT:
        raise ReferralError(f"Reason: at most {REASON_LIMIT} characters.", "reason")
    person_label = (person_label or "").strip()
    if len(person_label) > 150:
        raise ReferralError("Who this is: at most 150 characters.", "person_label")
    source_reference = str(source_reference or "").strip()
    if len(source_reference) > 100:
        raise ReferralError("Source reference: at most 100 characters.", "source_reference")
    consent = _check_consent(consent, actor)
    if source == ReferralSource.CASE and client is None:
        raise ReferralError("Client: a referral from a case names the person's record.", "client")
    if client is not None and client.is_merged:
        raise ReferralError(
            "Client: this record was merged into another; send from that record.", "client"
        )
    if plan_referral is not None:
        _check_plan_referral(plan_referral, client)
    now = timezone.now()
    fields = dict(
        service=service,
        to_organization=receiving_organization_of(service),
        from_organization=from_organization,
        sent_by=actor if getattr(actor, "is_authenticated", False) else None,
        sent_by_name=_username(actor),
        sent_at=now,
        client=client,
        plan_referral=plan_referral,
        source=source,
        source_reference=source_reference,
        person_label=person_label,
        reason=reason,
        consent_given=consent.given,
        consent_how=consent.how,
        consent_recorded_by=consent.recorded_by,
        consent_recorded_at=consent.recorded_at,
        consent_note=consent.note,
        consent_allows=sorted(consent.allows),
        shared_details=sharing.snapshot(
            allows=consent.allows, reason=reason, client=client, typed=consent.details
        ),
        status=S.SENT,
        status_changed_at=now,
        respond_by=now + dt.timedelta(days=respond_days()),
    )
    for _ in range(5):
        try:
            with transaction.atomic():
                referral = Referral.objects.create(
                    reference=new_reference(), creation_key=key, **fields
                )
            break
        except IntegrityError:
            if key and Referral.objects.filter(creation_key=key).exists():
                return Referral.objects.get(creation_key=key)
            if plan_referral is not None and _active_for_plan(plan_referral).exists():
                raise ReferralError(
                    "Plan referral: it has already been sent to a service.", "plan_referral"
                ) from None
    else:  # pragma: no cover - eight random characters colliding five times
        raise ReferralError("Could not give the referral a reference code; send it again.")
    ReferralChange.objects.create(
        referral=referral,
        status=S.SENT,
        changed_at=now,
        changed_by=referral.sent_by_name,
        organization=from_organization,
        note=f"To {service.name}",
    )
    _audit(
        actor,
        referral,
        "send",
        f"Referral {referral.reference} sent to {referral.to_organization.name}",
        source=source,
        consent_given=consent.given,
        shared=sorted(referral.shared_details),
        client_id=client.pk if client else None,
    )
    _sync_plan(referral, actor)
    # The receiving organization hears of it once the referral is committed.
    transaction.on_commit(partial(send_arrival_emails, [referral.pk]), robust=True)
    return referral


def _active_for_plan(plan_referral: PlanReferral):
    return Referral.objects.filter(plan_referral=plan_referral).exclude(status=S.CANCELLED)


def _check_plan_referral(plan_referral: PlanReferral, client: Client | None) -> None:
    if client is None or plan_referral.client_id != client.pk:
        raise ReferralError("Plan referral: it is not on this person's plan.", "plan_referral")
    if plan_referral.status not in (PlanStatus.PROPOSED, PlanStatus.SENT):
        raise ReferralError(
            f"Plan referral: it is {plan_referral.get_status_display().lower()}; only a "
            "proposed or sent referral can go to a service.",
            "plan_referral",
        )
    if _active_for_plan(plan_referral).exists():
        raise ReferralError(
            "Plan referral: it has already been sent to a service.", "plan_referral"
        )


#: The care plan status that follows each closed-loop status.
PLAN_STATUS = {
    S.SENT: PlanStatus.SENT,
    S.ACCEPTED: PlanStatus.ACCEPTED,
    S.DECLINED: PlanStatus.DECLINED,
    S.COMPLETED: PlanStatus.COMPLETED,
    S.NO_SHOW: PlanStatus.NO_SHOW,
    S.CANCELLED: PlanStatus.PROPOSED,  # it may be sent again, to this or another service
}


def _sync_plan(referral: Referral, actor) -> None:
    """Keep the care plan's referral in step: its status follows the closed-loop one
    (received leaves it "sent"), with a change row on the plan saying why."""
    if referral.plan_referral_id is None:
        return
    target = PLAN_STATUS.get(referral.status)
    plan_referral = PlanReferral.objects.select_for_update().get(pk=referral.plan_referral_id)
    if target is None or plan_referral.status == target:
        return
    now = timezone.now()
    who = _username(actor)
    plan_referral.status = target
    plan_referral.status_changed_at = now
    plan_referral.status_changed_by = who
    plan_referral.save(update_fields=["status", "status_changed_at", "status_changed_by"])
    PlanReferralChange.objects.create(
        referral=plan_referral,
        status=target,
        changed_at=now,
        changed_by=who,
        note=f"Closed-loop referral {referral.reference} to {referral.service.name}: "
        f"{referral.get_status_display().lower()}",
    )
    record_audit_event(
        actor=actor,
        action="cases.plan.referral.status",
        target_type="cases.client",
        target_id=str(plan_referral.client_id),
        summary=f"Referral {plan_referral.pk}: {target} (closed-loop {referral.reference})",
        details={"referral_id": plan_referral.pk, "status": target, "closed_loop": referral.pk},
    )


def _acting_organization(actor, referral: Referral, side: str) -> Organization:
    return referral.to_organization if side == RECEIVER else referral.from_organization


@transaction.atomic
def record_received(*, actor, referral: Referral, sides) -> Referral:
    """The receiving side opened the referral: sent becomes received, once."""
    if RECEIVER not in sides:
        return referral
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if referral.status != S.SENT:
        return referral
    now = timezone.now()
    referral.status = S.RECEIVED
    referral.status_changed_at = now
    referral.received_at = now
    referral.save(update_fields=["status", "status_changed_at", "received_at"])
    ReferralChange.objects.create(
        referral=referral,
        status=S.RECEIVED,
        changed_at=now,
        changed_by=_username(actor),
        organization=referral.to_organization,
        note="First opened by the receiving organization",
    )
    _audit(actor, referral, "receive", f"Referral {referral.reference} received")
    return referral


def steps_for(referral: Referral, sides) -> list[tuple[str, str]]:
    """(step, label) a user on `sides` may take now."""
    return [
        (step, STEP_LABELS[step])
        for step, (_status, side, starts) in STEPS.items()
        if side in sides and referral.status in starts
    ]


@transaction.atomic
def take_step(*, actor, referral: Referral, sides, step: str, note: str = "") -> Referral:
    """Move the referral one step (accept, decline, complete, no_show by the receiving
    side; cancel by the sender). Repeating a step that already happened changes nothing,
    so a double submit records one change. Raises ReferralError (field `step` or
    `note`)."""
    if step not in STEPS:
        raise ReferralError(f"Step: give one of {', '.join(STEPS)}.", "step")
    status, side, starts = STEPS[step]
    if side not in sides:
        who = "receiving organization" if side == RECEIVER else "sending organization"
        raise ReferralError(f"Step: only the {who} may {step.replace('_', ' ')}.", "step")
    note = (note or "").strip()
    if len(note) > 300:
        raise ReferralError("Note: at most 300 characters.", "note")
    referral = Referral.objects.select_for_update().select_related("service").get(pk=referral.pk)
    if referral.status == status:
        return referral
    if referral.status not in starts:
        raise ReferralError(
            f"Step: a {referral.get_status_display().lower()} referral cannot be "
            f"{S(status).label.lower()}" + (" (it is final)." if referral.is_final else "."),
            "step",
        )
    if step in NOTE_REQUIRED and not note:
        raise ReferralError(f"Note: say why the referral is {S(status).label.lower()}.", "note")
    now = timezone.now()
    organization = _acting_organization(actor, referral, side)
    who = _username(actor)
    if side == RECEIVER and referral.status == S.SENT:
        # Answered before it was opened on a page (e.g. through the API): received first.
        referral.received_at = now
        ReferralChange.objects.create(
            referral=referral,
            status=S.RECEIVED,
            changed_at=now,
            changed_by=who,
            organization=organization,
        )
    referral.status = status
    referral.status_changed_at = now
    if status in (S.ACCEPTED, S.DECLINED):
        referral.answered_at = now
    if status == S.ACCEPTED:
        referral.complete_by = now + dt.timedelta(days=complete_days())
    if note:
        referral.outcome_note = note
    referral.save()
    ReferralChange.objects.create(
        referral=referral,
        status=status,
        changed_at=now,
        changed_by=who,
        organization=organization,
        note=note,
    )
    _audit(actor, referral, step, f"Referral {referral.reference}: {status}", status=status)
    _sync_plan(referral, actor)
    return referral


@transaction.atomic
def withdraw_consent(*, actor, referral: Referral, sides, note: str = "") -> Referral:
    """The person withdrew their consent: the receiver's snapshot is blanked (which
    details had been shared is kept, not their content). Sending side only; again
    changes nothing."""
    if SENDER not in sides:
        raise ReferralError(
            "Consent: only the sending organization records a withdrawal.", "consent"
        )
    note = (note or "").strip()
    if len(note) > 300:
        raise ReferralError("Note: at most 300 characters.", "note")
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if not referral.consent_given:
        raise ReferralError(
            "Consent: none was given; the referral is already anonymous.", "consent"
        )
    if referral.consent_withdrawn_at is not None:
        return referral
    now = timezone.now()
    had = sorted(referral.shared_details)
    referral.consent_withdrawn_at = now
    referral.consent_withdrawn_by = _username(actor)
    referral.shared_details = {}
    referral.save(update_fields=["consent_withdrawn_at", "consent_withdrawn_by", "shared_details"])
    labels = ", ".join(SharedDetail(k).label.lower() for k in had) or "nothing"
    ReferralChange.objects.create(
        referral=referral,
        kind="consent_withdrawn",
        status=referral.status,
        changed_at=now,
        changed_by=_username(actor),
        organization=referral.from_organization,
        note=(f"Consent withdrawn; no longer shared: {labels}" + (f". {note}" if note else ""))[
            :300
        ],
    )
    _audit(
        actor,
        referral,
        "consent_withdrawn",
        f"Referral {referral.reference}: consent withdrawn",
        had=had,
    )
    return referral


# Overdue -------------------------------------------------------------------------------


def overdue_now(now: dt.datetime | None = None):
    """(referral, kind, due) for every referral overdue at `now` without its notice yet."""
    now = now or timezone.now()
    rows = []
    answer = Referral.objects.filter(status__in=AWAITING_ANSWER, respond_by__lt=now)
    answer = answer.exclude(notices__kind="answer")
    for referral in answer.order_by("respond_by", "pk"):
        rows.append((referral, "answer", referral.respond_by))
    completion = Referral.objects.filter(status=S.ACCEPTED, complete_by__lt=now)
    completion = completion.exclude(notices__kind="completion")
    for referral in completion.order_by("complete_by", "pk"):
        rows.append((referral, "completion", referral.complete_by))
    return rows


def raise_overdue_notices(
    *, now: dt.datetime | None = None, actor=SYSTEM_ACTOR
) -> list[OverdueNotice]:
    """One notice per overdue referral and kind, on both sides' lists, raised once:
    running again (or from two schedulers) raises nothing new. A referral from a case
    also raises a care alert to the sending team, once. Returns the notices raised now."""
    from django.urls import reverse

    from cairn.cases.care_alerts import CareAlertError, raise_care_alert
    from cairn.cases.models.care_alerts import CareAlertKind

    now = now or timezone.now()
    raised = []
    for referral, kind, due in overdue_now(now):
        with transaction.atomic():
            try:
                with transaction.atomic():
                    notice, created = OverdueNotice.objects.get_or_create(
                        referral=referral, kind=kind, defaults={"raised_at": now, "due_at": due}
                    )
            except IntegrityError:
                continue
            if not created:
                continue
            what = "answered" if kind == "answer" else "completed"
            _audit(
                actor,
                referral,
                "overdue",
                f"Referral {referral.reference} not {what} by {due:%Y-%m-%d %H:%M}",
                kind=kind,
            )
            if referral.client_id:
                # Not when the sending organization no longer holds the case.
                with contextlib.suppress(CareAlertError):
                    raise_care_alert(
                        client=referral.client_id,
                        organization=referral.from_organization_id,
                        kind=CareAlertKind.OTHER,
                        text=f"Referral {referral.reference} is overdue: not {what} by "
                        f"the service by {timezone.localtime(due):%Y-%m-%d}.",
                        link=reverse("referrals:detail", args=[referral.pk]),
                        source_key=f"referral_overdue:{referral.pk}:{kind}",
                        actor=actor,
                    )
            raised.append(notice)
    return raised
