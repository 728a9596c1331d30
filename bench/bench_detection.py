"""Detection: every EARS and Farrington method over a province's series, side by side with R.

    python bench/bench_detection.py [--weeks 365] [--days 730] [--r-farrington-series 6]
                                    [--r-ears-series 0] [--no-r] [--seed 1]

The series are those of the demo province without a database: 89 communities x 6 case
definitions, weekly over --weeks (7 years by default, so Farrington's b = 5 years leaves
two years to monitor) and daily over --days (2 years). Counts are seeded Poisson draws:
rates per 100,000 that differ by definition, community populations from 1,500 to 650,000,
a yearly season, a slow trend, a day-of-week effect for daily series and a few injected
spikes per series.

Cairn runs each method through `detect()` one series at a time (as a scheduled run
does), with R's defaults: EARS C1/C2/C3 on weekly and daily series, Farrington flexible
and classic on weekly series (b = 5 years needs weekly history; 2 years of days is too
short). The ESSENCE detectors (daily) are timed separately: Rnssp is not installed here.

R (`Rscript`, package surveillance) runs earsC, farringtonFlexible and algo.farrington on
the same series, timed inside R around the calls only. Times are CPU seconds of one core
on both sides (OMP_NUM_THREADS=1), so other work on the machine does not distort them.
earsC runs on every series (or on the first --r-ears-series); R's Farrington takes about
2 s per series, so it runs on --r-farrington-series series spread over the set and its
time is scaled to all series (printed as an estimate). Alarm counts from R and Cairn on
the same series are printed as a check that both computed the same thing.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core, like R; before numpy loads BLAS

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cairn.surveillance.detection import DetectionParameterError, detect  # noqa: E402

COMMUNITIES = 89
# Case definition -> events per 100,000 people per week (BC-like orders of magnitude).
DEFINITIONS = {
    "all_drug": 9.0,
    "opioid": 6.0,
    "ca_opioid": 5.0,
    "fentanyl": 3.5,
    "stimulant": 2.0,
    "heroin": 0.5,
}
EARS = ("ears-c1", "ears-c2", "ears-c3")
FARRINGTON = ("farrington-flexible", "farrington")
ESSENCE = ("ewma", "regression", "switch")
WEEKDAY_EFFECT = np.array([0.95, 0.9, 0.9, 0.95, 1.1, 1.2, 1.0])  # Mon..Sun

R_SCRIPT = r"""
suppressMessages(library(surveillance))
args <- commandArgs(trailingOnly = TRUE)
read_matrix <- function(path) unname(as.matrix(read.csv(path, header = FALSE)))
weekly <- read_matrix(args[1])
daily <- read_matrix(args[2])
farr <- if (file.info(args[3])$size > 0) read_matrix(args[3]) else matrix(0, 0, 0)
report <- function(key, seconds, series, alarms) {
  cat(key, sprintf("%.4f", seconds), series, alarms, "\n")
}
cpu <- function() sum(proc.time()[c("user.self", "sys.self")])
timed <- function(f) {
  started <- cpu()
  value <- f()
  list(value = value, seconds = cpu() - started)
}
for (freq in c("week", "day")) {
  y <- if (freq == "week") weekly else daily
  s <- sts(observed = y, frequency = if (freq == "week") 52 else 365, start = c(2018, 1))
  for (method in c("C1", "C2", "C3")) {
    r <- timed(function() earsC(s, control = list(method = method)))
    report(paste0("ears-", tolower(method), "/", freq), r$seconds, ncol(y),
           sum(r$value@alarm, na.rm = TRUE))
  }
}
if (ncol(farr) > 0) {
  s <- sts(observed = farr, frequency = 52, start = c(2018, 1))
  r <- timed(function() farringtonFlexible(s, control = list()))
  report("farrington-flexible/week", r$seconds, ncol(farr), sum(r$value@alarm, na.rm = TRUE))
  r <- timed(function() {
    alarms <- 0
    for (j in seq_len(ncol(farr))) {
      one <- suppressWarnings(algo.farrington(sts2disProg(s[, j]), control = list()))
      alarms <- alarms + sum(one$alarm, na.rm = TRUE)
    }
    alarms
  })
  report("farrington/week", r$seconds, ncol(farr), r$value)
}
"""


def generate(weeks: int, days: int, seed: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Weekly (series x weeks) and daily (series x days) counts, one row per series."""
    rng = np.random.default_rng(seed)
    populations = np.clip(rng.lognormal(np.log(25_000), 1.2, COMMUNITIES), 1_500, 650_000)
    burden = rng.gamma(4.0, 0.25, COMMUNITIES)  # some communities carry far more overdoses
    names, weekly_rates, daily_rates = [], [], []
    week = np.arange(weeks)
    day = np.arange(days)
    for c in range(COMMUNITIES):
        for definition, rate in DEFINITIONS.items():
            names.append(f"community{c + 1}/{definition}")
            level = rate * populations[c] / 100_000 * burden[c]
            phase = rng.uniform(0, 2 * np.pi)
            weekly = level * (1 + 0.15 * np.sin(2 * np.pi * week / 52 + phase))
            weekly *= 1 + 0.03 * week / 52
            daily = (
                level
                / 7
                * (1 + 0.15 * np.sin(2 * np.pi * day / 365 + phase))
                * WEEKDAY_EFFECT[day % 7]
            )
            for series, length, width in ((weekly, weeks, 2), (daily, days, 3)):
                for start in rng.integers(0, length - width, 3):
                    series[start : start + width] *= rng.uniform(2, 4)
            weekly_rates.append(weekly)
            daily_rates.append(daily)
    weekly_counts = rng.poisson(np.array(weekly_rates)).astype(np.float64)
    daily_counts = rng.poisson(np.array(daily_rates)).astype(np.float64)
    return weekly_counts, daily_counts, names


def time_cairn(method: str, series: np.ndarray, **kwargs) -> tuple[float, int] | str:
    """(seconds, alarms) over every series, or why the method could not run."""
    started = time.process_time()
    alarms = 0
    try:
        for y in series:
            alarms += detect(method, y, **kwargs).n_alarms
    except DetectionParameterError as error:
        if "not available" in str(error):
            return "not available (cairn.surveillance.detection.farrington is missing)"
        raise
    except Exception as error:
        if method not in FARRINGTON:
            raise
        # Farrington is another helper's module, possibly mid-change: report, go on.
        return f"failed: {type(error).__name__}: {error}"
    return time.process_time() - started, alarms


def run_r(weekly, daily, farrington_sample) -> dict[str, tuple[float, int, int]]:
    with tempfile.TemporaryDirectory(prefix="cairn-bench-detection-") as folder:
        folder = Path(folder)
        paths = []
        for name, matrix in (("weekly", weekly), ("daily", daily), ("farr", farrington_sample)):
            path = folder / f"{name}.csv"
            # R wants time in rows and one column per series.
            np.savetxt(path, matrix.T.astype(np.int64), fmt="%d", delimiter=",")
            paths.append(str(path))
        script = folder / "bench.R"
        script.write_text(R_SCRIPT, encoding="utf-8")
        done = subprocess.run(
            ["Rscript", str(script), *paths], capture_output=True, text=True, check=False
        )
    if done.returncode != 0:
        raise RuntimeError(f"Rscript failed:\n{done.stderr[-2000:]}")
    figures = {}
    for line in done.stdout.splitlines():
        parts = line.split()
        if len(parts) == 4:
            figures[parts[0]] = (float(parts[1]), int(parts[2]), int(float(parts[3])))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=365)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--r-farrington-series", type=int, default=6)
    parser.add_argument("--r-ears-series", type=int, default=0, help="0 (default): every series.")
    parser.add_argument("--no-r", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    weekly, daily, _ = generate(args.weeks, args.days, args.seed)
    n = weekly.shape[0]
    dates = np.datetime64("2023-01-02") + np.arange(args.days)  # starts on a Monday
    print(
        f"Detection over {n} series ({COMMUNITIES} communities x {len(DEFINITIONS)} "
        f"definitions): weekly x {args.weeks} weeks and daily x {args.days} days; "
        f"mean weekly count {weekly.mean():.1f}, {np.mean(weekly == 0):.0%} zero weeks."
    )

    cairn: dict[str, tuple[float, int] | str] = {}
    for method in EARS:
        cairn[f"{method}/week"] = time_cairn(method, weekly, freq=52)
        cairn[f"{method}/day"] = time_cairn(method, daily, freq=365)
    for method in FARRINGTON:
        cairn[f"{method}/week"] = time_cairn(method, weekly, freq=52)
    for method in ESSENCE:
        cairn[f"{method}/day"] = time_cairn(method, daily, freq=365, dates=dates)

    r_ears_n = args.r_ears_series or n
    pick = np.unique(np.linspace(0, n - 1, max(args.r_farrington_series, 0)).round().astype(int))
    farrington_available = all(not isinstance(cairn[f"{m}/week"], str) for m in FARRINGTON)
    r_figures: dict[str, tuple[float, int, int]] = {}
    r_note = ""
    if args.no_r:
        r_note = "R not run (--no-r)."
    elif shutil.which("Rscript") is None:
        r_note = "R not run: Rscript is not installed (apt-get install r-cran-surveillance)."
    else:
        farr_sample = weekly[pick] if farrington_available else weekly[:0]
        r_figures = run_r(weekly[:r_ears_n], daily[:r_ears_n], farr_sample)

    print()
    print(
        f"{'CPU seconds':<26}{'series':>7}{'Cairn s':>10}{'ms/series':>11}{'R s':>10}"
        f"{'R/Cairn':>9}  alarms Cairn / R (same series)"
    )
    cairn_total = r_total = 0.0
    for key in [f"{m}/{f}" for m in EARS for f in ("week", "day")] + [
        f"{m}/week" for m in FARRINGTON
    ]:
        figure = cairn[key]
        if isinstance(figure, str):
            print(f"{key:<26}{n:>7}  {figure}")
            continue
        seconds, alarms = figure
        line = f"{key:<26}{n:>7}{seconds:>10.2f}{1000 * seconds / n:>11.2f}"
        if key in r_figures:
            r_seconds, r_series, r_alarms = r_figures[key]
            r_all = r_seconds * n / r_series  # R's time per series is flat: scale a sample
            estimate = "*" if r_series < n else " "
            method = key.split("/")[0]
            subset = weekly if key.endswith("/week") else daily
            if r_series == n:
                same_alarms = alarms
            else:
                rows = pick if method in FARRINGTON else np.arange(r_series)
                freq = 52 if key.endswith("/week") else 365
                same_alarms = time_cairn(method, subset[rows], freq=freq)[1]
            line += (
                f"{r_all:>9.1f}{estimate}{r_all / seconds:>8.0f}x  "
                f"{same_alarms} / {r_alarms} on {r_series}"
            )
            cairn_total += seconds
            r_total += r_all
        print(line)
    print()
    print("ESSENCE (daily; no R reference here: Rnssp cannot be installed)")
    for method in ESSENCE:
        seconds, alarms = cairn[f"{method}/day"]
        print(
            f"{method + '/day':<26}{n:>7}{seconds:>10.2f}{1000 * seconds / n:>11.2f}"
            f"{'':>19}  {alarms} alarms (red or yellow)"
        )
    print()
    if r_note:
        print(r_note)
    if any(r_figures[k][1] < n for k in r_figures):
        print(
            f"* R time scaled to {n} series from the series it ran on (Farrington: "
            f"{len(pick)} series spread over the set)."
        )
    if r_total:
        scope = "EARS + Farrington" if farrington_available else "EARS (Farrington n/a)"
        print(
            f"{scope}: Cairn {cairn_total:.1f} s, R {r_total:.0f} s: "
            f"Cairn {r_total / cairn_total:.0f}x faster than R (goal >= 20x)."
        )
    else:
        ears_seconds = sum(cairn[f"{m}/{f}"][0] for m in EARS for f in ("week", "day"))
        print(f"EARS: Cairn {ears_seconds:.2f} s over {2 * n} series x 3 methods.")


if __name__ == "__main__":
    main()
