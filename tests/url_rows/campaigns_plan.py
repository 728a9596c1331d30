"""URL permission rows: campaigns, plan and materials (cairn/campaigns/urls_plan.py,
cairn/api/campaigns.py).

The list and the calendar are for communications staff (manage_campaigns) and First
Nations partners; the planning form for communications staff only, and an empty form
answers 400 naming the missing field. The matrix has no campaign, so pages of a campaign
or material that does not exist answer 404 to every signed-in persona before anything
else (campaigns are not secret, their content is checked once found); POST-only pages
answer 405 to a GET. Who may open and change a real campaign, material and image is
tested persona by persona in cairn/campaigns/tests/test_plan_pages.py, test_plan_materials.py
and test_plan_api.py.
"""

from tests.url_rows.common import EVERY_PERSONA, Visit

PLANNERS = frozenset({"communications_officer", "municipal_coordinator"})
CAMPAIGN_READERS = PLANNERS | {"first_nations_partner"}
NO_CAMPAIGN = {"campaign_id": "999999"}
NO_MATERIAL = {"material_id": "999999"}


def _page(kwargs) -> list[Visit]:
    return [Visit(EVERY_PERSONA, kwargs=kwargs, success=404)]


def _form(kwargs) -> list[Visit]:
    return [
        Visit(EVERY_PERSONA, kwargs=kwargs, success=404),
        Visit(EVERY_PERSONA, kwargs=kwargs, method="post", success=404),
    ]


def _post(kwargs) -> list[Visit]:
    return [
        Visit(EVERY_PERSONA, kwargs=kwargs, success=405),
        Visit(EVERY_PERSONA, kwargs=kwargs, method="post", success=404),
    ]


def _api_write(kwargs=None, method="post") -> list[Visit]:
    # A write without a body cannot be parsed (POST 400; PUT, sent without a content
    # type, 422) before anything is looked up.
    success = 422 if method == "put" else 400
    return [Visit(EVERY_PERSONA, kwargs=kwargs or {}, method=method, success=success)]


ROWS: dict = {
    "campaigns:campaign_list": [Visit(CAMPAIGN_READERS)],
    "campaigns:campaign_calendar": [Visit(CAMPAIGN_READERS)],
    "campaigns:campaign_new": [Visit(PLANNERS), Visit(PLANNERS, method="post", success=400)],
    "campaigns:campaign_detail": _page(NO_CAMPAIGN),
    "campaigns:campaign_edit": _form(NO_CAMPAIGN),
    "campaigns:first_nations_approval": _post(NO_CAMPAIGN),
    "campaigns:material_new": _form(NO_CAMPAIGN),
    "campaigns:material_detail": _page(NO_MATERIAL),
    "campaigns:material_edit": _form(NO_MATERIAL),
    "campaigns:material_transition": _post(NO_MATERIAL),
    "campaigns:material_image": _page(NO_MATERIAL),
    # API (cairn/api/campaigns.py).
    "api:campaigns_list": [Visit(CAMPAIGN_READERS), *_api_write()],
    "api:campaign_create": _api_write(),
    "api:campaign_detail": [
        Visit(EVERY_PERSONA, kwargs=NO_CAMPAIGN, success=404),
        *_api_write(NO_CAMPAIGN, "put"),
    ],
    "api:campaign_update": _api_write(NO_CAMPAIGN, "put"),
    "api:campaign_first_nations_decision": _api_write(NO_CAMPAIGN),
    "api:campaign_materials": [
        Visit(EVERY_PERSONA, kwargs=NO_CAMPAIGN, success=404),
        *_api_write(NO_CAMPAIGN),
    ],
    "api:campaign_material_create": _api_write(NO_CAMPAIGN),
    "api:campaign_material_detail": [Visit(EVERY_PERSONA, kwargs=NO_MATERIAL, success=404)],
    "api:campaign_material_transition": _api_write(NO_MATERIAL),
}
