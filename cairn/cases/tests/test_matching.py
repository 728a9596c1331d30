"""The matcher on its own: normalizing, blocking keys, and explained scores."""

import datetime as dt

from cairn.cases import matching
from cairn.cases.matching import Name, PersonDetails, blocking_keys, query_keys, score

BORN = dt.date(1985, 3, 4)


def person(given="John", family="Smith", born=BORN, **kwargs) -> PersonDetails:
    return PersonDetails(names=(Name(given, family, "legal"),), date_of_birth=born, **kwargs)


def test_normalize_text_drops_accents_case_and_punctuation():
    assert matching.normalize_text("  Zoë O'Brien-Léger ") == "zoe o brien leger"
    assert matching.name_tokens("J. R. Smith") == ["smith"]  # initials are not matched on


def test_health_numbers_and_phones_are_compared_on_their_digits():
    assert matching.normalize_health_number("9999 123-456") == "9999123456"
    assert matching.normalize_phone("+1 (604) 555-0123") == "6045550123"


def test_sound_alike_spellings_share_a_phonetic_code():
    assert matching.phonetic("Smith") == matching.phonetic("Smyth")
    assert matching.phonetic("Catherine") == matching.phonetic("Kathryn")
    assert matching.phonetic("004821") == "#004821"  # digits are kept as they are


def test_same_health_number_is_decisive_whatever_else_differs():
    a = person(health_numbers=("9999123456",))
    b = person("Mary", "Jones", dt.date(1970, 1, 1), health_numbers=("9999123456",))
    result = score(a, b)
    assert result.decisive
    assert result.band == "same_health_number"
    assert result.reasons[0].text == "Same health number"


def test_identical_name_and_birth_date_is_very_likely():
    result = score(person(sex="M"), person(sex="M"))
    assert result.band == "very_likely"
    texts = [r.text for r in result.reasons]
    assert "Family name the same (Smith)" in texts
    assert "Same date of birth (1985-03-04)" in texts


def test_spelling_variants_and_a_swapped_day_and_month_are_still_likely():
    result = score(person(), person("Jon", "Smyth", dt.date(1985, 4, 3)))
    assert result.band == "likely"
    levels = {r.level for r in result.reasons}
    assert {"family_similar", "given_similar", "dob_swapped"} <= levels


def test_a_shortened_given_name_counts_for_something():
    result = score(person("Samantha"), person("Sam"))
    assert "given_shortened" in {r.level for r in result.reasons}
    assert result.band == "very_likely"


def test_different_names_on_the_same_birthday_are_not_shown():
    result = score(person(sex="M"), person("Mary", "Jones", sex="M"))
    assert result.band == "unlikely"
    assert not result.worth_showing


def test_a_one_digit_typo_in_the_health_number_is_strong_evidence():
    a = person(health_numbers=("9999123456",))
    b = person("Jon", "Smith", None, health_numbers=("9999123465",))
    result = score(a, b)
    assert not result.decisive
    assert "health_number_one_digit" in {r.level for r in result.reasons}
    assert result.band == "very_likely"


def test_an_alias_matches_any_name_of_the_other_record():
    anonymous = PersonDetails(names=(Name("Sparrow", "", "alias"),))
    known = PersonDetails(names=(Name("John", "Smith", "legal"), Name("Sparrow", "", "alias")))
    result = score(anonymous, known)
    assert result.band == "possible"
    assert result.reasons[0].text == "Name 'Sparrow' matches 'Sparrow'"


def test_an_approximate_age_is_compared_by_year_range():
    approximate = PersonDetails(names=(Name("John", "Smith"),), birth_year=1986)
    result = score(person(), approximate)
    assert "year_within" in {r.level for r in result.reasons}
    far = PersonDetails(names=(Name("John", "Smith"),), birth_year=1960)
    assert "year_outside" in {r.level for r in score(person(), far).reasons}


def test_invented_demo_names_differ_by_their_numbers():
    a = person("Testa", "Synthetic-004821")
    assert score(a, person("Testa", "Synthetic-004812")).band == "very_likely"  # swapped digits
    other = score(a, person("Testa", "Synthetic-000123"))
    assert "family_different" in {r.level for r in other.reasons}


def test_points_are_log2_of_the_likelihood_ratio():
    level = matching.LEVELS["dob_exact"]
    assert round(level.points, 2) == round(__import__("math").log2(level.m / level.u), 2)
    assert level.points > 14  # a shared birth date is ~1 in 27,000 by chance


def test_query_keys_find_a_stored_record_despite_recording_errors():
    stored = blocking_keys(person("Jon", "Smyth", dt.date(1985, 4, 3)))
    assert query_keys(person()) & stored  # swapped day/month and sound-alike names
    approximate = blocking_keys(PersonDetails(names=(Name("Jon", "Smyth"),), birth_year=1984))
    assert query_keys(person()) & approximate  # 1985 lies within the approximate range


def test_single_token_keys_are_looked_up_only_for_one_word_names():
    keys = query_keys(person())
    assert not any(key.startswith("nm:") for key in keys)
    alias_keys = query_keys(PersonDetails(names=(Name("Sparrow"),)))
    assert "nm:" + matching.phonetic("sparrow") in alias_keys


def test_key_hash_is_a_stable_signed_64_bit_integer():
    value = matching.key_hash("dob:1985-03-04")
    assert value == matching.key_hash("dob:1985-03-04")
    assert -(2**63) <= value < 2**63
