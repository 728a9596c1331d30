"""Several writers at once (MLLP, CSV import, quick entry) into the same cells."""

import datetime as dt
import threading

import pytest
from django.db import connection, transaction

from cairn.surveillance.counts.maintain import rebuild_counts
from cairn.surveillance.counts.queries import count_series
from cairn.surveillance.definitions import load_default_definitions
from cairn.surveillance.intake.bulk import accept_many
from cairn.surveillance.intake.pipeline import accept_record
from cairn.surveillance.intake.records import IncomingRecord
from cairn.surveillance.models.counts import CountCellToRecount, DailyCount

WHEN = dt.datetime(2022, 1, 3, 20, 0, tzinfo=dt.UTC)


def record(writer: int, n: int, **changes) -> IncomingRecord:
    values = {
        "source": "ed",
        "format": "hl7v2",
        "dedup_key": f"ed:UHNBC:W{writer}V{n}",
        "message_key": f"hl7v2:UHNBC:W{writer}M{n}",
        "occurred_at": WHEN + dt.timedelta(minutes=n),
        "chief_complaint": "opioid OD" if n % 2 == 0 else "fall from ladder",
        "community_code": "bc-lha-prince-george",
    }
    values.update(changes)
    return IncomingRecord(**values)


def run_together(*workers):
    start = threading.Barrier(len(workers))
    errors = []

    def run(work):
        try:
            start.wait()
            work()
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(work,)) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def day_count(community, definition) -> int:
    series = count_series(
        jurisdiction=community,
        definition=definition,
        freq="day",
        start=dt.date(2022, 1, 3),
        end=dt.date(2022, 1, 3),
    )
    return int(series.counts[0])


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_into_one_cell_are_all_counted(bc_geography, prince_george):
    load_default_definitions()
    per_writer = 30

    def one_by_one(writer):
        def work():
            for n in range(per_writer):
                accept_record(record(writer, n), audit=False)

        return work

    def in_batches(writer):
        def work():
            for first in range(0, per_writer, 10):
                with transaction.atomic():
                    accept_many([record(writer, n) for n in range(first, first + 10)])

        return work

    run_together(one_by_one(1), one_by_one(2), in_batches(3), in_batches(4))

    assert not CountCellToRecount.objects.exists()
    assert day_count(prince_george, None) == 4 * per_writer
    assert day_count(prince_george, "opioid") == 4 * per_writer // 2
    incremental = sorted(
        DailyCount.objects.values_list("community_id", "day", "definition_id", "count"), key=repr
    )
    rebuild_counts()
    assert (
        sorted(
            DailyCount.objects.values_list("community_id", "day", "definition_id", "count"),
            key=repr,
        )
        == incremental
    )


@pytest.mark.django_db(transaction=True)
def test_updates_racing_with_new_records_leave_both_cells_right(
    bc_geography, prince_george, abbotsford
):
    load_default_definitions()
    for n in range(20):
        accept_record(record(1, n), audit=False)

    def move_to_abbotsford():
        for n in range(20):
            accept_record(
                record(1, n, message_key=f"fix{n}", community_code="bc-lha-abbotsford"),
                audit=False,
            )

    def add_more():
        for n in range(20):
            accept_record(record(2, n), audit=False)

    run_together(move_to_abbotsford, add_more)

    assert not CountCellToRecount.objects.exists()
    assert day_count(prince_george, None) == 20
    assert day_count(abbotsford, None) == 20
    assert day_count(abbotsford, "opioid") == 10
