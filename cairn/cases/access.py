"""The choke points through which identifiable case data is opened.

A client record is visible only to members of the care team (a role with
VIEW_IDENTIFIABLE) of an organization that holds the person's case. A source
record (an ED visit, a paramedic report) and its identifying details are visible
to the care team whose organization covers the record's community. Every read
goes through a function here, which writes its audit event (who, when, which
record, for what purpose) in the same transaction as the read.

Everyone else — police, municipal partners, epidemiologists, administrators — is
refused: the page or API answers 403, and a record the user may not see answers
404, so that its existence is not disclosed.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from cairn.access.audit import record_audit_event
from cairn.access.models import Organization, Sector
from cairn.access.permissions import grants_for, has_permission, organizations_where
from cairn.access.roles import ROLES, Permission
from cairn.cases.models import Client, ClientHolding, RecordStatus
from cairn.cases.models.supporters import ConsentPurpose, Supporter, SupporterConsent
from cairn.geography.models import Jurisdiction, Level
from cairn.surveillance.models import Event, EventIdentity, Source


class Purpose(models.TextChoices):
    """Why someone opens a person's record; written with every read."""

    CARE = "care", "Providing care and follow-up"
    OPENING_CASE = "opening_case", "Opening a case from a source record"
    FINDING_PERSON = "finding_person", "Finding a person's record"
    DUPLICATE_REVIEW = "duplicate_review", "Checking for and merging duplicate records"
    SUPPORTING = "supporting", "Supporting the person, with their consent"


class InvalidPurpose(ValueError):
    pass


CARE_TEAM_ROLES = tuple(
    key for key, role in ROLES.items() if role.has(Permission.VIEW_IDENTIFIABLE)
)
CASE_SOURCES = (Source.EMERGENCY_DEPARTMENT, Source.PARAMEDIC)
NOT_CARE_TEAM = (
    "Only the care team of an organization that holds a person's case may see it; "
    "none of your roles is on a care team."
)


def check_purpose(purpose: str) -> str:
    if purpose not in Purpose.values:
        raise InvalidPurpose(
            f"Unknown purpose {purpose!r}; give one of {', '.join(Purpose.values)}."
        )
    return purpose


def care_team_organization_ids(user) -> list[int]:
    """The organizations in which the user holds a care-team role (VIEW_IDENTIFIABLE);
    from the user's grants, which are cached per request."""
    return organizations_where(user, Permission.VIEW_IDENTIFIABLE)


def case_manager_organization_ids(user) -> list[int]:
    """The organizations in which the user may change case records (MANAGE_CASES)."""
    return organizations_where(user, Permission.MANAGE_CASES)


def is_on_a_care_team(user) -> bool:
    return has_permission(user, Permission.VIEW_IDENTIFIABLE) and bool(
        care_team_organization_ids(user)
    )


def require_care_team(user) -> None:
    if not is_on_a_care_team(user):
        raise PermissionDenied(NOT_CARE_TEAM)


def clients_visible_to(user) -> QuerySet[Client]:
    """Every client (active or merged) held by one of the user's care-team organizations."""
    organizations = care_team_organization_ids(user)
    if not organizations or not has_permission(user, Permission.VIEW_IDENTIFIABLE):
        return Client.objects.none()
    held = ClientHolding.objects.filter(client=OuterRef("pk"), organization_id__in=organizations)
    return Client.objects.filter(Exists(held))


def care_team_communities(user) -> list[Jurisdiction]:
    """Communities where the user's care-team roles reach (their organizations' coverage)."""
    cached = getattr(user, "_cairn_care_team_communities", None)
    if cached is None:
        communities = Jurisdiction.objects.filter(level=Level.COMMUNITY).only(
            "id", "code", "name", "path"
        )
        cached = [c for c in communities if has_permission(user, Permission.VIEW_IDENTIFIABLE, c)]
        user._cairn_care_team_communities = cached
    return cached


def holding_organization_for(user, community: Jurisdiction | None = None) -> Organization:
    """The organization that will hold a case the user opens: one of their care-team
    organizations, the one covering the community when there are several."""
    organizations = list(
        Organization.objects.filter(pk__in=care_team_organization_ids(user)).prefetch_related(
            "coverage"
        )
    )
    if not organizations:
        raise PermissionDenied(NOT_CARE_TEAM)
    if community is not None:
        for organization in organizations:
            if any(area.contains(community) for area in organization.coverage.all()):
                return organization
    return organizations[0]


# Reads, each audited ----------------------------------------------------------------


def get_client_for_user(user, client_id, *, purpose: str) -> Client:
    """One client record, if the user's organizations hold it; the read is audited.

    Raises PermissionDenied for users on no care team, Http404 when no client with
    this id is held by their organizations (whether or not it exists), and
    InvalidPurpose for an unknown purpose.
    """
    require_care_team(user)
    check_purpose(purpose)
    try:
        client_id = int(client_id)
    except (TypeError, ValueError):
        raise Http404("No client record with this number.") from None
    with transaction.atomic():
        client = (
            clients_visible_to(user)
            .filter(pk=client_id)
            .select_related("home_community", "merged_into")
            .defer("home_community__boundary")  # a large GeoJSON, never shown here
            .first()
        )
        if client is None:
            raise Http404("No client record with this number is held by your organizations.")
        record_audit_event(
            actor=user,
            action="cases.client.read",
            target=client,
            summary=f"Opened client record {client.pk} ({Purpose(purpose).label.lower()})",
            details={"purpose": purpose},
        )
    return client


def record_client_list_read(user, client_ids: Iterable[int], *, purpose: str, what: str) -> None:
    """Audit a list that shows identifying details of several people (search results,
    duplicate candidates): which records, never the query text."""
    check_purpose(purpose)
    ids = sorted(set(client_ids))
    with transaction.atomic():
        record_audit_event(
            actor=user,
            action=f"cases.client.{what}",
            target_type="cases.client",
            target_id=",".join(str(i) for i in ids[:10]),
            summary=f"{what.replace('_', ' ').capitalize()}: {len(ids)} client records shown",
            details={"purpose": purpose, "client_ids": ids},
        )


def get_source_record_for_user(user, event_id, *, purpose: str):
    """An ED visit or paramedic report and its identifying details, for the care team
    covering its community; the read of the identity is audited.

    Returns (event, identity or None). Raises PermissionDenied off the care team and
    Http404 for a record that does not exist, is of another kind, or lies outside
    the user's communities.
    """
    require_care_team(user)
    check_purpose(purpose)
    try:
        event_id = int(event_id)
    except (TypeError, ValueError):
        raise Http404("No source record with this number.") from None
    with transaction.atomic():
        event = (
            Event.objects.filter(pk=event_id, source__in=CASE_SOURCES)
            .select_related("community")
            .defer("community__boundary")
            .first()
        )
        if event is None or not has_permission(user, Permission.VIEW_IDENTIFIABLE, event):
            raise Http404("No ED visit or paramedic report with this number in your communities.")
        identity = EventIdentity.objects.filter(event=event).first()
        record_audit_event(
            actor=user,
            action="cases.source_record.read",
            target=event,
            summary=f"Opened the identifying details of {event.get_source_display().lower()} "
            f"{event.pk} ({Purpose(purpose).label.lower()})",
            details={"purpose": purpose, "identity_present": identity is not None},
        )
    return event, identity


def managing_organization_id(user, client: Client) -> int:
    """The user's organization that holds the case and lets them change it
    (MANAGE_CASES); the first, if several. PermissionDenied otherwise."""
    mine = case_manager_organization_ids(user)
    held = ClientHolding.objects.filter(client=client, organization_id__in=mine)
    organization_id = held.order_by("organization_id").values_list("organization_id", flat=True)
    organization_id = organization_id.first()
    if organization_id is None:
        raise PermissionDenied(NOT_CARE_TEAM)
    return organization_id


# Supporters -------------------------------------------------------------------------
# A family member, friend or peer linked to a person's case, with a Cairn account of
# their own, sees what the person's consents in force allow — nothing else, and
# nothing once the last consent is revoked. Police and municipal members never do.

#: Organizations (and roles) whose members never see a person's record, even as supporters.
NEVER_CLIENT_DATA_SECTORS = (Sector.POLICE, Sector.MUNICIPAL_GOVERNMENT)
NEVER_CLIENT_DATA_ROLES = ("police_liaison", "municipal_coordinator")
NOT_A_SUPPORTER = "Police and municipal members never see a person's record, even as supporters."


def may_be_a_supporter(user) -> bool:
    """Whether this account may hold a supporter link at all: signed in, active, and
    not a member of police or municipal government (in any role)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    cached = getattr(user, "_cairn_may_support", None)
    if cached is None:
        excluded = any(g.role.key in NEVER_CLIENT_DATA_ROLES for g in grants_for(user))
        excluded = (
            excluded
            or user.memberships.filter(organization__sector__in=NEVER_CLIENT_DATA_SECTORS).exists()
        )
        cached = user._cairn_may_support = not excluded
    return cached


def require_supporter_access(user) -> None:
    if not may_be_a_supporter(user):
        raise PermissionDenied(NOT_A_SUPPORTER)


def _consents_in_force():
    return SupporterConsent.objects.filter(supporter=OuterRef("pk"), revoked_at__isnull=True)


def supporter_links_for(user) -> QuerySet[Supporter]:
    """The user's own supporter links that at least one consent in force opens, on
    active records. Callers that show names audit the list (`record_client_list_read`)."""
    require_supporter_access(user)
    return (
        Supporter.objects.filter(
            user=user, ended_at__isnull=True, client__status=RecordStatus.ACTIVE
        )
        .filter(Exists(_consents_in_force()))
        .select_related("client")
        .order_by("client_id")
    )


class SupporterView:
    """What a supporter may see of one person: the record, their link, and the purposes
    the person consented to (only these decide what is shown)."""

    def __init__(self, client: Client, supporter: Supporter, purposes: frozenset[str]):
        self.client = client
        self.supporter = supporter
        self.purposes = purposes

    def allows(self, purpose: str) -> bool:
        return ConsentPurpose(purpose) in self.purposes


def get_client_for_supporter(user, client_id, *, purpose: str = Purpose.SUPPORTING):
    """The supporter view of one person for a linked supporter, with the purposes the
    person's consents in force allow; the read is audited (`cases.client.supporter_read`,
    with the purposes). Http404 when the user is not linked to this person or no
    consent is in force (revoked consent cuts access at once); PermissionDenied for
    police and municipal members."""
    require_supporter_access(user)
    check_purpose(purpose)
    try:
        client_id = int(client_id)
    except (TypeError, ValueError):
        raise Http404("No person with this number.") from None
    with transaction.atomic():
        supporter = (
            Supporter.objects.filter(
                user=user,
                client_id=client_id,
                ended_at__isnull=True,
                client__status=RecordStatus.ACTIVE,
            )
            .select_related("client")
            .first()
        )
        purposes = frozenset()
        if supporter is not None:
            purposes = frozenset(
                ConsentPurpose(p)
                for p in supporter.consents.filter(revoked_at__isnull=True).values_list(
                    "purpose", flat=True
                )
            )
        if not purposes:
            raise Http404("You are not a supporter of this person with their consent in force.")
        record_audit_event(
            actor=user,
            action="cases.client.supporter_read",
            target=supporter.client,
            summary=f"Supporter view of client record {client_id} "
            f"({Purpose(purpose).label.lower()})",
            details={
                "purpose": purpose,
                "supporter_id": supporter.pk,
                "consents": sorted(purposes),
            },
        )
    return SupporterView(supporter.client, supporter, purposes)
