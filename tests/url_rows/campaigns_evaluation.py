"""URL permission rows: campaigns, evaluation (survey results, reach).

The matrix has no campaign or survey, so it checks what comes before one is read: people
without the Campaigns area get 403 (401 anonymous on the API) before anything is looked
up; campaign readers get 404 for a survey or campaign that does not exist; changing reach
is for communications staff who run campaigns (403 for the First Nations partner, who
reads but does not run campaigns). Who reads and changes a real campaign's results and
reach is tested in cairn/campaigns/tests/test_evaluation_pages.py and _api.py.
"""

from tests.url_rows.common import EVERY_PERSONA, Visit

PLANNERS = frozenset({"communications_officer", "municipal_coordinator"})
CAMPAIGN_READERS = PLANNERS | {"first_nations_partner"}
NO_SURVEY = {"survey_id": "999999"}
NO_CAMPAIGN = {"campaign_id": "999999"}


def _post_page(kwargs) -> list[Visit]:
    # GET is not allowed (405) for the signed in before anything else is checked.
    return [
        Visit(EVERY_PERSONA, kwargs=kwargs, success=405),
        Visit(PLANNERS, kwargs=kwargs, method="post", success=404),
    ]


ROWS: dict[str, list[Visit]] = {
    "campaigns:survey_results": [Visit(CAMPAIGN_READERS, kwargs=NO_SURVEY, success=404)],
    "campaigns:survey_results_csv": [Visit(CAMPAIGN_READERS, kwargs=NO_SURVEY, success=404)],
    "campaigns:campaign_reach": [Visit(CAMPAIGN_READERS, kwargs=NO_CAMPAIGN, success=404)],
    "campaigns:reach_import": _post_page(NO_CAMPAIGN),
    "campaigns:reach_record": _post_page(NO_CAMPAIGN),
    "campaigns:reach_template": [Visit(CAMPAIGN_READERS)],
    # API (cairn/api/campaigns_evaluation.py).
    "api:campaign_survey_analysis": [Visit(CAMPAIGN_READERS, kwargs=NO_SURVEY, success=404)],
    "api:campaign_survey_agreement": [Visit(CAMPAIGN_READERS, kwargs=NO_SURVEY, success=404)],
    "api:campaign_reach": [Visit(CAMPAIGN_READERS, kwargs=NO_CAMPAIGN, success=404)],
    # An empty form is not the JSON rows the operation takes (400) before the lookup.
    "api:campaign_reach_record": [Visit(PLANNERS, kwargs=NO_CAMPAIGN, method="post", success=400)],
    # The CSV import reads its body after the campaign is found: 404.
    "api:campaign_reach_import": [Visit(PLANNERS, kwargs=NO_CAMPAIGN, method="post", success=404)],
}
