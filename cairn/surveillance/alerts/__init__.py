"""Alerts: spike rules and statistical alerts, their lifecycle, notifications (docs/alerts.md).

actions.py (writes), queries.py (reads, scoped to the user), rules.py (spike rules),
statistical.py (detection over count series), notify.py (inbox and email),
realtime.py (the hook after intake), series.py (an alert's chart), describe.py (words).
"""
