"""The SQLite path of `make demo`: executemany instead of COPY, same records."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
ARGS = ["--seed", "4", "--days", "5", "--scale", "tiny", "--end", "2024-01-31", "--quiet"]


def manage(tmp_path, *args) -> str:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["CAIRN_VAR_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_demo_data_loads_into_sqlite_once(tmp_path):
    manage(tmp_path, "migrate", "-v", "0")
    printed = manage(tmp_path, "demo-data", *ARGS)
    assert "records in" in printed

    database = sqlite3.connect(tmp_path / "cairn.sqlite3")
    events, identities, unknown = database.execute(
        "SELECT (SELECT COUNT(*) FROM surveillance_event),"
        " (SELECT COUNT(*) FROM surveillance_eventidentity),"
        " (SELECT COUNT(*) FROM surveillance_event WHERE community_id IS NULL)"
    ).fetchone()
    assert events > 500 and identities > 400 and unknown > 0
    first = database.execute(
        "SELECT occurred_at, diagnosis_codes FROM surveillance_event"
        " WHERE source = 'coroner' ORDER BY id LIMIT 1"
    ).fetchone()
    assert first[0].startswith(("2024-01-", "2024-02-01")) and first[1].startswith('["X42"')

    assert "already loaded" in manage(tmp_path, "demo-data", *ARGS)
    assert database.execute("SELECT COUNT(*) FROM surveillance_event").fetchone()[0] == events
