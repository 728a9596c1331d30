"""The case definitions Cairn ships, as data files, and their loader.

`load_default_definitions()` is idempotent: it creates a definition that does not
exist yet (version 1 from its file) and leaves existing ones alone, so the edits of
public health are never overwritten. See README.md for sources and uncertainty.
"""

import json
from pathlib import Path

from django.db import transaction

DEFINITIONS_DIR = Path(__file__).resolve().parent
# Display order: broadest first, the Canadian code-only definition last.
SHIPPED = ["all_drug", "opioid", "heroin", "fentanyl", "stimulant", "ca_opioid"]


def shipped_definitions() -> dict[str, dict]:
    """id -> the file's content ({id, name, description, rules, note}), in display order."""
    out = {}
    for slug in SHIPPED:
        with open(DEFINITIONS_DIR / f"{slug}.json", encoding="utf-8") as f:
            out[slug] = json.load(f)
    return out


def shipped_rules() -> dict[str, dict]:
    return {slug: data["rules"] for slug, data in shipped_definitions().items()}


def load_default_definitions(*, created_by: str = "cairn", apps=None) -> list[str]:
    """Create the shipped definitions that are missing; return the slugs created.

    From a data migration pass `apps` (the historical app registry of RunPython).
    """
    if apps is not None:
        CaseDefinition = apps.get_model("surveillance", "CaseDefinition")  # noqa: N806
        CaseDefinitionVersion = apps.get_model("surveillance", "CaseDefinitionVersion")  # noqa: N806
    else:
        from cairn.surveillance.models import CaseDefinition, CaseDefinitionVersion

    created = []
    with transaction.atomic():
        existing = set(CaseDefinition.objects.values_list("slug", flat=True))
        for position, (slug, data) in enumerate(shipped_definitions().items()):
            if slug in existing:
                continue
            definition = CaseDefinition.objects.create(
                slug=slug,
                name=data["name"],
                description=data.get("description", ""),
                current_version=1,
                position=position,
            )
            CaseDefinitionVersion.objects.create(
                definition=definition,
                version=1,
                rules=data["rules"],
                note=data.get("note", "Shipped with Cairn."),
                created_by=created_by,
            )
            created.append(slug)
    return created
