"""The demo path (`make demo`) works on an embedded SQLite database.

Runs the real scripts/demo.sh in a fresh var/ directory, waits for the server,
signs in as a persona, then runs the set-up again to check it is safe and quick.
"""

import http.cookiejar
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from cairn.access.personas import PERSONAS

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.xdist_group("demo_smoke")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _demo_env(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    # `make demo` runs the script under `uv run`, which puts the venv's `cairn` first on PATH.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update(CAIRN_VAR_DIR=str(var_dir), **extra)
    return env


def _wait_for(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"demo exited early:\n{process.stdout.read()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"demo did not serve {url} within {timeout} s")


def _session(base: str, username: str, password: str = "cairn-demo"):
    """(a signed-in opener, the page shown after signing in)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    request = urllib.request.Request(f"{base}/login/", data=form, headers={"Referer": base})
    return opener, opener.open(request).read().decode()


def _sign_in(base: str, username: str, password: str) -> str:
    return _session(base, username, password)[1]


def _status(opener, url: str) -> tuple[int, str]:
    try:
        with opener.open(url) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def _check_demo_cases(base: str, database: Path) -> None:
    """The demo's care team sees its clients, its worklist and its follow-ups; the
    police and municipal personas see none of it."""
    nurse, _ = _session(base, PERSONAS["er_nurse"].username)
    status, worklist = _status(nurse, f"{base}/cases/")
    assert status == 200
    waiting = int(re.search(r"(\d+) records? waiting", worklist).group(1))
    assert waiting > 0, "the nurse's worklist has no ED overdose visit left to open"
    status, follow_ups = _status(nurse, f"{base}/cases/follow-ups/?state=contacted")
    assert status == 200 and follow_ups.count("Contact made") > 10
    status, open_ones = _status(nurse, f"{base}/cases/follow-ups/?state=open")
    assert status == 200 and ("Overdue" in open_ones or ">Due<" in open_ones)

    with sqlite3.connect(database) as db:
        nurse_client, name = db.execute(
            "select c.id, c.display_name from cases_client c "
            "join cases_clientholding h on h.client_id = c.id "
            "join access_organization o on o.id = h.organization_id "
            "where o.name = ? and c.identity_status = 'identified' and c.status = 'active' "
            "order by c.id limit 1",
            [PERSONAS["er_nurse"].organization],
        ).fetchone()
        other_client = db.execute(
            "select h.client_id from cases_clientholding h "
            "join access_organization o on o.id = h.organization_id where o.name <> ? limit 1",
            [PERSONAS["er_nurse"].organization],
        ).fetchone()[0]
        opened_visits = db.execute("select count(*) from cases_episodesource").fetchone()[0]
    assert opened_visits > 100  # episodes link to the demo's own ED visits
    status, page = _status(nurse, f"{base}/cases/clients/{nurse_client}/")
    assert status == 200 and name in page
    status, search = _status(nurse, f"{base}/cases/clients/?q={urllib.parse.quote(name)}")
    assert status == 200 and name in search
    # Another centre's client: not disclosed to the nurse.
    assert _status(nurse, f"{base}/cases/clients/{other_client}/")[0] == 404

    for persona in ("police_liaison", "municipal_coordinator"):
        opener, _ = _session(base, PERSONAS[persona].username)
        for url in ("/cases/", "/cases/follow-ups/", f"/cases/clients/{nurse_client}/"):
            status, page = _status(opener, f"{base}{url}")
            assert status == 403, (persona, url, status)
            assert name not in page


def test_demo_serves_on_sqlite_and_reruns_quickly(tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        ["bash", "scripts/demo.sh"],
        cwd=ROOT,
        env=_demo_env(tmp_path, CAIRN_DEMO_PORT=str(port)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_for(f"{base}/healthz", process, timeout=240)
        dashboard = _sign_in(base, PERSONAS["police_liaison"].username, "cairn-demo")
        assert "Police liaison" in dashboard
        _check_demo_cases(base, tmp_path / "cairn.sqlite3")
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    for persona in PERSONAS.values():
        assert persona.username in output, f"demo logins do not list {persona.username}"

    database = tmp_path / "cairn.sqlite3"
    events_before = (
        sqlite3.connect(database).execute("select count(*) from surveillance_event").fetchone()[0]
    )
    assert events_before > 10_000

    started = time.monotonic()
    subprocess.run(
        ["bash", "scripts/demo.sh"],
        cwd=ROOT,
        env=_demo_env(tmp_path, CAIRN_DEMO_NO_SERVE="1"),
        check=True,
        capture_output=True,
    )
    assert time.monotonic() - started < 30
    events_after = (
        sqlite3.connect(database).execute("select count(*) from surveillance_event").fetchone()[0]
    )
    assert events_after == events_before
