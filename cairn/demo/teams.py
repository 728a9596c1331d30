"""The demo's community action teams.

`load_demo_teams()` sets up the Prince George Community Action Team — the organizations
of the Prince George personas (outreach, police, the city, fire rescue, the peer network,
the First Nations partner, the rapid access clinic), a family group and a business
association that are not Cairn partners, a $100,000 CAI-style grant, and a plan with
goals and actions in all four areas of action, for all four groups, with owners, due
dates, statuses and indicators with progress — and three smaller teams in other
high-burden communities (Vancouver - Centre North, Greater Campbell River, Terrace).

It runs after the personas exist (`create_personas`). Idempotent: every row has a
creation key, so a second call finds them and changes nothing. Every write goes through
the same actions as the pages (`cairn.outreach.teams`), as the named system "demo setup".
Invented data only: the people named on the teams are not real.
"""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cairn.access.models import Organization
from cairn.access.personas import PERSONAS
from cairn.outreach import teams as team_plan
from cairn.outreach.models.teams import Team

ACTOR = "demo setup"
PG_TEAM = "Prince George Community Action Team"


@dataclass(frozen=True)
class Seat:
    key: str
    persona: str = ""  # a persona whose organization (and user) sits here
    organization: str = ""  # or a partner organization by name
    organization_name: str = ""  # or a group that is not a Cairn partner
    sector: str = ""
    person_name: str = ""
    role: str = "member"


@dataclass(frozen=True)
class Entry:
    key: str
    title: str
    area: str
    groups: tuple[str, ...]
    owner: str  # a Seat key
    due_in_days: int
    status: str
    goal: str = ""  # for an action: its goal's key
    indicator: tuple[str, str, int] | None = None  # (name, unit, target)
    progress: tuple[tuple[int, int], ...] = ()  # (days ago, value to date)


@dataclass(frozen=True)
class DemoTeam:
    key: str
    name: str
    communities: tuple[str, ...]
    description: str
    started_on: dt.date
    seats: tuple[Seat, ...]
    funding: tuple[tuple[str, str, int, dt.date, dt.date, str], ...]
    plan: tuple[Entry, ...]


PG_SEATS = (
    Seat("city", persona="municipal_coordinator", person_name="Jordan Whitford", role="chair"),
    Seat("fn", persona="first_nations_partner", person_name="Morgan Prince", role="co_chair"),
    Seat("outreach", persona="outreach_worker", person_name="Alex Moreau", role="coordinator"),
    Seat("police", persona="police_liaison", person_name="Cst. Sam Okafor"),
    Seat("fire", persona="first_responder", person_name="Riley Chen", sector="fire"),
    Seat("peer", persona="peer_worker", person_name="Casey Lavoie", role="lived_experience"),
    Seat("clinic", persona="service_intake", person_name="Taylor Singh"),
    Seat(
        "family",
        organization_name="Prince George Families for Change",
        sector="family_peer_group",
        person_name="Pat Delorme",
        role="lived_experience",
    ),
    Seat(
        "business",
        organization_name="Downtown Prince George Business Association",
        sector="business",
        person_name="Robin Hughes",
    ),
)

G = ("recreational", "street_involved", "hidden_regular", "first_nations")

PG_PLAN = (
    Entry(
        "hr-goal",
        "An overdose prevention site open evenings and weekends",
        "harm_reduction",
        ("street_involved", "first_nations"),
        "city",
        200,
        "in_progress",
        indicator=("Hours open a week", "hours", 60),
        progress=((120, 30), (30, 42)),
    ),
    Entry(
        "hr-mobile",
        "Mobile harm-reduction supplies on the Friday night route",
        "harm_reduction",
        ("street_involved",),
        "outreach",
        45,
        "done",
        goal="hr-goal",
        indicator=("Nights covered", "nights", 40),
        progress=((60, 20), (10, 38)),
    ),
    Entry(
        "hr-stigma",
        "Stigma-free language training for frontline city staff",
        "harm_reduction",
        (),
        "city",
        90,
        "planned",
        goal="hr-goal",
    ),
    Entry(
        "nx-goal",
        "Naloxone within reach of people who use alone",
        "naloxone",
        ("hidden_regular", "recreational"),
        "fire",
        300,
        "in_progress",
        indicator=("Kits distributed", "kits", 1500),
        progress=((150, 300), (60, 760), (5, 1010)),
    ),
    Entry(
        "nx-business",
        "Naloxone kits and training at downtown businesses",
        "naloxone",
        ("hidden_regular", "recreational"),
        "business",
        60,
        "in_progress",
        goal="nx-goal",
        indicator=("Businesses with a kit", "businesses", 80),
        progress=((30, 31),),
    ),
    Entry(
        "nx-trades",
        "Naloxone training with the trades union halls",
        "naloxone",
        ("hidden_regular",),
        "police",
        -10,
        "blocked",
        goal="nx-goal",
    ),
    Entry(
        "ds-goal",
        "Drug checking people can reach every week",
        "drug_supply",
        ("street_involved", "recreational", "first_nations"),
        "clinic",
        240,
        "planned",
        indicator=("Samples checked", "samples", 400),
        progress=((14, 55),),
    ),
    Entry(
        "ds-van",
        "Drug-checking van at the shelter and the friendship centre",
        "drug_supply",
        ("street_involved", "first_nations"),
        "peer",
        30,
        "in_progress",
        goal="ds-goal",
    ),
    Entry(
        "ds-alerts",
        "Drug alerts shared by text with people who use drugs",
        "drug_supply",
        (),
        "outreach",
        -20,
        "done",
        goal="ds-goal",
    ),
    Entry(
        "ps-goal",
        "Follow-up within 48 hours after every overdose",
        "proactive_support",
        G,
        "clinic",
        365,
        "in_progress",
        indicator=("People connected to treatment", "people", 150),
        progress=((90, 40), (7, 96)),
    ),
    Entry(
        "ps-ed",
        "Same-day OAT starts from the emergency department",
        "proactive_support",
        ("street_involved", "hidden_regular"),
        "clinic",
        75,
        "in_progress",
        goal="ps-goal",
    ),
    Entry(
        "ps-fn",
        "Culturally safe outreach with the First Nations health partner",
        "proactive_support",
        ("first_nations",),
        "fn",
        120,
        "planned",
        goal="ps-goal",
    ),
    Entry(
        "ps-families",
        "Support circle for families after an overdose",
        "proactive_support",
        (),
        "family",
        40,
        "planned",
    ),
)

OTHER_TEAMS = (
    DemoTeam(
        "vancouver",
        "Vancouver Downtown Eastside Community Action Team",
        ("bc-lha-vancouver-centre-north",),
        "Vancouver's response in the communities of the Downtown Eastside.",
        dt.date(2018, 2, 1),
        (
            Seat("oerc", persona="er_nurse", person_name="Jamie Tran", role="coordinator"),
            Seat(
                "peers",
                organization_name="Downtown Eastside Peer Network",
                sector="family_peer_group",
                role="lived_experience",
            ),
            Seat(
                "housing",
                organization_name="Hastings Supportive Housing Society",
                sector="housing_provider",
            ),
        ),
        (
            (
                "Community Action Initiative",
                "Community Action Team grant",
                100000,
                dt.date(2025, 4, 1),
                dt.date(2026, 3, 31),
                "Stream 1, one-time.",
            ),
        ),
        (
            Entry(
                "v-nx",
                "Naloxone in every single-room occupancy building",
                "naloxone",
                ("street_involved",),
                "housing",
                120,
                "in_progress",
                indicator=("Buildings with kits", "buildings", 90),
                progress=((20, 61),),
            ),
            Entry(
                "v-ps",
                "Peer navigators in the emergency department",
                "proactive_support",
                G,
                "oerc",
                200,
                "planned",
            ),
        ),
    ),
    DemoTeam(
        "campbell-river",
        "Campbell River Community Action Team",
        ("bc-lha-greater-campbell-river",),
        "Greater Campbell River's team.",
        dt.date(2018, 7, 1),
        (
            Seat(
                "city",
                organization_name="City of Campbell River",
                sector="municipal_government",
                role="chair",
            ),
            Seat(
                "nation",
                organization_name="Wei Wai Kum Health Centre",
                sector="first_nations",
                role="co_chair",
            ),
            Seat("business", organization_name="Campbell River Chamber", sector="business"),
        ),
        (
            (
                "Community Action Initiative",
                "Community Action Team grant",
                100000,
                dt.date(2025, 7, 1),
                dt.date(2026, 6, 30),
                "",
            ),
        ),
        (
            Entry(
                "c-ds",
                "Drug checking at the harm reduction site twice a week",
                "drug_supply",
                ("recreational", "street_involved"),
                "city",
                90,
                "in_progress",
            ),
            Entry(
                "c-hr",
                "Overdose prevention services on the waterfront",
                "harm_reduction",
                ("street_involved", "first_nations"),
                "nation",
                150,
                "planned",
            ),
        ),
    ),
    DemoTeam(
        "terrace",
        "Terrace Community Action Team",
        ("bc-lha-terrace",),
        "Terrace and area's team, with the Northwest's First Nations.",
        dt.date(2021, 7, 23),
        (
            Seat(
                "city",
                organization_name="City of Terrace",
                sector="municipal_government",
                role="chair",
            ),
            Seat("fn", persona="first_nations_partner", person_name="Dana Wesley"),
            Seat(
                "families",
                organization_name="Northwest Families Together",
                sector="family_peer_group",
                role="lived_experience",
            ),
        ),
        (
            (
                "Community Action Initiative",
                "Community Action Team grant",
                50000,
                dt.date(2025, 10, 1),
                dt.date(2026, 9, 30),
                "",
            ),
        ),
        (
            Entry(
                "t-ps",
                "A warm hand-off from the hospital to the friendship centre",
                "proactive_support",
                ("first_nations",),
                "fn",
                180,
                "planned",
            ),
            Entry(
                "t-nx",
                "Naloxone training for logging and mining camps",
                "naloxone",
                ("hidden_regular",),
                "city",
                100,
                "in_progress",
            ),
        ),
    ),
)

PRINCE_GEORGE = DemoTeam(
    "prince-george",
    PG_TEAM,
    ("bc-lha-prince-george",),
    "Municipal staff, First Nations, health care, first responders, families, people with "
    "lived experience and downtown businesses planning Prince George's overdose response.",
    dt.date(2018, 2, 1),
    PG_SEATS,
    (
        (
            "Community Action Initiative",
            "Community Action Team grant, Stream 1",
            100000,
            dt.date(2025, 4, 1),
            dt.date(2026, 3, 31),
            "One-time grant; report due each quarter.",
        ),
        (
            "City of Prince George",
            "Community safety and wellness",
            25000,
            dt.date(2026, 1, 1),
            dt.date(2026, 12, 31),
            "",
        ),
    ),
    PG_PLAN,
)

DEMO_TEAMS = (PRINCE_GEORGE, *OTHER_TEAMS)


def _key(team: DemoTeam, *parts) -> str:
    return "demo-" + "-".join([team.key, *map(str, parts)])


def _persona_organization(key: str) -> Organization:
    name = PERSONAS[key].organization
    organization = Organization.objects.filter(name=name).first()
    if organization is None:
        raise LookupError(f"No organization {name!r}: create the personas first.")
    return organization


def _persona_user(key: str):
    return get_user_model().objects.filter(username=PERSONAS[key].username).first()


def _load(spec: DemoTeam, today: dt.date) -> tuple[Team, bool]:
    existing = Team.objects.filter(name=spec.name).first()
    team = (
        team_plan.create_team(
            actor=ACTOR,
            name=spec.name,
            communities=list(spec.communities),
            description=spec.description,
            started_on=spec.started_on,
            idempotency_key=_key(spec, "team"),
        )
        if existing is None
        else existing
    )
    seats = {}
    for seat in spec.seats:
        organization = _persona_organization(seat.persona) if seat.persona else None
        user = _persona_user(seat.persona) if seat.persona else None
        seats[seat.key] = team_plan.add_member(
            actor=ACTOR,
            team=team,
            sector=seat.sector,
            organization_id=organization.pk if organization else None,
            organization_name=seat.organization_name,
            person_name=seat.person_name,
            team_role=seat.role,
            user_id=user.pk if user else None,
            joined_on=max(spec.started_on, today - dt.timedelta(days=600)),
            idempotency_key=_key(spec, "seat", seat.key),
        )
    for n, (funder, program, amount, starts, ends, notes) in enumerate(spec.funding):
        team_plan.add_funding(
            actor=ACTOR,
            team=team,
            funder=funder,
            program=program,
            amount=amount,
            starts_on=starts,
            ends_on=ends,
            notes=notes,
            idempotency_key=_key(spec, "funding", n),
        )
    goals = {}
    for entry in spec.plan:
        fields = {
            "actor": ACTOR,
            "team": team,
            "title": entry.title,
            "area": entry.area,
            "groups": list(entry.groups),
            "owner_id": seats[entry.owner].pk,
            "due_on": today + dt.timedelta(days=entry.due_in_days),
            "idempotency_key": _key(spec, "plan", entry.key),
        }
        if entry.key.endswith("goal"):
            row = goals[entry.key] = team_plan.add_goal(**fields)
            if row.status != entry.status:
                team_plan.set_goal_status(
                    actor=ACTOR, team=team, goal_id=row.pk, status=entry.status
                )
            target = {"goal_id": row.pk}
        else:
            goal = goals.get(entry.goal)
            row = team_plan.add_action(**fields, goal_id=goal.pk if goal else None)
            if row.status != entry.status:
                team_plan.set_action_status(
                    actor=ACTOR, team=team, action_id=row.pk, status=entry.status
                )
            target = {"action_id": row.pk}
        if entry.indicator:
            name, unit, goal_value = entry.indicator
            indicator = team_plan.add_indicator(
                actor=ACTOR,
                team=team,
                name=name,
                unit=unit,
                target=goal_value,
                idempotency_key=_key(spec, "indicator", entry.key),
                **target,
            )
            for days_ago, value in entry.progress:
                team_plan.record_progress(
                    actor=ACTOR,
                    team=team,
                    indicator_id=indicator.pk,
                    value=value,
                    recorded_on=today - dt.timedelta(days=days_ago),
                    idempotency_key=_key(spec, "progress", entry.key, days_ago),
                )
    return team, existing is None


@transaction.atomic
def load_demo_teams(*, today: dt.date | None = None) -> int:
    """Set up the demo's community action teams; returns how many were new (0 when the
    demo already has them)."""
    today = today or timezone.localdate()
    return sum(1 for spec in DEMO_TEAMS if _load(spec, today)[1])
