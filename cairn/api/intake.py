"""Intake over the API: FHIR Bundles from emergency departments, and quick overdose reports.

`POST /api/v1/fhir/Bundle` answers in FHIR: an OperationOutcome naming each visit's
event and whether it was created, updated or already received, or, on error, one
issue per problem with the FHIRPath of the element at fault. Malformed bundles are
also kept in the intake quarantine, so nothing sent is lost.

`POST /api/v1/reports/overdose` takes the quick-entry form's fields as JSON.
"""

import json

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Router, Status

from cairn.access.permissions import has_permission
from cairn.access.roles import Permission
from cairn.api.errors import ErrorOut
from cairn.surveillance.intake.fhir import BundleRejected, Issue, read_bundle
from cairn.surveillance.intake.pipeline import accept_records, content_hash, quarantine_record
from cairn.surveillance.intake.quick_entry import QuickReportForm, submit_quick_report
from cairn.surveillance.models import IntakeFormat, Source

router = Router(tags=["intake"])

FHIR_JSON = "application/fhir+json"
ACCEPTED_CONTENT_TYPES = {FHIR_JSON, "application/json"}
STATUS_SYSTEM = "https://cairn.invalid/fhir/CodeSystem/intake-status"
EVENT_SYSTEM = "https://cairn.invalid/fhir/sid/event"

_BUNDLE_BODY = {
    "requestBody": {
        "required": True,
        "description": "A FHIR R4 or R4B Bundle (transaction, batch, collection or message) "
        "with an Encounter of class EMER, its Patient, Conditions and a chief-complaint "
        "Observation (LOINC 8661-1).",
        "content": {
            FHIR_JSON: {"schema": {"type": "object"}},
            "application/json": {"schema": {"type": "object"}},
        },
    }
}


def _fhir_response(request: HttpRequest, body: dict, status: int) -> HttpResponse:
    wants_fhir = FHIR_JSON in request.headers.get("Accept", "") or request.content_type == FHIR_JSON
    return JsonResponse(
        body, status=status, content_type=FHIR_JSON if wants_fhir else "application/json"
    )


def _operation_outcome(issues: list[dict]) -> dict:
    return {"resourceType": "OperationOutcome", "issue": issues}


def _error_issue(issue: Issue) -> dict:
    return {
        "severity": "error",
        "code": issue.code,
        "diagnostics": issue.diagnostics,
        "expression": [issue.expression],
        "location": [issue.expression],
    }


def _reject(request: HttpRequest, body: bytes, rejected: BundleRejected) -> HttpResponse:
    if body.strip():
        first = rejected.issues[0]
        quarantine_record(
            format=IntakeFormat.FHIR,
            raw=body.decode("utf-8", errors="replace").replace("\x00", "\ufffd"),
            reason="; ".join(i.diagnostics for i in rejected.issues)[:2000],
            location=first.expression,
            source=Source.EMERGENCY_DEPARTMENT,
        )
    issues = [_error_issue(issue) for issue in rejected.issues]
    return _fhir_response(request, _operation_outcome(issues), rejected.status)


@router.post(
    "/fhir/Bundle",
    response={
        200: dict,
        201: dict,
        400: dict,
        401: ErrorOut,
        403: ErrorOut,
        413: dict,
        415: dict,
        422: dict,
    },
    url_name="fhir_bundle",
    summary="Send emergency-department visits as a FHIR R4/R4B Bundle",
    openapi_extra=_BUNDLE_BODY,
)
def post_fhir_bundle(request):
    user = request.auth
    if not (
        has_permission(user, Permission.SUBMIT_REPORTS)
        or has_permission(user, Permission.MANAGE_INTAKE)
    ):
        raise PermissionDenied("None of your roles lets you send overdose reports to Cairn.")
    try:
        body = request.body
    except RequestDataTooBig:
        issue = Issue(
            "Bundle", "The bundle is too large; send fewer visits per bundle.", "too-costly"
        )
        return _fhir_response(request, _operation_outcome([_error_issue(issue)]), 413)
    if request.content_type not in ACCEPTED_CONTENT_TYPES and body.strip():
        issue = Issue(
            "Bundle",
            f"Content type {request.content_type!r} is not accepted; send "
            f"{FHIR_JSON} or application/json.",
            "not-supported",
        )
        return _fhir_response(request, _operation_outcome([_error_issue(issue)]), 415)
    try:
        visits = read_bundle(body)
    except BundleRejected as rejected:
        return _reject(request, body, rejected)
    records = [visit.record for visit in visits]
    try:
        outcomes = accept_records(records, actor=user)
    except IntegrityError:
        # The same bundle arrived twice at once; the other copy won, so this one is a re-send.
        outcomes = accept_records(records, actor=user)
    issues = [
        {
            "severity": "information",
            "code": "informational",
            "details": {
                "coding": [
                    {"system": STATUS_SYSTEM, "code": outcome.status},
                    {"system": EVENT_SYSTEM, "code": str(outcome.event_id)},
                ],
                "text": outcome.status,
            },
            "diagnostics": f"Event {outcome.event_id} {outcome.status}: visit "
            f"{visit.record.source_record_id} at {visit.record.facility}.",
            "expression": [visit.expression],
        }
        for visit, outcome in zip(visits, outcomes, strict=True)
    ]
    status = 201 if any(o.status == "created" for o in outcomes) else 200
    return _fhir_response(request, _operation_outcome(issues), status)


_REPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["fatal", "naloxone_doses", "outcome"],
                    "properties": {
                        "report_id": {
                            "type": "string",
                            "description": "Idempotency key (or the Idempotency-Key header): "
                            "the same key again returns the first report.",
                        },
                        "occurred_at": {
                            "type": "string",
                            "format": "date-time",
                            "description": "Defaults to now.",
                        },
                        "reporting_service": {
                            "type": "string",
                            "enum": [Source.FIRST_RESPONDER.value, Source.PARAMEDIC.value],
                        },
                        "community": {"type": "string", "description": "Community code."},
                        "latitude": {"type": "number"},
                        "longitude": {"type": "number"},
                        "fatal": {"type": "boolean"},
                        "naloxone_doses": {"type": "integer", "minimum": 0, "maximum": 10},
                        "substances": {"type": "array", "items": {"type": "string"}},
                        "other_substance": {"type": "string"},
                        "outcome": {
                            "type": "string",
                            "enum": [
                                "treated_on_scene",
                                "transported",
                                "refused_transport",
                                "died",
                            ],
                        },
                    },
                }
            }
        },
    }
}


def _form_data(payload: dict, *, idempotency_key: str, user) -> dict:
    data = {}
    for name, value in payload.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif name == "substances" and isinstance(value, list):
            value = [v if isinstance(v, str) else json.dumps(v) for v in value]
        elif value is not None and not isinstance(value, str):
            # Form fields parse text: a number becomes its digits, anything else its
            # JSON, which the field then refuses with its own message.
            value = str(value) if isinstance(value, int | float) else json.dumps(value)
        data[name] = value
    data.setdefault("reporting_service", Source.FIRST_RESPONDER.value)
    if "occurred_at" not in data:
        data["occurred_at"] = timezone.now().isoformat()
    if idempotency_key:
        data["report_id"] = idempotency_key
    elif not data.get("report_id"):
        # No key given: the same body from the same user is the same report.
        canonical = json.dumps(payload, sort_keys=True, default=str)
        data["report_id"] = "auto-" + content_hash(str(user.pk), canonical)[:40]
    return data


@router.post(
    "/reports/overdose",
    response={
        200: dict,
        201: dict,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        413: ErrorOut,
        422: dict,
    },
    url_name="overdose_report",
    summary="Report an overdose attended by a first responder or paramedic (no name)",
    openapi_extra=_REPORT_BODY,
)
def post_overdose_report(request):
    user = request.auth
    if not has_permission(user, Permission.SUBMIT_REPORTS):
        raise PermissionDenied("None of your roles lets you report overdoses.")
    try:
        payload = json.loads(request.body or b"null")
    except RequestDataTooBig:
        return Status(413, {"detail": "The report is too large."})
    except (json.JSONDecodeError, UnicodeDecodeError):
        return Status(400, {"detail": "The body is not JSON; send the report as a JSON object."})
    if not isinstance(payload, dict):
        return Status(400, {"detail": "Send the report as a JSON object."})
    key = request.headers.get("Idempotency-Key", "").strip()
    form = QuickReportForm(_form_data(payload, idempotency_key=key, user=user), user=user)
    if not form.is_valid():
        errors = {name: list(messages) for name, messages in form.errors.items()}
        return Status(
            422,
            {"detail": "The report is not valid; see `errors` for each field.", "errors": errors},
        )
    report = submit_quick_report(user=user, form=form)
    body = {
        "status": "duplicate" if report.status == "duplicate" else "created",
        "event_id": report.event_id,
        "report_id": report.report_id,
        "community": report.community_name or None,
        "note": report.note,
    }
    return Status(201 if report.status == "created" else 200, body)
