"""Daily counts made up for dashboard tests and benchmarks, written straight to DailyCount.

Real counts come from events through `cairn.surveillance.counts.maintain`; tests of the
dashboards need many communities and weeks of them, which is quicker to write directly.
Counts are Poisson draws around a rate per community (small areas get small counts, so
suppression has work to do), on one day a week unless `every_day`.
"""

import datetime as dt

import numpy as np

from cairn.geography.models import Jurisdiction, Level
from cairn.surveillance.models.counts import DailyCount


def make_daily_counts(
    *,
    definition_id: int | None,
    start: dt.date,
    end: dt.date,
    sources: tuple[str, ...] = ("ed", "paramedic"),
    seed: int = 1,
    weekly_mean: tuple[float, float] = (0.2, 12.0),
    unknown_weekly_mean: float = 0.6,
    every_day: bool = False,
) -> int:
    """Write counts for every community (and the unknown place) from start to end; returns
    the events written. Each community's weekly mean is drawn between the two bounds."""
    rng = np.random.default_rng(seed)
    communities = list(
        Jurisdiction.objects.filter(level=Level.COMMUNITY)
        .order_by("code")
        .values_list("pk", flat=True)
    )
    low, high = weekly_mean
    means = dict(
        zip(
            communities,
            np.exp(rng.uniform(np.log(low), np.log(high), len(communities))),
            strict=True,
        )
    )
    means[None] = unknown_weekly_mean
    step = 1 if every_day else 7
    per_row = 1 / 7 if every_day else 1.0
    rows = []
    total = 0
    day = start
    while day <= end:
        for community_id, mean in means.items():
            for source in sources:
                count = int(rng.poisson(mean * per_row))
                if count:
                    rows.append(
                        DailyCount(
                            community_id=community_id,
                            day=day,
                            source=source,
                            definition_id=definition_id,
                            count=count,
                        )
                    )
                    total += count
        day += dt.timedelta(days=step)
    DailyCount.objects.bulk_create(rows, batch_size=5000)
    return total


def feasible_ranges(
    equations: list[tuple[object, tuple]],
    shown: dict,
    *,
    small: set | None = None,
    cells: list | None = None,
) -> dict:
    """What a reader can deduce about every cell not shown, by linear programming.

    equations: (total, parts) pairs of cell keys that add up. shown: key -> published
    value, or None where suppressed (known to be at least 1, since zeros are shown). Cells
    named in equations but absent from `shown` were never published (at least 0).
    Returns key -> (lowest, highest) over every table consistent with what is shown, for
    `cells` (default: every suppressed cell).
    """
    from scipy.optimize import linprog

    unknown = sorted(
        {k for total, parts in equations for k in (total, *parts) if shown.get(k) is None},
        key=repr,
    )
    index = {k: i for i, k in enumerate(unknown)}
    rows, rhs = [], []
    for total, parts in equations:
        row = np.zeros(len(unknown))
        constant = 0.0
        for key, sign in ((total, 1.0), *((p, -1.0) for p in parts)):
            if key in index:
                row[index[key]] += sign
            else:
                constant -= sign * shown[key]
        if row.any():
            rows.append(row)
            rhs.append(constant)

    def prior(key):
        if key not in shown:
            return (0, None)
        if small is None:
            return (1, None)
        return (1, 4) if key in small else (5, None)

    bounds = [prior(k) for k in unknown]
    wanted = cells if cells is not None else [k for k, v in shown.items() if v is None]
    found = {}
    for key in wanted:
        objective = np.zeros(len(unknown))
        objective[index[key]] = 1.0
        options = {"A_eq": np.array(rows), "b_eq": np.array(rhs), "bounds": bounds}
        low = linprog(objective, method="highs", **options)
        high = linprog(-objective, method="highs", **options)
        found[key] = (low.fun, -high.fun if high.status == 0 else float("inf"))
    return found


def load_dashboard_counts(*, first_year: int = 2022, last_year: int = 2024, seed: int = 1) -> dict:
    """The shipped case definitions, and made-up weekly counts for two of them (opioid and
    stimulant) and for all ED visits, from first_year to last_year. Returns the
    definitions' primary keys by slug."""
    from cairn.surveillance.definitions import load_default_definitions
    from cairn.surveillance.models import CaseDefinition

    load_default_definitions()
    pks = dict(CaseDefinition.objects.values_list("slug", "pk"))
    start, end = dt.date(first_year, 1, 1), dt.date(last_year, 12, 31)
    make_daily_counts(definition_id=pks["opioid"], start=start, end=end, seed=seed)
    make_daily_counts(
        definition_id=pks["stimulant"],
        start=dt.date(last_year, 1, 1),
        end=end,
        seed=seed + 1,
        weekly_mean=(0.01, 3.0),
    )
    make_daily_counts(
        definition_id=None,
        start=dt.date(last_year, 1, 1),
        end=end,
        sources=("ed",),
        seed=seed + 2,
        weekly_mean=(20.0, 400.0),
        unknown_weekly_mean=5.0,
    )
    return pks
