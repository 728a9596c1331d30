"""Demo outreach encounters: a year of anonymous encounters for every demo action team.

Run after the demo teams exist (`load_demo_teams`). Idempotent: a team that already
has demo encounters (creation keys "demo:encounters:<team>:<n>") is left as it is, so
running it again adds nothing; a team added later gets its year on the next run.

The figures are invented but shaped like street outreach in a northern BC city: most
people met are in the street-involved group, many are First Nations, fewer are in the
recreational or the hidden regular-use group; more encounters in the cold months (people
gather at shelters and drop-ins) and around income-assistance day late in the month;
naloxone kits and harm-reduction supplies are the most common things given, a few
people are connected to treatment, housing or the response centre each month.
"""

import datetime as dt
import random
import zlib

from django.db import transaction
from django.utils import timezone

from cairn.access.models import Membership
from cairn.access.roles import ROLES, Permission
from cairn.cases.models.groups import CareGroup
from cairn.outreach.models import Encounter, Team
from cairn.outreach.models.teams import TeamMember

KEY_PREFIX = "demo:encounters:"
DAYS = 365

#: Encounters a month: the Prince George team is the demo's busiest; others are smaller.
PRINCE_GEORGE = "bc-lha-prince-george"
PRINCE_GEORGE_PER_MONTH = 75
OTHER_TEAMS_PER_MONTH = 35

#: Cold months bring more people to shelters and drop-ins, where outreach meets them.
MONTH_FACTOR = dict(
    enumerate([1.3, 1.25, 1.1, 1.0, 0.9, 0.85, 0.85, 0.9, 0.95, 1.05, 1.2, 1.3], start=1)
)

GROUP_WEIGHTS = [
    (CareGroup.STREET_INVOLVED, 46),
    (CareGroup.FIRST_NATIONS, 22),
    (CareGroup.RECREATIONAL, 8),
    (CareGroup.HIDDEN_REGULAR, 7),
    (CareGroup.NOT_ASSESSED, 17),
]

#: Chance of each item by group: kits, training, drug checking, information, supplies,
#: treatment, housing, response centre, other, follow-up.
CHANCES = {
    CareGroup.STREET_INVOLVED: (0.40, 0.10, 0.08, 0.35, 0.75, 0.07, 0.09, 0.03, 0.02, 0.12),
    CareGroup.FIRST_NATIONS: (0.42, 0.14, 0.07, 0.40, 0.70, 0.07, 0.08, 0.03, 0.04, 0.12),
    CareGroup.RECREATIONAL: (0.45, 0.30, 0.30, 0.55, 0.35, 0.02, 0.00, 0.01, 0.01, 0.04),
    CareGroup.HIDDEN_REGULAR: (0.50, 0.25, 0.18, 0.50, 0.40, 0.08, 0.01, 0.02, 0.02, 0.10),
    CareGroup.NOT_ASSESSED: (0.30, 0.08, 0.05, 0.45, 0.55, 0.03, 0.03, 0.01, 0.01, 0.05),
}

PLACES = {
    PRINCE_GEORGE: [
        "Downtown, near the public library",
        "Under the Fifth Avenue bridge",
        "Shelter drop-in",
        "Connaught Hill Park",
        "Bus exchange",
        "Riverside trail by the Fraser",
        "Outside the overdose prevention site",
        "Pharmacy parking lot, downtown",
        "",
    ],
}
GENERIC_PLACES = [
    "Downtown core",
    "Drop-in centre",
    "Transit hub",
    "Riverside trail",
    "Community hall",
    "Shelter entrance",
    "",
]
FOLLOW_UPS = [
    "Bring more naloxone kits next week",
    "Wants help getting to the rapid access clinic",
    "Asked about shelter beds for the winter",
    "Check in about the housing application",
    "Offer a ride to the drug-checking site",
    "Follow up on a replacement health card",
]
CONNECTION_NOTES = ["Peer support group", "Income assistance office", "Food bank", "Dental clinic"]

_RECORDING_ROLES = [key for key, role in ROLES.items() if role.has(Permission.RECORD_OUTREACH)]


def _recorders(team: Team) -> list[tuple[int | None, int, str]]:
    """(user id, organization id, username) of people who may record for the team; the
    member organizations themselves (no user) when none of them has a recorder."""
    today = timezone.localdate()
    seats = TeamMember.objects.filter(team=team, organization__isnull=False, joined_on__lte=today)
    organizations = sorted({s.organization_id for s in seats if s.is_current(today)})
    people = [
        (m.user_id, m.organization_id, m.user.get_username())
        for m in Membership.objects.filter(
            organization_id__in=organizations, role__in=_RECORDING_ROLES, user__is_active=True
        )
        .select_related("user")
        .order_by("organization_id", "user_id")
    ]
    if people:
        return people
    return [(None, organization_id, "demo outreach") for organization_id in organizations]


def _encounters_for(team: Team, *, end: dt.date) -> list[Encounter]:
    rng = random.Random(zlib.crc32(team.slug.encode()))
    communities = list(team.communities.order_by("name"))
    recorders = _recorders(team)
    if not communities or not recorders:
        return []
    in_prince_george = any(c.code == PRINCE_GEORGE for c in communities)
    per_month = PRINCE_GEORGE_PER_MONTH if in_prince_george else OTHER_TEAMS_PER_MONTH
    places = PLACES[PRINCE_GEORGE] if in_prince_george else GENERIC_PLACES
    groups, weights = zip(*GROUP_WEIGHTS, strict=True)
    rows = []
    start = end - dt.timedelta(days=DAYS - 1)
    n = 0
    for offset in range(DAYS):
        day = start + dt.timedelta(days=offset)
        expected = per_month / 30.4 * MONTH_FACTOR[day.month]
        if day.day >= 20 or day.day <= 2:  # around income-assistance day
            expected *= 1.25
        if day.weekday() == 6:  # fewer outreach shifts on Sundays
            expected *= 0.5
        count = sum(1 for _ in range(int(expected * 3)) if rng.random() < 1 / 3)
        for _ in range(count):
            n += 1
            group = rng.choices(groups, weights)[0]
            kits, train, check, info, supplies, treat, house, oerc, other, follow = (
                rng.random() < p for p in CHANCES[group]
            )
            user_id, organization_id, username = rng.choice(recorders)
            at = None
            if rng.random() < 0.7:
                at = dt.time(rng.randint(9, 21), rng.choice((0, 15, 30, 45)))
            latitude = longitude = None
            community = communities[0] if rng.random() < 0.8 else rng.choice(communities)
            if rng.random() < 0.3 and community.min_lat is not None:
                latitude = round(rng.uniform(community.min_lat, community.max_lat), 4)
                longitude = round(rng.uniform(community.min_lon, community.max_lon), 4)
            rows.append(
                Encounter(
                    team=team,
                    organization_id=organization_id,
                    recorded_by_id=user_id,
                    recorded_by_name=username,
                    recorded_at=timezone.make_aware(dt.datetime.combine(day, at or dt.time(17, 0))),
                    occurred_on=day,
                    occurred_at_time=at,
                    community=community,
                    latitude=latitude,
                    longitude=longitude,
                    place_description=rng.choice(places),
                    group=group,
                    naloxone_kits=rng.choice((1, 1, 1, 2, 2, 3)) if kits else 0,
                    naloxone_training=train,
                    drug_checking_referral=check,
                    information=info,
                    harm_reduction_supplies=supplies,
                    connected_to_treatment=treat,
                    connected_to_housing=house,
                    connected_to_oerc=oerc,
                    connected_to_other=other,
                    connection_note=rng.choice(CONNECTION_NOTES) if other else "",
                    follow_up_needed=follow,
                    follow_up_note=rng.choice(FOLLOW_UPS) if follow else "",
                    creation_key=f"{KEY_PREFIX}{team.slug}:{n}",
                )
            )
    return rows


def load_demo_encounters(*, end: dt.date | None = None) -> int:
    """A year of encounters (to `end`, yesterday by default) for every demo team without
    them; returns how many were added."""
    end = end or timezone.localdate() - dt.timedelta(days=1)
    added = 0
    for team in Team.objects.order_by("slug"):
        if Encounter.objects.filter(creation_key__startswith=f"{KEY_PREFIX}{team.slug}:").exists():
            continue
        rows = _encounters_for(team, end=end)
        with transaction.atomic():
            Encounter.objects.bulk_create(rows, batch_size=500)
        added += len(rows)
    return added
