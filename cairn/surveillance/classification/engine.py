"""Classify records against case definitions: pure functions, no Django.

A definition's rules are data (see cairn/surveillance/definitions/README.md):

    {"codes": {"poisoning": ["T40.4", ...], "intent": "14", "encounter": "A",
               "other": ["F11.12", ...]},
     "chief_complaint": {"sufficient": ["NARCAN", ...],
                         "all_of": [["OVERDOSE", "OD", ...], ["FENTANYL", ...]],
                         "exclude": ["DENIES DRUG USE", ...]}}

The work is done once per distinct string, because real feeds repeat them: each
distinct diagnosis code is matched against every definition once, each distinct
chief complaint is tokenised and its terms found once, and each distinct
(complaint, diagnoses) pair is decided once. Deciding a pair is then a few set
operations on small integers.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

CODE_SPLIT = re.compile(r"[;,\s|]+")
NON_WORD = re.compile(r"[^A-Z0-9*]+")
TEXT_NON_WORD = re.compile(r"[^A-Z0-9]+")
CODE_ENTRY = re.compile(r"[A-Z0-9]{1,8}\$?")  # a prefix; a trailing "$" means exactly this code
CACHE_LIMIT = 200_000
# ICD-10-CM categories whose intent is the 5th character, not the 6th (T36.91XA).
INTENT_AT_FIFTH = ("T369", "T379", "T399", "T414", "T427", "T439", "T459", "T479", "T499")


@dataclass(frozen=True, slots=True)
class Match:
    """One definition a record meets, and why: the code or the chief-complaint terms."""

    definition: str
    field: str  # "dd" (discharge diagnosis) or "cc" (chief complaint)
    reason: str


def normalise_code(code: str) -> str:
    """'t40.4x1a ' -> 'T404X1A': upper case, no dot, no spaces."""
    return code.strip().upper().replace(".", "")


def split_codes(diagnoses: str | Sequence[str] | None) -> list[str]:
    """Diagnosis codes from a `;`, `,` or space separated string, or from a list."""
    if not diagnoses:
        return []
    if isinstance(diagnoses, str):
        parts = CODE_SPLIT.split(diagnoses)
    else:
        parts = [p for item in diagnoses for p in CODE_SPLIT.split(str(item))]
    return [p for p in parts if p]


def normalise_text(text: str) -> str:
    """Upper case, punctuation to single spaces: 'O/D, narcan x2' -> 'O D NARCAN X2'."""
    return TEXT_NON_WORD.sub(" ", text.upper()).strip()


def normalise_term(term: str) -> str:
    """A term as written by an editor -> its matching form; a trailing '*' means prefix."""
    return NON_WORD.sub(" ", term.upper()).strip()


def validate_rules(rules: object) -> list[str]:
    """Every problem with a rules document, as sentences; empty when it is valid."""
    errors: list[str] = []
    if not isinstance(rules, dict):
        return ["Rules must be a JSON object with 'codes' and/or 'chief_complaint'."]
    unknown = set(rules) - {"codes", "chief_complaint"}
    if unknown:
        errors.append(f"Unknown section(s): {', '.join(sorted(unknown))}.")
    codes = rules.get("codes", {})
    if not isinstance(codes, dict):
        errors.append("'codes' must be an object.")
        codes = {}
    for key in codes:
        if key not in {"poisoning", "intent", "encounter", "other"}:
            errors.append(f"Unknown key codes.{key}.")
    for key in ("poisoning", "other"):
        value = codes.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            errors.append(f'codes.{key} must be a list of code prefixes such as "T40.4".')
        elif any(not CODE_ENTRY.fullmatch(normalise_code(v)) for v in value):
            bad = [v for v in value if not CODE_ENTRY.fullmatch(normalise_code(v))]
            errors.append(f"codes.{key} has entries that are not code prefixes: {', '.join(bad)}.")
    for key in ("intent", "encounter"):
        value = codes.get(key, "")
        if not isinstance(value, str) or not re.fullmatch(r"[A-Z0-9]*", value.upper()):
            errors.append(f'codes.{key} must be a string of allowed characters, e.g. "14".')
    cc = rules.get("chief_complaint", {})
    if not isinstance(cc, dict):
        errors.append("'chief_complaint' must be an object.")
        cc = {}
    for key in cc:
        if key not in {"sufficient", "all_of", "exclude"}:
            errors.append(f"Unknown key chief_complaint.{key}.")

    def check_terms(value: object, where: str) -> None:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            errors.append(f"{where} must be a list of terms.")
            return
        for term in value:
            normal = normalise_term(term)
            if not normal or "*" in normal[:-1] or (normal.endswith("*") and len(normal) < 3):
                errors.append(
                    f"{where}: {term!r} is not a usable term "
                    "('*' only at the end, after at least two letters)."
                )

    check_terms(cc.get("sufficient", []), "chief_complaint.sufficient")
    check_terms(cc.get("exclude", []), "chief_complaint.exclude")
    groups = cc.get("all_of", [])
    if not isinstance(groups, list):
        errors.append("chief_complaint.all_of must be a list of term lists.")
    else:
        for i, group in enumerate(groups, 1):
            check_terms(group, f"chief_complaint.all_of group {i}")
    if not errors and not (
        codes.get("poisoning") or codes.get("other") or cc.get("sufficient") or cc.get("all_of")
    ):
        errors.append("The rules include nothing: give codes or chief-complaint terms.")
    return errors


@dataclass(slots=True)
class _CompiledDefinition:
    key: str
    poisoning: tuple[str, ...]
    poisoning_exact: frozenset[str]
    intent: str
    encounter: str
    other: tuple[str, ...]
    other_exact: frozenset[str]
    sufficient: frozenset[int]
    all_of: tuple[frozenset[int], ...]
    exclude: frozenset[int]


class Classifier:
    """Definitions compiled once; `classify` and `classify_many` answer with Matches."""

    def __init__(self, definitions: Mapping[str, dict]):
        for key, rules in definitions.items():
            problems = validate_rules(rules)
            if problems:
                raise ValueError(f"definition {key}: {' '.join(problems)}")
        self.keys = list(definitions)
        self._terms: list[str] = []  # term id -> normalised term (for reasons)
        term_ids: dict[str, int] = {}

        def ids(terms: Iterable[str]) -> frozenset[int]:
            out = set()
            for term in terms:
                normal = normalise_term(term)
                if normal not in term_ids:
                    term_ids[normal] = len(self._terms)
                    self._terms.append(normal)
                out.add(term_ids[normal])
            return frozenset(out)

        self._definitions = []
        for key, rules in definitions.items():
            codes = rules.get("codes", {})
            cc = rules.get("chief_complaint", {})
            self._definitions.append(
                _CompiledDefinition(
                    key=key,
                    poisoning=_prefixes(codes.get("poisoning", [])),
                    poisoning_exact=_exact(codes.get("poisoning", [])),
                    intent=codes.get("intent", "").upper(),
                    encounter=codes.get("encounter", "").upper(),
                    other=_prefixes(codes.get("other", [])),
                    other_exact=_exact(codes.get("other", [])),
                    sufficient=ids(cc.get("sufficient", [])),
                    all_of=tuple(ids(group) for group in cc.get("all_of", [])),
                    exclude=ids(cc.get("exclude", [])),
                )
            )
        # Single words: exact lookups; words ending in '*': prefixes; phrases: one regex.
        self._word_terms: dict[str, int] = {}
        self._prefix_terms: list[tuple[str, int]] = []
        phrases: dict[str, int] = {}
        for term_id, term in enumerate(self._terms):
            if " " in term:
                phrases[term] = term_id
            elif term.endswith("*"):
                self._prefix_terms.append((term[:-1], term_id))
            else:
                self._word_terms[term] = term_id
        self._prefix_index: dict[str, list[tuple[str, int]]] = {}
        for prefix, term_id in self._prefix_terms:
            self._prefix_index.setdefault(prefix[:2], []).append((prefix, term_id))
        self._phrase_ids = {p.rstrip("*"): i for p, i in phrases.items()}
        self._phrase_re = None
        if phrases:
            alternatives = []
            for phrase in sorted(phrases, key=len, reverse=True):
                if phrase.endswith("*"):
                    alternatives.append(re.escape(phrase[:-1]) + r"[A-Z0-9]*")
                else:
                    alternatives.append(re.escape(phrase))
            # Lookahead so overlapping phrases are all found; words are space-delimited.
            self._phrase_re = re.compile(
                r"(?<![A-Z0-9])(?=("
                + "|".join(f"(?:{a})" for a in alternatives)
                + r")(?![A-Z0-9]))"
            )
            self._phrase_prefixes = [(p[:-1], i) for p, i in phrases.items() if p.endswith("*")]
        self._code_cache: dict[str, tuple[int, ...]] = {}
        self._word_cache: dict[str, tuple[int, ...]] = {}
        self._text_cache: dict[str, dict[int, str]] = {}
        self._record_cache: dict[tuple[str, str], tuple[Match, ...]] = {}

    # -- codes ---------------------------------------------------------------
    def _definitions_for_code(self, code: str) -> tuple[int, ...]:
        hits = self._code_cache.get(code)
        if hits is not None:
            return hits
        found = []
        for index, d in enumerate(self._definitions):
            by_other = code.startswith(d.other) or code in d.other_exact
            by_poisoning = code.startswith(d.poisoning) or code in d.poisoning_exact
            if by_other or (by_poisoning and self._intent_ok(d, code)):
                found.append(index)
        hits = tuple(found)
        if len(self._code_cache) < CACHE_LIMIT:
            self._code_cache[code] = hits
        return hits

    @staticmethod
    def _intent_ok(d: _CompiledDefinition, code: str) -> bool:
        # ICD-10-CM: intent is the 6th character, the encounter the 7th. Shorter codes
        # (ICD-10-CA, or CM without intent) carry no intent and are accepted.
        if d.intent:
            position = 4 if code.startswith(INTENT_AT_FIFTH) else 5
            if len(code) > position and code[position] not in d.intent:
                return False
        return not (d.encounter and len(code) >= 7 and code[6] not in d.encounter)

    # -- chief complaint -----------------------------------------------------
    def _terms_in(self, text: str) -> dict[int, str]:
        """Term id -> the words that matched it, for one normalised complaint."""
        found = self._text_cache.get(text)
        if found is not None:
            return found
        found = {}
        for word in text.split():
            for term_id in self._word_ids(word):
                found.setdefault(term_id, word.lower())
        if self._phrase_re is not None:
            padded = text
            for m in self._phrase_re.finditer(padded):
                hit = m.group(1)
                term_id = self._phrase_ids.get(hit)
                if term_id is None:
                    term_id = next(i for p, i in self._phrase_prefixes if hit.startswith(p))
                found.setdefault(term_id, hit.lower())
        if len(self._text_cache) < CACHE_LIMIT:
            self._text_cache[text] = found
        return found

    def _word_ids(self, word: str) -> tuple[int, ...]:
        ids = self._word_cache.get(word)
        if ids is not None:
            return ids
        out = []
        exact = self._word_terms.get(word)
        if exact is not None:
            out.append(exact)
        # Prefix terms are indexed by their first two characters (all are at least two).
        for prefix, i in self._prefix_index.get(word[:2], ()):
            if word.startswith(prefix):
                out.append(i)
        ids = tuple(out)
        if len(self._word_cache) < CACHE_LIMIT:
            self._word_cache[word] = ids
        return ids

    # -- records -------------------------------------------------------------
    def classify(
        self, chief_complaint: str | None, diagnoses: str | Sequence[str] | None
    ) -> tuple[Match, ...]:
        """The definitions one record meets, with the reason for each."""
        cc = chief_complaint or ""
        dd = diagnoses if isinstance(diagnoses, str) or diagnoses is None else ";".join(diagnoses)
        dd = dd or ""
        key = (cc, dd)
        cached = self._record_cache.get(key)
        if cached is not None:
            return cached
        result = self._decide(cc, dd)
        if len(self._record_cache) < CACHE_LIMIT:
            self._record_cache[key] = result
        return result

    def classify_many(
        self, records: Iterable[tuple[str | None, str | Sequence[str] | None]]
    ) -> list[tuple[Match, ...]]:
        classify = self.classify
        return [classify(cc, dd) for cc, dd in records]

    def _decide(self, cc: str, dd: str) -> tuple[Match, ...]:
        by_code: dict[int, str] = {}
        for raw in split_codes(dd):
            code = normalise_code(raw)
            for index in self._definitions_for_code(code):
                by_code.setdefault(index, raw.strip().upper())
        terms = self._terms_in(normalise_text(cc)) if cc else {}
        present = terms.keys()
        matches = []
        for index, d in enumerate(self._definitions):
            if index in by_code:
                matches.append(Match(d.key, "dd", f"code {by_code[index]}"))
                continue
            if not terms or not d.exclude.isdisjoint(present) and d.exclude:
                continue
            reason = self._cc_reason(d, terms)
            if reason:
                matches.append(Match(d.key, "cc", reason))
        return tuple(matches)

    def _cc_reason(self, d: _CompiledDefinition, terms: dict[int, str]) -> str | None:
        for term_id in d.sufficient:
            if term_id in terms:
                return f'chief complaint: "{terms[term_id]}"'
        if not d.all_of:
            return None
        words = []
        for group in d.all_of:
            hit = next((terms[t] for t in sorted(group) if t in terms), None)
            if hit is None:
                return None
            words.append(f'"{hit}"')
        return "chief complaint: " + " + ".join(words)


def _prefixes(entries: list[str]) -> tuple[str, ...]:
    return tuple(normalise_code(c) for c in entries if not c.strip().endswith("$"))


def _exact(entries: list[str]) -> frozenset[str]:
    return frozenset(normalise_code(c)[:-1] for c in entries if c.strip().endswith("$"))


def naive_classify(
    definitions: Mapping[str, dict], records: Iterable[tuple[str, str]]
) -> list[list[str]]:
    """The straightforward baseline: per record, per definition, Python regex searches.

    Same logic as `Classifier`, no caching or shared passes; kept for the benchmark
    and to check the engine against.
    """
    compiled = []
    for key, rules in definitions.items():
        codes = rules.get("codes", {})
        cc = rules.get("chief_complaint", {})
        poisoning = [_code_regex(c) for c in codes.get("poisoning", [])]
        other = [_code_regex(c) for c in codes.get("other", [])]
        compiled.append(
            (
                key,
                [re.compile(p) for p in (rf"^(?:{'|'.join(poisoning)})",) if poisoning],
                [re.compile(rf"^(?:{'|'.join(other)})")] if other else [],
                codes.get("intent", "").upper(),
                codes.get("encounter", "").upper(),
                _term_regex(cc.get("sufficient", [])),
                [_term_regex(group) for group in cc.get("all_of", [])],
                _term_regex(cc.get("exclude", [])),
            )
        )
    results = []
    for chief_complaint, diagnoses in records:
        codes = [normalise_code(c) for c in split_codes(diagnoses)]
        text = " " + normalise_text(chief_complaint or "") + " "
        matched = []
        for key, poisoning, other, intent, encounter, sufficient, all_of, exclude in compiled:
            code_hit = False
            for code in codes:
                if other and other[0].match(code):
                    code_hit = True
                    break
                if poisoning and poisoning[0].match(code):
                    position = 4 if code.startswith(INTENT_AT_FIFTH) else 5
                    if intent and len(code) > position and code[position] not in intent:
                        continue
                    if encounter and len(code) >= 7 and code[6] not in encounter:
                        continue
                    code_hit = True
                    break
            if code_hit:
                matched.append(key)
                continue
            if text.strip() == "" or (exclude is not None and exclude.search(text)):
                continue
            by_term = sufficient is not None and sufficient.search(text)
            if by_term or (all_of and all(g is not None and g.search(text) for g in all_of)):
                matched.append(key)
        results.append(matched)
    return results


def _term_regex(terms: list[str]) -> re.Pattern | None:
    parts = []
    for term in terms:
        normal = normalise_term(term)
        if normal.endswith("*"):
            parts.append(re.escape(normal[:-1]) + r"[A-Z0-9]*")
        else:
            parts.append(re.escape(normal))
    if not parts:
        return None
    return re.compile(r"(?<![A-Z0-9])(?:" + "|".join(parts) + r")(?![A-Z0-9])")


def _code_regex(entry: str) -> str:
    code = normalise_code(entry)
    return re.escape(code[:-1]) + "$" if code.endswith("$") else re.escape(code)
