"""Risk assessments in the database: loading the shipped instruments, recording an
assessment (scored by `scoring.score`), and the history with its changes."""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache

from django.db import IntegrityError, transaction
from django.utils import timezone

from cairn.access.audit import record_audit_event
from cairn.cases.assessment.scoring import AnswerError, Instrument, Score, parse_instrument, score
from cairn.cases.instruments import read_instrument_file, shipped_instrument_files
from cairn.cases.models import Client, OverdoseEpisode
from cairn.cases.models.assessments import RiskAssessment, RiskInstrument

ACUTE_RISK = "acute_overdose_risk"


class AssessmentError(ValueError):
    """The assessment cannot be recorded as given; the message says why."""


class InstrumentChanged(RuntimeError):
    """A shipped instrument file differs from the version already loaded."""


def checksum(definition: dict) -> str:
    return hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()


def load_shipped_instruments() -> list[RiskInstrument]:
    """Load every shipped instrument version not yet in the database.

    A loaded version is never changed: a file edited without a new version number is
    refused, so assessments made with it can always be shown as they were scored.
    """
    loaded = []
    for path in shipped_instrument_files():
        data, instrument = read_instrument_file(path)
        digest = checksum(data)
        existing = RiskInstrument.objects.filter(
            key=instrument.key, version=instrument.version
        ).first()
        if existing is None:
            try:
                with transaction.atomic():
                    existing = RiskInstrument.objects.create(
                        key=instrument.key,
                        version=instrument.version,
                        title=instrument.title,
                        definition=data,
                        checksum=digest,
                    )
            except IntegrityError:  # loaded by a concurrent request
                existing = RiskInstrument.objects.get(
                    key=instrument.key, version=instrument.version
                )
        if existing.checksum != digest:
            raise InstrumentChanged(
                f"{path.name}: {instrument.key} v{instrument.version} differs from the version "
                "already loaded; give the change a new version number."
            )
        loaded.append(existing)
    return loaded


def current_instrument(key: str = ACUTE_RISK) -> RiskInstrument:
    """The newest version of the instrument (loading the shipped files when needed)."""
    row = RiskInstrument.objects.filter(key=key).order_by("-version").first()
    if row is None:
        load_shipped_instruments()
        row = RiskInstrument.objects.filter(key=key).order_by("-version").first()
    if row is None:
        raise AssessmentError(f"No instrument {key!r} is shipped or loaded.")
    return row


@lru_cache(maxsize=32)
def _parsed(pk: int, digest: str, text: str) -> Instrument:
    return parse_instrument(json.loads(text))


def parsed(row: RiskInstrument) -> Instrument:
    return _parsed(row.pk, row.checksum, json.dumps(row.definition))


def _line_dict(line) -> dict:
    return {
        "item": line.item_key,
        "question": line.question,
        "option": line.option_key,
        "answer": line.answer,
        "points": line.points,
        "reason": line.reason,
        "sources": list(line.sources),
        "minimum_tier": line.minimum_tier,
    }


@transaction.atomic
def record_assessment(
    *,
    actor,
    client: Client,
    answers: dict[str, str],
    episode: OverdoseEpisode | None = None,
    note: str = "",
    assessed_at: dt.datetime | None = None,
    instrument: RiskInstrument | None = None,
) -> RiskAssessment:
    """Score and store an assessment, and tighten an open follow-up clock if the tier
    now calls for it. The caller fetched `client` through the access choke point."""
    from cairn.cases import followups  # the clock reads assessments; avoid an import cycle

    if client.is_merged:
        raise AssessmentError(
            f"This record was merged into record {client.merged_into_id}; assess the person there."
        )
    if episode is not None and episode.client_id != client.pk:
        raise AssessmentError(f"Episode {episode.pk} is not an episode of this person.")
    now = timezone.now()
    assessed_at = assessed_at or now
    if assessed_at > now + dt.timedelta(minutes=5):
        raise AssessmentError("The assessment time cannot be in the future.")
    instrument = instrument or current_instrument()
    try:
        result: Score = score(parsed(instrument), answers)
    except AnswerError as error:
        raise AssessmentError(str(error)) from error
    if len(result.unanswered) == len(result.lines):
        raise AssessmentError("Answer at least one item.")
    assessment = RiskAssessment.objects.create(
        client=client,
        episode=episode,
        instrument=instrument,
        answers={k: v for k, v in answers.items() if v},
        lines=[_line_dict(line) for line in result.lines],
        total_points=result.total_points,
        points_tier=result.points_tier,
        tier=result.tier,
        raised_by=list(result.raised_by),
        unanswered=list(result.unanswered),
        note=note.strip(),
        assessed_at=assessed_at,
        assessed_by=actor if getattr(actor, "is_authenticated", False) else None,
        assessed_by_username=actor.get_username() if hasattr(actor, "get_username") else str(actor),
    )
    record_audit_event(
        actor=actor,
        action="cases.risk_assessment.record",
        target=client,
        summary=f"Recorded a risk assessment for client record {client.pk}: {result.tier}",
        details={
            "assessment_id": assessment.pk,
            "episode_id": episode.pk if episode else None,
            "instrument": f"{instrument.key} v{instrument.version}",
        },
    )
    followups.refresh_due_for_client(client)
    return assessment


def latest_assessment(client: Client) -> RiskAssessment | None:
    return client.risk_assessments.order_by("-assessed_at", "-pk").first()


@dataclass(frozen=True)
class HistoryEntry:
    assessment: RiskAssessment
    change_points: int | None  # vs the previous assessment; None for the first
    tier_change: str  # "up", "down", "same" or "" for the first
    changed_items: list[dict]  # {"question", "before", "after"}


TIER_ORDER = ["low", "moderate", "high", "highest"]


def history_for(client: Client) -> list[HistoryEntry]:
    """Every assessment of the person, newest first, each compared with the one before."""
    assessments = list(
        client.risk_assessments.select_related("instrument", "episode").order_by(
            "assessed_at", "pk"
        )
    )
    entries = []
    previous = None
    for assessment in assessments:
        if previous is None:
            entries.append(HistoryEntry(assessment, None, "", []))
        else:
            before = {line["item"]: line for line in previous.lines}
            changed = []
            for line in assessment.lines:
                old = before.get(line["item"])
                if old is not None and old["option"] != line["option"]:
                    changed.append(
                        {
                            "question": line["question"],
                            "before": old["answer"],
                            "after": line["answer"],
                        }
                    )
            rank_now = TIER_ORDER.index(assessment.tier)
            rank_before = TIER_ORDER.index(previous.tier)
            direction = "up" if rank_now > rank_before else "down" if rank_now < rank_before else ""
            entries.append(
                HistoryEntry(
                    assessment,
                    assessment.total_points - previous.total_points,
                    direction or "same",
                    changed,
                )
            )
        previous = assessment
    return list(reversed(entries))
