"""Language pages: check any text, the person-first term list and its versions, the
administrators' edits (each save a new version), and the review panel's actions on a
material (check again, accept or override a finding).

Who: anyone signed in checks a text and reads the list; administrators
(`access.may_manage_terms`) change it; the organization that runs a campaign reviews
its materials (`materials.get_material_for(..., manage=True)`). Writes go through
`cairn.campaigns.language.terms` and `cairn.campaigns.language.review`.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cairn.campaigns import access
from cairn.campaigns import materials as workflow
from cairn.campaigns.language import review as reviewing
from cairn.campaigns.language import terms as term_lists
from cairn.campaigns.language.checker import check_text
from cairn.campaigns.language.review import replacement_text
from cairn.campaigns.models.language import (
    FindingDecision,
    Inflection,
    LanguageFinding,
    Severity,
    TermCategory,
    TermList,
)
from cairn.campaigns.planning import CampaignError

MAX_TEXT = 20000
MAX_ID = 2**31 - 1


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _varies(response):
    patch_vary_headers(response, ["HX-Request"])
    return response


def _require_campaigns_area(user) -> None:
    if not access.may_use_campaigns(user):
        raise PermissionDenied("Language reviews are for communications staff and partners.")


def _require_terms_admin(user) -> None:
    if not access.may_manage_terms(user):
        raise PermissionDenied("Only administrators change the term list.")


# Check any text ----------------------------------------------------------------------


def _segments(text, findings):
    parts, at = [], 0
    for f in findings:
        parts.append((text[at : f.start], None))
        parts.append((text[f.start : f.end], f))
        at = f.end
    parts.append((text[at:], None))
    return [(t, f) for t, f in parts if t]


@login_required
@require_http_methods(["GET", "POST"])
def language_check(request):
    term_list = term_lists.current_term_list()
    context = {"term_list": term_list, "text": "", "checked": False, "error": ""}
    status = 200
    if request.method == "POST":
        text = request.POST.get("text", "")
        context["text"] = text
        if not text.strip():
            context["error"] = "Text: paste or type the text to check."
            status = 400
        elif len(text) > MAX_TEXT:
            context["error"] = f"Text: at most {MAX_TEXT:,} characters at a time."
            status = 400
        else:
            findings = check_text(text, term_lists.rules_of(term_list))
            context.update(
                checked=True,
                rows=[
                    (f, [replacement_text(o, f.matched) for o in (f.suggestion, *f.alternatives)])
                    for f in findings
                ],
                segments=_segments(text, findings),
                avoid_count=sum(1 for f in findings if f.severity == Severity.AVOID),
                consider_count=sum(1 for f in findings if f.severity == Severity.CONSIDER),
            )
    template = (
        "campaigns/language/_check_results.html"
        if _is_htmx(request) and request.method == "POST"
        else "campaigns/language/check.html"
    )
    return _varies(render(request, template, context, status=status))


# The term list ----------------------------------------------------------------------


def _term_list_page(request, term_list, *, current):
    versions = TermList.objects.order_by("-version")[:200]
    return render(
        request,
        "campaigns/language/term_list.html",
        {
            "term_list": term_list,
            "terms": list(term_list.terms.all()),
            "is_current": current,
            "versions": versions,
            "may_edit": access.may_manage_terms(request.user),
        },
    )


@login_required
@require_GET
def term_list(request):
    return _term_list_page(request, term_lists.current_term_list(), current=True)


@login_required
@require_GET
def term_version(request, version):
    if not 0 < version <= MAX_ID:
        raise Http404("No such version of the term list.")
    term_list = TermList.objects.filter(version=version).first()
    if term_list is None:
        raise Http404("No such version of the term list.")
    current = term_lists.current_term_list()
    return _term_list_page(request, term_list, current=term_list.pk == current.pk)


def _posted_term(post) -> term_lists.TermData:
    return term_lists.TermData(
        **{name: post.get(name, "") for name in term_lists.COLUMNS if name not in ("window",)},
        window=post.get("window", "3"),
    )


def _term_form(request, *, term=None, values=None, errors=None, status=200):
    return render(
        request,
        "campaigns/language/term_form.html",
        {
            "term": term,
            "values": values,
            "errors": errors or {},
            "categories": TermCategory.choices,
            "severities": Severity.choices,
            "inflections": Inflection.choices,
            "note": request.POST.get("note", "") if request.method == "POST" else "",
            "term_list": term_lists.current_term_list(),
        },
        status=status,
    )


def _save(request, terms, *, on_error):
    try:
        saved = term_lists.save_new_version(request.user, terms, request.POST.get("note", ""))
    except term_lists.TermError as error:
        return on_error({error.field or "__all__": str(error)})
    return redirect(reverse("campaigns:term_version", kwargs={"version": saved.version}) + "#terms")


@login_required
@require_http_methods(["GET", "POST"])
def term_new(request):
    _require_terms_admin(request.user)
    if request.method == "GET":
        return _term_form(request, values=term_lists.TermData("", "", "", "", "person", ""))
    current = term_lists.current_term_list()
    posted = _posted_term(request.POST)
    terms = [term_lists.term_data_of(t) for t in current.terms.all()]
    if posted.key.strip().lower() in {t.key for t in terms}:
        return _term_form(
            request,
            values=posted,
            errors={
                "key": f"Key: '{posted.key}' is already in the list; change that term instead."
            },
            status=400,
        )
    return _save(
        request,
        [*terms, posted],
        on_error=lambda errors: _term_form(request, values=posted, errors=errors, status=400),
    )


def _current_term(key):
    current = term_lists.current_term_list()
    term = current.terms.filter(key=key).first()
    if term is None:
        raise Http404("No such term in the current list.")
    return current, term


@login_required
@require_http_methods(["GET", "POST"])
def term_edit(request, key):
    _require_terms_admin(request.user)
    current, term = _current_term(key)
    if request.method == "GET":
        return _term_form(request, term=term, values=term_lists.term_data_of(term))
    posted = _posted_term(request.POST)
    terms = [
        posted if t.key == term.key else term_lists.term_data_of(t) for t in current.terms.all()
    ]
    return _save(
        request,
        terms,
        on_error=lambda errors: _term_form(
            request, term=term, values=posted, errors=errors, status=400
        ),
    )


@login_required
@require_POST
def term_remove(request, key):
    _require_terms_admin(request.user)
    current, term = _current_term(key)
    terms = [term_lists.term_data_of(t) for t in current.terms.all() if t.key != term.key]
    return _save(
        request,
        terms,
        on_error=lambda errors: _term_form(
            request, term=term, values=term_lists.term_data_of(term), errors=errors, status=400
        ),
    )


# A material's review ------------------------------------------------------------------


def _panel(request, material, *, errors=None, status=200):
    material.refresh_from_db()
    context = {
        "material": material,
        "may_manage": access.may_manage(request.user, material.campaign),
        "review": reviewing.review_panel_context(material, request.user),
        "language_errors": errors or {},
    }
    if _is_htmx(request):
        # htmx swaps only 2xx answers: a refusal comes back as 200 with the message in
        # the panel (role="alert"); without JavaScript it is a 400 page.
        return _varies(render(request, "campaigns/language/_review_panel.html", context))
    if errors:
        return _varies(
            render(request, "campaigns/language/review_problem.html", context, status=status)
        )
    return _varies(
        redirect(
            reverse("campaigns:material_detail", kwargs={"material_id": material.pk})
            + "#language-review"
        )
    )


@login_required
@require_POST
def language_review(request, material_id):
    """Check the material's current text again (stored as its review)."""
    _require_campaigns_area(request.user)
    if not 0 < material_id <= MAX_ID:
        raise Http404("No such material.")
    material = workflow.get_material_for(request.user, material_id, manage=True)
    if material.status not in ("draft", "in_review"):
        return _panel(
            request,
            material,
            errors={"__all__": "Only a draft or a material in review is checked again."},
            status=400,
        )
    reviewing.review_material(material, request.user)
    return _panel(request, material)


@login_required
@require_POST
def language_decide(request, finding_id):
    """Accept a finding's suggestion (the text changes) or keep the wording with a reason."""
    _require_campaigns_area(request.user)
    if not 0 < finding_id <= MAX_ID:
        raise Http404("No such finding.")
    finding = LanguageFinding.objects.select_related("review").filter(pk=finding_id).first()
    if finding is None:
        raise Http404("No such finding.")
    material = workflow.get_material_for(request.user, finding.review.material_id, manage=True)
    decision = request.POST.get("decision", "")
    try:
        reviewing.decide(
            finding,
            request.user,
            decision,
            request.POST.get("reason", ""),
            request.POST.get("replacement", ""),
        )
    except (reviewing.ReviewError, CampaignError) as error:
        return _panel(
            request, material, errors={getattr(error, "field", "__all__"): str(error)}, status=400
        )
    if decision == FindingDecision.ACCEPTED and _is_htmx(request):
        # The text, its revision and the workflow changed: the whole page, not the panel.
        # The revision in the address makes it a new page even when only the #fragment
        # would differ (the browser would only scroll).
        material.refresh_from_db()
        response = HttpResponse(status=204)
        response["HX-Redirect"] = (
            reverse("campaigns:material_detail", kwargs={"material_id": material.pk})
            + f"?revision={material.revision}#language-review"
        )
        return _varies(response)
    return _panel(request, material)
