"""The curators' HSDS page: upload files, see what was imported and every record left out
(file, record, field); download the directory as HSDS. Curators only."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cairn.directory.models import HsdsImport, Service
from cairn.directory.tests.hsds_helpers import CSV_EXAMPLES, JSON_EXAMPLES

pytestmark = pytest.mark.django_db


def _uploads():
    return [SimpleUploadedFile(p.name, p.read_bytes()) for p in sorted(CSV_EXAMPLES.glob("*.csv"))]


def test_curator_uploads_and_sees_the_counts(client, administrator):
    client.force_login(administrator)
    assert client.get("/directory/hsds/").status_code == 200

    response = client.post("/directory/hsds/import/", {"files": _uploads()})

    assert response.status_code == 200
    page = response.content.decode()
    assert "21 new, 0 changed, 0 unchanged, 0 left out" in page
    assert "None: every record was imported." in page
    log = HsdsImport.objects.get()
    assert client.get(f"/directory/hsds/imports/{log.pk}/").status_code == 200
    assert "21 new" in client.get("/directory/hsds/").content.decode()


def test_records_left_out_are_listed_with_file_record_and_field(client, administrator):
    client.force_login(administrator)
    bad = (
        (JSON_EXAMPLES / "service_full.json")
        .read_text()
        .replace('"status": "active"', '"status": "open"')
    )

    page = client.post(
        "/directory/hsds/import/",
        {"files": [SimpleUploadedFile("service_full.json", bad.encode())]},
    ).content.decode()

    assert "1 left out" in page
    assert (
        "service_full.json, service / (id ac148810-d857-441c-9679-408f346de14b), "
        "field <code>status</code>" in page
    )
    assert not Service.objects.exists()
    log = HsdsImport.objects.get()
    detail = client.get(f"/directory/hsds/imports/{log.pk}/").content.decode()
    assert "field <code>status</code>" in detail


def test_no_file_chosen_says_so(client, administrator):
    client.force_login(administrator)
    response = client.post("/directory/hsds/import/", {})
    assert response.status_code == 422
    assert "Choose one or more HSDS files" in response.content.decode()


def test_curator_downloads_every_table_as_csv(client, administrator):
    client.force_login(administrator)
    client.post("/directory/hsds/import/", {"files": _uploads()})

    response = client.get("/directory/hsds/export/csv/")

    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.read("services.csv") == (CSV_EXAMPLES / "services.csv").read_bytes()
    json_export = client.get("/directory/hsds/export/json/")
    assert json_export.json()[0]["name"] == "Community Counselling"


@pytest.mark.parametrize("persona", ["service_intake", "er_nurse", "municipal_coordinator"])
def test_others_are_refused(client, personas, persona):
    client.force_login(personas[persona])
    assert client.get("/directory/hsds/").status_code == 403
    assert client.post("/directory/hsds/import/", {"files": _uploads()}).status_code == 403
    assert client.get("/directory/hsds/export/csv/").status_code == 403
    assert not Service.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/directory/hsds/")
    assert response.status_code == 302 and "login" in response["Location"]
