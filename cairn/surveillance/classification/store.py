"""Store which case definitions an event matches. Placeholder until definitions land."""

from collections.abc import Sequence


def classify_and_store(events: Sequence) -> None:
    """Classify saved events and store their matches, in the caller's transaction."""
    return None
