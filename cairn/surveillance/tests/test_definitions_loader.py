"""The shipped definitions load once and never overwrite public health's edits."""

import pytest

from cairn.surveillance.definitions import SHIPPED, load_default_definitions
from cairn.surveillance.models import (
    CaseDefinition,
    CaseDefinitionVersion,
    ImmutableVersionError,
)

pytestmark = pytest.mark.django_db


def test_load_default_definitions_creates_version_one_of_each():
    # The data migration loaded them already (unless a committing test flushed them).
    CaseDefinition.objects.all().delete()
    assert load_default_definitions() == SHIPPED
    assert list(CaseDefinition.objects.values_list("slug", flat=True)) == SHIPPED
    assert CaseDefinitionVersion.objects.count() == len(SHIPPED)
    assert (
        CaseDefinition.objects.get(slug="ca_opioid").current().rules["codes"]["other"][-1] == "F11"
    )


def test_load_default_definitions_is_idempotent_and_keeps_edits():
    load_default_definitions()
    opioid = CaseDefinition.objects.get(slug="opioid")
    opioid.name = "Opioid overdose (edited)"
    opioid.save()
    assert load_default_definitions() == []
    assert CaseDefinitionVersion.objects.count() == len(SHIPPED)
    assert CaseDefinition.objects.get(slug="opioid").name == "Opioid overdose (edited)"


def test_saved_versions_cannot_change():
    load_default_definitions()
    version = CaseDefinitionVersion.objects.get(definition__slug="heroin", version=1)
    version.note = "rewritten history"
    with pytest.raises(ImmutableVersionError):
        version.save()
