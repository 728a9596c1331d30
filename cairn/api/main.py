"""The Cairn JSON API, version 1, served under /api/v1/ with its OpenAPI document."""

from django.conf import settings
from ninja import NinjaAPI
from ninja.security import django_auth

from cairn.api import access, geography
from cairn.api.errors import install_error_handlers

DESCRIPTION = """\
Cairn's JSON API. Every operation answers only with what the signed-in user's
roles and organizations' coverage allow (`cairn.access.permissions`).

Authentication is the Django session of a signed-in user for now; API tokens
for partner systems come with the intake issue. Without a session every
operation answers 401. Errors are JSON: `{"detail": "..."}`.
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
    auth=django_auth,
)
install_error_handlers(api)
api.add_router("/", access.router)
api.add_router("/", geography.router)
