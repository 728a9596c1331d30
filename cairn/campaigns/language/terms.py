"""The person-first term list: the one Cairn ships, and the versions administrators save.

- `shipped_rules()`: the list in `data/terms.csv`, no database (the checker's default,
  and the test over Cairn's own text). `data/terms.csv` is Cairn's copy of the project's
  `stigmatizing_to_preferred_terms.csv` (kept unchanged beside it for reference) with the
  context rules added as columns: `variants`, `inflect`, `severity`, `context_words`,
  `window`, `exceptions` (see docs/campaigns-language.md).
- `install_shipped_terms()`: version 1 in the database (the data migration calls it; it
  does nothing when a list exists).
- `current_rules()`: the newest version in the database as checker rules (the shipped
  list while the database has none).
- `save_new_version(user, terms, note)`: every change makes a new version with all its
  terms; earlier versions are kept.
"""

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cairn.campaigns.language.checker import AVOID, CONSIDER, TermRule, split_list

DATA_DIR = Path(__file__).resolve().parent / "data"
SHIPPED_CSV = DATA_DIR / "terms.csv"
SHIPPED_NOTE = (
    "The list Cairn ships: stigmatizing_to_preferred_terms.csv (NIDA, ONDCP, AAP, VA, "
    "Toward the Heart, CCSA and others) with Cairn's context rules."
)

COLUMNS = (
    "key",
    "label",
    "variants",
    "inflect",
    "preferred",
    "category",
    "reason",
    "severity",
    "context_words",
    "window",
    "exceptions",
    "sources",
    "confidence",
)
CATEGORIES = (
    "person",
    "behaviour",
    "status",
    "testing",
    "treatment",
    "harm_reduction",
    "social",
    "system",
)
INFLECTIONS = ("noun", "verb", "both", "none")
SEVERITIES = (AVOID, CONSIDER)


class TermError(ValueError):
    """A term an administrator entered that cannot be saved; names the term and field."""

    def __init__(self, message: str, *, key: str = "", field: str = ""):
        super().__init__(message)
        self.key = key
        self.field = field


@dataclass(frozen=True)
class TermData:
    """One term as entered (a form, the API, the CSV), before it is saved."""

    key: str
    label: str
    variants: str
    preferred: str
    category: str
    reason: str
    severity: str = AVOID
    inflect: str = "noun"
    context_words: str = ""
    window: int = 3
    exceptions: str = ""
    sources: str = ""
    confidence: str = ""


def validate_term(data: TermData) -> TermData:
    """The term cleaned, or TermError naming what is wrong."""
    import re

    key = (data.key or "").strip().lower()

    def fail(message, field):
        raise TermError(f"Term '{key or data.label}': {message}", key=key, field=field)

    if not re.fullmatch(r"[a-z0-9][a-z0-9\-]{0,59}", key):
        fail("the key must be lower-case letters, digits and hyphens (up to 60).", "key")
    if not split_list(data.variants):
        fail("give at least one word or phrase to find.", "variants")
    if any(not re.search(r"\w", v) for v in split_list(data.variants)):
        fail("every variant must contain a letter.", "variants")
    if not split_list(data.preferred):
        fail("give at least one person-first suggestion.", "preferred")
    if data.category not in CATEGORIES:
        fail(f"the category must be one of {', '.join(CATEGORIES)}.", "category")
    if data.severity not in SEVERITIES:
        fail("the severity must be 'avoid' or 'consider'.", "severity")
    if data.inflect not in INFLECTIONS:
        fail(f"the forms must be one of {', '.join(INFLECTIONS)}.", "inflect")
    if not (data.reason or "").strip():
        fail("say why the term is avoided; the reason is shown with each finding.", "reason")
    try:
        window = int(data.window)
    except (TypeError, ValueError):
        fail("the window must be a whole number of words (1 to 12).", "window")
    if not 1 <= window <= 12:
        fail("the window must be a whole number of words (1 to 12).", "window")
    return TermData(
        key=key,
        label=(data.label or "").strip() or split_list(data.variants)[0],
        variants="; ".join(split_list(data.variants)),
        preferred="; ".join(split_list(data.preferred)),
        category=data.category,
        reason=data.reason.strip(),
        severity=data.severity,
        inflect=data.inflect,
        context_words="; ".join(split_list(data.context_words)),
        window=window,
        exceptions="; ".join(split_list(data.exceptions)),
        sources=(data.sources or "").strip()[:300],
        confidence=(data.confidence or "").strip()[:60],
    )


def rule_from(data, term_id: int | None = None) -> TermRule:
    """A checker rule from a TermData, a `Term` row or anything with the same fields."""
    return TermRule(
        key=data.key,
        label=data.label,
        variants=split_list(data.variants),
        preferred=split_list(data.preferred),
        category=data.category,
        reason=data.reason,
        severity=data.severity,
        inflect=data.inflect,
        context_words=split_list(data.context_words),
        window=int(data.window),
        exceptions=split_list(data.exceptions),
        term_id=term_id,
    )


def read_terms_csv(path: Path = SHIPPED_CSV) -> list[TermData]:
    with open(path, newline="", encoding="utf-8") as handle:
        return [
            validate_term(TermData(**{c: row.get(c, "") or "" for c in COLUMNS}))
            for row in csv.DictReader(handle)
        ]


@lru_cache(maxsize=1)
def shipped_terms() -> tuple[TermData, ...]:
    return tuple(read_terms_csv())


@lru_cache(maxsize=1)
def shipped_rules() -> tuple[TermRule, ...]:
    return tuple(rule_from(t) for t in shipped_terms())


# The database ---------------------------------------------------------------------------


def _create_version(*, terms, note: str, user=None, version: int | None = None):
    from cairn.campaigns.models.language import Term, TermList

    last = TermList.objects.order_by("-version").values_list("version", flat=True).first()
    term_list = TermList.objects.create(
        version=version or (last or 0) + 1,
        note=note,
        created_by=user,
        created_by_name=user.get_username() if user else "Cairn",
    )
    Term.objects.bulk_create(
        Term(
            term_list=term_list,
            position=position,
            **{c: getattr(t, c) for c in COLUMNS},
        )
        for position, t in enumerate(terms)
    )
    return term_list


def install_shipped_terms(term_list_model=None, term_model=None):
    """Version 1, the shipped list, unless a list is already there. A data migration
    passes its historical models (`apps.get_model(...)`); everyone else passes nothing."""
    if term_list_model is None:
        from cairn.campaigns.models.language import Term as term_model
        from cairn.campaigns.models.language import TermList as term_list_model
    if term_list_model.objects.exists():
        return term_list_model.objects.order_by("-version").first()
    term_list = term_list_model.objects.create(
        version=1, note=SHIPPED_NOTE, created_by=None, created_by_name="Cairn"
    )
    term_model.objects.bulk_create(
        term_model(term_list=term_list, position=p, **{c: getattr(t, c) for c in COLUMNS})
        for p, t in enumerate(read_terms_csv())
    )
    return term_list


def current_term_list():
    from cairn.campaigns.models.language import TermList

    return TermList.current() or install_shipped_terms()


def rules_of(term_list) -> tuple[TermRule, ...]:
    return tuple(rule_from(t, term_id=t.pk) for t in term_list.terms.all())


def current_rules() -> tuple[TermRule, ...]:
    return rules_of(current_term_list())


def term_data_of(term) -> TermData:
    return TermData(**{c: getattr(term, c) for c in COLUMNS})


def save_new_version(user, terms: list[TermData], note: str):
    """A new version of the list with exactly `terms`; TermError names what is wrong."""
    from django.db import transaction

    if not (note or "").strip():
        raise TermError("Say what changed in this version (the note).", field="note")
    cleaned = [validate_term(t) for t in terms]
    if not cleaned:
        raise TermError("A term list needs at least one term.", field="terms")
    keys = [t.key for t in cleaned]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise TermError(f"Each key once: {', '.join(duplicates)}.", field="key")
    with transaction.atomic():
        from cairn.campaigns.models.language import TermList

        TermList.objects.select_for_update().order_by("-version").first()
        term_list = _create_version(terms=cleaned, note=note.strip(), user=user)
        _audit(user, term_list)
    return term_list


def _audit(user, term_list) -> None:
    from cairn.access.audit import record_audit_event

    record_audit_event(
        actor=user,
        action="language_terms.saved",
        target=term_list,
        summary=f"Term list version {term_list.version}: {term_list.note}",
        details={"version": term_list.version, "terms": term_list.terms.count()},
    )
