"""Batches as database rows: tab-separated text for PostgreSQL COPY, tuples otherwise.

Formatting ten million rows one value at a time in Python costs minutes, so the
strings are gathered from small tables instead: a number is its thousands part
plus its last three digits, a timestamp is its date plus its time of day, and the
low-cardinality columns of a row (source, age band, sex, disposition, ...) are
formatted once per distinct combination and gathered for every row.
"""

import numpy as np

from cairn.demo.generator import AGE_TABLE, DISPOSITIONS, Batch
from cairn.demo.texts import TimestampTexts, number_texts

# Column order of the COPY and INSERT statements: the categorical ones grouped.
EVENT_COLUMNS = [
    "id",
    "occurred_at",
    "received_at",
    "source",
    "age_band",
    "sex",
    "disposition",
    "fatal",
    "naloxone_doses",
    "chief_complaint",
    "diagnosis_codes",
    "community_id",
    "facility",
    "suspected_substances",
    "source_record_id",
    "dedup_key",
]
IDENTITY_COLUMNS = [
    "event_id",
    "given_name",
    "family_name",
    "date_of_birth",
    "health_number",
    "postal_code",
    "phone",
]
SEXES = np.array(["M", "F", "X", "U"])

_POSTGRES_STAMPS = TimestampTexts("+00")
_PLAIN_STAMPS = TimestampTexts("")


def _combinations(columns: list[np.ndarray], render) -> list:
    """render(*values) once per distinct combination of the columns, gathered per row."""
    sizes = [int(c.max()) + 1 for c in columns]
    code = np.zeros(len(columns[0]), dtype=np.int64)
    for column, size in zip(columns, sizes, strict=True):
        code = code * size + column
    distinct, inverse = np.unique(code, return_inverse=True)
    rendered = []
    for value in distinct.tolist():
        parts = []
        for size in reversed(sizes):
            parts.append(value % size)
            value //= size
        rendered.append(render(*reversed(parts)))
    table = np.empty(len(rendered), dtype=object)
    table[:] = rendered
    return table[inverse].tolist()


class RowFormatter:
    """Formats a generator's batches for one database."""

    def __init__(self, *, key_prefix: str, community_pks: np.ndarray, facilities: list[str]):
        self.key_prefix = key_prefix
        self.community_pks = community_pks  # index -> Jurisdiction pk
        self.facilities = facilities

    # PostgreSQL COPY text ------------------------------------------------------------

    def copy_text(self, batch: Batch, first_id: int) -> tuple[str, str]:
        """(events, identities) as COPY text; identities may be empty."""
        n = len(batch)
        stamps = _POSTGRES_STAMPS
        null = "\\N"
        source = batch.source

        def demographics(age, sex, disposition, fatal, naloxone):
            return "\t".join(
                [
                    source,
                    AGE_TABLE[age],
                    SEXES[sex],
                    DISPOSITIONS[disposition],
                    (null, "f", "t")[fatal],
                    str(naloxone - 1) if naloxone else null,
                ]
            )

        def complaint(text, codes):
            return f"{batch.complaint_table[text]}\t{batch.codes_table[codes]}"

        def place(community, facility, substances):
            pk = null if community == 0 else str(self.community_pks[community - 1])
            return f"{pk}\t{self.facilities[facility]}\t{batch.substances_table[substances]}"

        columns = [
            number_texts(np.arange(first_id, first_id + n)),
            stamps(batch.occurred),
            stamps(batch.received),
            _combinations(
                [
                    batch.age_band.astype(np.int64),
                    _sex_index(batch.sex),
                    batch.disposition.astype(np.int64),
                    batch.fatal.astype(np.int64) + 1,
                    batch.naloxone.astype(np.int64) + 1,
                ],
                demographics,
            ),
            _combinations([batch.complaint, batch.codes], complaint),
            _combinations([batch.community + 1, batch.facility, batch.substances], place),
            batch.record_id,
            number_texts(batch.seq, prefix=f"{self.key_prefix}{source}:", width=9),
        ]
        events = "\n".join(map("\t".join, zip(*columns, strict=True))) + "\n" if n else ""
        identity = batch.identity
        if identity is None or len(identity.rows) == 0:
            return events, ""
        born = [null if d is None else d for d in identity.date_of_birth]
        identity_columns = [
            number_texts(first_id + identity.rows),
            identity.given_name,
            identity.family_name,
            born,
            identity.health_number,
            identity.postal_code,
            identity.phone,
        ]
        identities = "\n".join(map("\t".join, zip(*identity_columns, strict=True))) + "\n"
        return events, identities

    # Parameters for executemany (SQLite and others) ---------------------------------

    def parameters(self, batch: Batch, first_id: int) -> tuple[list[tuple], list[tuple]]:
        n = len(batch)
        stamps = _PLAIN_STAMPS
        community_pks = np.concatenate([[None], self.community_pks]).astype(object)
        # JSON columns are stored as their JSON text.
        events = list(
            zip(
                range(first_id, first_id + n),
                stamps(batch.occurred),
                stamps(batch.received),
                [batch.source] * n,
                np.array(AGE_TABLE, dtype=object)[batch.age_band].tolist(),
                batch.sex.tolist(),
                np.array(DISPOSITIONS, dtype=object)[batch.disposition].tolist(),
                np.array([None, False, True], dtype=object)[batch.fatal + 1].tolist(),
                [None if v < 0 else v for v in batch.naloxone.tolist()],
                np.array(batch.complaint_table, dtype=object)[batch.complaint].tolist(),
                np.array(batch.codes_table, dtype=object)[batch.codes].tolist(),
                community_pks[batch.community + 1].tolist(),
                np.array(self.facilities, dtype=object)[batch.facility].tolist(),
                np.array(batch.substances_table, dtype=object)[batch.substances].tolist(),
                batch.record_id,
                number_texts(batch.seq, prefix=f"{self.key_prefix}{batch.source}:", width=9),
                strict=True,
            )
        )
        identity = batch.identity
        if identity is None:
            return events, []
        identities = list(
            zip(
                (first_id + identity.rows).tolist(),
                identity.given_name,
                identity.family_name,
                identity.date_of_birth,
                identity.health_number,
                identity.postal_code,
                identity.phone,
                strict=True,
            )
        )
        return events, identities


def _sex_index(sex: np.ndarray) -> np.ndarray:
    """Index into SEXES ("M", "F", "X", "U")."""
    return np.array([1, 0, 3, 2])[np.searchsorted(np.array(["F", "M", "U", "X"]), sex)]
