"""Store which case definitions an event matches, in the caller's transaction."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection

from cairn.surveillance.classification.after import events_classified
from cairn.surveillance.classification.engine import Classifier
from cairn.surveillance.models import CaseDefinition, EventMatch


@dataclass
class PublishedDefinitions:
    """The active definitions at their current versions, compiled."""

    classifier: Classifier
    ids: dict[str, int]  # slug -> CaseDefinition pk
    versions: dict[str, int]  # slug -> current version


_compiled: dict[tuple, PublishedDefinitions] = {}


# The (pk, slug, current_version) of the active definitions, in order, as SQL: for a
# caller that reads them in a round trip of its own (bulk intake).
ACTIVE_DEFINITIONS_SQL = (
    f"SELECT id, slug, current_version FROM {CaseDefinition._meta.db_table} "
    "WHERE active ORDER BY position, slug"
)


def published_definitions(rows: list | None = None) -> PublishedDefinitions:
    """Compiled once per set of (slug, version); one small query per call, unless the
    caller passes the rows ACTIVE_DEFINITIONS_SQL returned in its transaction."""
    if rows is None:
        rows = list(
            CaseDefinition.objects.filter(active=True)
            .order_by("position", "slug")
            .values_list("pk", "slug", "current_version")
        )
    fingerprint = tuple(rows)
    found = _compiled.get(fingerprint)
    if found is None:
        from cairn.surveillance.models import CaseDefinitionVersion

        rules = {
            v.definition.slug: v.rules
            for v in CaseDefinitionVersion.objects.select_related("definition").filter(
                definition__active=True
            )
            if v.version == v.definition.current_version
        }
        ordered = {slug: rules[slug] for _, slug, _ in rows if slug in rules}
        found = PublishedDefinitions(
            classifier=Classifier(ordered),
            ids={slug: pk for pk, slug, _ in rows},
            versions={slug: version for _, slug, version in rows},
        )
        _compiled.clear()
        _compiled[fingerprint] = found
    return found


def classify_and_store(events: Sequence) -> int:
    """Classify saved events and replace their stored matches; returns matches written."""
    # The last version of an event wins when a batch holds it twice (a visit and its
    # correction in one file).
    events = list({e.pk: e for e in events if e.pk is not None}.values())
    if not events:
        return 0
    published = published_definitions()
    results = published.classifier.classify_many(
        (e.chief_complaint, e.diagnosis_codes) for e in events
    )
    return _replace_matches(published, [e.pk for e in events], results)


def _replace_matches(published: PublishedDefinitions, event_ids: list[int], results) -> int:
    events_classified(event_ids)
    EventMatch.objects.filter(event_id__in=event_ids).delete()
    rows = [
        (
            event_id,
            published.ids[match.definition],
            published.versions[match.definition],
            match.field,
            match.reason[:300],
        )
        for event_id, matches in zip(event_ids, results, strict=True)
        for match in matches
    ]
    if connection.vendor == "postgresql":
        # COPY: building a model instance per match costs more than the classification.
        table = EventMatch._meta.db_table
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(
                f"COPY {table} (event_id, definition_id, version, field, reason) FROM STDIN"
            ) as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        EventMatch.objects.bulk_create(
            [
                EventMatch(event_id=e, definition_id=d, version=v, field=f, reason=r)
                for e, d, v, f, r in rows
            ],
            batch_size=5000,
        )
    return len(rows)


def classify_and_store_rows(rows: Sequence[tuple[int, str, list]]) -> int:
    """Like classify_and_store for (event id, chief complaint, codes) rows (re-classification)."""
    rows = list({row[0]: row for row in rows}.values())
    if not rows:
        return 0
    published = published_definitions()
    results = published.classifier.classify_many((cc, dd) for _, cc, dd in rows)
    return _replace_matches(published, [row[0] for row in rows], results)
