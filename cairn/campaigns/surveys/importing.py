"""Survey-panel data from CSV: check each row, keep the good ones, never add one twice.

Columns (header row first, names as below, any order):
- `wave`: a wave key of the survey (pre, post, wave_1...) — required;
- `group`: exposed, unexposed or empty;
- `segment`: a segment answer key of the survey, or empty;
- `panel_id`: the panel's respondent id, or empty. It is never stored: Cairn keeps a
  keyed hash of it (`Response.panel_key`), the same for one respondent's pre and post
  rows within a survey, so the evaluation can pair them;
- `submitted_on`: YYYY-MM-DD, or empty for the day of the import;
- one column per item code (q1, q2...): an option value, or empty when not answered.

Every problem names its line (the header is line 1) and column. Rows with a problem
are refused; the others are stored with their scores. A row's identity is a hash of
the survey, the panel id and the wave (a panel member answers each wave once); rows
without a panel id are identified by their content and how many times that same
content came before in the file. Importing the same file, or overlapping rows, again
adds nothing twice.
"""

import csv
import datetime as dt
import hashlib
import hmac
import io

from django.db import IntegrityError, transaction
from django.utils import timezone

from cairn.access.audit import record_audit_event
from cairn.campaigns.models.surveys import (
    Answer,
    Response,
    ResponseGroup,
    ResponseSource,
    Survey,
    SurveyImport,
)
from cairn.campaigns.surveys.scoring import rule_for, score_with_rule

KNOWN_COLUMNS = ("wave", "group", "segment", "panel_id", "submitted_on")
MAX_BYTES = 20 * 1024 * 1024
MAX_ERRORS_KEPT = 500
CHUNK = 2000
GROUPS = {"exposed": ResponseGroup.EXPOSED, "unexposed": ResponseGroup.UNEXPOSED, "": ""}


class ImportRefused(Exception):
    """The whole file is refused (not CSV, no header, a column missing)."""

    def __init__(self, problems: list[dict]):
        self.problems = problems
        super().__init__("; ".join(p["message"] for p in problems))


def _problem(line: int, column: str, message: str) -> dict:
    return {"line": line, "column": column, "message": message}


def panel_key(survey: Survey, panel_id: str) -> str:
    return hmac.new(
        survey.panel_salt.encode(), f"panel:{panel_id}".encode(), hashlib.sha256
    ).hexdigest()


def _dedup_key(survey: Survey, identity: str) -> str:
    return hmac.new(
        survey.panel_salt.encode(), f"{survey.pk}|{identity}".encode(), hashlib.sha256
    ).hexdigest()


def _decode(content: bytes) -> str:
    if len(content) > MAX_BYTES:
        raise ImportRefused(
            [_problem(0, "", f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")]
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRefused([_problem(0, "", "The file is not text (UTF-8 CSV expected).")])


def import_panel_csv(*, user, survey: Survey, content: bytes, file_name: str) -> SurveyImport:
    """Read the CSV, store the good rows, and return the import's record (counts and
    every problem by line and column). ImportRefused when the file cannot be read."""
    text = _decode(content)
    reader = csv.reader(io.StringIO(text))
    header = [cell.strip().lower() for cell in next(reader, [])]
    rule = rule_for(survey.instrument)
    items = {item.code: item for item in survey.instrument.items.all()}
    refusals = []
    if not any(header):
        raise ImportRefused([_problem(1, "", "The file is empty: a header row comes first.")])
    for column in ("wave", *rule.item_codes):
        if column not in header:
            refusals.append(_problem(1, column, f"The column “{column}” is missing."))
    seen = set()
    for column in header:
        if column in seen:
            refusals.append(_problem(1, column, f"The column “{column}” appears twice."))
        seen.add(column)
    if refusals:
        raise ImportRefused(refusals)
    notes = [
        _problem(1, column, f"The column “{column}” is not one Cairn reads; it was ignored.")
        for column in header
        if column and column not in KNOWN_COLUMNS and column not in items
    ]
    waves = {wave.key: wave for wave in survey.waves.all()}
    segments = survey.segment_labels
    today = timezone.localdate()
    index = {column: position for position, column in enumerate(header)}

    problems: list[dict] = []
    good = []  # (line, dedup key, Response, answers)
    occurrences: dict[str, int] = {}
    rows_read = 0
    for line, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        rows_read += 1

        def cell(column, row=row):
            position = index.get(column)
            return row[position].strip() if position is not None and position < len(row) else ""

        row_problems = []
        wave = waves.get(cell("wave"))
        if wave is None:
            row_problems.append(
                _problem(
                    line,
                    "wave",
                    f"“{cell('wave')}” is not a wave of this survey ({', '.join(waves)}).",
                )
            )
        group = cell("group").lower()
        if group not in GROUPS:
            row_problems.append(
                _problem(line, "group", f"“{cell('group')}” is not exposed, unexposed or empty.")
            )
        segment = cell("segment")
        if segment and segment not in segments:
            allowed = ", ".join(segments) or "none: this survey has no segment question"
            row_problems.append(
                _problem(line, "segment", f"“{segment}” is not a segment answer ({allowed}).")
            )
        submitted_on = today
        if cell("submitted_on"):
            try:
                submitted_on = dt.date.fromisoformat(cell("submitted_on"))
            except ValueError:
                row_problems.append(
                    _problem(line, "submitted_on", "Write the date like 2026-03-31.")
                )
        answers = {}
        for code in rule.item_codes:
            raw = cell(code)
            if not raw:
                answers[code] = None
                continue
            try:
                value = int(float(raw)) if float(raw).is_integer() else None
            except ValueError:
                value = None
            if value not in rule.option_values:
                allowed = ", ".join(str(v) for v in sorted(rule.option_values))
                row_problems.append(
                    _problem(line, code, f"“{raw}” is not an answer value ({allowed}, or empty).")
                )
            answers[code] = value
        if row_problems:
            problems.extend(row_problems)
            continue
        panel_id = cell("panel_id")
        if panel_id:
            identity = f"panel|{panel_id}|{wave.key}"
        else:
            content_key = "|".join(
                [wave.key, group, segment, submitted_on.isoformat()]
                + [str(answers[c]) for c in rule.item_codes]
            )
            occurrences[content_key] = occurrences.get(content_key, 0) + 1
            identity = f"row|{content_key}|{occurrences[content_key]}"
        dedup = _dedup_key(survey, identity)
        total, scores = score_with_rule(rule, answers)
        good.append(
            (
                line,
                dedup,
                Response(
                    survey=survey,
                    wave=wave,
                    group=GROUPS[group],
                    segment=segment,
                    submitted_on=submitted_on,
                    source=ResponseSource.CSV,
                    panel_key=panel_key(survey, panel_id) if panel_id else "",
                    dedup_key=dedup,
                    total_score=total,
                    scores=scores,
                ),
                answers,
            )
        )

    # The same panel member and wave twice in one file: the first row counts.
    first_line = {}
    unique = []
    for line, dedup, response, answers in good:
        if dedup in first_line:
            problems.append(
                _problem(
                    line,
                    "panel_id",
                    f"This panel id already answered this wave on line {first_line[dedup]}.",
                )
            )
            continue
        first_line[dedup] = line
        unique.append((response, answers))

    sha = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        batch = SurveyImport.objects.create(
            survey=survey,
            file_name=(file_name or "upload.csv")[:200],
            file_sha256=sha,
            imported_by=user,
        )
        added = already = 0
        for start in range(0, len(unique), CHUNK):
            chunk = unique[start : start + CHUNK]
            existing = set(
                Response.objects.filter(dedup_key__in=[r.dedup_key for r, _ in chunk]).values_list(
                    "dedup_key", flat=True
                )
            )
            fresh = [(r, a) for r, a in chunk if r.dedup_key not in existing]
            already += len(chunk) - len(fresh)
            for response, _ in fresh:
                response.import_batch = batch
            try:
                with transaction.atomic():
                    Response.objects.bulk_create([r for r, _ in fresh])
            except IntegrityError:
                # Another import of the same rows committed meanwhile: add one by one.
                stored = []
                for response, answers in fresh:
                    try:
                        with transaction.atomic():
                            response.save(force_insert=True)
                        stored.append((response, answers))
                    except IntegrityError:
                        already += 1
                fresh = stored
            Answer.objects.bulk_create(
                (
                    Answer(response=response, item=items[code], value=value)
                    for response, answers in fresh
                    for code, value in answers.items()
                ),
                batch_size=5000,
            )
            added += len(fresh)
        all_problems = notes + problems
        batch.rows_read = rows_read
        batch.rows_added = added
        batch.rows_already_imported = already
        batch.rows_refused = len({p["line"] for p in problems})
        batch.errors = all_problems[:MAX_ERRORS_KEPT]
        batch.save()
        record_audit_event(
            actor=user,
            action="campaigns.survey_panel_imported",
            target=survey,
            summary=f"{file_name}: {added} added, {already} already imported, "
            f"{batch.rows_refused} refused",
            details={"import": batch.pk, "sha256": sha},
        )
    return batch


def template_csv(survey: Survey) -> str:
    """An empty CSV with the columns the import reads, for the panel provider."""
    codes = list(survey.instrument.items.order_by("position").values_list("code", flat=True))
    out = io.StringIO()
    csv.writer(out).writerow([*KNOWN_COLUMNS, *codes])
    return out.getvalue()
