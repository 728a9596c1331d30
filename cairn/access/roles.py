"""Roles: named classes with a description and an explicit list of permissions.

A role never grants more than its list. What a member may see is further bounded
by the communities their organization covers (see `cairn.access.permissions`), unless
the role sets `wide_area`.
"""

from enum import IntEnum, StrEnum


class Permission(StrEnum):
    VIEW_DASHBOARD = "view_dashboard"
    VIEW_COMMUNITY = "view_community"
    VIEW_AGGREGATES = "view_aggregates"
    VIEW_LINE_LIST = "view_line_list"
    VIEW_IDENTIFIABLE = "view_identifiable"
    VIEW_FIRST_NATIONS_DATA = "view_first_nations_data"
    VIEW_AUDIT_LOG = "view_audit_log"
    MANAGE_ORGANIZATIONS = "manage_organizations"
    USE_ADMIN = "use_admin"
    SUBMIT_REPORTS = "submit_reports"  # send overdose reports: quick entry, FHIR, HL7 feeds
    MANAGE_INTAKE = "manage_intake"  # upload CSV extracts; correct and re-process quarantine
    MANAGE_CASE_DEFINITIONS = "manage_case_definitions"  # edit case definitions (audited)
    MANAGE_ALERTS = "manage_alerts"  # acknowledge, action or dismiss alerts; set spike rules
    MANAGE_CASES = "manage_cases"  # change held case records: plans, supporters, consents
    MANAGE_TEAMS = "manage_teams"  # set up action teams where covered: members, funding, plans
    RECORD_OUTREACH = "record_outreach"  # record outreach encounters for one's own teams
    SEND_REFERRALS = "send_referrals"  # refer people to services (closed-loop referrals)
    RECEIVE_REFERRALS = "receive_referrals"  # take in referrals to one's organization
    MANAGE_LISTINGS = "manage_listings"  # keep one's organization's listings current
    MANAGE_DIRECTORY = "manage_directory"  # curate every listing; HSDS import
    MANAGE_CAMPAIGNS = "manage_campaigns"  # plan and evaluate one's organization's campaigns
    APPROVE_FIRST_NATIONS_CAMPAIGNS = "approve_first_nations_campaigns"  # FN partners' approval
    MANAGE_LANGUAGE_TERMS = "manage_language_terms"  # edit the person-first term list


class DataTier(IntEnum):
    """The three tiers, in increasing order of sensitivity."""

    AGGREGATE = 1  # counts with 1–4 suppressed: everyone, including the public
    LINE_LIST = 2  # de-identified event-level records: public health
    IDENTIFIABLE = 3  # names, health numbers, contact details: the care team only

    @property
    def label(self) -> str:
        return {
            DataTier.AGGREGATE: "Aggregates with small counts suppressed",
            DataTier.LINE_LIST: "De-identified line lists",
            DataTier.IDENTIFIABLE: "Identifiable records (care team)",
        }[self]


_EVERY_MEMBER = [Permission.VIEW_DASHBOARD, Permission.VIEW_COMMUNITY, Permission.VIEW_AGGREGATES]


class Role:
    key: str
    name: str
    description: str
    permissions: frozenset[Permission]
    data_tier: DataTier = DataTier.AGGREGATE
    wide_area: bool = False

    @classmethod
    def has(cls, permission: Permission) -> bool:
        return permission in cls.permissions


class OverdoseResponseClinician(Role):
    key = "oerc_clinician"
    name = "Overdose response clinician"
    description = (
        "An ER nurse or clinician on the overdose emergency response centre's care team: "
        "opens cases, assesses risk, plans care and follows up with people after an overdose."
    )
    permissions = frozenset(
        [
            *_EVERY_MEMBER,
            Permission.VIEW_LINE_LIST,
            Permission.VIEW_IDENTIFIABLE,
            Permission.MANAGE_ALERTS,
            Permission.MANAGE_CASES,
            Permission.SEND_REFERRALS,
            Permission.RECEIVE_REFERRALS,
        ]
    )
    data_tier = DataTier.IDENTIFIABLE


class OutreachWorker(Role):
    key = "outreach_worker"
    name = "Outreach worker"
    description = (
        "Works on a community action team: reaches out to people at risk, records anonymous "
        "encounters and connects people to treatment and supports."
    )
    permissions = frozenset([*_EVERY_MEMBER, Permission.RECORD_OUTREACH, Permission.SEND_REFERRALS])


class ProvincialEpidemiologist(Role):
    key = "provincial_epidemiologist"
    name = "Provincial epidemiologist"
    description = (
        "Public-health epidemiologist for the whole province: de-identified line lists, "
        "case definitions, alerts and the ranking of communities."
    )
    permissions = frozenset(
        [
            *_EVERY_MEMBER,
            Permission.VIEW_LINE_LIST,
            Permission.MANAGE_INTAKE,
            Permission.MANAGE_CASE_DEFINITIONS,
            Permission.MANAGE_ALERTS,
        ]
    )
    data_tier = DataTier.LINE_LIST
    wide_area = True


class RegionalEpidemiologist(Role):
    key = "regional_epidemiologist"
    name = "Regional epidemiologist"
    description = (
        "Public-health epidemiologist of one health authority: de-identified line lists "
        "for the communities the organization covers."
    )
    permissions = frozenset(
        [
            *_EVERY_MEMBER,
            Permission.VIEW_LINE_LIST,
            Permission.MANAGE_CASE_DEFINITIONS,
            Permission.MANAGE_ALERTS,
        ]
    )
    data_tier = DataTier.LINE_LIST


class FirstResponder(Role):
    key = "first_responder"
    name = "First responder"
    description = (
        "A paramedic, firefighter or other first responder who reports the overdoses they "
        "attend (time, place, naloxone given), without names; sees community aggregates."
    )
    permissions = frozenset([*_EVERY_MEMBER, Permission.SUBMIT_REPORTS])


class PoliceLiaison(Role):
    key = "police_liaison"
    name = "Police liaison"
    description = (
        "A police member of a community action team: sees community aggregates with small "
        "counts suppressed, never a person's record."
    )
    permissions = frozenset(_EVERY_MEMBER)


class MunicipalCoordinator(Role):
    key = "municipal_coordinator"
    name = "Municipal coordinator"
    description = (
        "Municipal staff who coordinate the local response: community aggregates, team "
        "plans and resources."
    )
    permissions = frozenset([*_EVERY_MEMBER, Permission.MANAGE_TEAMS, Permission.MANAGE_CAMPAIGNS])


class FirstNationsHealthPartner(Role):
    key = "first_nations_health_partner"
    name = "First Nations health partner"
    description = (
        "A First Nations health organization's partner: community aggregates, and First "
        "Nations data under First Nations data governance."
    )
    permissions = frozenset(
        [
            *_EVERY_MEMBER,
            Permission.VIEW_FIRST_NATIONS_DATA,
            Permission.RECORD_OUTREACH,
            Permission.APPROVE_FIRST_NATIONS_CAMPAIGNS,
        ]
    )


class PeerSupportWorker(Role):
    key = "peer_support_worker"
    name = "Peer support worker"
    description = (
        "A person with lived or living experience who supports others, with their consent: "
        "community aggregates and resources."
    )
    permissions = frozenset([*_EVERY_MEMBER, Permission.RECORD_OUTREACH, Permission.SEND_REFERRALS])


class ServiceIntakeCoordinator(Role):
    key = "service_intake"
    name = "Service intake coordinator"
    description = (
        "Takes in referrals at a partner service (a treatment clinic, a housing provider): "
        "sees only what each person consented to share, accepts or declines, records "
        "completion, and keeps the organization's directory listings current."
    )
    permissions = frozenset(
        [*_EVERY_MEMBER, Permission.RECEIVE_REFERRALS, Permission.MANAGE_LISTINGS]
    )


class CommunicationsOfficer(Role):
    key = "communications_officer"
    name = "Communications officer"
    description = (
        "Communications staff of a ministry, health authority or action team: plans public "
        "campaigns, keeps their language free of stigma, and measures what each one did. "
        "Sees aggregates only; survey responses are anonymous."
    )
    permissions = frozenset([*_EVERY_MEMBER, Permission.MANAGE_CAMPAIGNS])


class Administrator(Role):
    key = "administrator"
    name = "Administrator"
    description = (
        "Runs Cairn: organizations, users, roles and the audit log. Sees aggregates only; "
        "administration does not open anyone's health record."
    )
    permissions = frozenset(
        [
            *_EVERY_MEMBER,
            Permission.VIEW_AUDIT_LOG,
            Permission.MANAGE_ORGANIZATIONS,
            Permission.USE_ADMIN,
            Permission.MANAGE_TEAMS,
            Permission.MANAGE_DIRECTORY,
            Permission.MANAGE_LANGUAGE_TERMS,
        ]
    )
    wide_area = True


ROLES: dict[str, type[Role]] = {
    role.key: role
    for role in [
        OverdoseResponseClinician,
        OutreachWorker,
        ProvincialEpidemiologist,
        RegionalEpidemiologist,
        FirstResponder,
        PoliceLiaison,
        MunicipalCoordinator,
        FirstNationsHealthPartner,
        PeerSupportWorker,
        ServiceIntakeCoordinator,
        CommunicationsOfficer,
        Administrator,
    ]
}
ROLE_CHOICES = [(key, role.name) for key, role in ROLES.items()]


def role_for_key(key: str) -> type[Role]:
    return ROLES[key]
