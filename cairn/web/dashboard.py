"""The dashboard's panels, chosen by the user's roles and permissions.

Most panels are placeholders until the capability that fills them arrives; each
says what will appear there and which capability brings it, so nobody mistakes an
empty panel for "nothing is happening".
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.urls import reverse

from cairn.access.models import Membership
from cairn.access.permissions import has_permission, roles_of
from cairn.access.roles import ROLES, DataTier, Permission
from cairn.geography.models import Jurisdiction


@dataclass(frozen=True)
class Link:
    label: str
    url_name: str

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class Panel:
    key: str
    title: str
    explains: str  # what appears here
    arrives_with: str = ""  # the capability that fills it; empty when it works today
    roles: frozenset[str] = frozenset()  # shown to these roles...
    permission: Permission | None = None  # ...or to anyone with this permission
    links: tuple[Link, ...] = field(default_factory=tuple)


_CLINICIAN = frozenset({"oerc_clinician"})
_EPIDEMIOLOGISTS = frozenset({"provincial_epidemiologist", "regional_epidemiologist"})
_ACTION_TEAM = frozenset({"outreach_worker", "peer_support_worker"})
_COMMUNITY_PARTNERS = frozenset(
    {"police_liaison", "municipal_coordinator", "first_nations_health_partner", "first_responder"}
)
_COMMUNITIES = Link("Open your communities", "community_list")

PANELS = [
    Panel(
        "quick_entry",
        "Report an overdose you attended",
        "A short form for the overdoses you respond to: when, where, whether it was fatal, "
        "naloxone doses and suspected substances. No name is needed.",
        roles=frozenset({"first_responder"}),
        links=(Link("Report an overdose", "intake:overdose_report"),),
    ),
    Panel(
        "ed_worklist",
        "New ED overdose visits to open as cases",
        "Emergency department visits for an overdose in the communities your centre covers, "
        "waiting for someone on the care team to open a case and reach out to the person.",
        roles=_CLINICIAN,
        links=(
            Link("Open the ED overdose worklist", "cases:worklist"),
            Link("Find a person", "cases:client_search"),
            Link("Add a person", "cases:client_create"),
        ),
    ),
    Panel(
        "follow_ups",
        "Follow-ups due",
        "People your team supports after an overdose whose next follow-up is due or overdue, "
        "soonest first: the first 48 hours and the first 30 days matter most.",
        roles=_CLINICIAN,
        links=(
            Link("Open the follow-up worklist", "cases:follow_up_worklist"),
            Link("Approaches for the four groups", "cases:group_catalogue"),
        ),
    ),
    Panel(
        "alerts",
        "Alerts",
        "Unusual rises in overdose events in your communities, found by spike rules (so many "
        "events within 24 hours) and by aberration detection. Your team's alerts arrive in "
        "your inbox and by email; public health and the response centre acknowledge, action "
        "or dismiss them.",
        permission=Permission.VIEW_AGGREGATES,
        links=(
            Link("Your alerts inbox", "alerts:inbox"),
            Link("Alerts in your communities", "alerts:alert_list"),
            Link("Choose which alerts you receive", "alerts:subscriptions"),
        ),
    ),
    Panel(
        "spike_rules",
        "Spike rules",
        "How many events within 24 hours raise an alert at once, for every community or for "
        "one: an automatic threshold from each community's recent days, or a number you set.",
        permission=Permission.MANAGE_ALERTS,
        links=(Link("Set spike rules", "alerts:spike_rules"),),
    ),
    Panel(
        "ranking",
        "Communities ranked by burden",
        "Communities ordered by their rate of overdose events per 100,000 people over the "
        "last 12 months, smoothed for small populations, with the range of ranks each could "
        "plausibly hold and the change from the year before; and the surveillance dashboards.",
        roles=_EPIDEMIOLOGISTS,
        links=(
            Link("Open the ranking", "ranking:ranking"),
            Link("Open the surveillance dashboards", "dashboards:index"),
        ),
    ),
    Panel(
        "quarantine",
        "Quarantine",
        "Incoming records that could not be read, each with the exact reason and where it "
        "failed, to correct and process again; and CSV extracts to import.",
        permission=Permission.MANAGE_INTAKE,
        links=(
            Link("Open the quarantine", "quarantine:list"),
            Link("Import a CSV extract", "quarantine:csv_import"),
        ),
    ),
    Panel(
        "team_encounters",
        "My team's encounters",
        "Anonymous encounters your community action team has recorded, and the connections "
        "to treatment and supports that followed.",
        roles=_ACTION_TEAM,
        links=(
            Link("Your teams: record an encounter, see the indicators", "outreach:teams"),
            Link("Refer someone to a service", "referrals:send"),
        ),
    ),
    Panel(
        "resources",
        "Resources",
        "Services near the people you support: overdose prevention sites, opioid agonist "
        "treatment, housing and peer support, with hours and capacity.",
        roles=_ACTION_TEAM | {"municipal_coordinator"},
        links=(Link("Find a service", "directory:search"),),
    ),
    Panel(
        "referrals_received",
        "Referrals to your organization",
        "People referred to your services by partner organizations, with only what each "
        "person agreed to share: accept or decline, then record whether they came. Overdue "
        "answers are flagged on both sides.",
        permission=Permission.RECEIVE_REFERRALS,
        links=(Link("Referrals received", "referrals:received"),),
    ),
    Panel(
        "listings",
        "Your directory listings",
        "Your organization's services in the public resource directory, stale listings "
        "first: confirm they are still correct, and keep capacity (same-day OAT, beds) current.",
        permission=Permission.MANAGE_LISTINGS,
        links=(Link("Your listings", "directory:my_listings"),),
    ),
    Panel(
        "campaigns",
        "Campaigns",
        "Your organization's public campaigns: the plan and calendar, materials checked for "
        "stigmatizing language before approval, surveys that measure whether minds changed, "
        "reach, and the campaign report beside the overdose and treatment figures.",
        permission=Permission.MANAGE_CAMPAIGNS,
        links=(Link("Open campaigns", "campaigns:campaign_list"),),
    ),
    Panel(
        "community_figures",
        "Community overdose figures (suppressed aggregates)",
        "Overdose events over time, rates per 100,000 people and maps for the communities "
        "your organization covers. Counts from 1 to 4 are shown as “suppressed”, and so are "
        "some larger counts where needed, so that no person can be recognised.",
        roles=_COMMUNITY_PARTNERS,
        links=(
            Link("Open the surveillance dashboard", "dashboards:index"),
            Link("The public dashboard", "public:index"),
        ),
    ),
    Panel(
        "first_nations_data",
        "First Nations data under First Nations data governance",
        "Data about First Nations people and communities, shown only as the First Nations "
        "partners who govern it have agreed, following the principles of ownership, control, "
        "access and possession.",
        arrives_with="Data-sharing agreements and First Nations data governance",
        roles=frozenset({"first_nations_health_partner"}),
    ),
    Panel(
        "campaign_approvals",
        "Campaigns for First Nations audiences",
        "Public campaigns addressed to First Nations people or communities where your "
        "organization works. None of their materials is published until a First Nations "
        "partner approves the campaign or asks for changes.",
        permission=Permission.APPROVE_FIRST_NATIONS_CAMPAIGNS,
        links=(Link("Open campaigns", "campaigns:campaign_list"),),
    ),
    Panel(
        "organizations",
        "Organizations and accounts",
        "Partner organizations, the communities each one covers, and the people who hold a "
        "role in them.",
        permission=Permission.MANAGE_ORGANIZATIONS,
        links=(
            Link("Organizations", "admin:access_organization_changelist"),
            Link("Memberships and roles", "admin:access_membership_changelist"),
        ),
    ),
    Panel(
        "audit_log",
        "Audit log",
        "Every sign-in, failed sign-in and administrative change: who did what, and when.",
        permission=Permission.VIEW_AUDIT_LOG,
        links=(Link("Open the audit log", "admin:access_auditevent_changelist"),),
    ),
    Panel(
        "language_terms",
        "Person-first language",
        "The list of stigmatizing terms, each with its person-first suggestion and the reason, "
        "that checks every campaign material and Cairn's own words. Each change is a new "
        "version; earlier versions are kept.",
        permission=Permission.MANAGE_LANGUAGE_TERMS,
        links=(
            Link("The term list", "campaigns:term_list"),
            Link("Check a text", "campaigns:language_check"),
        ),
    ),
]


def panels_for(user) -> list[Panel]:
    keys = {role.key for role in roles_of(user)}
    return [
        panel
        for panel in PANELS
        if panel.roles & keys
        or (panel.permission is not None and has_permission(user, panel.permission))
    ]


@dataclass(frozen=True)
class MembershipSummary:
    organization: str
    sector: str
    role_name: str
    role_description: str
    data_tier: DataTier
    coverage: list[str]


def memberships_of(user) -> list[MembershipSummary]:
    """The user's roles, each with its organization and the places it covers."""
    coverage = Prefetch(
        "organization__coverage", queryset=Jurisdiction.objects.defer("boundary").order_by("path")
    )
    summaries = []
    for membership in (
        Membership.objects.filter(user=user)
        .select_related("organization")
        .prefetch_related(coverage)
    ):
        role = ROLES.get(membership.role)
        if role is None:
            continue
        summaries.append(
            MembershipSummary(
                organization=membership.organization.name,
                sector=membership.organization.get_sector_display(),
                role_name=role.name,
                role_description=role.description,
                data_tier=role.data_tier,
                coverage=[j.name for j in membership.organization.coverage.all()],
            )
        )
    return summaries
