"""URL permission rows: Alerts, the inbox and subscriptions (cairn/surveillance/urls_alerts.py,
cairn/api/alerts.py).

Every member sees the alerts of their communities, their inbox and their subscriptions
(view_aggregates); acknowledging, actioning and dismissing, and spike rules, need
manage_alerts (epidemiologists and overdose response clinicians). Unknown ids answer
404 to those allowed; pages with real alerts are tested in
cairn/surveillance/tests/test_alert_pages.py and test_alert_api.py. Empty forms are
refused with 400; "mark all read" redirects (302).
"""

from tests.url_rows.common import EVERY_PERSONA, Visit

MANAGE_ALERTS = frozenset({"epidemiologist", "regional_epidemiologist", "er_nurse"})
NO_ALERT = {"alert_id": "999999999"}

ROWS: dict[str, list[Visit]] = {
    # Pages.
    "alerts:alert_list": [Visit(EVERY_PERSONA)],
    "alerts:alert_detail": [Visit(EVERY_PERSONA, kwargs=NO_ALERT, success=404)],
    "alerts:alert_transition": [
        Visit(MANAGE_ALERTS, kwargs=NO_ALERT, method="post", success=404),
        # GET is not allowed for anyone signed in with the permission; the decorator
        # answers first for the others.
        Visit(frozenset(), kwargs=NO_ALERT, others=405),
    ],
    "alerts:inbox": [Visit(EVERY_PERSONA)],
    "alerts:inbox_read_all": [Visit(EVERY_PERSONA, method="post", success=302)],
    "alerts:notification_read": [
        Visit(EVERY_PERSONA, kwargs={"notification_id": "999999999"}, method="post", success=404)
    ],
    "alerts:subscriptions": [
        Visit(EVERY_PERSONA),
        Visit(EVERY_PERSONA, method="post", success=400),
    ],
    "alerts:unsubscribe": [
        Visit(EVERY_PERSONA, kwargs={"subscription_id": "999999999"}, method="post", success=404)
    ],
    "alerts:spike_rules": [
        Visit(MANAGE_ALERTS),
        Visit(MANAGE_ALERTS, method="post", success=400),
    ],
    # API.
    "api:alert_list": [Visit(EVERY_PERSONA)],
    "api:alert_detail": [Visit(EVERY_PERSONA, kwargs=NO_ALERT, success=404)],
    "api:alert_acknowledge": [Visit(MANAGE_ALERTS, kwargs=NO_ALERT, method="post", success=404)],
    "api:alert_action": [Visit(MANAGE_ALERTS, kwargs=NO_ALERT, method="post", success=404)],
    "api:alert_dismiss": [Visit(MANAGE_ALERTS, kwargs=NO_ALERT, method="post", success=404)],
    "api:inbox": [Visit(EVERY_PERSONA)],
    "api:inbox_read": [
        Visit(EVERY_PERSONA, kwargs={"entry_id": "999999999"}, method="post", success=404)
    ],
}
