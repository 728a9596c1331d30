"""The language review of a material: its checked texts (`Material.checked_texts()`)
through the checker with the current term list, each finding decided by the campaign's
communications staff.

- `review_material(material, user)` checks the current revision with the current list
  and stores the findings. Checking the same revision with the same list again returns
  the same review (a double click, a retry). On a new revision, a finding with the same
  term in the same sentence keeps the decision made before ("overridden: quoted from a
  lived-experience story"), and an earlier open finding that is no longer in the text is
  marked fixed.
- `open_findings(material)`: blocking findings ("avoid") without a decision in the newest
  review of the current revision; approval waits until there are none
  (`cairn.campaigns.materials.approve`).
- `decide(finding, user, decision, reason, replacement)`: "accepted" puts the suggestion
  (or one of the alternatives) in the text through
  `cairn.campaigns.materials.update_material_texts` (a new revision, checked again);
  "overridden" keeps the wording, and needs a reason.
- `review_panel_context(material, user)`: what the material page's panel shows.
- `review_outcome(material)`: counts for the campaign report.

Only the organization that runs the campaign reviews its materials
(`cairn.campaigns.access.may_manage`). Refusals raise ReviewError naming the field.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from cairn.access.audit import actor_name, record_audit_event
from cairn.access.models import Organization
from cairn.campaigns import access
from cairn.campaigns.language.checker import check_text, sentence_around
from cairn.campaigns.language.terms import current_term_list, rules_of
from cairn.campaigns.models.language import (
    FindingDecision,
    LanguageFinding,
    LanguageReview,
    Severity,
)

FIELD_LABELS = {"title": "Title", "body": "Text", "alt_text": "Alt text", "caption": "Caption"}
FIELD_ORDER = tuple(FIELD_LABELS)
DECISIONS = (FindingDecision.ACCEPTED, FindingDecision.OVERRIDDEN)


class ReviewError(ValueError):
    """A decision that cannot be recorded; `field` names the input at fault."""

    def __init__(self, message: str, field: str = "__all__"):
        super().__init__(message)
        self.field = field


def proper_names_for(material) -> list[str]:
    """Names never flagged in this material: organizations' names and the campaign's
    partners (a sports team, a newsletter)."""
    names = list(Organization.objects.values_list("name", flat=True))
    names.extend(line.strip() for line in material.campaign.partners.splitlines())
    return [n for n in names if n]


def _same_place(finding) -> tuple:
    return (finding.field, finding.term_key, finding.matched.lower(), finding.sentence)


def latest_review(material) -> LanguageReview | None:
    """The newest review of the material's current revision (newest list version)."""
    return (
        LanguageReview.objects.filter(material=material, revision=material.revision)
        .select_related("term_list")
        .order_by("-term_list__version", "-pk")
        .first()
    )


def _audit(user, material, action: str, summary: str, **details) -> None:
    record_audit_event(
        actor=user,
        action=f"campaigns.language.{action}",
        target_type="campaigns.material",
        target_id=str(material.pk),
        summary=summary,
        details={"campaign": material.campaign_id, **details},
    )


def _require_manage(user, material) -> None:
    if not access.may_manage(user, material.campaign):
        raise PermissionDenied("Only the organization that runs this campaign reviews its texts.")


@transaction.atomic
def review_material(material, user) -> list[LanguageFinding]:
    """Check the material's current revision with the current term list; the findings."""
    _require_manage(user, material)
    term_list = current_term_list()
    existing = LanguageReview.objects.filter(
        material=material, revision=material.revision, term_list=term_list
    ).first()
    if existing:
        return list(existing.findings.all())
    try:
        with transaction.atomic():
            review = LanguageReview.objects.create(
                material=material,
                revision=material.revision,
                term_list=term_list,
                reviewed_by=user if getattr(user, "is_authenticated", False) else None,
                reviewed_by_name=actor_name(user),
            )
    except IntegrityError:  # the same review, made a moment ago by another request
        review = LanguageReview.objects.get(
            material=material, revision=material.revision, term_list=term_list
        )
        return list(review.findings.all())
    rules = rules_of(term_list)
    names = proper_names_for(material)
    earlier = list(
        LanguageFinding.objects.filter(review__material=material)
        .exclude(review=review)
        .select_related("review")
        .order_by("review__revision", "review__term_list__version", "pk")
    )
    decided = {}
    for old in earlier:
        if old.decision == FindingDecision.OVERRIDDEN:
            decided[_same_place(old)] = old
    findings = []
    for name, text in material.checked_texts().items():
        for found in check_text(text, rules, proper_names=names):
            finding = LanguageFinding(
                review=review,
                field=name,
                start=found.start,
                end=found.end,
                matched=found.matched[:200],
                sentence=sentence_around(text, found.start, found.end),
                term_key=found.term_key,
                term_label=found.label[:200],
                suggestion=found.suggestion[:300],
                alternatives=list(found.alternatives),
                reason=found.reason,
                category=found.category,
                severity=found.severity,
            )
            kept = decided.get(_same_place(finding))
            if kept:
                finding.decision = kept.decision
                finding.decision_reason = kept.decision_reason
                finding.decided_by_id = kept.decided_by_id
                finding.decided_by_name = kept.decided_by_name
                finding.decided_at = kept.decided_at
                finding.carried_from = kept
            findings.append(finding)
    LanguageFinding.objects.bulk_create(findings)
    still_there = {_same_place(f) for f in findings}
    now = timezone.now()
    gone = [
        old.pk
        for old in earlier
        if old.decision == FindingDecision.OPEN
        and old.review.revision < material.revision
        and _same_place(old) not in still_there
    ]
    if gone:
        LanguageFinding.objects.filter(pk__in=gone).update(
            decision=FindingDecision.FIXED,
            decision_reason=f"No longer in the text of revision {material.revision}.",
            decided_by=user if getattr(user, "is_authenticated", False) else None,
            decided_by_name=actor_name(user),
            decided_at=now,
        )
    _audit(
        user,
        material,
        "review",
        f"Language review of {material.title} (revision {material.revision}): "
        f"{len(findings)} finding{'s' if len(findings) != 1 else ''}",
        revision=material.revision,
        term_list=term_list.version,
        findings=len(findings),
        fixed=len(gone),
    )
    return list(review.findings.all())


def open_findings(material) -> QuerySet[LanguageFinding]:
    """Blocking findings without a decision in the newest review of the current revision."""
    review = latest_review(material)
    if review is None:
        return LanguageFinding.objects.none()
    return review.findings.filter(severity=Severity.AVOID, decision=FindingDecision.OPEN)


_HINTS = re.compile(r"\s*\[[^\]]*\]|\s*\((?:if|e\.g\.|prescription|in )[^)]*\)", re.I)


def replacement_text(option: str, matched: str) -> str:
    """A preferred term as it goes into the text: without its hints ("(if diagnosed)",
    "[Canada]"), plural where the words found were ("addicts" → "people who use drugs"),
    capitalized where they were."""
    text = _HINTS.sub("", option).strip()
    last = matched.split()[-1].lower() if matched.split() else ""
    if re.search(r"[^s']s$|s'$", last):
        text = _plural_wording(text)
    if matched[:1].isupper():
        text = text[:1].upper() + text[1:]
    return text


_PLURAL_HEADS = {"person": "people", "baby": "babies", "newborn": "newborns"}
_PLURAL_VERBS = {"is": "are", "has": "have", "was": "were"}


def _plural_wording(text: str) -> str:
    """'person who uses drugs' → 'people who use drugs' (for 'addicts', 'users')."""
    head, _, rest = text.partition(" ")
    if head.lower() not in _PLURAL_HEADS:
        return text
    words = rest.split(" ") if rest else []
    if len(words) >= 2 and words[0] == "who":
        verb = words[1]
        if verb in _PLURAL_VERBS:
            words[1] = _PLURAL_VERBS[verb]
        elif verb.endswith("s"):
            words[1] = verb[:-1]  # uses → use, engages → engage
    return " ".join([_PLURAL_HEADS[head.lower()], *words])


def _options(finding) -> list[str]:
    return [finding.suggestion, *finding.alternatives]


@transaction.atomic
def decide(finding: LanguageFinding, user, decision: str, reason: str = "", replacement=""):
    """Accept the suggestion (the text changes) or override it (with a reason)."""
    finding = (
        LanguageFinding.objects.select_for_update()
        .select_related("review__material__campaign", "review__term_list")
        .get(pk=finding.pk)
    )
    material = finding.review.material
    _require_manage(user, material)
    decision = str(decision or "").strip()
    reason = str(reason or "").strip()
    if decision not in DECISIONS:
        raise ReviewError("Decision: choose 'accepted' or 'overridden'.", "decision")
    if finding.decision == decision:
        return finding  # a double click or a retry
    current = latest_review(material)
    if current is None or finding.review_id != current.pk:
        raise ReviewError(
            "This finding belongs to an earlier check of the text; check the current text.",
            "finding",
        )
    if material.status not in ("draft", "in_review"):
        raise ReviewError(
            f"The material is {material.get_status_display().lower()}; "
            "send it back to draft to change its wording.",
            "decision",
        )
    if finding.decision == FindingDecision.ACCEPTED:
        raise ReviewError("The suggestion was already put in the text.", "decision")
    if decision == FindingDecision.OVERRIDDEN:
        if not reason:
            raise ReviewError(
                "Reason: say why this wording stays (e.g. quoted from a person's own story).",
                "reason",
            )
        if len(reason) > 2000:
            raise ReviewError("Reason: at most 2,000 characters.", "reason")
        finding.decision = FindingDecision.OVERRIDDEN
        finding.decision_reason = reason
        finding.replacement = ""
    else:
        chosen = str(replacement or "").strip() or finding.suggestion
        if chosen not in _options(finding):
            raise ReviewError(
                "Replacement: choose the suggestion or one of its alternatives.", "replacement"
            )
        text = material.checked_texts().get(finding.field, "")
        if text[finding.start : finding.end] != finding.matched:
            raise ReviewError(
                "The text changed since it was checked; check the current text.", "finding"
            )
        new_words = replacement_text(chosen, finding.matched)
        new_text = text[: finding.start] + new_words + text[finding.end :]
        finding.decision = FindingDecision.ACCEPTED
        finding.decision_reason = reason
        finding.replacement = new_words
    finding.decided_by = user
    finding.decided_by_name = actor_name(user)
    finding.decided_at = timezone.now()
    finding.save(
        update_fields=[
            "decision",
            "decision_reason",
            "replacement",
            "decided_by",
            "decided_by_name",
            "decided_at",
        ]
    )
    _audit(
        user,
        material,
        "decision",
        f"'{finding.matched}' in {FIELD_LABELS.get(finding.field, finding.field)} of "
        f"{material.title}: {finding.get_decision_display().lower()}",
        finding=finding.pk,
        decision=finding.decision,
        reason=finding.decision_reason[:500],
        replacement=finding.replacement,
    )
    if finding.decision == FindingDecision.ACCEPTED:
        from cairn.campaigns.materials import update_material_texts

        updated = update_material_texts(material, user, {finding.field: new_text})
        review_material(updated, user)  # the new revision, checked (no-op if it was)
    return finding


# What the pages and the report show --------------------------------------------------


@dataclass
class FieldReview:
    name: str
    label: str
    segments: list = field(default_factory=list)  # (text, finding or None)
    findings: list = field(default_factory=list)


def _segments(text: str, findings) -> list:
    parts, at = [], 0
    for f in sorted(findings, key=lambda f: f.start):
        if f.start < at:
            continue
        parts.append((text[at : f.start], None))
        parts.append((text[f.start : f.end], f))
        at = f.end
    parts.append((text[at:], None))
    return [(t, f) for t, f in parts if t]


def review_panel_context(material, user) -> dict:
    """The material page's panel: the texts with each finding marked, the suggestions
    and reasons, who may decide, and what earlier checks found."""
    texts = material.checked_texts()
    review = latest_review(material)
    may_manage = access.may_manage(user, material.campaign)
    if review is not None:
        findings = list(review.findings.all())
        term_list = review.term_list
        preview = False
    else:
        # Not checked yet: what the checker says now, stored only when the material goes
        # to review (or someone asks for a check).
        term_list = current_term_list()
        rules = rules_of(term_list)
        names = proper_names_for(material)
        findings = []
        for name, text in texts.items():
            for found in check_text(text, rules, proper_names=names):
                findings.append(
                    LanguageFinding(
                        field=name,
                        start=found.start,
                        end=found.end,
                        matched=found.matched,
                        sentence=sentence_around(text, found.start, found.end),
                        term_key=found.term_key,
                        term_label=found.label,
                        suggestion=found.suggestion,
                        alternatives=list(found.alternatives),
                        reason=found.reason,
                        category=found.category,
                        severity=found.severity,
                    )
                )
        preview = True
    fields = []
    for name in FIELD_ORDER:
        if name not in texts:
            continue
        mine = [f for f in findings if f.field == name]
        fields.append(FieldReview(name, FIELD_LABELS[name], _segments(texts[name], mine), mine))
    for f in findings:
        f.option_pairs = [(o, replacement_text(o, f.matched)) for o in _options(f)]
        f.replacements = [r for _, r in f.option_pairs]
    open_count = sum(1 for f in findings if f.blocking)
    return {
        "material": material,
        "review": review,
        "preview": preview,
        "term_list": term_list,
        "fields": fields,
        "findings": findings,
        "open_count": open_count,
        "consider_count": sum(1 for f in findings if f.severity == Severity.CONSIDER),
        "may_decide": may_manage and not preview and material.status in ("draft", "in_review"),
        "may_check": may_manage and material.status in ("draft", "in_review"),
        "outcome": review_outcome(material),
    }


def review_outcome(material) -> dict:
    """What the language review did for this material, across its revisions: findings
    fixed (suggestion accepted or the wording changed by hand), overridden (kept with a
    reason), still open, and suggestions only ("consider")."""
    rows = LanguageFinding.objects.filter(review__material=material)
    latest = latest_review(material)
    current = list(latest.findings.all()) if latest else []
    overridden = [f for f in current if f.decision == FindingDecision.OVERRIDDEN]
    return {
        "checked": latest is not None,
        "revision": material.revision,
        "term_list_version": latest.term_list.version if latest else None,
        "accepted": rows.filter(decision=FindingDecision.ACCEPTED).count(),
        "fixed": rows.filter(decision=FindingDecision.FIXED, severity=Severity.AVOID).count(),
        "overridden": [
            {"matched": f.matched, "suggestion": f.suggestion, "reason": f.decision_reason}
            for f in overridden
        ],
        "open": sum(1 for f in current if f.blocking),
        "consider": sum(
            1
            for f in current
            if f.severity == Severity.CONSIDER and f.decision == FindingDecision.OPEN
        ),
    }
