"""Batches of new CSV rows are COPied straight into the events and matches tables,
storing exactly what the staged way stores; a batch that meets an encounter already
stored is undone whole and stored the staged way (`bulk/direct.py`)."""

import dataclasses
import datetime as dt

import pytest
from django.db import transaction

from cairn.surveillance.intake.bulk import Stage, accept_many, place_many, record_line
from cairn.surveillance.intake.bulk.direct import copy_text
from cairn.surveillance.intake.records import IncomingRecord
from cairn.surveillance.models import Event, EventMatch, EventRevision

WHEN = dt.datetime(2026, 11, 20, 22, 15, tzinfo=dt.UTC)
ROWS = [
    {"chief_complaint": "found down, narcan x2", "diagnosis_codes": ["T40.4X1A", "F11.20"]},
    {"chief_complaint": "meth od agitated", "diagnosis_codes": ["T43.621A"], "sex": "F"},
    {"chief_complaint": "chest pain", "diagnosis_codes": ["R07.9"], "postal_code": "ZZZ"},
    {
        "chief_complaint": 'pt said \\ "fent"\tthen OD\'d\nnaloxone 2 doses',
        "diagnosis_codes": [],
        "fatal": False,
        "naloxone_doses": 2,
        "suspected_substances": ["fentanyl", "benzodiazepine"],
        "age_band": "25-29",
    },
]


def csv_row(n: int, **values) -> IncomingRecord:
    record = {
        "source": "ed",
        "format": "csv",
        "dedup_key": f"csv:ed:UHNBC:V{n}",
        "source_record_id": f"V{n}",
        "occurred_at": WHEN + dt.timedelta(hours=n),
        "facility": "UHNBC",
        "postal_code": "V2L 3K5",
        "revision_reason": "CSV re-sent row",
        **ROWS[n % len(ROWS)],
    }
    record.update(values)
    return IncomingRecord(**record)


def stage_batches(*batches: list[IncomingRecord]):
    """Send each batch as CSV import does (no message keys, no identities)."""
    with transaction.atomic():
        stage = Stage()
        stage.earlier_values_unchanged = True
        try:
            for batch in batches:
                places = place_many(batch)
                lines = [
                    record_line(stage, index, record, place)
                    for index, (record, place) in enumerate(zip(batch, places, strict=True))
                ]
                stage.submit(lines, identities=False, message_keys=False)
            return stage.finish()
        finally:
            stage.close()


def stored(dedup_key: str) -> tuple:
    event = Event.objects.get(dedup_key=dedup_key)
    matches = sorted((m.definition.slug, m.version, m.field, m.reason) for m in event.matches.all())
    return (
        event.source,
        event.occurred_at,
        event.community_id,
        event.placement,
        event.age_band,
        event.sex,
        event.chief_complaint,
        event.diagnosis_codes,
        event.disposition,
        event.facility,
        event.fatal,
        event.naloxone_doses,
        event.suspected_substances,
        event.source_record_id,
        event.revision,
        tuple(matches),
    )


@pytest.fixture
def definitions(db):
    from cairn.surveillance.definitions import load_default_definitions

    load_default_definitions()


def test_new_rows_are_copied_straight_and_store_what_the_staged_way_stores(
    bc_geography, definitions
):
    counts = stage_batches([csv_row(n) for n in range(4)])
    assert (counts.created, counts.copied) == (4, 4)
    # The same rows through the staged way (as HL7 and FHIR are: with message keys).
    staged = [
        dataclasses.replace(csv_row(n), dedup_key=f"staged:{n}", message_key=f"m{n}")
        for n in range(4)
    ]
    with transaction.atomic():
        assert accept_many(staged).created == 4
    for n in range(4):
        assert stored(f"csv:ed:UHNBC:V{n}") == stored(f"staged:{n}")
    overdose = stored("csv:ed:UHNBC:V0")
    assert {slug for slug, *_ in overdose[-1]} >= {"opioid", "fentanyl", "ca_opioid"}
    assert stored("csv:ed:UHNBC:V2")[2:4] == (None, "unknown")  # counted, never dropped
    assert stored("csv:ed:UHNBC:V3")[6] == ROWS[3]["chief_complaint"]  # exactly, escapes and all
    assert stored("csv:ed:UHNBC:V2")[-1] == ()  # chest pain meets no definition


def test_a_batch_meeting_a_stored_encounter_is_undone_and_stored_the_staged_way(
    bc_geography, definitions
):
    stage_batches([csv_row(0), csv_row(1)])
    matches_before = EventMatch.objects.count()

    counts = stage_batches(
        [csv_row(4), csv_row(5)],  # new: copied straight
        [csv_row(8), csv_row(9), csv_row(1, disposition="admitted")],  # meets V1
        [csv_row(12), csv_row(0)],  # staged too: V0 unchanged
    )

    assert (counts.created, counts.updated, counts.unchanged, counts.copied) == (5, 1, 1, 2)
    assert Event.objects.count() == 7  # nothing twice, nothing lost
    visit = Event.objects.get(dedup_key="csv:ed:UHNBC:V1")
    assert (visit.disposition, visit.revision) == ("admitted", 2)
    assert EventRevision.objects.get(event=visit).previous["disposition"] == "unknown"
    # Each new event has its matches once: the undone batch left none behind.
    expected = {n: len(stored(f"csv:ed:UHNBC:V{n}")[-1]) for n in (4, 5, 8, 9, 12)}
    assert expected[8] == expected[4] > 0
    assert EventMatch.objects.count() == matches_before + sum(expected.values())
    for n in (8, 9):
        assert (
            EventMatch.objects.filter(event__dedup_key=f"csv:ed:UHNBC:V{n}").count()
            == (expected[n])
        )


def test_copy_text_keeps_each_event_value_and_adds_the_matches():
    stage_line = "\t".join(
        [
            "0",  # ord
            "csv",  # format
            "\\N",  # message key
            "2026-11-20",  # day
            "3",  # class id
            "CSV re-sent row",
            "f\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N",  # no identity
            "csv:ed:SPH:V7",  # dedup key
            "ed",  # source
            "2026-11-20T22:15:00-08:00",  # occurred at
            "\\N",  # community: unknown place
            "unknown",  # placement
            "30-34",
            "M",
            "OD\\tthen \\\\ narcan",  # complaint, COPY-escaped
            '["T40.4X1A"]',
            "home",
            "SPH",
            "\\N",
            "1",
            "[]",
            "V7\n",
        ]
    )
    class_matches = {"3": ("", "\t5\t2\tdx\tT40.4X1A\n", "\t6\t2\tdx\tT40.4X1A\n")}
    events, matches = copy_text(
        [stage_line, stage_line.replace("\t3\t", "\t\\N\t", 1)],
        ["41", "42"],
        "2026-11-26 10:00:00+00",
        class_matches,
    )
    event = (
        "\t2026-11-26 10:00:00+00\tcsv:ed:SPH:V7\ted\t2026-11-20T22:15:00-08:00\t\\N\t"
        'unknown\t30-34\tM\tOD\\tthen \\\\ narcan\t["T40.4X1A"]\thome\tSPH\t\\N\t1\t[]\tV7\n'
    )
    assert events == "41" + event + "42" + event
    # Event 42 meets no definition (class \N).
    assert matches == "41\t5\t2\tdx\tT40.4X1A\n41\t6\t2\tdx\tT40.4X1A\n"
    with pytest.raises(ValueError, match="identities"):
        copy_text([stage_line.replace("\tf\t", "\tt\t")], ["41"], "now", class_matches)
