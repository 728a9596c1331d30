"""URL permission rows: campaigns, report (outcome series, the campaign report).

Whoever may open a campaign may open its outcomes and report; a campaign the user may not
see, or one that does not exist, answers 404 (pages and API alike), so with an unknown
number every signed-in persona gets 404. Real campaigns, persona by persona:
cairn/campaigns/tests/test_report_pages.py and test_report_api.py.
"""

from tests.url_rows.common import EVERY_PERSONA, Visit

UNKNOWN = {"campaign_id": "999999"}

ROWS: dict = {
    "campaigns:campaign_outcomes": [Visit(EVERY_PERSONA, kwargs=UNKNOWN, success=404)],
    "campaigns:campaign_report": [Visit(EVERY_PERSONA, kwargs=UNKNOWN, success=404)],
    "campaigns:campaign_report_pdf": [Visit(EVERY_PERSONA, kwargs=UNKNOWN, success=404)],
    "api:campaign_outcomes": [Visit(EVERY_PERSONA, kwargs=UNKNOWN, success=404)],
    "api:campaign_report": [Visit(EVERY_PERSONA, kwargs=UNKNOWN, success=404)],
}
