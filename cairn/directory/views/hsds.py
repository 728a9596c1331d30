"""HSDS 3.0 for curators: upload files to import (each refused record named with its
file, record and field), the recent imports, and the whole directory as HSDS to download.
Curators only (MANAGE_DIRECTORY); the public reads HSDS through the API."""

import io
import json
import zipfile
from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cairn.directory.hsds.access import require_directory_curator
from cairn.directory.hsds.exporter import export_hsds
from cairn.directory.hsds.importer import import_hsds
from cairn.directory.models import HsdsImport

SHOWN_PROBLEMS = 200
MAX_UPLOAD_BYTES = 200 * 1024 * 1024


def curator_view(view: Callable) -> Callable:
    """Anonymous visitors sign in; signed-in non-curators are refused (403) before anything."""

    @wraps(view)
    def guarded(request, *args, **kwargs):
        require_directory_curator(request.user)
        return view(request, *args, **kwargs)

    return login_required(never_cache(guarded))


@curator_view
@require_GET
def hsds_home(request):
    return render(
        request,
        "directory/hsds_home.html",
        {"imports": HsdsImport.objects.select_related("imported_by")[:10]},
    )


@curator_view
@require_POST
def hsds_import(request):
    uploads = request.FILES.getlist("files")
    if not uploads:
        return render(
            request,
            "directory/hsds_home.html",
            {
                "imports": HsdsImport.objects.select_related("imported_by")[:10],
                "upload_error": "Choose one or more HSDS files (.json or .csv) to import.",
            },
            status=422,
        )
    if sum(upload.size for upload in uploads) > MAX_UPLOAD_BYTES:
        return render(
            request,
            "directory/hsds_home.html",
            {
                "imports": HsdsImport.objects.select_related("imported_by")[:10],
                "upload_error": "These files are over 200 MB together: import them with "
                "`cairn directory import-hsds` instead.",
            },
            status=422,
        )
    report = import_hsds({u.name: u.read() for u in uploads}, actor=request.user)
    log = HsdsImport.objects.get(pk=report.import_id)
    return render(
        request,
        "directory/hsds_result.html",
        {"log": log, "report": report, "problems": report.problems[:SHOWN_PROBLEMS]},
    )


@curator_view
@require_GET
def hsds_import_detail(request, import_id: int):
    log = get_object_or_404(HsdsImport.objects.select_related("imported_by"), pk=import_id)
    return render(
        request,
        "directory/hsds_result.html",
        {"log": log, "report": None, "problems": log.errors[:SHOWN_PROBLEMS]},
    )


@curator_view
@require_GET
def hsds_export(request, fmt: str):
    if fmt == "json":
        body = json.dumps(export_hsds(None, fmt="json"), indent=2, ensure_ascii=False)
        return _download(body.encode(), "application/json", "cairn-hsds-services.json")
    if fmt == "tables":
        body = json.dumps(export_hsds(None, fmt="tables"), ensure_ascii=False)
        return _download(body.encode(), "application/json", "cairn-hsds-tables.json")
    if fmt == "csv":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in export_hsds(None, fmt="csv").items():
                archive.writestr(name, text)
        return _download(buffer.getvalue(), "application/zip", "cairn-hsds-csv.zip")
    raise Http404("Export formats: json, tables, csv.")


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
