"""Treatment pages: the person's page (audited), starting and stopping an episode,
dispensing and missed doses (plain and htmx), field errors, double submits, the case
page's section, the CSV import page, and access for every persona with real records."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cairn.access.models import AuditEvent
from cairn.access.personas import PERSONAS
from cairn.cases.models.treatment import OatDispensing, OatEpisode, OatMissedDose, OudDiagnosis
from cairn.cases.tests.conftest import make_client

NOT_CARE_TEAM = sorted(set(PERSONAS) - {"er_nurse"})
TODAY = timezone.localdate()


def ago(days: int) -> str:
    return (TODAY - dt.timedelta(days=days)).isoformat()


@pytest.fixture
def person(er_nurse):
    return make_client(er_nurse, given_name="Quinn", family_name="Spruce")


def test_the_treatment_page_is_audited_and_offers_the_forms(client, er_nurse, person):
    client.force_login(er_nurse)
    AuditEvent.objects.all().delete()
    response = client.get(reverse("cases:treatment", args=[person.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and "Opioid agonist treatment: Quinn Spruce" in html
    assert AuditEvent.objects.filter(action="cases.client.read", target_id=str(person.pk)).exists()
    for name in ("started_on", "dispensed_on", "carry_days", "witnessed", "missed_on"):
        assert f'name="{name}"' in html
    assert "Start the episode" in html and "Record the dispensing" in html
    assert "No OAT on record" in html
    detail = client.get(reverse("cases:client_detail", args=[person.pk])).content.decode()
    assert reverse("cases:treatment_summary", args=[person.pk]) in detail
    assert reverse("cases:treatment", args=[person.pk]) in detail


def test_starting_and_stopping_an_episode(client, er_nurse, person):
    client.force_login(er_nurse)
    url = reverse("cases:treatment_episode_start", args=[person.pk])
    body = {"idempotency_key": "e1", "drug": "methadone", "started_on": ago(20), "pharmacy": "Main"}
    assert client.post(url, body).status_code == 302
    assert client.post(url, body).status_code == 302  # a double tap
    episode = OatEpisode.objects.get(client=person)
    assert episode.pharmacy == "Main" and episode.organization is not None
    page = client.get(reverse("cases:treatment", args=[person.pk])).content.decode()
    assert "On OAT (Methadone) since" in page and "21 days" in page
    stop = reverse("cases:treatment_episode_stop", args=[person.pk, episode.pk])
    response = client.post(
        stop, {"stopped_on": ago(1), "end_reason": "person_chose"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and 'id="treatment"' in response.content.decode()
    assert "<html" not in response.content.decode()
    episode.refresh_from_db()
    assert episode.stopped_on.isoformat() == ago(1) and episode.end_reason == "person_chose"
    missing = reverse("cases:treatment_episode_stop", args=[person.pk, 999999])
    assert client.post(missing, {"stopped_on": ago(1), "end_reason": "died"}).status_code == 404


def test_a_bad_start_date_is_refused_with_the_message_and_kept_input(client, er_nurse, person):
    client.force_login(er_nurse)
    url = reverse("cases:treatment_episode_start", args=[person.pk])
    response = client.post(
        url, {"idempotency_key": "e2", "drug": "methadone", "started_on": "tomorrow"}
    )
    html = response.content.decode()
    assert response.status_code == 400 and "Start date: give a date like 2026-01-31" in html
    assert 'value="e2"' in html
    htmx = client.post(url, {"drug": "nothing", "started_on": ago(1)}, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 400 and "Drug: give one of" in htmx.content.decode()
    assert not OatEpisode.objects.exists()


def test_recording_dispensing_and_missed_doses(client, er_nurse, person):
    client.force_login(er_nurse)
    url = reverse("cases:treatment_dispensing_add", args=[person.pk])
    for days in (3, 2, 1):
        body = {"drug": "bup_nx", "dispensed_on": ago(days), "dose": "16", "witnessed": "yes"}
        response = client.post(url, body, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
    html = response.content.decode()
    assert "On OAT (Buprenorphine/naloxone)" in html and "Derived from dispensing" in html
    assert client.post(url, body).status_code == 302  # the same day again: no duplicate
    assert OatDispensing.objects.filter(client=person).count() == 3
    bad = client.post(url, {"drug": "bup_nx", "dispensed_on": ago(1), "dose": "a lot"})
    assert bad.status_code == 400 and "Dose: give a number of mg" in bad.content.decode()
    missed = reverse("cases:treatment_missed_dose_add", args=[person.pk])
    assert client.post(missed, {"drug": "bup_nx", "missed_on": ago(0)}).status_code == 302
    assert OatMissedDose.objects.filter(client=person).count() == 1
    diagnosis = reverse("cases:treatment_diagnosis", args=[person.pk])
    assert client.post(diagnosis, {"basis": "addiction medicine"}).status_code == 302
    assert OudDiagnosis.objects.get(client=person).basis == "addiction medicine"
    summary = client.get(reverse("cases:treatment_summary", args=[person.pk]))
    assert "On OAT (Buprenorphine/naloxone)" in summary.content.decode()


def test_the_import_page_reports_every_bad_row(client, er_nurse, person):
    client.force_login(er_nurse)
    url = reverse("cases:treatment_import")
    assert client.get(url).status_code == 200
    data = (
        f"client,drug,date\n{person.pk},methadone,{ago(2)}\n{person.pk},methadone,someday\n"
    ).encode()
    response = client.post(url, {"file": SimpleUploadedFile("d.csv", data, "text/csv")})
    html = response.content.decode()
    assert response.status_code == 400  # a row was refused; the good one is saved
    assert "1 new row(s) saved" in html and "<td>3</td><td>date</td>" in html
    assert OatDispensing.objects.filter(client=person).count() == 1
    again = client.post(url, {"file": SimpleUploadedFile("d.csv", data, "text/csv")})
    assert "0 new row(s) saved</strong>, 1 already on record" in again.content.decode()
    refused = client.post(url, {"file": SimpleUploadedFile("d.csv", b"x,y\n", "text/csv")})
    assert refused.status_code == 400 and "Nothing was imported" in refused.content.decode()


@pytest.mark.parametrize("persona", NOT_CARE_TEAM)
def test_no_other_persona_opens_a_persons_treatment(client, personas, persona, person):
    client.force_login(personas[persona])
    for name in ("cases:treatment", "cases:treatment_summary"):
        assert client.get(reverse(name, args=[person.pk])).status_code == 403
    url = reverse("cases:treatment_dispensing_add", args=[person.pk])
    assert client.post(url, {"drug": "methadone", "dispensed_on": ago(1)}).status_code == 403
    assert not OatDispensing.objects.exists()


def test_an_entered_course_and_its_dispensing_show_as_one_episode(client, er_nurse, person):
    client.force_login(er_nurse)
    start = reverse("cases:treatment_episode_start", args=[person.pk])
    body = {"idempotency_key": "c1", "drug": "bup_nx", "started_on": ago(3), "pharmacy": "Main"}
    assert client.post(start, body).status_code == 302
    dispense = reverse("cases:treatment_dispensing_add", args=[person.pk])
    for days in (3, 2):
        client.post(dispense, {"drug": "bup_nx", "dispensed_on": ago(days), "witnessed": "yes"})
    assert OatEpisode.objects.filter(client=person).count() == 2  # entered and derived

    html = client.get(reverse("cases:treatment", args=[person.pk])).content.decode()

    assert html.count('id="oat-episode-') == 1
    assert "Dispensing records confirm it: 2 dispensings from " + ago(3) in html
    assert "On OAT (Buprenorphine/naloxone) since " + ago(3) + ", 4 days" in html


def test_another_care_team_gets_404(client, other_clinician, person):
    client.force_login(other_clinician)
    assert client.get(reverse("cases:treatment", args=[person.pk])).status_code == 404
