"""`cairn surveillance counts rebuild|recount|status|series`."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cairn.surveillance.classification import classify_and_store
from cairn.surveillance.definitions import load_default_definitions
from cairn.surveillance.models.counts import CountCellToRecount, DailyCount
from cairn.surveillance.tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("surveillance", "counts", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def two_overdoses(prince_george):
    load_default_definitions()
    events = [
        EventFactory(
            community=prince_george,
            occurred_at=dt.datetime(2022, 1, day, 18, tzinfo=dt.UTC),
            chief_complaint="opioid OD",
            diagnosis_codes=[],
        )
        for day in (4, 12)
    ]
    classify_and_store(events)
    return events


def test_status_recount_and_rebuild(two_overdoses):
    assert "2 marked cells awaiting a recount" in run("status")
    assert "Recounted 2 community-day cells" in run("recount")
    assert not CountCellToRecount.objects.exists()
    rows = DailyCount.objects.count()
    assert f"Rebuilt the counts: {rows} daily rows" in run("rebuild")
    assert "Rebuilt the definition counts" in run("rebuild", "--definitions-only")
    assert DailyCount.objects.count() == rows


def test_series_writes_the_input_of_detect(two_overdoses, tmp_path):
    run("rebuild")
    path = tmp_path / "series.csv"
    message = run(
        "series",
        "--jurisdiction",
        "bc-lha-prince-george",
        "--definition",
        "opioid",
        "--start",
        "2022-01-03",
        "--end",
        "2022-01-23",
        "--output",
        str(path),
    )
    assert "Wrote 3 periods" in message
    rows = list(csv.DictReader(path.open()))
    assert [(r["t"], r["observed"], r["date"]) for r in rows] == [
        ("1", "1", "2022-01-03"),
        ("2", "1", "2022-01-10"),
        ("3", "0", "2022-01-17"),
    ]
    assert all(int(r["population"]) > 0 for r in rows)


def test_series_refuses_unknown_places_and_definitions(two_overdoses):
    with pytest.raises(CommandError, match="no jurisdiction has the code"):
        run("series", "--jurisdiction", "atlantis", "--start", "2022-01-01", "--end", "2022-02-01")
    with pytest.raises(CommandError, match="no-such"):
        run(
            "series",
            "--jurisdiction",
            "bc",
            "--definition",
            "no-such",
            "--start",
            "2022-01-01",
            "--end",
            "2022-02-01",
        )
