"""Scoring an answer sheet: reverse-scored items, subscales and the total, by mean or sum.

- A reverse-scored item counts as (lowest option + highest option − answer): on a
  1–5 scale, 5 counts as 1.
- "mean": the mean of the answered items. "sum": the sum, prorated when some items
  are unanswered (mean × number of items), so a skipped item does not lower the score.
- A score needs at least `min_answered` answered items (every item when not set);
  with fewer it is None (missing), never a guess.

`ScoringRule` is plain data read once per instrument version (`rule_for`), so scoring
a response runs no query: the public page and the CSV import both call
`score_answers` for every sheet.
"""

from dataclasses import dataclass

from cairn.campaigns.models.surveys import Instrument, Scoring


@dataclass(frozen=True)
class SubscaleRule:
    key: str
    name: str
    item_codes: tuple[str, ...]
    scoring: str
    min_answered: int


@dataclass(frozen=True)
class ScoringRule:
    item_codes: tuple[str, ...]
    reverse_codes: frozenset[str]
    option_values: frozenset[int]
    lowest: int
    highest: int
    subscales: tuple[SubscaleRule, ...]
    total: SubscaleRule | None


def _combine(values: list[float], *, n_items: int, scoring: str, min_answered: int):
    if not values or len(values) < min_answered:
        return None
    mean = sum(values) / len(values)
    return round(mean * n_items if scoring == Scoring.SUM else mean, 6)


def score_with_rule(
    rule: ScoringRule, answers: dict[str, int | None]
) -> tuple[float | None, dict[str, float | None]]:
    scored = {}
    for code in rule.item_codes:
        value = answers.get(code)
        if value is None:
            continue
        scored[code] = rule.lowest + rule.highest - value if code in rule.reverse_codes else value

    def score(part: SubscaleRule):
        values = [scored[c] for c in part.item_codes if c in scored]
        return _combine(
            values,
            n_items=len(part.item_codes),
            scoring=part.scoring,
            min_answered=part.min_answered,
        )

    subscales = {part.key: score(part) for part in rule.subscales}
    total = score(rule.total) if rule.total else None
    return total, subscales


_RULES: dict[tuple[int, object], ScoringRule] = {}


def build_rule(instrument: Instrument) -> ScoringRule:
    items = list(instrument.items.order_by("position").values_list("code", "reverse_scored"))
    values = sorted(instrument.options.values_list("value", flat=True))
    codes = tuple(code for code, _ in items)
    subscales = []
    for subscale in instrument.subscales.prefetch_related("items").order_by("position", "key"):
        members = tuple(i.code for i in sorted(subscale.items.all(), key=lambda i: i.position))
        subscales.append(
            SubscaleRule(
                key=subscale.key,
                name=subscale.name,
                item_codes=members,
                scoring=subscale.scoring,
                min_answered=subscale.min_answered or len(members),
            )
        )
    total = None
    if instrument.total_scoring:
        total = SubscaleRule(
            key="total",
            name="Total",
            item_codes=codes,
            scoring=instrument.total_scoring,
            min_answered=instrument.total_min_answered or len(codes),
        )
    return ScoringRule(
        item_codes=codes,
        reverse_codes=frozenset(code for code, reverse in items if reverse),
        option_values=frozenset(values),
        lowest=values[0] if values else 0,
        highest=values[-1] if values else 0,
        subscales=tuple(subscales),
        total=total,
    )


def rule_for(instrument: Instrument) -> ScoringRule:
    """The instrument's rule, read once per version (every structure change saves the
    instrument, which moves `updated_at`)."""
    key = (instrument.pk, instrument.updated_at)
    rule = _RULES.get(key)
    if rule is None:
        if len(_RULES) > 500:
            _RULES.clear()
        rule = _RULES[key] = build_rule(instrument)
    return rule


def score_answers(
    instrument: Instrument | ScoringRule, answers: dict[str, int | None]
) -> tuple[float | None, dict[str, float | None]]:
    """(total score or None, {subscale key: score or None}) for one sheet of answers
    {item code: value or None}."""
    rule = instrument if isinstance(instrument, ScoringRule) else rule_for(instrument)
    return score_with_rule(rule, answers)
