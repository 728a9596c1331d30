"""Case-definition pages and an event's page, through the browser-facing views."""

import json

import pytest
from django.urls import reverse

from cairn.access.models import AuditEvent
from cairn.surveillance.classification import classify_and_store
from cairn.surveillance.definitions import load_default_definitions
from cairn.surveillance.models import CaseDefinition, JobStatus, ReclassificationJob
from cairn.surveillance.tests.factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def definitions(bc_geography):
    load_default_definitions()


def test_every_member_reads_the_definitions(client, police_liaison, definitions):
    client.force_login(police_liaison)
    page = client.get(reverse("definitions:definition_list")).content.decode()
    assert "Opioid-related event (Statistics Canada, ICD-10-CA)" in page
    assert "/edit/" not in page  # no edit links without the permission
    detail = client.get(reverse("definitions:definition_detail", args=["ca_opioid"]))
    assert detail.status_code == 200
    assert "Included by code (any extension)" in detail.content.decode()


def test_epidemiologist_edits_a_definition_with_history_and_diff(
    client, epidemiologist, definitions
):
    client.force_login(epidemiologist)
    heroin = CaseDefinition.objects.get(slug="heroin")
    rules = heroin.current().rules
    rules["chief_complaint"]["all_of"][1].append("CHINA WHITE")
    form = client.get(reverse("definitions:definition_edit", args=["heroin"]))
    assert form.status_code == 200
    response = client.post(
        reverse("definitions:definition_edit", args=["heroin"]),
        {
            "name": heroin.name,
            "description": heroin.description,
            "active": "on",
            "rules": json.dumps(rules),
            "note": "Add a street name used locally.",
        },
    )
    assert response.status_code == 302
    heroin.refresh_from_db()
    assert heroin.current_version == 2
    assert AuditEvent.objects.filter(
        action="case_definition.version_saved", actor_username=epidemiologist.username
    ).exists()
    detail = client.get(reverse("definitions:definition_detail", args=["heroin"])).content.decode()
    assert "Changes from version 1" in detail
    assert "+" in detail and "CHINA WHITE" in detail
    assert "Add a street name used locally." in detail
    listing = client.get(reverse("definitions:definition_list")).content.decode()
    assert "heroin v2 saved" in listing and 'hx-trigger="every 2s"' in listing


def test_invalid_json_is_explained_and_nothing_is_saved(
    client, regional_epidemiologist, definitions
):
    client.force_login(regional_epidemiologist)
    response = client.post(
        reverse("definitions:definition_edit", args=["opioid"]),
        {"name": "Opioid overdose", "rules": '{"codes": {"poisoning": ["T40.4",]}}', "note": "x"},
    )
    assert response.status_code == 200
    assert "Not valid JSON" in response.content.decode()
    assert "line 1, column" in response.content.decode()
    response = client.post(
        reverse("definitions:definition_edit", args=["opioid"]),
        {"name": "Opioid overdose", "rules": '{"codes": {"poisoning": ["T40 4?"]}}', "note": "x"},
    )
    assert "not code prefixes: T40 4?" in response.content.decode()
    assert CaseDefinition.objects.get(slug="opioid").current_version == 1
    assert not ReclassificationJob.objects.exists()


def test_edit_refused_without_the_permission(client, er_nurse, definitions):
    client.force_login(er_nurse)
    assert client.get(reverse("definitions:definition_edit", args=["opioid"])).status_code == 403


def test_progress_partial_stops_polling_when_done(client, epidemiologist):
    client.force_login(epidemiologist)
    job = ReclassificationJob.objects.create(status=JobStatus.DONE, total=10, done=10)
    page = client.get(
        reverse("definitions:reclassification_progress", args=[job.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Done" in page and "every 2s" not in page and 'value="100"' in page


def test_event_page_shows_matches_and_why(client, regional_epidemiologist, definitions):
    from cairn.geography.models import Jurisdiction

    abbotsford = Jurisdiction.objects.get(code="bc-lha-abbotsford")
    event = EventFactory(community=abbotsford, chief_complaint="herion OD", diagnosis_codes=[])
    classify_and_store([event])
    client.force_login(regional_epidemiologist)
    page = client.get(reverse("definitions:event_detail", args=[event.pk])).content.decode()
    assert "herion OD" in page
    assert "Heroin overdose" in page
    assert "Chief complaint: chief complaint: &quot;od&quot; + &quot;herion&quot;" in page


def test_event_page_refused_outside_the_covered_communities(
    client, regional_epidemiologist, er_nurse, prince_george, definitions
):
    event = EventFactory(community=prince_george)
    client.force_login(regional_epidemiologist)  # Fraser only
    assert client.get(reverse("definitions:event_detail", args=[event.pk])).status_code == 403
    client.force_login(er_nurse)  # Vancouver Coastal only
    assert client.get(reverse("definitions:event_detail", args=[event.pk])).status_code == 403


def test_event_page_refused_below_the_line_list_tier(client, outreach_worker, prince_george):
    event = EventFactory(community=prince_george)
    client.force_login(outreach_worker)  # covers Prince George, aggregates only
    assert client.get(reverse("definitions:event_detail", args=[event.pk])).status_code == 403


def test_event_of_unknown_place_only_for_province_wide_roles(
    client, epidemiologist, regional_epidemiologist
):
    event = EventFactory(community=None)
    client.force_login(regional_epidemiologist)
    assert client.get(reverse("definitions:event_detail", args=[event.pk])).status_code == 403
    client.force_login(epidemiologist)
    assert client.get(reverse("definitions:event_detail", args=[event.pk])).status_code == 200
