"""`cairn ingest hl7 FILE...`: one or many messages per file, CR or LF separated."""

import re
from collections import Counter
from pathlib import Path

from cairn.surveillance.intake.hl7.processing import process_messages

BATCH_SIZE = 500
_MESSAGE_START = re.compile(r"[\r\n\x0b\x1c]+(?=MSH)")


def split_messages(text: str) -> list[str]:
    """Split a file at each segment that starts with MSH; MLLP framing bytes are ignored."""
    chunks = _MESSAGE_START.split(text)
    return [chunk for chunk in chunks if chunk.strip("\r\n\x0b\x1c \t")]


class IngestSummary(Counter):
    """Counts by outcome; `str()` is the one-line summary `cairn ingest hl7` prints."""

    def __str__(self) -> str:
        return (
            f"hl7: {self['messages']} messages from {self['files']} file(s): "
            f"{self['created']} created, {self['updated']} updated, "
            f"{self['unchanged']} unchanged, {self['duplicate']} duplicate, "
            f"{self['quarantined']} quarantined"
        )


def ingest_hl7_files(paths, *, stdout) -> IngestSummary:
    """Accept or quarantine every message in the files, printing one line per rejection.

    Returns the counts (messages, created, updated, unchanged, duplicate, quarantined);
    the caller prints `str(summary)` as the summary line.
    """
    summary = IngestSummary(
        files=0, messages=0, created=0, updated=0, unchanged=0, duplicate=0, quarantined=0
    )
    for path in paths:
        path = Path(path)
        summary["files"] += 1
        try:
            data = path.read_bytes()
        except OSError as error:
            stdout.write(f"{path}: cannot be read: {error.strerror or error}\n")
            summary["unreadable_files"] += 1
            continue
        messages = split_messages(_decode(data))
        for start in range(0, len(messages), BATCH_SIZE):
            batch = messages[start : start + BATCH_SIZE]
            for number, reply in enumerate(process_messages(batch, source="file"), start + 1):
                summary["messages"] += 1
                summary[reply.status or "quarantined"] += 1
                if reply.code != "AA":
                    stdout.write(f"{path}: message {number}: {reply.code} {reply.reason}\n")
    return summary


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return text.replace("\x00", "\ufffd")
