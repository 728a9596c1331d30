"""Shipped, versioned instruments and catalogues (data files) and their loaders."""

import json
from pathlib import Path

from cairn.cases.assessment.scoring import Instrument, parse_instrument

DIRECTORY = Path(__file__).resolve().parent


def shipped_instrument_files() -> list[Path]:
    return sorted(DIRECTORY.glob("*_v*.json"))


def read_instrument_file(path: Path) -> tuple[dict, Instrument]:
    """The raw definition and its parsed form; errors name the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data, parse_instrument(data)
    except (json.JSONDecodeError, ValueError) as error:
        raise ValueError(f"{path.name}: {error}") from error
