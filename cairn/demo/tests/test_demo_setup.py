"""`cairn demo-setup`: geography, personas, demo data once, and the logins of everyone."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command

from cairn.access.personas import PERSONAS
from cairn.demo.models import DemoRun
from cairn.surveillance.models import Event

pytestmark = pytest.mark.django_db


def demo_setup() -> str:
    out = io.StringIO()
    call_command("demo_setup", "--days", "3", "--scale", "tiny", stdout=out)
    return out.getvalue()


def test_demo_setup_loads_data_once_and_prints_every_login(bc_geography):
    printed = demo_setup()

    assert DemoRun.objects.count() == 1
    events = Event.objects.count()
    assert events > 100
    for persona in PERSONAS.values():
        line = next(line for line in printed.splitlines() if line.startswith(persona.username))
        assert settings.CAIRN_DEMO_PASSWORD in line
        assert persona.role_class.name in line
        assert persona.organization in line
    er_nurse = next(line for line in printed.splitlines() if line.startswith("er.nurse "))
    assert "identifiable records" in er_nurse and "Vancouver Coastal" in er_nurse
    police = next(line for line in printed.splitlines() if line.startswith("police.liaison "))
    assert "small counts suppressed" in police and "Prince George" in police

    again = demo_setup()

    assert "already loaded" in again
    assert (DemoRun.objects.count(), Event.objects.count()) == (1, events)
