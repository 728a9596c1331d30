"""Pages of the outreach app: teams.py, plan.py, reports.py, at_risk.py ("teams");
encounter pages are their own modules ("enc")."""
