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
from django.db.models import Q

from cairn.access.permissions import communities_visible_to, data_tier_for, has_permission
from cairn.access.places import get_community_for_user
from cairn.access.roles import DataTier, Permission
from cairn.access.suppression import suppress_row
from cairn.cases.models import Client, RecordStatus
from cairn.cases.models.groups import CareGroup, GroupPlacement
from cairn.cases.models.treatment import OatEpisode, OatOrigin, OudDiagnosis
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
            Q(oat_dispensings__isnull=False)
            | Q(oat_episodes__isnull=False)
            | Q(oud_diagnosis__isnull=False)
        )
        .distinct()
        .values_list("pk", "home_community_id")
    )
    counts = counts_for(clients, as_of)
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
