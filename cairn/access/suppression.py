"""Small-count suppression for the aggregate tier.

Counts from 1 to CAIRN_SUPPRESSION_THRESHOLD − 1 (1–4 by default) are hidden; zero
is shown. When a row's total is shown and any cell is hidden, the smallest shown
non-zero cell is hidden too (complementary suppression): with one hidden cell the
total would give it away by subtraction, and with several small hidden cells their
sum can pin each of them down (1 + 1 = 2 means both are 1).
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
    if total_shown and hidden:
        candidates = sorted(
            (value, key) for key, value in cells.items() if shown[key] is not None and value > 0
        )
        if candidates:
            shown[candidates[0][1]] = None
    return shown


def suppressed_total(cells: Mapping[str, int]) -> int | None:
    return suppress_count(sum(cells.values()))


def suppress_row(cells: Mapping[str, int]) -> tuple[dict[str, int | None], int | None]:
    """A row of counts and its total, both as the aggregate tier may see them.

    When cells are hidden but no cell of 5 or more could be hidden with them (the other
    cells are zero), the total is hidden too: under a shown total of 8, cells 4, 4 and
    0 would give the two hidden cells away (two counts of at most 4 that sum to 8).
    """
    shown = suppress_counts(cells, total_shown=True)
    hidden = [key for key, value in shown.items() if value is None]
    complement_hidden = any(cells[key] >= suppression_threshold() for key in hidden)
    if hidden and not complement_hidden:
        return shown, None
    return shown, suppressed_total(cells)
