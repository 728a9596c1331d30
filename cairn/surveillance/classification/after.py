"""What follows a batch of classified events: counts, then real-time alert rules.

`events_classified` runs inside the transaction that stored the matches, so the
cells it marks for recounting commit (or roll back) with the events themselves.
The recount and the alert rules run after commit, when the data is visible, in one
of two ways:

- **on commit** (the default: pages, quick entry, FHIR, file imports): right after
  the writer's transaction commits, in the writer's thread, so the page that
  answers the request already shows the new counts and any alert.
- **drained** (inside `recount_deferred()`, which the MLLP listener uses): the marks
  are left for a `Drainer`, a background thread that recounts every committed mark
  a few times a second and then checks the spike rules. A sender's ACK then waits
  for its own commit only, not for recounting the cells of every message in the
  batch. The marks are in the record's transaction, so nothing can be missed: a
  mark left by a stopped process is taken by the next drain, by any writer's
  on-commit recount, by `cairn surveillance run` or `cairn surveillance counts recount`.
"""

import logging
import threading
import time
from collections.abc import Sequence
from contextlib import contextmanager

from django.db import connections, transaction

logger = logging.getLogger(__name__)

_state = threading.local()

DRAIN_INTERVAL_SECONDS = 0.5


@contextmanager
def recount_deferred():
    """Within this block (this thread only), committed marks are left for a Drainer."""
    previous = getattr(_state, "deferred", False)
    _state.deferred = True
    try:
        yield
    finally:
        _state.deferred = previous


def events_classified(event_ids: Sequence[int]) -> None:
    from cairn.surveillance.counts.maintain import mark_events_for_recount

    mark_events_for_recount(event_ids)
    if getattr(_state, "deferred", False):
        return
    # robust: a failed recount is logged, not raised into the intake that already
    # committed; its marks stay, and the next recount takes them.
    transaction.on_commit(refresh_after_commit, robust=True)


def refresh_after_commit() -> list:
    """Recount every committed mark, then check the spike rules of the cells recounted."""
    from cairn.surveillance.alerts.realtime import check_alert_rules_after_recount
    from cairn.surveillance.counts.maintain import recount_marked_cells

    recounted = recount_marked_cells()
    check_alert_rules_after_recount(recounted)
    return recounted


def drain_marked_cells() -> list:
    """What a Drainer does once: recount the committed marks and check the spike rules."""
    return refresh_after_commit()


class Drainer:
    """A background thread that drains the marks every `interval` seconds until stopped.

    It has its own database connection. A drain that fails (the database restarting)
    is logged and retried at the next tick; its marks stay until then. `stop()` runs
    one last drain, so the counts are complete when a listener stops.
    """

    def __init__(self, interval: float = DRAIN_INTERVAL_SECONDS):
        self.interval = interval
        self.drains = 0
        self.cells = 0
        self.cpu_seconds = 0.0
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cairn-recount", daemon=True)

    def start(self) -> "Drainer":
        self._thread.start()
        return self

    def wake(self) -> None:
        """Drain now rather than at the next tick (tests, shutdown)."""
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        # What a drain needs, imported before the first tick (the alert rules bring SciPy).
        import cairn.surveillance.alerts.realtime  # noqa: F401
        import cairn.surveillance.counts.maintain  # noqa: F401

        try:
            while True:
                self._wake.wait(self.interval)
                self._wake.clear()
                stopping = self._stop.is_set()
                self._drain_once()
                if stopping:
                    return
        finally:
            connections.close_all()

    def _drain_once(self) -> None:
        try:
            recounted = drain_marked_cells()
        except Exception as error:
            logger.warning("Counts could not be recounted (%s); retrying at the next drain", error)
            connections.close_all()
            return
        finally:
            self.cpu_seconds = time.thread_time()  # this thread only drains
        self.drains += 1
        self.cells += len(recounted)
