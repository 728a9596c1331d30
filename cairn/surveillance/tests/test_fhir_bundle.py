"""POST /api/v1/fhir/Bundle: ED visits as FHIR R4/R4B Bundles, once, and nothing lost."""

import copy
import json
from pathlib import Path

import pytest
from django.urls import reverse

from cairn.access.tokens import issue_api_token
from cairn.surveillance.models import Event, EventRevision, QuarantinedRecord

BUNDLES = Path(__file__).parent / "fhir_bundles"
URL = "/api/v1/fhir/Bundle"


def bundle(name: str) -> dict:
    return json.loads((BUNDLES / name).read_text())


FENTANYL_R4 = "r4_transaction_fentanyl.json"
METH_R4B = "r4b_collection_methamphetamine.json"


def post(client, body, content_type="application/fhir+json", **headers):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(URL, data=data, content_type=content_type, headers=headers)


@pytest.fixture
def sender(client, first_responder):
    client.force_login(first_responder)
    return client


def only_issue(response) -> dict:
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert len(outcome["issue"]) == 1, outcome
    return outcome["issue"][0]


def test_url_is_the_fhir_bundle_endpoint():
    assert reverse("api:fhir_bundle") == URL


def test_r4_bundle_creates_one_placed_classified_visit(sender, prince_george):
    response = post(sender, bundle(FENTANYL_R4))

    assert response.status_code == 201
    assert response["Content-Type"] == "application/fhir+json"
    issue = only_issue(response)
    assert issue["severity"] == "information"
    assert issue["details"]["text"] == "created"
    event = Event.objects.get()
    assert issue["details"]["coding"][1]["code"] == str(event.pk)
    assert issue["expression"] == ["Bundle.entry[0].resource"]
    assert event.source == "ed"
    assert event.dedup_key == "ed:UHNBC:V20261120-0457"
    assert event.facility == "UHNBC"
    assert event.community == prince_george
    assert event.age_band == "30-34"
    assert event.sex == "M"
    assert event.diagnosis_codes == ["T40.4"]
    assert "fentanyl" in event.chief_complaint
    assert event.disposition == "discharged"
    assert event.identity.family_name == "Synthetic-000001"
    assert event.identity.health_number == "9000000001"


def test_r4b_collection_with_location_and_coded_complaint(sender, bc_geography):
    response = post(sender, bundle(METH_R4B), content_type="application/json")

    assert response.status_code == 201
    assert response["Content-Type"] == "application/json"
    event = Event.objects.get()
    assert event.facility == "SPH-ED"
    assert event.dedup_key == "ed:SPH-ED:SPH-2026-88213"
    assert event.community.name == "Vancouver - City Centre"  # by postal code V6Z
    assert event.sex == "F"
    assert event.age_band == "25-29"
    assert event.diagnosis_codes == ["T43.651A"]
    assert event.chief_complaint == "agitated, took crystal meth tonight, chest pain"
    assert event.identity.date_of_birth is None  # "2001-09" is not a whole date


def test_the_same_bundle_twice_makes_one_record(sender):
    first = post(sender, bundle(FENTANYL_R4))
    second = post(sender, bundle(FENTANYL_R4))

    assert first.status_code == 201
    assert second.status_code == 200
    assert only_issue(second)["details"]["text"] == "duplicate"
    assert Event.objects.count() == 1


def test_a_bundle_without_identifier_is_deduplicated_by_content(sender):
    body = bundle(METH_R4B)
    post(sender, body)
    # Same content, different whitespace: the same bundle.
    again = post(sender, json.dumps(body, indent=4))
    assert only_issue(again)["details"]["text"] == "duplicate"
    assert Event.objects.count() == 1


def test_a_changed_disposition_updates_the_visit_and_keeps_its_history(sender):
    post(sender, bundle(FENTANYL_R4))
    update = bundle(FENTANYL_R4)
    update["identifier"]["value"] = "UHNBC-ED-20261120-0002"
    update["entry"][0]["resource"]["hospitalization"]["dischargeDisposition"] = {
        "coding": [
            {
                "system": "http://terminology.hl7.org/CodeSystem/discharge-disposition",
                "code": "aadvice",
            }
        ]
    }

    response = post(sender, update)

    assert response.status_code == 200
    assert only_issue(response)["details"]["text"] == "updated"
    event = Event.objects.get()
    assert event.disposition == "left_ama"
    assert event.revision == 2
    assert EventRevision.objects.get(event=event).previous["disposition"] == "discharged"


def test_bearer_token_may_send(client, first_responder, django_user_model):
    from django.db import transaction

    with transaction.atomic():
        _, raw = issue_api_token(actor="test", user=first_responder, name="ED feed")
    response = post(client, bundle(FENTANYL_R4), Authorization=f"Bearer {raw}")
    assert response.status_code == 201


def test_epidemiologist_who_manages_intake_may_send(client, epidemiologist):
    client.force_login(epidemiologist)
    assert post(client, bundle(FENTANYL_R4)).status_code == 201


def test_anonymous_is_refused_401(client, bc_geography):
    response = post(client, bundle(FENTANYL_R4))
    assert response.status_code == 401
    assert Event.objects.count() == 0


def test_a_role_without_submit_reports_is_refused_403(client, police_liaison):
    client.force_login(police_liaison)
    response = post(client, bundle(FENTANYL_R4))
    assert response.status_code == 403
    assert Event.objects.count() == 0
    assert QuarantinedRecord.objects.count() == 0


# Malformed input: 400/422, an OperationOutcome saying where and what, and quarantine.


def assert_rejected(response, *, status, expression, says, quarantined=True):
    assert response.status_code == status, response.content
    outcome = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    where = [issue["expression"][0] for issue in outcome["issue"]]
    assert expression in where, where
    issue = outcome["issue"][where.index(expression)]
    assert issue["severity"] == "error"
    assert says in issue["diagnostics"], issue["diagnostics"]
    assert Event.objects.count() == 0
    if quarantined:
        record = QuarantinedRecord.objects.get()
        assert record.format == "fhir"
        assert record.location == outcome["issue"][0]["expression"][0]


def test_empty_body_is_refused(sender):
    response = post(sender, "")
    assert_rejected(response, status=400, expression="Bundle", says="empty", quarantined=False)


def test_not_json_is_refused_and_quarantined(sender):
    response = post(sender, '{"resourceType": "Bundle", ')
    assert_rejected(response, status=400, expression="Bundle", says="not JSON")
    assert QuarantinedRecord.objects.get().raw == '{"resourceType": "Bundle", '


def test_not_utf8_is_refused(sender):
    response = post(sender, b"\xff\xfe{}")
    assert_rejected(response, status=400, expression="Bundle", says="not UTF-8")


def test_a_json_array_is_not_a_bundle(sender):
    response = post(sender, [1, 2])
    assert_rejected(response, status=400, expression="Bundle", says="got an array")


def test_a_patient_is_not_a_bundle(sender):
    patient = bundle(FENTANYL_R4)["entry"][1]["resource"]
    response = post(sender, patient)
    assert_rejected(
        response,
        status=400,
        expression="Patient.resourceType",
        says="Expected resourceType 'Bundle'",
    )


def test_a_bundle_without_encounter_is_refused(sender):
    body = bundle(FENTANYL_R4)
    del body["entry"][0]
    response = post(sender, body)
    assert_rejected(response, status=422, expression="Bundle.entry", says="no Encounter")


def test_a_bad_date_is_refused_with_its_fhirpath(sender):
    body = bundle(FENTANYL_R4)
    body["entry"][0]["resource"]["period"]["start"] = "2026-13-45T25:00:00-08:00"
    response = post(sender, body)
    assert_rejected(
        response,
        status=422,
        expression="Bundle.entry[0].resource.period.start",
        says="not a valid FHIR date",
    )


def test_a_time_without_zone_is_refused(sender):
    body = bundle(FENTANYL_R4)
    body["entry"][0]["resource"]["period"]["start"] = "2026-11-20T22:15:00"
    response = post(sender, body)
    assert_rejected(
        response, status=422, expression="Bundle.entry[0].resource.period.start", says="zone"
    )


def test_a_bad_birth_date_is_refused(sender):
    body = bundle(FENTANYL_R4)
    body["entry"][1]["resource"]["birthDate"] = "1992-02-30"
    response = post(sender, body)
    assert_rejected(
        response, status=422, expression="Bundle.entry[1].resource.birthDate", says="date"
    )


def test_an_unknown_resource_type_is_refused(sender):
    body = bundle(FENTANYL_R4)
    body["entry"].append({"resource": {"resourceType": "OverdoseThing", "id": "x"}})
    response = post(sender, body)
    assert_rejected(
        response,
        status=422,
        expression="Bundle.entry[5].resource.resourceType",
        says="Unknown resource type 'OverdoseThing'",
    )


def test_a_wrong_field_type_is_refused(sender):
    body = bundle(FENTANYL_R4)
    body["entry"][1]["resource"]["gender"] = 1
    body["entry"][2]["resource"]["code"] = "T40.4"
    response = post(sender, body)
    assert_rejected(
        response,
        status=422,
        expression="Bundle.entry[1].resource.gender",
        says="Expected a string, got a number",
    )
    assert_rejected(
        response,
        status=422,
        expression="Bundle.entry[2].resource.code",
        says="Expected an object, got a string",
    )


def test_an_unknown_element_is_refused(sender):
    body = bundle(FENTANYL_R4)
    body["entry"][0]["resource"]["chiefComplaint"] = "OD"
    response = post(sender, body)
    assert_rejected(
        response,
        status=422,
        expression="Bundle.entry[0].resource.chiefComplaint",
        says="not defined",
    )


def test_a_missing_bundle_type_is_refused(sender):
    body = bundle(FENTANYL_R4)
    del body["type"]
    assert_rejected(post(sender, body), status=422, expression="Bundle.type", says="required")


def test_a_searchset_is_not_accepted(sender):
    body = bundle(FENTANYL_R4)
    body["type"] = "searchset"
    assert_rejected(post(sender, body), status=422, expression="Bundle.type", says="searchset")


def test_an_encounter_without_visit_number_start_or_facility_names_each(sender):
    body = bundle(FENTANYL_R4)
    encounter = body["entry"][0]["resource"]
    del encounter["identifier"], encounter["serviceProvider"]
    del encounter["period"]["start"]
    response = post(sender, body)
    where = {issue["expression"][0] for issue in response.json()["issue"]}
    assert response.status_code == 422
    assert where == {
        "Bundle.entry[0].resource.identifier",
        "Bundle.entry[0].resource.period.start",
        "Bundle.entry[0].resource.serviceProvider",
    }


def test_an_inpatient_encounter_is_not_an_ed_visit(sender):
    body = bundle(FENTANYL_R4)
    body["entry"][0]["resource"]["class"]["code"] = "IMP"
    assert_rejected(
        post(sender, body), status=422, expression="Bundle.entry[0].resource.class", says="EMER"
    )


def test_an_unsupported_content_type_is_refused(sender):
    response = post(sender, json.dumps(bundle(FENTANYL_R4)), content_type="text/plain")
    assert response.status_code == 415
    assert response.json()["resourceType"] == "OperationOutcome"


def test_two_encounters_in_one_bundle_make_two_visits(sender):
    body = bundle(FENTANYL_R4)
    second = copy.deepcopy(body["entry"][0])
    second["fullUrl"] = "urn:uuid:second-encounter"
    second["resource"]["identifier"][0]["value"] = "V20261120-0458"
    body["entry"].append(second)
    response = post(sender, body)
    assert response.status_code == 201
    assert [i["details"]["text"] for i in response.json()["issue"]] == ["created", "created"]
    first_visit, second_visit = Event.objects.order_by("source_record_id")
    assert first_visit.diagnosis_codes == ["T40.4"]  # linked to the first encounter only
    assert second_visit.diagnosis_codes == []


def test_a_bundle_over_the_size_limit_is_refused_413(sender, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post(sender, bundle(FENTANYL_R4))
    assert response.status_code == 413
    assert response.json()["issue"][0]["code"] == "too-costly"


def test_a_message_bundle_with_its_header_is_accepted(sender):
    body = bundle(FENTANYL_R4)
    body["type"] = "message"
    for entry in body["entry"]:
        entry.pop("request")
    header = {
        "resourceType": "MessageHeader",
        "eventCoding": {"system": "http://example.org/events", "code": "ed-visit"},
        "source": {"endpoint": "urn:oid:2.16.840.1.113883.3.72.5.9.1"},
        "focus": [{"reference": "urn:uuid:6f1d6b0e-6d0a-4d3e-9d0f-2d6c1c6f0a01"}],
    }
    body["entry"].insert(0, {"fullUrl": "urn:uuid:header", "resource": header})
    response = post(sender, body)
    assert response.status_code == 201
    assert only_issue(response)["expression"] == ["Bundle.entry[1].resource"]


@pytest.mark.parametrize("nul", ["\x00", "\\u0000"])
def test_a_nul_character_is_refused(sender, nul):
    text = json.dumps(bundle(FENTANYL_R4)).replace("narcan x2", "narcan" + nul)
    assert_rejected(post(sender, text), status=400, expression="Bundle", says="NUL character")
