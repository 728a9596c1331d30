"""The demo's closed-loop referrals: to the Prince George Rapid Access Addiction Clinic.

`load_demo_referrals()` sends referrals from the Vancouver Coastal overdose emergency
response centre (er.nurse, from people's care plans) and from the Prince George
community action team (outreach.worker, directly and anonymously) to the clinic's
listing in the directory, which clinic.intake receives. They are in every status —
sent, received, accepted, declined, completed, no-show, cancelled — with some overdue
(no answer after two days; accepted and not completed after 30), and with consent to
share different details (or none). Every step goes through the same actions as the
pages; the times are then moved back so the history reads as days and weeks.

It runs after the directory and cases demos. Once: each referral has a creation key,
and a second call finds them and does nothing. Invented data only.
"""

import datetime as dt
import uuid
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from cairn.access.models import Organization
from cairn.access.personas import PERSONAS
from cairn.cases import plans
from cairn.cases.models import Client, ClientHolding, RecordStatus
from cairn.cases.models.plans import Referral as PlanReferral
from cairn.cases.models.plans import ReferralChange as PlanReferralChange
from cairn.cases.models.plans import ReferralStatus as PlanStatus
from cairn.referrals import access, actions
from cairn.referrals.actions import ConsentToShare
from cairn.referrals.models import Referral, ReferralStatus

CLINIC = PERSONAS["service_intake"].organization
KEY = "demo-referral-"
#: The clinic's own listing, when the directory demo has none for it.
CLINIC_SERVICE = "Rapid access addiction clinic: same-day OAT starts"

S = ReferralStatus


@dataclass(frozen=True)
class Planned:
    """One demo referral: who sends it, what the consent allows, and its steps as
    (step, days ago). The first step is "sent"."""

    number: int
    sender: str  # persona key
    reason: str
    allows: tuple[str, ...]
    steps: tuple[tuple[str, float], ...]
    note: str = ""
    details: tuple[tuple[str, str], ...] = ()
    person_label: str = ""


PLANNED = [
    Planned(
        1,
        "er_nurse",
        "Wants to start opioid agonist treatment after an overdose",
        ("name", "reason", "treatment"),
        (("sent", 20), ("received", 19.8), ("accept", 19.5), ("complete", 10)),
        note="Started on buprenorphine-naloxone; follow-up booked",
    ),
    Planned(
        2,
        "er_nurse",
        "Second overdose this month; asks for a same-day OAT start",
        ("name", "contact", "reason"),
        (("sent", 45), ("received", 44.9), ("accept", 44)),
    ),
    Planned(
        3,
        "er_nurse",
        "Referred from the ED for withdrawal support and OAT",
        ("name", "date_of_birth", "reason"),
        (("sent", 1), ("received", 0.8)),
    ),
    Planned(
        4, "er_nurse", "Needs an OAT assessment; prefers a morning appointment", (), (("sent", 4),)
    ),
    Planned(
        5,
        "er_nurse",
        "Asks for an OAT start close to home",
        ("reason",),
        (("sent", 6), ("received", 5.9), ("decline", 5.5)),
        note="Lives outside the clinic's area; referred back for a closer clinic",
    ),
    Planned(
        6,
        "er_nurse",
        "OAT start after discharge",
        ("name", "reason"),
        (("sent", 3), ("cancel", 2.9)),
        note="Sent to the wrong clinic by mistake",
    ),
    Planned(
        7,
        "outreach_worker",
        "Asked about treatment at the drop-in tonight",
        (),
        (("sent", 0.1),),
        person_label="Met at the drop-in, evening outreach",
    ),
    Planned(
        8,
        "outreach_worker",
        "Wants to try methadone again",
        ("name", "contact", "reason"),
        (("sent", 15), ("received", 14.8), ("accept", 14), ("no_show", 7)),
        details=(
            ("name", "Jordan Birchfield"),
            ("contact", "Through the drop-in centre staff, afternoons"),
        ),
        person_label="Jordan, camp by the river",
        note="Did not come to two appointments",
    ),
    Planned(
        9,
        "outreach_worker",
        "Peer-supported start on OAT",
        ("name", "reason", "group"),
        (("sent", 3), ("received", 2.9), ("accept", 2)),
        details=(("name", "Avery Stonechild"), ("group", "street_involved")),
        person_label="Avery",
    ),
    Planned(
        10,
        "outreach_worker",
        "Asked for naloxone training and an OAT referral",
        (),
        (("sent", 3),),
        person_label="Outreach, 3rd Avenue",
    ),
]


def demo_referrals_loaded() -> bool:
    return Referral.objects.filter(creation_key__contains=f":referral:{KEY}").exists()


def clinic_service(clinic: Organization):
    """The clinic's service in the directory (the directory demo's listing, or one of
    our own when there is none)."""
    from cairn.directory.models import Provider, Service

    services = Service.objects.filter(provider__partner=clinic, status="active").order_by("pk")
    service = services.filter(name__icontains="oat").first() or services.first()
    if service is not None:
        return service
    provider = Provider.objects.filter(partner=clinic).first()
    if provider is None:
        provider = Provider.objects.create(
            hsds_id=str(uuid.uuid5(uuid.NAMESPACE_URL, "cairn-demo:provider:pg-raac")),
            name=CLINIC,
            partner=clinic,
        )
    return Service.objects.create(
        hsds_id=str(uuid.uuid5(uuid.NAMESPACE_URL, "cairn-demo:service:pg-raac-oat")),
        provider=provider,
        name=CLINIC_SERVICE,
        description="Same-day opioid agonist treatment starts, walk-in or by referral.",
        status="active",
        search_text=f"{CLINIC_SERVICE} {CLINIC} oat treatment".lower(),
    )


def _plan_referrals(nurse, count: int) -> list[PlanReferral]:
    """Care plan referrals of people the nurse's centre holds, to send (added when the
    cases demo left too few proposed ones)."""
    centre = access.case_sending_organization
    mine = ClientHolding.objects.filter(
        organization__name=PERSONAS["er_nurse"].organization
    ).values("client_id")
    clients = list(
        Client.objects.filter(pk__in=mine, status=RecordStatus.ACTIVE).order_by("pk")[: count * 3]
    )
    chosen = []
    for client in clients:
        if len(chosen) == count:
            break
        try:
            centre(nurse, client)
        except PermissionDenied:  # a client the nurse may not send for
            continue
        proposed = (
            PlanReferral.objects.filter(client=client, status=PlanStatus.PROPOSED)
            .exclude(closed_loop_referrals__isnull=False)
            .order_by("pk")
            .first()
        )
        if proposed is None:
            proposed = plans.add_referral(
                actor=nurse,
                client=client,
                kind="treatment",
                to_whom=CLINIC,
                idempotency_key=f"{KEY}plan-{client.pk}",
            )
        chosen.append(proposed)
    return chosen


def _send(planned: Planned, user, service, plan_referral) -> Referral:
    consent = (
        ConsentToShare(
            given=True,
            how="verbal" if planned.number % 2 else "written",
            allows=frozenset(planned.allows),
            details=dict(planned.details),
        )
        if planned.allows
        else ConsentToShare(given=False)
    )
    if plan_referral is not None:
        organization = access.case_sending_organization(user, plan_referral.client)
    else:
        organization = access.sending_organization_for(user)
    return actions.send_referral(
        actor=user,
        from_organization=organization,
        service=service,
        reason=planned.reason,
        consent=consent,
        client=plan_referral.client if plan_referral else None,
        plan_referral=plan_referral,
        source="case" if plan_referral else "direct",
        source_reference=f"care plan referral {plan_referral.pk}" if plan_referral else "",
        person_label=planned.person_label,
        creation_key=f"{KEY}{planned.number}",
    )


def _take_steps(planned: Planned, referral: Referral, users: dict) -> Referral:
    sender, receiver = users[planned.sender], users["service_intake"]
    for step, _days in planned.steps[1:]:
        if step == "received":
            referral = actions.record_received(
                actor=receiver, referral=referral, sides={access.RECEIVER}
            )
            continue
        side = access.SENDER if step == "cancel" else access.RECEIVER
        actor = sender if step == "cancel" else receiver
        note = planned.note if step in ("decline", "cancel", "complete", "no_show") else ""
        referral = actions.take_step(
            actor=actor, referral=referral, sides={side}, step=step, note=note
        )
    return referral


def _move_back(planned: Planned, referral: Referral, now: dt.datetime) -> None:
    """Put each step at its planned time (the actions wrote them all at once, now)."""
    when = [now - dt.timedelta(days=days) for _step, days in planned.steps]
    changes = list(referral.changes.filter(kind="status").order_by("pk"))
    by_status = {}
    for change, moment in zip(changes, when, strict=True):
        change.changed_at = moment
        change.save(update_fields=["changed_at"])
        by_status[change.status] = moment
    sent = by_status[S.SENT]
    fields = {
        "sent_at": sent,
        "respond_by": sent + dt.timedelta(days=actions.respond_days()),
        "status_changed_at": when[-1],
        "received_at": by_status.get(S.RECEIVED),
        "answered_at": by_status.get(S.ACCEPTED) or by_status.get(S.DECLINED),
    }
    if S.ACCEPTED in by_status:
        fields["complete_by"] = by_status[S.ACCEPTED] + dt.timedelta(days=actions.complete_days())
    if referral.consent_given:
        fields["consent_recorded_at"] = sent
    Referral.objects.filter(pk=referral.pk).update(**fields)
    if referral.plan_referral_id:
        plan_status = {**actions.PLAN_STATUS}
        plan_changes = PlanReferralChange.objects.filter(
            referral_id=referral.plan_referral_id, note__contains=referral.reference
        )
        for change in plan_changes:
            closed = next((s for s, p in plan_status.items() if p == change.status), None)
            if closed in by_status:
                PlanReferralChange.objects.filter(pk=change.pk).update(changed_at=by_status[closed])
        PlanReferral.objects.filter(pk=referral.plan_referral_id).update(status_changed_at=when[-1])


@transaction.atomic
def load_demo_referrals(*, now: dt.datetime | None = None) -> int:
    """Send the demo referrals once; returns how many were sent now (0 when they are
    there already, or when the personas, the clinic or the nurse's clients are missing)."""
    if demo_referrals_loaded():
        return 0
    User = get_user_model()
    users = {
        key: User.objects.filter(username=PERSONAS[key].username).first()
        for key in ("er_nurse", "outreach_worker", "service_intake")
    }
    clinic = Organization.objects.filter(name=CLINIC).first()
    if clinic is None or None in users.values():
        return 0
    now = now or timezone.now()
    service = clinic_service(clinic)
    from_cases = [p for p in PLANNED if p.sender == "er_nurse"]
    plan_referrals = _plan_referrals(users["er_nurse"], len(from_cases))
    sent = 0
    for planned in PLANNED:
        plan_referral = None
        if planned.sender == "er_nurse":
            if not plan_referrals:
                continue  # no cases demo: the nurse has nobody to refer
            plan_referral = plan_referrals.pop(0)
        referral = _send(planned, users[planned.sender], service, plan_referral)
        referral = _take_steps(planned, referral, users)
        _move_back(planned, referral, now)
        sent += 1
    return sent
