"""The catalogue of validated stigma scales, and the sample instrument Cairn ships.

`data/stigma_scales.csv` (copied from the project's shared data) describes each scale:
what it measures, for whom, its scoring and citation. Item wording is copyrighted and
never shipped: for scales whose structure is confirmed, Cairn can start an instrument
with the right number of items, the response scale and the reverse-scored items, and
the user enters the licensed wording (and assigns the subscales from the licensed
scoring guide, where the catalogue does not say which item belongs where).

`data/sample_instrument.json` is an open instrument written for Cairn (8 items, two
subscales, some reverse-scored). It is not validated, and says so.
"""

import csv
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.db import IntegrityError, transaction

from cairn.campaigns.models.surveys import Instrument
from cairn.campaigns.surveys.instruments import Structure, save_instrument

DATA = Path(__file__).resolve().parent / "data"
SAMPLE_KEY = "cairn-attitudes-8"


@dataclass(frozen=True)
class Skeleton:
    """What the catalogue confirms about a scale's structure."""

    n_items: int
    options: tuple[tuple[int, str], ...]
    reverse_positions: frozenset[int] = frozenset()
    total_scoring: str = ""
    note: str = ""


def _numbered(low: int, high: int, first: str, last: str) -> tuple[tuple[int, str], ...]:
    return tuple(
        (value, first if value == low else last if value == high else str(value))
        for value in range(low, high + 1)
    )


# Only what stigma_scales.csv marks as confirmed; anchors between the ends are left for
# the licensed wording (the user replaces the digits with the licensed labels).
SKELETONS = {
    "PSAS": Skeleton(
        8,
        ((1, "Strongly disagree"), (2, "Disagree"), (3, "Agree"), (4, "Strongly agree")),
        frozenset({1, 2, 3, 4, 6, 8}),
        "sum",
        "Total 8–32; higher = more perceived stigma.",
    ),
    "SU-SMS": Skeleton(
        18,
        _numbered(1, 5, "1", "5"),
        note="Enacted, anticipated and internalized stigma, 6 items each: assign them from "
        "the licensed scoring guide. Anchors differ by subscale.",
    ),
    "OMS-HC": Skeleton(
        15,
        _numbered(1, 5, "Strongly disagree", "Strongly agree"),
        total_scoring="sum",
        note="Total 15–75; subscales (attitudes, disclosure and help-seeking, social "
        "distance) from the licensed scoring guide.",
    ),
    "AQ-27 / AQ-9": Skeleton(
        9,
        _numbered(1, 9, "Not at all", "Very much"),
        note="AQ-9: one item per factor (blame, anger, pity, help, danger, fear, avoidance, "
        "segregation, coercion); add one subscale per factor from the licensed form.",
    ),
    "OOAS": Skeleton(
        28,
        _numbered(1, 5, "1", "5"),
        total_scoring="sum",
        note="Subscales (competence, concerns, readiness) from the licensed scoring guide.",
    ),
}


@dataclass(frozen=True)
class CatalogueEntry:
    scale: str
    abbreviation: str
    construct: str
    target_respondents: str
    n_items: str
    response_format: str
    scoring: str
    subscales: str
    psychometrics: str
    citation: str
    use_in_campaign_evaluation: str
    confidence: str
    skeleton: Skeleton | None = field(default=None)

    @property
    def key(self) -> str:
        return self.abbreviation or self.scale


@cache
def catalogue() -> tuple[CatalogueEntry, ...]:
    with open(DATA / "stigma_scales.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return tuple(
        CatalogueEntry(
            scale=row["scale"],
            abbreviation=row["abbrev"],
            construct=row["construct"],
            target_respondents=row["target_respondents"],
            n_items=row["n_items"],
            response_format=row["response_format"],
            scoring=row["scoring"],
            subscales=row["subscales"],
            psychometrics=row["psychometrics"],
            citation=row["citation"],
            use_in_campaign_evaluation=row["use_in_campaign_evaluation"],
            confidence=row["confidence"],
            skeleton=SKELETONS.get(row["abbrev"]),
        )
        for row in rows
    )


def catalogue_entry(key: str) -> CatalogueEntry | None:
    return next((entry for entry in catalogue() if entry.key == key), None)


def skeleton_structure(entry: CatalogueEntry) -> Structure:
    skeleton = entry.skeleton
    prefix = "".join(ch for ch in entry.abbreviation.split("/")[-1].lower() if ch.isalnum())
    return Structure(
        options=list(skeleton.options),
        items=[
            {
                "code": f"{prefix}_{n}",
                "wording": "",
                "reverse_scored": n in skeleton.reverse_positions,
            }
            for n in range(1, skeleton.n_items + 1)
        ],
        subscales=[],
        total_scoring=skeleton.total_scoring,
    )


def start_from_catalogue(*, user, entry: CatalogueEntry, organization_id: int) -> Instrument:
    """An instrument with the scale's structure and no wording, for the user to complete."""
    info = {
        "name": entry.scale,
        "abbreviation": entry.abbreviation.split(" / ")[-1],
        "description": f"{entry.construct}. For: {entry.target_respondents}. "
        f"{entry.skeleton.note}".strip(),
        "source_note": f"{entry.citation}. Item wording is copyrighted: enter the licensed "
        "wording. Use in evaluation: " + entry.use_in_campaign_evaluation,
        "higher_means": "",
    }
    return save_instrument(
        user=user,
        info=info,
        structure=skeleton_structure(entry),
        organization_id=organization_id,
    )


def sample_definition() -> dict:
    return json.loads((DATA / "sample_instrument.json").read_text(encoding="utf-8"))


def install_sample_instrument() -> Instrument:
    """The sample instrument, created once (idempotent; the lead's data migration and
    the survey pages call it)."""
    existing = Instrument.objects.filter(shipped_key=SAMPLE_KEY).first()
    if existing:
        return existing
    data = sample_definition()
    try:
        with transaction.atomic():
            return save_instrument(
                user="cairn",
                info=data,
                structure=Structure(
                    options=[tuple(option) for option in data["options"]],
                    items=data["items"],
                    subscales=data["subscales"],
                    total_scoring=data["total_scoring"],
                    total_min_answered=data["total_min_answered"],
                ),
                shipped_key=SAMPLE_KEY,
            )
    except IntegrityError:  # two first visits at once: the other one made it
        return Instrument.objects.get(shipped_key=SAMPLE_KEY)
