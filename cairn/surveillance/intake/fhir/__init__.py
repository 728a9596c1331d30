"""FHIR R4/R4B Bundles of emergency-department visits, read into IncomingRecords.

A Bundle (transaction, batch, collection or message) holds one or more Encounters
of class EMER, with their Patient, Conditions (ICD-10 / -CA / -CM diagnoses) and an
Observation for the chief complaint (LOINC 8661-1). Each resource is validated with
fhir.resources' R4B models: R4B changed none of these four resources from R4, so
one set of models validates both versions.

Every problem is reported as an `Issue` whose `expression` is the FHIRPath of the
element at fault (e.g. "Bundle.entry[2].resource.period.start"), so the sender's
OperationOutcome says exactly where and what.
"""

from cairn.surveillance.intake.fhir.reading import ReadVisit, Visits
from cairn.surveillance.intake.fhir.validation import (
    BundleRejected,
    Issue,
    bundle_key,
    check_shape,
    parse_json,
    validate,
    without_nulls,
)

__all__ = ["BundleRejected", "Issue", "ReadVisit", "read_bundle"]


def read_bundle(body: bytes | str) -> list[ReadVisit]:
    """The visits in a posted bundle; raises BundleRejected naming every problem found."""
    document = parse_json(body)
    check_shape(document)
    validate(document)
    document = without_nulls(document)
    return Visits(document, bundle_key=bundle_key(document)).read()
