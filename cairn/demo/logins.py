"""The demo logins: who each persona is and what they can see."""

from cairn.access.personas import PERSONAS, Persona
from cairn.access.roles import Permission
from cairn.geography.models import Jurisdiction

COLUMNS = ["username", "password", "role", "organization", "sees"]


def what_they_see(persona: Persona, names: dict[str, str]) -> str:
    role = persona.role_class
    if role.wide_area or persona.coverage == ("bc",):
        where = "all of British Columbia"
    else:
        where = ", ".join(names.get(code, code) for code in persona.coverage)
    seen = f"{role.data_tier.label.lower()}, {where}"
    if role.has(Permission.VIEW_FIRST_NATIONS_DATA):
        seen += "; First Nations data under First Nations governance"
    if role.has(Permission.USE_ADMIN):
        seen += "; organizations, users and the audit log"
    return seen


def login_rows(*, password: str) -> list[dict[str, str]]:
    codes = {code for persona in PERSONAS.values() for code in persona.coverage}
    names = dict(Jurisdiction.objects.filter(code__in=codes).values_list("code", "name"))
    return [
        {
            "username": persona.username,
            "password": password,
            "role": persona.role_class.name,
            "organization": persona.organization,
            "sees": what_they_see(persona, names),
        }
        for persona in PERSONAS.values()
    ]


def format_table(rows: list[dict[str, str]]) -> str:
    widths = {c: max(len(c), *(len(row[c]) for row in rows)) for c in COLUMNS}
    lines = ["  ".join(c.ljust(widths[c]) for c in COLUMNS).rstrip()]
    lines.append("  ".join("-" * widths[c] for c in COLUMNS))
    lines += ["  ".join(row[c].ljust(widths[c]) for c in COLUMNS).rstrip() for row in rows]
    return "\n".join(lines)
