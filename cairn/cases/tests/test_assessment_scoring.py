"""The acute risk instrument, scored item by item: points, reasons, evidence and tiers."""

import copy
import json

import pytest

from cairn.cases.assessment.scoring import (
    AnswerError,
    DefinitionError,
    parse_instrument,
    score,
)
from cairn.cases.instruments import DIRECTORY

SHIPPED = json.loads((DIRECTORY / "acute_overdose_risk_v1.json").read_text())
INSTRUMENT = parse_instrument(SHIPPED)

# (item, option, points) for every option of the shipped instrument, written out by
# hand from the evidence table so the test does not trust the file it checks.
EXPECTED_POINTS = [
    ("prior_overdoses", "none", 0),
    ("prior_overdoses", "one", 1),
    ("prior_overdoses", "two_or_more", 2),
    ("prior_overdose_recency", "none", 0),
    ("prior_overdose_recency", "within_12_months", 0),
    ("prior_overdose_recency", "within_30_days", 2),
    ("ed_departure", "discharged", 0),
    ("ed_departure", "left_against_advice", 3),
    ("incarceration_release", "no", 0),
    ("incarceration_release", "weeks_3_to_12", 2),
    ("incarceration_release", "within_2_weeks", 4),
    ("tolerance_loss", "no", 0),
    ("tolerance_loss", "weeks_5_to_12", 2),
    ("tolerance_loss", "within_4_weeks", 4),
    ("current_oat", "no", 0),
    ("current_oat", "yes", -1),
    ("using_alone", "rarely", 0),
    ("using_alone", "sometimes", 1),
    ("using_alone", "usually", 2),
    ("benzodiazepines", "no", 0),
    ("benzodiazepines", "yes", 2),
    ("other_substances", "no", 0),
    ("other_substances", "yes", 1),
    ("injection", "no_injection", 0),
    ("injection", "injects", 1),
    ("injection", "injects_with_help_or_in_public", 2),
    ("housing", "stable", 0),
    ("housing", "unstable", 1),
    ("housing", "without_housing", 2),
    ("mental_health", "no", 0),
    ("mental_health", "yes", 1),
    ("first_nations", "no_or_not_said", 0),
    ("first_nations", "yes", 1),
    ("primary_care", "no", 0),
    ("primary_care", "yes", -1),
]

# A person with no risk factors answered: the baseline every overdose visit carries.
BASELINE = {
    "prior_overdoses": "none",
    "prior_overdose_recency": "none",
    "ed_departure": "discharged",
    "incarceration_release": "no",
    "tolerance_loss": "no",
    "current_oat": "no",
    "using_alone": "rarely",
    "benzodiazepines": "no",
    "other_substances": "no",
    "injection": "no_injection",
    "housing": "stable",
    "mental_health": "no",
    "first_nations": "no_or_not_said",
    "primary_care": "no",
}


def test_every_option_of_the_shipped_instrument_is_in_the_expected_table():
    shipped = {(i.key, o.key) for i in INSTRUMENT.items for o in i.options}
    assert shipped == {(item, option) for item, option, _ in EXPECTED_POINTS}


@pytest.mark.parametrize(("item", "option", "points"), EXPECTED_POINTS)
def test_each_answer_scores_its_points_with_reason_and_evidence(item, option, points):
    result = score(INSTRUMENT, {**BASELINE, item: option})
    (line,) = [line for line in result.lines if line.item_key == item]
    assert line.points == points
    assert line.option_key == option
    assert line.reason  # every point is explained
    assert line.sources and all(s in INSTRUMENT.sources for s in line.sources)
    # Only this item moved the total away from the baseline (0, floored at 0).
    assert result.total_points == max(points, 0)


def test_the_baseline_is_the_lower_tier_not_no_risk():
    result = score(INSTRUMENT, BASELINE)
    assert (result.total_points, result.tier, result.complete) == (0, "low", True)
    assert "5.4%" in INSTRUMENT.baseline_note


@pytest.mark.parametrize(
    ("answers", "points", "tier"),
    [
        # 2 points: the top of the lower tier.
        ({"using_alone": "usually"}, 2, "low"),
        # 3 points: the first moderate score.
        ({"using_alone": "usually", "mental_health": "yes"}, 3, "moderate"),
        # 5 points: the top of moderate.
        (
            {"using_alone": "usually", "benzodiazepines": "yes", "housing": "unstable"},
            5,
            "moderate",
        ),
        # 6 points: the first high score.
        (
            {"using_alone": "usually", "benzodiazepines": "yes", "housing": "without_housing"},
            6,
            "high",
        ),
        # 9 points: the top of high.
        (
            {
                "using_alone": "usually",
                "benzodiazepines": "yes",
                "housing": "without_housing",
                "injection": "injects_with_help_or_in_public",
                "other_substances": "yes",
            },
            9,
            "high",
        ),
        # 10 points: the first highest score.
        (
            {
                "using_alone": "usually",
                "benzodiazepines": "yes",
                "housing": "without_housing",
                "injection": "injects_with_help_or_in_public",
                "prior_overdoses": "two_or_more",
            },
            10,
            "highest",
        ),
    ],
)
def test_tier_boundaries(answers, points, tier):
    result = score(INSTRUMENT, {**BASELINE, **answers})
    assert (result.total_points, result.tier, result.points_tier) == (points, tier, tier)
    assert result.raised_by == ()


def test_protective_answers_lower_the_total_but_not_below_zero():
    result = score(INSTRUMENT, {**BASELINE, "current_oat": "yes", "primary_care": "yes"})
    assert result.total_points == 0
    result = score(
        INSTRUMENT,
        {**BASELINE, "using_alone": "usually", "mental_health": "yes", "current_oat": "yes"},
    )
    assert (result.total_points, result.tier) == (2, "low")


@pytest.mark.parametrize(
    ("item", "option"),
    [
        ("ed_departure", "left_against_advice"),
        ("incarceration_release", "within_2_weeks"),
        ("tolerance_loss", "within_4_weeks"),
    ],
)
def test_a_recent_loss_of_tolerance_or_leaving_against_advice_is_at_least_high(item, option):
    result = score(INSTRUMENT, {**BASELINE, item: option})
    assert result.points_tier in ("low", "moderate")
    assert result.tier == "high"
    assert result.raised_by == (item,)


def test_a_minimum_tier_never_lowers_a_higher_score():
    answers = {
        **BASELINE,
        "tolerance_loss": "within_4_weeks",
        "using_alone": "usually",
        "benzodiazepines": "yes",
        "housing": "without_housing",
    }
    result = score(INSTRUMENT, answers)
    assert (result.total_points, result.tier, result.raised_by) == (10, "highest", ())


def test_first_nations_identity_is_worded_as_structural_risk_never_blame():
    item = INSTRUMENT.item("first_nations")
    reason = item.option("yes").reason
    assert "structural" in reason.lower() and "not personal blame" in reason.lower()
    assert "never a personal failing" in item.help


def test_unanswered_items_score_zero_and_are_listed():
    result = score(INSTRUMENT, {"benzodiazepines": "yes"})
    assert result.total_points == 2
    assert not result.complete
    assert "using_alone" in result.unanswered and "benzodiazepines" not in result.unanswered


def test_an_unknown_item_or_option_is_an_error_naming_it():
    with pytest.raises(AnswerError, match="no item 'star_sign'"):
        score(INSTRUMENT, {"star_sign": "leo"})
    with pytest.raises(AnswerError, match="'housing' has no option 'castle'"):
        score(INSTRUMENT, {"housing": "castle"})


def test_no_percentages_in_tier_labels():
    for tier in INSTRUMENT.tiers:
        assert "%" not in tier.label and "%" not in tier.meaning


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["tiers"][1].update(min_points=0), "strictly increase"),
        (lambda d: d["items"][0].update(sources=["nowhere"]), "'nowhere' is not in the sources"),
        (lambda d: d["items"][2]["options"][1].update(minimum_tier="urgent"), "unknown tier"),
        (lambda d: d["items"][0]["options"][0].pop("points"), r"items\[prior_overdoses\]"),
        (lambda d: d["items"][1].update(key="prior_overdoses"), "item keys must be unique"),
    ],
)
def test_a_malformed_definition_is_refused_with_its_place(mutate, message):
    data = copy.deepcopy(SHIPPED)
    mutate(data)
    with pytest.raises(DefinitionError, match=message):
        parse_instrument(data)
