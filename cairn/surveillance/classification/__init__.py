"""Classification of events against case definitions (see classify_and_store).

`engine` is pure Python with no Django, so it imports without settings (benchmarks,
scripts); the store is imported when first used.
"""

from collections.abc import Sequence


def classify_and_store(events: Sequence) -> int:
    """Classify saved events and replace their stored matches, in the caller's transaction."""
    from cairn.surveillance.classification.store import classify_and_store as store

    return store(events)
