"""The person-first term list (versioned) and the language review of each material.

- `TermList` is one version of the list; the newest is the current one. Every change an
  administrator makes saves a new version with all its terms, so earlier versions stay
  readable and every finding names the version it was made with.
- `Term` is one stigmatizing term with its variants, the person-first suggestion and
  alternatives, the reason, and the context rules the checker applies (see
  `cairn.campaigns.language.checker`): the rule columns are plain text an administrator
  edits (words separated by ";").
- `LanguageReview` is one check of one revision of a material with one version of the
  list (checking the same revision with the same list again changes nothing);
- `LanguageFinding` is one term found in one checked text by a review, with the
  reviewer's decision: accepted (the suggestion is taken), overridden (the wording is
  kept, with a reason), or fixed (a later review no longer finds it).

The rules live in `cairn.campaigns.language` (terms.py, review.py); these are the tables.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

__all__ = [
    "FindingDecision",
    "Inflection",
    "LanguageFinding",
    "LanguageReview",
    "Severity",
    "Term",
    "TermCategory",
    "TermList",
]


class Severity(models.TextChoices):
    AVOID = "avoid", "Avoid (must be changed or overridden with a reason)"
    CONSIDER = "consider", "Consider (a suggestion, never blocking)"


class TermCategory(models.TextChoices):
    PERSON = "person", "Describing a person"
    BEHAVIOUR = "behaviour", "Describing substance use"
    STATUS = "status", "Recovery status"
    TESTING = "testing", "Test results"
    TREATMENT = "treatment", "Treatment"
    HARM_REDUCTION = "harm_reduction", "Harm reduction"
    SOCIAL = "social", "Social circumstances"
    SYSTEM = "system", "How the crisis is named"


class Inflection(models.TextChoices):
    NOUN = "noun", "Noun forms (plural)"
    VERB = "verb", "Verb forms (-s, -ed, -ing)"
    BOTH = "both", "Noun and verb forms"
    NONE = "none", "Exactly as written"


class TermList(models.Model):
    """One version of the term list; the one with the highest version is current."""

    version = models.PositiveIntegerField(unique=True)
    note = models.TextField(help_text="What changed in this version, and why.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for the list Cairn ships.",
    )
    created_by_name = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"Term list version {self.version}"

    @classmethod
    def current(cls) -> "TermList | None":
        return cls.objects.order_by("-version").first()


class Term(models.Model):
    term_list = models.ForeignKey(TermList, on_delete=models.CASCADE, related_name="terms")
    position = models.PositiveIntegerField(default=0)
    key = models.SlugField(
        max_length=60, help_text="Stays the same from version to version (e.g. 'addict')."
    )
    label = models.CharField(
        max_length=200, help_text="The term as shown, with its qualifier: 'clean (person)'."
    )
    variants = models.TextField(
        help_text="The words or phrases to find, separated by ';'. A variant in capitals "
        "('MAT') is matched in capitals only; others in any case."
    )
    inflect = models.CharField(
        max_length=4,
        choices=Inflection.choices,
        default=Inflection.NOUN,
        help_text="Which forms of the last word are found too.",
    )
    preferred = models.TextField(
        help_text="Person-first wording, separated by ';'; the first is the suggestion."
    )
    category = models.CharField(max_length=20, choices=TermCategory.choices)
    reason = models.TextField(help_text="Why the term is avoided, shown with each finding.")
    severity = models.CharField(max_length=8, choices=Severity.choices, default=Severity.AVOID)
    context_words = models.TextField(
        blank=True,
        help_text="Found only when one of these words is near (separated by ';'); "
        "empty: found everywhere.",
    )
    window = models.PositiveSmallIntegerField(
        default=3, help_text="How many words either side count as near."
    )
    exceptions = models.TextField(
        blank=True,
        help_text="Phrases in which the term is not flagged (separated by ';'), "
        "e.g. 'alcoholic beverage'.",
    )
    sources = models.CharField(max_length=300, blank=True)
    confidence = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["term_list", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["term_list", "key"], name="term_key_once_per_list")
        ]

    def __str__(self) -> str:
        return self.label


class FindingDecision(models.TextChoices):
    OPEN = "", "Open"
    ACCEPTED = "accepted", "Suggestion accepted"
    OVERRIDDEN = "overridden", "Kept, with a reason"
    FIXED = "fixed", "No longer in the text"


class LanguageReview(models.Model):
    """One check of one revision of a material's texts with one version of the list."""

    material = models.ForeignKey(
        "campaigns.Material", on_delete=models.CASCADE, related_name="language_reviews"
    )
    revision = models.PositiveIntegerField()
    term_list = models.ForeignKey(TermList, on_delete=models.PROTECT, related_name="reviews")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_by_name = models.CharField(max_length=150, blank=True)
    reviewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["material", "revision", "term_list__version", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["material", "revision", "term_list"],
                name="language_review_once_per_revision_and_list",
            )
        ]

    def __str__(self) -> str:
        return f"{self.material}: revision {self.revision}, list version {self.term_list.version}"


class LanguageFinding(models.Model):
    """A term found in one checked text of one revision of a material."""

    review = models.ForeignKey(LanguageReview, on_delete=models.CASCADE, related_name="findings")
    field = models.CharField(max_length=20, help_text="title, body, alt_text or caption")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    matched = models.CharField(max_length=200)
    sentence = models.TextField(help_text="The sentence around the term, as written.")
    term_key = models.SlugField(max_length=60)
    term_label = models.CharField(max_length=200)
    suggestion = models.CharField(max_length=300)
    alternatives = models.JSONField(default=list, blank=True)
    reason = models.TextField()
    category = models.CharField(max_length=20, choices=TermCategory.choices)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    decision = models.CharField(
        max_length=12, choices=FindingDecision.choices, default=FindingDecision.OPEN, blank=True
    )
    decision_reason = models.TextField(blank=True)
    replacement = models.CharField(
        max_length=300, blank=True, help_text="The wording put in its place, when accepted."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by_name = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The finding of an earlier revision whose decision this one keeps.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["review", "field", "start", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review", "field", "start", "term_key"],
                name="language_finding_once_per_review",
            )
        ]

    def __str__(self) -> str:
        return f"{self.matched} → {self.suggestion}"

    @property
    def blocking(self) -> bool:
        return self.severity == Severity.AVOID and self.decision == FindingDecision.OPEN
