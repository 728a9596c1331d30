"""Incremental counts (being built)."""

from collections.abc import Sequence


def mark_events_for_recount(event_ids: Sequence[int]) -> None:
    pass


def recount_marked_cells() -> list:
    """Recount the marked cells; returns the (community id, day) cells recounted."""
    return []
