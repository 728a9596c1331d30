"""URL permission rows: the community action team workspace (cairn/outreach/urls.py,
cairn/api/outreach.py).

The matrix has no team, so it checks what comes before a team is read: every signed-in
persona may open the list of teams (it lists only their own); pages of a team that does
not exist answer 404 to every signed-in persona (teams are not secret); pages that set a
team up refuse everyone without manage_teams (403) before reading anything, and answer
404 to the municipal coordinator and the administrator. Who may open and change a real
team is tested persona by persona in cairn/outreach/tests/test_access.py.
"""

from tests.url_rows.common import EVERY_PERSONA, Visit

MANAGERS = frozenset({"municipal_coordinator", "administrator"})
NO_TEAM = {"slug": "no-such-team"}


def _get(kwargs=NO_TEAM) -> list[Visit]:
    return [Visit(EVERY_PERSONA, kwargs=kwargs, success=404)]


def _post(kwargs=NO_TEAM, allowed=EVERY_PERSONA) -> list[Visit]:
    # GET is not allowed (405) before anything else is checked, for the signed in.
    return [
        Visit(EVERY_PERSONA, kwargs=kwargs, success=405),
        Visit(allowed, kwargs=kwargs, method="post", success=404),
    ]


ROWS: dict[str, list[Visit]] = {
    "outreach:teams": [Visit(EVERY_PERSONA)],
    # The set-up form; an empty form answers 400 naming the missing field.
    "outreach:team_new": [Visit(MANAGERS), Visit(MANAGERS, method="post", success=400)],
    "outreach:team_detail": _get(),
    "outreach:team_edit": [
        Visit(MANAGERS, kwargs=NO_TEAM, success=404),
        Visit(MANAGERS, kwargs=NO_TEAM, method="post", success=404),
    ],
    "outreach:member_add": _post(allowed=MANAGERS),
    "outreach:member_end": _post({**NO_TEAM, "member_id": "999999"}, allowed=MANAGERS),
    "outreach:funding_add": _post(allowed=MANAGERS),
    "outreach:plan": _get(),
    "outreach:goal_add": _post(),
    "outreach:goal_status": _post({**NO_TEAM, "goal_id": "999999"}),
    "outreach:action_add": _post(),
    "outreach:action_status": _post({**NO_TEAM, "action_id": "999999"}),
    "outreach:indicator_add": _post(),
    "outreach:indicator_progress": _post({**NO_TEAM, "indicator_id": "999999"}),
    "outreach:progress_add": _post(),
    "outreach:report_pdf": _get(),
    "outreach:report_csv": _get(),
    "outreach:at_risk": _get(),
    # API (cairn/api/outreach.py): unknown team 404; a write without a body cannot be
    # parsed (400) before the team is looked up.
    "api:outreach_teams": [Visit(EVERY_PERSONA)],
    "api:outreach_team": _get(),
    "api:outreach_team_plan": _get(),
    "api:outreach_team_indicators": _get(),
    "api:outreach_goal_add": [Visit(EVERY_PERSONA, kwargs=NO_TEAM, method="post", success=400)],
    "api:outreach_goal_status": [
        Visit(EVERY_PERSONA, kwargs={**NO_TEAM, "goal_id": "999999"}, method="post", success=400)
    ],
    "api:outreach_action_add": [Visit(EVERY_PERSONA, kwargs=NO_TEAM, method="post", success=400)],
    "api:outreach_action_status": [
        Visit(EVERY_PERSONA, kwargs={**NO_TEAM, "action_id": "999999"}, method="post", success=400)
    ],
    "api:outreach_indicator_add": [
        Visit(EVERY_PERSONA, kwargs=NO_TEAM, method="post", success=400)
    ],
    "api:outreach_indicator_progress": [
        Visit(
            EVERY_PERSONA,
            kwargs={**NO_TEAM, "indicator_id": "999999"},
            method="post",
            success=400,
        )
    ],
}
