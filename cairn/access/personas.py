"""The named people of the demo province and the tests.

Each persona is a user in an organization with one role. They are the same in
`make demo` and in the test suite, so a permission test reads like a sentence
("the police liaison cannot see the line list").
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from cairn.access import actions
from cairn.access.models import Organization
from cairn.access.roles import ROLES, Role
from cairn.geography.models import Jurisdiction


@dataclass(frozen=True)
class Persona:
    key: str
    username: str
    label: str
    organization: str
    sector: str
    coverage: tuple[str, ...]  # jurisdiction codes
    role: str

    @property
    def role_class(self) -> type[Role]:
        return ROLES[self.role]


PERSONAS: dict[str, Persona] = {
    p.key: p
    for p in [
        Persona(
            "er_nurse",
            "er.nurse",
            "ER nurse at the overdose emergency response centre",
            "Vancouver Coastal Overdose Emergency Response Centre",
            "oerc",
            ("bc-ha-vancouver-coastal",),
            "oerc_clinician",
        ),
        Persona(
            "outreach_worker",
            "outreach.worker",
            "Outreach worker, Prince George action team",
            "Prince George Community Action Team",
            "community_agency",
            ("bc-lha-prince-george",),
            "outreach_worker",
        ),
        Persona(
            "epidemiologist",
            "epidemiologist",
            "Provincial public-health epidemiologist",
            "Provincial Public Health Surveillance",
            "public_health",
            ("bc",),
            "provincial_epidemiologist",
        ),
        Persona(
            "regional_epidemiologist",
            "fraser.epidemiologist",
            "Fraser public-health epidemiologist",
            "Fraser Public Health",
            "public_health",
            ("bc-ha-fraser",),
            "regional_epidemiologist",
        ),
        Persona(
            "first_responder",
            "first.responder",
            "Firefighter and first responder, Prince George",
            "Prince George Fire Rescue",
            "municipal_government",
            ("bc-lha-prince-george",),
            "first_responder",
        ),
        Persona(
            "police_liaison",
            "police.liaison",
            "Police liaison, Prince George action team",
            "Prince George Police Detachment",
            "police",
            ("bc-lha-prince-george",),
            "police_liaison",
        ),
        Persona(
            "municipal_coordinator",
            "municipal.coordinator",
            "Municipal coordinator, Prince George",
            "City of Prince George",
            "municipal_government",
            ("bc-lha-prince-george",),
            "municipal_coordinator",
        ),
        Persona(
            "first_nations_partner",
            "fn.partner",
            "First Nations health partner, Northern region",
            "Northern First Nations Health Partnership",
            "first_nations",
            ("bc-ha-northern",),
            "first_nations_health_partner",
        ),
        Persona(
            "peer_worker",
            "peer.worker",
            "Peer support worker with lived experience",
            "Prince George Peer Support Network",
            "family_peer_group",
            ("bc-lha-prince-george",),
            "peer_support_worker",
        ),
        Persona(
            "service_intake",
            "clinic.intake",
            "Intake coordinator, Prince George rapid access addiction clinic",
            "Prince George Rapid Access Addiction Clinic",
            "service_provider",
            ("bc-lha-prince-george",),
            "service_intake",
        ),
        Persona(
            "communications_officer",
            "comms.officer",
            "Communications officer, Ministry of Mental Health and Addictions",
            "Ministry of Mental Health and Addictions",
            "ministry",
            ("bc",),
            "communications_officer",
        ),
        Persona(
            "administrator",
            "admin",
            "Cairn administrator",
            "Cairn Operations",
            "ministry",
            ("bc",),
            "administrator",
        ),
    ]
}


@transaction.atomic
def create_personas(*, password: str) -> dict[str, object]:
    """Create (or find) every persona's organization and user. Needs BC geography loaded."""
    User = get_user_model()
    users = {}
    for persona in PERSONAS.values():
        organization = Organization.objects.filter(name=persona.organization).first()
        if organization is None:
            coverage = list(Jurisdiction.objects.filter(code__in=persona.coverage))
            if len(coverage) != len(persona.coverage):
                raise LookupError(
                    f"Persona {persona.key} needs jurisdictions {persona.coverage}; "
                    "load the geography first (cairn load-geography)."
                )
            organization = actions.create_organization(
                actor="demo setup",
                name=persona.organization,
                sector=persona.sector,
                coverage=coverage,
            )
        user = User.objects.filter(username=persona.username).first()
        if user is None:
            user = actions.create_user(
                actor="demo setup",
                username=persona.username,
                password=password,
                first_name=persona.label,
                last_name="(demo)",
            )
        if not user.memberships.filter(organization=organization, role=persona.role).exists():
            actions.add_membership(
                actor="demo setup", user=user, organization=organization, role=persona.role
            )
        users[persona.key] = user
    return users
