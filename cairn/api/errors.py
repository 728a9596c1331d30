"""Every error the API returns is JSON with a `detail` message a person can act on."""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, JsonResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

logger = logging.getLogger(__name__)

SIGN_IN_MESSAGE = (
    "Sign in to Cairn first: the API takes your browser session, or a partner system's "
    "token (Authorization: Bearer cairn_..., issued with `cairn issue-api-token`)."
)


class ErrorOut(Schema):
    detail: str


def install_error_handlers(api: NinjaAPI) -> None:
    def respond(request: HttpRequest, status: int, detail: str, **extra):
        return api.create_response(request, {"detail": detail, **extra}, status=status)

    @api.exception_handler(AuthenticationError)
    def not_signed_in(request, exc):
        return respond(request, 401, SIGN_IN_MESSAGE)

    @api.exception_handler(PermissionDenied)
    def permission_denied(request, exc):
        return respond(request, 403, str(exc) or "You do not have permission to do this.")

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, str(exc) or "Not found.")

    @api.exception_handler(ValidationError)
    def invalid_request(request, exc):
        return respond(
            request,
            422,
            "The request is not valid; see `errors` for each field.",
            errors=exc.errors,
        )

    @api.exception_handler(RequestDataTooBig)
    def too_large(request, exc):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        size = f"{limit / 1024 / 1024:.1f} MB" if limit >= 100 * 1024 else f"{limit:,} bytes"
        return respond(
            request,
            413,
            f"The request is too large (at most {size}); send large files through the page, "
            "which takes uploads.",
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        return respond(request, exc.status_code, str(exc))

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        # Logged with its traceback for us; the caller gets a message, never the traceback.
        logger.error("Unexpected error in %s %s", request.method, request.path, exc_info=exc)
        return respond(request, 500, "Something went wrong on Cairn's side; it has been logged.")


def api_index(request: HttpRequest) -> JsonResponse:
    """/api/v1/ itself: where to find the schema (ninja's own root view answers in HTML)."""
    return JsonResponse({"title": "Cairn API", "version": "1", "schema": "/api/v1/schema"})


def endpoint_not_found(request: HttpRequest, path: str = "") -> JsonResponse:
    """Unknown paths under /api/v1/ answer in JSON too, pointing to the schema."""
    detail = f"No API endpoint at {request.path}; the endpoints are listed at /api/v1/schema."
    return JsonResponse({"detail": detail}, status=404)
