import pytest
from django.db import transaction

from cairn.access import actions
from cairn.access.models import AuditEvent, Organization


def test_creating_an_organization_writes_an_audit_event(administrator, prince_george):
    organization = actions.create_organization(
        actor=administrator,
        name="Testville Harm Reduction",
        sector="community_agency",
        coverage=[prince_george],
    )
    event = AuditEvent.objects.get(action="organization.create", target_id=str(organization.pk))
    assert event.actor_username == "admin"
    assert event.details["coverage"] == ["bc-lha-prince-george"]


def test_audit_event_rolls_back_with_the_action(administrator):
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.create_organization(actor=administrator, name="Rolled Back", sector="police")
        raise RuntimeError("the surrounding work failed")
    assert AuditEvent.objects.count() == before
    assert not Organization.objects.filter(name="Rolled Back").exists()


def test_audit_event_refuses_to_be_written_outside_a_transaction(administrator):
    from cairn.access.audit import record_audit_event

    # pytest-django wraps each test in a transaction; leave it to prove the guard works.
    connection = transaction.get_connection()
    atomic_blocks = connection.atomic_blocks
    connection.atomic_blocks = []
    connection.in_atomic_block = False
    try:
        with pytest.raises(RuntimeError, match="inside transaction.atomic"):
            record_audit_event(actor=administrator, action="test.outside")
    finally:
        connection.atomic_blocks = atomic_blocks
        connection.in_atomic_block = True
