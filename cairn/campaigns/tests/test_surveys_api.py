"""The surveys API: the same rules and words as the pages, 422 naming what is wrong."""

from cairn.campaigns.models.surveys import Response
from cairn.campaigns.tests import surveys_fixtures
from cairn.campaigns.tests.surveys_fixtures import ALL_DISAGREE

pre_post_survey = surveys_fixtures.pre_post_survey
sample_instrument = surveys_fixtures.sample_instrument

API = "/api/v1/campaigns"


def test_an_instrument_is_entered_and_read_back(client, communications_officer):
    client.force_login(communications_officer)
    body = {
        "name": "Short",
        "options": [{"value": 0, "label": "No"}, {"value": 1, "label": "Yes"}],
        "items": [
            {
                "code": "k1",
                "wording": "Naloxone reverses an opioid overdose.",
                "reverse_scored": False,
            },
            {"code": "k2", "wording": "Naloxone is harmful to give.", "reverse_scored": True},
        ],
        "subscales": [
            {"key": "knowledge", "name": "Knowledge", "scoring": "sum", "items": ["k1", "k2"]}
        ],
    }
    made = client.post(f"{API}/surveys/instruments", body, content_type="application/json")
    assert made.status_code == 201, made.content
    instrument = made.json()
    assert instrument["ready"] and instrument["items"][1]["reverse_scored"]
    again = client.get(f"{API}/surveys/instruments/{instrument['id']}").json()
    assert again["subscales"][0]["items"] == ["k1", "k2"]
    listed = {i["name"] for i in client.get(f"{API}/surveys/instruments").json()}
    assert {"Short", "Attitudes toward people who use drugs (Cairn sample, 8 items)"} <= listed


def test_a_refused_instrument_says_what_and_where(client, communications_officer):
    client.force_login(communications_officer)
    body = {"name": "", "options": [{"value": 1, "label": "Yes"}], "items": [{"code": "Q 1"}]}
    refused = client.post(f"{API}/surveys/instruments", body, content_type="application/json")
    assert refused.status_code == 422
    detail = refused.json()["detail"]
    assert "Give the instrument a name." in detail
    assert "Options: give at least two answers" in detail
    assert "Items, line 1: the code “Q 1” must start with a lower-case letter" in detail


def test_a_survey_is_started_invitations_made_and_scores_read(
    client, communications_officer, campaign, sample_instrument
):
    client.force_login(communications_officer)
    made = client.post(
        f"{API}/{campaign.pk}/surveys",
        {"title": "Views", "design": "pre_post", "instrument_id": sample_instrument.pk},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    survey = made.json()
    assert [w["key"] for w in survey["waves"]] == ["pre", "post"]
    links = client.post(
        f"{API}/surveys/{survey['id']}/invitations",
        {"wave": "pre", "count": 2},
        content_type="application/json",
    ).json()
    assert links["count"] == 2 and links["links"][0].startswith("http://testserver/survey/")
    token = links["links"][0].rsplit("/", 2)[-2]
    client.post(f"/survey/{token}/", {"consent": "yes", **ALL_DISAGREE})
    scores = client.get(f"{API}/surveys/{survey['id']}/responses").json()
    assert scores == [
        {
            "wave": "pre",
            "group": "",
            "segment": "",
            "source": "web",
            "submitted_on": Response.objects.get().submitted_on.isoformat(),
            "paired": False,
            "total_score": 3.5,
            "scores": {"moral_view": 4.0, "social_distance": 3.0},
        }
    ]
    assert client.get(f"{API}/{campaign.pk}/surveys").json()[0]["waves"][0]["responses"] == 1


def test_panel_rows_are_imported_from_a_csv_body(client, communications_officer, pre_post_survey):
    client.force_login(communications_officer)
    body = "wave,panel_id,q1,q2,q3,q4,q5,q6,q7,q8\npre,A,1,1,1,1,1,1,1,1\npost,A,5,5,5,1,5,5,1,9\n"
    url = f"{API}/surveys/{pre_post_survey.pk}/imports"
    first = client.post(url, body, content_type="text/csv")
    assert first.status_code == 201
    assert first.json()["rows_added"] == 1
    assert first.json()["errors"] == [
        {
            "line": 3,
            "column": "q8",
            "message": "“9” is not an answer value (1, 2, 3, 4, 5, or empty).",
        }
    ]
    again = client.post(url, body, content_type="text/csv").json()
    assert (again["rows_added"], again["rows_already_imported"]) == (0, 1)
    refused = client.post(url, "panel_id\nA\n", content_type="text/csv")
    assert refused.status_code == 422
    assert "line 1, column wave: The column “wave” is missing." in refused.json()["detail"]


def test_a_partner_reads_but_cannot_make_invitations(
    client, municipal_coordinator, pre_post_survey
):
    client.force_login(municipal_coordinator)
    assert client.get(f"{API}/surveys/{pre_post_survey.pk}").status_code == 200
    refused = client.post(
        f"{API}/surveys/{pre_post_survey.pk}/invitations",
        {"wave": "pre", "count": 2},
        content_type="application/json",
    )
    assert refused.status_code == 403
