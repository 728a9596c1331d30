"""What follows a batch of classified events: counts, then real-time alert rules.

`events_classified` runs inside the transaction that stored the matches, so the
cells it marks for recounting commit (or roll back) with the events themselves.
The recount and the alert rules run after commit, when the data is visible.
"""

from collections.abc import Sequence

from django.db import transaction


def events_classified(event_ids: Sequence[int]) -> None:
    from cairn.surveillance.counts.maintain import mark_events_for_recount

    mark_events_for_recount(event_ids)
    # robust: a failed recount is logged, not raised into the intake that already
    # committed; its marks stay, and the next recount takes them.
    transaction.on_commit(refresh_after_commit, robust=True)


def refresh_after_commit() -> None:
    from cairn.surveillance.alerts.realtime import check_alert_rules_after_recount
    from cairn.surveillance.counts.maintain import recount_marked_cells

    recounted = recount_marked_cells()
    check_alert_rules_after_recount(recounted)
