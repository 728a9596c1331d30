"""Shared pieces of the URL permission matrix (tests/test_url_permissions.py).

Each area's rows live in their own module here (alerts.py, dashboards.py, ...) as
`ROWS`, so that areas built side by side do not edit one table.
"""

from dataclasses import dataclass, field

from cairn.access.personas import PERSONAS

ANONYMOUS = "anonymous"
EVERY_PERSONA = frozenset(PERSONAS)
PUBLIC = EVERY_PERSONA | {ANONYMOUS}

PRINCE_GEORGE = "bc-lha-prince-george"
VANCOUVER_CENTRE_NORTH = "bc-lha-vancouver-centre-north"
ABBOTSFORD = "bc-lha-abbotsford"

# Who may open each example community, written out by hand from the personas'
# coverage (cairn/access/personas.py) so the test does not trust the code it tests.
# They cover the whole province: wide-area roles, and the ministry communications officer.
WIDE_AREA = {"epidemiologist", "administrator", "communications_officer"}
COVERED_BY = {
    # Prince George LHA: the Prince George action team, and Northern HA's First Nations partner.
    PRINCE_GEORGE: frozenset(
        {
            "outreach_worker",
            "police_liaison",
            "municipal_coordinator",
            "peer_worker",
            "first_responder",
            "first_nations_partner",
            "service_intake",
            *WIDE_AREA,
        }
    ),
    # Vancouver Coastal HA: the ER nurse.
    VANCOUVER_CENTRE_NORTH: frozenset({"er_nurse", *WIDE_AREA}),
    # Fraser HA: the regional epidemiologist.
    ABBOTSFORD: frozenset({"regional_epidemiologist", *WIDE_AREA}),
}


@dataclass(frozen=True)
class Visit:
    """One request to a URL: who gets `success`, and what everyone else gets.

    Everyone else gets the refusal of the URL's kind (see the module docstring),
    unless `others` gives the status they get instead.
    """

    allowed: frozenset[str]
    kwargs: dict[str, str] = field(default_factory=dict)
    method: str = "get"
    success: int = 200
    others: int | None = None

    def label(self) -> str:
        parts = [self.method.upper(), *self.kwargs.values()]
        return "-".join(parts)


def community_visits() -> list[Visit]:
    return [Visit(allowed, kwargs={"code": code}) for code, allowed in COVERED_BY.items()]
