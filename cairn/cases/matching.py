"""Person matching: normalized identifiers, blocking keys, and explained match scores.

Pure functions, no Django, so they can be tested on their own and reused by the
bench. Two halves:

- **Blocking keys** decide which stored records are worth comparing with a new or
  searched person. Each client stores a handful of short keys (health number, date
  of birth, Metaphone codes of name tokens, alone, paired, and with the birth year),
  hashed to 64-bit integers in one indexed column. A query computes its own keys
  (with the usual recording errors folded in: day and month swapped, an approximate
  age as a range of years) and fetches the clients that share the most keys. The
  same path runs on PostgreSQL and SQLite.
- **Scores** compare the query with each candidate field by field, in the
  Fellegi–Sunter way: each comparison level adds log2(m/u) points, where m is how
  often the level occurs when both records are the same person and u how often it
  occurs by chance between two different people. The m and u values below are
  initial estimates from published recording-error rates and name and birth-date
  frequencies, not fitted to BC data; re-estimate them (e.g. with splink's EM) once
  real linked records exist. Every point comes with its reason.

An exact health-number match is decisive on its own.
"""

import datetime as dt
import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations

import jellyfish
from rapidfuzz.distance import OSA, JaroWinkler

# Normalizing -------------------------------------------------------------------------

_NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=65536)
def normalize_text(text: str) -> str:
    """Lower case, accents removed, anything but letters and digits as single spaces."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return _NOT_ALPHANUMERIC.sub(" ", plain).strip()


def name_tokens(text: str) -> list[str]:
    """Tokens of a name worth matching on: initials (one letter) are dropped."""
    seen: list[str] = []
    for token in normalize_text(text).split():
        if (len(token) > 1 or token.isdigit()) and token not in seen:
            seen.append(token)
    return seen


@lru_cache(maxsize=65536)
def phonetic(token: str) -> str:
    """Metaphone code of a name token; digits (as in invented demo names) stay as they are."""
    if token.isdigit():
        return f"#{token}"
    return jellyfish.metaphone(token) or token.upper()


def normalize_health_number(text: str) -> str:
    """Letters and digits only, upper case: "9999 123 456" → "9999123456"."""
    return re.sub(r"[^0-9A-Z]", "", (text or "").upper())


def normalize_phone(text: str) -> str:
    digits = re.sub(r"\D", "", text or "")
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


# People ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Name:
    given: str = ""
    family: str = ""
    kind: str = ""  # legal, preferred, alias, former: shown in reasons

    @property
    def text(self) -> str:
        return " ".join(part for part in (self.given, self.family) if part).strip()

    @property
    def has_two_parts(self) -> bool:
        return bool(name_tokens(self.given)) and bool(name_tokens(self.family))


@dataclass(frozen=True)
class PersonDetails:
    """What is known of a person, as recorded: any field may be missing."""

    names: tuple[Name, ...] = ()
    date_of_birth: dt.date | None = None
    birth_year: int | None = None  # from an approximate age when there is no date of birth
    birth_year_margin: int = 2  # how many years either side an approximate age may be off
    sex: str = ""  # F, M or X; empty or U when not recorded
    health_numbers: tuple[str, ...] = ()  # normalized
    phones: tuple[str, ...] = ()  # normalized

    @property
    def year(self) -> int | None:
        return self.date_of_birth.year if self.date_of_birth else self.birth_year

    def is_empty(self) -> bool:
        return not (self.names or self.date_of_birth or self.birth_year or self.health_numbers)


def birth_year_from_age(age: int, on: dt.date) -> int:
    """The likelier birth year of someone said to be `age` on a day (before or after their
    birthday is unknown, so it is one year either way; the margin covers it)."""
    return on.year - age


# Blocking keys -----------------------------------------------------------------------


@lru_cache(maxsize=524288)
def key_hash(key: str) -> int:
    """A blocking key as a signed 64-bit integer (one compact indexed column)."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)


@lru_cache(maxsize=131072)
def _codes(text: str) -> tuple[str, ...]:
    codes: list[str] = []
    for token in name_tokens(text):
        code = phonetic(token)
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def _years(person: PersonDetails) -> list[int]:
    """The birth year, or every year an approximate age allows.

    Stored approximate years are spread over their margin, so that a query with an
    exact date of birth finds them through its one year (and the other way round).
    """
    if person.date_of_birth:
        return [person.date_of_birth.year]
    if person.birth_year:
        margin = person.birth_year_margin
        return list(range(person.birth_year - margin, person.birth_year + margin + 1))
    return []


def _swapped(day: dt.date) -> dt.date | None:
    if day.day <= 12 and day.day != day.month:
        return day.replace(month=day.day, day=day.month)
    return None


@lru_cache(maxsize=131072)
def _pair_keys(text: str) -> frozenset[str]:
    """Keys of two tokens of one name: both codes (`nn:`), and one code with the other
    token's first letter (`ni:`), so that a name found when one part is misspelled
    beyond what sounds alike ("Alec" / "Alex") still has a key in common."""
    tokens = name_tokens(text)
    keys = set()
    for a, b in combinations(tokens, 2):
        code_a, code_b = phonetic(a), phonetic(b)
        if code_a == code_b:
            continue
        keys.add("nn:" + "|".join(sorted((code_a, code_b))))
        keys.add(f"ni:{a[0]}|{code_b}")
        keys.add(f"ni:{b[0]}|{code_a}")
    return frozenset(keys)


@lru_cache(maxsize=262144)
def _name_keys(text: str, years: tuple[int, ...]) -> frozenset[str]:
    """The stored keys of one name (names and birth years repeat: cached)."""
    keys = set(_pair_keys(text))
    for code in _codes(text):
        keys.add(f"nm:{code}")
        keys.update(f"by:{year}|{code}" for year in years)
    return frozenset(keys)


def blocking_keys(person: PersonDetails) -> set[str]:
    """The keys stored for a client."""
    keys = {f"hn:{number}" for number in person.health_numbers}
    if person.date_of_birth:
        keys.add(f"dob:{person.date_of_birth.isoformat()}")
    years = tuple(_years(person))
    for name in person.names:
        keys.update(_name_keys(name.text, years))
    return keys


def query_keys(person: PersonDetails) -> set[str]:
    """The keys a new or searched person looks up.

    Single-token keys (`nm:`) are used only for names of one token (an alias, a
    street name): a common code ("SM0" for Smith, Smyth) is shared by tens of
    thousands of people in a province, and two-token names and birth years find
    candidates far more precisely. Initial keys (`ni:`) are used only without a
    birth year, for the same reason.
    """
    keys = {f"hn:{number}" for number in person.health_numbers}
    if person.date_of_birth:
        keys.add(f"dob:{person.date_of_birth.isoformat()}")
        swapped = _swapped(person.date_of_birth)
        if swapped:
            keys.add(f"dob:{swapped.isoformat()}")
    years = _years(person)
    for name in person.names:
        codes = _codes(name.text)
        for code in codes:
            keys.update(f"by:{year}|{code}" for year in years)
        pairs = _pair_keys(name.text)
        if years:
            # With a birth year, one name right and the year find a misspelled other
            # name (`by:`); the initial keys would only add thousands of Michaels.
            pairs = {key for key in pairs if not key.startswith("ni:")}
        keys.update(pairs)
        if len(codes) == 1:
            keys.add(f"nm:{codes[0]}")
    return keys


# Scores ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    """One comparison outcome: its points are log2(m / u)."""

    key: str
    m: float  # probability of this outcome when both records are the same person
    u: float  # probability of this outcome between two different people

    @property
    def points(self) -> float:
        return math.log2(self.m / self.u)


# m: recording-error rates of the kind reported for hospital and administrative
# records (name variants and typos in a few percent, day/month swaps about 1%);
# u: chance agreement from name and birth-date frequencies (365 × ~75 birth dates
# among adults; the commonest family names in Canada cover ~1% of people).
LEVELS = {
    level.key: level
    for level in [
        Level("family_exact", 0.88, 0.004),
        Level("family_similar", 0.08, 0.02),
        Level("family_different", 0.03, 0.976),
        Level("given_exact", 0.80, 0.01),
        Level("given_shortened", 0.08, 0.01),
        Level("given_similar", 0.08, 0.03),
        Level("given_different", 0.03, 0.96),
        Level("names_swapped", 0.01, 0.00002),
        Level("alias_exact", 0.5, 0.005),
        Level("alias_similar", 0.1, 0.03),
        Level("alias_different", 0.4, 0.96),
        Level("dob_exact", 0.94, 1 / (365.25 * 75)),
        Level("dob_swapped", 0.015, 1 / (365.25 * 75)),
        Level("dob_one_digit", 0.02, 0.0026),
        Level("dob_different", 0.025, 0.997),
        Level("year_within", 0.9, 0.067),
        Level("year_outside", 0.1, 0.93),
        Level("sex_same", 0.97, 0.5),
        Level("sex_different", 0.03, 0.5),
        Level("health_number_one_digit", 0.02, 0.000001),
        Level("health_number_different", 0.03, 1.0),
        Level("phone_same", 0.25, 0.001),
    ]
}

# Bands by total points. A health-number match is decisive whatever the points.
VERY_LIKELY, LIKELY, POSSIBLE = 20.0, 12.0, 6.0
BANDS = {
    "same_health_number": "Same health number",
    "very_likely": "Very likely the same person",
    "likely": "Likely the same person",
    "possible": "Possibly the same person",
    "unlikely": "Unlikely to be the same person",
}

# Token similarity above which two spellings count as variants of one name.
SIMILAR_FAMILY = 0.92
SIMILAR_GIVEN = 0.88
SIMILAR_ALIAS = 0.9


@dataclass(frozen=True)
class Reason:
    level: str
    text: str
    points: float


@dataclass(frozen=True)
class MatchScore:
    points: float
    decisive: bool
    reasons: tuple[Reason, ...] = field(default_factory=tuple)

    @property
    def band(self) -> str:
        if self.decisive:
            return "same_health_number"
        if self.points >= VERY_LIKELY:
            return "very_likely"
        if self.points >= LIKELY:
            return "likely"
        if self.points >= POSSIBLE:
            return "possible"
        return "unlikely"

    @property
    def band_label(self) -> str:
        return BANDS[self.band]

    @property
    def worth_showing(self) -> bool:
        """A candidate a person creating a record should look at before going on."""
        return self.band != "unlikely"


def _reason(level: str, text: str) -> Reason:
    return Reason(level, text, round(LEVELS[level].points, 1))


def _similar(a: str, b: str, threshold: float) -> bool:
    """Two normalized spellings of one name: same sound, or a small typing difference.

    Names with digits (the demo's invented "Synthetic-004821") are similar only when
    one digit differs or two are swapped: the numbers are what tells people apart.
    """
    if not a or not b:
        return False
    if a == b:
        return True
    if any(ch.isdigit() for ch in a + b):
        return OSA.distance(a, b) <= 1
    return phonetic(a) == phonetic(b) or JaroWinkler.similarity(a, b) >= threshold


def _part_level(a: str, b: str, *, given: bool) -> str:
    a, b = normalize_text(a), normalize_text(b)
    kind = "given" if given else "family"
    if a == b:
        return f"{kind}_exact"
    first_a, first_b = a.split()[0], b.split()[0]
    if given:
        if first_a == first_b:
            return "given_exact"
        short, long = sorted((first_a, first_b), key=len)
        if len(short) >= 3 and long.startswith(short):
            return "given_shortened"
        if _similar(a, b, SIMILAR_GIVEN) or _similar(first_a, first_b, SIMILAR_GIVEN):
            return "given_similar"
        return "given_different"
    if _similar(a, b, SIMILAR_FAMILY):
        return "family_similar"
    # A family name with an extra part or a hyphen ("Smith Jones" / "Smith").
    if not any(ch.isdigit() for ch in a + b) and (set(a.split()) & set(b.split())):
        return "family_similar"
    return "family_different"


_PART_TEXT = {
    "family_exact": "Family name the same ({a})",
    "family_similar": "Family name spelled similarly ({a} / {b})",
    "family_different": "Family names differ ({a} / {b})",
    "given_exact": "Given name the same ({a})",
    "given_shortened": "Given name shortened ({a} / {b})",
    "given_similar": "Given name spelled similarly ({a} / {b})",
    "given_different": "Given names differ ({a} / {b})",
}


def _two_part_evidence(q: Name, c: Name) -> list[Reason]:
    family = _part_level(q.family, c.family, given=False)
    given = _part_level(q.given, c.given, given=True)
    straight = [
        _reason(family, _PART_TEXT[family].format(a=q.family, b=c.family)),
        _reason(given, _PART_TEXT[given].format(a=q.given, b=c.given)),
    ]
    if (
        normalize_text(q.given) == normalize_text(c.family)
        and normalize_text(q.family) == normalize_text(c.given)
        and normalize_text(q.given) != normalize_text(q.family)
    ):
        swapped = [
            _reason("names_swapped", f"Given and family names swapped ({q.text} / {c.text})")
        ]
        if sum(r.points for r in swapped) > sum(r.points for r in straight):
            return swapped
    return straight


def _one_part_evidence(q: Name, c: Name) -> list[Reason]:
    """A one-part name (an alias, a street name) against any token of the other name."""
    q_tokens, c_tokens = name_tokens(q.text), name_tokens(c.text)
    if not q_tokens or not c_tokens:
        return []
    if set(q_tokens) & set(c_tokens):
        return [_reason("alias_exact", f"Name {q.text!r} matches {c.text!r}")]
    if any(_similar(a, b, SIMILAR_ALIAS) for a in q_tokens for b in c_tokens):
        return [_reason("alias_similar", f"Name {q.text!r} sounds like {c.text!r}")]
    return [_reason("alias_different", f"Names differ ({q.text} / {c.text})")]


def _name_evidence(query: PersonDetails, candidate: PersonDetails) -> list[Reason]:
    best: list[Reason] = []
    best_points = -math.inf
    for q in query.names:
        for c in candidate.names:
            if q.has_two_parts and c.has_two_parts:
                reasons = _two_part_evidence(q, c)
            else:
                reasons = _one_part_evidence(q, c)
            points = sum(r.points for r in reasons)
            if reasons and points > best_points:
                best, best_points = reasons, points
    return best


def _birth_evidence(query: PersonDetails, candidate: PersonDetails) -> list[Reason]:
    q, c = query.date_of_birth, candidate.date_of_birth
    if q and c:
        if q == c:
            return [_reason("dob_exact", f"Same date of birth ({q.isoformat()})")]
        if _swapped(q) == c:
            return [_reason("dob_swapped", f"Day and month swapped ({q} / {c})")]
        if OSA.distance(q.strftime("%Y%m%d"), c.strftime("%Y%m%d")) == 1:
            return [_reason("dob_one_digit", f"Dates of birth one digit apart ({q} / {c})")]
        return [_reason("dob_different", f"Dates of birth differ ({q} / {c})")]
    q_year, c_year = query.year, candidate.year
    if q_year and c_year:
        margin = max(
            query.birth_year_margin if not q else 0,
            candidate.birth_year_margin if not c else 0,
        )
        if abs(q_year - c_year) <= margin:
            return [_reason("year_within", f"Born about the same year ({q_year} / {c_year})")]
        return [_reason("year_outside", f"Born years apart ({q_year} / {c_year})")]
    return []


def _sex_evidence(query: PersonDetails, candidate: PersonDetails) -> list[Reason]:
    known = {"F", "M", "X"}
    if query.sex in known and candidate.sex in known:
        if query.sex == candidate.sex:
            return [_reason("sex_same", "Same sex recorded")]
        return [_reason("sex_different", "Different sex recorded")]
    return []


def _health_number_evidence(query: PersonDetails, candidate: PersonDetails) -> list[Reason]:
    if not (query.health_numbers and candidate.health_numbers):
        return []
    for a in query.health_numbers:
        for b in candidate.health_numbers:
            if len(a) == len(b) and OSA.distance(a, b) == 1:
                return [
                    _reason(
                        "health_number_one_digit",
                        "Health numbers one digit apart (a typing error?)",
                    )
                ]
    return [_reason("health_number_different", "Different health numbers")]


def score(query: PersonDetails, candidate: PersonDetails) -> MatchScore:
    """How strongly the evidence says the two records are one person, and why."""
    shared = set(query.health_numbers) & set(candidate.health_numbers)
    if shared:
        reason = Reason("health_number_same", "Same health number", math.inf)
        others = _name_evidence(query, candidate) + _birth_evidence(query, candidate)
        return MatchScore(
            points=round(sum(r.points for r in others), 1),
            decisive=True,
            reasons=(reason, *others),
        )
    reasons = [
        *_health_number_evidence(query, candidate),
        *_name_evidence(query, candidate),
        *_birth_evidence(query, candidate),
        *_sex_evidence(query, candidate),
    ]
    if set(query.phones) & set(candidate.phones):
        reasons.append(_reason("phone_same", "Same phone number"))
    return MatchScore(
        points=round(sum(r.points for r in reasons), 1), decisive=False, reasons=tuple(reasons)
    )


def rank(scored: list[tuple[object, MatchScore]]) -> list[tuple[object, MatchScore]]:
    """Decisive matches first, then by points."""
    return sorted(scored, key=lambda pair: (not pair[1].decisive, -pair[1].points))
