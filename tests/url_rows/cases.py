"""URL permission rows: case management (cairn/cases/urls.py, cairn/api/cases/).

Identifiable case data is for the care team only: a role with view_identifiable
(the overdose response clinician, here the ER nurse) in an organization that holds
the case. Every other persona — police, municipal, epidemiologists, outreach and
peer workers, the administrator — is refused on every URL (403; anonymous is sent
to sign in, or 401 on the API), before any input is read. Unknown ids answer 404 to
the care team; empty forms are refused with 400 (a page's form errors, or the API's
"cannot parse the body"). Pages with real clients and records are tested in
cairn/cases/tests/.
"""

from tests.url_rows.common import Visit

CARE_TEAM = frozenset({"er_nurse"})
NO_RECORD = {"event_id": "999999999"}
NO_CLIENT = {"client_id": "999999999"}
NO_MERGE = {"merge_id": "999999999"}


def _post_only(kwargs: dict, post_status: int) -> list[Visit]:
    return [
        Visit(CARE_TEAM, kwargs=kwargs, success=405),
        Visit(CARE_TEAM, kwargs=kwargs, method="post", success=post_status),
    ]


ROWS: dict[str, list[Visit]] = {
    # Pages.
    "cases:worklist": [Visit(CARE_TEAM)],
    "cases:worklist_export": [Visit(CARE_TEAM)],
    "cases:source_record": [Visit(CARE_TEAM, kwargs=NO_RECORD, success=404)],
    "cases:open_from_record": _post_only(NO_RECORD, 404),
    "cases:set_aside": _post_only(NO_RECORD, 404),
    "cases:client_search": [Visit(CARE_TEAM)],
    "cases:client_create": [Visit(CARE_TEAM), Visit(CARE_TEAM, method="post", success=400)],
    # The duplicate check while typing: an empty form finds nobody (200, a partial).
    "cases:duplicate_check": _post_only({}, 200),
    "cases:client_detail": [Visit(CARE_TEAM, kwargs=NO_CLIENT, success=404)],
    "cases:client_add_name": _post_only(NO_CLIENT, 404),
    "cases:client_add_contact": _post_only(NO_CLIENT, 404),
    "cases:client_update": _post_only(NO_CLIENT, 404),
    "cases:client_link_identity": [
        Visit(CARE_TEAM, kwargs=NO_CLIENT, success=404),
        Visit(CARE_TEAM, kwargs=NO_CLIENT, method="post", success=404),
    ],
    "cases:episode_create": [
        Visit(CARE_TEAM, kwargs=NO_CLIENT, success=404),
        Visit(CARE_TEAM, kwargs=NO_CLIENT, method="post", success=404),
    ],
    "cases:client_merge": [
        Visit(CARE_TEAM, kwargs=NO_CLIENT, success=404),
        Visit(CARE_TEAM, kwargs=NO_CLIENT, method="post", success=404),
    ],
    "cases:merge_undo": _post_only(NO_MERGE, 404),
    # Risk assessment, the four groups, follow-up (cases-care).
    "cases:assessments": [
        Visit(CARE_TEAM, kwargs=NO_CLIENT, success=404),
        Visit(CARE_TEAM, kwargs=NO_CLIENT, method="post", success=404),
    ],
    "cases:assessment_detail": [
        Visit(CARE_TEAM, kwargs={"assessment_id": "999999999"}, success=404)
    ],
    "cases:client_care": [
        Visit(CARE_TEAM, kwargs=NO_CLIENT, success=404),
        Visit(CARE_TEAM, kwargs=NO_CLIENT, method="post", success=404),
    ],
    "cases:group_catalogue": [Visit(CARE_TEAM), Visit(CARE_TEAM, method="post", success=400)],
    "cases:group_support_edit": _post_only({"support_id": "999999999"}, 404),
    "cases:follow_up_worklist": [Visit(CARE_TEAM)],
    "cases:follow_up_export": [Visit(CARE_TEAM)],
    "cases:follow_up_notices_read": _post_only({}, 302),
    "cases:follow_up_start": _post_only({**NO_CLIENT, "episode_id": "999999999"}, 404),
    "cases:follow_up_detail": [Visit(CARE_TEAM, kwargs={"follow_up_id": "999999999"}, success=404)],
    "cases:follow_up_attempt": _post_only({"follow_up_id": "999999999"}, 404),
    # The care plan (cases-plan).
    "cases:plan": [Visit(CARE_TEAM, kwargs=NO_CLIENT, success=404)],
    "cases:plan_goal_add": _post_only(NO_CLIENT, 404),
    "cases:plan_goal_status": _post_only({**NO_CLIENT, "goal_id": "999999999"}, 404),
    "cases:plan_goal_edit": _post_only({**NO_CLIENT, "goal_id": "999999999"}, 404),
    "cases:plan_action_add": _post_only(NO_CLIENT, 404),
    "cases:plan_action_edit": _post_only({**NO_CLIENT, "action_id": "999999999"}, 404),
    "cases:plan_action_status": _post_only({**NO_CLIENT, "action_id": "999999999"}, 404),
    "cases:plan_referral_add": _post_only(NO_CLIENT, 404),
    "cases:plan_referral_status": _post_only({**NO_CLIENT, "referral_id": "999999999"}, 404),
    # API.
    "api:case_worklist": [Visit(CARE_TEAM)],
    "api:case_source_record": [Visit(CARE_TEAM, kwargs=NO_RECORD, success=404)],
    "api:case_open_from_record": [
        Visit(CARE_TEAM, kwargs=NO_RECORD, method="post", success=400),
    ],
    # GET searches (no terms: an empty list); POST creates (an empty form body: 400).
    "api:case_clients": [Visit(CARE_TEAM), Visit(CARE_TEAM, method="post", success=400)],
    "api:case_client_create": [Visit(CARE_TEAM, method="post", success=400)],
    "api:case_client_duplicates": [Visit(CARE_TEAM, method="post", success=400)],
    "api:case_client_detail": [Visit(CARE_TEAM, kwargs=NO_CLIENT, success=404)],
    "api:case_episode_create": [Visit(CARE_TEAM, kwargs=NO_CLIENT, method="post", success=400)],
    "api:case_client_link_identity": [
        Visit(CARE_TEAM, kwargs=NO_CLIENT, method="post", success=400)
    ],
    "api:case_client_merge": [Visit(CARE_TEAM, kwargs=NO_CLIENT, method="post", success=400)],
    "api:case_merge_undo": [Visit(CARE_TEAM, kwargs=NO_MERGE, method="post", success=400)],
    "api:case_assessments": [
        Visit(CARE_TEAM, kwargs=NO_CLIENT, success=404),
        Visit(CARE_TEAM, kwargs=NO_CLIENT, method="post", success=400),
    ],
    "api:case_assessment_create": [Visit(CARE_TEAM, kwargs=NO_CLIENT, method="post", success=400)],
    "api:case_client_group": [Visit(CARE_TEAM, kwargs=NO_CLIENT, method="post", success=400)],
    "api:case_follow_ups": [Visit(CARE_TEAM)],
    "api:case_follow_up_start": [
        Visit(CARE_TEAM, kwargs={"episode_id": "999999999"}, method="post", success=400)
    ],
    "api:case_follow_up_attempt": [
        Visit(CARE_TEAM, kwargs={"follow_up_id": "999999999"}, method="post", success=400)
    ],
}
