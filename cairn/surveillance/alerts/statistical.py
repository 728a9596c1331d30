"""Statistical alerts: detection methods over each community's count series.

For one method, definition and source, the daily counts of every selected community are
read in one query from the maintained counts (DailyCount), summed to weeks for weekly
methods, and each series is given to `cairn.surveillance.detection.detect`. A period
in the evaluation window signals when the method raises an alarm there and at least
`min_observed` events were counted (detection on small counts alarms on 2 events after
a quiet week; nobody can act on that, and ESSENCE users filter such alerts too).

Each series is cut to the history the method needs before the first evaluated period,
so a run over the last two weeks costs two weeks of detection, not years.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from django.conf import settings
from django.db.models import Min, Sum

from cairn.surveillance.alerts.actions import SignalCandidate
from cairn.surveillance.counts.queries import period_start
from cairn.surveillance.detection import DetectionParameterError, detect
from cairn.surveillance.models.alerts import AlertPeriod
from cairn.surveillance.models.counts import DailyCount


@dataclass(frozen=True)
class MethodConfig:
    key: str  # the detection method, as on the command line and stored on signals
    period: str  # "day" or "week"
    history: int  # periods before the first evaluated one that the method needs
    params: dict = field(default_factory=dict)
    min_observed: int = 5
    years_back: int = 0  # Farrington: years of history (b); fewer when data are shorter
    levels: tuple[str, ...] = ()  # ESSENCE: the levels that alert (red: p < 0.01)

    @property
    def freq(self) -> int:
        return 365 if self.period == AlertPeriod.DAY else 52


FARRINGTON_WINDOW = 3  # w: weeks either side of the same week in earlier years
FARRINGTON_ALPHA = 0.005

METHOD_CONFIGS: dict[str, MethodConfig] = {
    config.key: config
    for config in [
        MethodConfig("ears-c1", AlertPeriod.DAY, history=7),
        MethodConfig("ears-c2", AlertPeriod.DAY, history=9),
        MethodConfig("ears-c3", AlertPeriod.DAY, history=11),
        # ESSENCE: red (p < 0.01) alerts; yellow (p < 0.05) is a warning shown in ESSENCE,
        # not a reason to tell a community's team.
        MethodConfig("ewma", AlertPeriod.DAY, history=30, levels=("red",)),
        MethodConfig("regression", AlertPeriod.DAY, history=30, levels=("red",)),
        MethodConfig("switch", AlertPeriod.DAY, history=30, levels=("red",)),
        # Farrington: R's defaults except alpha. At R's 0.05 about one quiet week in
        # twenty alerts, for every community and definition; 0.005 keeps weekly alerts
        # for what is clearly unusual (docs/alerts.md).
        MethodConfig(
            "farrington-flexible",
            AlertPeriod.WEEK,
            history=5 * 52 + FARRINGTON_WINDOW,
            params={"alpha": FARRINGTON_ALPHA},
            years_back=5,
        ),
        MethodConfig(
            "farrington",
            AlertPeriod.WEEK,
            history=5 * 52 + FARRINGTON_WINDOW,
            params={"alpha": FARRINGTON_ALPHA},
            years_back=5,
        ),
    ]
}
DEFAULT_METHODS = ("ewma", "farrington-flexible")


def configured_methods() -> tuple[str, ...]:
    """The methods `cairn surveillance run` uses unless told otherwise."""
    return tuple(getattr(settings, "CAIRN_ALERT_METHODS", DEFAULT_METHODS))


def method_config(key: str) -> MethodConfig:
    """A method's configuration, with CAIRN_ALERT_METHOD_PARAMS[key] (R's names) applied."""
    try:
        config = METHOD_CONFIGS[key]
    except KeyError:
        raise ValueError(
            f"unknown alert method {key!r}; methods: {', '.join(METHOD_CONFIGS)}"
        ) from None
    extra = getattr(settings, "CAIRN_ALERT_METHOD_PARAMS", {}).get(key)
    if not extra:
        return config
    params = {**config.params, **extra}
    history = config.history
    if "baseline" in params:  # EARS: the reference window, then its guard band
        history = int(params["baseline"]) + (config.history - 7)
    if "B" in params or "g" in params:  # ESSENCE
        history = int(params.get("B", 28)) + int(params.get("g", 2))
    return replace(config, params=params, history=history)


@dataclass(frozen=True)
class Plan:
    """What one method can evaluate: the periods, the history before them, its parameters."""

    periods: list[dt.date]  # every period from the history start to the last evaluated
    first_evaluated: int  # index into periods
    params: dict


def _step(period: str) -> dt.timedelta:
    return dt.timedelta(days=1 if period == AlertPeriod.DAY else 7)


def plan(
    config: MethodConfig, *, since: dt.date, until: dt.date, data_start: dt.date
) -> Plan | None:
    """The periods to read and evaluate, or None when the data are too short for the method.

    Farrington's b (years back) shrinks to the whole years of data available before the
    first evaluated week; with less than a year, the first evaluated week moves later.
    """
    step = _step(config.period)
    first = period_start(max(since, data_start), config.period)
    data_first = period_start(data_start, config.period)
    last = period_start(until, config.period)
    params = dict(config.params)
    history = config.history
    if config.years_back:
        available = (first - data_first) // step
        years = min(config.years_back, (available - FARRINGTON_WINDOW) // 52)
        if years < 1:
            years = 1
            first = data_first + step * (52 + FARRINGTON_WINDOW)
        params["b"] = years
        params["w"] = FARRINGTON_WINDOW
        history = years * 52 + FARRINGTON_WINDOW
    elif (first - data_first) // step < history:
        first = data_first + step * history
    if first > last:
        return None
    history_start = first - step * history
    count = (last - history_start) // step + 1
    periods = [history_start + step * i for i in range(count)]
    return Plan(periods=periods, first_evaluated=history, params=params)


def definition_data_start(definition_id: int) -> dt.date | None:
    """The first day with any counted event for the definition."""
    return DailyCount.objects.filter(definition_id=definition_id).aggregate(first=Min("day"))[
        "first"
    ]


def count_matrix(
    *,
    definition_id: int,
    source: str,
    community_ids: Sequence[int],
    periods: list[dt.date],
    period: str,
) -> np.ndarray:
    """Counts per community (rows, in community_ids order) and period (columns)."""
    index = {community_id: i for i, community_id in enumerate(community_ids)}
    matrix = np.zeros((len(community_ids), len(periods)), dtype=np.int64)
    if not periods:
        return matrix
    start = periods[0]
    end = periods[-1] + _step(period) - dt.timedelta(days=1)
    rows = DailyCount.objects.filter(
        definition_id=definition_id, day__gte=start, day__lte=end, community_id__in=community_ids
    )
    if source:
        rows = rows.filter(source=source)
    step_days = _step(period).days
    for community_id, day, total in (
        rows.values("community_id", "day")
        .annotate(total=Sum("count"))
        .values_list("community_id", "day", "total")
    ):
        matrix[index[community_id], (day - start).days // step_days] += total
    return matrix


def detect_series(
    config: MethodConfig, counts: np.ndarray, periods: Sequence[dt.date], params: dict
):
    """Run the method over one series; None where the method cannot use it."""
    try:
        return detect(
            config.key,
            counts,
            dates=np.asarray(periods, dtype="datetime64[D]"),
            freq=config.freq,
            **params,
        )
    except DetectionParameterError:
        return None


@dataclass
class MethodRun:
    signals: list[SignalCandidate]
    series: int


def run_method(
    config: MethodConfig,
    *,
    definition_id: int,
    community_ids: Iterable[int],
    since: dt.date,
    until: dt.date,
    source: str = "",
    min_observed: int | None = None,
) -> MethodRun:
    """Signals of one method for one definition over every given community."""
    community_ids = list(community_ids)
    data_start = definition_data_start(definition_id)
    if data_start is None or not community_ids:
        return MethodRun([], 0)
    the_plan = plan(config, since=since, until=until, data_start=data_start)
    if the_plan is None:
        return MethodRun([], 0)
    matrix = count_matrix(
        definition_id=definition_id,
        source=source,
        community_ids=community_ids,
        periods=the_plan.periods,
        period=config.period,
    )
    minimum = config.min_observed if min_observed is None else min_observed
    first = the_plan.first_evaluated
    # Only series where something in the window could signal are worth detecting.
    rows = [r for r in range(len(community_ids)) if matrix[r, first:].max() >= max(minimum, 1)]
    results = _detect_rows(config, matrix[rows], the_plan)
    signals: list[SignalCandidate] = []
    step = _step(config.period)
    for row, result in zip(rows, results, strict=True):
        if result is None:
            continue
        counts = matrix[row]
        flagged = result.alarm & result.defined & (counts >= minimum)
        if config.levels and result.level is not None:
            flagged &= np.isin(result.level.astype(str), config.levels)
        flagged[:first] = False
        for i in np.flatnonzero(flagged):
            start = the_plan.periods[i]
            signals.append(
                SignalCandidate(
                    community_id=community_ids[row],
                    definition_id=definition_id,
                    source=source,
                    method=config.key,
                    period=config.period,
                    period_start=start,
                    period_end=start + step - dt.timedelta(days=1),
                    observed=int(counts[i]),
                    expected=_at(result.expected, i),
                    upperbound=_at(result.upperbound, i),
                    p_value=_at(result.p_value, i),
                    level="" if result.level is None else str(result.level[i] or ""),
                    details=dict(the_plan.params),
                )
            )
    return MethodRun(signals, len(rows))


def _detect_rows(config: MethodConfig, matrix: np.ndarray, the_plan: Plan) -> list:
    """One result per row; Farrington fits every series of a definition together."""
    if len(matrix) == 0:
        return []
    many = _MANY.get(config.key)
    if many is not None:
        try:
            from cairn.surveillance.detection import farrington

            return getattr(farrington, many)(
                matrix,
                freq=config.freq,
                dates=np.asarray(the_plan.periods, dtype="datetime64[D]"),
                **the_plan.params,
            )
        except (ImportError, DetectionParameterError):
            return [None] * len(matrix)
    return [detect_series(config, row, the_plan.periods, the_plan.params) for row in matrix]


_MANY = {
    "farrington-flexible": "farrington_flexible_many",
    "farrington": "farrington_classic_many",
}


def _at(values, i: int) -> float | None:
    if values is None:
        return None
    value = float(values[i])
    return None if np.isnan(value) else value
