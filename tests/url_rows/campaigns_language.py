"""URL permission rows: campaigns, language (the term list, checking a text, reviews).

- Checking a text and reading the term list and its versions: anyone signed in.
- Changing the list (a new version each time): administrators (MANAGE_LANGUAGE_TERMS).
- A material's review (check again, decide a finding): the Campaigns area first
  (communications staff, First Nations partners; 403 for the rest), then the material's
  campaign decides (`cairn.campaigns.access`); these rows use a material and a finding
  that do not exist (404). With real materials, every action is checked per persona in
  cairn/campaigns/tests/test_language_pages.py and test_language_api.py.
"""

from tests.url_rows.common import EVERY_PERSONA, Visit

ADMINISTRATORS = frozenset({"administrator"})
CAMPAIGN_AREA = frozenset(
    {"communications_officer", "municipal_coordinator", "first_nations_partner"}
)
NO_MATERIAL = {"material_id": "999999999"}
NO_FINDING = {"finding_id": "999999999"}
NO_TERM = {"key": "no-such-term"}

ROWS: dict[str, list[Visit]] = {
    # Pages. An empty text is refused (400) with a message naming the field.
    "campaigns:language_check": [
        Visit(EVERY_PERSONA),
        Visit(EVERY_PERSONA, method="post", success=400),
    ],
    "campaigns:term_list": [Visit(EVERY_PERSONA)],
    "campaigns:term_version": [Visit(EVERY_PERSONA, kwargs={"version": "999999"}, success=404)],
    # An empty new term is refused (400) with its field errors.
    "campaigns:term_new": [
        Visit(ADMINISTRATORS),
        Visit(ADMINISTRATORS, method="post", success=400),
    ],
    "campaigns:term_edit": [
        Visit(ADMINISTRATORS, kwargs=NO_TERM, success=404),
        Visit(ADMINISTRATORS, kwargs=NO_TERM, method="post", success=404),
    ],
    "campaigns:term_remove": [
        Visit(EVERY_PERSONA, kwargs=NO_TERM, success=405),
        Visit(ADMINISTRATORS, kwargs=NO_TERM, method="post", success=404),
    ],
    "campaigns:language_review": [
        Visit(EVERY_PERSONA, kwargs=NO_MATERIAL, success=405),
        Visit(CAMPAIGN_AREA, kwargs=NO_MATERIAL, method="post", success=404),
    ],
    "campaigns:language_decide": [
        Visit(EVERY_PERSONA, kwargs=NO_FINDING, success=405),
        Visit(CAMPAIGN_AREA, kwargs=NO_FINDING, method="post", success=404),
    ],
    # JSON API (cairn/api/campaigns_language.py). The matrix posts an empty form, which
    # is not the JSON body an operation expects: 400 for those let in.
    "api:language_check": [Visit(EVERY_PERSONA, method="post", success=400)],
    "api:language_terms": [Visit(EVERY_PERSONA)],
    "api:language_terms_save": [Visit(ADMINISTRATORS, method="post", success=400)],
    "api:language_versions": [Visit(EVERY_PERSONA)],
    "api:campaign_material_language": [Visit(CAMPAIGN_AREA, kwargs=NO_MATERIAL, success=404)],
    "api:campaign_material_language_check": [
        Visit(CAMPAIGN_AREA, kwargs=NO_MATERIAL, method="post", success=404)
    ],
    "api:campaign_language_decision": [
        Visit(CAMPAIGN_AREA, kwargs=NO_FINDING, method="post", success=400)
    ],
}
