"""URL permission rows: campaigns, plan and materials."""

from tests.url_rows.common import Visit

PLANNERS = frozenset({"communications_officer", "municipal_coordinator"})
CAMPAIGN_READERS = PLANNERS | {"first_nations_partner"}

ROWS: dict = {
    "campaigns:campaign_list": [Visit(CAMPAIGN_READERS)],
}
