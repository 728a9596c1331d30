"""The Cairn JSON API, version 1, served under /api/v1/ with its OpenAPI document."""

from django.conf import settings
from ninja import NinjaAPI

from cairn.api import (
    access,
    alerts,
    campaigns,
    campaigns_evaluation,
    campaigns_language,
    campaigns_report,
    campaigns_surveys,
    cases,
    counts,
    directory,
    geography,
    intake,
    outreach,
    ranking,
    referrals,
)
from cairn.api.auth import api_auth
from cairn.api.errors import install_error_handlers

DESCRIPTION = """\
Cairn's JSON API. Every operation answers only with what the signed-in user's
roles and organizations' coverage allow (`cairn.access.permissions`).

Authentication: the Django session of a signed-in user, or a bearer token for a
partner system (`Authorization: Bearer cairn_...`, issued with `cairn
issue-api-token USERNAME --name NAME`; it acts as that user). Without either,
every operation answers 401. Errors are JSON: `{"detail": "..."}`.
"""

api = NinjaAPI(
    title="Cairn API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    openapi_url="/schema",
    # Interactive docs use the Swagger UI files ninja ships, served as our own static
    # files; ninja falls back to a CDN unless it is an installed app, so no app, no docs.
    docs_url="/docs" if "ninja" in settings.INSTALLED_APPS else None,
    auth=api_auth,
)
install_error_handlers(api)
api.add_router("/", access.router)
api.add_router("/", geography.router)
api.add_router("/", intake.router)
api.add_router("/", counts.router)
api.add_router("/", alerts.router)
api.add_router("/", ranking.router)
api.add_router("/", cases.router)
api.add_router("/", directory.router)
api.add_router("/", referrals.router)
api.add_router("/", outreach.router)
api.add_router("/", campaigns.router)
api.add_router("/", campaigns_language.router)
api.add_router("/", campaigns_surveys.router)
api.add_router("/", campaigns_evaluation.router)
api.add_router("/", campaigns_report.router)
