"""The checker, by example: what is flagged, with which suggestion, and what is not.

Each example is a sentence a campaign might contain. The shipped list is used (no
database); `terms.py` tests cover the list itself.
"""

import pytest

from cairn.campaigns.language.checker import TermRule, check_text, sentence_around


def flagged(text: str, **kwargs) -> list[tuple[str, str]]:
    """(the words found, the suggestion) for every finding."""
    return [(f.matched, f.suggestion) for f in check_text(text, **kwargs)]


FLAGGED = [
    # Labels for a person: whole words, any case, plural and possessive.
    ("He is an addict.", "addict", "person with a substance use disorder"),
    ("Addicts deserve care too.", "Addicts", "person with a substance use disorder"),
    ("The addict's family was there.", "addict", "person with a substance use disorder"),
    ("Junkies are people.", "Junkies", "person with a substance use disorder"),
    ("She is a recovering addict.", "recovering addict", "person in recovery"),
    ("Talk to a former addict.", "former addict", "person in recovery"),
    ("Many alcoholics hide it.", "alcoholics", "person with alcohol use disorder"),
    ("Don't call him a crackhead.", "crackhead", "person with a substance use disorder"),
    ("Drug abusers need help.", "Drug abusers", "person with a substance use disorder"),
    # "User" only with a drug word near it.
    ("Injection drug users share supplies.", "drug users", "person who uses drugs"),
    ("Heroin users are at risk.", "users", "person who uses drugs"),
    # Substance use described as abuse, a habit, slang.
    ("Drug abuse is rising.", "Drug abuse", "substance use"),
    ("Prescription drug abuse starts at home.", "Prescription drug abuse", "non-medical use"),
    ("He could not afford his drug habit.", "drug habit", "substance use disorder"),
    ("They were getting high in the park.", "getting high", "using"),
    # Clean and dirty about a person or a test; passed/failed near a test.
    ("She has been clean for two years.", "clean", "not currently using drugs"),
    ("I'm clean now.", "clean", "not currently using drugs"),
    ("He is still dirty.", "dirty", "currently using drugs"),
    ("A clean urine screen is required.", "clean", "tested negative"),
    ("Her tox screen came back dirty.", "dirty", "tested positive"),
    ("He failed his drug test.", "failed", "tested positive"),
    ("She passed the urine test.", "passed", "tested negative"),
    ("Please drop a urine before noon.", "drop", "provide a sample"),
    # Supplies.
    ("We hand out clean needles.", "clean needles", "new needles"),
    ("Never share works.", "works", "injection equipment"),
    # Treatment.
    ("He relapsed last week.", "relapsed", "return to use"),
    ("Relapse is common.", "Relapse", "return to use"),
    ("She went to detox.", "detox", "withdrawal management"),
    ("The client was non-compliant.", "non-compliant", "not in agreement with the treatment plan"),
    ("He was labelled drug-seeking.", "drug-seeking", "person's needs"),
    ("Methadone maintenance saves lives.", "Methadone maintenance", "opioid agonist treatment"),
    ("Opioid replacement therapy works.", "Opioid replacement therapy", "opioid agonist"),
    ("MAT is available in every region.", "MAT", "opioid agonist treatment"),
    ("Medication-assisted treatment is available.", "Medication-assisted treatment", "opioid"),
    # Social circumstances.
    ("The homeless need housing.", "The homeless", "person experiencing homelessness"),
    ("Inmates are released without naloxone.", "Inmates", "person who is incarcerated"),
    ("Transients sleep in the park downtown.", "Transients", "person experiencing homelessness"),
]


@pytest.mark.parametrize(("text", "words", "suggestion"), FLAGGED, ids=[t for t, _, _ in FLAGGED])
def test_flagged_with_a_person_first_suggestion(text, words, suggestion):
    findings = check_text(text)
    assert [f.matched for f in findings] == [words]
    assert findings[0].suggestion.startswith(suggestion)
    assert findings[0].reason
    assert findings[0].severity == "avoid"


NOT_FLAGGED = [
    # Whole words only.
    "Addiction is a health condition.",
    "Naloxone reverses an opioid poisoning.",
    "The user-facing pages are in plain language.",
    # "User" as an account, as everywhere in Cairn.
    "The user signs in with a password.",
    "Every user account has a role.",
    "Ask the user to try again.",
    # Clean and dirty in their ordinary sense.
    "Keep the kitchen clean.",
    "Clean water and a warm meal.",
    "Dirty dishes piled up.",
    "The import failed; try again.",
    "The form passed every check.",
    "Naloxone works.",
    "She works at the clinic.",
    "Drop by the office any time.",
    "A yoga mat and a water bottle.",
    "Is this a habit you want to keep, like walking every day?",
    "A transient error; the page will retry.",
    # Quoted speech: lived experience in their own words.
    'She said: "I was an addict for ten years."',
    "He told us, \u201cI relapsed twice before it stuck.\u201d",
    "Stop calling people 'addicts'.",
    "> I stayed clean for a year, then I lost my job.",
    # Code in documentation: a key, not a word used about anyone.
    "The term's key (`addict`) stays the same from version to version.",
    # Proper names.
    "Narcotics Anonymous meets on Tuesdays.",
    "Cocaine Anonymous and Alcoholics Anonymous have local groups.",
    "The Vancouver Area Network of Drug Users runs the site.",
    # Clinical codes and manuals, and what they name.
    "F11.10 Opioid abuse, uncomplicated",
    "A diagnosis of opioid abuse (F11.10) was recorded.",
    "T40.1X1A Poisoning by heroin, accidental",
    "DSM-IV alcohol abuse criteria were replaced in 2013.",
    "The person has opioid use disorder.",
    # A term's own exceptions.
    "No alcoholic beverages at the event.",
    # Addresses.
    "See https://example.org/users/addict-support for more.",
]


@pytest.mark.parametrize("text", NOT_FLAGGED)
def test_not_flagged(text):
    assert flagged(text) == []


def test_overdose_is_a_suggestion_only_never_blocking():
    (finding,) = check_text("Overdoses rose this winter.")
    assert finding.matched == "Overdoses"
    assert finding.suggestion == "drug poisoning"
    assert finding.severity == "consider"
    assert not finding.blocking


def test_the_longer_term_wins():
    assert flagged("an overdose victim") == [
        ("overdose victim", "person who experienced an overdose / drug poisoning")
    ]
    assert flagged("injection drug users")[0][0] == "drug users"


def test_clean_about_a_test_is_a_test_term_not_a_person_term():
    (finding,) = check_text("His urine test was clean.")
    assert finding.term_key == "clean-test"
    (finding,) = check_text("They stayed clean.")
    assert finding.term_key == "clean-person"


def test_findings_in_order_with_their_place_in_the_text():
    text = "The addict relapsed."
    findings = check_text(text)
    assert [(f.start, f.end, text[f.start : f.end]) for f in findings] == [
        (4, 10, "addict"),
        (11, 19, "relapsed"),
    ]
    assert findings[0].alternatives[0] == "person who uses drugs"


def test_a_quote_does_not_hide_what_comes_after_it():
    assert flagged('She said "hello". He is an addict.') == [
        ("addict", "person with a substance use disorder")
    ]


def test_context_is_within_the_sentence():
    assert flagged("We bought drugs. The user signs in.") == []


def test_organizations_names_are_proper_names():
    text = "I joined Clean Start last year."
    assert [m for m, _ in flagged(text)] == ["Clean"]
    assert flagged(text, proper_names=["Clean Start"]) == []


def test_an_administrators_own_terms():
    rule = TermRule(
        key="frequent-flyer",
        label="frequent flyer",
        variants=("frequent flyer",),
        preferred=("person who visits often",),
        category="person",
        reason="Mocks people who need care often.",
        inflect="noun",
    )
    assert flagged("ER frequent flyers", terms=[rule]) == [
        ("frequent flyers", "person who visits often")
    ]
    assert flagged("The addict", terms=[rule]) == []


def test_sentence_around():
    text = "First one. The addict came back! Last."
    assert sentence_around(text, 15, 21) == "The addict came back!"


def test_an_unclosed_quote_quotes_nothing():
    assert flagged('He said "I was an addict') == [
        ("addict", "person with a substance use disorder")
    ]


def test_a_quote_ends_at_a_new_paragraph():
    assert [m for m, _ in flagged('"Hello.\n\nAddicts are welcome."')] == ["Addicts"]


def test_the_longest_text_is_checked_quickly_whatever_its_quotation_marks():
    import time

    for text in ("'a " * 7000, "\u2018a " * 7000, '"a ' * 7000, "addict " * 2800):
        started = time.monotonic()
        check_text(text[:20000])
        assert time.monotonic() - started < 5
