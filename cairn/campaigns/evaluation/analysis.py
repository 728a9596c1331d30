"""A survey's results: scores by wave or group, and the comparisons its design calls for.

- Measures: the instrument's total (when it has one) and each subscale, read from the
  scores stored on each response when it arrived (`Response.total_score`, `.scores`).
- Comparisons by design (the later or exposed group minus the reference group):
  pre/post and repeated waves, each later wave against the first; exposed vs not
  exposed, in each wave. Waves are paired when at least `MIN_GROUP` survey-panel members
  answered both and they are at least half of each wave's answers (their own changes,
  paired t); otherwise every answer is compared as independent samples (Welch; the few
  pairs among them make that interval a little wider than it need be, never narrower).
  See stats.py for the intervals and effect sizes.
- Each comparison for everyone and for each audience segment; a group with fewer than
  `MIN_GROUP` responses is not shown ("too few responses to compare"): small groups give
  intervals too wide to read and, within a segment, could point to the few people in it.

The whole survey is read with one query into numpy arrays, with no object per response,
so 100,000 responses take well under a second (bench/bench_campaign_analysis.py).
"""

import hashlib
import math
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.db.models import FloatField
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from cairn.campaigns.evaluation import stats
from cairn.campaigns.models.surveys import Design, Response, ResponseGroup, Survey

MIN_GROUP = 10
TOO_FEW = "Too few responses to compare"
TOTAL = "total"


@dataclass(frozen=True)
class Measure:
    key: str  # "total" or a subscale key
    name: str
    scoring: str = "mean"  # "mean" (on the answer scale) or "sum"


@dataclass(frozen=True)
class GroupMean:
    """The mean score of one wave or group, with its 95% t interval (None when withheld)."""

    key: str
    label: str
    n: int
    mean: float | None
    low: float | None
    high: float | None

    @property
    def withheld(self) -> bool:
        return self.mean is None


@dataclass(frozen=True)
class ComparisonResult:
    contrast: str  # e.g. "post-vs-pre", "exposed-vs-unexposed@post"
    title: str  # e.g. "After the campaign vs Before the campaign"
    compared_label: str
    reference_label: str
    measure: Measure
    segment: str  # "" for everyone
    segment_label: str
    n_compared: int
    n_reference: int
    paired: bool
    n_pairs: int
    comparison: stats.Comparison | None  # None when withheld

    @property
    def withheld(self) -> bool:
        return self.comparison is None

    @property
    def withheld_reason(self) -> str:
        return TOO_FEW if self.withheld else ""

    @property
    def estimate(self) -> float | None:
        return None if self.withheld else self.comparison.estimate

    @property
    def low(self) -> float | None:
        return None if self.withheld else self.comparison.low

    @property
    def high(self) -> float | None:
        return None if self.withheld else self.comparison.high

    @property
    def interval_method(self) -> str:
        return "" if self.withheld else self.comparison.interval_method

    @property
    def effect(self) -> stats.EffectSize | None:
        return None if self.withheld else self.comparison.effect

    @property
    def interval_excludes_zero(self) -> bool:
        return not self.withheld and (self.low > 0 or self.high < 0)


@dataclass
class SurveyAnalysis:
    survey: Survey
    design: str
    higher_means: str
    scale_low: int | None
    scale_high: int | None
    n_responses: int
    measures: list[Measure]
    groups: dict[str, list[GroupMean]]  # measure key → means per wave (and group)
    comparisons: list[ComparisonResult]
    segments: list[tuple[str, str]]
    summary: list[str] = field(default_factory=list)

    @property
    def headline(self) -> ComparisonResult | None:
        """The first measure's latest comparison for everyone (even if withheld): after vs
        before, the last wave vs the first, or exposed vs not in the last wave."""
        if not self.measures:
            return None
        everyone = self.for_measure(self.measures[0].key)
        return everyone[-1] if everyone else None

    def for_measure(self, key: str, segment: str = "") -> list[ComparisonResult]:
        return [r for r in self.comparisons if r.measure.key == key and r.segment == segment]

    def by_segment(self, key: str) -> list[ComparisonResult]:
        return [r for r in self.comparisons if r.measure.key == key and r.segment]


@dataclass(frozen=True)
class _Contrast:
    key: str
    title: str
    compared_label: str
    reference_label: str
    compared: np.ndarray  # boolean masks over the responses
    reference: np.ndarray
    pairable: bool


def measures_of(survey: Survey) -> list[Measure]:
    instrument = survey.instrument
    measures = []
    if instrument.total_scoring:
        measures.append(Measure(TOTAL, "Total score", instrument.total_scoring))
    subscales = instrument.subscales.order_by("position", "key")
    for key, name, scoring in subscales.values_list("key", "name", "scoring"):
        measures.append(Measure(key, name, scoring))
    return measures


def _load(survey: Survey, measures: list[Measure]) -> dict[str, np.ndarray]:
    """One query: wave, group, segment, panel key and every measure, as arrays."""
    columns = {}
    for index, measure in enumerate(measures):
        if measure.key == TOTAL:
            continue
        columns[f"measure_{index}"] = Cast(KT(f"scores__{measure.key}"), FloatField())
    names = [f"measure_{i}" if m.key != TOTAL else "total_score" for i, m in enumerate(measures)]
    queryset = (
        Response.objects.filter(survey=survey)
        .annotate(**columns)
        .values_list("wave_id", "group", "segment", "panel_key", *names)
    )
    # The queryset's own SQL through a plain cursor: half the time of iterating the
    # queryset for 100,000 rows (these columns need none of Django's value converters).
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        empty = np.array([], dtype=object)
        return {
            "wave": np.array([], dtype=int),
            "group": empty,
            "segment": empty,
            "panel": np.array([], dtype=np.int64),
            **{m.key: np.array([], dtype=float) for m in measures},
        }
    unzipped = list(zip(*rows, strict=True))
    data = {
        "wave": np.fromiter(unzipped[0], dtype=np.int64, count=len(rows)),
        "group": np.array(unzipped[1], dtype=object),
        "segment": np.array(unzipped[2], dtype=object),
        "panel": _panel_numbers(unzipped[3]),
    }
    for offset, measure in enumerate(measures):
        data[measure.key] = np.array(unzipped[4 + offset], dtype=float)  # None → nan
    return data


def _panel_numbers(keys) -> np.ndarray:
    """Each hashed panel key as a small integer (−1 for none), so waves pair by integers."""
    keys = np.array(keys, dtype=object)
    numbers = np.full(keys.size, -1, dtype=np.int64)
    present = keys != ""
    if present.any():
        _, numbers[present] = np.unique(keys[present].astype(str), return_inverse=True)
    return numbers


def _contrasts(survey: Survey, waves: list, data: dict[str, np.ndarray]) -> list[_Contrast]:
    contrasts = []
    wave_ids = data["wave"]
    if survey.design == Design.EXPOSED_UNEXPOSED:
        present = [w for w in waves if (wave_ids == w.pk).any()] or waves[:1]
        for wave in present:
            in_wave = wave_ids == wave.pk
            suffix = f" ({wave.label})" if len(present) > 1 else ""
            contrasts.append(
                _Contrast(
                    key=f"exposed-vs-unexposed@{wave.key}",
                    title=f"Saw the campaign vs did not{suffix}",
                    compared_label=f"{ResponseGroup.EXPOSED.label}{suffix}",
                    reference_label=f"{ResponseGroup.UNEXPOSED.label}{suffix}",
                    compared=in_wave & (data["group"] == ResponseGroup.EXPOSED),
                    reference=in_wave & (data["group"] == ResponseGroup.UNEXPOSED),
                    pairable=False,
                )
            )
        return contrasts
    first = waves[0] if waves else None
    for later in waves[1:]:
        contrasts.append(
            _Contrast(
                key=f"{later.key}-vs-{first.key}",
                title=f"{later.label} vs {first.label}",
                compared_label=later.label,
                reference_label=first.label,
                compared=wave_ids == later.pk,
                reference=wave_ids == first.pk,
                pairable=True,
            )
        )
    return contrasts


def _group_means(survey, waves, data, measure) -> list[GroupMean]:
    values = data[measure.key]
    selections = []
    for wave in waves:
        in_wave = data["wave"] == wave.pk
        if survey.design == Design.EXPOSED_UNEXPOSED:
            for group in (ResponseGroup.EXPOSED, ResponseGroup.UNEXPOSED):
                label = group.label if len(waves) == 1 else f"{group.label} ({wave.label})"
                selections.append(
                    (f"{wave.key}:{group.value}", label, in_wave & (data["group"] == group))
                )
        else:
            selections.append((wave.key, wave.label, in_wave))
    means = []
    for key, label, mask in selections:
        chosen = values[mask]
        chosen = chosen[~np.isnan(chosen)]
        if chosen.size < MIN_GROUP:
            means.append(GroupMean(key, label, int(chosen.size), None, None, None))
            continue
        summary = stats.describe(chosen)
        means.append(GroupMean(key, label, summary.n, summary.mean, summary.low, summary.high))
    return means


def _pairs(data, compared, reference, values) -> tuple[np.ndarray, np.ndarray]:
    """Scores of the panel members who answered both waves, in the same order."""
    panel = data["panel"]
    keep_c = compared & (panel >= 0) & ~np.isnan(values)
    keep_r = reference & (panel >= 0) & ~np.isnan(values)
    if not keep_c.any() or not keep_r.any():
        return np.array([]), np.array([])
    keys_c, values_c = panel[keep_c], values[keep_c]
    keys_r, values_r = panel[keep_r], values[keep_r]
    _, index_c, index_r = np.intersect1d(keys_c, keys_r, assume_unique=False, return_indices=True)
    return values_c[index_c], values_r[index_r]


def _compare(contrast: _Contrast, data, measure, segment_mask) -> dict:
    values = data[measure.key]
    compared = contrast.compared & segment_mask
    reference = contrast.reference & segment_mask
    a = values[compared]
    a = a[~np.isnan(a)]
    b = values[reference]
    b = b[~np.isnan(b)]
    if contrast.pairable:
        after, before = _pairs(data, compared, reference, values)
        # Pairs carry the comparison when they are most of both groups; a few pairs among
        # many single answers would throw most of the answers away.
        if after.size >= MIN_GROUP and 2 * after.size >= max(a.size, b.size):
            return {
                "n_compared": int(a.size),
                "n_reference": int(b.size),
                "paired": True,
                "n_pairs": int(after.size),
                "comparison": stats.compare(after, before, paired=True),
            }
    withheld = a.size < MIN_GROUP or b.size < MIN_GROUP
    return {
        "n_compared": int(a.size),
        "n_reference": int(b.size),
        "paired": False,
        "n_pairs": 0,
        "comparison": None if withheld else stats.compare(a, b),
    }


def analyse_survey(survey: Survey) -> SurveyAnalysis:
    """Everything the results page, the API and the report show about one survey."""
    from cairn.campaigns.evaluation.summary import summarize

    instrument = survey.instrument
    measures = measures_of(survey)
    waves = list(survey.waves.order_by("position"))
    data = _load(survey, measures)
    option_values = list(instrument.options.values_list("value", flat=True))
    seen = set(np.unique(data["segment"]).tolist()) - {""}
    segments = [(key, label) for key, label in survey.segment_choices if key in seen]
    segments += [(key, key) for key in sorted(seen - {key for key, _ in segments})]
    contrasts = _contrasts(survey, waves, data)
    everyone = np.ones(data["wave"].size, dtype=bool)
    comparisons = []
    for measure in measures:
        for segment, segment_label in [("", "Everyone"), *segments]:
            mask = everyone if not segment else data["segment"] == segment
            for contrast in contrasts:
                comparisons.append(
                    ComparisonResult(
                        contrast=contrast.key,
                        title=contrast.title,
                        compared_label=contrast.compared_label,
                        reference_label=contrast.reference_label,
                        measure=measure,
                        segment=segment,
                        segment_label=segment_label,
                        **_compare(contrast, data, measure, mask),
                    )
                )
    analysis = SurveyAnalysis(
        survey=survey,
        design=survey.design,
        higher_means=instrument.higher_means,
        scale_low=min(option_values) if option_values else None,
        scale_high=max(option_values) if option_values else None,
        n_responses=int(data["wave"].size),
        measures=measures,
        groups={m.key: _group_means(survey, waves, data, m) for m in measures},
        comparisons=comparisons,
        segments=segments,
    )
    analysis.summary = summarize(analysis)
    return analysis


def finite(value: float | None) -> float | None:
    """None for a missing or undefined number (JSON has no NaN)."""
    return None if value is None or math.isnan(value) else float(value)


def cached_analysis(survey: Survey, timeout: int = 600) -> SurveyAnalysis:
    """The analysis, reused until a response, a wave or the instrument changes: for the
    campaign page's headline, which every visit to the campaign shows."""
    from django.core.cache import cache
    from django.db.models import Count, Max

    stamp = Response.objects.filter(survey=survey).aggregate(
        n=Count("pk"), last_import=Max("import_batch_id"), last_day=Max("submitted_on")
    )
    waves = list(survey.waves.values_list("pk", "key", "label", "position"))
    key = "campaigns:analysis:" + ":".join(
        str(part)
        for part in (
            survey.pk,
            stamp["n"],
            stamp["last_import"],
            stamp["last_day"],
            hashlib.sha256(
                repr((waves, survey.segment_choices, survey.design)).encode()
            ).hexdigest()[:16],
            survey.instrument.updated_at.timestamp(),
        )
    )
    analysis = cache.get(key)
    if analysis is None:
        analysis = analyse_survey(survey)
        cache.set(key, analysis, timeout)
    return analysis
