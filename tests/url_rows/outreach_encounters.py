"""URL permission rows: outreach encounters and team indicators ("enc").

These rows use a team that does not exist ("no-such-team"): each page first checks the
permission it needs anywhere (403 for the rest), then looks the team up (404). With a
real team, every page and operation is checked per persona in
cairn/outreach/tests/test_encounters_access.py.

- Recording, correcting, voiding: RECORD_OUTREACH (the outreach worker, the peer worker,
  the First Nations partner).
- The list and the "Recorded" page: RECORD_OUTREACH or a care team (the ER nurse), whose
  organization must sit on the team to see anything.
- Linking an encounter to a person's case: the care team (VIEW_IDENTIFIABLE) only.
- Indicators (page, CSV, API): any signed-in member; the team decides (teams are not
  secret, so an unknown one is 404 for everyone).
"""

from tests.url_rows.common import EVERY_PERSONA, Visit

NO_TEAM = {"slug": "no-such-team"}
NO_ENCOUNTER = {**NO_TEAM, "encounter_id": "999999999"}
RECORDERS = frozenset({"outreach_worker", "peer_worker", "first_nations_partner"})
SEE_ENCOUNTERS = RECORDERS | {"er_nurse"}
CARE_TEAM = frozenset({"er_nurse"})

ROWS: dict[str, list[Visit]] = {
    "outreach:encounter_new": [
        Visit(RECORDERS, kwargs=NO_TEAM, success=404),
        Visit(RECORDERS, kwargs=NO_TEAM, method="post", success=404),
    ],
    "outreach:encounter_recorded": [Visit(SEE_ENCOUNTERS, kwargs=NO_ENCOUNTER, success=404)],
    "outreach:encounter_list": [Visit(SEE_ENCOUNTERS, kwargs=NO_TEAM, success=404)],
    "outreach:encounter_edit": [
        Visit(RECORDERS, kwargs=NO_ENCOUNTER, success=404),
        Visit(RECORDERS, kwargs=NO_ENCOUNTER, method="post", success=404),
    ],
    "outreach:encounter_void": [
        Visit(RECORDERS, kwargs=NO_ENCOUNTER, success=405),
        Visit(RECORDERS, kwargs=NO_ENCOUNTER, method="post", success=404),
    ],
    "outreach:encounter_link": [
        Visit(CARE_TEAM, kwargs=NO_ENCOUNTER, success=404),
        Visit(CARE_TEAM, kwargs=NO_ENCOUNTER, method="post", success=404),
    ],
    "outreach:encounter_unlink": [
        Visit(CARE_TEAM, kwargs=NO_ENCOUNTER, success=405),
        Visit(CARE_TEAM, kwargs=NO_ENCOUNTER, method="post", success=404),
    ],
    "outreach:encounter_indicators": [Visit(EVERY_PERSONA, kwargs=NO_TEAM, success=404)],
    "outreach:encounter_indicators_csv": [Visit(EVERY_PERSONA, kwargs=NO_TEAM, success=404)],
    # JSON API (cairn/api/outreach_encounters.py). The create operation checks the
    # permission at authentication, before the body; an empty body is then refused (400).
    "api:outreach_encounter_create": [Visit(RECORDERS, kwargs=NO_TEAM, method="post", success=400)],
    "api:outreach_encounters": [Visit(SEE_ENCOUNTERS, kwargs=NO_TEAM, success=404)],
    "api:outreach_encounter_indicators": [Visit(EVERY_PERSONA, kwargs=NO_TEAM, success=404)],
}
