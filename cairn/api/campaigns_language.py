"""API: the person-first term list, checking a text, and a material's language review
(see docs/campaigns-language.md).

- Anyone signed in checks a text and reads the list and its versions.
- Administrators (MANAGE_LANGUAGE_TERMS) save a new version of the list: the whole list,
  with a note; earlier versions stay readable.
- A material's review is read by those who may see its campaign and run and decided by
  the organization that runs it (`cairn.campaigns.access`): 404 for a material the
  caller may not see, 403 for one they may not change.
- Bad input answers 422 with `detail` and the `field` at fault. Checking the same
  revision again returns the same review; deciding a finding the same way again changes
  nothing.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from cairn.api.cases.common import auth_requiring
from cairn.api.errors import ErrorOut
from cairn.campaigns import access
from cairn.campaigns import materials as workflow
from cairn.campaigns.language import review as reviewing
from cairn.campaigns.language import terms as term_lists
from cairn.campaigns.language.checker import check_text
from cairn.campaigns.models.language import LanguageFinding, TermList
from cairn.campaigns.planning import CampaignError

router = Router(tags=["campaigns_language"])

MAX_TEXT = 20000


class FieldErrorOut(Schema):
    detail: str
    field: str


_READ = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
_WRITE = {**_READ, 422: FieldErrorOut}


def _require_terms_admin(user) -> None:
    if not access.may_manage_terms(user):
        raise PermissionDenied("Only administrators change the term list.")


def _require_campaigns_area(user) -> None:
    if not access.may_use_campaigns(user):
        raise PermissionDenied("Language reviews are for communications staff and partners.")


# Checked at authentication, before the body is read: a refusal is 403, not 422.
TERMS_ADMIN = auth_requiring(_require_terms_admin)
CAMPAIGN_STAFF = auth_requiring(_require_campaigns_area)


def _field_error(message: str, field: str):
    return Status(422, {"detail": message, "field": field})


# Checking a text ---------------------------------------------------------------------


class CheckIn(Schema):
    text: str = Field(description=f"the text to check, at most {MAX_TEXT:,} characters")


class FindingOut(Schema):
    start: int = Field(description="offset of the first character in the text")
    end: int
    matched: str
    term: str = Field(description="the term's key in the list")
    label: str
    suggestion: str = Field(description="the first person-first wording")
    alternatives: list[str]
    reason: str
    category: str
    severity: str = Field(description="avoid (blocking in a review) or consider (never)")


class CheckOut(Schema):
    term_list_version: int
    findings: list[FindingOut]


def _finding_out(f) -> dict:
    """A checker Finding or a stored LanguageFinding (whose label is `term_label`)."""
    return {
        "start": f.start,
        "end": f.end,
        "matched": f.matched,
        "term": f.term_key,
        "label": getattr(f, "term_label", None) or getattr(f, "label", ""),
        "suggestion": f.suggestion,
        "alternatives": list(f.alternatives),
        "reason": f.reason,
        "category": f.category,
        "severity": f.severity,
    }


@router.post(
    "/language/check",
    response={200: CheckOut, 401: ErrorOut, 422: FieldErrorOut},
    url_name="language_check",
    summary="Find stigmatizing terms in a text, with suggestions and reasons",
)
def language_check(request, body: CheckIn):
    if not body.text.strip():
        return _field_error("Text: give the text to check.", "text")
    if len(body.text) > MAX_TEXT:
        return _field_error(f"Text: at most {MAX_TEXT:,} characters at a time.", "text")
    term_list = term_lists.current_term_list()
    findings = check_text(body.text, term_lists.rules_of(term_list))
    return {"term_list_version": term_list.version, "findings": [_finding_out(f) for f in findings]}


# The term list -------------------------------------------------------------------------


class TermIO(Schema):
    key: str
    label: str = ""
    variants: str = Field(description="words or phrases to find, separated by ';'")
    inflect: str = Field("noun", description="noun, verb, both or none")
    preferred: str = Field(description="person-first wording, separated by ';'")
    category: str
    reason: str
    severity: str = Field("avoid", description="avoid or consider")
    context_words: str = Field("", description="found only near one of these (';')")
    window: int = Field(3, description="how many words either side are near (1 to 12)")
    exceptions: str = Field("", description="phrases in which it is never found (';')")
    sources: str = ""
    confidence: str = ""


class TermListOut(Schema):
    version: int
    note: str
    created_by: str
    created_at: dt.datetime
    current: bool
    terms: list[TermIO]


class VersionOut(Schema):
    version: int
    note: str
    created_by: str
    created_at: dt.datetime
    terms: int


class TermListIn(Schema):
    note: str = Field(description="what changed in this version, and why")
    terms: list[TermIO] = Field(description="the whole list, in order")


class VersionQuery(Schema):
    version: int | None = Field(None, description="a version; the current one by default")


def _term_list_out(term_list, current_pk) -> dict:
    return {
        "version": term_list.version,
        "note": term_list.note,
        "created_by": term_list.created_by_name or "Cairn",
        "created_at": term_list.created_at,
        "current": term_list.pk == current_pk,
        "terms": [
            {name: getattr(t, name) for name in term_lists.COLUMNS} for t in term_list.terms.all()
        ],
    }


@router.get(
    "/language/terms",
    response={**_READ, 200: TermListOut},
    url_name="language_terms",
    summary="The person-first term list (the current version, or the one asked for)",
)
def language_terms(request, query: Query[VersionQuery]):
    current = term_lists.current_term_list()
    if query.version is None:
        return _term_list_out(current, current.pk)
    term_list = TermList.objects.filter(version=query.version).first()
    if term_list is None:
        raise Http404("No such version of the term list.")
    return _term_list_out(term_list, current.pk)


@router.post(
    "/language/terms",
    response={**_WRITE, 201: TermListOut},
    url_name="language_terms_save",
    summary="Save a new version of the term list (administrators)",
    auth=TERMS_ADMIN,
)
def language_terms_save(request, body: TermListIn):
    try:
        saved = term_lists.save_new_version(
            request.auth, [term_lists.TermData(**t.dict()) for t in body.terms], body.note
        )
    except term_lists.TermError as error:
        field = f"terms.{error.key}.{error.field}" if error.key else error.field or "terms"
        return _field_error(str(error), field)
    return Status(201, _term_list_out(saved, saved.pk))


@router.get(
    "/language/versions",
    response={**_READ, 200: list[VersionOut]},
    url_name="language_versions",
    summary="Every version of the term list, newest first",
)
def language_versions(request):
    return [
        {
            "version": v.version,
            "note": v.note,
            "created_by": v.created_by_name or "Cairn",
            "created_at": v.created_at,
            "terms": v.term_count,
        }
        for v in TermList.objects.annotate(term_count=Count("terms")).order_by("-version")
    ]


# A material's review -----------------------------------------------------------------


class ReviewFindingOut(FindingOut):
    id: int
    field: str = Field(description="title, body, alt_text or caption")
    sentence: str
    decision: str = Field(description="'' (open), accepted, overridden or fixed")
    decision_reason: str
    replacement: str
    decided_by: str
    decided_at: dt.datetime | None
    blocking: bool


class ReviewOut(Schema):
    material_id: int
    status: str
    revision: int
    checked: bool = Field(description="whether the current revision has been checked")
    term_list_version: int | None
    reviewed_at: dt.datetime | None
    open: int = Field(description="blocking findings without a decision")
    findings: list[ReviewFindingOut]


def _review_out(material) -> dict:
    review = reviewing.latest_review(material)
    findings = list(review.findings.all()) if review else []
    return {
        "material_id": material.pk,
        "status": material.status,
        "revision": material.revision,
        "checked": review is not None,
        "term_list_version": review.term_list.version if review else None,
        "reviewed_at": review.reviewed_at if review else None,
        "open": sum(1 for f in findings if f.blocking),
        "findings": [
            {
                **_finding_out(f),
                "id": f.pk,
                "field": f.field,
                "sentence": f.sentence,
                "decision": f.decision,
                "decision_reason": f.decision_reason,
                "replacement": f.replacement,
                "decided_by": f.decided_by_name,
                "decided_at": f.decided_at,
                "blocking": f.blocking,
            }
            for f in findings
        ],
    }


def _material(request, material_id: int, *, manage: bool = False):
    if not 0 < material_id < 2**31:
        raise Http404("No such material.")
    return workflow.get_material_for(request.auth, material_id, manage=manage)


@router.get(
    "/campaigns/materials/{material_id}/language",
    response={**_READ, 200: ReviewOut},
    url_name="campaign_material_language",
    auth=CAMPAIGN_STAFF,
    summary="A material's language review: the findings on its current revision",
)
def material_language(request, material_id: int):
    return _review_out(_material(request, material_id))


@router.post(
    "/campaigns/materials/{material_id}/language/check",
    response={**_WRITE, 200: ReviewOut},
    url_name="campaign_material_language_check",
    auth=CAMPAIGN_STAFF,
    summary="Check a material's current text and record the findings",
)
def material_language_check(request, material_id: int):
    material = _material(request, material_id, manage=True)
    if material.status not in ("draft", "in_review"):
        return _field_error(
            "Status: only a draft or a material in review is checked again.", "status"
        )
    reviewing.review_material(material, request.auth)
    return _review_out(material)


class DecisionIn(Schema):
    decision: str = Field(description="accepted (the text takes the suggestion) or overridden")
    reason: str = Field("", description="why the wording stays; required to override")
    replacement: str = Field(
        "", description="the suggestion (default) or one of the alternatives, when accepting"
    )


@router.post(
    "/campaigns/language/findings/{finding_id}/decision",
    response={**_WRITE, 200: ReviewOut},
    url_name="campaign_language_decision",
    auth=CAMPAIGN_STAFF,
    summary="Accept a finding's suggestion or keep the wording with a reason",
)
def finding_decision(request, finding_id: int, body: DecisionIn):
    if not 0 < finding_id < 2**31:
        raise Http404("No such finding.")
    finding = LanguageFinding.objects.select_related("review").filter(pk=finding_id).first()
    if finding is None:
        raise Http404("No such finding.")
    material = _material(request, finding.review.material_id, manage=True)
    try:
        reviewing.decide(finding, request.auth, body.decision, body.reason, body.replacement)
    except reviewing.ReviewError as error:
        return _field_error(str(error), error.field)
    except CampaignError as error:
        return _field_error(str(error), error.field)
    material.refresh_from_db()
    return _review_out(material)
