"""Classification of events against case definitions (see classify_and_store)."""

from cairn.surveillance.classification.store import classify_and_store  # noqa: F401
