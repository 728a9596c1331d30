"""HL7 v2 acknowledgements: AA (committed), AE (understood, rejected), AR (unreadable).

An ACK for a message we could parse is built by python-hl7's `create_ack` (MSH with
sender and receiver swapped, MSA-1 code, MSA-2 the original control id); MSA-3 and
an ERR segment carry the reason. A frame we could not parse has no MSH to answer,
so its AR is written by hand with an empty MSA-2.
"""

import itertools
import os
import re

import hl7
from django.utils import timezone

_ack_numbers = itertools.count(1)
ERROR_SEVERITY = "E"


def _ack_control_id() -> str:
    # The process id keeps ids unique when worker processes build ACKs too.
    return f"CAIRN{timezone.now():%Y%m%d%H%M%S}{os.getpid() % 100000:05d}{next(_ack_numbers):06d}"


def ack_for(
    message: hl7.Message, code: str, *, text: str = "", location: str = "", error_code: str = ""
) -> str:
    ack = message.create_ack(
        ack_code=code, message_id=_ack_control_id(), application="CAIRN", facility="CAIRN"
    )
    lines = [str(segment) for segment in ack]
    if text:
        lines[-1] += "|" + message.escape(text[:500])
        lines.append(_err_segment(message, location, error_code, text))
    return "\r".join(lines) + "\r"


def reject_unreadable(text: str, *, code: str = "AR") -> str:
    """AR for a frame with no usable MSH: there is no sender to swap or control id to echo."""
    now = timezone.now().strftime("%Y%m%d%H%M%S")
    reason = _escape_plain(text[:500])
    return (
        f"MSH|^~\\&|CAIRN|CAIRN|||{now}||ACK|{_ack_control_id()}|P|2.5.1\r"
        f"MSA|{code}||{reason}\r"
        f"ERR||MSH^1|100^Segment sequence error^HL70357|E||||{reason}\r"
    )


def _err_segment(message: hl7.Message, location: str, error_code: str, text: str) -> str:
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
    return f"ERR||{where}|{condition}|{ERROR_SEVERITY}||||{message.escape(text[:500])}"


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
