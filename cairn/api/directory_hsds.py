"""API: Open Referral HSDS 3.0 for the directory (see docs/directory-hsds.md).

- `POST /api/v1/directory/hsds/import` (curators: MANAGE_DIRECTORY): HSDS files as multipart
  `files` (JSON or CSV, several at once), or one JSON document as the request body. Every
  record is validated against the official schemas; the answer lists, for each refused
  record, the file, the record and the field. 200 when anything was imported (or there was
  nothing wrong), 422 when every record was refused. Sending the same files again creates
  nothing (upsert on the HSDS id).
- `GET /api/v1/directory/hsds/services` (public): an HSDS Page of services (`page`, `size`,
  `full=true` for the compiled form with locations, schedules ...).
- `GET /api/v1/directory/hsds/services/{id}` (public): one service, compiled, by its HSDS id.
- `GET /api/v1/directory/hsds` (public): which HSDS this is.
"""

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.security import SessionAuth as NinjaSessionAuth

from cairn.api import auth as api_auth
from cairn.api.errors import ErrorOut
from cairn.directory.hsds import exporter
from cairn.directory.hsds.access import require_directory_curator
from cairn.directory.hsds.importer import import_hsds
from cairn.directory.models import Service

router = Router(tags=["directory"])


def _curators_only() -> list:
    """Session or bearer token, letting in only directory curators (else 403)."""

    class SessionAuth(NinjaSessionAuth):
        def authenticate(self, request, key):
            user = super().authenticate(request, key)
            if user is not None:
                require_directory_curator(user)
            return user

    class ApiTokenAuth(api_auth.ApiTokenAuth):
        def authenticate(self, request, token):
            user = super().authenticate(request, token)
            if user is not None:
                require_directory_curator(user)
            return user

    return [SessionAuth(), ApiTokenAuth()]


class ProblemOut(Schema):
    file: str
    record: str = Field(description='the record: "row 3", or its place in the JSON, and its id')
    field: str = Field(description="the field at fault ('' for the whole file or record)")
    message: str
    level: str = Field(description="error (the record was left out) or warning")


class TableCountsOut(Schema):
    created: int
    updated: int
    unchanged: int
    rejected: int


class ImportOut(Schema):
    detail: str
    files: list[str]
    created: int
    updated: int
    unchanged: int
    rejected: int
    tables: dict[str, TableCountsOut]
    errors: list[ProblemOut]
    warnings: list[ProblemOut]
    seconds: float
    import_id: int | None


class FieldErrorOut(ErrorOut):
    field: str


@router.post(
    "/directory/hsds/import",
    response={200: ImportOut, 401: ErrorOut, 403: ErrorOut, 422: ImportOut | FieldErrorOut},
    auth=_curators_only(),
    url_name="directory_hsds_import",
    summary="Import HSDS 3.0 files (curators)",
)
def hsds_import(request):
    files: dict[str, bytes] = {}
    if (request.content_type or "").startswith("application/json"):
        files["request.json"] = request.body
    else:
        for upload in request.FILES.getlist("files"):
            files[upload.name] = upload.read()
    if not files:
        return Status(
            422,
            {
                "detail": "files: send one or more HSDS .json or .csv files as multipart "
                "'files', or a JSON document as the body",
                "field": "files",
            },
        )
    report = import_hsds(files, actor=request.user)
    imported = report.created + report.updated + report.unchanged
    status = 200 if imported or not report.errors else 422
    return Status(status, {"detail": report.summary(), **report.as_dict()})


class PageIn(Schema):
    page: int = Field(1, ge=1)
    size: int = Field(50, ge=1, le=500)
    full: bool = Field(False, description="each service compiled, as service_full.json")


@router.get(
    "/directory/hsds",
    response=dict,
    auth=None,
    url_name="directory_hsds_root",
    summary="HSDS API root (public)",
)
def hsds_root(request):
    return {
        "version": "3.0",
        "profile": "https://docs.openreferral.org/en/3.0/",
        "openapi_url": "/api/v1/schema",
        "services": "/api/v1/directory/hsds/services",
    }


@router.get(
    "/directory/hsds/services",
    response=dict,
    auth=None,
    url_name="directory_hsds_services",
    summary="HSDS Page of services (public)",
)
def hsds_services(request, query: Query[PageIn]):
    return exporter.services_page(page=query.page, size=query.size, full=query.full)


@router.get(
    "/directory/hsds/services/{hsds_id}",
    response={200: dict, 404: ErrorOut},
    auth=None,
    url_name="directory_hsds_service",
    summary="One service, compiled (public)",
)
def hsds_service(request, hsds_id: str):
    service = Service.objects.filter(hsds_id=hsds_id).first()
    if service is None:
        raise Http404(f"No service with HSDS id {hsds_id!r}.")
    return exporter.compiled_service(service)
