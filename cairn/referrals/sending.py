"""From what a sender submitted (the page's form or the API's JSON) to `send_referral`:
find the service, the case (through the cases choke point) or the encounter, the
organization to send from, and the consent. One path for the page and the API."""

import datetime as dt
from dataclasses import dataclass, field

from django.apps import apps
from django.http import Http404

from cairn.cases.access import Purpose, get_client_for_user
from cairn.cases.models.groups import CareGroup
from cairn.cases.models.plans import Referral as PlanReferral
from cairn.referrals import access, actions, services
from cairn.referrals.actions import ConsentToShare, ReferralError
from cairn.referrals.models import Referral, ReferralSource, SharedDetail

#: Details a sender may type for a person without a client record.
TYPED_DETAILS = (
    SharedDetail.NAME,
    SharedDetail.DATE_OF_BIRTH,
    SharedDetail.CONTACT,
    SharedDetail.SUBSTANCES,
    SharedDetail.TREATMENT,
    SharedDetail.GROUP,
)


@dataclass
class SendInput:
    service_id: object = None
    reason: str = ""
    consent_given: bool | None = None
    consent_how: str = ""
    consent_recorded_by: str = ""
    consent_recorded_at: dt.datetime | None = None
    consent_note: str = ""
    consent_allows: list = field(default_factory=list)
    details: dict = field(default_factory=dict)
    plan_referral_id: object = None
    encounter_id: object = None
    from_organization_id: object = None
    person_label: str = ""
    idempotency_key: str = ""


def _int_or_none(value, name: str):
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ReferralError(f"{name.replace('_', ' ').capitalize()}: not a number.", name) from None


@dataclass
class Origin:
    """Where a referral comes from, resolved for this user."""

    source: str
    organization: object
    client: object = None
    plan_referral: PlanReferral | None = None
    source_reference: str = ""
    encounter: object = None


def encounter_for(user, encounter_id):
    """The outreach encounter a referral starts from, if the user's sending organizations
    recorded it (looked up by name: outreach sits above referrals)."""
    encounter_id = _int_or_none(encounter_id, "encounter")
    if encounter_id is None:
        return None
    try:
        Encounter = apps.get_model("outreach", "Encounter")
    except LookupError:  # pragma: no cover - outreach encounters not installed
        return None
    encounter = Encounter.objects.filter(
        pk=encounter_id, organization_id__in=access.sending_organization_ids(user)
    ).first()
    if encounter is None:
        raise ReferralError(
            "Encounter: no encounter with this number was recorded by your organizations.",
            "encounter",
        )
    return encounter


def plan_referral_for(user, plan_referral_id):
    """(plan referral, client) for a care plan's referral the user's organization may
    change; the client record is opened through the cases choke point (audited).
    Http404 for a plan referral the user may not see."""
    plan_referral_id = _int_or_none(plan_referral_id, "plan_referral")
    if plan_referral_id is None:
        return None, None
    plan_referral = PlanReferral.objects.filter(pk=plan_referral_id).first()
    if plan_referral is None:
        raise Http404("No care plan referral with this number.")
    client = get_client_for_user(user, plan_referral.client_id, purpose=Purpose.CARE)
    return plan_referral, client


def origin_for(user, data: SendInput) -> Origin:
    access.require_sender(user)
    if data.plan_referral_id not in (None, ""):
        plan_referral, client = plan_referral_for(user, data.plan_referral_id)
        organization = access.case_sending_organization(user, client)
        return Origin(
            source=ReferralSource.CASE,
            organization=organization,
            client=client,
            plan_referral=plan_referral,
            source_reference=f"care plan referral {plan_referral.pk}",
        )
    encounter = encounter_for(user, data.encounter_id)
    if encounter is not None:
        return Origin(
            source=ReferralSource.ENCOUNTER,
            organization=access.sending_organization_for(user, encounter.organization_id),
            source_reference=str(encounter.pk),
            encounter=encounter,
        )
    return Origin(
        source=ReferralSource.DIRECT,
        organization=access.sending_organization_for(user, data.from_organization_id),
    )


DETAIL_LIMIT = 500


def typed_details(details: dict) -> dict:
    """The typed details, checked: a date of birth is a date, none longer than 500
    characters, a group one of the four. ReferralError names `details.<detail>`."""
    checked = {}
    for key, value in (details or {}).items():
        if key not in TYPED_DETAILS or value in (None, ""):
            continue
        field_name = f"details.{key}"
        if key == SharedDetail.DATE_OF_BIRTH and not isinstance(value, dt.date):
            try:
                value = dt.date.fromisoformat(str(value).strip())
            except ValueError:
                raise ReferralError(
                    "Date of birth: give a date like 1990-01-31.", field_name
                ) from None
        if key == SharedDetail.GROUP and value not in CareGroup.values:
            raise ReferralError(f"Group: give one of {', '.join(CareGroup.values)}.", field_name)
        if isinstance(value, str) and len(value) > DETAIL_LIMIT:
            raise ReferralError(
                f"{SharedDetail(key).label}: at most {DETAIL_LIMIT} characters.", field_name
            )
        checked[key] = value
    return checked


def consent_from(data: SendInput) -> ConsentToShare:
    if data.consent_given is None:
        raise ReferralError(
            "Consent: record whether the person agreed to share their details.", "consent_given"
        )
    allows = frozenset(str(a) for a in data.consent_allows or ())
    details = typed_details(data.details)
    return ConsentToShare(
        given=bool(data.consent_given),
        how=data.consent_how or "",
        allows=allows,
        recorded_by=data.consent_recorded_by or "",
        recorded_at=data.consent_recorded_at,
        note=data.consent_note or "",
        details=details,
    )


def send_from_input(user, data: SendInput) -> tuple[Referral, bool]:
    """Send the referral the user submitted; (referral, created). A repeat of the same
    idempotency key returns the first referral with created False."""
    key = actions._key(user, data.idempotency_key)
    if key:
        existing = Referral.objects.filter(creation_key=key).first()
        if existing is not None:
            return existing, False
    origin = origin_for(user, data)
    service_id = _int_or_none(data.service_id, "service")
    service = services.get_service(service_id) if service_id is not None else None
    if service is None:
        raise ReferralError(
            "Service: choose the service to refer to."
            if service_id is None
            else "Service: no service with this number in the directory.",
            "service",
        )
    referral = actions.send_referral(
        actor=user,
        from_organization=origin.organization,
        service=service,
        reason=data.reason,
        consent=consent_from(data),
        client=origin.client,
        plan_referral=origin.plan_referral,
        source=origin.source,
        source_reference=origin.source_reference,
        person_label=data.person_label,
        creation_key=data.idempotency_key,
    )
    return referral, True
