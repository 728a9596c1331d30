"""Outreach encounters at scale: 40 action teams, 500,000 encounters over three years.

    python bench/bench_outreach_encounters.py [--encounters 500000] [--requests 60] [--keep]
                                              [--database cairn_bench_encounters] [--reuse]

Needs DATABASE_URL pointing to a PostgreSQL server. Builds a throwaway database (dropped
at the end unless --keep; --reuse measures again on a kept one), migrates it, loads BC's
geography and the personas, and writes with bulk_create: the Prince George team (the
personas' organizations on it) and 39 more teams in other communities; N encounters
spread over the last three years, a tenth of them the Prince George team's (BC's
busiest teams see a few thousand people a year; this is many times that), with the
groups, items and connections in the demo's proportions and 1% voided.

Then it prints p50/p95 in milliseconds of, through Django's test client (middleware,
session, templates, the audit writes), as outreach.worker unless said:

(a) recording one encounter: the phone form (fetch path, JSON answer), the API, and a
    retry with the same key (answered with the first encounter);
(b) the team's encounter list: newest page, one month, one group;
(c) the indicators page for twelve months, as the worker (full counts) and as the
    police liaison (suppressed), the CSV, and the indicators API.

Each figure is printed twice: the wall clock, and the wall clock minus the time this
process and its PostgreSQL backend waited for a CPU (Linux schedstat), which is what
the request itself takes on a machine shared with other work. The goal (every page and
write p95 under 100 ms) is judged on the second.
"""

import argparse
import datetime as dt
import os
import random
import sys
import time
import uuid
from pathlib import Path

from benchdb import build_and_measure, load_average, p95, percentiles

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_P95_MS = 100
SEED = 20261126
BATCH = 10_000
TEAMS = 40
SLUG = "prince-george"


def build(count: int) -> None:
    from django.utils import timezone

    from cairn.access.models import Organization
    from cairn.access.personas import PERSONAS, create_personas
    from cairn.demo.encounters import CHANCES, GROUP_WEIGHTS
    from cairn.geography.models import Jurisdiction, Level
    from cairn.outreach.models import Encounter, Team, TeamMember

    rng = random.Random(SEED)
    create_personas(password="bench")
    prince_george = Jurisdiction.objects.get(code="bc-lha-prince-george")
    others = list(
        Jurisdiction.objects.filter(level=Level.COMMUNITY)
        .exclude(pk=prince_george.pk)
        .order_by("code")[: TEAMS - 1]
    )
    joined = timezone.localdate() - dt.timedelta(days=4 * 365)
    teams = []
    for number, community in enumerate([prince_george, *others]):
        team = Team.objects.create(
            name="Prince George Community Action Team"
            if number == 0
            else f"{community.name} action team",
            slug=SLUG if number == 0 else f"team-{community.code}",
        )
        team.communities.set([community])
        teams.append((team, community))
    team, _ = teams[0]
    pg_organizations = {
        key: Organization.objects.get(name=PERSONAS[key].organization)
        for key in (
            "outreach_worker",
            "peer_worker",
            "police_liaison",
            "municipal_coordinator",
            "first_nations_partner",
        )
    }
    for organization in pg_organizations.values():
        TeamMember.objects.create(
            team=team, organization=organization, sector=organization.sector, joined_on=joined
        )
    worker = pg_organizations["outreach_worker"]
    for other, _ in teams[1:]:
        TeamMember.objects.create(
            team=other, organization=worker, sector="community_agency", joined_on=joined
        )
    groups, weights = zip(*GROUP_WEIGHTS, strict=True)
    today = timezone.localdate()
    now = timezone.now()
    made = 0
    while made < count:
        rows = []
        for _ in range(min(BATCH, count - made)):
            made += 1
            team, community = teams[0] if rng.random() < 0.1 else rng.choice(teams)
            group = rng.choices(groups, weights)[0]
            kits, train, check, info, supplies, treat, house, oerc, other, follow = (
                rng.random() < p for p in CHANCES[group]
            )
            day = today - dt.timedelta(days=rng.randrange(3 * 365))
            rows.append(
                Encounter(
                    team=team,
                    organization=worker,
                    recorded_by_name="bench",
                    recorded_at=now - dt.timedelta(days=(today - day).days),
                    occurred_on=day,
                    community=community,
                    place_description="Drop-in centre",
                    group=group,
                    naloxone_kits=rng.choice((1, 1, 2, 3)) if kits else 0,
                    naloxone_training=train,
                    drug_checking_referral=check,
                    information=info,
                    harm_reduction_supplies=supplies,
                    connected_to_treatment=treat,
                    connected_to_housing=house,
                    connected_to_oerc=oerc,
                    connected_to_other=other,
                    connection_note="Food bank" if other else "",
                    follow_up_needed=follow,
                    follow_up_note="Bring kits next week" if follow else "",
                    creation_key=f"bench:{made}",
                    voided_at=now if rng.random() < 0.01 else None,
                )
            )
        Encounter.objects.bulk_create(rows)


def schedstat(pid: int | str) -> tuple[int, int]:
    """(ns on a CPU, ns runnable but waiting for a CPU) of a process, from Linux."""
    try:
        with open(f"/proc/{pid}/schedstat") as handle:
            on_cpu, waiting, _ = handle.read().split()
        return int(on_cpu), int(waiting)
    except (OSError, ValueError):
        return 0, 0


BACKEND: list = []  # the PostgreSQL backend's pid, once known


def timed(function, repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock milliseconds of each call, and the same minus the time this process
    and its PostgreSQL backend spent waiting for a CPU (on a shared machine the wall
    clock includes other people's work); one untimed call first (templates compiled)."""
    from django.db import connection

    function()
    if not BACKEND:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            BACKEND.append(cursor.fetchone()[0])
    walls, unqueued = [], []
    for _ in range(repeat):
        before = schedstat("self")[1] + schedstat(BACKEND[0])[1]
        started = time.perf_counter()
        function()
        wall = (time.perf_counter() - started) * 1000
        waited = (schedstat("self")[1] + schedstat(BACKEND[0])[1] - before) / 1e6
        walls.append(wall)
        unqueued.append(max(0.0, wall - waited))
    return walls, unqueued


def measure(requests: int) -> list[str]:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from cairn.outreach.models import Encounter

    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=["outreach.worker", "police.liaison"])
    }
    worker, police = Client(), Client()
    worker.force_login(users["outreach.worker"])
    police.force_login(users["police.liaison"])
    missed = []
    pg_rows = Encounter.objects.filter(team__slug=SLUG).count()
    print(f"Prince George team: {pg_rows:,} encounters; all teams: {Encounter.objects.count():,}")

    def check(label, measured):
        walls, unqueued = measured
        print(f"{label:<46} {percentiles(walls)}")
        print(f"{'  without waiting for a CPU':<46} {percentiles(unqueued)}")
        if p95(unqueued) > GOAL_P95_MS:
            missed.append(f"{label} p95 {p95(unqueued):.0f} ms")

    def get(client, url):
        def go():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        return go

    today = timezone.localdate()
    form = {
        "occurred_on": today.isoformat(),
        "community": "bc-lha-prince-george",
        "group": "street_involved",
        "naloxone_kits": "2",
        "naloxone_training": "on",
        "connected_to_treatment": "on",
        "place_description": "Shelter drop-in",
    }
    keys = []

    def record_form():
        key = str(uuid.uuid4())
        keys.append(key)
        response = worker.post(
            f"/teams/{SLUG}/encounters/new/",
            {**form, "creation_key": key},
            headers={"Accept": "application/json"},
        )
        assert response.status_code == 201, response.content

    def record_api():
        response = worker.post(
            f"/api/v1/teams/{SLUG}/encounters",
            {**form, "naloxone_kits": 2, "naloxone_training": True, "connected_to_treatment": True},
            content_type="application/json",
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
        assert response.status_code == 201, response.content

    retries = iter(keys)

    def retry():
        response = worker.post(
            f"/teams/{SLUG}/encounters/new/",
            {**form, "creation_key": next(retries)},
            headers={"Accept": "application/json"},
        )
        assert response.status_code == 200, response.content

    print("(a) recording")
    check("phone form (fetch, JSON answer)", timed(record_form, requests))
    check("API POST", timed(record_api, requests))
    check("retry with the same key", timed(retry, requests - 1))
    month = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    print("(b) the team's list")
    check("list, newest page", timed(get(worker, f"/teams/{SLUG}/encounters/"), requests))
    check(
        "list, one month",
        timed(get(worker, f"/teams/{SLUG}/encounters/?month={month}"), requests),
    )
    check(
        "list, one group",
        timed(get(worker, f"/teams/{SLUG}/encounters/?group=first_nations"), requests),
    )
    print("(c) indicators, twelve months")
    page = f"/teams/{SLUG}/encounters/indicators/"
    check("indicators page, worker (full)", timed(get(worker, page), requests))
    check("indicators page, police (suppressed)", timed(get(police, page), requests))
    check(
        "indicators CSV, worker",
        timed(get(worker, f"/teams/{SLUG}/encounters/indicators.csv"), requests),
    )
    check(
        "indicators API, worker",
        timed(get(worker, f"/api/v1/teams/{SLUG}/encounters/indicators"), requests),
    )
    return missed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="cairn_bench_encounters")
    parser.add_argument("--encounters", type=int, default=500_000)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure on a database kept by --keep")
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        print("Set DATABASE_URL to a PostgreSQL server (postgres://...).", file=sys.stderr)
        return 2
    started = time.monotonic()
    missed = build_and_measure(
        base, args, build=lambda: build(args.encounters), measure=lambda: measure(args.requests)
    )
    verdict = "met" if not missed else "NOT met: " + "; ".join(missed)
    print(
        f"\ngoal (pages and writes p95 < {GOAL_P95_MS} ms with {args.encounters:,} encounters) "
        f"{verdict}; load {load_average()}; {time.monotonic() - started:.0f} s in all"
    )
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
