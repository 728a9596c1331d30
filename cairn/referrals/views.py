"""Referral pages: send one, the Sent and Received lists, and one referral's page.

Each view asks `cairn.referrals.access` first: senders (send_referrals) and receivers
(receive_referrals) only, 403 for anyone else; a referral outside the user's answers is
404. Writes go through `cairn.referrals.actions`. Under htmx a form answers with its
partial (400 with the field's error when the input is wrong); without htmx a success
redirects and an error renders the page with 400, keeping what was typed.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cairn.cases.forms import new_idempotency_key
from cairn.cases.models.groups import CareGroup
from cairn.referrals import access, actions, queries, services, sharing
from cairn.referrals.actions import ReferralError
from cairn.referrals.models import ConsentHow, SharedDetail
from cairn.referrals.sending import TYPED_DETAILS, SendInput, encounter_for, plan_referral_for


def referrals_view(check):
    """Sign in first; then `check(user)` (which raises PermissionDenied: 403). Pages
    with people's details are never cached."""

    def decorate(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            check(request.user)
            response = view(request, *args, **kwargs)
            patch_vary_headers(response, ["HX-Request"])
            return response

        return login_required(never_cache(guarded))

    return decorate


@referrals_view(access.require_referrals_user)
@require_GET
def index(request):
    if access.may_receive(request.user) and not access.may_send(request.user):
        return redirect("referrals:received")
    return redirect("referrals:sent")


# Lists ---------------------------------------------------------------------------------


def _list(request, side: str):
    status = request.GET.get("status") or "open"
    try:
        page = int(request.GET.get("page") or 1)
    except ValueError:
        page = 1
    try:
        rows = queries.referral_list(request.user, side=side, status=status, page=page)
    except queries.ListError as error:
        return render(request, "referrals/problem.html", {"message": str(error)}, status=400)
    more = len(rows) > queries.LIST_LIMIT
    rows = rows[: queries.LIST_LIMIT]
    access.record_referral_list_read(request.user, [r.referral for r in rows], side=side)
    context = {
        "side": side,
        "rows": rows,
        "status": status,
        "page": page,
        "next_page": page + 1 if more else None,
        "filters": [(key, label) for key, (label, _s) in queries.FILTERS.items()],
        "counts": queries.counts_for(request.user, side=side),
        "may_send": access.may_send(request.user),
        "may_receive": access.may_receive(request.user),
    }
    return render(request, "referrals/list.html", context)


@referrals_view(access.require_sender)
@require_GET
def sent(request):
    return _list(request, access.SENDER)


@referrals_view(access.require_receiver)
@require_GET
def received(request):
    return _list(request, access.RECEIVER)


# Sending -------------------------------------------------------------------------------


def _posted_input(post) -> SendInput:
    given = post.get("consent_given", "")
    return SendInput(
        service_id=post.get("service", ""),
        reason=post.get("reason", ""),
        consent_given={"yes": True, "no": False}.get(given),
        consent_how=post.get("consent_how", ""),
        consent_recorded_by=post.get("consent_recorded_by", ""),
        consent_note=post.get("consent_note", ""),
        consent_allows=post.getlist("consent_allows"),
        details={key: post.get(f"detail_{key}", "") for key in TYPED_DETAILS},
        plan_referral_id=post.get("plan_referral", ""),
        encounter_id=post.get("encounter", ""),
        from_organization_id=post.get("from_organization", ""),
        person_label=post.get("person_label", ""),
        idempotency_key=post.get("idempotency_key", ""),
    )


def _send_context(request, values: dict, *, strict: bool = True) -> dict:
    """What the send page shows, from the address (GET) or the submitted form (POST).
    An unknown care plan referral or encounter is 404 when `strict`; when a refused
    form is shown again it is left out (its error is on the page)."""
    user = request.user
    service = services.get_service(values.get("service"))
    plan_referral = client = encounter = None
    try:
        if values.get("plan_referral"):
            plan_referral, client = plan_referral_for(user, values.get("plan_referral"))
        elif values.get("encounter"):
            encounter = encounter_for(user, values.get("encounter"))
    except (ReferralError, Http404):
        if strict:
            raise Http404("No care plan referral or encounter with this number for you.") from None
    query = values.get("q") or ""
    if not query and plan_referral is not None and service is None:
        query = plan_referral.to_whom
    return {
        "service": service,
        "receiver": actions.receiving_organization_of(service) if service else None,
        "service_contacts": services.contact_lines(service) if service else [],
        "query": query,
        "hits": services.find_services(query) if query and service is None else [],
        "plan_referral": plan_referral,
        "client": client,
        "encounter": encounter,
        "organizations": access.sending_organizations(user),
        "details": [(d.value, d.label) for d in SharedDetail],
        "typed_details": [(d.value, d.label) for d in TYPED_DETAILS],
        "consent_hows": ConsentHow.choices,
        "groups": [g for g in CareGroup.choices if g[0] != CareGroup.NOT_ASSESSED],
        "values": values,
        "allowed": values.getlist("consent_allows") if hasattr(values, "getlist") else [],
        "key": values.get("idempotency_key") or new_idempotency_key(),
    }


@referrals_view(access.require_sender)
@require_http_methods(["GET", "POST"])
def send(request):
    if request.method == "GET":
        context = _send_context(request, request.GET)
        if context["plan_referral"] is not None:
            access.case_sending_organization(request.user, context["client"])
        return render(request, "referrals/send.html", context)
    from cairn.referrals.sending import send_from_input

    try:
        referral, _created = send_from_input(request.user, _posted_input(request.POST))
    except ReferralError as error:
        context = _send_context(request, request.POST, strict=False)
        context["errors"] = {error.field: str(error)}
        return render(request, "referrals/send.html", context, status=400)
    return redirect("referrals:detail", referral_id=referral.pk)


@referrals_view(access.require_sender)
@require_GET
def service_search(request):
    """The service picker's results (htmx partial; a full page without htmx)."""
    query = request.GET.get("q", "")
    context = {
        "hits": services.find_services(query),
        "query": query,
        "keep": {k: request.GET.get(k, "") for k in ("plan_referral", "encounter")},
    }
    if request.htmx:
        return render(request, "referrals/_service_hits.htmx.html", context)
    return redirect(f"{_send_url()}?{request.GET.urlencode()}")


def _send_url() -> str:
    from django.urls import reverse

    return reverse("referrals:send")


# One referral --------------------------------------------------------------------------


def _detail_context(request, referral, sides, *, errors=None, failed="") -> dict:
    sender = access.SENDER in sides
    return {
        "referral": referral,
        "sides": sides,
        "is_sender": sender,
        "is_receiver": access.RECEIVER in sides,
        "shared": sharing.shown(referral.shared_details),
        "allowed_labels": [SharedDetail(k).label for k in referral.consent_allows],
        "timeline": queries.timeline(referral),
        "steps": actions.steps_for(referral, sides),
        "overdue": queries.Row(referral, referral.overdue_kind()).overdue_text,
        "errors": errors or {},
        "failed": failed,
    }


def _render_detail(request, referral, sides, *, errors=None, failed="", status=200):
    context = _detail_context(request, referral, sides, errors=errors, failed=failed)
    template = "referrals/_detail.htmx.html" if request.htmx else "referrals/detail.html"
    return render(request, template, context, status=status)


@referrals_view(access.require_referrals_user)
@require_GET
def detail(request, referral_id):
    referral, sides = access.get_referral_for_user(request.user, referral_id)
    referral = actions.record_received(actor=request.user, referral=referral, sides=sides)
    return _render_detail(request, referral, sides)


def _write(request, referral_id, write, failed: str):
    referral, sides = access.get_referral_for_user(request.user, referral_id)
    try:
        referral = write(referral, sides)
    except ReferralError as error:
        return _render_detail(
            request, referral, sides, errors={error.field: str(error)}, failed=failed, status=400
        )
    if request.htmx:
        return _render_detail(request, referral, sides)
    return redirect("referrals:detail", referral_id=referral.pk)


@referrals_view(access.require_referrals_user)
@require_POST
def step(request, referral_id):
    return _write(
        request,
        referral_id,
        lambda referral, sides: actions.take_step(
            actor=request.user,
            referral=referral,
            sides=sides,
            step=request.POST.get("step", ""),
            note=request.POST.get("note", ""),
        ),
        "step",
    )


@referrals_view(access.require_referrals_user)
@require_POST
def withdraw_consent(request, referral_id):
    return _write(
        request,
        referral_id,
        lambda referral, sides: actions.withdraw_consent(
            actor=request.user, referral=referral, sides=sides, note=request.POST.get("note", "")
        ),
        "consent",
    )
