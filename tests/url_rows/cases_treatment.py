"""URL permission rows: opioid agonist treatment (cairn/cases/views/treatment.py,
cairn/api/cases_treatment.py).

A person's treatment is identifiable case data: the care team of a holding
organization only (the ER nurse); everyone else is refused (403) before any input is
read, and an unknown person answers 404. The cascade of care is an aggregate: every
persona sees it for their communities (small counts suppressed outside the care team;
cairn/cases/tests/test_treatment_cascade.py).
"""

from tests.url_rows.common import EVERY_PERSONA, Visit

CARE_TEAM = frozenset({"er_nurse"})
NO_CLIENT = {"client_id": "999999999"}
NO_EPISODE = {**NO_CLIENT, "episode_id": "999999999"}


def _post_only(kwargs: dict, post_status: int) -> list[Visit]:
    return [
        Visit(CARE_TEAM, kwargs=kwargs, success=405),
        Visit(CARE_TEAM, kwargs=kwargs, method="post", success=post_status),
    ]


ROWS: dict[str, list[Visit]] = {
    "cases:treatment": [Visit(CARE_TEAM, kwargs=NO_CLIENT, success=404)],
    "cases:treatment_summary": [Visit(CARE_TEAM, kwargs=NO_CLIENT, success=404)],
    "cases:treatment_episode_start": _post_only(NO_CLIENT, 404),
    "cases:treatment_episode_stop": _post_only(NO_EPISODE, 404),
    "cases:treatment_dispensing_add": _post_only(NO_CLIENT, 404),
    "cases:treatment_missed_dose_add": _post_only(NO_CLIENT, 404),
    "cases:treatment_diagnosis": _post_only(NO_CLIENT, 404),
    # GET: the form; POST without a file: 400 saying so.
    "cases:treatment_import": [Visit(CARE_TEAM), Visit(CARE_TEAM, method="post", success=400)],
    "cases:treatment_cascade": [Visit(EVERY_PERSONA)],
    # API: a write without a body cannot be parsed (400) before the person is looked up.
    "api:case_treatment": [Visit(CARE_TEAM, kwargs=NO_CLIENT, success=404)],
    "api:case_treatment_episode_start": [
        Visit(CARE_TEAM, kwargs=NO_CLIENT, method="post", success=400)
    ],
    "api:case_treatment_episode_stop": [
        Visit(CARE_TEAM, kwargs=NO_EPISODE, method="post", success=400)
    ],
    "api:case_treatment_dispensing_add": [
        Visit(CARE_TEAM, kwargs=NO_CLIENT, method="post", success=400)
    ],
    "api:case_treatment_missed_dose_add": [
        Visit(CARE_TEAM, kwargs=NO_CLIENT, method="post", success=400)
    ],
    "api:case_treatment_import": [Visit(CARE_TEAM, method="post", success=422)],
    "api:case_treatment_cascade": [Visit(EVERY_PERSONA)],
}
