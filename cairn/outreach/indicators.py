"""A team's outreach indicators: aggregate counts by month and group, never a person.

Counted from the team's encounters that are not voided, in a period of whole months:
encounters, naloxone kits distributed, people trained in naloxone, drug-checking
referrals, and people connected to treatment, to housing and to a case at the overdose
emergency response centre (one encounter is one person met, so "people" counts
encounters with that box ticked).

Who sees what (`indicators_for_viewer`):
- the team's outreach workers (who see the encounters one by one anyway) and its
  clinical members (`is_clinical_member`: line-list tier or better for the team's
  communities) see every count as it is, and the CSV adds the month × group table;
- everyone else who may see the team (police, municipal and other partners,
  administrators) sees totals by month and totals by group only, each column with
  small counts suppressed (`cairn.access.suppression.suppress_row`, complementary
  suppression included) and the same grand total in both tables, hidden in both when
  either would hide it. The month × group table is not shown to them: in a small
  community its cells are single people (one First Nations person met in March who
  was connected to treatment).
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cairn.access.suppression import suppress_row
from cairn.cases.models.groups import CareGroup
from cairn.outreach.models import Encounter

MEASURES: list[tuple[str, str]] = [
    ("encounters", "Encounters"),
    ("naloxone_kits", "Naloxone kits distributed"),
    ("trained", "People trained in naloxone"),
    ("drug_checking", "Drug-checking referrals"),
    ("treatment", "People connected to treatment"),
    ("housing", "People connected to housing"),
    ("oerc", "People connected to the overdose response centre"),
]
MEASURE_KEYS = [key for key, _ in MEASURES]

GROUPS: list[tuple[str, str]] = [
    *[(value, label) for value, label in CareGroup.choices if value != CareGroup.NOT_ASSESSED],
    (CareGroup.NOT_ASSESSED.value, "Not recorded"),
]
GROUP_LABELS = dict(GROUPS)

_AGGREGATES = {
    "encounters": Count("id"),
    "naloxone_kits": Sum("naloxone_kits"),
    "trained": Count("id", filter=Q(naloxone_training=True)),
    "drug_checking": Count("id", filter=Q(drug_checking_referral=True)),
    "treatment": Count("id", filter=Q(connected_to_treatment=True)),
    "housing": Count("id", filter=Q(connected_to_housing=True)),
    "oerc": Count("id", filter=Q(connected_to_oerc=True)),
}


def _zero() -> dict[str, int]:
    return dict.fromkeys(MEASURE_KEYS, 0)


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last twelve months, this one included."""
    today = today or timezone.localdate()
    return add_months(month_start(today), -11), today


@dataclass
class TeamIndicators:
    """Counts as they are: by (month, group), by month, by group, and in total."""

    team: object
    start: dt.date
    end: dt.date
    months: list[dt.date]
    cells: dict[tuple[dt.date, str], dict[str, int]] = field(default_factory=dict)

    def cell(self, month: dt.date, group: str) -> dict[str, int]:
        return self.cells.get((month, group)) or _zero()

    @property
    def rows(self) -> list[dict]:
        """Month × group rows, every combination (zeros included), oldest month first."""
        return [
            {"month": month, "group": group, **self.cell(month, group)}
            for month in self.months
            for group, _ in GROUPS
        ]

    def _sum(self, keep) -> dict[str, int]:
        total = _zero()
        for (month, group), counts in self.cells.items():
            if keep(month, group):
                for key in MEASURE_KEYS:
                    total[key] += counts[key]
        return total

    @property
    def by_month(self) -> dict[dt.date, dict[str, int]]:
        return {m: self._sum(lambda month, _g, m=m: month == m) for m in self.months}

    @property
    def by_group(self) -> dict[str, dict[str, int]]:
        return {g: self._sum(lambda _m, group, g=g: group == g) for g, _ in GROUPS}

    @property
    def totals(self) -> dict[str, int]:
        return self._sum(lambda _m, _g: True)


def team_indicators(team, *, start: dt.date | None = None, end: dt.date | None = None):
    """The team's indicators from the first day of `start`'s month to `end` (inclusive);
    the last twelve months by default. Voided encounters are not counted."""
    default_start, default_end = default_period()
    start = month_start(start or default_start)
    end = end or default_end
    months = []
    month = start
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    found = (
        Encounter.objects.filter(
            team=team, voided_at__isnull=True, occurred_on__gte=start, occurred_on__lte=end
        )
        .annotate(month=TruncMonth("occurred_on"))
        .values("month", "group")
        .annotate(**_AGGREGATES)
        .order_by()
    )
    indicators = TeamIndicators(team=team, start=start, end=end, months=months)
    for row in found:
        month = row["month"]
        if isinstance(month, dt.datetime):
            month = month.date()
        indicators.cells[(month, row["group"])] = {key: row[key] or 0 for key in MEASURE_KEYS}
    return indicators


# As shown ---------------------------------------------------------------------------


@dataclass
class Table:
    """Rows of counts by measure; a value of None is shown as "suppressed"."""

    heading: str
    rows: list[tuple[str, list[int | None]]]
    total: list[int | None]


@dataclass
class IndicatorsView:
    team: object
    start: dt.date
    end: dt.date
    full: bool
    by_month: Table
    by_group: Table
    months: list[dt.date] = field(default_factory=list)
    measures: list[tuple[str, str]] = field(default_factory=lambda: list(MEASURES))
    indicators: TeamIndicators | None = None  # only for full viewers

    @property
    def total_items(self) -> list[tuple[str, int | None]]:
        """(measure label, grand total as shown) for the summary above the tables."""
        return [
            (label, value) for (_, label), value in zip(MEASURES, self.by_month.total, strict=True)
        ]

    @property
    def tables(self) -> list[Table]:
        return [self.by_month, self.by_group]

    @property
    def encounters(self) -> int | None:
        return self.by_month.total[0]


def _month_label(month: dt.date) -> str:
    return month.strftime("%b %Y")


def _table(heading, labels, counts_by_row, totals, *, suppressed: bool) -> tuple[Table, set]:
    """A table of rows × measures; with `suppressed`, each measure's column is suppressed
    as one line with its total. Returns the table and the measures whose total is hidden."""
    columns: dict[str, tuple[dict, int | None]] = {}
    hidden_totals = set()
    for key in MEASURE_KEYS:
        cells = {label: counts[key] for label, counts in zip(labels, counts_by_row, strict=True)}
        if suppressed:
            shown, total = suppress_row(cells)
            if total is None:
                hidden_totals.add(key)
        else:
            shown, total = cells, totals[key]
        columns[key] = (shown, total)
    rows = [(label, [columns[key][0][label] for key in MEASURE_KEYS]) for label in labels]
    return Table(heading, rows, [columns[key][1] for key in MEASURE_KEYS]), hidden_totals


def indicators_view(indicators: TeamIndicators, *, full: bool) -> IndicatorsView:
    by_month = indicators.by_month
    by_group = indicators.by_group
    totals = indicators.totals
    month_labels = [_month_label(m) for m in indicators.months]
    group_labels = [label for _, label in GROUPS]
    month_table, hidden_a = _table(
        "Month", month_labels, list(by_month.values()), totals, suppressed=not full
    )
    group_table, hidden_b = _table(
        "Group", group_labels, [by_group[g] for g, _ in GROUPS], totals, suppressed=not full
    )
    # One grand total in both tables: hidden in both when either hides it.
    for index, key in enumerate(MEASURE_KEYS):
        if key in hidden_a | hidden_b:
            month_table.total[index] = None
            group_table.total[index] = None
    return IndicatorsView(
        team=indicators.team,
        start=indicators.start,
        end=indicators.end,
        full=full,
        by_month=month_table,
        by_group=group_table,
        months=list(indicators.months),
        indicators=indicators if full else None,
    )


def sees_full_indicators(user, team) -> bool:
    from cairn.outreach.access import is_clinical_member
    from cairn.outreach.encounters import may_see_encounters

    return may_see_encounters(user, team) or is_clinical_member(user, team)


def indicators_for_viewer(user, team, *, start=None, end=None) -> IndicatorsView:
    """The team's indicators as this user may see them (see the module docstring).
    The caller has checked that the user may see the team."""
    return indicators_view(
        team_indicators(team, start=start, end=end), full=sees_full_indicators(user, team)
    )


SUPPRESSED_TEXT = "suppressed"


def indicators_csv(view: IndicatorsView) -> str:
    """CSV of what the viewer may see: totals by month and by group (and, for full
    viewers, every month × group row); suppressed counts read "suppressed"."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["breakdown", "month", "group", *MEASURE_KEYS])

    def shown(values):
        return [SUPPRESSED_TEXT if v is None else v for v in values]

    if view.full and view.indicators is not None:
        for row in view.indicators.rows:
            writer.writerow(
                [
                    "month_group",
                    row["month"].strftime("%Y-%m"),
                    row["group"],
                    *[row[k] for k in MEASURE_KEYS],
                ]
            )
    for month, (_label, values) in zip(view.months, view.by_month.rows, strict=True):
        writer.writerow(["month", month.strftime("%Y-%m"), "", *shown(values)])
    for (group, _), (_label, values) in zip(GROUPS, view.by_group.rows, strict=True):
        writer.writerow(["group", "", group, *shown(values)])
    writer.writerow(["total", "", "", *shown(view.by_month.total)])
    return out.getvalue()
