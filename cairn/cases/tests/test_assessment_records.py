"""Recording assessments: the instrument loaded as data, history with change, pages,
access and audit."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cairn.access.models import AuditEvent
from cairn.access.personas import PERSONAS
from cairn.cases import actions
from cairn.cases.assessment import records
from cairn.cases.models.assessments import RiskAssessment, RiskInstrument
from cairn.cases.tests.conftest import make_client

NOT_CARE_TEAM = sorted(set(PERSONAS) - {"er_nurse"})
LOWER = {"using_alone": "sometimes", "housing": "stable"}
HIGHEST = {
    "using_alone": "usually",
    "benzodiazepines": "yes",
    "housing": "without_housing",
    "injection": "injects_with_help_or_in_public",
    "prior_overdoses": "two_or_more",
}


@pytest.fixture
def client_record(er_nurse):
    return make_client(er_nurse, given_name="Sam", family_name="Riverside", aliases=["Sunny"])


@pytest.fixture
def episode(er_nurse, client_record):
    return actions.open_episode(
        actor=er_nurse,
        client=client_record,
        occurred_at=timezone.now() - dt.timedelta(hours=5),
    ).episode


def test_the_shipped_instrument_is_loaded_once_as_data(db):
    first = records.load_shipped_instruments()
    again = records.load_shipped_instruments()
    assert [r.pk for r in first] == [r.pk for r in again]
    row = records.current_instrument()
    assert (row.key, row.version) == ("acute_overdose_risk", 1)
    assert len(row.definition["items"]) == 14


def test_a_loaded_version_cannot_silently_change(db):
    (row,) = records.load_shipped_instruments()
    RiskInstrument.objects.filter(pk=row.pk).update(checksum="0" * 64)
    with pytest.raises(records.InstrumentChanged, match="new version number"):
        records.load_shipped_instruments()


def test_recording_keeps_every_line_and_writes_an_audit_event(er_nurse, client_record, episode):
    assessment = records.record_assessment(
        actor=er_nurse,
        client=client_record,
        episode=episode,
        answers={"tolerance_loss": "within_4_weeks", "using_alone": "usually"},
    )
    assert (assessment.total_points, assessment.points_tier, assessment.tier) == (6, "high", "high")
    lines = {line["item"]: line for line in assessment.lines}
    assert lines["tolerance_loss"]["points"] == 4
    assert "8 to 9 times" in lines["tolerance_loss"]["reason"]
    assert lines["tolerance_loss"]["sources"] == ["cornish2010", "pearce2020", "psu_tolerance"]
    assert "housing" in assessment.unanswered
    event = AuditEvent.objects.get(action="cases.risk_assessment.record")
    assert (event.target_type, event.target_id) == ("cases.client", str(client_record.pk))
    assert event.details["assessment_id"] == assessment.pk


def test_reassessment_history_shows_the_change(er_nurse, client_record):
    first = records.record_assessment(actor=er_nurse, client=client_record, answers=LOWER)
    second = records.record_assessment(
        actor=er_nurse,
        client=client_record,
        answers=HIGHEST,
        assessed_at=first.assessed_at + dt.timedelta(minutes=1),
    )
    newest, oldest = records.history_for(client_record)
    assert oldest.assessment == first and oldest.change_points is None
    assert newest.assessment == second
    assert (newest.change_points, newest.tier_change) == (10 - 1, "up")
    changed = {c["question"]: (c["before"], c["after"]) for c in newest.changed_items}
    assert changed["Uses drugs alone"] == ("Sometimes", "Usually or always")
    assert records.latest_assessment(client_record) == second


def test_an_empty_or_wrong_assessment_is_refused(er_nurse, client_record):
    with pytest.raises(records.AssessmentError, match="at least one item"):
        records.record_assessment(actor=er_nurse, client=client_record, answers={})
    with pytest.raises(records.AssessmentError, match="no option 'mansion'"):
        records.record_assessment(
            actor=er_nurse, client=client_record, answers={"housing": "mansion"}
        )
    other = make_client(er_nurse, aliases=["Quill"], given_name="Quill")
    other_episode = actions.open_episode(
        actor=er_nurse, client=other, occurred_at=timezone.now() - dt.timedelta(hours=1)
    ).episode
    with pytest.raises(records.AssessmentError, match="not an episode of this person"):
        records.record_assessment(
            actor=er_nurse, client=client_record, episode=other_episode, answers=LOWER
        )
    assert not RiskAssessment.objects.exists()


def test_the_assessment_page_scores_and_shows_every_reason(client, er_nurse, client_record):
    client.force_login(er_nurse)
    url = reverse("cases:assessments", args=[client_record.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Identifies as First Nations" in page.content.decode()
    response = client.post(url, {"ed_departure": "left_against_advice", "housing": "stable"})
    assessment = RiskAssessment.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("cases:assessment_detail", args=[assessment.pk])
    detail = client.get(response.url).content.decode()
    assert "High tier" in detail
    assert "aHR 7.1" in detail and "Moe J et al. CMAJ Open 2021" in detail
    assert "%" not in detail.split("<h1>")[1].split("</h1>")[0]
    reads = AuditEvent.objects.filter(action="cases.client.read", target_id=str(client_record.pk))
    assert reads.count() == 3  # the form, the post, the detail: each read is audited


def test_a_bad_answer_on_the_page_is_a_400_naming_it(client, er_nurse, client_record):
    client.force_login(er_nurse)
    url = reverse("cases:assessments", args=[client_record.pk])
    response = client.post(url, {"housing": "castle"})
    assert response.status_code == 400
    assert "no option &#x27;castle&#x27;" in response.content.decode()


@pytest.mark.parametrize("persona", NOT_CARE_TEAM)
def test_no_one_off_the_care_team_sees_an_assessment(client, personas, er_nurse, persona):
    held = make_client(er_nurse, given_name="Robin", aliases=["Robin"])
    assessment = records.record_assessment(actor=er_nurse, client=held, answers=LOWER)
    client.force_login(personas[persona])
    assert client.get(reverse("cases:assessments", args=[held.pk])).status_code == 403
    detail = reverse("cases:assessment_detail", args=[assessment.pk])
    assert client.get(detail).status_code == 403


def test_another_organizations_clinician_gets_not_found(client, other_clinician, er_nurse):
    held = make_client(er_nurse, given_name="Robin", aliases=["Robin"])
    assessment = records.record_assessment(actor=er_nurse, client=held, answers=LOWER)
    client.force_login(other_clinician)
    assert client.get(reverse("cases:assessments", args=[held.pk])).status_code == 404
    detail = reverse("cases:assessment_detail", args=[assessment.pk])
    assert client.get(detail).status_code == 404


def test_a_merged_record_is_not_assessed_or_placed(er_nurse, client_record):
    from cairn.cases.assessment import groups

    other = make_client(er_nurse, aliases=["Sunny R"], different_from=[client_record.pk])
    actions.merge_clients(
        actor=er_nurse, survivor=client_record, merged=other, reason="Same", consent_method="verbal"
    )
    other.refresh_from_db()
    with pytest.raises(records.AssessmentError, match=f"merged into record {client_record.pk}"):
        records.record_assessment(actor=er_nurse, client=other, answers=LOWER)
    with pytest.raises(groups.GroupError, match="merged"):
        groups.place_client(actor=er_nurse, client=other, group="recreational")
