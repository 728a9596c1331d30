"""Set-based accept (`accept_many`) gives the same results as `accept_record` row by row."""

import datetime as dt

from django.db import transaction

from cairn.surveillance.intake.bulk import accept_many, place_many
from cairn.surveillance.intake.pipeline import accept_record
from cairn.surveillance.intake.records import IncomingRecord
from cairn.surveillance.models import Event, EventIdentity, EventRevision, ReceivedMessage

WHEN = dt.datetime(2026, 11, 20, 22, 15, tzinfo=dt.UTC)


def visit(n: int, **changes) -> IncomingRecord:
    values = {
        "source": "ed",
        "format": "csv",
        "dedup_key": f"csv:ed:UHNBC:V{n}",
        "message_key": f"csv:row{n}",
        "occurred_at": WHEN,
        "facility": "UHNBC",
        "chief_complaint": "found down, narcan x2",
        "diagnosis_codes": ["T40.4X1A"],
        "postal_code": "V2L 3K5",
    }
    values.update(changes)
    return IncomingRecord(**values)


def accept(records):
    with transaction.atomic():
        return accept_many(records)


def test_new_records_are_created_with_message_keys(bc_geography, prince_george):
    counts = accept([visit(1), visit(2)])
    assert (counts.created, counts.duplicates) == (2, 0)
    event = Event.objects.get(dedup_key="csv:ed:UHNBC:V1")
    assert (event.community, event.placement, event.revision) == (prince_george, "postal_code", 1)
    assert ReceivedMessage.objects.get(message_key="csv:row1").event_id == event.pk


def test_a_message_already_received_by_accept_record_is_a_duplicate(bc_geography):
    accept_record(visit(1), audit=False)
    counts = accept([visit(1), visit(2)])
    assert (counts.created, counts.duplicates) == (1, 1)


def test_an_existing_encounter_is_updated_with_a_revision_or_left_unchanged(bc_geography):
    accept([visit(1), visit(2)])
    counts = accept(
        [
            visit(1, message_key="csv:row1b", disposition="admitted", revision_reason="CSV"),
            visit(2, message_key="csv:row2b"),
        ]
    )
    assert (counts.updated, counts.unchanged) == (1, 1)
    event = Event.objects.get(dedup_key="csv:ed:UHNBC:V1")
    assert (event.disposition, event.revision) == ("admitted", 2)
    revision = EventRevision.objects.get(event=event)
    assert revision.previous["disposition"] == "unknown"
    assert revision.previous["diagnosis_codes"] == ["T40.4X1A"]
    assert revision.reason == "CSV"


def test_identities_are_stored_apart_and_completed_later(bc_geography):
    accept([visit(1, identity={"family_name": "Synthetic-000007"})])
    accept([visit(1, message_key="csv:row1b", identity={"given_name": "Testa"})])
    identity = EventIdentity.objects.get(event__dedup_key="csv:ed:UHNBC:V1")
    assert (identity.given_name, identity.family_name) == ("Testa", "Synthetic-000007")


def test_places_match_place_for_each_method(bc_geography, prince_george):
    records = [
        visit(1, postal_code="", community_code="bc-lha-prince-george"),
        visit(2, postal_code="", latitude=53.9171, longitude=-122.7497),
        visit(3, postal_code="V2L 3K5"),
        visit(4, postal_code="", latitude=0.0, longitude=0.0),
        visit(5, postal_code="ZZZ"),
    ]
    assert place_many(records) == [
        (prince_george.pk, "code"),
        (prince_george.pk, "point"),
        (prince_george.pk, "postal_code"),
        (None, "unknown"),
        (None, "unknown"),
    ]


def test_accept_records_gives_one_outcome_per_record_in_order(bc_geography):
    from cairn.surveillance.intake.pipeline import accept_records

    first = accept_records([visit(1), visit(2)], audit=False)
    assert [o.status for o in first] == ["created", "created"]
    outcomes = accept_records(
        [
            visit(3),  # new
            visit(1),  # the same transmission again
            visit(2, message_key="csv:row2b", disposition="admitted"),  # an update
            visit(3, message_key="csv:row3b"),  # the same visit again, nothing changed
            visit(3),  # a re-send of a message earlier in this batch
            visit(4, message_key="csv:row4", identity={"family_name": "Synthetic-000009"}),
        ]
    )
    assert [o.status for o in outcomes] == [
        "created",
        "duplicate",
        "updated",
        "unchanged",
        "duplicate",
        "created",
    ]
    ids = {key: Event.objects.get(dedup_key=f"csv:ed:UHNBC:V{key}").pk for key in (1, 2, 3, 4)}
    assert [o.event_id for o in outcomes] == [ids[3], ids[1], ids[2], ids[3], ids[3], ids[4]]
    assert first[0].event_id == ids[1]
    assert EventRevision.objects.get(event_id=ids[2]).previous["disposition"] == "unknown"
    assert EventIdentity.objects.get(event_id=ids[4]).family_name == "Synthetic-000009"
    assert ReceivedMessage.objects.get(message_key="csv:row2b").event_id == ids[2]


def test_every_outcome_gets_its_audit_row_naming_the_event(bc_geography, er_nurse):
    from cairn.access.models import AuditEvent
    from cairn.surveillance.intake.pipeline import accept_records

    first = accept_records([visit(1), visit(2)])
    outcomes = accept_records(
        [visit(1), visit(2, message_key="csv:row2b", disposition="admitted"), visit(3)],
        actor=er_nurse,
    )
    rows = list(
        AuditEvent.objects.filter(action__startswith="intake.")
        .order_by("id")
        .values_list("actor_id", "actor_username", "action", "target_type", "target_id", "details")
    )
    ids = [str(o.event_id) for o in (*first, *outcomes)]
    system = (None, "intake:csv")
    nurse = (er_nurse.pk, er_nurse.username)
    assert rows == [
        (
            *who,
            f"intake.{status}",
            "surveillance.event",
            event_id,
            {"format": "csv", "message_key": key},
        )
        for who, status, event_id, key in [
            (system, "created", ids[0], "csv:row1"),
            (system, "created", ids[1], "csv:row2"),
            (nurse, "duplicate", ids[0], "csv:row1"),
            (nurse, "updated", ids[1], "csv:row2b"),
            (nurse, "created", ids[4], "csv:row3"),
        ]
    ]


def test_the_staging_tables_are_emptied_between_accepts_and_truncated_now_and_then(
    bc_geography, monkeypatch
):
    from cairn.surveillance.intake.bulk import stage

    monkeypatch.setattr(stage, "TRUNCATE_AFTER_ROWS", 2)
    for batch in range(4):  # the third accept truncates the tables, the others delete
        counts = accept([visit(10 * batch + n) for n in range(3)])
        assert counts.created == 3
    assert Event.objects.count() == ReceivedMessage.objects.count() == 12
    counts = accept([visit(n) for n in range(3)])  # staged rows of the last accept are gone
    assert (counts.created, counts.duplicates) == (0, 3)
