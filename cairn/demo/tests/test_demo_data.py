"""`cairn demo-data` on PostgreSQL: deterministic, idempotent, realistic, synthetic."""

import datetime as dt
import re
import zoneinfo

import pytest
from django.core.management.base import CommandError
from django.db.models import Count

from cairn.demo.models import DemoRun, InjectedSpike
from cairn.surveillance.classification.reclassify import (
    queue_reclassification,
    run_reclassification,
)
from cairn.surveillance.models import Event, EventIdentity, EventMatch, EventRevision, age_band_for

pytestmark = pytest.mark.django_db

SHORT = ["--days", "21", "--scale", "tiny", "--end", "2024-03-31"]
VANCOUVER = zoneinfo.ZoneInfo("America/Vancouver")

# Common given names in Canada; none may appear in the demo.
REAL_FIRST_NAMES = {
    "James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda",
    "David", "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica",
    "Thomas", "Sarah", "Charles", "Karen", "Daniel", "Nancy", "Matthew", "Lisa", "Mark",
    "Emily", "Andrew", "Michelle", "Kevin", "Amanda", "Brian", "Melissa", "Ryan", "Laura",
    "Jason", "Stephanie", "Liam", "Olivia", "Noah", "Emma", "Mohammed", "Wei", "Jing",
    "Harpreet", "Gurpreet", "Raj", "Priya", "Sophie", "Chloe", "Lucas", "Ethan", "Ava",
    "Cynthia", "Samantha", "Tess",
}  # fmt: skip


def snapshot():
    events = list(
        Event.objects.order_by("dedup_key").values_list(
            "dedup_key",
            "source",
            "occurred_at",
            "received_at",
            "community__code",
            "age_band",
            "sex",
            "chief_complaint",
            "diagnosis_codes",
            "disposition",
            "facility",
            "fatal",
            "naloxone_doses",
            "suspected_substances",
            "source_record_id",
        )
    )
    identities = list(
        EventIdentity.objects.order_by("event__dedup_key").values_list(
            "event__dedup_key",
            "given_name",
            "family_name",
            "date_of_birth",
            "health_number",
            "postal_code",
            "phone",
        )
    )
    spikes = list(
        InjectedSpike.objects.order_by("starts_at").values_list(
            "community_code", "source", "starts_at", "ends_at", "extra_events"
        )
    )
    return events, identities, spikes


def test_same_seed_gives_the_same_records_and_another_seed_others(demo_data):
    demo_data("--seed", "5", *SHORT)
    first = snapshot()
    assert len(first[0]) > 1000 and len(first[1]) > 1000

    demo_data("--seed", "5", *SHORT, "--replace")
    assert snapshot() == first

    demo_data("--seed", "6", *SHORT, "--replace")
    other = snapshot()
    assert other[0] != first[0]
    assert {key for key, *_ in other[0]}.isdisjoint({key for key, *_ in first[0]})


def test_running_again_with_the_same_arguments_adds_nothing(demo_data):
    demo_data("--seed", "5", *SHORT)
    events, identities = Event.objects.count(), EventIdentity.objects.count()

    printed = demo_data("--seed", "5", *SHORT)

    assert "already loaded" in printed
    assert (Event.objects.count(), EventIdentity.objects.count()) == (events, identities)
    assert DemoRun.objects.count() == 1
    assert not Event.objects.values("dedup_key").annotate(n=Count("id")).filter(n__gt=1)


def test_without_end_the_run_loaded_on_an_earlier_day_counts_as_the_same(demo_data):
    demo_data("--seed", "5", "--days", "3", "--scale", "tiny", "--end", "2024-03-31")

    printed = demo_data("--seed", "5", "--days", "3", "--scale", "tiny")

    assert "already loaded" in printed
    assert DemoRun.objects.get().end_date == dt.date(2024, 3, 31)


def test_another_run_is_refused_unless_replacing(demo_data):
    demo_data("--seed", "5", *SHORT)
    with pytest.raises(CommandError, match="--replace"):
        demo_data("--seed", "7", *SHORT)

    demo_data("--seed", "7", *SHORT, "--replace")

    run = DemoRun.objects.get()
    assert run.seed == 7
    assert Event.objects.count() == run.total_events
    assert not Event.objects.filter(dedup_key__startswith="demo:5:").exists()


def test_run_records_what_it_loaded(demo_data):
    printed = demo_data("--seed", "5", *SHORT)

    run = DemoRun.objects.get()
    assert (run.start_date, run.end_date) == (dt.date(2024, 3, 11), dt.date(2024, 3, 31))
    assert run.ed_visits == Event.objects.filter(source="ed").count()
    assert run.coroner_deaths == Event.objects.filter(source="coroner").count()
    assert run.identities == EventIdentity.objects.count()
    assert Event.objects.filter(id__range=(run.first_event_id, run.last_event_id)).count() == (
        run.total_events
    )
    assert re.search(r"records in [\d.]+ s \([\d,]+ records/s\)", printed)


def test_injected_spikes_are_recorded_and_stand_out(demo_data):
    demo_data("--seed", "3", "--days", "90", "--scale", "tiny", "--end", "2023-06-30")

    spikes = list(InjectedSpike.objects.select_related("run", "community"))
    assert 3 <= len(spikes) <= 6
    run = spikes[0].run
    span_hours = ((run.end_date - run.start_date).days + 1) * 24
    for spike in spikes:
        same_place = Event.objects.filter(source=spike.source, community=spike.community)
        in_window = same_place.filter(
            occurred_at__gte=spike.starts_at, occurred_at__lt=spike.ends_at
        ).count()
        window_hours = (spike.ends_at - spike.starts_at).total_seconds() / 3600
        outside = same_place.count() - in_window
        baseline = outside / (span_hours - window_hours) * window_hours
        assert in_window >= spike.extra_events, spike.description
        assert in_window > 1.8 * baseline + 3, (spike.description, in_window, baseline)
        assert spike.community_code == spike.community.code


def test_a_few_events_have_an_unknown_place(demo_data):
    demo_data("--seed", "5", *SHORT)

    unknown = Event.objects.filter(community__isnull=True).count()
    assert 0.004 < unknown / Event.objects.count() < 0.02


def test_people_are_obviously_synthetic(demo_data):
    demo_data("--seed", "5", *SHORT)

    identities = EventIdentity.objects.all()
    given = set(identities.values_list("given_name", flat=True))
    assert given.isdisjoint(REAL_FIRST_NAMES)
    families = set(identities.values_list("family_name", flat=True))
    assert all(re.fullmatch(r"Syntheti[ck][- ]\d+|Unidentified", f) for f in families)
    numbers = set(identities.exclude(health_number="").values_list("health_number", flat=True))
    assert numbers and all(re.fullmatch(r"9999 \d{3} \d{3}", n) for n in numbers)
    phones = set(identities.exclude(phone="").values_list("phone", flat=True))
    assert phones and all(re.fullmatch(r"\((604|250)\) 555-01\d\d", p) for p in phones)
    postal = set(identities.exclude(postal_code="").values_list("postal_code", flat=True))
    assert postal and all(re.fullmatch(r"V\d[A-Z] \d[A-Z]\d", p) for p in postal)


def test_dates_of_birth_agree_with_age_bands(demo_data):
    demo_data("--seed", "5", *SHORT)

    rows = EventIdentity.objects.filter(date_of_birth__isnull=False).exclude(
        event__age_band="unknown"
    )
    agreeing = total = 0
    for born, occurred, band in rows.values_list(
        "date_of_birth", "event__occurred_at", "event__age_band"
    ):
        day = occurred.astimezone(VANCOUVER).date()
        age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
        agreeing += age_band_for(age) == band
        total += 1
    # A few dates of birth are recorded with day and month swapped, as in real feeds.
    assert total > 1000 and agreeing / total > 0.95


def test_some_people_have_several_overdoses_under_varying_names(demo_data):
    demo_data("--seed", "5", "--days", "60", "--scale", "tiny", "--end", "2024-03-31")

    overdoses = EventIdentity.objects.filter(event__source__in=["paramedic", "ed"]).exclude(
        family_name="Unidentified"
    )
    repeat = overdoses.values("health_number").exclude(health_number="")
    repeat = repeat.annotate(n=Count("pk")).filter(n__gte=3)
    assert repeat.count() > 50
    aliases = (
        overdoses.exclude(health_number="")
        .values("health_number")
        .annotate(
            names=Count("family_name", distinct=True), given=Count("given_name", distinct=True)
        )
        .filter(names__gt=1)
    )
    assert aliases.exists()
    # Some people who died had a non-fatal overdose recorded before.
    died = EventIdentity.objects.filter(event__source="coroner").exclude(health_number="")
    earlier = overdoses.filter(health_number__in=died.values("health_number"))
    assert earlier.exists()


def test_records_read_like_real_feeds(demo_data):
    demo_data("--seed", "5", "--days", "60", "--scale", "tiny", "--end", "2024-03-31")

    ed = Event.objects.filter(source="ed")
    complaints = {c.lower() for c in ed.values_list("chief_complaint", flat=True)}
    assert {"od", "overdoes", "heroine od", "found down, narcan given"} <= complaints
    negated = ed.filter(chief_complaint__iregex=r"denies drug use|no od|not an overdose")
    assert negated.exists()
    assert not any(
        any(code.startswith(("T40", "T43")) for code in codes)
        for codes in negated.values_list("diagnosis_codes", flat=True)
    )
    # Overdoses recorded with only the chief complaint, no poisoning code.
    complaint_only = [
        codes
        for text, codes in ed.filter(chief_complaint__iregex=r"^(od|opioid overdose)$").values_list(
            "chief_complaint", "diagnosis_codes"
        )
        if not any(code.startswith(("T", "F1")) for code in codes)
    ]
    assert complaint_only
    assert ed.filter(disposition="left_ama").exists()
    assert ed.filter(diagnosis_codes__contains=["T40.4"]).exists()
    paramedic = Event.objects.filter(source="paramedic")
    assert paramedic.filter(naloxone_doses__gte=2).exists()
    assert paramedic.filter(suspected_substances__contains=["fentanyl"]).exists()
    coroner = Event.objects.filter(source="coroner")
    assert coroner.exists() and not coroner.exclude(fatal=True, disposition="died").exists()
    facilities = set(ed.values_list("facility", flat=True))
    assert all(re.fullmatch(r"ED-(FH|IH|NH|VCH|VIHA)-\d\d", f) for f in facilities)


def test_replacing_a_classified_run_leaves_no_matches_of_deleted_events(demo_data):
    demo_data("--seed", "5", *SHORT)
    job = queue_reclassification(reason="test: classify the demo run")
    run_reclassification(job)
    assert EventMatch.objects.exists()

    demo_data("--seed", "6", *SHORT, "--replace")

    assert not EventMatch.objects.exclude(event_id__in=Event.objects.values("id")).exists()
    assert not EventRevision.objects.exclude(event_id__in=Event.objects.values("id")).exists()
