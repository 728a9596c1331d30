"""Real-time alert rules, checked right after counts change (being built)."""


def check_alert_rules_after_recount(recounted: list) -> None:
    pass
