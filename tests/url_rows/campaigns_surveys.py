"""URL permission rows: campaigns, surveys (instruments, surveys, invitations, imports,
the public survey page).

- Instruments and new surveys: communications staff who plan campaigns
  (MANAGE_CAMPAIGNS); everyone else 403 before anything is looked up.
- A survey's pages: whoever the Campaigns area is for (planners and the First Nations
  partner), then the campaign decides (404 unseen, 403 not theirs to change). These
  rows use ids that do not exist (404 to those let through); with real surveys, each
  page is checked per persona in cairn/campaigns/tests/test_surveys_pages.py.
- The public survey page: anyone, signed in or not; the token decides (404 unknown).
"""

from tests.url_rows.common import PUBLIC, Visit

PLANNERS = frozenset({"communications_officer", "municipal_coordinator"})
CAMPAIGN_READERS = PLANNERS | {"first_nations_partner"}
NO_INSTRUMENT = {"instrument_id": "999999999"}
NO_CAMPAIGN = {"campaign_id": "999999999"}
NO_SURVEY = {"survey_id": "999999999"}
NO_IMPORT = {"import_id": "999999999"}


def _get_and_post(allowed, kwargs, get=404, post=404) -> list[Visit]:
    return [
        Visit(allowed, kwargs=kwargs, success=get),
        Visit(allowed, kwargs=kwargs, method="post", success=post),
    ]


ROWS: dict[str, list[Visit]] = {
    "campaigns:instrument_list": [Visit(PLANNERS)],
    # An empty form is refused with its problems (400).
    "campaigns:instrument_new": _get_and_post(PLANNERS, {}, get=200, post=400),
    # POST only; an empty choice of scale is refused (400).
    "campaigns:instrument_from_catalogue": _get_and_post(PLANNERS, {}, get=405, post=400),
    "campaigns:instrument_detail": [Visit(PLANNERS, kwargs=NO_INSTRUMENT, success=404)],
    "campaigns:instrument_edit": _get_and_post(PLANNERS, NO_INSTRUMENT),
    "campaigns:instrument_copy": _get_and_post(PLANNERS, NO_INSTRUMENT, get=405),
    "campaigns:survey_new": _get_and_post(PLANNERS, NO_CAMPAIGN),
    "campaigns:survey_detail": [Visit(CAMPAIGN_READERS, kwargs=NO_SURVEY, success=404)],
    "campaigns:survey_edit": _get_and_post(CAMPAIGN_READERS, NO_SURVEY),
    "campaigns:survey_wave_add": _get_and_post(CAMPAIGN_READERS, NO_SURVEY, get=405),
    "campaigns:survey_wave_dates": _get_and_post(
        CAMPAIGN_READERS, {**NO_SURVEY, "wave_key": "pre"}, get=405
    ),
    "campaigns:survey_invitations": _get_and_post(CAMPAIGN_READERS, NO_SURVEY, get=405),
    "campaigns:survey_invitations_csv": [Visit(CAMPAIGN_READERS, kwargs=NO_SURVEY, success=404)],
    "campaigns:survey_import": _get_and_post(CAMPAIGN_READERS, NO_SURVEY),
    "campaigns:survey_import_template": [Visit(CAMPAIGN_READERS, kwargs=NO_SURVEY, success=404)],
    "campaigns:survey_import_detail": [Visit(CAMPAIGN_READERS, kwargs=NO_IMPORT, success=404)],
    # The public page: no sign-in; an unknown token is 404 for everyone.
    "survey:answer": _get_and_post(PUBLIC, {"token": "no-such-token"}),
    "survey:open": _get_and_post(PUBLIC, {"key": "1.not-signed"}),
    # JSON API (cairn/api/campaigns_surveys.py). The permission is checked at
    # authentication, before the body: an empty body is then refused. A path that
    # lists and creates has one URL name per operation; both are checked.
    "api:campaign_instruments": [
        Visit(PLANNERS),
        Visit(PLANNERS, method="post", success=400),
    ],
    "api:campaign_instrument_create": [Visit(PLANNERS, method="post", success=400)],
    "api:campaign_instrument": [Visit(PLANNERS, kwargs=NO_INSTRUMENT, success=404)],
    "api:campaign_surveys": [
        Visit(CAMPAIGN_READERS, kwargs=NO_CAMPAIGN, success=404),
        Visit(CAMPAIGN_READERS, kwargs=NO_CAMPAIGN, method="post", success=400),
    ],
    "api:campaign_survey_create": [
        Visit(CAMPAIGN_READERS, kwargs=NO_CAMPAIGN, method="post", success=400)
    ],
    "api:campaign_survey": [Visit(CAMPAIGN_READERS, kwargs=NO_SURVEY, success=404)],
    "api:campaign_survey_invitations": [
        Visit(CAMPAIGN_READERS, kwargs=NO_SURVEY, method="post", success=400)
    ],
    "api:campaign_survey_import": [
        Visit(CAMPAIGN_READERS, kwargs=NO_SURVEY, method="post", success=404)
    ],
    "api:campaign_survey_responses": [Visit(CAMPAIGN_READERS, kwargs=NO_SURVEY, success=404)],
}
