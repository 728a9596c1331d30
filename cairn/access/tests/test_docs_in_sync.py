"""docs/access.md names every role, permission and persona the code defines."""

from pathlib import Path

from cairn.access.personas import PERSONAS
from cairn.access.roles import ROLES, Permission

ACCESS_DOC = (Path(__file__).resolve().parents[3] / "docs" / "access.md").read_text()


def test_every_role_permission_and_persona_is_documented():
    missing = [f"role {key}" for key in ROLES if f"`{key}`" not in ACCESS_DOC]
    missing += [f"permission {p.value}" for p in Permission if f"`{p.value}`" not in ACCESS_DOC]
    missing += [
        f"persona {p.username}" for p in PERSONAS.values() if f"`{p.username}`" not in ACCESS_DOC
    ]
    assert missing == []
