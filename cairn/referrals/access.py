"""Who may see and act on a closed-loop referral: the one place that decides.

- The **sending side**: members holding `send_referrals` in the organization that sent
  it. They see everything they wrote (the reason, who the person is to them, what was
  shared) and may cancel before acceptance or withdraw the person's consent.
- The **receiving side**: members holding `receive_referrals` in the organization it
  is addressed to (the service's provider's Cairn partner). They see the reference
  code, the service, the status and history, and `shared_details` only — what the
  person's consent allows — never the client record.
- Nobody else. A referral outside a user's answers is 404 (its existence is not
  disclosed); a user who can neither send nor receive gets 403 on every page.

A referral sent from a case is on the sending side only for the sending organization's
care team (VIEW_IDENTIFIABLE there): other members who may send referrals do not see it.
Sending from a case follows the case-management rules as well: the sender's
organization must hold the person's case and let them change it
(as `cairn.cases.access.managing_organization_id` decides). Every read of a referral that
carries personal details writes an audit event in the same transaction.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404

from cairn.access.audit import record_audit_event
from cairn.access.models import Organization
from cairn.access.permissions import organizations_where
from cairn.access.roles import Permission
from cairn.cases.access import care_team_organization_ids, case_manager_organization_ids
from cairn.cases.models import Client, ClientHolding
from cairn.referrals.models import Referral, SharedDetail

SENDER = "sender"
RECEIVER = "receiver"

NOT_A_SENDER = "Only members who may send referrals (send_referrals) can do this."
NOT_A_RECEIVER = "Only members who receive referrals for their organization can do this."
NEITHER = "Referrals are open to members who send or receive them; none of your roles does."


def sending_organization_ids(user) -> list[int]:
    return organizations_where(user, Permission.SEND_REFERRALS)


def receiving_organization_ids(user) -> list[int]:
    return organizations_where(user, Permission.RECEIVE_REFERRALS)


def may_send(user) -> bool:
    return bool(sending_organization_ids(user))


def may_receive(user) -> bool:
    return bool(receiving_organization_ids(user))


def require_sender(user) -> None:
    if not may_send(user):
        raise PermissionDenied(NOT_A_SENDER)


def require_receiver(user) -> None:
    if not may_receive(user):
        raise PermissionDenied(NOT_A_RECEIVER)


def require_referrals_user(user) -> None:
    if not (may_send(user) or may_receive(user)):
        raise PermissionDenied(NEITHER)


def sending_organizations(user) -> list[Organization]:
    return list(Organization.objects.filter(pk__in=sending_organization_ids(user)).order_by("name"))


def sending_organization_for(user, organization_id=None) -> Organization:
    """The organization the user sends from: the one named (which must be theirs), or
    their first. PermissionDenied when they may send from none."""
    organizations = sending_organizations(user)
    if not organizations:
        raise PermissionDenied(NOT_A_SENDER)
    if organization_id in (None, ""):
        return organizations[0]
    for organization in organizations:
        if str(organization.pk) == str(organization_id):
            return organization
    raise PermissionDenied("You may not send referrals for that organization.")


def case_sending_organization(user, client: Client) -> Organization:
    """For a referral from a case: the user's organization that holds the case, lets
    them change it (MANAGE_CASES) and send referrals. PermissionDenied otherwise."""
    senders = set(sending_organization_ids(user))
    managers = [pk for pk in case_manager_organization_ids(user) if pk in senders]
    if not managers:
        raise PermissionDenied(
            "Sending a referral from a case needs a role that manages cases and sends "
            "referrals in an organization holding the case."
        )
    holding = (
        ClientHolding.objects.filter(client=client, organization_id__in=managers)
        .order_by("organization_id")
        .select_related("organization")
        .first()
    )
    if holding is None:
        raise PermissionDenied("Your organization does not hold this person's case.")
    return holding.organization


# Reads --------------------------------------------------------------------------------


def _sent_condition(user) -> Q:
    """The sending side's referrals: their organizations', and of those sent from a case
    only when they are on the organization's care team (case-management rules)."""
    return Q(from_organization_id__in=sending_organization_ids(user)) & (
        Q(client__isnull=True) | Q(from_organization_id__in=care_team_organization_ids(user))
    )


def referrals_sent_by(user) -> QuerySet[Referral]:
    return Referral.objects.filter(_sent_condition(user))


def referrals_received_by(user) -> QuerySet[Referral]:
    return Referral.objects.filter(to_organization_id__in=receiving_organization_ids(user))


def referrals_visible_to(user) -> QuerySet[Referral]:
    return Referral.objects.filter(
        _sent_condition(user) | Q(to_organization_id__in=receiving_organization_ids(user))
    )


def sides_of(user, referral: Referral) -> frozenset[str]:
    sides = set()
    if referral.from_organization_id in sending_organization_ids(user) and (
        referral.client_id is None
        or referral.from_organization_id in care_team_organization_ids(user)
    ):
        sides.add(SENDER)
    if referral.to_organization_id in receiving_organization_ids(user):
        sides.add(RECEIVER)
    return frozenset(sides)


PERSONAL = frozenset(SharedDetail.values) - {SharedDetail.REASON}


def has_personal_details(referral: Referral, sides) -> bool:
    """Whether this side's view of the referral shows something about the person."""
    if PERSONAL & set(referral.shared_details):
        return True
    return SENDER in sides and bool(referral.client_id or referral.person_label)


def get_referral_for_user(user, referral_id, *, for_update: bool = False):
    """(referral, sides) for a referral the user sends or receives; the read is audited
    when it shows personal details. Http404 for any other referral, whether or not it
    exists; PermissionDenied for users who neither send nor receive."""
    require_referrals_user(user)
    try:
        referral_id = int(referral_id)
    except (TypeError, ValueError):
        raise Http404("No referral with this number.") from None
    with transaction.atomic():
        rows = referrals_visible_to(user).filter(pk=referral_id)
        if for_update:
            rows = rows.select_for_update(of=("self",))
        referral = rows.select_related("service", "from_organization", "to_organization").first()
        if referral is None:
            raise Http404("No referral with this number is sent or received by your organizations.")
        sides = sides_of(user, referral)
        if has_personal_details(referral, sides):
            record_audit_event(
                actor=user,
                action="referrals.referral.read",
                target=referral,
                summary=f"Opened referral {referral.reference} ({', '.join(sorted(sides))})",
                details={"sides": sorted(sides), "shared": sorted(referral.shared_details)},
            )
    return referral, sides


def record_referral_list_read(user, referrals, *, side: str) -> None:
    """Audit a list that shows personal details of several referrals (never for a list
    that shows none)."""
    shown = [r.pk for r in referrals if has_personal_details(r, {side})]
    if not shown:
        return
    with transaction.atomic():
        record_audit_event(
            actor=user,
            action=f"referrals.referral.list_{side}",
            target_type="referrals.referral",
            target_id=",".join(str(pk) for pk in shown[:10]),
            summary=f"Referral list ({side}): {len(shown)} with personal details shown",
            details={"referral_ids": shown},
        )
