"""Small-count suppression for the aggregate tier.

Counts from 1 to CAIRN_SUPPRESSION_THRESHOLD − 1 (1–4 by default) are hidden; zero
is shown. When a row's total is shown and exactly one cell would be hidden, the
next-smallest cell is hidden too, so the hidden one cannot be recovered by
subtraction (complementary suppression).
"""

from collections.abc import Mapping

from django.conf import settings


def suppression_threshold() -> int:
    return settings.CAIRN_SUPPRESSION_THRESHOLD


def is_suppressed(count: int) -> bool:
    return 0 < count < suppression_threshold()


def suppress_count(count: int) -> int | None:
    """The count as the aggregate tier may show it; None means "suppressed"."""
    return None if is_suppressed(count) else count


def suppress_counts(cells: Mapping[str, int], *, total_shown: bool = True) -> dict[str, int | None]:
    """Suppress a row of counts whose total is published alongside it."""
    shown: dict[str, int | None] = {key: suppress_count(value) for key, value in cells.items()}
    hidden = [key for key, value in shown.items() if value is None]
    if total_shown and len(hidden) == 1:
        candidates = sorted(
            (value, key) for key, value in cells.items() if shown[key] is not None and value > 0
        )
        if candidates:
            shown[candidates[0][1]] = None
    return shown


def suppressed_total(cells: Mapping[str, int]) -> int | None:
    return suppress_count(sum(cells.values()))
