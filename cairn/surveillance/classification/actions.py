"""Writes on case definitions: each in one transaction with its audit event."""

import logging
import threading

from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from cairn.access.audit import actor_name as _username
from cairn.access.audit import record_audit_event
from cairn.surveillance.classification.engine import validate_rules
from cairn.surveillance.models import (
    CaseDefinition,
    CaseDefinitionVersion,
    ReclassificationJob,
)

logger = logging.getLogger(__name__)


class InvalidRules(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


def save_definition_version(
    *,
    actor,
    definition: CaseDefinition,
    rules: dict,
    note: str,
    name: str | None = None,
    description: str | None = None,
    active: bool | None = None,
    start_job: bool = True,
) -> CaseDefinitionVersion:
    """Save new rules as the definition's next version and queue re-classification.

    The re-classification job starts after commit, in a background thread of this
    process (`cairn surveillance reclassify` runs queued jobs too).
    """
    problems = validate_rules(rules)
    if problems:
        raise InvalidRules(problems)
    with transaction.atomic():
        definition = CaseDefinition.objects.select_for_update().get(pk=definition.pk)
        previous = definition.current_version
        version = CaseDefinitionVersion.objects.create(
            definition=definition,
            version=previous + 1,
            rules=rules,
            note=note,
            created_by=_username(actor),
        )
        definition.current_version = version.version
        if name is not None:
            definition.name = name
        if description is not None:
            definition.description = description
        if active is not None:
            definition.active = active
        definition.updated_at = timezone.now()
        definition.save()
        job = ReclassificationJob.objects.create(
            reason=f"{definition.slug} v{version.version} saved", requested_by=_username(actor)
        )
        record_audit_event(
            actor=actor,
            action="case_definition.version_saved",
            target=definition,
            summary=f"Saved {definition.slug} version {version.version}: {note}",
            details={
                "slug": definition.slug,
                "version": version.version,
                "previous_version": previous,
                "active": definition.active,
                "reclassification_job": job.pk,
            },
        )
        if start_job:
            transaction.on_commit(lambda: start_reclassification_thread(job.pk))
    return version


def start_reclassification_thread(job_id: int) -> threading.Thread:
    thread = threading.Thread(
        target=_run_in_thread, args=(job_id,), name=f"reclassify-{job_id}", daemon=True
    )
    thread.start()
    return thread


def _run_in_thread(job_id: int) -> None:
    from cairn.surveillance.classification.reclassify import run_reclassification

    close_old_connections()
    try:
        job = ReclassificationJob.objects.get(pk=job_id)
        run_reclassification(job)
    except Exception:  # the job row records the error; the web process keeps serving
        logger.exception("re-classification job %s failed", job_id)
    finally:
        connection.close()
