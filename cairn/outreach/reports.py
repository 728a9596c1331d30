"""The progress report a team sends its funder, as PDF and as CSV.

What it holds: the team and its communities, members by sector (organizations only, no
person's name: the report leaves Cairn), funding, the plan by area of action with each
goal's and action's status, owner organization, due date and groups, every indicator
with its target, its latest value and its progress entries, and the team's outreach
indicators from its encounters (totals by month and by group, always with small counts
suppressed, whoever downloads it: the report is meant to be passed on).

One reading of the figures (`progress_report`) feeds both formats, so they agree.
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, Paragraph, Spacer

from cairn import pdf
from cairn.outreach import teams as team_plan
from cairn.outreach.models.teams import (
    PLAN_GROUPS,
    ActionStatus,
    GoalStatus,
    Team,
    TeamIndicator,
)

TITLE = "Community action team progress report"
SUPPRESSED = "suppressed"


def encounter_indicators(team: Team, *, start: dt.date | None, end: dt.date | None):
    """The team's outreach indicators, suppressed (None until the encounters part of
    Cairn is installed)."""
    try:
        from cairn.outreach.indicators import indicators_view, team_indicators
    except ImportError:  # pragma: no cover - encounters not installed
        return None
    return indicators_view(team_indicators(team, start=start, end=end), full=False)


@dataclass
class IndicatorLine:
    name: str
    unit: str
    target: Decimal | None
    actual: Decimal | None
    percent: int | None
    progress: list[tuple[dt.date, Decimal, str]]


@dataclass
class PlanLine:
    kind: str  # "goal" or "action"
    area: str
    title: str
    goal: str  # an action's goal
    groups: str
    owner: str
    due_on: dt.date | None
    status: str
    indicators: list[IndicatorLine] = field(default_factory=list)


@dataclass
class ProgressReport:
    team: Team
    communities: list[str]
    made_on: dt.date
    start: dt.date | None
    end: dt.date | None
    sectors: list[tuple[str, list[str]]]  # sector label -> organizations
    funding: list
    funding_totals: dict[str, Decimal]
    plan: list[PlanLine]
    status_counts: dict[str, dict[str, int]]
    groups_covered: list[tuple[str, int]]
    encounters: object | None  # cairn.outreach.indicators.IndicatorsView, suppressed


def _indicator_lines(indicators: list[TeamIndicator]) -> list[IndicatorLine]:
    lines = []
    for indicator in indicators:
        progress = indicator.progress_entries
        lines.append(
            IndicatorLine(
                name=indicator.name,
                unit=indicator.unit,
                target=indicator.target,
                actual=indicator.actual,
                percent=indicator.percent_of_target,
                progress=[(p.recorded_on, p.value, p.note) for p in progress],
            )
        )
    return lines


def _owner(entry) -> str:
    # The organization only: the report leaves Cairn, and the owner's name is not needed.
    return entry.owner.organization_label if entry.owner_id else ""


def progress_report(
    team: Team, *, start: dt.date | None = None, end: dt.date | None = None
) -> ProgressReport:
    """Everything the report shows. start and end bound the outreach indicators (default:
    the last twelve months); the plan and funding are as of today."""
    goal_labels, action_labels = dict(GoalStatus.choices), dict(ActionStatus.choices)
    lines: list[PlanLine] = []
    for area in team_plan.plan_of(team):
        for goal in area.goals:
            lines.append(
                PlanLine(
                    "goal",
                    area.label,
                    goal.title,
                    "",
                    ", ".join(goal.group_labels),
                    _owner(goal),
                    goal.due_on,
                    goal_labels[goal.status],
                    _indicator_lines(goal.indicator_list),
                )
            )
            for action in goal.action_list:
                lines.append(
                    PlanLine(
                        "action",
                        area.label,
                        action.title,
                        goal.title,
                        ", ".join(action.group_labels),
                        _owner(action),
                        action.due_on,
                        action_labels[action.status],
                        _indicator_lines(action.indicator_list),
                    )
                )
        for action in area.loose_actions:
            lines.append(
                PlanLine(
                    "action",
                    area.label,
                    action.title,
                    "",
                    ", ".join(action.group_labels),
                    _owner(action),
                    action.due_on,
                    action_labels[action.status],
                    _indicator_lines(action.indicator_list),
                )
            )
    sectors = []
    for seats in team_plan.members_by_sector(team):
        organizations = sorted({m.organization_label for m in seats.members})
        sectors.append((seats.label, organizations))
    funding, totals = team_plan.funding_of(team)
    covered = team_plan.groups_covered(team)
    labels = dict(PLAN_GROUPS)
    return ProgressReport(
        team=team,
        communities=sorted(c.name for c in team.communities.all()),
        made_on=timezone.localdate(),
        start=start,
        end=end,
        sectors=sectors,
        funding=funding,
        funding_totals=totals,
        plan=lines,
        status_counts=team_plan.status_summary(team),
        groups_covered=[(labels[g], n) for g, n in covered.items()],
        encounters=encounter_indicators(team, start=start, end=end),
    )


def money(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount:,.2f}"


def _number(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def _count(value) -> str:
    return SUPPRESSED if value is None else str(value)


def _period_text(report: ProgressReport) -> str:
    view = report.encounters
    if view is None:
        return ""
    return f"{view.start:%-d %b %Y} to {view.end:%-d %b %Y}"


# CSV -----------------------------------------------------------------------------------


def report_csv(report: ProgressReport) -> str:
    """One table with a `section` column: plan, indicator, progress, funding, members,
    encounters. The team and the date come first as `#` comment lines."""
    out = io.StringIO()
    out.write(f"# {TITLE}\n# Team: {report.team.name}\n")
    out.write(f"# Communities: {', '.join(report.communities)}\n")
    out.write(f"# Made on: {report.made_on.isoformat()}\n")
    out.write("# Outreach counts from 1 to 4 are suppressed (and some larger ones with them).\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        [
            "section",
            "area",
            "kind",
            "title",
            "goal",
            "groups",
            "owner",
            "due_on",
            "status",
            "indicator",
            "unit",
            "target",
            "actual",
            "percent_of_target",
            "date",
            "value",
            "note",
        ]
    )
    blank = [""] * 8
    for line in report.plan:
        due = line.due_on.isoformat() if line.due_on else ""
        base = [
            line.area,
            line.kind,
            line.title,
            line.goal,
            line.groups,
            line.owner,
            due,
            line.status,
        ]
        writer.writerow(["plan", *base, *[""] * 8])
        for indicator in line.indicators:
            writer.writerow(
                [
                    "indicator",
                    *base,
                    indicator.name,
                    indicator.unit,
                    _number(indicator.target),
                    _number(indicator.actual),
                    "" if indicator.percent is None else indicator.percent,
                    "",
                    "",
                    "",
                ]
            )
            for day, value, note in indicator.progress:
                writer.writerow(
                    [
                        "progress",
                        *base,
                        indicator.name,
                        indicator.unit,
                        "",
                        "",
                        "",
                        day.isoformat(),
                        _number(value),
                        note,
                    ]
                )
    for row in report.funding:
        period = row.starts_on.isoformat() + (
            f" to {row.ends_on.isoformat()}" if row.ends_on else ""
        )
        writer.writerow(
            [
                "funding",
                "",
                "grant",
                f"{row.funder}: {row.program}",
                "",
                "",
                "",
                "",
                "",
                "amount",
                row.currency,
                "",
                _number(row.amount),
                "",
                period,
                "",
                row.notes,
            ]
        )
    for sector, organizations in report.sectors:
        for organization in organizations:
            writer.writerow(["member", "", sector, organization, *blank[:5], *[""] * 8])
    view = report.encounters
    if view is not None:
        for table in (view.by_month, view.by_group):
            for label, values in [*table.rows, ("Total", table.total)]:
                for (key, measure), value in zip(view.measures, values, strict=True):
                    writer.writerow(
                        [
                            "encounters",
                            "",
                            table.heading.lower(),
                            label,
                            "",
                            "",
                            "",
                            "",
                            "",
                            measure,
                            "",
                            "",
                            _count(value),
                            "",
                            _period_text(report),
                            "",
                            key,
                        ]
                    )
    return out.getvalue()


# PDF -----------------------------------------------------------------------------------


SHORT_CELL = 16  # shorter cells are drawn as plain strings: a Paragraph each costs more


def _cell(value, styles):
    text = str(value)
    if len(text) <= SHORT_CELL:
        return text
    return Paragraph(escape(text), styles["cell"])


def _table(rows: list[list[str]], widths, styles) -> LongTable:
    return pdf.table([[_cell(cell, styles) for cell in row] for row in rows], widths)


def pdf_story(report: ProgressReport) -> list:
    s = pdf.styles()
    p = lambda text, style="body": Paragraph(escape(text), s[style])  # noqa: E731
    story: list = [
        p(TITLE, "title"),
        p(f"Team: {report.team.name}"),
        p(f"Communities: {', '.join(report.communities)}"),
        p(f"Made on {report.made_on:%-d %B %Y} by Cairn."),
    ]
    if report.team.description:
        story.append(p(report.team.description))

    story.append(p("Funding", "heading"))
    if report.funding:
        rows = [["Funder", "Grant or program", "Amount", "Period", "Notes"]]
        for row in report.funding:
            period = f"{row.starts_on:%-d %b %Y}" + (
                f" to {row.ends_on:%-d %b %Y}" if row.ends_on else ""
            )
            rows.append(
                [row.funder, row.program, money(row.amount, row.currency), period, row.notes]
            )
        story.append(_table(rows, [35 * mm, 45 * mm, 28 * mm, 38 * mm, 40 * mm], s))
        totals = "; ".join(money(a, c) for c, a in sorted(report.funding_totals.items()))
        story.append(p(f"Total funding: {totals}"))
    else:
        story.append(p("No funding recorded."))

    story.append(p("Members by sector", "heading"))
    for sector, organizations in report.sectors:
        story.append(p(f"{sector}: {', '.join(organizations)}"))

    story.append(p("Action plan", "heading"))
    goals, actions = report.status_counts["goals"], report.status_counts["actions"]
    goal_text = ", ".join(
        f"{v} {dict(GoalStatus.choices)[k].lower()}" for k, v in goals.items() if v
    )
    action_text = ", ".join(
        f"{v} {dict(ActionStatus.choices)[k].lower()}" for k, v in actions.items() if v
    )
    story.append(p(f"Goals: {goal_text or 'none'}. Actions: {action_text or 'none'}."))
    story.append(
        p(
            "Goals and actions for each group: "
            + ", ".join(f"{label} {n}" for label, n in report.groups_covered)
            + "."
        )
    )
    current_area = None
    rows: list[list[str]] = []

    def flush():
        if rows:
            story.append(
                _table(
                    [["", "Goal or action", "Groups", "Owner", "Due", "Status"], *rows],
                    [14 * mm, 62 * mm, 34 * mm, 30 * mm, 20 * mm, 26 * mm],
                    s,
                )
            )

    for line in report.plan:
        if line.area != current_area:
            flush()
            rows = []
            current_area = line.area
            story.append(p(line.area, "subheading"))
        rows.append(
            [
                "Goal" if line.kind == "goal" else "Action",
                line.title if line.kind == "goal" else f"\u2013 {line.title}",
                line.groups,
                line.owner,
                f"{line.due_on:%-d %b %Y}" if line.due_on else "",
                line.status,
            ]
        )
        for indicator in line.indicators:
            target = _number(indicator.target)
            actual = _number(indicator.actual) or "no progress recorded"
            percent = f" ({indicator.percent}% of target)" if indicator.percent is not None else ""
            history = "; ".join(f"{d:%-d %b %Y}: {_number(v)}" for d, v, _ in indicator.progress)
            rows.append(
                [
                    "Indicator",
                    f"{indicator.name}: {actual}"
                    + (f" of {target}" if target else "")
                    + (f" {indicator.unit}" if indicator.unit else "")
                    + percent
                    + (f". Progress: {history}" if history else ""),
                    "",
                    "",
                    "",
                    "",
                ]
            )
    flush()
    if not report.plan:
        story.append(p("No goals or actions yet."))

    view = report.encounters
    story.append(p("Outreach", "heading"))
    if view is None:
        story.append(p("Outreach encounters are not recorded in this Cairn."))
    else:
        story.append(
            p(
                f"From the team's anonymous outreach encounters, {_period_text(report)}. "
                "Counts from 1 to 4 are suppressed, and so are some larger counts where a "
                "suppressed one could be worked out from a total.",
                "small",
            )
        )
        headers = [label for _, label in view.measures]
        for table in (view.by_group, view.by_month):
            rows_ = [[table.heading, *headers]]
            for label, values in [*table.rows, ("Total", table.total)]:
                rows_.append([label, *[_count(v) for v in values]])
            width = 110 * mm / max(len(headers), 1)
            story.append(Spacer(1, 2 * mm))
            story.append(_table(rows_, [36 * mm, *[width] * len(headers)], s))
    return story


def report_pdf(report: ProgressReport, *, compress: bool = True) -> bytes:
    """The PDF. `compress=False` leaves the page streams readable (for tests)."""
    return pdf.build_pdf(
        pdf_story(report),
        title=f"{TITLE}: {report.team.name}",
        subject=report.team.name,
        footer=lambda page: (
            f"Cairn - {report.team.name} - progress report, {report.made_on:%-d %b %Y} - "
            f"page {page}"
        ),
        compress=compress,
    )
