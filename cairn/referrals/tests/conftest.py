"""Fixtures for the referral tests: the clinic's listing in the directory, a service
without a Cairn partner, and a person on the ER nurse's caseload with a care plan
referral."""

import datetime as dt

import pytest
from django.utils import timezone

from cairn.access.models import Organization
from cairn.cases import plans
from cairn.cases.tests.conftest import make_client, other_clinician  # noqa: F401
from cairn.directory.models import Phone, Provider, Service
from cairn.referrals.actions import ConsentToShare
from cairn.referrals.sending import SendInput, send_from_input

CLINIC = "Prince George Rapid Access Addiction Clinic"


def organization_of(user) -> Organization:
    return user.memberships.select_related("organization").first().organization


@pytest.fixture
def clinic_service(service_intake):
    provider = Provider.objects.create(name=CLINIC, partner=organization_of(service_intake))
    name = "Same-day opioid agonist treatment start"
    return Service.objects.create(
        provider=provider, name=name, status="active", search_text=f"{name} {CLINIC}".lower()
    )


@pytest.fixture
def unpartnered_service(db):
    provider = Provider.objects.create(name="Northern Shelter Society")
    service = Service.objects.create(
        provider=provider,
        name="Emergency shelter beds",
        status="active",
        email="beds@shelter.example",
        search_text="emergency shelter beds northern shelter society",
    )
    Phone.objects.create(service=service, number="250-555-0199", description="front desk")
    return service


@pytest.fixture
def person(er_nurse, vancouver_centre_north):
    """Someone on the ER nurse's caseload, with every detail a referral could share."""
    return make_client(
        er_nurse,
        given_name="Robin",
        family_name="Tallgrass",
        date_of_birth=dt.date(1991, 4, 12),
        contacts=[
            {
                "method": "phone",
                "value": "604-555-0142",
                "safe_to_leave_message": False,
                "preferred": True,
            }
        ],
        safe_contact_notes="Text first; do not call before noon.",
        home_community=vancouver_centre_north,
    )


@pytest.fixture
def plan_referral(er_nurse, person):
    return plans.add_referral(
        actor=er_nurse, client=person, kind="treatment", to_whom="Rapid access clinic"
    )


def consent(*allows, how="verbal", **details) -> ConsentToShare:
    if not allows:
        return ConsentToShare(given=False)
    return ConsentToShare(given=True, how=how, allows=frozenset(allows), details=details)


def send(user, service, *, reason="Wants to start OAT this week", key="", **fields):
    """Send through the same path as the page and the API; returns the referral."""
    given = fields.pop("consent_given", None)
    allows = fields.pop("allows", ())
    data = SendInput(
        service_id=service.pk,
        reason=reason,
        consent_given=bool(allows) if given is None else given,
        consent_how=fields.pop("how", "verbal" if allows else ""),
        consent_allows=list(allows),
        idempotency_key=key,
        **fields,
    )
    referral, _created = send_from_input(user, data)
    return referral


def age(referral, **delta) -> None:
    """Move a referral's clock back, as if it had been sent `delta` ago."""
    shift = dt.timedelta(**delta)
    type(referral).objects.filter(pk=referral.pk).update(
        sent_at=referral.sent_at - shift,
        respond_by=referral.respond_by - shift,
        complete_by=(referral.complete_by - shift) if referral.complete_by else None,
    )
    referral.refresh_from_db()


__all__ = ["age", "consent", "send", "timezone"]
