"""The JSON API: its OpenAPI document is valid, and each operation answers per persona."""

import json
import re

import pytest
from openapi_spec_validator import validate

from cairn.access.tests.factories import UserFactory
from cairn.api.main import api

PRINCE_GEORGE = "bc-lha-prince-george"
ABBOTSFORD = "bc-lha-abbotsford"
DOCUMENTED_PATHS = {
    "/api/v1/me",
    "/api/v1/communities",
    "/api/v1/communities/{code}",
    "/api/v1/fhir/Bundle",
    "/api/v1/reports/overdose",
    "/api/v1/alerts",
    "/api/v1/alerts/{alert_id}",
    "/api/v1/alerts/{alert_id}/acknowledge",
    "/api/v1/alerts/{alert_id}/action",
    "/api/v1/alerts/{alert_id}/dismiss",
    "/api/v1/inbox",
    "/api/v1/inbox/{entry_id}/read",
    "/api/v1/ranking",
    "/api/v1/counts/{code}",
    "/api/v1/cases/worklist",
    "/api/v1/cases/records/{event_id}",
    "/api/v1/cases/records/{event_id}/open",
    "/api/v1/cases/clients",
    "/api/v1/cases/clients/duplicates",
    "/api/v1/cases/clients/{client_id}",
    "/api/v1/cases/clients/{client_id}/episodes",
    "/api/v1/cases/clients/{client_id}/identity",
    "/api/v1/cases/clients/{client_id}/merge",
    "/api/v1/cases/merges/{merge_id}/undo",
    "/api/v1/cases/clients/{client_id}/assessments",
    "/api/v1/cases/clients/{client_id}/group",
    "/api/v1/cases/follow-ups",
    "/api/v1/cases/episodes/{episode_id}/follow-up",
    "/api/v1/cases/follow-ups/{follow_up_id}/attempts",
    # Care alerts, the care plan, supporters (cases-supporters).
    "/api/v1/cases/alerts",
    "/api/v1/cases/alerts/{alert_id}/acknowledge",
    "/api/v1/cases/clients/{client_id}/plan",
    "/api/v1/cases/clients/{client_id}/plan/goals",
    "/api/v1/cases/clients/{client_id}/plan/goals/{goal_id}",
    "/api/v1/cases/clients/{client_id}/plan/actions",
    "/api/v1/cases/clients/{client_id}/plan/actions/{action_id}",
    "/api/v1/cases/clients/{client_id}/plan/referrals",
    "/api/v1/cases/clients/{client_id}/plan/referrals/{referral_id}",
    "/api/v1/cases/clients/{client_id}/supporters",
    "/api/v1/cases/clients/{client_id}/supporters/{supporter_id}/consents",
    "/api/v1/cases/clients/{client_id}/supporters/{supporter_id}/consents/{consent_id}/revoke",
    "/api/v1/cases/clients/{client_id}/supporters/{supporter_id}/end",
    "/api/v1/cases/supporting",
    "/api/v1/cases/supporting/{client_id}",
    "/api/v1/cases/clients/{client_id}/treatment",
    "/api/v1/cases/clients/{client_id}/treatment/episodes",
    "/api/v1/cases/clients/{client_id}/treatment/episodes/{episode_id}/stop",
    "/api/v1/cases/clients/{client_id}/treatment/dispensing",
    "/api/v1/cases/clients/{client_id}/treatment/missed-doses",
    "/api/v1/cases/treatment/imports",
    "/api/v1/cases/treatment/cascade",
    # The resource directory (the first five are public: the directory needs no sign-in).
    "/api/v1/directory/search",
    "/api/v1/directory/services/{service_id}",
    "/api/v1/directory/hsds",
    "/api/v1/directory/hsds/services",
    "/api/v1/directory/hsds/services/{hsds_id}",
    "/api/v1/directory/hsds/import",
    "/api/v1/directory/listings",
    "/api/v1/directory/services/{service_id}/capacity",
    "/api/v1/directory/services/{service_id}/confirm",
    # Closed-loop referrals.
    "/api/v1/referrals",
    "/api/v1/referrals/sent",
    "/api/v1/referrals/received",
    "/api/v1/referrals/{referral_id}",
    "/api/v1/referrals/{referral_id}/steps",
    "/api/v1/referrals/{referral_id}/consent/withdraw",
    # Community action teams and their outreach.
    "/api/v1/teams",
    "/api/v1/teams/{slug}",
    "/api/v1/teams/{slug}/plan",
    "/api/v1/teams/{slug}/goals",
    "/api/v1/teams/{slug}/goals/{goal_id}/status",
    "/api/v1/teams/{slug}/actions",
    "/api/v1/teams/{slug}/actions/{action_id}/status",
    "/api/v1/teams/{slug}/indicators",
    "/api/v1/teams/{slug}/indicators/{indicator_id}/progress",
    "/api/v1/teams/{slug}/encounters",
    "/api/v1/teams/{slug}/encounters/indicators",
    # Campaigns: the plan and materials (helper plan).
    "/api/v1/campaigns",
    "/api/v1/campaigns/{campaign_id}",
    "/api/v1/campaigns/{campaign_id}/first-nations-approval",
    "/api/v1/campaigns/{campaign_id}/materials",
    "/api/v1/campaigns/materials/{material_id}",
    "/api/v1/campaigns/materials/{material_id}/transition",
    # Campaigns: the person-first term list and language review (helper language).
    "/api/v1/language/check",
    "/api/v1/language/terms",
    "/api/v1/language/versions",
    "/api/v1/campaigns/materials/{material_id}/language",
    "/api/v1/campaigns/materials/{material_id}/language/check",
    "/api/v1/campaigns/language/findings/{finding_id}/decision",
    # Campaigns: survey instruments, surveys, invitations, responses (helper surveys).
    "/api/v1/campaigns/surveys/instruments",
    "/api/v1/campaigns/surveys/instruments/{instrument_id}",
    "/api/v1/campaigns/{campaign_id}/surveys",
    "/api/v1/campaigns/surveys/{survey_id}",
    "/api/v1/campaigns/surveys/{survey_id}/invitations",
    "/api/v1/campaigns/surveys/{survey_id}/imports",
    "/api/v1/campaigns/surveys/{survey_id}/responses",
    # Campaigns: analysis of survey results and reach metrics (helper evaluation).
    "/api/v1/campaigns/surveys/{survey_id}/analysis",
    "/api/v1/campaigns/surveys/{survey_id}/agreement",
    "/api/v1/campaigns/{campaign_id}/reach",
    "/api/v1/campaigns/{campaign_id}/reach/import",
    # Campaigns: outcome series, interrupted time series, the report (helper report).
    "/api/v1/campaigns/{campaign_id}/outcomes",
    "/api/v1/campaigns/{campaign_id}/report",
}
# Operations open to everyone, signed in or not: the public resource directory.
PUBLIC_OPERATIONS = {
    ("get", "/api/v1/directory/search"),
    ("get", "/api/v1/directory/services/{service_id}"),
    ("get", "/api/v1/directory/hsds"),
    ("get", "/api/v1/directory/hsds/services"),
    ("get", "/api/v1/directory/hsds/services/{hsds_id}"),
}


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/schema")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def signed_in(client, user):
    client.force_login(user)
    return client


# The document.


def test_schema_is_a_valid_openapi_document(schema):
    validate(schema)  # picks the 3.0 or 3.1 validator from the document's `openapi` field
    assert schema["info"]["title"] == "Cairn API"
    assert schema["info"]["version"] == "1"


def test_schema_documents_every_operation(schema):
    assert set(schema["paths"]) == DOCUMENTED_PATHS


def test_schema_documents_every_operation_the_api_serves(schema):
    patterns, _, _ = api.urls
    own_views = {"openapi-json", "openapi-view", "api-root"}
    served = {
        "/api/v1/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(p.pattern))
        for p in patterns
        if p.name not in own_views
    }
    assert served == set(schema["paths"])


def test_schema_documents_session_and_token_authentication_on_every_operation(schema):
    assert {"SessionAuth", "ApiTokenAuth"} <= set(schema["components"]["securitySchemes"])
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if (method, path) in PUBLIC_OPERATIONS:
                assert "security" not in operation, (method, path)
                assert "401" not in operation["responses"], (method, path)
                continue
            assert operation["security"] == [{"SessionAuth": []}, {"ApiTokenAuth": []}], (
                method,
                path,
            )
            assert "401" in operation["responses"], (method, path)


def test_public_directory_operations_answer_without_signing_in(client, db):
    for method, path in PUBLIC_OPERATIONS:
        url = path.replace("{service_id}", "999999999").replace("{hsds_id}", "no-such-id")
        status = client.get(url).status_code
        assert status in (200, 404), (method, path, status)


def test_schema_is_public(client):
    # The document describes the API and holds no data about anyone.
    assert client.get("/api/v1/schema").status_code == 200


# Authentication and errors.


@pytest.mark.parametrize(
    "path", ["/api/v1/me", "/api/v1/communities", f"/api/v1/communities/{PRINCE_GEORGE}"]
)
def test_anonymous_gets_401_json(client, bc_geography, path):
    response = client.get(path)
    assert response.status_code == 401
    assert "Sign in" in response.json()["detail"]


def test_unknown_endpoint_is_404_json(client, police_liaison):
    response = signed_in(client, police_liaison).get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert "/api/v1/schema" in response.json()["detail"]


def test_unexpected_error_is_json_without_a_traceback(rf, caplog):
    response = api.on_exception(rf.get("/api/v1/me"), RuntimeError("secret internals"))
    assert response.status_code == 500
    body = json.loads(response.content)
    assert body == {"detail": "Something went wrong on Cairn's side; it has been logged."}
    assert "secret internals" in caplog.text  # logged for us, never shown to the caller


def test_a_body_over_the_upload_limit_is_413_json_not_500(client, communications_officer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = json.dumps({"name": "x" * 4096})

    response = signed_in(client, communications_officer).post(
        "/api/v1/campaigns", body, content_type="application/json"
    )

    assert response.status_code == 413
    assert response.json()["detail"].startswith("The request is too large (at most 1,024 bytes)")


def test_api_root_points_to_the_schema(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    assert response.json()["schema"] == "/api/v1/schema"


# /me


def test_me_lists_the_police_liaison_organization_role_and_permissions(client, police_liaison):
    body = signed_in(client, police_liaison).get("/api/v1/me").json()
    assert body["username"] == "police.liaison"
    assert body["organizations"] == [
        {
            "name": "Prince George Police Detachment",
            "slug": "prince-george-police-detachment",
            "sector": "police",
            "roles": ["police_liaison"],
            "coverage": [{"code": PRINCE_GEORGE, "name": "Prince George"}],
        }
    ]
    [role] = body["roles"]
    assert role["key"] == "police_liaison"
    assert role["data_tier"] == "aggregate"
    assert "never a person's record" in role["description"]
    assert body["permissions"] == ["view_dashboard", "view_community", "view_aggregates"]


def test_me_shows_the_er_nurse_may_see_identifiable_records(client, er_nurse):
    body = signed_in(client, er_nurse).get("/api/v1/me").json()
    assert body["roles"][0]["data_tier"] == "identifiable"
    assert "view_identifiable" in body["permissions"]


def test_me_for_a_user_without_a_role_is_empty(client, db):
    body = signed_in(client, UserFactory()).get("/api/v1/me").json()
    assert body["organizations"] == body["roles"] == body["permissions"] == []


# /communities


def test_police_liaison_sees_exactly_prince_george(client, police_liaison):
    body = signed_in(client, police_liaison).get("/api/v1/communities").json()
    assert [c["code"] for c in body] == [PRINCE_GEORGE]
    [community] = body
    assert community["hsda"] == {"code": "bc-hsda-northern-interior", "name": "Northern Interior"}
    assert community["health_authority"] == {"code": "bc-ha-northern", "name": "Northern"}
    assert community["latest_population"]["year"] == 2022


def test_provincial_epidemiologist_sees_all_89_communities(client, epidemiologist):
    body = signed_in(client, epidemiologist).get("/api/v1/communities").json()
    assert len(body) == 89
    abbotsford = next(c for c in body if c["code"] == ABBOTSFORD)
    assert abbotsford["latest_population"] == {
        "year": 2022,
        "population": 168906,
        "is_estimate": True,
        "source": abbotsford["latest_population"]["source"],
    }


def test_regional_epidemiologist_sees_only_fraser_communities(client, regional_epidemiologist):
    body = signed_in(client, regional_epidemiologist).get("/api/v1/communities").json()
    assert body and {c["health_authority"]["code"] for c in body} == {"bc-ha-fraser"}


def test_communities_refused_to_a_user_without_a_role(client, db):
    response = signed_in(client, UserFactory()).get("/api/v1/communities")
    assert response.status_code == 403
    assert "administrator" in response.json()["detail"]


def test_community_detail_has_populations_and_boundary(client, police_liaison):
    body = signed_in(client, police_liaison).get(f"/api/v1/communities/{PRINCE_GEORGE}").json()
    assert body["name"] == "Prince George"
    years = [p["year"] for p in body["populations"]]
    assert years == sorted(years) and years[-1] == 2022
    assert body["boundary"]["type"] in {"Polygon", "MultiPolygon"}
    min_lon, min_lat, max_lon, max_lat = body["bbox"]
    assert min_lon < -122.75 < max_lon and min_lat < 53.92 < max_lat


def test_er_nurse_is_refused_prince_george(client, er_nurse):
    response = signed_in(client, er_nurse).get(f"/api/v1/communities/{PRINCE_GEORGE}")
    assert response.status_code == 403
    assert "Prince George" in response.json()["detail"]


def test_unknown_community_is_404(client, epidemiologist):
    response = signed_in(client, epidemiologist).get("/api/v1/communities/bc-lha-atlantis")
    assert response.status_code == 404
    assert response.json() == {"detail": "No community has the code 'bc-lha-atlantis'."}


def test_a_health_authority_is_not_a_community(client, epidemiologist):
    response = signed_in(client, epidemiologist).get("/api/v1/communities/bc-ha-northern")
    assert response.status_code == 404


def test_community_list_needs_the_same_few_queries_for_89_communities(
    client, epidemiologist, django_assert_max_num_queries
):
    signed_in(client, epidemiologist)
    with django_assert_max_num_queries(8):
        assert len(client.get("/api/v1/communities").json()) == 89
