import datetime as dt

from cairn.access.models import AuditEvent
from cairn.surveillance.intake.pipeline import accept_record, quarantine_record
from cairn.surveillance.intake.records import IncomingRecord
from cairn.surveillance.models import Event, EventRevision, QuarantinedRecord

WHEN = dt.datetime(2026, 11, 20, 22, 15, tzinfo=dt.UTC)


def ed_visit(**changes) -> IncomingRecord:
    values = {
        "source": "ed",
        "format": "hl7v2",
        "dedup_key": "ed:UHNBC:V0001",
        "message_key": "hl7v2:UHNBC:MSG0001",
        "occurred_at": WHEN,
        "facility": "UHNBC",
        "chief_complaint": "found down, narcan x2",
        "diagnosis_codes": ["T40.4X1A"],
        "postal_code": "V2L 3K5",
        "identity": {"given_name": "Testa", "family_name": "Synthetic-000001"},
    }
    values.update(changes)
    return IncomingRecord(**values)


def test_a_new_visit_is_created_placed_by_postal_code_and_audited(bc_geography, prince_george):
    outcome = accept_record(ed_visit())
    event = Event.objects.get(pk=outcome.event_id)
    assert outcome.status == "created"
    assert event.community == prince_george
    assert event.placement == "postal_code"
    assert event.identity.family_name == "Synthetic-000001"
    assert AuditEvent.objects.filter(action="intake.created", target_id=str(event.pk)).exists()


def test_the_same_message_twice_makes_one_record(bc_geography):
    first = accept_record(ed_visit())
    second = accept_record(ed_visit())
    assert second.status == "duplicate"
    assert second.event_id == first.event_id
    assert Event.objects.count() == 1


def test_an_update_changes_the_visit_and_keeps_its_history(bc_geography):
    first = accept_record(ed_visit())
    update = ed_visit(
        message_key="hl7v2:UHNBC:MSG0002",
        disposition="left_ama",
        revision_reason="ADT^A08 MSG0002",
    )
    outcome = accept_record(update)
    event = Event.objects.get(pk=first.event_id)
    assert outcome.status == "updated"
    assert event.disposition == "left_ama"
    assert event.revision == 2
    revision = EventRevision.objects.get(event=event)
    assert revision.previous["disposition"] == "unknown"
    assert revision.reason == "ADT^A08 MSG0002"


def test_an_unplaceable_record_is_kept_in_the_unknown_place_bucket(bc_geography):
    outcome = accept_record(ed_visit(postal_code="V0J 1A0", identity={}))
    event = Event.objects.get(pk=outcome.event_id)
    assert event.community is None
    assert event.placement == "unknown"


def test_a_point_is_placed_by_its_community_boundary(bc_geography, prince_george):
    record = ed_visit(postal_code="", identity={}, longitude=-122.75, latitude=53.92)
    event = Event.objects.get(pk=accept_record(record).event_id)
    assert event.community == prince_george
    assert event.placement == "point"


def test_quarantining_the_same_input_twice_keeps_one_copy(db):
    first = quarantine_record(format="hl7v2", raw="MSH|bad", reason="no PID", location="PID")
    second = quarantine_record(format="hl7v2", raw="MSH|bad", reason="no PID", location="PID")
    assert first.pk == second.pk
    assert QuarantinedRecord.objects.count() == 1
