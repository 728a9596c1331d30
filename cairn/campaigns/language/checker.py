"""Find stigmatizing terms in a text, with a person-first suggestion and the reason.

Pure Python, no database: `check_text(text)` uses the list Cairn ships
(`data/terms.csv`); the review passes the current version of the list from the
database instead (`cairn.campaigns.language.terms.current_rules()`).

What is found:
- whole words and phrases only, in any case ("Addicts", "addict's"), with the forms of
  the last word the term asks for (`inflect`: plural; -s, -ed, -ing); a hyphen and a
  space are the same ("drug-seeking", "drug seeking"); a variant written in capitals
  ("MAT") is found in capitals only, so a yoga mat is not a finding;
- where two terms overlap, the longer wins ("recovering addict" over "addict");
- a term with `context_words` only when one of them is within `window` words in the
  same sentence: "clean" about a person ("she has been clean for two years") or about a
  test ("a clean urine screen"), never "clean water"; "user" only near a drug word
  ("injection drug users"), never "a user account".

What is not found (the context rules):
- quoted speech: "…", “…”, ‘…’, '…', «…», lines that start with ">", and `code`;
- proper names: any "… Anonymous" fellowship, names passed in (organizations'
  names), and runs of capitalized words with an organization word after the first
  ("Vancouver Area Network of Drug Users", "Overdose Prevention Society");
- clinical codes and what they name: an ICD-10 code ("F11.10 Opioid abuse,
  uncomplicated", "opioid abuse (F11.10)") and a clause that cites the DSM or ICD;
- web addresses and e-mail addresses;
- a term's own `exceptions` ("alcoholic beverage").
"""

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Finding", "TermRule", "check_text", "sentence_around"]

AVOID = "avoid"
CONSIDER = "consider"


@dataclass(frozen=True)
class TermRule:
    """One term of the list, as the checker uses it (from the CSV or a `Term` row)."""

    key: str
    label: str
    variants: tuple[str, ...]
    preferred: tuple[str, ...]
    category: str
    reason: str
    severity: str = AVOID
    inflect: str = "noun"
    context_words: tuple[str, ...] = ()
    window: int = 3
    exceptions: tuple[str, ...] = ()
    term_id: int | None = None


@dataclass(frozen=True)
class Finding:
    start: int
    end: int
    matched: str
    term_key: str
    term_id: int | None
    label: str
    suggestion: str
    alternatives: tuple[str, ...]
    reason: str
    category: str
    severity: str

    @property
    def blocking(self) -> bool:
        return self.severity == AVOID


def split_list(value: str) -> tuple[str, ...]:
    """'a; b ;c' → ('a', 'b', 'c'), dropping empty items."""
    return tuple(part.strip() for part in (value or "").split(";") if part.strip())


# Inflections --------------------------------------------------------------------------


def _plural(word: str) -> str:
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    return word + "s"


def _verb_forms(word: str) -> list[str]:
    if word.endswith("e"):
        return [word + "s", word + "d", word[:-1] + "ing"]
    if re.search(r"[^aeiou]y$", word):
        return [word[:-1] + "ies", word[:-1] + "ied", word + "ing"]
    return [_plural(word), word + "ed", word + "ing"]


def word_forms(word: str, inflect: str) -> list[str]:
    forms = [word]
    if inflect in ("noun", "both"):
        forms.append(_plural(word))
    if inflect in ("verb", "both"):
        forms.extend(_verb_forms(word))
    return list(dict.fromkeys(forms))


_SEPARATOR = r"[\s\-\u2010\u2011]+"  # a hyphen and a space are the same
_WORD_EDGE_BEFORE = r"(?<![\w\-])"
_WORD_EDGE_AFTER = r"(?![\w\-])"


def _variant_pattern(variant: str, inflect: str) -> str:
    words = [w for w in re.split(r"[\s\-\u2010\u2011]+", variant.strip()) if w]
    head = [re.escape(w) for w in words[:-1]]
    last_forms = sorted(word_forms(words[-1], inflect), key=len, reverse=True)
    last = "(?:" + "|".join(re.escape(f) for f in last_forms) + ")"
    return _SEPARATOR.join([*head, last])


def _is_capitals(variant: str) -> bool:
    letters = [c for c in variant if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


@dataclass(frozen=True)
class _Compiled:
    rule: TermRule
    any_case: re.Pattern | None
    capitals: re.Pattern | None
    context: frozenset[str]
    context_capitals: frozenset[str]
    exceptions: re.Pattern | None


@lru_cache(maxsize=16)
def _compile(rules: tuple[TermRule, ...]) -> tuple[_Compiled, ...]:
    compiled = []
    for rule in rules:
        any_case = [v for v in rule.variants if not _is_capitals(v)]
        capitals = [v for v in rule.variants if _is_capitals(v)]

        def alternation(variants, flags, rule=rule):
            if not variants:
                return None
            parts = sorted(
                (_variant_pattern(v, rule.inflect) for v in variants), key=len, reverse=True
            )
            return re.compile(
                _WORD_EDGE_BEFORE + "(?:" + "|".join(parts) + ")" + _WORD_EDGE_AFTER, flags
            )

        exceptions = None
        if rule.exceptions:
            parts = sorted((_variant_pattern(e, "none") for e in rule.exceptions), key=len)
            exceptions = re.compile(
                _WORD_EDGE_BEFORE + "(?:" + "|".join(reversed(parts)) + ")" + _WORD_EDGE_AFTER,
                re.IGNORECASE,
            )
        compiled.append(
            _Compiled(
                rule=rule,
                any_case=alternation(any_case, re.IGNORECASE),
                capitals=alternation(capitals, 0),
                context=frozenset(w.lower() for w in rule.context_words if not _is_capitals(w)),
                context_capitals=frozenset(w for w in rule.context_words if _is_capitals(w)),
                exceptions=exceptions,
            )
        )
    return tuple(compiled)


# Context: what is never a finding ------------------------------------------------------

# Quotation marks in pairs: (opening, closing). A closing curly apostrophe inside a word
# ("don’t") does not close a quote.
_PAIRS = [
    (re.compile('"'), re.compile('"')),
    (re.compile("\u201c"), re.compile("\u201d")),
    (re.compile("\u00ab"), re.compile("\u00bb")),
    (re.compile(r"(?<!\w)\u2018"), re.compile(r"\u2019(?!\w)")),
    # `code`: a key or a name in documentation, a mention rather than a use.
    (re.compile("`"), re.compile("`")),
]
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_QUOTES = [
    # Straight single quotes: an opening one after a space or a bracket, a closing one
    # before a space or punctuation, so "I'm" and "people's" are not quotes. At most 400
    # characters, so a text full of apostrophes costs no more than a line.
    re.compile(r"(?<![\w'])'(?=\w)(?:[^'\n]|'(?=\w)){0,400}(?<=[\w.!?,)\]])'(?![\w])"),
    re.compile(r"^[ \t]*>.*$", re.MULTILINE),
]


def _paired_spans(text: str) -> list[tuple[int, int]]:
    """Quoted spans, in one pass per kind of quotation mark: a quote never runs past a
    blank line (a new paragraph), and an unclosed one quotes nothing."""
    spans = []
    for opening, closing in _PAIRS:
        at = 0
        while (start := opening.search(text, at)) is not None:
            end = closing.search(text, start.end())
            if end is None:
                break
            blank = _BLANK_LINE.search(text, start.end(), end.start())
            if blank is not None:
                at = blank.end()
                continue
            spans.append((start.start(), end.end()))
            at = end.end()
    return spans


_ANONYMOUS = re.compile(r"(?:\b[A-Z][\w'\u2019\-]*\s+){1,4}Anonymous\b")
_ORGANIZATION_WORDS = (
    "Society|Association|Network|Centre|Center|Foundation|Anonymous|Project|Coalition|"
    "Alliance|Council|Clinic|House|Services|Service|Program|Programme|Agency|Authority|"
    "Union|Collective|Initiative|Institute|Ministry|Day|Week|Act|Inc|Ltd|Team|Site|Sites"
)
_CAPITALIZED_RUN = re.compile(
    r"\b[A-Z][\w'\u2019\-]*(?:\s+(?:(?:of|for|the|and|on|who|to)\s+)*[A-Z][\w'\u2019\-]*)*"
)
_ICD_CODE = re.compile(r"\b[A-TV-Z]\d[\dAB](?:\.[\dA-Z]{1,4})\b")
_MANUAL = re.compile(r"\b(?:DSM|ICD)(?:-?\d+|-[IV]+)?(?:-[A-Z]+)?\b")
_CLAUSE_END = re.compile(r"[;\n)]|\.(?:\s|$)")
_CLAUSE_START = re.compile(r"[;\n(.:,]")
_ADDRESSES = re.compile(r"\bhttps?://\S+|\bwww\.\S+|[\w.+\-]+@[\w\-]+\.[\w.\-]+")
_WORD = re.compile(r"[\w'\u2019]+")
_SENTENCE_BREAK = re.compile(r"[.!?](?:\s|$)|\n[ \t]*\n")


def _clause_after(text: str, start: int) -> int:
    found = _CLAUSE_END.search(text, start)
    return found.start() if found else len(text)


@lru_cache(maxsize=8)
def _names_pattern(proper_names: tuple[str, ...]) -> re.Pattern | None:
    """One pattern for every name (organizations' names: hundreds, each text)."""
    names = sorted({n.strip() for n in proper_names if n and n.strip()}, key=len, reverse=True)
    if not names:
        return None
    alternation = "|".join(re.escape(n) for n in names)
    return re.compile(_WORD_EDGE_BEFORE + "(?:" + alternation + ")" + _WORD_EDGE_AFTER, re.I)


def _protected_spans(text: str, proper_names: tuple[str, ...]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = _paired_spans(text)
    for pattern in _QUOTES:
        spans.extend(m.span() for m in pattern.finditer(text))
    spans.extend(m.span() for m in _ANONYMOUS.finditer(text))
    for run in _CAPITALIZED_RUN.finditer(text):
        words = run.group().split()
        if len(words) >= 2 and any(re.fullmatch(_ORGANIZATION_WORDS, w) for w in words[1:]):
            spans.append(run.span())
    names = _names_pattern(proper_names)
    if names is not None:
        spans.extend(m.span() for m in names.finditer(text))
    for code in _ICD_CODE.finditer(text):
        before = text[: code.start()].rstrip()
        if before.endswith("("):
            # "opioid abuse (F11.10)": the words the code names come before it.
            head = before[:-1]
            starts = [m.end() for m in _CLAUSE_START.finditer(head)]
            spans.append((starts[-1] if starts else 0, code.end()))
        else:
            spans.append((code.start(), _clause_after(text, code.end())))
    for manual in _MANUAL.finditer(text):
        spans.append((manual.start(), _clause_after(text, manual.end())))
    spans.extend(m.span() for m in _ADDRESSES.finditer(text))
    return spans


def _inside(start: int, end: int, spans) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _context_distance(text: str, start: int, end: int, compiled: _Compiled) -> int | None:
    """How many words from the match to the nearest context word in the same sentence
    (0 inside the match); None when there is none within the window. Terms without
    context words are always in context (0)."""
    rule = compiled.rule
    if not rule.context_words:
        return 0

    def is_context(word: str) -> bool:
        word = word.replace("\u2019", "'")
        return word.lower() in compiled.context or word in compiled.context_capitals

    for word in _WORD.findall(text[start:end]):
        if is_context(word):
            return 0
    sentence_start = 0
    for br in _SENTENCE_BREAK.finditer(text, 0, start):
        sentence_start = br.end()
    br = _SENTENCE_BREAK.search(text, end)
    sentence_end = br.start() + 1 if br else len(text)
    before = _WORD.findall(text[sentence_start:start])[-rule.window :] if rule.window else []
    after = _WORD.findall(text[end:sentence_end])[: rule.window]
    best = None
    for distance, word in enumerate(reversed(before), start=1):
        if is_context(word):
            best = distance
            break
    for distance, word in enumerate(after, start=1):
        if is_context(word) and (best is None or distance < best):
            best = distance
            break
    return best


def _in_exception(text: str, start: int, end: int, compiled: _Compiled) -> bool:
    if compiled.exceptions is None:
        return False
    lo, hi = max(0, start - 80), min(len(text), end + 80)
    return any(
        m.start() + lo <= start and end <= m.end() + lo
        for m in compiled.exceptions.finditer(text[lo:hi])
    )


def check_text(
    text: str,
    terms: list[TermRule] | tuple[TermRule, ...] | None = None,
    *,
    proper_names: tuple[str, ...] | list[str] = (),
) -> list[Finding]:
    """Every stigmatizing term in `text`, in order, with its suggestion and reason.

    `terms=None` uses the list Cairn ships; `proper_names` (organizations' names) are
    never flagged."""
    if not text:
        return []
    if terms is None:
        from cairn.campaigns.language.terms import shipped_rules

        terms = shipped_rules()
    compiled_rules = _compile(tuple(terms))
    protected = _protected_spans(text, tuple(proper_names))
    candidates = []
    for order, compiled in enumerate(compiled_rules):
        for pattern in (compiled.any_case, compiled.capitals):
            if pattern is None:
                continue
            for match in pattern.finditer(text):
                start, end = match.span()
                if _inside(start, end, protected) or _in_exception(text, start, end, compiled):
                    continue
                distance = _context_distance(text, start, end, compiled)
                if distance is None:
                    continue
                candidates.append((start, end, distance, order, compiled.rule))
    # The longest match wins; for the same words, the term whose context is nearest,
    # then the one listed first.
    candidates.sort(key=lambda c: (-(c[1] - c[0]), c[2], c[3], c[0]))
    chosen: list[tuple] = []
    for candidate in candidates:
        start, end = candidate[0], candidate[1]
        if all(end <= c[0] or start >= c[1] for c in chosen):
            chosen.append(candidate)
    chosen.sort(key=lambda c: c[0])
    return [
        Finding(
            start=start,
            end=end,
            matched=text[start:end],
            term_key=rule.key,
            term_id=rule.term_id,
            label=rule.label,
            suggestion=rule.preferred[0] if rule.preferred else "",
            alternatives=tuple(rule.preferred[1:]),
            reason=rule.reason,
            category=rule.category,
            severity=rule.severity,
        )
        for start, end, _distance, _order, rule in chosen
    ]


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence that holds text[start:end], trimmed (for showing and for carrying a
    decision over to a new revision of the same text)."""
    sentence_start = 0
    for br in _SENTENCE_BREAK.finditer(text, 0, start):
        sentence_start = br.end()
    br = _SENTENCE_BREAK.search(text, end)
    sentence_end = br.start() + 1 if br else len(text)
    return text[sentence_start:sentence_end].strip()
