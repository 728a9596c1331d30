"""The demo province's people in care: clients, overdose episodes and their follow-up.

`load_demo_cases()` gives the overdose emergency response centres of the demo a few
hundred clients, every one of them invented: plausible, diverse names (no real
person's), health numbers with the fake 9998 prefix, phone numbers in the 555-01xx
range reserved for fiction. Their overdose episodes are opened from the demo's own
ED overdose visits (the `all_drug` matches in each centre's health authority), so
the case page links to a real demo record and those visits leave the worklist;
most recent visits stay on the worklist, waiting to be opened.

Around each episode: acute risk assessments across the four tiers, placements in
all four groups, care plans with goals, actions (some overdue) and referrals in
every state, and the follow-up clock with attempts of every outcome, some due,
some overdue and escalated. A few pairs of records are likely the same person,
left for the care team to merge; one pair is already merged.

Everything is drawn from one seeded generator and written in bulk (a few dozen
queries), once: a second call finds the demo clients and does nothing. Times are
relative to now, so a fresh demo always has follow-ups due today.
"""

import datetime as dt
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from cairn.access import actions as access_actions
from cairn.access.audit import record_audit_event
from cairn.access.models import Organization
from cairn.access.personas import PERSONAS
from cairn.cases import followups, matching, queries
from cairn.cases.actions import merge_clients
from cairn.cases.assessment import groups as care_groups
from cairn.cases.assessment.records import _line_dict, current_instrument, parsed
from cairn.cases.assessment.scoring import score
from cairn.cases.models import (
    Client,
    ClientContact,
    ClientHolding,
    ClientIdentifier,
    ClientMatchKey,
    ClientName,
    ConsentMethod,
    ContactMethod,
    EpisodeOrigin,
    EpisodeSource,
    EpisodeStatus,
    IdentifierKind,
    IdentityLink,
    IdentityStatus,
    NameKind,
    OverdoseEpisode,
    Sex,
)
from cairn.cases.models.assessments import RiskAssessment
from cairn.cases.models.followups import (
    AttemptOutcome,
    FollowUp,
    FollowUpAttempt,
    FollowUpNotice,
)
from cairn.cases.models.groups import CareGroup, GroupPlacement, GroupSupport
from cairn.cases.models.plans import (
    ActionStatus,
    GoalStatus,
    PlanAction,
    PlanGoal,
    Referral,
    ReferralChange,
    ReferralKind,
    ReferralStatus,
)
from cairn.geography.models import Jurisdiction
from cairn.surveillance.models import CaseDefinition, Event, EventMatch, Source

ACTOR = "demo setup"
KEY_PREFIX = "demo:cases:"  # creation_key of every demo client: how a rerun finds them
SEED = 1
DAYS_BACK = 240  # episodes come from ED overdose visits of the last eight months
RECENT_DAYS = 14  # the worklist's default window
RECENT_OPENED = 0.3  # share of recent visits already opened; the rest wait on the worklist
LAST_DAYS_OPENED = 0.7  # ... and of the last three days' visits (follow-ups due now)
CHILDREN = ("0-4", "5-9", "10-14")  # the response centres' follow-up is for youth and adults

# The second centre holds cases the ER nurse does not see (a care team sees its own).
FRASER_CENTRE = "Fraser Overdose Emergency Response Centre"
CENTRES = (
    # (organization, health authority it covers, clients)
    (PERSONAS["er_nurse"].organization, "bc-ha-vancouver-coastal", 260),
    (FRASER_CENTRE, "bc-ha-fraser", 70),
)


def _words(text: str) -> list[str]:
    return text.split()


# Names: common in British Columbia, across its communities; combined at random, so
# no combination is meant to be anyone.
GIVEN_TEXT = {
    "F": (
        "Amanda Ashley Chelsea Jessica Sarah Emily Megan Danielle Brittany Kayla Crystal "
        "Tanya Melissa Nicole Samantha Courtney Amber Leah Natasha Stephanie Marie Rose "
        "Angela Michelle Jasmine Priya Harpreet Simran Manpreet Gurleen Mei Ling Xin "
        "Jia Hui Thi Lan Linh Maria Cristina Joy Analyn Fatima Amira Sofia Isabel "
        "Chantal Sylvie Genevieve Aiyana Shawna Raven Tara Kendra Roberta Lorraine"
    ),
    "M": (
        "Michael Tyler Justin Kyle Brandon Cody Jordan Dustin Travis Ryan Jason Derek "
        "Shane Trevor Curtis Darren Wayne Dean Cory Colton Jesse Kevin Mark Brian Steven "
        "Harjit Gurpreet Jaspreet Rajinder Amandeep Wei Jun Hao Ming Minh Tuan Duc "
        "Paolo Ramon Jose Miguel Ahmed Omar Ali Mohammed Luc Mathieu Pierre Denis "
        "Darcy Clayton Virgil Leroy Howard Russell Ernest Gordon"
    ),
    "X": "Alex Jordan Taylor Casey Riley Jamie Morgan Quinn Robin Sky River Kai",
}
GIVEN = {sex: _words(text) for sex, text in GIVEN_TEXT.items()}
FAMILY = _words(
    "Smith Brown Wilson Johnson Taylor Campbell Anderson Thompson MacDonald Martin Stewart "
    "Robinson Clark Walker Young Harris Lewis Morrison Fraser Graham Murray Reid Bell "
    "Sandhu Gill Dhillon Sidhu Grewal Brar Johal Bains Sangha Chan Wong Lee Li Chen "
    "Wang Liu Zhang Huang Lam Ho Cheung Nguyen Tran Pham Le Santos Reyes Cruz Garcia "
    "Mendoza Bautista Tremblay Gagnon Roy Côté Bouchard Pelletier Lavoie "
    "Joseph Jack George Paul Charlie Louie Thomas Williams Sampson August Peters "
    "Jules Alexis Morris Edwards Khan Hussain Rahimi Ahmadi Kowalski Novak Ivanova "
    "Petrov Schmidt Müller Rossi Russo O'Brien Murphy Kelly Ryan Walsh"
)
SHORT_NAMES = {
    "Michael": "Mike",
    "Jessica": "Jess",
    "Samantha": "Sam",
    "Stephanie": "Steph",
    "Natasha": "Tasha",
    "Danielle": "Dani",
    "Jasmine": "Jas",
    "Harpreet": "Preet",
    "Mohammed": "Mo",
    "Trevor": "Trev",
    "Steven": "Steve",
    "Genevieve": "Gen",
    "Roberta": "Bobbie",
    "Cristina": "Tina",
    "Gurpreet": "Gary",
}
ALIASES = _words(
    "Sparrow Jay Blue Sunny River Ace Lucky Red Kit Birdie Scout Jojo Lulu Coco Max "
    "Rocky Moose Bear Dune Robin Tex Dee Bugsy Sarge Stretch Dot Ziggy Pepper Boots "
    "Hawk Wren Smiley Jazz Rio Nova Echo Storm Twig Pip Sol Bo Cricket Junebug Finch "
    "Rooster Magpie Cedar Sage Willow Fox Otter Ranger Dusty Buddy Champ Sprout Jinx"
)

HOUSING = {
    CareGroup.STREET_INVOLVED: (("sro", 4), ("shelter", 3), ("unsheltered", 3), ("supportive", 2)),
    CareGroup.HIDDEN_REGULAR: (("housed", 8), ("staying_with_others", 1)),
    CareGroup.RECREATIONAL: (("housed", 8), ("staying_with_others", 2)),
    CareGroup.FIRST_NATIONS: (
        ("housed", 3),
        ("staying_with_others", 3),
        ("shelter", 2),
        ("supportive", 1),
    ),
    CareGroup.NOT_ASSESSED: (("", 3), ("housed", 2), ("shelter", 1)),
}
GROUP_SHARES = (
    (CareGroup.STREET_INVOLVED, 0.38),
    (CareGroup.HIDDEN_REGULAR, 0.24),
    (CareGroup.RECREATIONAL, 0.14),
    (CareGroup.FIRST_NATIONS, 0.12),
    (CareGroup.NOT_ASSESSED, 0.12),
)
PLACEMENT_NOTES = {
    CareGroup.STREET_INVOLVED: "Uses most days; lives in the Downtown Eastside; knows the OPS.",
    CareGroup.HIDDEN_REGULAR: "Works full time in the trades; uses at home, mostly alone.",
    CareGroup.RECREATIONAL: "Uses occasionally at parties; did not know fentanyl was in it.",
    CareGroup.FIRST_NATIONS: "The person identifies as First Nations and chose culturally "
    "safe supports.",
    CareGroup.NOT_ASSESSED: "Not enough known yet to say.",
}
# Per group: how likely each risk answer is (item: ((option, weight), ...)).
ANSWER_WEIGHTS = {
    "prior_overdoses": (("none", 4), ("one", 3), ("two_or_more", 3)),
    "prior_overdose_recency": (("none", 4), ("within_12_months", 4), ("within_30_days", 2)),
    "ed_departure": (("discharged", 8), ("left_against_advice", 2)),
    "incarceration_release": (("no", 16), ("weeks_3_to_12", 2), ("within_2_weeks", 1)),
    "tolerance_loss": (("no", 12), ("weeks_5_to_12", 2), ("within_4_weeks", 2)),
    "current_oat": (("no", 7), ("yes", 3)),
    "using_alone": (("rarely", 4), ("sometimes", 3), ("usually", 3)),
    "benzodiazepines": (("no", 6), ("yes", 4)),
    "other_substances": (("no", 5), ("yes", 5)),
    "injection": (("no_injection", 5), ("injects", 3), ("injects_with_help_or_in_public", 2)),
    "mental_health": (("no", 6), ("yes", 4)),
    "primary_care": (("no", 5), ("yes", 5)),
}
GROUP_ANSWERS = {
    CareGroup.STREET_INVOLVED: {
        "prior_overdoses": (("none", 2), ("one", 3), ("two_or_more", 5)),
        "injection": (("no_injection", 3), ("injects", 4), ("injects_with_help_or_in_public", 3)),
        "primary_care": (("no", 7), ("yes", 3)),
    },
    CareGroup.HIDDEN_REGULAR: {
        "using_alone": (("rarely", 1), ("sometimes", 3), ("usually", 6)),
        "injection": (("no_injection", 8), ("injects", 2)),
        "current_oat": (("no", 9), ("yes", 1)),
    },
    CareGroup.RECREATIONAL: {
        "prior_overdoses": (("none", 8), ("one", 2)),
        "prior_overdose_recency": (("none", 8), ("within_12_months", 2)),
        "using_alone": (("rarely", 7), ("sometimes", 3)),
        "injection": (("no_injection", 9), ("injects", 1)),
        "current_oat": (("no", 10),),
    },
}

GOALS = {
    CareGroup.STREET_INVOLVED: (
        "Start opioid agonist treatment and stay on it",
        "Move from the shelter into supportive housing",
        "Never use alone: use at the overdose prevention site",
        "Reconnect with a family doctor",
    ),
    CareGroup.HIDDEN_REGULAR: (
        "Have a plan for not using alone at home",
        "Find treatment that fits work hours",
        "Get help with back pain that does not depend on street drugs",
    ),
    CareGroup.RECREATIONAL: (
        "Carry naloxone and know how to use it",
        "Check drugs before using",
    ),
    CareGroup.FIRST_NATIONS: (
        "Connect with the community's health centre",
        "Start opioid agonist treatment, with an Elder's support",
        "Find stable housing near family",
    ),
    CareGroup.NOT_ASSESSED: ("Talk again once the person is ready",),
}
ACTIONS = (
    "Phone the Rapid Access Addiction Clinic together to book a first visit",
    "Drop off a take-home naloxone kit",
    "Fill in the supportive housing application with the person",
    "Call the pharmacy about daily witnessed dosing times",
    "Ask the person's family doctor's office for an appointment",
    "Meet at the drop-in centre to talk about the plan",
    "Bring the person's ID replacement forms",
    "Introduce the person to a peer support worker",
)
OWNERS_TEXT = ("The person", "Outreach worker", "Peer support worker", "Family member")
REFERRALS = {
    CareGroup.STREET_INVOLVED: (
        (ReferralKind.TREATMENT, "Rapid Access Addiction Clinic"),
        (ReferralKind.HOUSING, "Supportive housing intake (BC Housing)"),
        (ReferralKind.HARM_REDUCTION, "Overdose prevention site"),
        (ReferralKind.PEER_SUPPORT, "Peer support network"),
    ),
    CareGroup.HIDDEN_REGULAR: (
        (ReferralKind.TREATMENT, "Evening OAT clinic"),
        (ReferralKind.PRIMARY_CARE, "Community health centre (primary care)"),
        (ReferralKind.MENTAL_HEALTH, "Mental health and substance use intake"),
    ),
    CareGroup.RECREATIONAL: (
        (ReferralKind.HARM_REDUCTION, "Drug-checking service"),
        (ReferralKind.HARM_REDUCTION, "Take-home naloxone site"),
    ),
    CareGroup.FIRST_NATIONS: (
        (ReferralKind.OTHER, "First Nations community health centre"),
        (ReferralKind.TREATMENT, "Rapid Access Addiction Clinic"),
        (ReferralKind.PEER_SUPPORT, "Indigenous peer and Elder support"),
    ),
    CareGroup.NOT_ASSESSED: ((ReferralKind.HARM_REDUCTION, "Take-home naloxone site"),),
}
# Where a referral ended up: the path of statuses after "proposed".
REFERRAL_PATHS = (
    ((), 2),
    ((ReferralStatus.SENT,), 3),
    ((ReferralStatus.SENT, ReferralStatus.ACCEPTED), 2),
    ((ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.STARTED), 3),
    (
        (
            ReferralStatus.SENT,
            ReferralStatus.ACCEPTED,
            ReferralStatus.STARTED,
            ReferralStatus.COMPLETED,
        ),
        1,
    ),
    ((ReferralStatus.DECLINED,), 1),
    ((ReferralStatus.SENT, ReferralStatus.NO_SHOW), 1),
    ((ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.NO_SHOW), 1),
)
ATTEMPT_NOTES = {
    AttemptOutcome.NOT_REACHED: (
        "No answer; did not leave a message (not known to be safe).",
        "Left a message at the number the person said was safe.",
        "Phone not in service; asked the shelter staff to pass on a note.",
        "Looked for the person at the drop-in; not there today.",
    ),
    AttemptOutcome.REACHED: (
        "Talked about how they are doing; dropped off naloxone.",
        "Met at the drop-in; talked about OAT options and the plan.",
        "Reached through the outreach worker; the person wants to start OAT.",
        "Short call; the person is safe and agreed to a visit on Friday.",
    ),
    AttemptOutcome.DECLINED: (
        "The person is doing okay and does not want follow-up for now; knows how to reach us.",
        "Reached; the person asked not to be called again. Gave the crisis line number.",
    ),
}
ATTEMPT_METHODS = (
    (ContactMethod.PHONE, 5),
    (ContactMethod.TEXT, 2),
    (ContactMethod.IN_PERSON, 2),
    (ContactMethod.THROUGH_SOMEONE, 1),
)
PLACES = (
    "Drop-in centre on Hastings, weekday afternoons",
    "The shelter on Cordova; ask at the front desk",
    "Overdose prevention site, evenings",
    "Community health centre, Tuesday clinic",
)


@dataclass
class Loaded:
    clients: int = 0
    episodes: int = 0
    from_visits: int = 0
    assessments: int = 0
    follow_ups: int = 0
    attempts: int = 0
    goals: int = 0
    actions: int = 0
    referrals: int = 0
    likely_duplicates: int = 0
    care_alerts: int = 0
    per_centre: dict = field(default_factory=dict)
    treatment: object = None  # cases_treatment.TreatmentLoaded

    def summary(self) -> str:
        centres = ", ".join(f"{name}: {n}" for name, n in self.per_centre.items())
        return (
            f"Demo cases: {self.clients} clients ({centres}), {self.episodes} overdose episodes "
            f"({self.from_visits} opened from demo ED visits), {self.assessments} risk "
            f"assessments, {self.follow_ups} follow-ups with {self.attempts} attempts, "
            f"{self.goals} goals, {self.actions} actions, {self.referrals} referrals, "
            f"{self.likely_duplicates} pairs of likely duplicates to review, "
            f"{self.care_alerts} care alerts about overdue actions."
            + (f" {self.treatment.summary()}" if self.treatment else "")
        )


def demo_cases_loaded() -> bool:
    return Client.objects.filter(creation_key__startswith=KEY_PREFIX).exists()


def _pick(rng, weighted):
    """One option of ((option, weight), ...), drawn with the seeded generator."""
    total = sum(weight for _, weight in weighted)
    u = rng.random() * total
    for option, weight in weighted:
        u -= weight
        if u < 0:
            return option
    return weighted[-1][0]


def _centre(name: str, authority: Jurisdiction) -> Organization:
    organization = Organization.objects.filter(name=name).first()
    if organization is None:
        organization = access_actions.create_organization(
            actor=ACTOR, name=name, sector="oerc", coverage=[authority]
        )
    return organization


def _overdose_visits(authority: Jurisdiction, since: dt.datetime) -> list[tuple]:
    """(id, occurred_at, community_id, sex, age_band, disposition) of the ED visits
    in the authority that meet `all_drug`, not yet behind an episode, oldest first."""
    definition = CaseDefinition.objects.filter(slug=queries.OVERDOSE_DEFINITION).first()
    if definition is None:
        return []
    communities = Jurisdiction.objects.filter(
        level="community", path__startswith=authority.path + "/"
    ).values_list("pk", flat=True)
    return list(
        Event.objects.filter(
            source=Source.EMERGENCY_DEPARTMENT,
            community_id__in=list(communities),
            occurred_at__gte=since,
        )
        .filter(Exists(EventMatch.objects.filter(event=OuterRef("pk"), definition=definition)))
        .exclude(Exists(EpisodeSource.objects.filter(event=OuterRef("pk"))))
        .exclude(disposition="died")
        .exclude(age_band__in=CHILDREN)
        .order_by("occurred_at", "pk")
        .values_list("id", "occurred_at", "community_id", "sex", "age_band", "disposition")
    )


def _birth_year(age_band: str, on: dt.date, rng) -> int:
    try:
        low, high = (int(x) for x in age_band.replace("+", "-94").split("-"))
    except ValueError:
        low, high = 25, 50
    return on.year - int(rng.integers(low, high + 1))


class _Builder:
    """Unsaved rows of every kind, written in bulk at the end."""

    def __init__(self, rng, now: dt.datetime):
        self.rng = rng
        self.now = now
        self.instrument = current_instrument()
        self.parsed = parsed(self.instrument)
        self.health_numbers = iter(rng.permutation(900_000) + 100_000)
        self.phones = iter(
            [f"{area}-555-01{n:02d}" for area in ("604", "778", "236") for n in range(100)][i]
            for i in rng.permutation(300)
        )
        self.people: list[dict] = []

    # One person --------------------------------------------------------------------

    def person(self, organization, visits: list[tuple], centre_user, *, sex=None) -> dict:
        rng = self.rng
        first = visits[0] if visits else None
        sex = sex or (
            first[3] if first and first[3] in ("F", "M") else _pick(rng, (("F", 1), ("M", 2)))
        )
        if rng.random() < 0.03:
            sex = "X"
        group = _pick(rng, GROUP_SHARES)
        anonymous = rng.random() < 0.2
        first_day = timezone.localtime(first[1]).date() if first else self.now.date()
        year = _birth_year(first[4] if first else "", first_day, rng)
        names = []
        if anonymous:
            names.append((NameKind.ALIAS, str(rng.choice(ALIASES)), ""))
        else:
            given = str(rng.choice(GIVEN[sex]))
            names.append((NameKind.LEGAL, given, str(rng.choice(FAMILY))))
            if given in SHORT_NAMES and rng.random() < 0.5:
                names.append((NameKind.PREFERRED, SHORT_NAMES[given], ""))
            if rng.random() < 0.12:
                names.append((NameKind.ALIAS, str(rng.choice(ALIASES)), ""))
        born = None
        if not anonymous and rng.random() < 0.85:
            born = dt.date(year, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365)))
        person = {
            "client_index": len(self.people),
            "organization": organization,
            "user": centre_user,
            "visits": visits,
            "group": group,
            "sex": {"F": Sex.FEMALE, "M": Sex.MALE, "X": Sex.INTERSEX_OR_ANOTHER}[sex],
            "gender": {
                "F": "woman",
                "M": "man",
                "X": _pick(rng, (("non_binary", 2), ("two_spirit", 1), ("prefers_not", 1))),
            }[sex],
            "names": names,
            "anonymous": anonymous,
            "date_of_birth": born,
            "approximate_age": None if born else first_day.year - year,
            "age_recorded_on": None if born else first_day,
            "health_number": (
                f"9998{next(self.health_numbers):06d}"
                if not anonymous and rng.random() < 0.7
                else ""
            ),
            "housing": _pick(rng, HOUSING[group]),
            "community_id": first[2] if first else None,
            "contacts": self.contacts(anonymous),
        }
        if group == CareGroup.FIRST_NATIONS and person["gender"] == "non_binary":
            person["gender"] = "two_spirit"
        self.people.append(person)
        return person

    def contacts(self, anonymous: bool) -> list[dict]:
        rng = self.rng
        rows = []
        if not anonymous and rng.random() < 0.55:
            rows.append(
                {
                    "method": _pick(rng, ((ContactMethod.PHONE, 3), (ContactMethod.TEXT, 2))),
                    "value": next(self.phones, "604-555-0100"),
                    "preferred": True,
                    "safe_to_leave_message": bool(rng.random() < 0.6),
                    "safe_to_say_who_is_calling": bool(rng.random() < 0.4),
                    "best_times": str(rng.choice(["Mornings", "After 4 pm", "Weekends", ""])),
                }
            )
        if anonymous or rng.random() < 0.35:
            through = rng.random() < 0.5
            rows.append(
                {
                    "method": ContactMethod.THROUGH_SOMEONE if through else ContactMethod.IN_PERSON,
                    "value": "Outreach worker at the shelter"
                    if through
                    else str(rng.choice(PLACES)),
                    "preferred": not rows,
                    "safe_to_leave_message": None,
                    "safe_to_say_who_is_calling": None,
                    "best_times": "",
                }
            )
        return rows

    # Writing ----------------------------------------------------------------------

    def write(self) -> tuple[list[Client], Loaded]:
        loaded = Loaded()
        today = timezone.localdate(self.now)
        clients = Client.objects.bulk_create(
            [
                Client(
                    display_name="",
                    date_of_birth=p["date_of_birth"],
                    approximate_age=p["approximate_age"],
                    age_recorded_on=p["age_recorded_on"],
                    sex=p["sex"],
                    gender=p["gender"],
                    housing_status=p["housing"],
                    housing_updated_on=today if p["housing"] else None,
                    home_community_id=p["community_id"],
                    identity_status=(
                        IdentityStatus.ANONYMOUS if p["anonymous"] else IdentityStatus.IDENTIFIED
                    ),
                    created_at=self._created(p),
                    created_by=p["user"],
                    creation_key=f"{KEY_PREFIX}{i}",
                )
                for i, p in enumerate(self.people)
            ]
        )
        if clients and clients[0].pk is None:  # a backend that does not return ids
            keys = {f"{KEY_PREFIX}{i}": i for i in range(len(self.people))}
            clients = sorted(
                Client.objects.filter(creation_key__in=keys), key=lambda c: keys[c.creation_key]
            )
        names, identifiers, contacts, holdings = [], [], [], []
        for client, p in zip(clients, self.people, strict=True):
            p["client"] = client
            source = f"ED visit {p['visits'][0][0]}" if p["visits"] else "entered by the team"
            p["name_rows"] = [
                ClientName(
                    client=client,
                    kind=kind,
                    given_name=given,
                    family_name=family,
                    source=source,
                    added_at=client.created_at,
                    added_by=ACTOR,
                )
                for kind, given, family in p["names"]
            ]
            names += p["name_rows"]
            p["identifier_rows"] = (
                [
                    ClientIdentifier(
                        client=client,
                        kind=IdentifierKind.HEALTH_NUMBER,
                        value=p["health_number"],
                        added_at=client.created_at,
                        added_by=ACTOR,
                    )
                ]
                if p["health_number"]
                else []
            )
            identifiers += p["identifier_rows"]
            p["contact_rows"] = [
                ClientContact(client=client, added_at=client.created_at, added_by=ACTOR, **c)
                for c in p["contacts"]
            ]
            contacts += p["contact_rows"]
            holdings.append(
                ClientHolding(
                    client=client,
                    organization=p["organization"],
                    since=client.created_at,
                    added_by=ACTOR,
                )
            )
            client.display_name = queries.display_name_for(p["name_rows"])
        ClientName.objects.bulk_create(names)
        ClientIdentifier.objects.bulk_create(identifiers)
        ClientContact.objects.bulk_create(contacts)
        ClientHolding.objects.bulk_create(holdings)
        Client.objects.bulk_update(clients, ["display_name"])
        keys = []
        for p in self.people:
            details = queries.person_details(
                p["client"], p["name_rows"], p["identifier_rows"], p["contact_rows"]
            )
            keys += [
                (matching.key_hash(key), p["client"].pk) for key in matching.blocking_keys(details)
            ]
        # The largest table (ten keys a person): plain rows, without building models.
        with connection.cursor() as cursor:
            quote = connection.ops.quote_name
            cursor.executemany(
                f"INSERT INTO {quote(ClientMatchKey._meta.db_table)} ({quote('key')}, "
                f"{quote('client_id')}) VALUES (%s, %s)",
                keys,
            )
        loaded.clients = len(clients)
        self._episodes(loaded)
        self._care(loaded)
        return clients, loaded

    def _created(self, p) -> dt.datetime:
        if p["visits"]:
            return min(p["visits"][0][1] + dt.timedelta(hours=2), self.now)
        return self.now - dt.timedelta(days=int(self.rng.integers(20, DAYS_BACK)))

    def _episodes(self, loaded: Loaded) -> None:
        rng, now = self.rng, self.now
        episodes, sources = [], []
        for p in self.people:
            p["episodes"] = []
            times = [(visit[1], visit) for visit in p["visits"]] or [(p["client"].created_at, None)]
            for occurred_at, visit in times:
                opened_at = min(occurred_at + dt.timedelta(hours=float(rng.uniform(1, 20))), now)
                old = (now - occurred_at).days > 60
                episode = OverdoseEpisode(
                    client=p["client"],
                    organization=p["organization"],
                    community_id=visit[2] if visit else p["community_id"],
                    occurred_at=occurred_at,
                    origin=EpisodeOrigin.ED_VISIT if visit else EpisodeOrigin.ENTERED,
                    status=EpisodeStatus.CLOSED
                    if old and rng.random() < 0.7
                    else EpisodeStatus.OPEN,
                    summary="" if visit else "Told us at the drop-in about an overdose at home.",
                    opened_at=opened_at,
                    opened_by=p["user"],
                    opened_by_username=p["user"].get_username() if p["user"] else ACTOR,
                )
                episodes.append(episode)
                p["episodes"].append((episode, visit))
        OverdoseEpisode.objects.bulk_create(episodes)
        for p in self.people:
            for episode, visit in p["episodes"]:
                if visit:
                    sources.append(
                        EpisodeSource(
                            episode=episode,
                            event_id=visit[0],
                            linked_at=episode.opened_at,
                            linked_by=episode.opened_by_username,
                        )
                    )
        EpisodeSource.objects.bulk_create(sources)
        loaded.episodes, loaded.from_visits = len(episodes), len(sources)

    def _answers(self, p: dict, visit) -> dict[str, str]:
        rng, group = self.rng, p["group"]
        answers = {}
        for item, weights in ANSWER_WEIGHTS.items():
            weights = GROUP_ANSWERS.get(group, {}).get(item, weights)
            if rng.random() < 0.93:  # a few items not asked
                answers[item] = _pick(rng, weights)
        if answers.get("prior_overdoses") == "none":
            answers["prior_overdose_recency"] = "none"
        answers["housing"] = {
            "housed": "stable",
            "supportive": "stable",
            "staying_with_others": "unstable",
            "sro": "unstable",
            "": "unstable",
        }.get(p["housing"], "without_housing")
        answers["first_nations"] = "yes" if group == CareGroup.FIRST_NATIONS else "no_or_not_said"
        if visit and visit[5] in ("left_ama", "lwbs"):
            answers["ed_departure"] = "left_against_advice"
        return answers

    def _care(self, loaded: Loaded) -> None:
        rng, now = self.rng, self.now
        assessments, placements, follow_ups = [], [], []
        for p in self.people:
            self._current = p
            client = p["client"]
            username = p["user"].get_username() if p["user"] else ACTOR
            first_open = p["episodes"][0][0].opened_at
            if p["group"] != CareGroup.NOT_ASSESSED or rng.random() < 0.3:
                placements.append(
                    GroupPlacement(
                        client=client,
                        group=p["group"],
                        note=PLACEMENT_NOTES[p["group"]],
                        placed_at=first_open + dt.timedelta(minutes=40),
                        placed_by=username,
                    )
                )
            p["tiers"] = []
            for episode, visit in p["episodes"]:
                if p["group"] == CareGroup.NOT_ASSESSED and rng.random() < 0.7:
                    continue
                if rng.random() < 0.1:
                    continue
                result = score(self.parsed, self._answers(p, visit))
                at = min(episode.opened_at + dt.timedelta(minutes=20), now)
                assessments.append(
                    RiskAssessment(
                        client=client,
                        episode=episode,
                        instrument=self.instrument,
                        answers={
                            line.item_key: line.option_key
                            for line in result.lines
                            if line.option_key
                        },
                        lines=[_line_dict(line) for line in result.lines],
                        total_points=result.total_points,
                        points_tier=result.points_tier,
                        tier=result.tier,
                        raised_by=list(result.raised_by),
                        unanswered=list(result.unanswered),
                        assessed_at=at,
                        assessed_by=p["user"],
                        assessed_by_username=username,
                    )
                )
                p["tiers"].append((at, result.tier))
        RiskAssessment.objects.bulk_create(assessments)
        GroupPlacement.objects.bulk_create(placements)
        loaded.assessments = len(assessments)

        attempts, notices = [], []
        still_running = self._clocks_kept_running()
        for p in self.people:
            self._current = p  # whose team records the attempts
            latest_tier = p["tiers"][-1][1] if p["tiers"] else ""
            for episode, _visit in p["episodes"]:
                start = episode.occurred_at
                tier = [
                    t for at, t in p["tiers"] if at <= episode.opened_at + dt.timedelta(hours=1)
                ]
                tier = tier[-1] if tier else ""
                follow_up = FollowUp(
                    episode=episode,
                    client=p["client"],
                    organization=p["organization"],
                    discharged_at=start,
                    started_at=episode.opened_at,
                    started_by=episode.opened_by_username,
                )
                rows = self._attempts(follow_up, start, still_running=episode.pk in still_running)
                if follow_up.contacted_at is None:
                    tier = latest_tier  # a reassessment moves the due time of open clocks
                follow_up.hours_allowed = followups.hours_allowed_for(tier)
                follow_up.tier_at_due = tier
                follow_up.due_at = followups.due_at_for(start, tier)
                if follow_up.contacted_at is None and follow_up.due_at < now - dt.timedelta(
                    hours=6
                ):
                    follow_up.escalated_at = follow_up.due_at + dt.timedelta(hours=1)
                follow_ups.append(follow_up)
                attempts.append((follow_up, rows))
        FollowUp.objects.bulk_create(follow_ups)
        attempt_rows = []
        for follow_up, rows in attempts:
            for row in rows:
                row.follow_up = follow_up
                attempt_rows.append(row)
            if follow_up.escalated_at:
                hours_late = int(
                    (follow_up.escalated_at - follow_up.due_at).total_seconds() // 3600
                )
                notices.append(
                    FollowUpNotice(
                        organization=follow_up.organization,
                        follow_up=follow_up,
                        message=f"Follow-up {follow_up.pk} is overdue by {hours_late} h "
                        f"(first contact was due within {follow_up.hours_allowed} h of discharge).",
                        created_at=follow_up.escalated_at,
                    )
                )
        FollowUpAttempt.objects.bulk_create(attempt_rows)
        FollowUpNotice.objects.bulk_create(notices)
        loaded.follow_ups, loaded.attempts = len(follow_ups), len(attempt_rows)
        self._plans(loaded)

    def _clocks_kept_running(self, per_team: int = 3) -> set[int]:
        """The newest episodes of each team whose clock would still run if nobody had
        reached the person yet: the demo keeps them open, so every team's worklist has
        follow-ups due (not only overdue or done), whatever the hour the demo is built."""
        open_clocks = []
        for p in self.people:
            latest_tier = p["tiers"][-1][1] if p["tiers"] else ""
            for episode, _visit in p["episodes"]:
                if followups.due_at_for(episode.occurred_at, latest_tier) > self.now:
                    open_clocks.append((episode.occurred_at, p["organization"].pk, episode.pk))
        kept, per_organization = set(), Counter()
        for _at, organization_id, episode_id in sorted(open_clocks, reverse=True):
            if per_organization[organization_id] < per_team:
                per_organization[organization_id] += 1
                kept.add(episode_id)
        return kept

    def _attempts(
        self, follow_up: FollowUp, start: dt.datetime, *, still_running: bool = False
    ) -> list[FollowUpAttempt]:
        """Attempts to reach the person; sets when contact was made, if it was."""
        rng, now = self.rng, self.now
        elapsed_h = (now - start).total_seconds() / 3600
        user = self._current["user"]
        username = user.get_username() if user else ACTOR
        if still_running:
            plan = _pick(rng, (("none", 1), ("missed", 1)))
        elif elapsed_h < 72:
            plan = _pick(rng, (("none", 5), ("missed", 4), ("reached", 2)))
        elif elapsed_h < 24 * 45:
            plan = _pick(
                rng,
                (
                    ("reached", 12),
                    ("missed_then_reached", 5),
                    ("declined", 2),
                    ("late", 2),
                    ("never", 3),
                ),
            )
        else:
            plan = _pick(
                rng, (("reached", 12), ("missed_then_reached", 5), ("declined", 2), ("late", 2))
            )
        outcomes = {
            "none": [],
            "missed": [AttemptOutcome.NOT_REACHED],
            "reached": [AttemptOutcome.REACHED],
            "missed_then_reached": [AttemptOutcome.NOT_REACHED, AttemptOutcome.REACHED],
            "declined": [AttemptOutcome.NOT_REACHED, AttemptOutcome.DECLINED],
            "late": [AttemptOutcome.NOT_REACHED] * 2 + [AttemptOutcome.REACHED],
            "never": [AttemptOutcome.NOT_REACHED] * int(rng.integers(1, 4)),
        }[plan]
        span = 150.0 if plan == "late" else 60.0
        hours = np.sort(rng.uniform(2, span, size=len(outcomes)))
        rows = []
        for outcome, h in zip(outcomes, hours, strict=True):
            at = start + dt.timedelta(hours=float(min(h, max(elapsed_h - 0.5, 0.1))))
            rows.append(
                FollowUpAttempt(
                    attempted_at=at,
                    outcome=outcome,
                    method=_pick(rng, ATTEMPT_METHODS),
                    note=str(rng.choice(ATTEMPT_NOTES[outcome])),
                    recorded_at=min(at + dt.timedelta(minutes=10), now),
                    recorded_by=user,
                    recorded_by_username=username,
                )
            )
            if outcome != AttemptOutcome.NOT_REACHED and follow_up.contacted_at is None:
                follow_up.contacted_at = at
                follow_up.contact_outcome = outcome
        return rows

    def _plans(self, loaded: Loaded) -> None:
        rng, now = self.rng, self.now
        supports = {}
        for support in GroupSupport.objects.filter(active=True):
            supports.setdefault((support.group, support.title.lower()), support)
        goals, actions, referrals = [], [], []
        for p in self.people:
            if rng.random() < 0.25:
                continue
            client, organization = p["client"], p["organization"]
            username = p["user"].get_username() if p["user"] else ACTOR
            made = p["episodes"][0][0].opened_at + dt.timedelta(hours=2)
            age_days = (now - made).days
            p["goals"] = []
            texts = GOALS[p["group"]]
            for text in rng.choice(
                texts, size=min(len(texts), int(rng.integers(1, 3))), replace=False
            ):
                status = GoalStatus.OPEN
                if age_days > 30 and rng.random() < 0.3:
                    status = _pick(rng, ((GoalStatus.ACHIEVED, 3), (GoalStatus.DROPPED, 1)))
                goal = PlanGoal(
                    client=client,
                    organization=organization,
                    text=str(text),
                    status=status,
                    created_at=made,
                    created_by=username,
                    status_changed_at=made + dt.timedelta(days=age_days * 0.7)
                    if status != GoalStatus.OPEN
                    else None,
                    status_changed_by=username if status != GoalStatus.OPEN else "",
                )
                goals.append(goal)
                p["goals"].append(goal)
            for text in rng.choice(ACTIONS, size=int(rng.integers(1, 4)), replace=False):
                due = (made + dt.timedelta(days=int(rng.integers(2, 21)))).date()
                status = ActionStatus.OPEN
                # Most actions due weeks ago were done; a few recent ones are overdue.
                done_share = 0.9 if due < now.date() - dt.timedelta(days=14) else 0.5
                if due < now.date() and rng.random() < done_share:
                    status = _pick(rng, ((ActionStatus.DONE, 5), (ActionStatus.CANCELLED, 1)))
                mine = p["user"] is not None and rng.random() < 0.5
                actions.append(
                    PlanAction(
                        client=client,
                        organization=organization,
                        goal=p["goals"][int(rng.integers(len(p["goals"])))],
                        text=str(text),
                        owner_user=p["user"] if mine else None,
                        owner_text="" if mine else str(rng.choice(OWNERS_TEXT)),
                        due_on=due if rng.random() < 0.85 else None,
                        status=status,
                        created_at=made,
                        created_by=username,
                        status_changed_at=min(
                            made + dt.timedelta(days=int(rng.integers(1, 20))), now
                        )
                        if status != ActionStatus.OPEN
                        else None,
                        status_changed_by=username if status != ActionStatus.OPEN else "",
                    )
                )
            options = REFERRALS[p["group"]]
            for index in rng.choice(len(options), size=int(rng.integers(0, 3)), replace=True):
                kind, to_whom = options[int(index)]
                steps = _pick(rng, REFERRAL_PATHS)
                days = np.sort(rng.uniform(0.2, max(age_days, 1), size=len(steps)))
                changes = [(ReferralStatus.PROPOSED, made)] + [
                    (status, min(made + dt.timedelta(days=float(d)), now))
                    for status, d in zip(steps, days, strict=True)
                ]
                referral = Referral(
                    client=client,
                    organization=organization,
                    kind=kind,
                    to_whom=to_whom,
                    status=changes[-1][0],
                    from_support=supports.get((p["group"], to_whom.lower())),
                    created_at=made,
                    created_by=username,
                    status_changed_at=changes[-1][1] if steps else None,
                    status_changed_by=username if steps else "",
                )
                referrals.append((referral, changes, username))
        PlanGoal.objects.bulk_create(goals)
        PlanAction.objects.bulk_create(actions)
        Referral.objects.bulk_create([r for r, _c, _u in referrals])
        ReferralChange.objects.bulk_create(
            [
                ReferralChange(referral=referral, status=status, changed_at=at, changed_by=user)
                for referral, changes, user in referrals
                for status, at in changes
            ]
        )
        loaded.goals, loaded.actions, loaded.referrals = len(goals), len(actions), len(referrals)


def _likely_duplicates(builder: _Builder, centre, user, pairs: int) -> list[tuple[dict, dict]]:
    """Second records of people already on record: a typo, a swapped day and month, a
    nickname; what an ED registration under pressure produces."""
    originals = [
        p
        for p in builder.people
        if p["organization"] == centre and not p["anonymous"] and p["date_of_birth"]
    ][:pairs]
    made = []
    for k, original in enumerate(originals):
        given, family = original["names"][0][1], original["names"][0][2]
        born = original["date_of_birth"]
        if k % 3 == 0 and len(family) > 4:
            family = family[:-2] + family[-1] + family[-2]  # two letters swapped
        elif k % 3 == 1 and born.day <= 12 and born.day != born.month:
            born = born.replace(day=born.month, month=born.day)
        elif given in SHORT_NAMES:
            given = SHORT_NAMES[given]
        else:  # one letter doubled, as heard over a busy triage desk
            given = given[:2] + given[1] + given[2:]
        copy = builder.person(
            centre, [], user, sex=original["sex"] if original["sex"] in ("F", "M") else None
        )
        copy.update(
            group=CareGroup.NOT_ASSESSED,
            anonymous=False,
            names=[(NameKind.LEGAL, given, family)],
            date_of_birth=born,
            approximate_age=None,
            age_recorded_on=None,
            health_number="",
            sex=original["sex"],
            gender=original["gender"],
            community_id=original["community_id"],
            contacts=[],
        )
        made.append((original, copy))
    return made


@transaction.atomic
def load_demo_cases(
    *, seed: int = SEED, now: dt.datetime | None = None, keep_waiting: Collection[int] = ()
) -> Loaded | None:
    """Clients and everything around them for the demo's care teams, once.

    `keep_waiting`: ids of visits to leave on the worklist (a test opens them itself).
    Returns None when the demo clients are there already, or when the ER nurse's
    centre does not exist (personas not created).
    """
    from cairn.demo.cases_treatment import load_demo_treatment

    if demo_cases_loaded():
        load_demo_treatment(seed=seed, now=now)  # a demo database loaded before it existed
        return None
    nurse = get_user_model().objects.filter(username=PERSONAS["er_nurse"].username).first()
    if nurse is None or not Organization.objects.filter(name=CENTRES[0][0]).exists():
        return None
    now = now or timezone.now()
    rng = np.random.default_rng(seed)
    care_groups.seed_group_catalogue()
    builder = _Builder(rng, now)
    since = now - dt.timedelta(days=DAYS_BACK)
    recent = now - dt.timedelta(days=RECENT_DAYS)
    per_centre, pairs = {}, []
    for name, authority_code, count in CENTRES:
        authority = Jurisdiction.objects.get(code=authority_code)
        centre = _centre(name, authority)
        user = nurse if name == CENTRES[0][0] else None
        visits = [v for v in _overdose_visits(authority, since) if v[0] not in keep_waiting]
        # The last three days: most visits already opened (their clocks are running); the
        # rest of the fortnight: a third opened, the others wait on the worklist.
        last_days = [v for v in visits if v[1] >= now - dt.timedelta(days=3)]
        recent_visits = [v for v in visits if recent <= v[1] < now - dt.timedelta(days=3)]
        older = [v for v in visits if v[1] < recent]
        opened = []
        for share, pool in ((LAST_DAYS_OPENED, last_days), (RECENT_OPENED, recent_visits)):
            chosen = rng.choice(len(pool), size=int(round(len(pool) * share)), replace=False)
            opened += [pool[int(i)] for i in chosen]
        # 1 to 3 overdoses a person; repeat overdoses are common after a first one.
        episodes_each = rng.choice([1, 2, 3], size=count, p=[0.74, 0.19, 0.07])
        wanted = int(episodes_each.sum()) - len(opened)
        picked = [
            older[int(i)]
            for i in rng.choice(len(older), size=min(wanted, len(older)), replace=False)
        ]
        pool = opened + picked
        order = rng.permutation(len(pool))
        pool = [pool[int(i)] for i in order]
        start = 0
        for k in range(count):
            take = pool[start : start + int(episodes_each[k])]
            start += len(take)
            builder.person(centre, sorted(take, key=lambda v: v[1]), user)
        duplicates = _likely_duplicates(builder, centre, user, 6 if user is not None else 0)
        pairs += [(original["client_index"], copy["client_index"]) for original, copy in duplicates]
        per_centre[name] = count + len(duplicates)
    clients, loaded = builder.write()
    loaded.per_centre = per_centre
    loaded.likely_duplicates = len(pairs)
    if pairs:
        # One pair the team has already merged (its history and undo are on the page).
        survivor, merged = clients[pairs[-1][0]], clients[pairs[-1][1]]
        merge_clients(
            actor=nurse,
            survivor=survivor,
            merged=merged,
            reason="Same person: ED registration spelled the name differently.",
        )
        loaded.likely_duplicates -= 1
    _identity_links(builder, now)
    # As the daily `cairn escalate-actions` would have: care alerts for overdue actions.
    from cairn.cases.plans import escalate_overdue_actions

    loaded.care_alerts = len(escalate_overdue_actions(today=timezone.localdate(now)))
    # Opioid agonist treatment and supporters (not for the likely duplicates' copies).
    loaded.treatment = load_demo_treatment(
        seed=seed, now=now, skip_ids=[clients[copy].pk for _original, copy in pairs]
    )
    record_audit_event(
        actor=ACTOR,
        action="demo.cases.load",
        target_type="cases.client",
        summary=f"Loaded the demo's case data: {loaded.clients} invented clients",
        details={"clients": loaded.clients, "episodes": loaded.episodes, "seed": seed},
    )
    return loaded


def _identity_links(builder: _Builder, now: dt.datetime) -> None:
    """A few people who started anonymous and later gave their name, with consent."""
    rows = []
    for p in builder.people:
        if len(rows) >= 5:
            break
        if not p["anonymous"] and len(p["episodes"]) > 1:
            rows.append(
                IdentityLink(
                    client=p["client"],
                    linked_at=min(p["episodes"][1][0].opened_at, now),
                    linked_by=ACTOR,
                    consent_method=ConsentMethod.VERBAL,
                    consent_note="Agreed to give their legal name so the clinic can book OAT.",
                    added=["legal name", "date of birth"],
                )
            )
    IdentityLink.objects.bulk_create(rows)


def delete_demo_cases() -> int:
    """Delete the demo's clients and everything recorded about them (before the demo
    events they point at are deleted); returns how many clients."""
    clients = Client.objects.filter(creation_key__startswith=KEY_PREFIX)
    ids = list(clients.values_list("pk", flat=True))
    if not ids:
        return 0
    from cairn.cases.models import ClientMerge
    from cairn.demo.cases_treatment import delete_demo_treatment

    delete_demo_treatment(ids)
    ClientMerge.objects.filter(survivor_id__in=ids).delete()
    ClientMerge.objects.filter(merged_id__in=ids).delete()
    FollowUpAttempt.objects.filter(follow_up__client_id__in=ids).delete()
    FollowUpNotice.objects.filter(follow_up__client_id__in=ids).delete()
    FollowUp.objects.filter(client_id__in=ids).delete()
    RiskAssessment.objects.filter(client_id__in=ids).delete()
    EpisodeSource.objects.filter(episode__client_id__in=ids).delete()
    OverdoseEpisode.objects.filter(client_id__in=ids).delete()
    Client.objects.filter(pk__in=ids).update(merged_into=None)
    Client.objects.filter(pk__in=ids).delete()
    return len(ids)
