"""Fixtures for the case tests: ED overdose visits with identities, and clients on record."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from cairn.access.tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from cairn.cases import actions
from cairn.cases.actions import ClientInput, ContactInput
from cairn.surveillance.alerts.testing import definitions
from cairn.surveillance.classification import classify_and_store
from cairn.surveillance.models import Event, EventIdentity, Source

_numbers = itertools.count(1)
OVERDOSE = "suspected opioid OD, found unresponsive"


@pytest.fixture
def case_definitions(db):
    return definitions()


def make_record(
    community,
    *,
    source=Source.EMERGENCY_DEPARTMENT,
    complaint=OVERDOSE,
    codes=("T40.4X1A",),
    hours_ago=3,
    identity=None,
    sex="M",
):
    """A saved, classified ED visit (or paramedic report) with identifying details."""
    event = Event.objects.create(
        source=source,
        occurred_at=timezone.now() - dt.timedelta(hours=hours_ago),
        community=community,
        age_band="30-34",
        sex=sex,
        chief_complaint=complaint,
        diagnosis_codes=list(codes),
        facility="St. Paul's Hospital ED",
        disposition="discharged",
        source_record_id=f"V{next(_numbers):06d}",
        dedup_key=f"test:cases:{next(_numbers)}",
    )
    if identity is not None:
        EventIdentity.objects.create(event=event, **identity)
    classify_and_store([event])
    return event


def make_client(actor, *, organization=None, different_from=(), **details):
    """A client created through the action (with its match keys), duplicates allowed."""
    contacts = details.pop("contacts", ())
    data = ClientInput(contacts=[ContactInput(**c) for c in contacts], **details)
    try:
        return actions.create_client(
            actor=actor, details=data, organization=organization, different_from=different_from
        ).client
    except actions.PossibleDuplicates as found:
        ids = [c.client.pk for c in found.candidates]
        return actions.create_client(
            actor=actor, details=data, organization=organization, different_from=ids
        ).client


@pytest.fixture
def other_clinician(bc_geography, abbotsford):
    """A clinician of another response centre, covering Fraser (Abbotsford)."""
    from cairn.geography.models import Jurisdiction

    fraser = Jurisdiction.objects.get(code="bc-ha-fraser")
    organization = OrganizationFactory(name="Fraser Overdose Response", coverage=[fraser])
    user = UserFactory(username="fraser.clinician")
    MembershipFactory(user=user, organization=organization, role="oerc_clinician")
    return user


@pytest.fixture
def nurse_record(er_nurse, vancouver_centre_north, case_definitions):
    """An ED overdose visit in Vancouver Centre North naming Alex Testerson."""
    return make_record(
        vancouver_centre_north,
        identity={
            "given_name": "Alex",
            "family_name": "Testerson",
            "date_of_birth": dt.date(1988, 4, 9),
            "health_number": "9999 012 345",
            "phone": "(604) 555-0123",
        },
    )
