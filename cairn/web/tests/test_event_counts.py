"""cairn.surveillance.queries, as the community page uses it."""

from datetime import timedelta

from django.utils import timezone

from cairn.surveillance.models import Event, Source
from cairn.surveillance.queries import community_event_counts, latest_event_time


def _event(community, source, when, key):
    return Event.objects.create(source=source, occurred_at=when, community=community, dedup_key=key)


def test_counts_every_source_with_zeros(prince_george, abbotsford):
    now = timezone.now()
    _event(prince_george, Source.PARAMEDIC, now - timedelta(days=1), "a")
    _event(prince_george, Source.PARAMEDIC, now - timedelta(days=2), "b")
    _event(prince_george, Source.CORONER, now - timedelta(days=3), "c")
    _event(prince_george, Source.CORONER, now - timedelta(days=500), "too-old")
    _event(abbotsford, Source.PARAMEDIC, now - timedelta(days=1), "elsewhere")

    counts = community_event_counts(prince_george, since=now - timedelta(days=365), until=now)

    assert counts == {"ed": 0, "paramedic": 2, "first_responder": 0, "coroner": 1}


def test_counts_in_one_query(prince_george, django_assert_num_queries):
    with django_assert_num_queries(1):
        community_event_counts(prince_george, since=timezone.now() - timedelta(days=365))


def test_latest_event_time_is_the_newest_of_any_source(prince_george):
    now = timezone.now()
    assert latest_event_time() is None
    _event(prince_george, Source.EMERGENCY_DEPARTMENT, now - timedelta(days=9), "x")
    _event(None, Source.CORONER, now - timedelta(days=2), "y")

    assert latest_event_time() == now - timedelta(days=2)


def test_an_ed_visit_counts_only_when_it_meets_the_all_drug_definition(prince_george):
    from cairn.surveillance.classification import classify_and_store
    from cairn.surveillance.definitions import load_default_definitions

    load_default_definitions()
    now = timezone.now()
    overdose = Event.objects.create(
        source=Source.EMERGENCY_DEPARTMENT,
        occurred_at=now - timedelta(days=1),
        community=prince_george,
        chief_complaint="opioid overdose, narcan x2",
        dedup_key="ed-overdose",
    )
    sprain = Event.objects.create(
        source=Source.EMERGENCY_DEPARTMENT,
        occurred_at=now - timedelta(days=1),
        community=prince_george,
        chief_complaint="ankle sprain, denies drug use",
        diagnosis_codes=["S93.4"],
        dedup_key="ed-sprain",
    )
    classify_and_store([overdose, sprain])

    counts = community_event_counts(prince_george, since=now - timedelta(days=365), until=now)

    assert counts["ed"] == 1
