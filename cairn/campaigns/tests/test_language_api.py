"""The language API: check a text, read and save the term list, a material's review."""

import pytest

from cairn.campaigns.language import review as reviewing
from cairn.campaigns.language.terms import COLUMNS
from cairn.campaigns.models.language import TermList
from cairn.campaigns.tests.language_fixtures import *  # noqa: F403 (fixtures)

pytestmark = pytest.mark.django_db


def as_user(client, user):
    client.force_login(user)
    return client


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_check_a_text(client, peer_worker, shipped_terms):
    response = post(
        as_user(client, peer_worker),
        "/api/v1/language/check",
        {"text": 'He stayed clean. She said "I was a junkie."'},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["term_list_version"] == 1
    (finding,) = body["findings"]
    assert (finding["matched"], finding["term"], finding["suggestion"]) == (
        "clean",
        "clean-person",
        "not currently using drugs",
    )
    assert (finding["start"], finding["end"]) == (10, 15)


def test_check_an_empty_text_names_the_field(client, peer_worker, shipped_terms):
    response = post(as_user(client, peer_worker), "/api/v1/language/check", {"text": " "})
    assert response.status_code == 422
    assert response.json()["field"] == "text"


def test_check_needs_sign_in(client, shipped_terms):
    assert post(client, "/api/v1/language/check", {"text": "addict"}).status_code == 401


def test_read_the_list_and_its_versions(client, er_nurse, shipped_terms):
    as_user(client, er_nurse)
    terms = client.get("/api/v1/language/terms").json()
    assert terms["version"] == 1 and terms["current"] is True
    assert {"addict", "detox", "overdose"} <= {t["key"] for t in terms["terms"]}
    versions = client.get("/api/v1/language/versions").json()
    assert [(v["version"], v["created_by"]) for v in versions] == [(1, "Cairn")]
    assert client.get("/api/v1/language/terms?version=9").status_code == 404


def test_an_administrator_saves_a_new_version(client, administrator, shipped_terms):
    as_user(client, administrator)
    current = client.get("/api/v1/language/terms").json()["terms"]
    kept = [t for t in current if t["key"] != "bum"]
    response = post(
        client,
        "/api/v1/language/terms",
        {"note": "Removed a term nobody writes any more.", "terms": kept},
    )
    assert response.status_code == 201
    assert response.json()["version"] == 2
    assert TermList.current().terms.count() == len(current) - 1


def test_a_bad_term_names_the_term_and_field(client, administrator, shipped_terms):
    as_user(client, administrator)
    term = {c: "" for c in COLUMNS} | {
        "key": "x",
        "variants": "x",
        "preferred": "y",
        "category": "nonsense",
        "reason": "r",
        "window": 3,
        "severity": "avoid",
        "inflect": "none",
    }
    response = post(client, "/api/v1/language/terms", {"note": "n", "terms": [term]})
    assert response.status_code == 422
    assert response.json()["field"] == "terms.x.category"
    assert TermList.current().version == 1


def test_only_administrators_save_the_list(client, communications_officer, shipped_terms):
    response = post(
        as_user(client, communications_officer),
        "/api/v1/language/terms",
        {"note": "n", "terms": []},
    )
    assert response.status_code == 403


def test_a_materials_review_and_its_decisions(client, communications_officer, poster_in_review):
    as_user(client, communications_officer)
    url = f"/api/v1/campaigns/materials/{poster_in_review.pk}/language"
    review = client.get(url).json()
    assert (review["status"], review["revision"], review["open"]) == ("in_review", 1, 2)
    relapse = next(f for f in review["findings"] if f["term"] == "relapse")
    decision_url = f"/api/v1/campaigns/language/findings/{relapse['id']}/decision"
    refused = post(client, decision_url, {"decision": "overridden"})
    assert refused.status_code == 422 and refused.json()["field"] == "reason"
    kept = post(client, decision_url, {"decision": "overridden", "reason": "Her own words."})
    assert kept.status_code == 200 and kept.json()["open"] == 1
    # The same request again changes nothing.
    again = post(client, decision_url, {"decision": "overridden", "reason": "Her own words."})
    assert again.json()["open"] == 1
    addicts = next(f for f in review["findings"] if f["term"] == "addict")
    accepted = post(
        client,
        f"/api/v1/campaigns/language/findings/{addicts['id']}/decision",
        {"decision": "accepted"},
    ).json()
    assert (accepted["revision"], accepted["open"]) == (2, 0)
    assert [f["decision"] for f in accepted["findings"] if f["term"] == "relapse"] == ["overridden"]


def test_checking_a_material_again(client, communications_officer, poster):
    as_user(client, communications_officer)
    url = f"/api/v1/campaigns/materials/{poster.pk}/language"
    assert client.get(url).json()["checked"] is False
    checked = client.post(url + "/check").json()
    assert checked["checked"] is True and checked["term_list_version"] == 1
    assert len(client.post(url + "/check").json()["findings"]) == 3


def test_a_material_elsewhere_is_not_found(client, first_nations_partner, poster_in_review):
    # The First Nations partner sees campaigns addressed to First Nations audiences only.
    response = as_user(client, first_nations_partner).get(
        f"/api/v1/campaigns/materials/{poster_in_review.pk}/language"
    )
    assert response.status_code == 404


def test_outside_the_campaigns_area_is_forbidden(client, er_nurse, poster_in_review):
    finding = reviewing.open_findings(poster_in_review).first()
    response = post(
        as_user(client, er_nurse),
        f"/api/v1/campaigns/language/findings/{finding.pk}/decision",
        {"decision": "accepted"},
    )
    assert response.status_code == 403
