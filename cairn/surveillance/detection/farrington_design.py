"""Which past counts Farrington's methods fit at each monitored time point, as R chooses them.

Both methods look b years back from the time point t and take a window of +/- w periods around
each of those reference points. How a reference point is found depends on whether the series
has dates (R: an sts with epochAsDate, or a disProg with them):

- without dates: exactly freq periods per year back (t - freq, t - 2 freq, ...);
- with dates: the same calendar date b years back (R's seq(by = "-1 year"), where 29 February
  becomes 1 March), moved for weekly data to the nearest day with the weekday of t, and then
  looked up among the series' dates.

farringtonFlexible (surveillance:::blocks, algo.farrington.data.glm) marks the windows with the
season group noPeriods; with noPeriods > 1 the weeks between two windows are split into
noPeriods - 1 blocks of (nearly) equal length, the first blocks one week longer when the weeks do
not divide evenly. The current period and the pastWeeksNotIncluded periods before it are left
out. The time covariate counts periods from the first reference count (dates: days / the first
step between dates); it is predicted at t.

algo.farrington takes the b windows (oldest first without dates, newest first with dates),
drops reference indices before the start of the series, and uses the 1-based index as the time
covariate.

Everything here depends only on t, the series length and the dates, never on the counts, so a
design is computed once and shared by every series with the same dates.
"""

import datetime
from dataclasses import dataclass

import numpy as np

from cairn.surveillance.detection.base import DetectionParameterError

_EPOCH = datetime.date(1970, 1, 1)


@dataclass(frozen=True)
class ReferenceDesign:
    """The reference counts of one monitored time point."""

    t: int  # 0-based index of the monitored period
    rows: np.ndarray  # 0-based indices of the reference counts
    wtime: np.ndarray  # time covariate of each reference count
    wtime_now: float  # time covariate of t
    groups: np.ndarray | None  # season group of each reference count (noPeriods > 1)
    group_now: int | None  # the group predicted at t (noPeriods)


# R's calendar arithmetic on days since 1970-01-01 -------------------------------------------


def _to_date(day: int) -> datetime.date:
    return _EPOCH + datetime.timedelta(days=int(day))


def _to_day(date: datetime.date) -> int:
    return (date - _EPOCH).days


def _normalized(year: int, month: int, mday: int) -> int:
    """Day number of (year, month, mday) with POSIXlt's normalisation (31 April = 1 May)."""
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    if not datetime.MINYEAR < year < datetime.MAXYEAR:
        raise DetectionParameterError("dates: a reference date falls outside the calendar.")
    return _to_day(datetime.date(year, month, 1)) + mday - 1


def years_back(day: int, years: int) -> int:
    """seq(as.Date(day), by = "-1 year")[years + 1]."""
    date = _to_date(day)
    return _normalized(date.year - years, date.month, date.day)


def months_shift(day: int, months: int) -> int:
    """The date `months` months after `day` (negative: before), as seq(by = "1 month")."""
    date = _to_date(day)
    return _normalized(date.year, date.month + months, date.day)


def r_weekday(day: int) -> int:
    """format(date, "%w"): 0 = Sunday. 1970-01-01 was a Thursday."""
    return (int(day) + 4) % 7


def nearest_same_weekday(day: int, target_weekday: int) -> int:
    """The day with target_weekday nearest to `day` (at most 3 days away)."""
    shift = (target_weekday - r_weekday(day)) % 7
    return day + shift if shift <= 3 else day + shift - 7


# R's index vectors ---------------------------------------------------------------------------


def _r_colon(a: int, b: int) -> np.ndarray:
    """R's a:b (descending when a > b)."""
    return np.arange(a, b + 1) if a <= b else np.arange(a, b - 1, -1)


def _r_positions(a: int, b: int, n: int, what: str) -> np.ndarray:
    """0-based positions that vector[a:b] (1-based, R) assigns to within a length-n series."""
    index = _r_colon(a, b)
    if (index < 0).any():
        raise DetectionParameterError(
            f"{what} starts before the beginning of the series; decrease b or w, or start "
            "the range later."
        )
    index = index[(index >= 1) & (index <= n)]
    return index - 1


# farringtonFlexible ----------------------------------------------------------------------------


def flexible_reference_points(t: int, *, b: int, freq: int, days: np.ndarray | None) -> np.ndarray:
    """0-based indices of t and of its b reference points, newest first."""
    if days is None:
        points = np.array([t - freq * i for i in np.arange(b + 1)])
        if (points < 0).any():
            raise _missing_reference(t)
        return points
    day = int(days[t])
    wanted = [years_back(day, i) for i in np.arange(b + 1)]
    if freq == 52:
        weekday = r_weekday(day)
        wanted = [nearest_same_weekday(d, weekday) for d in wanted]
    positions = np.searchsorted(days, wanted)
    found = (positions < len(days)) & (days[np.minimum(positions, len(days) - 1)] == wanted)
    if not found.all():
        raise _missing_reference(t)
    return np.sort(positions)[::-1]


def _missing_reference(t: int) -> DetectionParameterError:
    return DetectionParameterError(
        f"t={t + 1}: some reference time points (b years back) are not in the series; "
        "decrease b or start the range later."
    )


def flexible_design(
    t: int,
    *,
    n: int,
    b: int,
    w: int,
    freq: int,
    no_periods: int,
    past_weeks_not_included: int,
    days: np.ndarray | None,
) -> ReferenceDesign:
    """farringtonFlexible's reference counts for the 0-based time point t."""
    points = flexible_reference_points(t, b=b, freq=freq, days=days) + 1  # 1-based, as R
    blocks = np.full(n, np.nan)
    now = t + 1
    blocks[_r_positions(now - w, now, n, f"t={now}: the current window")] = no_periods
    for i in np.arange(1, b + 1):
        ref = int(points[i])
        window = _r_positions(ref - w, ref + w, n, f"t={now}: the window {i} year(s) back")
        blocks[window] = no_periods
        if no_periods != 1:
            period = int(points[i - 1]) - 2 * w - 1 - ref
            if period < no_periods - (2 * w + 1):
                raise DetectionParameterError(
                    f"noPeriods={no_periods} is too big for w={w}: there are not enough "
                    "periods between the reference windows (R: 'Number of factors too big!')."
                )
            lengths = np.full(no_periods - 1, period // (no_periods - 1))
            lengths[: period % (no_periods - 1)] += 1
            starts = np.concatenate([[0], np.cumsum(lengths)])
            for j in np.arange(1, no_periods):
                first = ref + w + 1 + int(starts[j - 1])
                last = ref + w + int(starts[j])
                blocks[_r_positions(first, last, n, f"t={now}: season block {j}")] = j
    excluded = blocks.copy()
    excluded[_r_positions(now - past_weeks_not_included, now, n, "pastWeeksNotIncluded")] = np.nan
    rows = np.flatnonzero(~np.isnan(excluded))
    if rows.size == 0:
        raise DetectionParameterError(f"t={now}: no reference counts are left to fit.")
    if days is None:
        wtime = (rows + 1).astype(float)
        wtime_now = float(now)
    else:
        step = float(days[1] - days[0])
        wtime = (days[rows] - days[rows[0]]) / step
        wtime_now = float(days[t] - days[rows[0]]) / step
    if no_periods == 1:
        return ReferenceDesign(t, rows, wtime, wtime_now, None, None)
    return ReferenceDesign(t, rows, wtime, wtime_now, blocks[rows].astype(int), no_periods)


# algo.farrington ----------------------------------------------------------------------------


def classic_design(
    t: int, *, n: int, b: int, w: int, freq: int, days: np.ndarray | None
) -> ReferenceDesign:
    """algo.farrington's reference counts for the 0-based time point t."""
    now = t + 1
    if days is None:
        indices = np.concatenate(
            [np.arange(now - freq * i - w, now - freq * i + w + 1) for i in np.arange(b, 0, -1)]
        )
        indices = indices[indices > 0]
        if (indices > n).any():
            raise DetectionParameterError(f"w={w} is too large for freq={freq}.")
        rows = indices - 1
    else:
        rows = _classic_rows_by_date(t, b=b, w=w, freq=freq, days=days)
    if rows.size == 0:
        raise DetectionParameterError(
            f"t={now}: no reference counts b years back; decrease b or start the range later."
        )
    return ReferenceDesign(t, rows, (rows + 1).astype(float), float(now), None, None)


def _classic_rows_by_date(t: int, *, b: int, w: int, freq: int, days: np.ndarray) -> np.ndarray:
    """surveillance:::refvalIdxByDate: reference windows by calendar, missing ones dropped."""
    day = int(days[t])
    wanted = []
    for j in np.arange(1, b + 1):
        ref = years_back(day, j)
        for m in np.arange(-w, w + 1):
            if freq == 52:
                wanted.append(ref + 7 * m)
            elif freq == 365:
                wanted.append(ref + m)
            else:
                wanted.append(months_shift(ref, m))
    if freq == 52:
        weekday = r_weekday(day)
        wanted = [nearest_same_weekday(d, weekday) for d in wanted]
    elif freq == 12:
        mday = _to_date(day).day
        wanted = [d - (_to_date(d).day - mday) for d in wanted]
    wanted = np.asarray(wanted)
    positions = np.searchsorted(days, wanted)
    clipped = np.minimum(positions, len(days) - 1)
    found = (positions < len(days)) & (days[clipped] == wanted)
    return clipped[found]
