"""Reach metrics of a campaign: import them from a CSV file (or one row from a form or the
API), and total them per channel and metric.

The CSV file has a header row with these columns (any order; extra columns are ignored):

    channel,period_start,period_end,metric,label,value
    social_media,2026-01-12,2026-01-31,impressions,,1250000
    posters,2026-01-12,2026-03-29,other,QR code scans,830

- channel: one of the campaign's channels, by key (`social_media`) or name (`Social media`);
- period_start, period_end: dates as YYYY-MM-DD, the end on or after the start;
- metric: impressions, clicks, helpline_calls, naloxone_kit_requests, or other (by key or
  name); `label` names an "other" metric and must be empty for the rest;
- value: a whole number, 0 or more (thousands separators allowed: 1,250,000).

Each row is checked on its own: good rows are saved, and every refused row is reported with
its line and column. A row is identified by campaign, channel, period, metric and label, so
importing the same file again changes nothing and a corrected file updates the values in
place (idempotent upsert). Each import is an audit event.
"""

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from cairn.access.audit import record_audit_event
from cairn.campaigns.models.campaigns import Campaign, Channel
from cairn.campaigns.models.reach import ReachMetric, ReachMetricKind

COLUMNS = ("channel", "period_start", "period_end", "metric", "label", "value")
REQUIRED = ("channel", "period_start", "period_end", "metric", "value")
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000


class ReachImportError(ValueError):
    """The whole file is refused (not CSV, no header, a required column missing)."""


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "message": self.message}


@dataclass
class ReachImportResult:
    rows_read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def refused(self) -> int:
        return len({e.line for e in self.errors})

    def as_dict(self) -> dict:
        return {
            "rows_read": self.rows_read,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "refused": self.refused,
            "errors": [e.as_dict() for e in self.errors],
        }


def _choice(text: str, choices) -> str | None:
    wanted = text.strip().lower()
    for value, label in choices:
        if wanted in (value, label.lower()):
            return value
    return None


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


def check_row(campaign: Campaign, row: dict, line: int) -> tuple[dict | None, list[RowError]]:
    """A row of text → the checked values of a ReachMetric, or the errors naming its columns."""
    errors = []

    def refuse(column, message):
        errors.append(RowError(line, column, message))

    text = {column: str(row.get(column) or "").strip() for column in COLUMNS}
    channel = _choice(text["channel"], Channel.choices)
    if not text["channel"]:
        refuse("channel", "A channel is required.")
    elif channel is None:
        refuse("channel", f"“{text['channel']}” is not a channel Cairn knows.")
    elif channel not in campaign.channel_keys:
        used = ", ".join(campaign.channel_keys) or "none"
        refuse(
            "channel",
            f"The campaign does not use the channel “{channel}” (it uses: {used}); "
            "add the channel to the campaign first.",
        )
    start, end = _date(text["period_start"]), _date(text["period_end"])
    for column, value in (("period_start", start), ("period_end", end)):
        if value is None:
            refuse(column, f"“{text[column]}” is not a date as YYYY-MM-DD.")
    if start and end and end < start:
        refuse("period_end", "The period ends before it starts.")
    metric = _choice(text["metric"], ReachMetricKind.choices)
    if metric is None:
        keys = ", ".join(ReachMetricKind.values)
        refuse("metric", f"“{text['metric']}” is not a metric; use one of: {keys}.")
    label = text["label"]
    if metric == ReachMetricKind.OTHER and not label:
        refuse("label", "An “other” metric needs a label saying what it counts.")
    elif metric and metric != ReachMetricKind.OTHER and label:
        refuse("label", "Only an “other” metric has a label; leave it empty.")
    elif len(label) > 100:
        refuse("label", "The label is longer than 100 characters.")
    raw_value = text["value"].replace(",", "").replace(" ", "")
    value = None
    if not raw_value.isdigit():
        refuse("value", f"“{text['value']}” is not a whole number of 0 or more.")
    else:
        value = int(raw_value)
        if value >= 2**63:
            refuse("value", "The value is too large.")
    if errors:
        return None, errors
    return {
        "channel": channel,
        "period_start": start,
        "period_end": end,
        "metric": metric,
        "label": label,
        "value": value,
    }, []


def _save(campaign: Campaign, user, checked: dict, source: str) -> str:
    """Insert or update one row; "added", "updated" or "unchanged"."""
    key = {k: checked[k] for k in ("channel", "period_start", "period_end", "metric", "label")}
    existing = ReachMetric.objects.select_for_update().filter(campaign=campaign, **key).first()
    if existing is None:
        ReachMetric.objects.create(
            campaign=campaign, value=checked["value"], source=source, updated_by=user, **key
        )
        return "added"
    if existing.value == checked["value"]:
        return "unchanged"
    existing.value = checked["value"]
    existing.source = source
    existing.updated_by = user
    existing.updated_at = timezone.now()
    existing.save(update_fields=["value", "source", "updated_by", "updated_at"])
    return "updated"


def _read_csv(content: bytes | str) -> tuple[list[str], list[tuple[int, dict]]]:
    if isinstance(content, bytes):
        if len(content) > MAX_BYTES:
            raise ReachImportError("The file is larger than 5 MB; split it into smaller files.")
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ReachImportError(
                "The file is not UTF-8 text; save it as “CSV UTF-8” and try again."
            ) from None
    reader = csv.reader(io.StringIO(content.lstrip("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        raise ReachImportError("The file is empty: it needs a header row.") from None
    except csv.Error as error:
        raise ReachImportError(f"Line 1 is not valid CSV: {error}.") from None
    names = [name.strip().lower() for name in header]
    missing = [column for column in REQUIRED if column not in names]
    if missing:
        raise ReachImportError(
            "The header row lacks the column(s) "
            + ", ".join(missing)
            + "; it needs "
            + ", ".join(COLUMNS)
            + " (label may be left empty)."
        )
    rows = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(rows) >= MAX_ROWS:
                raise ReachImportError(f"The file has more than {MAX_ROWS:,} rows; split it.")
            rows.append((reader.line_num, dict(zip(names, row, strict=False))))
    except csv.Error as error:
        raise ReachImportError(f"Line {reader.line_num} is not valid CSV: {error}.") from None
    return names, rows


def import_reach_csv(
    *, campaign: Campaign, user, content: bytes | str, file_name: str = ""
) -> ReachImportResult:
    """Check every row, save the good ones, report the others (see the module docstring)."""
    _, rows = _read_csv(content)
    return save_reach_rows(
        campaign=campaign, user=user, rows=rows, source="csv", file_name=file_name
    )


def save_reach_rows(
    *, campaign: Campaign, user, rows: list[tuple[int, dict]], source: str, file_name: str = ""
) -> ReachImportResult:
    """Rows of text as (line, {column: text}) → saved, each on its own merits."""
    result = ReachImportResult(rows_read=len(rows))
    seen: dict[tuple, tuple[int, int]] = {}
    with transaction.atomic():
        for line, row in rows:
            checked, errors = check_row(campaign, row, line)
            if errors:
                result.errors.extend(errors)
                continue
            key = tuple(
                checked[k] for k in ("channel", "period_start", "period_end", "metric", "label")
            )
            if key in seen:
                first_line, first_value = seen[key]
                if first_value != checked["value"]:
                    result.errors.append(
                        RowError(
                            line,
                            "value",
                            f"Line {first_line} has the same channel, period and metric "
                            f"with another value ({first_value}); keep one of them.",
                        )
                    )
                else:
                    result.unchanged += 1
                continue
            seen[key] = (line, checked["value"])
            outcome = _save(campaign, user, checked, source)
            setattr(result, outcome, getattr(result, outcome) + 1)
        record_audit_event(
            actor=user,
            action="campaigns.reach_import" if source == "csv" else "campaigns.reach_record",
            target=campaign,
            summary=(
                f"Reach metrics for “{campaign.name}”: {result.added} added, "
                f"{result.updated} updated, {result.unchanged} unchanged, "
                f"{result.refused} refused"
            ),
            details={"file_name": file_name, **result.as_dict(), "errors": result.refused},
        )
    return result


@dataclass(frozen=True)
class ReachTotals:
    columns: list[tuple[str, str]]  # (metric key or "other:<label>", name)
    rows: list[tuple[str, list[int | None]]]  # channel name, a value per column
    totals: list[int]
    impressions: int
    cost_per_thousand_impressions: Decimal | None
    first_day: dt.date | None
    last_day: dt.date | None
    n_rows: int


def reach_totals(campaign: Campaign) -> ReachTotals:
    """Totals per channel and metric over every period, and the cost per 1,000
    impressions when the campaign's budget is known."""
    grouped = (
        ReachMetric.objects.filter(campaign=campaign)
        .values("channel", "metric", "label")
        .annotate(total=Sum("value"))
        .order_by()
    )
    cells: dict[tuple[str, str], int] = {}
    columns: dict[str, str] = {}
    channel_names = dict(Channel.choices)
    metric_names = dict(ReachMetricKind.choices)
    for entry in grouped:
        if entry["metric"] == ReachMetricKind.OTHER:
            column = f"other:{entry['label']}"
            columns[column] = entry["label"]
        else:
            column = entry["metric"]
            columns[column] = metric_names[column]
        cells[(entry["channel"], column)] = entry["total"]
    order = {key: index for index, key in enumerate(ReachMetricKind.values)}
    ordered = sorted(columns, key=lambda c: (order.get(c, len(order)), columns[c].lower()))
    channels = [c for c in Channel.values if any(ch == c for ch, _ in cells)]
    rows = [(channel_names[ch], [cells.get((ch, column)) for column in ordered]) for ch in channels]
    totals = [sum(cells.get((ch, column)) or 0 for ch in channels) for column in ordered]
    impressions = sum(v for (_, column), v in cells.items() if column == "impressions")
    cost = None
    if campaign.budget is not None and impressions:
        cost = (Decimal(campaign.budget) * 1000 / impressions).quantize(Decimal("0.01"))
    span = ReachMetric.objects.filter(campaign=campaign).order_by("period_start")
    first = span.values_list("period_start", flat=True).first()
    last = span.order_by("-period_end").values_list("period_end", flat=True).first()
    return ReachTotals(
        columns=[(c, columns[c]) for c in ordered],
        rows=rows,
        totals=totals,
        impressions=impressions,
        cost_per_thousand_impressions=cost,
        first_day=first,
        last_day=last,
        n_rows=ReachMetric.objects.filter(campaign=campaign).count(),
    )


def reach_template_csv() -> str:
    """An example file people can fill in."""
    return (
        ",".join(COLUMNS)
        + "\nsocial_media,2026-01-12,2026-01-31,impressions,,1250000"
        + "\nsocial_media,2026-01-12,2026-01-31,clicks,,18400"
        + "\nposters,2026-01-12,2026-03-29,other,QR code scans,830\n"
    )
