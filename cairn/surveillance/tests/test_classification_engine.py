"""The classification engine on its own: real-looking complaints and codes, no database."""

import json

import numpy as np
import pytest

from cairn.demo import chief_complaints as cc
from cairn.surveillance.classification.engine import (
    Classifier,
    naive_classify,
    split_codes,
    validate_rules,
)
from cairn.surveillance.definitions import shipped_rules


@pytest.fixture(scope="module")
def classifier():
    return Classifier(shipped_rules())


def ids(classifier, complaint, codes=""):
    return {m.definition for m in classifier.classify(complaint, codes)}


def reasons(classifier, complaint, codes=""):
    return {m.definition: m.reason for m in classifier.classify(complaint, codes)}


@pytest.mark.parametrize(
    ("complaint", "expected"),
    [
        ("found down, narcan given", {"all_drug", "opioid"}),
        ("OD - narcan x2 by EHS", {"all_drug", "opioid"}),
        ("overdose on fentanyl", {"all_drug", "opioid", "fentanyl"}),
        ("fentanly OD", {"all_drug", "opioid", "fentanyl"}),
        ("heroine od", {"all_drug", "opioid", "heroin"}),
        ("herion overdoes", {"all_drug", "opioid", "heroin"}),
        ("overdsoe", {"all_drug"}),
        ("o/d", {"all_drug"}),
        ("meth OD", {"all_drug", "stimulant"}),
        ("COCAINE OVERDOSE", {"all_drug", "stimulant"}),
        ("pt unresponsive ?fentanyl", {"all_drug", "opioid", "fentanyl"}),
        ("stimulant toxicity", {"all_drug", "stimulant"}),
    ],
)
def test_overdose_complaints_without_codes_match(classifier, complaint, expected):
    assert ids(classifier, complaint) == expected


@pytest.mark.parametrize(
    "complaint",
    [
        "denies drug use",
        "no OD, fall from ladder",
        "not an overdose, fall from ladder",
        "chest pain, denies drug use",
        "syncope, no drugs/ETOH",
        "abd pain - pt denies any ingestion",
        "headache, no hx of OD",
        "MVC, no ETOH or drugs involved",
        "r/o overdose - hypoglycemic",
        "family worried re OD, pt denies taking anything",
        "NOT OD - diabetic, low sugar",
        "opioid withdrawal, requesting OAT",
        "chest pain",
        "abd pain RLQ",
        "head injury, no LOC",
        "on fentanyl patch for cancer pain, unresponsive",
        "",
    ],
)
def test_negated_and_unrelated_complaints_do_not_match(classifier, complaint):
    assert ids(classifier, complaint) == set()


def test_withdrawal_excludes_fentanyl_but_a_code_still_includes(classifier):
    assert "fentanyl" not in ids(classifier, "fentanyl withdrawal, feels unwell")
    assert "fentanyl" in ids(classifier, "fentanyl withdrawal, feels unwell", "T40.411A")


def test_exclusions_apply_only_when_no_code_matched(classifier):
    found = reasons(classifier, "denies drug use", "T40.1X1A")
    assert found["heroin"] == "code T40.1X1A"
    assert found["opioid"] == "code T40.1X1A"


@pytest.mark.parametrize(
    "codes", ["T40.4X1A", "T404X1A", "t40.4x1a", "R40.2; T40.4X1A", "R402,T404X4"]
)
def test_codes_dotted_and_undotted(classifier, codes):
    assert {"all_drug", "opioid", "fentanyl", "ca_opioid"} <= ids(classifier, "", codes)


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        ("T40.4X2A", {"ca_opioid"}),  # intentional self-harm: not in the CDC-style ones
        ("T40.4X5A", {"ca_opioid"}),  # adverse effect
        ("T40.4X6A", {"ca_opioid"}),  # underdosing
        ("T40.4X1D", {"ca_opioid"}),  # subsequent encounter
        ("T40.411A", {"all_drug", "opioid", "fentanyl", "ca_opioid"}),
        ("T40.421A", {"all_drug", "opioid", "ca_opioid"}),  # tramadol, not fentanyl
        ("T40.1X4A", {"all_drug", "opioid", "heroin", "ca_opioid"}),  # undetermined intent
        ("T43.651A", {"all_drug", "stimulant"}),  # methamphetamine
        ("T40.5X1A", {"all_drug", "stimulant"}),  # cocaine
        ("T36.91XA", {"all_drug"}),  # intent is the 5th character here
        ("F11.220", {"all_drug", "opioid", "ca_opioid"}),  # dependence with intoxication
        ("F11.20", {"ca_opioid"}),  # dependence without intoxication
        ("F14.0", set()),  # cocaine codes F14/F15 are not stimulant overdoses
    ],
)
def test_icd10cm_intent_and_encounter(classifier, codes, expected):
    assert ids(classifier, "", codes) == expected


@pytest.mark.parametrize(
    ("code", "included"),
    [
        ("T40.0", True),
        ("T40.1", True),
        ("T40.2", True),
        ("T40.3", True),
        ("T40.4", True),
        ("T40.5", False),  # cocaine is not opioid-related
        ("T40.6", True),
        ("T40.7", False),  # cannabis
        ("T40.8", False),
        ("F11.0", True),
        ("F11.2", True),
        ("F11.20", True),
        ("F11.9", True),
        ("F11", True),
        ("F10.0", False),
        ("T43.6", False),
    ],
)
def test_ca_opioid_is_the_statistics_canada_rule(classifier, code, included):
    assert ("ca_opioid" in ids(classifier, "", code)) is included
    assert ("ca_opioid" in ids(classifier, "opioid overdose", "")) is False  # codes only


def test_icd10ca_codes_without_intent_count(classifier):
    assert ids(classifier, "decreased LOC", "T40.4;X42") == {
        "all_drug",
        "opioid",
        "fentanyl",
        "ca_opioid",
    }


def test_reasons_name_the_code_or_the_terms(classifier):
    found = reasons(classifier, "OD ?fentanyl, narcan x2", "R40.2")
    assert found["all_drug"] == 'chief complaint: "od"'
    assert found["opioid"] == 'chief complaint: "narcan"'
    assert found["fentanyl"] == 'chief complaint: "od" + "fentanyl"'
    assert reasons(classifier, "chest pain", "I20.9;T40.1X1A")["heroin"] == "code T40.1X1A"


def test_codes_as_a_list_like_event_diagnosis_codes(classifier):
    assert "opioid" in ids(classifier, "", ["R40.2", "T40.4"])


def test_split_codes_accepts_every_separator():
    assert split_codes("T40.1X1A;F11.20, R40.2  X42|Z76.0") == [
        "T40.1X1A",
        "F11.20",
        "R40.2",
        "X42",
        "Z76.0",
    ]


def test_matches_the_naive_baseline_on_generated_complaints():
    rules = shipped_rules()
    engine = Classifier(rules)
    rng = np.random.default_rng(7)
    records = []
    for table in [
        cc.OPIOID_OVERDOSE_ED,
        cc.STIMULANT_OVERDOSE_ED,
        cc.NON_OVERDOSE_ED,
        cc.NEGATED_DRUG_MENTION_ED,
        cc.ALCOHOL_ED,
        cc.DRUG_RELATED_ED,
    ]:
        vocabulary = cc.Vocabulary(table, upper_share=0.3)
        texts, codes = vocabulary.sample(rng, 400)
        for t, c in zip(texts, codes, strict=True):
            records.append(
                (vocabulary.text_table[t], ";".join(json.loads(vocabulary.code_json[c])))
            )
    engine_ids = [[m.definition for m in engine.classify(t, c)] for t, c in records]
    assert engine_ids == naive_classify(rules, records)


def test_validate_rules_explains_problems():
    assert validate_rules([]) == [
        "Rules must be a JSON object with 'codes' and/or 'chief_complaint'."
    ]
    problems = validate_rules(
        {"codes": {"poisoning": ["T40.4", "not a code!"]}, "chief_complaint": {"all_of": "OD"}}
    )
    assert any("not a code!" in p for p in problems)
    assert any("all_of" in p for p in problems)
    assert validate_rules({}) == ["The rules include nothing: give codes or chief-complaint terms."]
    assert validate_rules({"codes": {"other": ["F11"]}}) == []


def test_shipped_definitions_are_valid():
    for slug, rules in shipped_rules().items():
        assert validate_rules(rules) == [], slug
