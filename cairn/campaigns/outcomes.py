"""Outcome series of a campaign's communities, beside the campaign's period.

Three series, each a count per week or month, from two years before the campaign starts
to one year after (or to the last whole period before today):

- **ED visits for a drug overdose**: the maintained surveillance counts (source "ed",
  case definition "all_drug"), never the events (docs/counts.md);
- **OAT starts**: people starting opioid agonist treatment whose home community is in
  the campaign's communities: an episode (entered, or derived from dispensing) that is
  not a switch from another drug and that no earlier episode of the person was still
  covering (within 7 days, the longest permissible gap) — a person counted once a period;
- **Naloxone kits handed out** in outreach encounters there (voided ones left out).

Aggregates only. Small counts (1-4) are suppressed, with complementary suppression over
the periods and their total, for every viewer below the tier the source needs for exact
counts (de-identified line lists for ED visits and kits, the care team for OAT starts, as
the cascade of care does) and always in the report, which is meant to be passed on.

The interrupted-time-series estimate (`cairn.campaigns.its`) is fitted on the exact
counts and shown to everyone who sees the series: a rate ratio over years of periods gives
no small count away. It is fitted only when the series is long and large enough.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone

from cairn.access.permissions import data_tier_for
from cairn.access.roles import DataTier
from cairn.access.suppression import suppress_count, suppress_counts
from cairn.campaigns.its import ItsError, ItsFit, describe_fit, segmented_poisson
from cairn.campaigns.models import Campaign
from cairn.surveillance.counts.queries import (
    CountQueryError,
    community_ids_under,
    definition_id,
    includes_unknown_place,
    next_period,
    period_start,
    periods_between,
)

logger = logging.getLogger(__name__)

FREQUENCIES = ("week", "month")
YEARS_BEFORE = 2
YEARS_AFTER = 1
ED_DEFINITION = "all_drug"
OAT_RESTART_DAYS = 7  # the longest permissible gap of any drug (docs/cases-treatment.md)
# The estimate needs enough periods on each side and enough events on each side.
MIN_PERIODS = {"week": (26, 8), "month": (12, 6)}
MIN_EVENTS_EACH_SIDE = 20
ASSOCIATION_NOTE = (
    "The estimate compares the counts after the campaign started with what the trend "
    "before it predicted. Anything else that changed at the same time (the drug supply, "
    "services, reporting) could explain a difference."
)


@dataclass(frozen=True)
class Outcome:
    key: str
    label: str  # as a heading: "ED visits for a drug overdose"
    noun: str  # inside a sentence: "ED visits for a drug overdose"
    source: str
    exact_tier: DataTier
    missing: str = ""  # what to say when the source is not there at all
    nothing: str = ""  # what to say when nothing was recorded: "No OAT starts recorded"


OUTCOMES = {
    "ed_visits": Outcome(
        "ed_visits",
        "ED visits for a drug overdose",
        "ED visits for a drug overdose",
        "Emergency department visits meeting the all-drug overdose case definition, from "
        "Cairn's maintained surveillance counts.",
        DataTier.LINE_LIST,
        "No ED overdose counts: the all-drug overdose case definition is not loaded in this Cairn.",
        "No ED visits for a drug overdose counted",
    ),
    "oat_starts": Outcome(
        "oat_starts",
        "People starting opioid agonist treatment",
        "OAT starts",
        "People whose home community is here starting opioid agonist treatment after a "
        "time without it (switches between drugs are not starts).",
        DataTier.IDENTIFIABLE,
        nothing="No OAT starts recorded",
    ),
    "naloxone_kits": Outcome(
        "naloxone_kits",
        "Naloxone kits handed out in outreach",
        "naloxone kits handed out",
        "Kits handed out in community action teams' outreach encounters here.",
        DataTier.LINE_LIST,
        nothing="No naloxone kits recorded as handed out",
    ),
}


class OutcomeError(ValueError):
    """A bad argument; the message names it."""


@dataclass
class OutcomeSeries:
    outcome: Outcome
    periods: list[dt.date]
    counts: list[int | None]  # as the viewer may see them; None = suppressed
    suppressed: bool
    total: int | None
    fit: ItsFit | None
    fit_note: str  # why there is no estimate, or the plain-language reading of it
    available: bool = True  # False when the source is missing (e.g. no case definition)
    has_data: bool = True  # False when nothing was recorded at all (no chart of zeros)

    @property
    def key(self) -> str:
        return self.outcome.key

    @property
    def total_text(self) -> str:
        return "suppressed" if self.total is None else f"{self.total:,}"

    @property
    def hidden_periods(self) -> int:
        return sum(1 for c in self.counts if c is None)


@dataclass
class CampaignOutcomes:
    campaign: Campaign
    freq: str
    start: dt.date  # first day of the first period
    end: dt.date  # last day of the last period
    campaign_start_index: int | None  # first period on or after the start; None if outside
    campaign_end_index: int | None  # last period the campaign runs in
    places: list[str]
    series: list[OutcomeSeries] = field(default_factory=list)
    note: str = ASSOCIATION_NOTE

    @property
    def periods(self) -> list[dt.date]:
        return self.series[0].periods if self.series else []


# Places and periods ---------------------------------------------------------------------


def campaign_places(campaign: Campaign) -> tuple[list[int], bool]:
    """The communities (LHAs) under the campaign's communities, and whether the province's
    unknown-place bucket belongs to them (a province-wide campaign)."""
    ids: set[int] = set()
    unknown = False
    for jurisdiction in campaign.communities.all():
        ids.update(community_ids_under(jurisdiction))
        unknown = unknown or includes_unknown_place(jurisdiction)
    return sorted(ids), unknown


def _years_from(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (or earlier); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def outcome_window(
    campaign: Campaign, freq: str, today: dt.date | None = None
) -> tuple[list[dt.date], dt.date]:
    """The whole periods from two years before the start to one year after it, ending
    with the last whole period before today; and the last day of the last period."""
    if freq not in FREQUENCIES:
        raise OutcomeError(f"freq must be one of {', '.join(FREQUENCIES)}, not {freq!r}.")
    today = today or timezone.localdate()
    start = _years_from(campaign.starts_on, -YEARS_BEFORE)
    end = _years_from(campaign.starts_on, YEARS_AFTER)
    last_whole = period_start(today, freq) - dt.timedelta(days=1)
    end = min(end - dt.timedelta(days=1), last_whole)
    if end < start:
        return [], start
    periods = periods_between(start, end, freq)
    if next_period(periods[-1], freq) - dt.timedelta(days=1) > last_whole:
        periods = periods[:-1]
    if not periods:
        return [], start
    return periods, next_period(periods[-1], freq) - dt.timedelta(days=1)


def _bucket(periods: list[dt.date], freq: str, rows) -> np.ndarray:
    """Sum (day, value) rows into the periods."""
    index = {first: i for i, first in enumerate(periods)}
    counts = np.zeros(len(periods), dtype=np.int64)
    for day, value in rows:
        i = index.get(period_start(day, freq))
        if i is not None:
            counts[i] += value or 0
    return counts


# Raw series (no access decisions here) -------------------------------------------------------


def ed_visit_counts(
    ids: list[int], unknown: bool, periods: list[dt.date], freq: str, last_day: dt.date
) -> np.ndarray:
    from cairn.surveillance.models.counts import DailyCount

    place = Q(community_id__in=ids)
    if unknown:
        place |= Q(community__isnull=True)
    rows = (
        DailyCount.objects.filter(
            place,
            day__gte=periods[0],
            day__lte=last_day,
            source="ed",
            definition_id=definition_id(ED_DEFINITION),
        )
        .values_list("day")
        .annotate(events=Sum("count"))
        .order_by()
    )
    return _bucket(periods, freq, rows)


def oat_start_counts(
    ids: list[int], periods: list[dt.date], freq: str, last_day: dt.date
) -> np.ndarray:
    from cairn.cases.models import OatEpisode
    from cairn.cases.models.clients import RecordStatus

    covering = OatEpisode.objects.filter(client_id=OuterRef("client_id")).filter(
        Q(started_on__lt=OuterRef("started_on"))
        | Q(started_on=OuterRef("started_on"), pk__lt=OuterRef("pk"))
    )
    covering = covering.filter(
        Q(stopped_on__isnull=True)
        | Q(stopped_on__gte=OuterRef("started_on") - dt.timedelta(days=OAT_RESTART_DAYS))
    )
    starts = (
        OatEpisode.objects.filter(
            client__home_community_id__in=ids,
            client__status=RecordStatus.ACTIVE,
            switched_from__isnull=True,
            started_on__gte=periods[0],
            started_on__lte=last_day,
        )
        .exclude(Exists(covering))
        .values_list("client_id", "started_on")
    )
    people = {(client, period_start(day, freq)) for client, day in starts}
    return _bucket(periods, freq, ((first, 1) for _, first in people))


def naloxone_kit_counts(
    ids: list[int], periods: list[dt.date], freq: str, last_day: dt.date
) -> np.ndarray:
    from cairn.outreach.models import Encounter

    rows = (
        Encounter.objects.filter(
            community_id__in=ids,
            voided_at__isnull=True,
            occurred_on__gte=periods[0],
            occurred_on__lte=last_day,
            naloxone_kits__gt=0,
        )
        .values_list("occurred_on")
        .annotate(kits=Sum("naloxone_kits"))
        .order_by()
    )
    return _bucket(periods, freq, rows)


# Estimate ---------------------------------------------------------------------------------


def year_fractions(periods: list[dt.date], freq: str) -> np.ndarray:
    """Each period's middle as a fraction of the year, for the seasonal terms."""
    half = 3 if freq == "week" else 15
    return np.array(
        [((p + dt.timedelta(days=half)).timetuple().tm_yday - 1) / 365.25 for p in periods]
    )


def fit_outcome(
    counts: np.ndarray, periods: list[dt.date], freq: str, start_index: int | None, outcome
) -> tuple[ItsFit | None, str]:
    """The estimate, or None with the reason in plain words."""
    if start_index is None or start_index >= len(periods):
        return None, "No estimate: the campaign has not started within the periods shown."
    need_before, need_after = MIN_PERIODS[freq]
    unit = freq
    before, after = start_index, len(periods) - start_index
    if before < need_before or after < need_after:
        return None, (
            f"No estimate: it needs at least {need_before} {unit}s before the start and "
            f"{need_after} after ({before} and {after} here)."
        )
    if counts[:start_index].sum() < MIN_EVENTS_EACH_SIDE or (
        counts[start_index:].sum() < MIN_EVENTS_EACH_SIDE
    ):
        return None, (
            f"No estimate: too few {outcome.noun} to model (fewer than "
            f"{MIN_EVENTS_EACH_SIDE} before or after the start)."
        )
    try:
        fit = segmented_poisson(
            counts,
            start_index=start_index,
            year_fraction=year_fractions(periods, freq),
            harmonics=2,
        )
    except ItsError as error:
        return None, f"No estimate: {error}"
    return fit, describe_fit(fit, outcome=outcome.noun, unit=unit)


# The campaign's outcomes -------------------------------------------------------------------


def exact_for(user, campaign: Campaign, tier: DataTier) -> bool:
    """Whether the user may see exact counts of a source needing `tier` for every
    community of the campaign; anonymous or None (a report) never."""
    if user is None:
        return False
    places = list(campaign.communities.all())
    if not places:
        return False
    return all((data_tier_for(user, place) or 0) >= tier for place in places)


def campaign_outcomes(
    campaign: Campaign,
    *,
    user=None,
    freq: str = "month",
    today: dt.date | None = None,
    keys: tuple[str, ...] = tuple(OUTCOMES),
) -> CampaignOutcomes:
    """The campaign's outcome series as `user` may see them (user None: suppressed, as in
    the report)."""
    for key in keys:
        if key not in OUTCOMES:
            raise OutcomeError(f"outcome must be one of {', '.join(OUTCOMES)}, not {key!r}.")
    periods, last_day = outcome_window(campaign, freq, today)
    ids, unknown = campaign_places(campaign)
    places = [j.name for j in campaign.communities.order_by("path")]
    start_index = end_index = None
    if periods:
        first = period_start(campaign.starts_on, freq)
        if first < periods[0]:
            start_index = 0
        elif first <= periods[-1]:
            start_index = periods.index(first)
        last = period_start(campaign.ends_on, freq)
        if start_index is not None:
            end_index = periods.index(last) if last in periods else len(periods) - 1
    result = CampaignOutcomes(
        campaign=campaign,
        freq=freq,
        start=periods[0] if periods else last_day,
        end=last_day,
        campaign_start_index=start_index,
        campaign_end_index=end_index,
        places=places,
    )
    if not periods:
        return result
    for key in keys:
        outcome = OUTCOMES[key]
        available = True
        try:
            if key == "ed_visits":
                raw = ed_visit_counts(ids, unknown, periods, freq, last_day)
            elif key == "oat_starts":
                raw = oat_start_counts(ids, periods, freq, last_day)
            else:
                raw = naloxone_kit_counts(ids, periods, freq, last_day)
        except CountQueryError as error:
            raw, available = np.zeros(len(periods), dtype=np.int64), False
            note = outcome.missing
            logger.info("Outcome %s not available: %s", key, error)
        exact = exact_for(user, campaign, outcome.exact_tier)
        cells = {str(i): int(v) for i, v in enumerate(raw)}
        shown = cells if exact else suppress_counts(cells, total_shown=True)
        total = int(raw.sum()) if exact else suppress_count(int(raw.sum()))
        fit = None
        if available and raw.sum() == 0:
            note = f"{outcome.nothing} in these communities over these {freq}s yet."
        elif available:
            fit, note = fit_outcome(raw, periods, freq, start_index, outcome)
        result.series.append(
            OutcomeSeries(
                outcome=outcome,
                periods=periods,
                counts=[shown[str(i)] for i in range(len(periods))],
                suppressed=not exact,
                total=total,
                fit=fit,
                fit_note=note,
                available=available,
                has_data=available and bool(raw.sum()),
            )
        )
    return result
