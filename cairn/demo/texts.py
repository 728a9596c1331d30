"""Strings for many rows at once, gathered from small tables instead of formatted one by one."""

import operator

import numpy as np

_PADDED = [f"{n:03d}" for n in range(1000)]
_PLAIN = [str(n) for n in range(1000)]
_LOW_DIGITS = np.array(_PADDED + _PLAIN, dtype=object)
_TIMES_OF_DAY = [f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(86400)]


def number_texts(values: np.ndarray, *, prefix: str = "", width: int = 0) -> list[str]:
    """f"{prefix}{value:0{width}d}" for every value (width 0 or at least 3), by gathering
    the thousands and the last three digits from tables."""
    if 0 < width < 3:
        raise ValueError("width must be 0 or at least 3")
    values = np.asarray(values, dtype=np.int64)
    if len(values) == 0:
        return []
    high, low = values // 1000, values % 1000
    first = int(high.min())
    high_texts = np.array(
        [
            prefix + (f"{h:0{width - 3}d}" if width > 3 else (str(h) if h else ""))
            for h in range(first, int(high.max()) + 1)
        ],
        dtype=object,
    )
    unpadded = (high == 0) if width == 0 else np.zeros(len(values), dtype=bool)
    low_texts = _LOW_DIGITS[low + 1000 * unpadded]
    return list(map(operator.add, high_texts[high - first].tolist(), low_texts.tolist()))


class TimestampTexts:
    """UTC epoch seconds as 'YYYY-MM-DD HH:MM:SS' plus a suffix ('+00' for PostgreSQL)."""

    def __init__(self, suffix: str):
        self.times = np.array([t + suffix for t in _TIMES_OF_DAY], dtype=object)

    def __call__(self, seconds: np.ndarray) -> list[str]:
        if len(seconds) == 0:
            return []
        days = seconds // 86400
        first = int(days.min())
        dates = np.datetime_as_string(
            np.arange(first, int(days.max()) + 1).astype("datetime64[D]")
        ).tolist()
        dates = np.array([d + " " for d in dates], dtype=object)
        return list(
            map(operator.add, dates[days - first].tolist(), self.times[seconds % 86400].tolist())
        )


def thousands_texts(values: np.ndarray, render_thousands) -> list[str]:
    """render_thousands(value // 1000) + the last three digits, for every value."""
    values = np.asarray(values, dtype=np.int64)
    if len(values) == 0:
        return []
    high, low = values // 1000, values % 1000
    first = int(high.min())
    table = np.array([render_thousands(h) for h in range(first, int(high.max()) + 1)], dtype=object)
    return list(map(operator.add, table[high - first].tolist(), _LOW_DIGITS[low].tolist()))
