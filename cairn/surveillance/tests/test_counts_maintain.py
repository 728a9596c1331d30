"""Counts kept incrementally as records arrive, move and are re-classified."""

import datetime as dt

import pytest
from django.db import transaction

from cairn.surveillance.classification.actions import save_definition_version
from cairn.surveillance.classification.reclassify import (
    queue_reclassification,
    run_reclassification,
)
from cairn.surveillance.counts import portable
from cairn.surveillance.counts.maintain import rebuild_counts, recount_marked_cells
from cairn.surveillance.counts.queries import count_series
from cairn.surveillance.definitions import load_default_definitions
from cairn.surveillance.intake.bulk import accept_many
from cairn.surveillance.intake.pipeline import accept_record
from cairn.surveillance.intake.records import IncomingRecord
from cairn.surveillance.models import CaseDefinition, Event, ReclassificationJob
from cairn.surveillance.models.counts import CountCellToRecount, DailyCount, DailyCountByAge
from cairn.surveillance.tests.factories import EventFactory

pytestmark = pytest.mark.django_db

PST = dt.timezone(dt.timedelta(hours=-8))  # Vancouver's winter offset


@pytest.fixture
def definitions():
    load_default_definitions()


def record(
    n: int, *, day: str = "2022-01-03", hour: int = 12, place="bc-lha-prince-george", **changes
) -> IncomingRecord:
    values = {
        "source": "ed",
        "format": "csv",
        "dedup_key": f"csv:ed:UHNBC:V{n}",
        "message_key": f"csv:row{n}:{day}:{place}:{changes.get('chief_complaint', '')}",
        "occurred_at": dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=PST),
        "facility": "UHNBC",
        "chief_complaint": "opioid OD, narcan given",
        "diagnosis_codes": [],
        "community_code": place or "",
        "age_band": "30-34",
        "sex": "F",
    }
    values.update(changes)
    return IncomingRecord(**values)


def accept(*records, execute=True, capture=None):
    """accept_record each, in its own transaction, with the after-commit hook run."""
    for one in records:
        if capture is not None:
            with capture(execute=execute):
                accept_record(one, audit=False)
        else:
            accept_record(one, audit=False)


def rows():
    """Every DailyCount row, in a stable order."""
    return sorted(
        DailyCount.objects.values_list(
            "community_id", "day", "source", "definition__slug", "count"
        ),
        key=repr,
    )


def by_age_rows():
    return sorted(
        DailyCountByAge.objects.values_list(
            "community_id", "day", "source", "definition__slug", "age_band", "sex", "count"
        ),
        key=repr,
    )


def daily(jurisdiction, definition, day: str, source=None) -> int:
    when = dt.date.fromisoformat(day)
    series = count_series(
        jurisdiction=jurisdiction,
        definition=definition,
        source=source,
        freq="day",
        start=when,
        end=when,
    )
    return int(series.counts[0])


def test_new_records_are_counted_after_commit_through_the_classification_hook(
    definitions, prince_george, django_capture_on_commit_callbacks
):
    accept(
        record(1),
        record(2, hour=23),
        record(3, chief_complaint="sprained ankle"),
        capture=django_capture_on_commit_callbacks,
    )
    assert not CountCellToRecount.objects.exists()
    assert daily(prince_george, "opioid", "2022-01-03") == 2
    assert daily(prince_george, "all_drug", "2022-01-03") == 2
    assert daily(prince_george, None, "2022-01-03") == 3  # every ED visit
    assert daily(prince_george, "stimulant", "2022-01-03") == 0


def test_marks_roll_back_with_the_records(definitions, prince_george):
    with pytest.raises(RuntimeError), transaction.atomic():
        accept_record(record(1), audit=False)
        assert CountCellToRecount.objects.exists()
        raise RuntimeError("the sender's batch failed")
    assert not CountCellToRecount.objects.exists()
    assert recount_marked_cells() == []


def test_an_update_moves_the_event_to_its_new_community_and_day(
    definitions, prince_george, abbotsford, django_capture_on_commit_callbacks
):
    accept(record(1), record(2), capture=django_capture_on_commit_callbacks)
    assert daily(prince_george, "opioid", "2022-01-03") == 2
    # An A08 corrects where and when the visit happened.
    accept(
        record(
            1,
            day="2022-01-05",
            place="bc-lha-abbotsford",
            message_key="csv:fix1",
            revision_reason="ADT^A08",
        ),
        capture=django_capture_on_commit_callbacks,
    )
    assert daily(prince_george, "opioid", "2022-01-03") == 1
    assert daily(prince_george, None, "2022-01-03") == 1
    assert daily(abbotsford, "opioid", "2022-01-05") == 1
    assert daily(abbotsford, None, "2022-01-05") == 1
    incremental = rows()
    rebuild_counts()
    assert rows() == incremental


def test_an_update_that_removes_the_overdose_uncounts_it(
    definitions, prince_george, django_capture_on_commit_callbacks
):
    accept(record(1), capture=django_capture_on_commit_callbacks)
    accept(
        record(1, message_key="csv:fix1", chief_complaint="ankle sprain, no drug use"),
        capture=django_capture_on_commit_callbacks,
    )
    assert daily(prince_george, "opioid", "2022-01-03") == 0
    assert daily(prince_george, None, "2022-01-03") == 1


def test_bulk_updates_move_events_between_cells(definitions, prince_george, abbotsford):
    with transaction.atomic():
        accept_many([record(1), record(2), record(3)])
    recount_marked_cells()
    with transaction.atomic():
        # A file holding a correction, then a second correction of the same visit.
        accept_many(
            [
                record(1, day="2022-01-04", place="bc-lha-abbotsford", message_key="b1"),
                record(1, day="2022-01-06", place="bc-lha-abbotsford", message_key="b2"),
                record(2, day="2022-01-04", message_key="b3"),
            ]
        )
    recount_marked_cells()
    assert daily(prince_george, "opioid", "2022-01-03") == 1
    assert daily(prince_george, "opioid", "2022-01-04") == 1
    assert daily(abbotsford, "opioid", "2022-01-04") == 0
    assert daily(abbotsford, "opioid", "2022-01-06") == 1
    incremental = rows()
    rebuild_counts()
    assert rows() == incremental


def test_re_classification_leaves_the_counts_right(
    definitions, prince_george, django_capture_on_commit_callbacks
):
    accept(
        record(1, chief_complaint="found down after smoking meth"),
        record(2, chief_complaint="opioid OD"),
        capture=django_capture_on_commit_callbacks,
    )
    assert daily(prince_george, "stimulant", "2022-01-03") == 1
    stimulant = CaseDefinition.objects.get(slug="stimulant")
    rules = stimulant.current().rules
    # A stricter stimulant definition: codes only, no chief-complaint terms.
    stricter = {key: value for key, value in rules.items() if key != "chief_complaint"}
    save_definition_version(
        actor="tester", definition=stimulant, rules=stricter, note="codes only", start_job=False
    )
    run_reclassification(ReclassificationJob.objects.latest("created_at"))
    assert daily(prince_george, "stimulant", "2022-01-03") == 0
    assert daily(prince_george, "opioid", "2022-01-03") == 1
    assert daily(prince_george, None, "2022-01-03") == 2
    incremental = rows()
    rebuild_counts()
    assert rows() == incremental


def test_unplaced_events_are_counted_in_the_unknown_place_bucket(
    definitions, bc_geography, prince_george, django_capture_on_commit_callbacks
):
    accept(record(1, place=None), record(2), capture=django_capture_on_commit_callbacks)
    assert Event.objects.filter(community__isnull=True).count() == 1
    assert daily(None, "opioid", "2022-01-03") == 1
    assert daily(prince_george, "opioid", "2022-01-03") == 1
    assert daily(prince_george.parent, "opioid", "2022-01-03") == 1  # HSDA: placed only
    assert daily(bc_geography, "opioid", "2022-01-03") == 2  # the province: everything


def test_rebuild_and_incremental_and_portable_paths_agree(
    definitions, prince_george, abbotsford, django_capture_on_commit_callbacks
):
    accept(
        record(1, age_band="20-24", sex="M"),
        record(2, place="bc-lha-abbotsford", day="2022-03-13", hour=1),
        record(3, place=None, day="2022-03-14"),
        record(4, chief_complaint="meth and fentanyl OD", age_band="unknown"),
        record(5, chief_complaint="chest pain"),
        record(6, source="paramedic", chief_complaint="naloxone x2, opioid OD"),
        capture=django_capture_on_commit_callbacks,
    )
    incremental, incremental_by_age = rows(), by_age_rows()
    assert rebuild_counts() == len(incremental)
    assert (rows(), by_age_rows()) == (incremental, incremental_by_age)
    # The ORM and Python path (what SQLite runs) gives the same rows.
    with transaction.atomic():
        portable.rebuild_portable(definitions_only=False)
    assert (rows(), by_age_rows()) == (incremental, incremental_by_age)
    with transaction.atomic():
        portable.rebuild_portable(definitions_only=True)
    assert (rows(), by_age_rows()) == (incremental, incremental_by_age)
    cells = set(DailyCount.objects.values_list("community_id", "day"))
    DailyCount.objects.all().delete()
    DailyCountByAge.objects.all().delete()
    portable.recount_portable(cells)
    assert (rows(), by_age_rows()) == (incremental, incremental_by_age)
    DailyCount.objects.all().delete()
    DailyCountByAge.objects.all().delete()
    portable.mark_portable(list(Event.objects.values_list("pk", flat=True)))
    recount_marked_cells()
    assert (rows(), by_age_rows()) == (incremental, incremental_by_age)
    assert ("20-24", "M") in {(a, s) for _, _, _, _, a, s, _ in by_age_rows()}


def test_days_are_local_days(definitions, prince_george, django_capture_on_commit_callbacks):
    # 23:30 in Vancouver on 2022-01-02 is 07:30 UTC on 2022-01-03.
    accept(
        record(1, occurred_at=dt.datetime(2022, 1, 3, 7, 30, tzinfo=dt.UTC)),
        record(2, occurred_at=dt.datetime(2022, 1, 3, 8, 30, tzinfo=dt.UTC)),
        capture=django_capture_on_commit_callbacks,
    )
    assert daily(prince_george, "opioid", "2022-01-02") == 1
    assert daily(prince_george, "opioid", "2022-01-03") == 1


def test_re_classifying_events_never_counted_counts_everything(definitions, prince_george):
    # The demo loader writes events around intake: nothing was marked or counted.
    EventFactory(
        community=prince_george,
        occurred_at=dt.datetime(2022, 1, 3, 20, tzinfo=dt.UTC),
        chief_complaint="opioid OD",
        diagnosis_codes=[],
    )
    EventFactory(
        community=prince_george,
        occurred_at=dt.datetime(2022, 1, 3, 21, tzinfo=dt.UTC),
        chief_complaint="sprained wrist",
        diagnosis_codes=[],
    )
    assert not DailyCount.objects.exists()
    run_reclassification(queue_reclassification(reason="demo data loaded"))
    assert daily(prince_george, "opioid", "2022-01-03") == 1
    assert daily(prince_george, None, "2022-01-03") == 2


def test_deferred_marks_wait_for_the_drain_then_count(
    definitions, prince_george, django_capture_on_commit_callbacks
):
    """The MLLP listener's mode: marks commit with the records; a drain recounts them."""
    from cairn.surveillance.classification.after import drain_marked_cells, recount_deferred

    with recount_deferred():
        accept(record(1), record(2), capture=django_capture_on_commit_callbacks)
    assert CountCellToRecount.objects.exists()  # nothing recounted on commit
    assert daily(prince_george, None, "2022-01-03") == 0
    assert drain_marked_cells() == [(prince_george.pk, dt.date(2022, 1, 3))]
    assert not CountCellToRecount.objects.exists()
    assert daily(prince_george, "opioid", "2022-01-03") == 2
    assert drain_marked_cells() == []
