"""Stored matches: written with the event, replaced on update, re-classified on edit."""

import pytest

from cairn.access.models import AuditEvent
from cairn.surveillance.classification import classify_and_store
from cairn.surveillance.classification.actions import InvalidRules, save_definition_version
from cairn.surveillance.classification.reclassify import run_reclassification
from cairn.surveillance.definitions import load_default_definitions
from cairn.surveillance.models import (
    CaseDefinition,
    EventMatch,
    JobStatus,
    ReclassificationJob,
)
from cairn.surveillance.tests.factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def definitions():
    load_default_definitions()


def matched(event):
    return {m.definition.slug: m.reason for m in EventMatch.objects.filter(event=event)}


def test_classify_and_store_keeps_which_definitions_matched_and_why(definitions):
    event = EventFactory(chief_complaint="found down", diagnosis_codes=["T40.1X1A"])
    classify_and_store([event])
    assert matched(event) == {
        "all_drug": "code T40.1X1A",
        "opioid": "code T40.1X1A",
        "heroin": "code T40.1X1A",
        "ca_opioid": "code T40.1X1A",
    }
    stored = EventMatch.objects.get(event=event, definition__slug="heroin")
    assert (stored.field, stored.version) == ("dd", 1)


def test_classify_and_store_replaces_earlier_matches(definitions):
    event = EventFactory(chief_complaint="meth OD", diagnosis_codes=[])
    classify_and_store([event])
    assert set(matched(event)) == {"all_drug", "stimulant"}
    event.chief_complaint = "chest pain, denies drug use"
    event.save()
    classify_and_store([event])
    assert matched(event) == {}


def test_classify_and_store_in_bulk(definitions, django_assert_max_num_queries):
    events = [EventFactory(chief_complaint="opioid OD", diagnosis_codes=[]) for _ in range(50)]
    with django_assert_max_num_queries(4):
        written = classify_and_store(events)
    assert written == 50 * 2  # all_drug and opioid; not fentanyl or heroin
    assert EventMatch.objects.filter(definition__slug="opioid").count() == 50


def test_intake_stores_matches_for_a_new_event(definitions):
    from cairn.surveillance.intake import pipeline

    assert pipeline.classify_and_store is classify_and_store


def test_saving_a_version_audits_and_queues_reclassification(definitions, epidemiologist):
    heroin = CaseDefinition.objects.get(slug="heroin")
    rules = heroin.current().rules
    rules["chief_complaint"]["all_of"][1].append("CHINA WHITE")
    version = save_definition_version(
        actor=epidemiologist, definition=heroin, rules=rules, note="Add a street name."
    )
    heroin.refresh_from_db()
    assert (version.version, heroin.current_version, version.created_by) == (
        2,
        2,
        epidemiologist.username,
    )
    audit = AuditEvent.objects.get(action="case_definition.version_saved")
    assert audit.details["version"] == 2 and audit.actor_username == epidemiologist.username
    job = ReclassificationJob.objects.get()
    assert job.status == JobStatus.QUEUED
    assert job.reason == "heroin v2 saved"


def test_invalid_rules_are_refused_without_a_new_version(definitions, epidemiologist):
    heroin = CaseDefinition.objects.get(slug="heroin")
    with pytest.raises(InvalidRules):
        save_definition_version(actor=epidemiologist, definition=heroin, rules={}, note="x")
    assert heroin.versions.count() == 1
    assert not AuditEvent.objects.filter(action="case_definition.version_saved").exists()


def test_reclassification_applies_a_changed_definition_to_stored_events(
    definitions, epidemiologist
):
    events = [
        EventFactory(chief_complaint="china white overdose", diagnosis_codes=[]) for _ in range(7)
    ]
    classify_and_store(events)
    assert "heroin" not in matched(events[0])
    heroin = CaseDefinition.objects.get(slug="heroin")
    rules = heroin.current().rules
    rules["chief_complaint"]["all_of"][1].append("CHINA WHITE")
    save_definition_version(actor=epidemiologist, definition=heroin, rules=rules, note="Add")
    job = ReclassificationJob.objects.get()
    seen = []
    job = run_reclassification(job, chunk_size=3, progress=lambda d, t: seen.append(d))
    assert job.status == JobStatus.DONE and job.done == job.total == 7
    assert seen == [3, 6, 7]
    assert matched(events[0])["heroin"] == 'chief complaint: "overdose" + "china white"'
    assert EventMatch.objects.get(event=events[0], definition__slug="heroin").version == 2


def test_deactivated_definition_matches_nothing_after_reclassification(definitions, epidemiologist):
    event = EventFactory(chief_complaint="", diagnosis_codes=["F11.20"])
    classify_and_store([event])
    assert set(matched(event)) == {"ca_opioid"}
    ca = CaseDefinition.objects.get(slug="ca_opioid")
    save_definition_version(
        actor=epidemiologist, definition=ca, rules=ca.current().rules, note="Off", active=False
    )
    run_reclassification(ReclassificationJob.objects.get())
    assert matched(event) == {}


def test_a_job_already_running_is_not_run_twice(definitions):
    job = ReclassificationJob.objects.create(status=JobStatus.RUNNING)
    assert run_reclassification(job).status == JobStatus.RUNNING


@pytest.mark.django_db(transaction=True)
def test_saving_a_version_reclassifies_in_the_background_after_commit():
    import time

    from django.contrib.auth import get_user_model

    load_default_definitions()
    actor = get_user_model().objects.create_user("background.epi")
    event = EventFactory(chief_complaint="china white overdose", diagnosis_codes=[])
    heroin = CaseDefinition.objects.get(slug="heroin")
    rules = heroin.current().rules
    rules["chief_complaint"]["all_of"][1].append("CHINA WHITE")
    save_definition_version(actor=actor, definition=heroin, rules=rules, note="Add")
    job = ReclassificationJob.objects.get()
    deadline = time.monotonic() + 20
    while job.status in (JobStatus.QUEUED, JobStatus.RUNNING) and time.monotonic() < deadline:
        time.sleep(0.05)
        job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert "heroin" in matched(event)
