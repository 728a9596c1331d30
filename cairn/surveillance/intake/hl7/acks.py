"""HL7 v2 acknowledgements: AA (committed), AE (understood, rejected), AR (unreadable).

An ACK for a message we could parse has the shape of python-hl7's `create_ack`
(MSH with sender and receiver swapped, MSH-9 ACK^<trigger>^ACK, MSH-11 and MSH-12
copied, MSA-1 code, MSA-2 the original control id), written as a string from the
message's MSH line (the tests check it equals `create_ack`'s, field for field), so it
costs microseconds and works for an MSH-9 without a trigger event, where `create_ack`
fails. MSA-3 and an ERR segment carry the reason. A frame we could not parse has no
MSH to answer, so its AR is written by hand with an empty MSA-2.
"""

import datetime as dt
import itertools
import os
import re
from types import SimpleNamespace

from django.utils import timezone
from hl7.util import escape as hl7_escape

_ack_numbers = itertools.count(1)
ERROR_SEVERITY = "E"


def _ack_control_id() -> str:
    # The process id keeps ids unique when several listener processes build ACKs.
    pid = f"{os.getpid() % 100000:05d}"
    return f"CAIRN{timezone.now():%Y%m%d%H%M%S}{pid}{next(_ack_numbers):06d}"


def _msh_line(message) -> str:
    """The MSH segment as received: a LeanMessage keeps it; python-hl7 gives it back."""
    line = getattr(message, "msh_line", None)
    if line is None:
        line = str(message.segment("MSH"))
    return line


def _separators(msh: str) -> tuple[str, str]:
    """(field separator, encoding characters) of an MSH line."""
    separator = msh[3:4] or "|"
    encoding = msh[4:].split(separator, 1)[0] or "^~\\&"
    return separator, encoding


def ack_for(message, code: str, *, text: str = "", location: str = "", error_code: str = "") -> str:
    """ACK for a parsed message (python-hl7 Message or LeanMessage), CR after each segment."""
    msh = _msh_line(message)
    separator, encoding = _separators(msh)
    fields = msh.split(separator)  # fields[n] is MSH-(n+1)

    def field(number: int) -> str:
        return fields[number - 1] if number - 1 < len(fields) else ""

    trigger = field(9).split(encoding[1:2] or "~", 1)[0].split(encoding[0:1] or "^")
    trigger = trigger[1] if len(trigger) > 1 else ""
    component = encoding[0:1] or "^"
    now = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
    header = separator.join(
        (
            "MSH",
            encoding,
            "CAIRN",
            "CAIRN",
            field(3),
            field(4),
            now,
            "",
            f"ACK{component}{trigger}{component}ACK",
            _ack_control_id(),
            field(11),
            field(12),
        )
    )
    msa = f"MSA{separator}{code}{separator}{field(10)}"
    if not text:
        return f"{header}\r{msa}\r"
    escaper = _escaper(separator, encoding)
    msa += "|" + hl7_escape(escaper, text[:500])
    return f"{header}\r{msa}\r{_err_segment(escaper, location, error_code, text)}\r"


def _escaper(separator: str, encoding: str):
    """What python-hl7's `escape` needs of a message: its separators and escape character."""
    encoding = (encoding + "^~\\&")[:4] if len(encoding) < 4 else encoding
    return SimpleNamespace(
        esc=encoding[2], separators="\r" + separator + encoding[1] + encoding[0] + encoding[3]
    )


def reject_unreadable(text: str, *, code: str = "AR") -> str:
    """AR for a frame with no usable MSH: there is no sender to swap or control id to echo."""
    now = timezone.now().strftime("%Y%m%d%H%M%S")
    reason = _escape_plain(text[:500])
    return (
        f"MSH|^~\\&|CAIRN|CAIRN|||{now}||ACK|{_ack_control_id()}|P|2.5.1\r"
        f"MSA|{code}||{reason}\r"
        f"ERR||MSH^1|100^Segment sequence error^HL70357|E||||{reason}\r"
    )


def _err_segment(escaper, location: str, error_code: str, text: str) -> str:
    """ERR-2 error location (segment^sequence^field), ERR-3 HL7 table 0357 code, ERR-8 text."""
    match = re.fullmatch(r"([A-Z0-9]{3})(?:-(\d+))?", location or "")
    where = (
        f"{match.group(1)}^1" + (f"^{match.group(2)}" if match.group(2) else "") if match else ""
    )
    names = {
        "100": "Segment sequence error",
        "101": "Required field missing",
        "102": "Data type error",
        "200": "Unsupported message type",
        "201": "Unsupported event code",
        "203": "Unsupported version id",
        "207": "Application internal error",
    }
    error_code = error_code or "207"
    condition = f"{error_code}^{names.get(error_code, '')}^HL70357"
    return f"ERR||{where}|{condition}|{ERROR_SEVERITY}||||{hl7_escape(escaper, text[:500])}"


def _escape_plain(text: str) -> str:
    for char, escape in (
        ("\\", "\\E\\"),
        ("|", "\\F\\"),
        ("^", "\\S\\"),
        ("&", "\\T\\"),
        ("~", "\\R\\"),
    ):
        text = text.replace(char, escape)
    return text.replace("\r", " ").replace("\n", " ")


def ack_code(ack: str) -> str:
    """MSA-1 of an ACK, for callers and tests."""
    for segment in ack.replace("\n", "\r").split("\r"):
        if segment.startswith("MSA"):
            return segment.split(segment[3])[1]
    return ""
