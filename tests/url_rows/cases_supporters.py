"""URL permission rows: care alerts, supporters and the care-plan API (cases-supporters).

Care-team URLs (the alert inbox, a person's supporters and consents, the plan API)
follow tests/url_rows/cases.py: the care team (the ER nurse) only; everyone else 403,
anonymous to sign-in (401 on the API). The supporter's own view ("people you
support") is open to any signed-in account that may hold a supporter link — everyone
but police and municipal members (the police liaison, the municipal coordinator, and
the first responder, whose fire service is municipal government), who get 403: they
never see a person's record. Without a supporter link and a consent in force, a
person's supporter page answers 404. Pages with real supporters and consents are
tested in cairn/cases/tests/test_supporters_pages.py.
"""

from tests.url_rows.common import EVERY_PERSONA, Visit

CARE_TEAM = frozenset({"er_nurse"})
MAY_SUPPORT = EVERY_PERSONA - {"police_liaison", "municipal_coordinator", "first_responder"}
NO_CLIENT = {"client_id": "999999999"}
NO_SUPPORTER = {**NO_CLIENT, "supporter_id": "999999999"}
NO_CONSENT = {**NO_SUPPORTER, "consent_id": "999999999"}
NO_ALERT = {"alert_id": "999999999"}


def _post_only(kwargs: dict, post_status: int, allowed=CARE_TEAM) -> list[Visit]:
    return [
        Visit(allowed, kwargs=kwargs, success=405),
        Visit(allowed, kwargs=kwargs, method="post", success=post_status),
    ]


def _api_post(kwargs: dict, status: int) -> Visit:
    return Visit(CARE_TEAM, kwargs=kwargs, method="post", success=status)


ROWS: dict[str, list[Visit]] = {
    # Pages.
    "cases:care_alerts": [Visit(CARE_TEAM)],
    "cases:care_alert_acknowledge": _post_only(NO_ALERT, 404),
    "cases:supporters": [
        Visit(CARE_TEAM, kwargs=NO_CLIENT, success=404),
        Visit(CARE_TEAM, kwargs=NO_CLIENT, method="post", success=404),
    ],
    "cases:supporter_consent_add": _post_only(NO_SUPPORTER, 404),
    "cases:supporter_consent_revoke": _post_only(NO_CONSENT, 404),
    "cases:supporter_end": _post_only(NO_SUPPORTER, 404),
    "cases:supporting_list": [Visit(MAY_SUPPORT)],
    "cases:supporting_detail": [Visit(MAY_SUPPORT, kwargs=NO_CLIENT, success=404)],
    # JSON API: a POST-only operation is posted to (ninja answers 405 to a GET before
    # anyone is checked); an empty body is refused with 400 where the operation takes one.
    "api:case_care_alerts": [Visit(CARE_TEAM)],
    "api:case_care_alert_acknowledge": [_api_post(NO_ALERT, 404)],
    "api:case_supporters": [Visit(CARE_TEAM, kwargs=NO_CLIENT, success=404)],
    "api:case_supporter_create": [_api_post(NO_CLIENT, 400)],
    "api:case_supporter_consents": [_api_post(NO_SUPPORTER, 400)],
    "api:case_supporter_consent_revoke": [_api_post(NO_CONSENT, 400)],
    "api:case_supporter_end": [_api_post(NO_SUPPORTER, 400)],
    "api:case_supporting": [Visit(MAY_SUPPORT)],
    "api:case_supporting_detail": [Visit(MAY_SUPPORT, kwargs=NO_CLIENT, success=404)],
    "api:case_plan": [Visit(CARE_TEAM, kwargs=NO_CLIENT, success=404)],
    "api:case_plan_goals": [_api_post(NO_CLIENT, 400)],
    # POST sets the status (an empty form body: 400); PATCH edits (an empty body: 422).
    "api:case_plan_goal": [
        _api_post({**NO_CLIENT, "goal_id": "999999999"}, 400),
        Visit(CARE_TEAM, kwargs={**NO_CLIENT, "goal_id": "999999999"}, method="patch", success=422),
    ],
    "api:case_plan_actions": [_api_post(NO_CLIENT, 400)],
    "api:case_plan_action": [
        _api_post({**NO_CLIENT, "action_id": "999999999"}, 400),
        Visit(
            CARE_TEAM, kwargs={**NO_CLIENT, "action_id": "999999999"}, method="patch", success=422
        ),
    ],
    "api:case_plan_referrals": [_api_post(NO_CLIENT, 400)],
    "api:case_plan_referral": [_api_post({**NO_CLIENT, "referral_id": "999999999"}, 400)],
}
