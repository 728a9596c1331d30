"""Who may open every URL Cairn serves: a permission matrix over each persona and anonymous.

`MATRIX` maps every URL name to the people allowed to open it. The resolver is
walked on every run, and a URL missing from the table fails the suite, so a page
or operation cannot ship without its row. Names in the table that Cairn does not
serve yet are skipped with a warning.

How a refusal looks depends on where the URL lives:
- a page, including the admin: anonymous → redirect to the sign-in page; a signed-in
  persona → 403;
- the JSON API (/api/): anonymous → 401; a signed-in persona → 403 (JSON both).
"""

import warnings

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import URLResolver, get_resolver, reverse

from cairn.web.admin_site import cairn_admin_site
from tests.url_rows import (
    alerts,
    campaigns_evaluation,
    campaigns_language,
    campaigns_plan,
    campaigns_report,
    campaigns_surveys,
    cases,
    cases_supporters,
    cases_treatment,
    counts,
    dashboards,
    directory,
    directory_hsds,
    outreach,
    outreach_encounters,
    ranking,
    referrals,
)
from tests.url_rows.common import (
    ANONYMOUS,
    EVERY_PERSONA,
    PUBLIC,
    Visit,
    community_visits,
)

ADMIN_GROUP = "admin:*"

CORE_ROWS: dict[str, list[Visit] | str] = {
    # Pages (cairn/web/urls.py).
    "home": [Visit(EVERY_PERSONA)],
    # Someone already signed in is sent on to the home page.
    "login": [Visit(frozenset({ANONYMOUS}), others=302)],
    # Signing out changes state, so it is POST only.
    "logout": [Visit(PUBLIC, success=405), Visit(PUBLIC, method="post", success=302)],
    "healthz": [Visit(PUBLIC)],
    "community_list": [Visit(EVERY_PERSONA)],
    "community_detail": community_visits(),
    # JSON API (cairn/api/). The schema and the docs describe the API, not anyone's data.
    "api_index": [Visit(PUBLIC)],
    "api:api-root": [Visit(PUBLIC)],
    "api:openapi-json": [Visit(PUBLIC)],
    "api:openapi-view": [Visit(PUBLIC)],
    "api_endpoint_not_found": [Visit(PUBLIC, kwargs={"path": "no-such-endpoint"}, success=404)],
    "api:me": [Visit(EVERY_PERSONA)],
    "api:community_list": [Visit(EVERY_PERSONA)],
    "api:community_detail": community_visits(),
    # Intake over the API (cairn/api/intake.py), POST only, for SUBMIT_REPORTS (and for
    # FHIR also MANAGE_INTAKE). The matrix posts an empty form: FHIR refuses its content
    # type (415), the report API its empty body (400).
    "api:fhir_bundle": [
        Visit(PUBLIC, success=405),
        Visit(frozenset({"first_responder", "epidemiologist"}), method="post", success=415),
    ],
    "api:overdose_report": [
        Visit(PUBLIC, success=405),
        Visit(frozenset({"first_responder"}), method="post", success=400),
    ],
    # First-responder quick entry (cairn/surveillance/urls_intake.py): SUBMIT_REPORTS.
    # An empty form is refused (400) with its field errors.
    "intake:overdose_report": [
        Visit(frozenset({"first_responder"})),
        Visit(frozenset({"first_responder"}), method="post", success=400),
    ],
    "intake:overdose_sent": [
        Visit(frozenset({"first_responder"}), kwargs={"report_id": "no-such-report"})
    ],
    # CSV upload and the quarantine (cairn/surveillance/urls_quarantine.py): MANAGE_INTAKE
    # only; raw quarantined input can identify people. Unknown ids give 404 to the allowed.
    "quarantine:csv_import": [Visit(frozenset({"epidemiologist"}))],
    "quarantine:list": [Visit(frozenset({"epidemiologist"}))],
    "quarantine:detail": [
        Visit(frozenset({"epidemiologist"}), kwargs={"pk": "999999"}, success=404)
    ],
    "quarantine:reprocess": [
        Visit(frozenset({"epidemiologist"}), kwargs={"pk": "999999"}, method="post", success=404)
    ],
    "quarantine:discard": [
        Visit(frozenset({"epidemiologist"}), kwargs={"pk": "999999"}, method="post", success=404)
    ],
    # Case definitions (cairn/surveillance/urls_definitions.py): published rules any
    # member may read; editing needs MANAGE_CASE_DEFINITIONS. Unknown ids give 404
    # to those allowed (pages with real objects: cairn/surveillance/tests/).
    "definitions:definition_list": [Visit(EVERY_PERSONA)],
    "definitions:definition_detail": [
        Visit(EVERY_PERSONA, kwargs={"slug": "no-such-definition"}, success=404)
    ],
    "definitions:definition_edit": [
        Visit(
            frozenset({"epidemiologist", "regional_epidemiologist"}),
            kwargs={"slug": "no-such-definition"},
            success=404,
        ),
        Visit(
            frozenset({"epidemiologist", "regional_epidemiologist"}),
            kwargs={"slug": "no-such-definition"},
            method="post",
            success=404,
        ),
    ],
    "definitions:reclassification_progress": [
        Visit(EVERY_PERSONA, kwargs={"job_id": "999999999"}, success=404)
    ],
    # An event's page is line-list data: tier checked first, then its community.
    "definitions:event_detail": [
        Visit(
            frozenset({"er_nurse", "epidemiologist", "regional_epidemiologist"}),
            kwargs={"event_id": "999999999"},
            success=404,
        )
    ],
    # Django admin: every URL in the namespace; the index and each changelist are
    # checked in test_admin_only_for_the_administrator below.
    "admin:*": ADMIN_GROUP,
}

MATRIX: dict[str, list[Visit] | str] = {
    **CORE_ROWS,
    **alerts.ROWS,
    **campaigns_plan.ROWS,
    **campaigns_language.ROWS,
    **campaigns_surveys.ROWS,
    **campaigns_evaluation.ROWS,
    **campaigns_report.ROWS,
    **cases.ROWS,
    **cases_supporters.ROWS,
    **cases_treatment.ROWS,
    **counts.ROWS,
    **dashboards.ROWS,
    **directory.ROWS,
    **directory_hsds.ROWS,
    **outreach.ROWS,
    **outreach_encounters.ROWS,
    **ranking.ROWS,
    **referrals.ROWS,
}


def _walk(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, inner)
        else:
            yield namespace, pattern.name, str(pattern.pattern)


def served_urls() -> list[tuple[str, str | None, str]]:
    """(namespace prefix, name, route) for every URL pattern Cairn serves."""
    return list(_walk(get_resolver().url_patterns))


def served_names() -> set[str]:
    return {f"{namespace}{name}" for namespace, name, _ in served_urls() if name}


def _covered(namespace: str, name: str | None) -> bool:
    if f"{namespace}*" in MATRIX:
        return True
    return name is not None and f"{namespace}{name}" in MATRIX


def test_every_url_is_in_the_matrix():
    missing = sorted(
        f"{namespace}{name}" if name else f"unnamed pattern {route!r} in {namespace or 'root'}"
        for namespace, name, route in served_urls()
        if not _covered(namespace, name)
    )
    assert not missing, (
        "These URLs have no row in tests/test_url_permissions.py MATRIX; "
        "add who may open them (name unnamed patterns first): " + ", ".join(missing)
    )


def test_matrix_rows_not_yet_served_are_reported():
    waiting = sorted(name for name in MATRIX if name != ADMIN_GROUP and name not in served_names())
    if waiting:
        warnings.warn(
            "URL permission matrix rows with no URL yet (skipped): " + ", ".join(waiting),
            stacklevel=1,
        )


def _matrix_cases():
    served = served_names()
    for name, visits in MATRIX.items():
        if visits == ADMIN_GROUP:
            continue
        for visit in visits:
            marks = []
            if name not in served:
                marks = [pytest.mark.skip(reason=f"no URL named {name!r} yet")]
            yield pytest.param(name, visit, id=f"{name}-{visit.label()}", marks=marks)


def mismatch(response, *, who: str, visit: Visit, url: str) -> str | None:
    """What is wrong with the response for `who`, or None when it is as the matrix says."""
    if who in visit.allowed:
        expected = visit.success
    elif visit.others is not None:
        expected = visit.others
    elif url.startswith("/api/"):
        expected = 401 if who == ANONYMOUS else 403
        if not response["Content-Type"].startswith("application/json"):
            return f"{who}: got {response.status_code} without JSON, expected {expected} in JSON"
    elif who == ANONYMOUS:
        login = resolve_url(settings.LOGIN_URL)
        if response.status_code != 302 or not response.url.startswith(login):
            return f"{who}: got {response.status_code}, expected a redirect to {login}"
        return None
    else:
        expected = 403
    if response.status_code != expected:
        return f"{who}: got {response.status_code}, expected {expected}"
    return None


def assert_matrix(client, personas, *, url: str, visit: Visit) -> None:
    """Request the URL as anonymous and as each persona; report every mismatch at once."""
    problems = []
    for who in sorted(PUBLIC):
        client.logout()
        if who != ANONYMOUS:
            client.force_login(personas[who])
        response = getattr(client, visit.method)(url)
        problem = mismatch(response, who=who, visit=visit, url=url)
        if problem:
            problems.append(problem)
    assert not problems, f"{visit.method.upper()} {url}: " + "; ".join(problems)


@pytest.mark.parametrize(("name", "visit"), list(_matrix_cases()))
def test_url_permission(client, personas, name, visit):
    assert_matrix(client, personas, url=reverse(name, kwargs=visit.kwargs), visit=visit)


def _admin_pages():
    pages = [pytest.param("admin:index", id="admin:index")]
    for model in cairn_admin_site._registry:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        pages.append(pytest.param(name, id=name))
    return pages


ADMINISTRATOR_ONLY = Visit(frozenset({"administrator"}))


@pytest.mark.parametrize("name", _admin_pages())
def test_admin_only_for_the_administrator(client, personas, name):
    assert_matrix(client, personas, url=reverse(name), visit=ADMINISTRATOR_ONLY)
