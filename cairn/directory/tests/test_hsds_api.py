"""The HSDS API: curators import files (bad records named, good ones kept); anyone reads
the services as an HSDS Page or one compiled service."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cairn.access.models import AuditEvent
from cairn.directory.hsds.importer import import_hsds
from cairn.directory.hsds.validation import jsonschema_validator
from cairn.directory.models import HsdsImport, Service
from cairn.directory.tests.hsds_helpers import CSV_EXAMPLES, JSON_EXAMPLES, differences, example

pytestmark = pytest.mark.django_db
IMPORT = "/api/v1/directory/hsds/import"


def _csv_uploads():
    return [
        SimpleUploadedFile(p.name, p.read_bytes(), content_type="text/csv")
        for p in sorted(CSV_EXAMPLES.glob("*.csv"))
    ]


def test_curator_imports_csv_files_and_the_import_is_logged_and_audited(client, administrator):
    client.force_login(administrator)

    response = client.post(IMPORT, {"files": _csv_uploads()})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["created"] == 21 and body["errors"] == []
    assert body["tables"]["service"]["created"] == 1
    log = HsdsImport.objects.get(pk=body["import_id"])
    assert log.imported_by == administrator and log.created == 21
    assert AuditEvent.objects.filter(
        action="directory.hsds_import", actor_id=administrator.pk
    ).exists()

    again = client.post(IMPORT, {"files": _csv_uploads()}).json()
    assert again["created"] == 0 and again["unchanged"] == 21
    assert Service.objects.count() == 1


def test_curator_sends_one_json_document_as_the_body(client, administrator):
    client.force_login(administrator)
    response = client.post(
        IMPORT, (JSON_EXAMPLES / "service_full.json").read_bytes(), content_type="application/json"
    )
    assert response.status_code == 200
    assert Service.objects.get().name == "Community Counselling"


def test_every_bad_record_is_named_and_the_good_ones_kept(client, administrator):
    client.force_login(administrator)
    services = (CSV_EXAMPLES / "services.csv").read_text()
    header, row = services.splitlines()[:2]
    bad_row = row.replace("ac148810-d857-441c-9679-408f346de14b", "ac148810-not-a-uuid", 1)
    upload = SimpleUploadedFile("services.csv", f"{header}\n{row}\n{bad_row}\n".encode())

    body = client.post(IMPORT, {"files": [upload]}).json()

    assert body["created"] == 1 and body["rejected"] == 1
    [error] = body["errors"]
    assert (
        error["file"] == "services.csv"
        and error["record"] == "service row 3 (id ac148810-not-a-uuid)"
    )
    assert error["field"] == "id" and error["message"] == "'ac148810-not-a-uuid' is not a 'uuid'"


def test_nothing_importable_answers_422_with_the_reasons(client, administrator):
    client.force_login(administrator)
    response = client.post(IMPORT, b'{"id": 1', content_type="application/json")
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["file"] == "request.json" and error["message"].startswith("not valid JSON")

    response = client.post(IMPORT, {})
    assert response.status_code == 422 and response.json()["field"] == "files"


@pytest.mark.parametrize(
    "persona", ["service_intake", "er_nurse", "municipal_coordinator", "outreach_worker"]
)
def test_only_curators_may_import(client, personas, persona):
    client.force_login(personas[persona])
    response = client.post(IMPORT, {"files": _csv_uploads()})
    assert response.status_code == 403
    assert not Service.objects.exists()


def test_anonymous_import_is_refused(client):
    assert client.post(IMPORT, {"files": _csv_uploads()}).status_code == 401


def test_services_are_public_as_an_hsds_page(client):
    import_hsds(JSON_EXAMPLES / "service_list.json")
    page = client.get("/api/v1/directory/hsds/services", {"size": 10}).json()
    assert page["total_items"] == 1 and page["size"] == 10
    assert differences(page["contents"], example("service_list.json")["contents"]) == []
    full = client.get("/api/v1/directory/hsds/services", {"full": "true"}).json()
    assert list(jsonschema_validator("service").iter_errors(full["contents"][0])) == []


def test_one_service_compiled_by_its_hsds_id(client):
    import_hsds(JSON_EXAMPLES / "service_full.json")
    response = client.get("/api/v1/directory/hsds/services/ac148810-d857-441c-9679-408f346de14b")
    assert response.status_code == 200
    assert differences(response.json(), example("service_full.json")) == []
    missing = client.get("/api/v1/directory/hsds/services/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404


def test_the_hsds_root_says_the_version(client):
    assert client.get("/api/v1/directory/hsds").json()["version"] == "3.0"


def test_page_size_out_of_range_answers_422(client):
    response = client.get("/api/v1/directory/hsds/services", {"size": 5000})
    assert response.status_code == 422
    assert json.dumps(response.json()).count("size") >= 1
