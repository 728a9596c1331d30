"""Reading a validated Bundle's Encounters, Patients, Conditions and chief complaints.

Plain dict access on the JSON, since `validation` has checked the types.
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings

from cairn.surveillance.intake.fhir.validation import BundleRejected, Issue
from cairn.surveillance.intake.records import IncomingRecord
from cairn.surveillance.models import Disposition, EventSex, IntakeFormat, Source, age_band_for

CHIEF_COMPLAINT_LOINC = "8661-1"
LOINC = "http://loinc.org"
EMERGENCY_CLASS = "EMER"

SEX_BY_GENDER = {
    "female": EventSex.FEMALE,
    "male": EventSex.MALE,
    "other": EventSex.OTHER,
    "unknown": EventSex.UNKNOWN,
}

# http://terminology.hl7.org/CodeSystem/discharge-disposition, and HL7 v2 table 0112
# codes that ED systems often copy into FHIR unchanged.
DISPOSITION_BY_CODE = {
    "home": Disposition.DISCHARGED,
    "alt-home": Disposition.DISCHARGED,
    "other-hcf": Disposition.TRANSFERRED,
    "hosp": Disposition.TRANSFERRED,
    "long": Disposition.TRANSFERRED,
    "psy": Disposition.TRANSFERRED,
    "rehab": Disposition.TRANSFERRED,
    "snf": Disposition.TRANSFERRED,
    "aadvice": Disposition.LEFT_AGAINST_ADVICE,
    "exp": Disposition.DIED,
    "oth": Disposition.UNKNOWN,
    "admitted": Disposition.ADMITTED,
    "01": Disposition.DISCHARGED,
    "02": Disposition.TRANSFERRED,
    "07": Disposition.LEFT_AGAINST_ADVICE,
    "09": Disposition.ADMITTED,
    "20": Disposition.DIED,
}


@dataclass(frozen=True)
class ReadVisit:
    record: IncomingRecord
    expression: str  # where its Encounter is, e.g. "Bundle.entry[0].resource"


def _codings(concept: dict | None) -> list[dict]:
    return list((concept or {}).get("coding") or [])


def _is_icd10(system: str) -> bool:
    system = (system or "").lower()
    return "icd-10" in system or "icd10" in system


def _local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _parse_datetime(value: str) -> dt.datetime:
    if "T" in value:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    parts = [int(p) for p in value.split("-")] + [1, 1]
    return dt.datetime(parts[0], parts[1], parts[2], tzinfo=_local_zone())


def _parse_date(value: str) -> dt.date:
    parts = [int(p) for p in value.split("-")] + [1, 1]
    return dt.date(parts[0], parts[1], parts[2])


def _age_at(birth: dt.date, when: dt.date) -> int:
    return when.year - birth.year - ((when.month, when.day) < (birth.month, birth.day))


class Visits:
    def __init__(self, document: dict, *, bundle_key: str):
        self.bundle_key = bundle_key
        self.entries = []  # (expression, resource)
        self.by_reference: dict[str, tuple[str, dict]] = {}
        for index, entry in enumerate(document.get("entry") or []):
            resource = entry.get("resource")
            if not resource:
                continue
            where = f"Bundle.entry[{index}].resource"
            self.entries.append((where, resource))
            if entry.get("fullUrl"):
                self.by_reference[entry["fullUrl"]] = (where, resource)
            if resource.get("id"):
                self.by_reference[f"{resource['resourceType']}/{resource['id']}"] = (
                    where,
                    resource,
                )

    def of_type(self, kind: str) -> list[tuple[str, dict]]:
        return [(w, r) for w, r in self.entries if r["resourceType"] == kind]

    def resolve(self, reference: dict | None, kind: str) -> tuple[str, dict] | None:
        ref = (reference or {}).get("reference", "")
        found = self.by_reference.get(ref)
        if found is None and "/" in ref:
            found = self.by_reference.get("/".join(ref.rsplit("/", 2)[-2:]))
        if found is not None and found[1]["resourceType"] == kind:
            return found
        return None

    def read(self) -> list[ReadVisit]:
        encounters = self.of_type("Encounter")
        if not encounters:
            raise BundleRejected(
                [Issue("Bundle.entry", "The bundle has no Encounter: send the visit.", "required")]
            )
        visits, issues = [], []
        for where, encounter in encounters:
            try:
                visits.append(self._visit(where, encounter, single=len(encounters) == 1))
            except BundleRejected as exc:
                issues.extend(exc.issues)
        if issues:
            raise BundleRejected(issues)
        return visits

    def _belongs(self, resource: dict, encounter_where: str, *, single: bool) -> bool:
        linked = self.resolve(resource.get("encounter") or resource.get("context"), "Encounter")
        if linked is not None:
            return linked[0] == encounter_where
        return single  # unlinked resources belong to the only encounter

    def _visit(self, where: str, encounter: dict, *, single: bool) -> ReadVisit:
        issues = []
        encounter_class = (encounter.get("class") or {}).get("code")
        if encounter_class != EMERGENCY_CLASS:
            issues.append(
                Issue(
                    f"{where}.class",
                    f"Encounter class {encounter_class!r} is not an emergency visit; "
                    f"this feed takes class {EMERGENCY_CLASS!r}.",
                    "value",
                )
            )
        start = (encounter.get("period") or {}).get("start")
        if not start:
            issues.append(Issue(f"{where}.period.start", "The visit has no start.", "required"))
        elif not isinstance(start, str):
            issues.append(
                Issue(f"{where}.period.start", f"Expected a dateTime string, got {start!r}.")
            )
        visit_number = self._visit_number(encounter)
        if not visit_number:
            issues.append(
                Issue(
                    f"{where}.identifier",
                    "The Encounter has no identifier with a value (the visit number).",
                    "required",
                )
            )
        facility = self._facility(encounter)
        if not facility:
            issues.append(
                Issue(
                    f"{where}.serviceProvider",
                    "No facility: give serviceProvider (an Organization with an identifier "
                    "or name) or a location.",
                    "required",
                )
            )
        if issues:
            raise BundleRejected(issues)
        occurred_at = _parse_datetime(start)
        record = IncomingRecord(
            source=Source.EMERGENCY_DEPARTMENT,
            format=IntakeFormat.FHIR,
            dedup_key=f"ed:{facility}:{visit_number}"[:200],
            message_key=(
                f"fhir:{self.bundle_key}" if single else f"fhir:{self.bundle_key}:{visit_number}"
            )[:300],
            occurred_at=occurred_at,
            source_record_id=visit_number[:200],
            facility=facility[:100],
            disposition=self._disposition(encounter),
            diagnosis_codes=self._diagnoses(where, encounter, single=single),
            chief_complaint=self._chief_complaint(where, single=single),
            revision_reason=f"FHIR Bundle {self.bundle_key}"[:200],
        )
        patient = self.resolve(encounter.get("subject"), "Patient")
        if patient is None and single and len(self.of_type("Patient")) == 1:
            patient = self.of_type("Patient")[0]
        if patient is not None:
            self._read_patient(record, patient[1], occurred_at)
        return ReadVisit(record, where)

    @staticmethod
    def _visit_number(encounter: dict) -> str:
        identifiers = [i for i in encounter.get("identifier") or [] if i.get("value")]
        for identifier in identifiers:
            if any(c.get("code") == "VN" for c in _codings(identifier.get("type"))):
                return identifier["value"].strip()
        return identifiers[0]["value"].strip() if identifiers else ""

    def _facility(self, encounter: dict) -> str:
        candidates = [("Organization", encounter.get("serviceProvider"))]
        candidates += [("Location", loc.get("location")) for loc in encounter.get("location") or []]
        for kind, reference in candidates:
            if not reference:
                continue
            found = self.resolve(reference, kind)
            if found is not None:
                resource = found[1]
                for identifier in resource.get("identifier") or []:
                    if identifier.get("value"):
                        return identifier["value"].strip()
                if resource.get("name"):
                    return resource["name"].strip()
            logical = (reference.get("identifier") or {}).get("value")
            if logical:
                return logical.strip()
            if reference.get("display"):
                return reference["display"].strip()
            if reference.get("reference"):
                return reference["reference"].rsplit("/", 1)[-1].strip()
        return ""

    @staticmethod
    def _disposition(encounter: dict) -> str:
        concept = (encounter.get("hospitalization") or {}).get("dischargeDisposition")
        for coding in _codings(concept):
            found = DISPOSITION_BY_CODE.get((coding.get("code") or "").lower())
            if found:
                return found
        text = ((concept or {}).get("text") or "").lower()
        if "admit" in text:
            return Disposition.ADMITTED
        if "advice" in text or "ama" in text.split():
            return Disposition.LEFT_AGAINST_ADVICE
        return Disposition.UNKNOWN

    def _diagnoses(self, where: str, encounter: dict, *, single: bool) -> list[str]:
        conditions = [
            resource
            for _, resource in self.of_type("Condition")
            if self._belongs(resource, where, single=single)
        ]
        for diagnosis in encounter.get("diagnosis") or []:
            found = self.resolve(diagnosis.get("condition"), "Condition")
            if found is not None and found[1] not in conditions:
                conditions.append(found[1])
        codes = []
        for condition in conditions:
            for coding in _codings(condition.get("code")):
                code = (coding.get("code") or "").strip().upper()
                if code and _is_icd10(coding.get("system", "")) and code not in codes:
                    codes.append(code)
        return codes

    def _chief_complaint(self, where: str, *, single: bool) -> str:
        for _, observation in self.of_type("Observation"):
            is_chief_complaint = any(
                coding.get("code") == CHIEF_COMPLAINT_LOINC and coding.get("system", LOINC) == LOINC
                for coding in _codings(observation.get("code"))
            )
            if not is_chief_complaint or not self._belongs(observation, where, single=single):
                continue
            if observation.get("valueString"):
                return observation["valueString"].strip()
            concept = observation.get("valueCodeableConcept") or {}
            if concept.get("text"):
                return concept["text"].strip()
            for coding in _codings(concept):
                if coding.get("display"):
                    return coding["display"].strip()
        return ""

    @staticmethod
    def _read_patient(record: IncomingRecord, patient: dict, occurred_at: dt.datetime) -> None:
        record.sex = SEX_BY_GENDER.get(patient.get("gender", ""), EventSex.UNKNOWN)
        identity = {}
        if patient.get("birthDate"):
            birth = _parse_date(patient["birthDate"])
            local_day = occurred_at.astimezone(_local_zone()).date()
            record.age_band = age_band_for(_age_at(birth, local_day))
            if len(patient["birthDate"]) == 10:  # a partial date is not a date of birth
                identity["date_of_birth"] = birth
        addresses = patient.get("address") or []
        home = [a for a in addresses if a.get("use") == "home"] or addresses
        for address in home:
            if address.get("postalCode"):
                record.postal_code = address["postalCode"].strip()
                identity["postal_code"] = record.postal_code[:10]
                break
        names = patient.get("name") or []
        official = [n for n in names if n.get("use") == "official"] or names
        if official:
            identity["family_name"] = (official[0].get("family") or "")[:100]
            identity["given_name"] = " ".join(official[0].get("given") or [])[:100]
        for identifier in patient.get("identifier") or []:
            codes = {c.get("code") for c in _codings(identifier.get("type"))}
            if identifier.get("value") and "JHN" in codes:
                identity["health_number"] = identifier["value"][:30]
                break
        for telecom in patient.get("telecom") or []:
            if telecom.get("system") == "phone" and telecom.get("value"):
                identity["phone"] = telecom["value"][:30]
                break
        record.identity = {k: v for k, v in identity.items() if v}
