"""Finding the clients who may be a given person: the duplicate check and search.

Two steps, in one round trip to the database: the clients that share the most
blocking keys with the person (an index-only scan of `ClientMatchKey`, limited to
the clients the user's organizations hold), plus any with the same health number;
then, for those, what the matcher needs (birth date, sex, names, health numbers,
phones). Python scores each (`cairn.cases.matching.score`) and keeps the best.

The SQL is plain enough to run on PostgreSQL and SQLite alike (CTEs, UNION ALL,
CAST to text): the demo runs on SQLite.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from cairn.cases import matching
from cairn.cases.access import care_team_organization_ids
from cairn.cases.models import (
    HEALTH_NUMBER_KINDS,
    Client,
    ClientContact,
    ClientHolding,
    ClientIdentifier,
    ClientMatchKey,
    ClientName,
    ContactMethod,
    RecordStatus,
)

# How many clients sharing keys with a person are scored, best-placed first (the
# most keys in common). A name alone ("Smith") can be shared by more; the page then
# asks for a first name or a date of birth.
CANDIDATE_LIMIT = 100
DUPLICATE_RESULTS = 10


@dataclass
class Candidate:
    client: Client
    score: matching.MatchScore
    names: list[str] = field(default_factory=list)

    @property
    def band(self) -> str:
        return self.score.band


@dataclass
class CandidateSearch:
    candidates: list[Candidate]
    considered: int  # clients that shared keys and were scored
    truncated: bool  # more clients shared keys than were scored


def _placeholders(values: Sequence) -> str:
    return ", ".join(["%s"] * len(values))


def _tables() -> dict[str, str]:
    return {
        "keys": ClientMatchKey._meta.db_table,
        "holdings": ClientHolding._meta.db_table,
        "clients": Client._meta.db_table,
        "names": ClientName._meta.db_table,
        "identifiers": ClientIdentifier._meta.db_table,
        "contacts": ClientContact._meta.db_table,
    }


def _candidate_rows(
    hashes: Sequence[int], numbers: Sequence[str], organizations: Sequence[int], limit: int
) -> list[tuple]:
    """One query: the ranked candidates ('r', id, shared keys), the exact health-number
    matches ('x', id) and, for all of them, client ('c'), name ('n'), health number
    ('i') and phone ('p') rows."""
    t = _tables()
    orgs = _placeholders(organizations)
    held = (
        f"EXISTS (SELECT 1 FROM {t['holdings']} h WHERE h.client_id = k.client_id "
        f"AND h.organization_id IN ({orgs}))"
    )
    params: list = []
    if len(hashes) == 1:
        # One key (an alias, a family name alone): every client shares exactly one, so
        # the newest are taken straight from the index, without counting.
        ranked = (
            f"SELECT k.client_id AS id, 1 AS shared FROM {t['keys']} k "
            f"WHERE k.key = %s AND {held} ORDER BY k.client_id DESC LIMIT %s"
        )
        params += [*hashes, *organizations, limit]
    elif hashes:
        ranked = (
            f"SELECT k.client_id AS id, COUNT(*) AS shared FROM {t['keys']} k "
            f"WHERE k.key IN ({_placeholders(hashes)}) AND {held} "
            "GROUP BY k.client_id ORDER BY shared DESC, k.client_id DESC LIMIT %s"
        )
        params += [*hashes, *organizations, limit]
    else:
        ranked = f"SELECT k.client_id AS id, 0 AS shared FROM {t['keys']} k WHERE 1 = 0"
    if numbers:
        exact = (
            f"SELECT k.client_id AS id FROM {t['identifiers']} k "
            f"WHERE k.value IN ({_placeholders(numbers)}) "
            f"AND k.kind IN ({_placeholders(HEALTH_NUMBER_KINDS)}) AND {held}"
        )
        params += [*numbers, *HEALTH_NUMBER_KINDS, *organizations]
    else:
        exact = f"SELECT k.client_id AS id FROM {t['identifiers']} k WHERE 1 = 0"
    phones = [ContactMethod.PHONE, ContactMethod.TEXT]
    sql = f"""
        WITH ranked AS ({ranked}),
             exact AS ({exact}),
             chosen AS (SELECT id FROM ranked UNION SELECT id FROM exact)
        SELECT 'r', id, CAST(shared AS TEXT), NULL, NULL, 0 FROM ranked
        UNION ALL
        SELECT 'x', id, NULL, NULL, NULL, 0 FROM exact
        UNION ALL
        SELECT 'c', c.id, CAST(c.date_of_birth AS TEXT), CAST(c.approximate_age AS TEXT),
               COALESCE(CAST(c.age_recorded_on AS TEXT), '') || '|' || c.sex, 0
          FROM {t["clients"]} c
         WHERE c.id IN (SELECT id FROM chosen) AND c.status = %s
        UNION ALL
        SELECT 'n', n.client_id, n.kind, n.given_name, n.family_name, n.id
          FROM {t["names"]} n WHERE n.client_id IN (SELECT id FROM chosen)
        UNION ALL
        SELECT 'i', i.client_id, i.value, NULL, NULL, 0
          FROM {t["identifiers"]} i
         WHERE i.client_id IN (SELECT id FROM chosen)
           AND i.kind IN ({_placeholders(HEALTH_NUMBER_KINDS)})
        UNION ALL
        SELECT 'p', p.client_id, p.value, NULL, NULL, 0
          FROM {t["contacts"]} p
         WHERE p.client_id IN (SELECT id FROM chosen)
           AND p.method IN ({_placeholders(phones)}) AND p.active
    """
    params += [RecordStatus.ACTIVE, *HEALTH_NUMBER_KINDS, *phones]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text[:10]) if text else None


def _people(rows: list[tuple]) -> tuple[list[tuple[int, int]], set[int], dict]:
    """Ranked (id, shared), exact-match ids, and the PersonDetails of each active client."""
    ranked, exact = [], set()
    clients, names, numbers, phones = {}, defaultdict(list), defaultdict(list), defaultdict(list)
    for tag, pk, a, b, c, order in rows:
        if tag == "r":
            ranked.append((pk, int(a)))
        elif tag == "x":
            exact.add(pk)
        elif tag == "c":
            recorded, sex = (c or "|").rsplit("|", 1)
            clients[pk] = (_date(a), int(b) if b is not None else None, _date(recorded), sex)
        elif tag == "n":
            names[pk].append((order, matching.Name(b or "", c or "", a)))
        elif tag == "i":
            numbers[pk].append(a)
        elif tag == "p":
            phone = matching.normalize_phone(a)
            if phone:
                phones[pk].append(phone)
    people = {}
    for pk, (born, age, recorded, sex) in clients.items():
        birth_year = None
        if born is None and age is not None:
            birth_year = matching.birth_year_from_age(age, recorded or timezone.localdate())
        people[pk] = matching.PersonDetails(
            names=tuple(name for _, name in sorted(names[pk], key=lambda pair: pair[0])),
            date_of_birth=born,
            birth_year=birth_year,
            sex=sex,
            health_numbers=tuple(numbers[pk]),
            phones=tuple(phones[pk]),
        )
    ranked.sort(key=lambda pair: (-pair[1], -pair[0]))
    return ranked, exact, people


def find_candidates(
    user,
    person: matching.PersonDetails,
    *,
    exclude: Iterable[int] = (),
    limit: int = DUPLICATE_RESULTS,
    everything: bool = False,
) -> CandidateSearch:
    """Clients held by the user's organizations who may be this person, best first.

    `everything` keeps candidates below the "possible" band (search shows them all).
    Exact health-number matches are always looked up, even beyond the key limit.
    """
    organizations = care_team_organization_ids(user)
    hashes = sorted({matching.key_hash(key) for key in matching.query_keys(person)})
    if not organizations or not (hashes or person.health_numbers):
        return CandidateSearch([], considered=0, truncated=False)
    rows = _candidate_rows(hashes, person.health_numbers, organizations, CANDIDATE_LIMIT + 1)
    ranked, exact, people = _people(rows)
    truncated = len(ranked) > CANDIDATE_LIMIT
    considered = {pk for pk, _ in ranked[:CANDIDATE_LIMIT]} | exact
    considered -= set(exclude)
    scored = []
    for pk in considered:
        details = people.get(pk)
        if details is None:  # merged away since its keys were read
            continue
        result = matching.score(person, details)
        if everything or result.worth_showing:
            scored.append((pk, result, details))
    best = sorted(scored, key=lambda row: (not row[1].decisive, -row[1].points, -row[0]))[:limit]
    shown = Client.objects.in_bulk([pk for pk, _, _ in best])
    candidates = [
        Candidate(shown[pk], result, [name.text for name in details.names])
        for pk, result, details in best
        if pk in shown
    ]
    return CandidateSearch(candidates, considered=len(considered), truncated=truncated)
