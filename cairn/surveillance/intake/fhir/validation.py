"""Checking a posted FHIR Bundle: JSON, shape, and fhir.resources' R4B models.

Every problem is an `Issue` whose `expression` is the FHIRPath of the element at fault
(e.g. "Bundle.entry[2].resource.period.start"), so the sender's OperationOutcome says
exactly where and what.
"""

import json
from dataclasses import dataclass

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from pydantic import ValidationError

from cairn.surveillance.intake.pipeline import content_hash

BUNDLE_TYPES = {"transaction", "batch", "collection", "message"}


@dataclass(frozen=True)
class Issue:
    """One problem with a bundle: FHIR issue type `code`, where, and what is wrong."""

    expression: str
    diagnostics: str
    code: str = "invalid"  # invalid, structure, required, value, not-supported


class BundleRejected(Exception):
    def __init__(self, issues: list[Issue], *, status: int = 422):
        super().__init__("; ".join(f"{i.expression}: {i.diagnostics}" for i in issues))
        self.issues = issues
        self.status = status


def without_nulls(value):
    """FHIR JSON has no nulls; the models take them as absent, and so does the reader."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [without_nulls(v) for v in value if v is not None]
    return value


def parse_json(body: bytes | str):
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BundleRejected(
                [Issue("Bundle", f"The body is not UTF-8 text (byte {exc.start}).", "structure")],
                status=400,
            ) from None
    if not body.strip():
        raise BundleRejected(
            [Issue("Bundle", "The body is empty; send a FHIR Bundle as JSON.", "required")],
            status=400,
        )
    if "\x00" in body or "\\u0000" in body:
        raise BundleRejected(
            [Issue("Bundle", "The body contains a NUL character (\\u0000); remove it.")],
            status=400,
        )
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        raise BundleRejected(
            [
                Issue(
                    "Bundle",
                    f"The body is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.",
                    "structure",
                )
            ],
            status=400,
        ) from None


def _json_kind(value) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return {str: "a string", list: "an array", dict: "an object", type(None): "null"}.get(
        type(value), type(value).__name__
    )


def check_shape(document) -> None:
    """What fhir.resources cannot say clearly: the resource type and unknown resources."""
    if not isinstance(document, dict):
        raise BundleRejected(
            [Issue("Bundle", f"Expected a Bundle (a JSON object), got {_json_kind(document)}.")],
            status=400,
        )
    kind = document.get("resourceType")
    if kind != "Bundle":
        raise BundleRejected(
            [
                Issue(
                    "resourceType" if kind is None else f"{kind}.resourceType",
                    f"Expected resourceType 'Bundle', got {kind!r}; this endpoint takes Bundles.",
                    "not-supported",
                )
            ],
            status=400,
        )
    issues = []
    bundle_type = document.get("type")
    if isinstance(bundle_type, str) and bundle_type not in BUNDLE_TYPES:
        issues.append(
            Issue(
                "Bundle.type",
                f"Bundle type {bundle_type!r} is not accepted; send one of "
                + ", ".join(sorted(BUNDLE_TYPES))
                + ".",
                "not-supported",
            )
        )
    entries = document.get("entry")
    if not isinstance(entries, list):
        if entries is None:
            issues.append(Issue("Bundle.entry", "The bundle has no entries.", "required"))
        if issues:
            raise BundleRejected(issues)
        return  # a mistyped entry list is reported by fhir.resources
    for index, entry in enumerate(entries):
        where = f"Bundle.entry[{index}]"
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            continue  # fhir.resources reports a missing or mistyped resource
        kind = resource.get("resourceType")
        if not isinstance(kind, str) or not kind:
            issues.append(
                Issue(f"{where}.resource", "The resource has no resourceType.", "required")
            )
            continue
        try:
            get_fhir_model_class(kind)
        except (ValueError, KeyError):
            issues.append(
                Issue(
                    f"{where}.resource.resourceType",
                    f"Unknown resource type {kind!r}: not a FHIR R4/R4B resource.",
                    "not-supported",
                )
            )
    if issues:
        raise BundleRejected(issues)


def _fhirpath(loc: tuple) -> str:
    path = "Bundle"
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _diagnostics(error: dict) -> str:
    kind = error["type"]
    value = error.get("input")
    shown = json.dumps(value)[:80] if not isinstance(value, dict) else "an object"
    if kind in {"json_invalid", "model_type", "dict_type", "model_attributes_type"}:
        return f"Expected an object, got {_json_kind(value)} {shown}."
    if kind == "list_type":
        return f"Expected an array, got {_json_kind(value)} {shown}."
    if kind == "string_type":
        return f"Expected a string, got {_json_kind(value)} {shown}."
    if kind in {"bool_type", "bool_parsing"}:
        return f"Expected true or false, got {shown}."
    if kind.startswith(("int_", "decimal_", "float_")):
        return f"Expected a number, got {shown}."
    if kind == "extra_forbidden":
        return "This element is not defined for this resource in FHIR R4/R4B."
    if kind.startswith("missing") or kind.endswith(".missing"):
        return "This element is required."
    message = error.get("msg", "Invalid value.").removeprefix("Value error, ")
    if kind.startswith(("date", "datetime", "time")) or "DateTime" in message or "Date" in message:
        return (
            f"{shown} is not a valid FHIR date or dateTime (YYYY-MM-DD, or "
            f"YYYY-MM-DDThh:mm:ss with a time zone such as -08:00 or Z): {message}"
        )
    return f"{message} (got {shown})."


def validate(document: dict) -> None:
    try:
        Bundle.model_validate(document)
    except ValidationError as exc:
        issues = [
            Issue(
                _fhirpath(error["loc"]),
                _diagnostics(error),
                "required" if "missing" in error["type"] else "invalid",
            )
            for error in exc.errors()
        ]
        raise BundleRejected(issues) from None


def bundle_key(document: dict) -> str:
    identifier = document.get("identifier") or {}
    value = identifier.get("value")
    if value:
        system = identifier.get("system", "")
        return f"{system}|{value}" if system else value
    return content_hash(json.dumps(document, sort_keys=True, separators=(",", ":")))
