"""Re-classify every stored event, in chunks, recording progress on the job row.

Counts: re-classification changes which definitions events meet, not where or when
they happened, so chunks mark no cells for recounting; the counts per definition are
rebuilt once when the job ends (or fails), and keep the previous classification's
values until then rather than a mix of both.
"""

from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone

from cairn.surveillance.classification.store import classify_and_store_rows
from cairn.surveillance.counts.maintain import marking_suspended, rebuild_counts
from cairn.surveillance.models import Event, EventMatch, JobStatus, ReclassificationJob

CHUNK_SIZE = 5000
# Two jobs (a definition saved twice in a row) take turns chunk by chunk rather than
# both replacing the same events' matches at once.
ADVISORY_LOCK_KEY = 0x0C1A55  # "classify"


def run_reclassification(
    job: ReclassificationJob,
    *,
    chunk_size: int = CHUNK_SIZE,
    progress: Callable[[int, int], None] | None = None,
) -> ReclassificationJob:
    """Run one job to the end. Each chunk commits on its own, so progress is visible.

    A job that another worker already took (not queued) is left alone.
    """
    with transaction.atomic():
        taken = ReclassificationJob.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, started_at=timezone.now(), total=Event.objects.count()
        )
    job.refresh_from_db()
    if not taken:
        return job
    try:
        with marking_suspended():
            _classify_in_chunks(job, chunk_size=chunk_size, progress=progress)
    except Exception as error:
        rebuild_counts(definitions_only=True)
        ReclassificationJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        job.refresh_from_db()
        raise
    _refresh_match_statistics()
    rebuild_counts(definitions_only=True)
    ReclassificationJob.objects.filter(pk=job.pk).update(
        status=JobStatus.DONE, finished_at=timezone.now(), total=job.done
    )
    job.refresh_from_db()
    return job


def _refresh_match_statistics() -> None:
    """Tell PostgreSQL's planner how many matches each definition now has.

    A job rewrites every match at once; until autovacuum gets to it, the planner would
    take a definition's matches for a few rows and read them all to find the handful
    behind an alert (seconds instead of milliseconds at 10 million events).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {EventMatch._meta.db_table}")


def _classify_in_chunks(job, *, chunk_size: int, progress) -> None:
    last_id = 0
    while True:
        rows = list(
            Event.objects.filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", "chief_complaint", "diagnosis_codes")[:chunk_size]
        )
        if not rows:
            return
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
            classify_and_store_rows(rows)
            job.done += len(rows)
            job.total = max(job.total, job.done)
            ReclassificationJob.objects.filter(pk=job.pk).update(done=job.done, total=job.total)
        last_id = rows[-1][0]
        if progress:
            progress(job.done, job.total)


def queue_reclassification(*, reason: str, requested_by: str = "") -> ReclassificationJob:
    return ReclassificationJob.objects.create(reason=reason, requested_by=requested_by)
