"""Shared by the case-management API modules: authentication, the router, and how
reads are audited and refusals answered."""

from contextlib import contextmanager

from ninja import Field, Router, Status
from ninja.errors import HttpError
from ninja.security import SessionAuth as NinjaSessionAuth

from cairn.api import auth as api_auth
from cairn.api.errors import ErrorOut
from cairn.cases import plans, supporters
from cairn.cases.access import (
    Purpose,
    get_client_for_user,
    record_client_list_read,
    require_care_team,
)


def auth_requiring(check) -> list:
    """The API's two schemes (session, bearer token), letting in only users that pass
    `check` (which raises PermissionDenied: 403). The classes keep ninja's names, so the
    OpenAPI document describes the same two schemes as every other operation."""

    class SessionAuth(NinjaSessionAuth):
        def authenticate(self, request, key):
            user = super().authenticate(request, key)
            if user is not None:
                check(user)
            return user

    class ApiTokenAuth(api_auth.ApiTokenAuth):
        def authenticate(self, request, token):
            user = super().authenticate(request, token)
            if user is not None:
                check(user)
            return user

    return [SessionAuth(), ApiTokenAuth()]


# Only the care team gets past authentication (supporters' operations say otherwise).
router = Router(tags=["cases"], auth=auth_requiring(require_care_team))


def form_errors(form) -> HttpError:
    problems = "; ".join(
        f"{'request' if field == '__all__' else field}: {' '.join(messages)}"
        for field, messages in form.errors.items()
    )
    return HttpError(422, f"The request is not valid: {problems}")


def idempotency_key(request, body_key: str) -> str:
    return (request.headers.get("Idempotency-Key") or body_key or "").strip()[:80]


# Operations --------------------------------------------------------------------------


def responses(ok, *errors: int, created: bool = False) -> dict:
    """An operation's responses: `ok` for 200 (and 201 when it can create), and the
    JSON error for 401, 403 and each status in `errors`."""
    codes = {200: ok, **({201: ok} if created else {})}
    codes.update({status: ErrorOut for status in (401, 403, *errors)})
    return codes


@contextmanager
def refused(status: int, *errors: type[Exception]):
    """Answer `status` with the error's message when the block raises one of `errors`."""
    try:
        yield
    except errors as error:
        raise HttpError(status, str(error)) from None


def care_client(request, client_id: int):
    """The person's record, for care (the read is audited)."""
    return get_client_for_user(request.auth, client_id, purpose=Purpose.CARE)


def audit_list(request, client_ids, *, purpose: str, what: str) -> None:
    """Audit a list of people returned (nothing to audit when it is empty)."""
    client_ids = list(client_ids)
    if client_ids:
        record_client_list_read(request.auth, client_ids, purpose=purpose, what=what)


# Care alerts, the care plan, supporters (cases-supporters) ----------------------------
# The same functions as the pages (cairn.cases.care_alerts, .plans, .supporters). A
# write refused for its input answers 422 with `field`, the body field at fault.


class FieldErrorOut(ErrorOut):
    field: str = Field(description="the body field at fault; __all__ for the request")


_WRITE = {**responses(None, 404, 422), 422: FieldErrorOut}


def write_responses(ok) -> dict:
    return {**_WRITE, 200: ok}


def field_refusal(error) -> Status:
    field = getattr(error, "field", "__all__")
    return Status(422, {"detail": f"{field}: {error}", "field": field})


def writing(request, client_id: int, write, out):
    """Open the record (audited), run the write, and shape its result with `out`;
    an unknown item answers 404, refused input 422 with the field."""
    client = care_client(request, client_id)
    try:
        return out(write(client))
    except (plans.PlanItemMissing, supporters.SupporterMissing) as error:
        raise HttpError(404, str(error)) from None
    except (plans.PlanError, supporters.SupporterError) as error:
        return field_refusal(error)
