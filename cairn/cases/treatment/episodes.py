"""Episodes from dispensing records, and continuous courses of treatment.

Kept simple on purpose (docs/cases-treatment.md has the rules in words):

1. **Runs per drug.** A person's dispensings of one drug, in date order, belong to one
   episode while the days no dispensing covers between two of them are at most the
   drug's permissible gap (`rules.gap_days`): a gap of exactly N days continues the
   episode, N + 1 days ends it. Each dispensing covers its day and its carries (or the
   drug's default days, 28 for a monthly injection, or the days supply on the row).
2. **Stops.** An earlier run of a drug ended on its last covered day. The latest run
   is still going on `as_of` while `as_of` is at most N days past its last covered day;
   after that it ended (reason: the gap).
3. **Switches and concurrent therapy** (after Yazdani et al. 2026): when an episode of
   another drug starts while an episode goes on or within its gap, the two overlapping
   by more than `rules.switch_margin_days()` days (14) is concurrent therapy (both
   marked); by 14 days or fewer, the earlier one, if it has ended, ended by a switch.
4. **Courses.** Continuous OAT, whatever the drug: episodes (derived or entered)
   chained while the uncovered days between them are within the gap of the earlier
   one's drug. Retention is the length of the course going on at a date.
"""

import datetime as dt
from dataclasses import dataclass, field

from cairn.cases.models.treatment import OatEndReason
from cairn.cases.treatment import rules

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Dispensed:
    day: dt.date
    drug: str
    covers: int = 1  # days covered, its own day included


def days_covered(drug: str, carry_days: int = 0, days_supply: int | None = None) -> int:
    if days_supply:
        return int(days_supply)
    return rules.rule_for(drug).covers_days + int(carry_days or 0)


@dataclass
class Run:
    drug: str
    start: dt.date
    last_covered: dt.date
    dispensings: int = 1
    stopped_on: dt.date | None = None
    end_reason: str = ""
    concurrent: bool = False
    switched_from: int | None = None  # index into the list of runs

    @property
    def gap(self) -> int:
        return rules.gap_days(self.drug)


def derive_runs(dispensed: list[Dispensed], as_of: dt.date) -> list[Run]:
    """The episodes that dispensing records make, as known on `as_of` (later ones ignored)."""
    runs: list[Run] = []
    for drug in sorted({d.drug for d in dispensed}):
        gap = rules.gap_days(drug)
        current: Run | None = None
        for d in sorted((d for d in dispensed if d.drug == drug and d.day <= as_of), key=_day):
            end = d.day + (max(d.covers, 1) - 1) * DAY
            if current is not None and (d.day - current.last_covered).days - 1 <= gap:
                current.last_covered = max(current.last_covered, end)
                current.dispensings += 1
                continue
            if current is not None:
                current.stopped_on, current.end_reason = current.last_covered, OatEndReason.GAP
            current = Run(drug=drug, start=d.day, last_covered=end)
            runs.append(current)
        if current is not None and (as_of - current.last_covered).days > gap:
            current.stopped_on, current.end_reason = current.last_covered, OatEndReason.GAP
    runs.sort(key=lambda r: (r.start, r.drug))
    _mark_switches(runs)
    return runs


def _day(d: Dispensed) -> dt.date:
    return d.day


def _mark_switches(runs: list[Run]) -> None:
    margin = rules.switch_margin_days()
    for i, earlier in enumerate(runs):
        for j in range(i + 1, len(runs)):
            later = runs[j]
            if later.drug == earlier.drug:
                continue
            if (later.start - earlier.last_covered).days - 1 > earlier.gap:
                continue  # started after the earlier episode's gap: a restart, not a switch
            overlap = (min(earlier.last_covered, later.last_covered) - later.start).days + 1
            if overlap > margin:
                earlier.concurrent = later.concurrent = True
            elif earlier.stopped_on is not None and earlier.last_covered <= later.last_covered:
                earlier.end_reason = OatEndReason.SWITCHED
                if later.switched_from is None:
                    later.switched_from = i


# Courses of continuous treatment ------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """Days on treatment: a derived run, or an episode the team entered."""

    drug: str
    start: dt.date
    end: dt.date  # last day on treatment (last covered day; an entered stop; else as_of)
    open: bool  # still going on as of the date asked
    entered: bool = False
    end_reason: str = ""


@dataclass
class Course:
    start: dt.date
    end: dt.date
    last: Interval
    intervals: list[Interval] = field(default_factory=list)

    @property
    def ongoing(self) -> bool:
        return self.last.open

    def days_on(self, as_of: dt.date) -> int:
        return (min(as_of, self.end if not self.ongoing else as_of) - self.start).days + 1

    def stop_known_on(self) -> dt.date | None:
        """The first day on which the stop was known (None while it goes on)."""
        if self.ongoing:
            return None
        if self.last.entered:
            return self.last.end + DAY
        return self.last.end + (rules.gap_days(self.last.drug) + 1) * DAY


def intervals_from(runs: list[Run], entered: list, as_of: dt.date) -> list[Interval]:
    """Runs and entered episodes (objects with drug, started_on, stopped_on, end_reason) as
    intervals on `as_of`; entered episodes starting later are left out, and a stop
    recorded for a later day is not yet a stop."""
    intervals = [
        Interval(r.drug, r.start, r.last_covered, r.stopped_on is None, False, r.end_reason)
        for r in runs
    ]
    for e in entered:
        if e.started_on > as_of:
            continue
        stopped = e.stopped_on is not None and e.stopped_on < as_of
        end = e.stopped_on if stopped else as_of
        intervals.append(
            Interval(e.drug, e.started_on, end, not stopped, True, e.end_reason if stopped else "")
        )
    return intervals


def courses(intervals: list[Interval]) -> list[Course]:
    """Chain intervals into continuous courses of OAT, whatever the drug."""
    result: list[Course] = []
    for interval in sorted(intervals, key=lambda i: (i.start, i.end)):
        current = result[-1] if result else None
        if current is not None:
            uncovered = (interval.start - current.end).days - 1
            if (
                uncovered <= rules.gap_days(current.last.drug)
                or current.ongoing
                and (interval.start <= current.end)
            ):
                current.intervals.append(interval)
                if (interval.end, interval.open) >= (current.end, current.last.open):
                    current.end, current.last = interval.end, interval
                elif interval.open and not current.last.open:
                    current.last = interval
                continue
        result.append(Course(interval.start, interval.end, interval, [interval]))
    return result


def course_on(all_courses: list[Course], day: dt.date) -> Course | None:
    """The course going on at `day` (the last one, if it is still going on)."""
    if all_courses and all_courses[-1].ongoing and all_courses[-1].start <= day:
        return all_courses[-1]
    return None
