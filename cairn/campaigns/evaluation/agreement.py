"""The share of respondents agreeing with each item, by wave or group, and its change.

"Agreeing" is choosing one of the top two answers of the instrument's scale ("Agree",
"Strongly agree" on a five-point scale; the top answer alone on a scale of three or
fewer), read from the raw answer whatever the item's reverse scoring, so the share means
what the item's wording says. Each share has Wilson's 95% interval; each change between
the groups the design compares (as in analysis.py) has Newcombe's hybrid score interval
for independent groups: panel members answering both waves are counted as independent
answers here, which makes the interval wider (more cautious) than a paired one would be.
Groups with fewer than `MIN_GROUP` answers to an item are withheld.

One aggregate query (answers counted per wave, group and item in the database).
"""

from dataclasses import dataclass

from django.db.models import Count, Q

from cairn.campaigns.evaluation import stats
from cairn.campaigns.evaluation.analysis import MIN_GROUP
from cairn.campaigns.models.surveys import Answer, Design, ResponseGroup, Survey


@dataclass(frozen=True)
class ShareChange:
    title: str
    compared_label: str
    reference_label: str
    compared_n: int
    compared_share: float | None
    reference_n: int
    reference_share: float | None
    difference: float | None  # compared − reference, as a proportion
    low: float | None
    high: float | None

    @property
    def withheld(self) -> bool:
        return self.difference is None


@dataclass(frozen=True)
class ItemAgreement:
    code: str
    wording: str
    changes: list[ShareChange]


@dataclass(frozen=True)
class Agreement:
    agree_labels: list[str]
    items: list[ItemAgreement]

    @property
    def has_answers(self) -> bool:
        """False when no answer sheet is stored (e.g. scores imported without answers)."""
        return any(c.compared_n or c.reference_n for item in self.items for c in item.changes)


def _selectors(survey: Survey, waves: list) -> list[tuple[str, str, str, tuple, tuple]]:
    """(title, compared label, reference label, compared (wave, group), reference ...);
    group None means every group."""
    if survey.design == Design.EXPOSED_UNEXPOSED:
        return [
            (
                "Saw the campaign vs did not" + (f" ({w.label})" if len(waves) > 1 else ""),
                ResponseGroup.EXPOSED.label,
                ResponseGroup.UNEXPOSED.label,
                (w.pk, ResponseGroup.EXPOSED.value),
                (w.pk, ResponseGroup.UNEXPOSED.value),
            )
            for w in waves
        ]
    first = waves[0] if waves else None
    return [
        (f"{w.label} vs {first.label}", w.label, first.label, (w.pk, None), (first.pk, None))
        for w in waves[1:]
    ]


def item_agreement(survey: Survey) -> Agreement:
    instrument = survey.instrument
    options = list(instrument.options.order_by("value").values_list("value", "label"))
    top = options[-2:] if len(options) >= 4 else options[-1:]
    threshold = top[0][0] if top else None
    waves = list(survey.waves.order_by("position"))
    items = list(instrument.items.order_by("position").values_list("pk", "code", "wording"))
    if threshold is None or not items:
        return Agreement([], [])
    counts: dict[tuple[int, str, int], tuple[int, int]] = {}
    rows = (
        Answer.objects.filter(response__survey=survey, value__isnull=False)
        .values_list("response__wave_id", "response__group", "item_id")
        .annotate(n=Count("pk"), agree=Count("pk", filter=Q(value__gte=threshold)))
        .order_by()
    )
    for wave_id, group, item_id, n, agree in rows:
        counts[(wave_id, group, item_id)] = (n, agree)

    def tally(selector, item_id) -> tuple[int, int]:
        wave_id, group = selector
        n = agree = 0
        for (w, g, i), (count, agreeing) in counts.items():
            if w == wave_id and i == item_id and (group is None or g == group):
                n, agree = n + count, agree + agreeing
        return n, agree

    result = []
    for item_id, code, wording in items:
        changes = []
        for title, compared_label, reference_label, compared, reference in _selectors(
            survey, waves
        ):
            n_a, k_a = tally(compared, item_id)
            n_b, k_b = tally(reference, item_id)
            share_a = k_a / n_a if n_a >= MIN_GROUP else None
            share_b = k_b / n_b if n_b >= MIN_GROUP else None
            difference = low = high = None
            if share_a is not None and share_b is not None:
                difference, low, high = stats.newcombe_difference(k_a, n_a, k_b, n_b)
            changes.append(
                ShareChange(
                    title,
                    compared_label,
                    reference_label,
                    n_a,
                    share_a,
                    n_b,
                    share_b,
                    difference,
                    low,
                    high,
                )
            )
        result.append(ItemAgreement(code, wording, changes))
    return Agreement([label for _, label in top], result)
