"""Shared by the HSDS tests: the official examples (copied into Cairn) and a field-by-field diff."""

import json
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "hsds" / "examples"
JSON_EXAMPLES = EXAMPLES / "json"
CSV_EXAMPLES = EXAMPLES / "csv"


def example(name: str):
    return json.loads((JSON_EXAMPLES / name).read_text(encoding="utf-8"))


def differences(got, expected, path: str = "") -> list[str]:
    """Every field where `got` and `expected` differ, as readable lines ("" when equal).

    Arrays are compared in order; numbers compare as numbers (HSDS `number`: 100 == 100.0)."""
    out: list[str] = []
    if isinstance(got, dict) and isinstance(expected, dict):
        for key in sorted(set(got) | set(expected)):
            where = f"{path}.{key}"
            if key not in got:
                out.append(f"{where}: missing from the export")
            elif key not in expected:
                out.append(f"{where}: exported but not in the original ({got[key]!r:.80})")
            else:
                out += differences(got[key], expected[key], where)
    elif isinstance(got, list) and isinstance(expected, list):
        if len(got) != len(expected):
            out.append(f"{path}: {len(got)} items exported, {len(expected)} in the original")
        for index, (a, b) in enumerate(zip(got, expected, strict=False)):
            out += differences(a, b, f"{path}[{index}]")
    elif got != expected or isinstance(got, bool) != isinstance(expected, bool):
        out.append(f"{path}: exported {got!r}, original {expected!r}")
    return out
