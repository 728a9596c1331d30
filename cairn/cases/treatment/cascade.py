"""The BC cascade of care for opioid use disorder, per community and per group.

Stages after Piske et al., Addiction 2020 (DOMAIN.md §2 [C]), computed on one date for
the active client records whose home community is in the viewer's reach. Each stage is
a subset of the one before; the denominator of every share is the first stage
("diagnosed"), and the stage's definition is shown with it (`STAGES`).

Viewers on the care team of every community counted see exact counts; everyone else
(the aggregate tier: police, municipal, outreach, epidemiologists, administrators)
sees counts of 1 to 4 suppressed, with complementary suppression down each column
whose total is shown (`cairn.access.suppression.suppress_row`).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from cairn.access.permissions import communities_visible_to, data_tier_for, has_permission
from cairn.access.places import get_community_for_user
from cairn.access.roles import DataTier, Permission
from cairn.access.suppression import suppress_row
from cairn.cases.models import Client, RecordStatus
from cairn.cases.models.groups import CareGroup, GroupPlacement
from cairn.cases.models.treatment import OatDispensing, OatEpisode, OatOrigin, OudDiagnosis
from cairn.cases.treatment import episodes, rules
from cairn.cases.treatment.records import dispensed_of


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    definition: str


def stages() -> list[Stage]:
    recent = rules.recent_days()
    result = [
        Stage(
            "diagnosed",
            "Diagnosed",
            "People with opioid use disorder: a diagnosis recorded by the care team on or "
            "before the date, or any OAT on record by then (OAT is itself evidence of the "
            "disorder, as in Piske et al. 2020). The denominator of every share.",
        ),
        Stage(
            "ever",
            "Ever on OAT",
            "At least one day on OAT on or before the date: a dispensing, or an episode "
            "the team entered.",
        ),
        Stage(
            "recent",
            "Recently on OAT",
            f"On OAT on at least one day of the {recent} days up to the date (window: a "
            "project setting; the published window was not retrieved).",
        ),
        Stage(
            "current",
            "Currently on OAT",
            "In an episode on the date: covered by a dispensing or within the drug's "
            "permissible gap after one, or in an entered episode not stopped.",
        ),
    ]
    for days in rules.retention_days():
        months = {30: "1 month", 90: "3 months", 365: "12 months", 730: "24 months"}.get(
            days, f"{days} days"
        )
        result.append(
            Stage(
                f"retained_{days}",
                f"Retained ≥ {months}",
                f"Currently on OAT and on OAT without a break for at least {days} days up to "
                "the date (episodes of any drug chained while the gap between them is "
                "within the permissible gap; switches do not break it).",
            )
        )
    return result


def person_stages(
    *, dispensed, entered, diagnosed_on, has_diagnosis: bool, as_of: dt.date
) -> set[str]:
    """The stages one person reaches on `as_of` (pure)."""
    runs = episodes.derive_runs(dispensed, as_of)
    intervals = episodes.intervals_from(runs, entered, as_of)
    reached: set[str] = set()
    if intervals:
        reached |= {"diagnosed", "ever"}
    elif has_diagnosis and (diagnosed_on is None or diagnosed_on <= as_of):
        reached.add("diagnosed")
    if not intervals:
        return reached
    all_courses = episodes.courses(intervals)
    window_start = as_of - dt.timedelta(days=rules.recent_days() - 1)
    if any(c.ongoing or c.end >= window_start for c in all_courses):
        reached.add("recent")
    current = episodes.course_on(all_courses, as_of)
    if current is not None:
        reached.add("current")
        days_on = (as_of - current.start).days + 1
        for days in rules.retention_days():
            if days_on >= days:
                reached.add(f"retained_{days}")
    return reached


@dataclass
class Cell:
    count: int | None  # None: suppressed
    share: int | None  # percent of the row's "diagnosed", rounded


@dataclass
class Row:
    key: str
    label: str
    cells: list[Cell]


@dataclass
class Cascade:
    as_of: dt.date
    stages: list[Stage]
    by_group: list[Row]
    group_total: Row
    by_community: list[Row]
    community_total: Row
    exact: bool
    scope_label: str
    communities: list = field(default_factory=list)


def _group_on(client_ids, as_of: dt.date) -> dict[int, str]:
    groups: dict[int, str] = {}
    placements = (
        GroupPlacement.objects.filter(client_id__in=client_ids, placed_at__date__lte=as_of)
        .order_by("client_id", "-placed_at", "-pk")
        .values_list("client_id", "group")
    )
    for client_id, group in placements:
        groups.setdefault(client_id, group)
    return groups


def counts_for(clients: list[tuple[int, int]], as_of: dt.date):
    """{(community_id, group): {stage: count}} for (client_id, community_id) pairs."""
    ids = [c for c, _ in clients]
    dispensed = dispensed_of(ids)
    entered: dict[int, list] = defaultdict(list)
    for episode in OatEpisode.objects.filter(client_id__in=ids, origin=OatOrigin.ENTERED):
        entered[episode.client_id].append(episode)
    diagnoses = dict(
        OudDiagnosis.objects.filter(client_id__in=ids).values_list("client_id", "diagnosed_on")
    )
    groups = _group_on(ids, as_of)
    counts: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for client_id, community_id in clients:
        reached = person_stages(
            dispensed=dispensed.get(client_id, []),
            entered=entered.get(client_id, []),
            diagnosed_on=diagnoses.get(client_id),
            has_diagnosis=client_id in diagnoses,
            as_of=as_of,
        )
        if not reached:
            continue
        key = (community_id, groups.get(client_id, CareGroup.NOT_ASSESSED))
        for stage in reached:
            counts[key][stage] += 1
    return counts


# The cascade in one SQL statement (PostgreSQL) ---------------------------------------

# Same rules as `person_stages`, set-based: each dispensing's covered days; a new run of
# a drug where the days since the run's last covered day so far exceed the drug's gap
# (window functions over the person's dispensing of that drug, in date order); runs
# and entered episodes as intervals; courses chained interval by interval exactly as
# `episodes.courses` does (a recursive step per interval: a person has few); then each
# person's stages, counted per community and group.
_CASCADE_SQL = """
WITH RECURSIVE people AS (
    SELECT * FROM unnest(%(ids)s::bigint[], %(communities)s::bigint[])
        AS p(client_id, community_id)
), rule AS (
    SELECT * FROM unnest(%(drugs)s::text[], %(covers)s::int[], %(gaps)s::int[])
        AS r(drug, covers, gap)
), dispensed AS (
    SELECT d.client_id, d.drug, d.dispensed_on AS day,
           (%(gaps)s::int[])[array_position(%(drugs)s::text[], d.drug::text)] AS gap,
           d.dispensed_on + GREATEST(
               CASE WHEN COALESCE(d.days_supply, 0) > 0 THEN d.days_supply
                    ELSE (%(covers)s::int[])[array_position(%(drugs)s::text[], d.drug::text)]
                         + d.carry_days END, 1) - 1 AS last_day
    FROM {dispensing} d
    WHERE d.client_id = ANY(%(ids)s::bigint[]) AND d.dispensed_on <= %(as_of)s
), marked AS (
    SELECT client_id, drug, gap, day, last_day,
           max(last_day) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
               AS prev_end,
           lead(day) OVER w AS next_day
    FROM dispensed
    WINDOW w AS (PARTITION BY client_id, drug ORDER BY day)
), edges AS (
    -- The rows that start a run, and each drug's last row: few, whatever the days.
    SELECT client_id, drug, gap, day, last_day, prev_end,
           prev_end IS NULL OR day - prev_end - 1 > gap AS starts
    FROM marked
    WHERE prev_end IS NULL OR day - prev_end - 1 > gap OR next_day IS NULL
), bounds AS (
    SELECT *, lead(starts) OVER e AS next_starts, lead(prev_end) OVER e AS next_prev_end,
           lead(last_day) OVER e AS next_last_day
    FROM edges
    WINDOW e AS (PARTITION BY client_id, drug ORDER BY day)
), runs AS (
    -- A run ends where the next one starts (the running maximum before it), or with the
    -- drug's last row.
    SELECT client_id, drug, gap, day AS start,
           CASE WHEN next_starts IS NULL THEN last_day
                WHEN next_starts THEN next_prev_end
                ELSE GREATEST(next_prev_end, next_last_day) END AS stop,
           next_starts IS NULL OR NOT next_starts AS latest
    FROM bounds
    WHERE starts
), intervals AS (
    SELECT client_id, drug, gap, start, stop,
           latest AND %(as_of)s - stop <= gap AS open, 0 AS entered, 0 AS neg_pk
    FROM runs
    UNION ALL
    SELECT e.client_id, e.drug, r.gap, e.started_on,
           CASE WHEN e.stopped_on < %(as_of)s THEN e.stopped_on ELSE %(as_of)s END,
           NOT COALESCE(e.stopped_on < %(as_of)s, false), 1, -e.id
    FROM {episode} e
    JOIN people p ON p.client_id = e.client_id
    JOIN rule r ON r.drug = e.drug
    WHERE e.origin = 'entered' AND e.started_on <= %(as_of)s
), ordered AS (
    SELECT *, row_number() OVER (
        PARTITION BY client_id
        ORDER BY start, stop, entered, CASE WHEN entered = 0 THEN drug ELSE '' END, neg_pk
    ) AS rn
    FROM intervals
), chain AS (
    SELECT client_id, rn, start AS c_start, stop AS c_end, gap AS l_gap, open AS l_open
    FROM ordered WHERE rn = 1
    UNION ALL
    SELECT o.client_id, o.rn,
           CASE WHEN j.joins THEN c.c_start ELSE o.start END,
           CASE WHEN j.joins AND NOT j.newer THEN c.c_end ELSE o.stop END,
           CASE WHEN NOT j.joins OR j.newer OR (o.open AND NOT c.l_open)
                THEN o.gap ELSE c.l_gap END,
           CASE WHEN NOT j.joins OR j.newer OR (o.open AND NOT c.l_open)
                THEN o.open ELSE c.l_open END
    FROM chain c
    JOIN ordered o ON o.client_id = c.client_id AND o.rn = c.rn + 1
    CROSS JOIN LATERAL (
        SELECT (o.start - c.c_end - 1 <= c.l_gap) OR (c.l_open AND o.start <= c.c_end)
                   AS joins,
               (o.stop, o.open) >= (c.c_end, c.l_open) AS newer
    ) j
), last_course AS (
    SELECT DISTINCT ON (client_id) client_id, c_start, l_open
    FROM chain ORDER BY client_id, rn DESC
), span AS (
    SELECT client_id, max(stop) AS max_end FROM ordered GROUP BY client_id
), placed AS (
    SELECT DISTINCT ON (g.client_id) g.client_id, g."group"
    FROM {placement} g
    JOIN people p ON p.client_id = g.client_id
    WHERE (g.placed_at AT TIME ZONE %(tz)s)::date <= %(as_of)s
    ORDER BY g.client_id, g.placed_at DESC, g.id DESC
), person AS (
    SELECT p.community_id, COALESCE(placed."group", %(not_assessed)s) AS care_group,
           s.client_id IS NOT NULL
               OR (dx.client_id IS NOT NULL
                   AND (dx.diagnosed_on IS NULL OR dx.diagnosed_on <= %(as_of)s))
               AS diagnosed,
           s.client_id IS NOT NULL AS ever,
           COALESCE(s.max_end >= %(window_start)s OR lc.l_open, false) AS recent,
           COALESCE(lc.l_open, false) AS current,
           CASE WHEN lc.l_open THEN %(as_of)s - lc.c_start + 1 ELSE 0 END AS days_on
    FROM people p
    LEFT JOIN span s ON s.client_id = p.client_id
    LEFT JOIN last_course lc ON lc.client_id = p.client_id
    LEFT JOIN {diagnosis} dx ON dx.client_id = p.client_id
    LEFT JOIN placed ON placed.client_id = p.client_id
)
SELECT community_id, care_group,
       count(*) FILTER (WHERE diagnosed),
       count(*) FILTER (WHERE ever),
       count(*) FILTER (WHERE recent),
       count(*) FILTER (WHERE current)
       {retention}
FROM person
WHERE diagnosed
GROUP BY community_id, care_group
"""


def counts_for_sql(clients: list[tuple[int, int]], as_of: dt.date):
    """What `counts_for` returns, computed by PostgreSQL in one statement."""
    retention = rules.retention_days()
    every = rules.all_rules()
    sql = _CASCADE_SQL.format(
        dispensing=OatDispensing._meta.db_table,
        episode=OatEpisode._meta.db_table,
        placement=GroupPlacement._meta.db_table,
        diagnosis=OudDiagnosis._meta.db_table,
        retention="".join(
            f", count(*) FILTER (WHERE current AND days_on >= {int(days)})" for days in retention
        ),
    )
    params = {
        "ids": [c for c, _ in clients],
        "communities": [community for _, community in clients],
        "drugs": [r.drug for r in every],
        "covers": [r.covers_days for r in every],
        "gaps": [r.gap_days for r in every],
        "as_of": as_of,
        "window_start": as_of - dt.timedelta(days=rules.recent_days() - 1),
        "tz": timezone.get_current_timezone_name(),
        "not_assessed": CareGroup.NOT_ASSESSED,
    }
    keys = ["diagnosed", "ever", "recent", "current", *(f"retained_{d}" for d in retention)]
    counts: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    with transaction.atomic(), connection.cursor() as cursor:
        # One sort of the people's dispensing: in memory rather than in temporary files.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(sql, params)
        for community_id, group, *values in cursor.fetchall():
            for stage, n in zip(keys, values, strict=True):
                if n:
                    counts[(community_id, group)][stage] = n
    return counts


def stage_counts(clients: list[tuple[int, int]], as_of: dt.date):
    """The counts per (community, group): in SQL on PostgreSQL, else person by person."""
    if connection.vendor == "postgresql":
        return counts_for_sql(clients, as_of)
    return counts_for(clients, as_of)


def _table(rows: list[tuple[str, str, dict[str, int]]], keys: list[str], exact: bool):
    """Rows of cells and a total row; suppressed down each column unless exact."""
    shown: dict[str, dict[str, int | None]] = {key: {} for key, _, _ in rows}
    totals: dict[str, int | None] = {}
    for stage in keys:
        column = {key: values.get(stage, 0) for key, _, values in rows}
        if exact:
            cells, total = dict(column), sum(column.values())
        else:
            cells, total = suppress_row(column)
        for key in column:
            shown[key][stage] = cells[key]
        totals[stage] = total

    def cells_of(values: dict[str, int | None]) -> list[Cell]:
        base = values.get("diagnosed")
        return [
            Cell(
                values.get(stage),
                round(100 * values[stage] / base)
                if base and values.get(stage) is not None
                else None,
            )
            for stage in keys
        ]

    table = [Row(key, label, cells_of(shown[key])) for key, label, _ in rows]
    return table, Row("total", "All", cells_of(totals))


def cascade_for(user, *, as_of: dt.date, community_code: str = "") -> Cascade:
    """The cascade the user may see: their communities (or one), by group and by community."""
    if not has_permission(user, Permission.VIEW_AGGREGATES):
        raise PermissionDenied("Your roles do not include aggregate figures.")
    if community_code:
        scope = [get_community_for_user(user, community_code)]
        scope_label = scope[0].name
    else:
        scope = list(communities_visible_to(user).only("id", "code", "name", "path"))
        scope_label = "All your communities"
    exact = bool(scope) and all(data_tier_for(user, c) == DataTier.IDENTIFIABLE for c in scope)
    names = {c.pk: c.name for c in scope}
    clients = list(
        Client.objects.filter(status=RecordStatus.ACTIVE, home_community_id__in=list(names))
        .filter(
            Exists(OatDispensing.objects.filter(client=OuterRef("pk")))
            | Exists(OatEpisode.objects.filter(client=OuterRef("pk")))
            | Exists(OudDiagnosis.objects.filter(client=OuterRef("pk")))
        )
        .values_list("pk", "home_community_id")
    )
    counts = stage_counts(clients, as_of)
    keys = [s.key for s in stages()]
    by_group_values: dict[str, dict[str, int]] = {g: defaultdict(int) for g in CareGroup.values}
    by_community_values: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (community_id, group), values in counts.items():
        for stage, n in values.items():
            by_group_values[group][stage] += n
            by_community_values[community_id][stage] += n
    group_rows = [
        (g, CareGroup(g).label, by_group_values[g])
        for g in [*CareGroup.values[1:], CareGroup.NOT_ASSESSED]
    ]
    by_group, group_total = _table(group_rows, keys, exact)
    community_rows = sorted(
        ((str(cid), names[cid], values) for cid, values in by_community_values.items()),
        key=lambda r: r[1],
    )
    by_community, community_total = _table(community_rows, keys, exact)
    return Cascade(
        as_of=as_of,
        stages=stages(),
        by_group=by_group,
        group_total=group_total,
        by_community=by_community,
        community_total=community_total,
        exact=exact,
        scope_label=scope_label,
        communities=sorted(scope, key=lambda c: c.name),
    )
