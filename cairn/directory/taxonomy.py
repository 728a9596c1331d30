"""Cairn's own HSDS taxonomy of service types, "cairn-service-type".

Ids are fixed (uuid5 of the code), so every Cairn installation, export and re-import
names the same term by the same HSDS id. `ensure_cairn_service_types()` is idempotent:
a data migration, the demo and the HSDS import call it.
"""

import uuid

CAIRN_TAXONOMY_NAME = "cairn-service-type"
_NAMESPACE = uuid.UUID("6f7c1d2e-8a53-4c8e-9b7a-1c2d3e4f5a60")
CAIRN_TAXONOMY_ID = str(uuid.uuid5(_NAMESPACE, CAIRN_TAXONOMY_NAME))

SERVICE_TYPES: list[tuple[str, str, str]] = [
    ("oat", "Opioid agonist treatment", "Starting or continuing opioid agonist treatment (OAT)."),
    ("naloxone", "Naloxone", "Naloxone kits and training."),
    (
        "overdose_prevention",
        "Overdose prevention",
        "Overdose prevention or supervised consumption site.",
    ),
    ("drug_checking", "Drug checking", "Drug checking (e.g. FTIR, test strips)."),
    (
        "harm_reduction_supplies",
        "Harm reduction supplies",
        "Harm reduction supplies for safer use.",
    ),
    ("housing", "Housing", "Housing and housing support."),
    ("shelter", "Shelter", "Emergency shelter."),
    (
        "withdrawal_management",
        "Withdrawal management",
        'Withdrawal management (sometimes called "detox").',
    ),
    ("mental_health", "Mental health", "Mental health services."),
    ("peer_support", "Peer support", "Support from peers with lived and living experience."),
    ("primary_care", "Primary care", "Primary health care."),
    ("other", "Other", "Another service."),
]
SERVICE_TYPE_CODES = [code for code, _, _ in SERVICE_TYPES]


def term_hsds_id(code: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{CAIRN_TAXONOMY_NAME}/{code}"))


def ensure_cairn_service_types(apps=None) -> dict[str, int]:
    """Create or update the taxonomy and its terms; {code: TaxonomyTerm pk}.

    `apps` lets a data migration pass its historical app registry."""
    if apps is None:
        from cairn.directory.models import Taxonomy, TaxonomyTerm
    else:
        Taxonomy = apps.get_model("directory", "Taxonomy")
        TaxonomyTerm = apps.get_model("directory", "TaxonomyTerm")
    taxonomy, _ = Taxonomy.objects.update_or_create(
        hsds_id=CAIRN_TAXONOMY_ID,
        defaults={
            "name": CAIRN_TAXONOMY_NAME,
            "description": "Cairn service types: what people who use drugs and their "
            "supporters search the directory for.",
            "version": "1",
        },
    )
    found = {}
    for code, name, description in SERVICE_TYPES:
        term, _ = TaxonomyTerm.objects.update_or_create(
            hsds_id=term_hsds_id(code),
            defaults={
                "code": code,
                "name": name,
                "description": description,
                "taxonomy": CAIRN_TAXONOMY_NAME,
                "taxonomy_detail": taxonomy,
                "language": "en",
            },
        )
        found[code] = term.pk
    return found
