"""Parse a versioned risk instrument and score answers against it.

Pure functions on plain data, with no Django in them, so that every item can be
tested on its own. The instrument (items, options, points, tier cut-offs,
evidence) is data shipped in `cairn/cases/instruments/`; nothing here knows what
the items are.

The result is a tier, never a probability: the points choose and weight items from
studies of different designs and outcomes and must not be read as a risk estimate.
"""

from collections.abc import Mapping
from dataclasses import dataclass

NOT_ANSWERED = ""


class DefinitionError(ValueError):
    """The instrument file is malformed; the message names the place."""


class AnswerError(ValueError):
    """An answer names an item or option the instrument does not have."""


@dataclass(frozen=True)
class Option:
    key: str
    label: str
    points: int
    reason: str
    minimum_tier: str = ""


@dataclass(frozen=True)
class Item:
    key: str
    question: str
    options: tuple[Option, ...]
    sources: tuple[str, ...]
    help: str = ""

    def option(self, key: str) -> Option:
        for option in self.options:
            if option.key == key:
                return option
        known = ", ".join(o.key for o in self.options)
        raise AnswerError(f"Item {self.key!r} has no option {key!r}; give one of {known}.")


@dataclass(frozen=True)
class Tier:
    key: str
    label: str
    min_points: int
    meaning: str = ""


@dataclass(frozen=True)
class Instrument:
    key: str
    version: int
    title: str
    description: str
    items: tuple[Item, ...]
    tiers: tuple[Tier, ...]  # ascending by min_points
    sources: Mapping[str, str]
    baseline_note: str = ""

    def item(self, key: str) -> Item:
        for item in self.items:
            if item.key == key:
                return item
        raise AnswerError(f"The instrument {self.key} v{self.version} has no item {key!r}.")

    def tier(self, key: str) -> Tier:
        for tier in self.tiers:
            if tier.key == key:
                return tier
        raise KeyError(key)

    def tier_rank(self, key: str) -> int:
        return [t.key for t in self.tiers].index(key)

    def tier_for_points(self, points: int) -> Tier:
        chosen = self.tiers[0]
        for tier in self.tiers:
            if points >= tier.min_points:
                chosen = tier
        return chosen


@dataclass(frozen=True)
class Line:
    """One item's contribution: what was answered, the points and why."""

    item_key: str
    question: str
    option_key: str  # "" when not answered
    answer: str
    points: int
    reason: str
    sources: tuple[str, ...]
    minimum_tier: str = ""


@dataclass(frozen=True)
class Score:
    instrument_key: str
    instrument_version: int
    lines: tuple[Line, ...]
    total_points: int
    points_tier: str  # the tier the points alone reach
    tier: str  # after any minimum tier set by a single answer
    raised_by: tuple[str, ...]  # items whose minimum tier raised the result
    unanswered: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.unanswered


def _require(data: Mapping, key: str, where: str, kind: type | tuple[type, ...]):
    if not isinstance(data, Mapping) or key not in data:
        raise DefinitionError(f"{where}: missing {key!r}.")
    value = data[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise DefinitionError(f"{where}.{key}: expected {getattr(kind, '__name__', kind)}.")
    return value


def parse_instrument(data: Mapping) -> Instrument:
    """Build an Instrument from its JSON form, checking every part; errors name the place."""
    key = _require(data, "key", "instrument", str)
    version = _require(data, "version", "instrument", int)
    where = f"{key} v{version}"
    sources = _require(data, "sources", where, dict)
    raw_tiers = _require(data, "tiers", where, list)
    tiers = []
    for index, raw in enumerate(raw_tiers):
        at = f"{where}.tiers[{index}]"
        tiers.append(
            Tier(
                key=_require(raw, "key", at, str),
                label=_require(raw, "label", at, str),
                min_points=_require(raw, "min_points", at, int),
                meaning=raw.get("meaning", ""),
            )
        )
    if not tiers:
        raise DefinitionError(f"{where}.tiers: at least one tier is needed.")
    cut_offs = [t.min_points for t in tiers]
    if cut_offs != sorted(cut_offs) or len(set(cut_offs)) != len(cut_offs):
        raise DefinitionError(f"{where}.tiers: min_points must strictly increase ({cut_offs}).")
    tier_keys = {t.key for t in tiers}
    if len(tier_keys) != len(tiers):
        raise DefinitionError(f"{where}.tiers: tier keys must be unique.")
    items = []
    for index, raw in enumerate(_require(data, "items", where, list)):
        at = f"{where}.items[{index}]"
        item_key = _require(raw, "key", at, str)
        at = f"{where}.items[{item_key}]"
        item_sources = tuple(_require(raw, "sources", at, list))
        for source in item_sources:
            if source not in sources:
                raise DefinitionError(f"{at}.sources: {source!r} is not in the sources list.")
        options = []
        for option_index, raw_option in enumerate(_require(raw, "options", at, list)):
            option_at = f"{at}.options[{option_index}]"
            minimum = raw_option.get("minimum_tier", "")
            if minimum and minimum not in tier_keys:
                raise DefinitionError(f"{option_at}.minimum_tier: unknown tier {minimum!r}.")
            options.append(
                Option(
                    key=_require(raw_option, "key", option_at, str),
                    label=_require(raw_option, "label", option_at, str),
                    points=_require(raw_option, "points", option_at, int),
                    reason=_require(raw_option, "reason", option_at, str),
                    minimum_tier=minimum,
                )
            )
        if len({o.key for o in options}) != len(options) or not options:
            raise DefinitionError(f"{at}.options: need one or more options with unique keys.")
        items.append(
            Item(
                key=item_key,
                question=_require(raw, "question", at, str),
                options=tuple(options),
                sources=item_sources,
                help=raw.get("help", ""),
            )
        )
    if len({i.key for i in items}) != len(items):
        raise DefinitionError(f"{where}.items: item keys must be unique.")
    return Instrument(
        key=key,
        version=version,
        title=_require(data, "title", where, str),
        description=data.get("description", ""),
        items=tuple(items),
        tiers=tuple(tiers),
        sources=dict(sources),
        baseline_note=data.get("baseline_note", ""),
    )


def score(instrument: Instrument, answers: Mapping[str, str]) -> Score:
    """Score answers ({item key: option key}); an item left out scores 0 and is listed
    as unanswered. The total never goes below the lowest tier's floor: protective items
    lower points, not below the baseline risk every overdose carries."""
    for item_key in answers:
        instrument.item(item_key)  # unknown items are an error, not silently ignored
    lines = []
    unanswered = []
    for item in instrument.items:
        chosen = answers.get(item.key, NOT_ANSWERED) or NOT_ANSWERED
        if chosen == NOT_ANSWERED:
            unanswered.append(item.key)
            lines.append(
                Line(item.key, item.question, "", "Not asked", 0, "Not answered.", item.sources)
            )
            continue
        option = item.option(chosen)
        lines.append(
            Line(
                item.key,
                item.question,
                option.key,
                option.label,
                option.points,
                option.reason,
                item.sources,
                option.minimum_tier,
            )
        )
    total = max(sum(line.points for line in lines), instrument.tiers[0].min_points)
    points_tier = instrument.tier_for_points(total)
    tier = points_tier
    raised_by = []
    for line in lines:
        if line.minimum_tier and instrument.tier_rank(line.minimum_tier) > instrument.tier_rank(
            points_tier.key
        ):
            raised_by.append(line.item_key)
            if instrument.tier_rank(line.minimum_tier) > instrument.tier_rank(tier.key):
                tier = instrument.tier(line.minimum_tier)
    return Score(
        instrument_key=instrument.key,
        instrument_version=instrument.version,
        lines=tuple(lines),
        total_points=total,
        points_tier=points_tier.key,
        tier=tier.key,
        raised_by=tuple(raised_by),
        unanswered=tuple(unanswered),
    )
