"""Dashboard and alert pages under load at 10 million events: p50 and p95 per page.

    python bench/bench_pages.py [--database cairn_bench_10m] [--requests 40] [--clients 4]

Needs DATABASE_URL pointing to a PostgreSQL server. Uses the persistent database of the
`large` demo province (`cairn_bench_10m`, about 10 million events, never dropped here).
When it is missing, it is made the way the other benchmarks make theirs: the `large`
demo (bench_demo_data_large.py --keep), a re-classification of every event, and a full
rebuild of the counts (`cairn surveillance counts rebuild`), which takes a while. An
existing database is migrated (new tables only) and its counts are rebuilt only when
it has none: pages read the counts tables, never the events.

A real server (Django's runserver, threaded, DEBUG off) serves
the pages; a few client threads request each page N times with urllib, signed in with a
session cookie made here for the persona each page is for, and the figures printed are
the latency of each request as the client sees it. The first request of each page (the
cold cache: counts read, suppression computed, map boundaries projected) is printed
apart from the load run.
"""

import argparse
import datetime as dt
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg
from benchdb import database_url

ROOT = Path(__file__).resolve().parent.parent
GOAL_P95_MS = 300


def _exists(base: str, name: str) -> bool:
    with psycopg.connect(base, autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        return found.fetchone() is not None


def _manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True, cwd=ROOT)


def _prepare(base: str, name: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url(base, name)}
    if not _exists(base, name):
        print(f"{name} does not exist: loading the large demo (this takes a long time)")
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "bench_demo_data_large.py"),
                "--keep",
                "--database",
                name,
            ],
            env={**os.environ, "DATABASE_URL": base},
            check=True,
        )
        code = (
            "from cairn.surveillance.classification.reclassify import queue_reclassification;"
            "queue_reclassification(reason='bench_pages: classify the large demo')"
        )
        _manage(env, "shell", "-c", code)
        _manage(env, "surveillance", "reclassify")
        _manage(env, "surveillance", "counts", "rebuild")
    _manage(env, "migrate", "--verbosity", "0")
    with psycopg.connect(env["DATABASE_URL"]) as connection:
        events = connection.execute("SELECT count(*) FROM surveillance_event").fetchone()[0]
        daily = connection.execute("SELECT count(*) FROM surveillance_dailycount").fetchone()[0]
    if not daily:
        print("no counts yet: rebuilding them from the events")
        _manage(env, "surveillance", "counts", "rebuild")
    print(f"database {name}: {events:,} events, {daily:,} daily count rows")
    return env


def _sessions(env: dict) -> tuple[dict, dict]:
    """Session keys for the personas the pages are for, and the first alert's id."""
    code = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from cairn.access.personas import PERSONAS, create_personas
if not get_user_model().objects.filter(username=PERSONAS["epidemiologist"].username).exists():
    create_personas(password="bench-pages-password")
keys = {}
for persona in ("epidemiologist", "administrator", "police_liaison"):
    user = get_user_model().objects.get(username=PERSONAS[persona].username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    keys[persona] = session.session_key
alert = None
try:
    from cairn.surveillance.models.alerts import Alert
    alert = Alert.objects.order_by("-id").values_list("id", flat=True).first()
except Exception:
    pass
print(json.dumps({"sessions": keys, "alert": alert}))
"""
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", code],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    found = json.loads(result.stdout.strip().splitlines()[-1])
    return found["sessions"], {"alert": found["alert"]}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _server_env(env: dict, var_dir: str) -> dict:
    """Production-like settings; sessions must be made with the same SECRET_KEY."""
    return {
        **env,
        "DEBUG": "false",
        "SECRET_KEY": "bench-pages-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "CAIRN_SSL_REDIRECT": "false",
        "CAIRN_DB_CONN_MAX_AGE": "0",  # runserver starts a thread per request
        "CAIRN_LOG_LEVEL": "WARNING",
        "CAIRN_VAR_DIR": var_dir,  # collected static files, as in production
    }


def _start_server(server_env: dict, port: int) -> subprocess.Popen:
    _manage(server_env, "collectstatic", "--noinput", "--verbosity", "0")
    log = open(Path(server_env["CAIRN_VAR_DIR"]) / "server.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "runserver",
            f"127.0.0.1:{port}",
            "--noreload",
            "--skip-checks",
        ],
        env=server_env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log,  # never a pipe nobody reads: a full pipe would stall the server
        text=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return process
        except OSError:  # refused, reset or timed out while it starts
            if process.poll() is not None:
                raise RuntimeError("the server stopped: " + _server_error(server_env)) from None
            time.sleep(0.5)
    process.kill()
    raise RuntimeError("the server did not answer within two minutes")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect (to the sign-in page, say) is an answer to report, not to follow."""

    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _counts_version(env: dict) -> int:
    with psycopg.connect(env["DATABASE_URL"]) as connection:
        return connection.execute("SELECT max(id) FROM surveillance_dailycount").fetchone()[0]


def _server_error(server_env: dict) -> str:
    """The last line of the server's log that names an error."""
    text = (Path(server_env["CAIRN_VAR_DIR"]) / "server.log").read_text(errors="replace")
    errors = [line for line in text.splitlines() if "Error" in line or "error" in line]
    return errors[-1].strip() if errors else "see the server log"


def _get(url: str, session: str | None, headers: dict | None = None) -> tuple[int, float]:
    request = urllib.request.Request(url, headers=headers or {})
    if session:
        request.add_header("Cookie", f"sessionid={session}")
    started = time.perf_counter()
    try:
        with _OPENER.open(request, timeout=120) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        error.read()
        status = error.code
    return status, (time.perf_counter() - started) * 1000


def _pages(sessions: dict, extra: dict) -> list[tuple[str, str, str | None, dict]]:
    epi, admin, police = (
        sessions["epidemiologist"],
        sessions["administrator"],
        sessions["police_liaison"],
    )
    pages = [
        ("public province (weekly)", "/public/", None, {}),
        ("public province (monthly, ED)", "/public/?source=ed&freq=month", None, {}),
        ("public health authority", "/public/bc-ha-northern/", None, {}),
        ("public table CSV", "/public/bc/table.csv", None, {}),
        ("province, epidemiologist (weekly)", "/surveillance/dashboard/bc/", epi, {}),
        ("province, epidemiologist (daily)", "/surveillance/dashboard/bc/?freq=day", epi, {}),
        ("province, administrator (published)", "/surveillance/dashboard/bc/", admin, {}),
        (
            "province table sorted (htmx)",
            "/surveillance/dashboard/bc/?sort=events&order=desc",
            epi,
            {"HX-Request": "true"},
        ),
        ("health authority, epidemiologist", "/surveillance/dashboard/bc-ha-fraser/", epi, {}),
        (
            "community, police liaison (published)",
            "/surveillance/dashboard/bc-lha-prince-george/",
            police,
            {},
        ),
        (
            "community series CSV",
            "/surveillance/dashboard/bc-lha-prince-george/series.csv",
            epi,
            {},
        ),
        ("alert list", "/alerts/", epi, {}),
    ]
    if extra.get("alert"):
        pages.append(("alert detail", f"/alerts/{extra['alert']}/", epi, {}))
    return pages


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="cairn_bench_10m")
    parser.add_argument("--requests", type=int, default=40, help="Requests per page.")
    parser.add_argument("--clients", type=int, default=4, help="Concurrent client threads.")
    args = parser.parse_args(argv[1:])
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        print("DATABASE_URL must point to PostgreSQL (make bench sets it).", file=sys.stderr)
        return 2
    var_dir = tempfile.mkdtemp(prefix="cairn-bench-pages-")
    env = _server_env(_prepare(base, args.database), var_dir)
    sessions, extra = _sessions(env)
    port = _free_port()
    server = _start_server(env, port)
    root = f"http://127.0.0.1:{port}"
    try:
        pages = []
        print(f"{'page':42} {'cold ms':>8}")
        for label, path, session, headers in _pages(sessions, extra):
            status, cold = _get(root + path, session, headers)
            if status != 200:
                reason = f" ({_server_error(env)})" if status >= 500 else ""
                print(f"{label:42} skipped: HTTP {status}{reason}")
                continue
            print(f"{label:42} {cold:8.0f}")
            pages.append((label, path, session, headers))

        timings: dict[str, list[float]] = {label: [] for label, *_ in pages}
        failures: list[str] = []
        # Pages in a shuffled order, so that each meets the same background conditions.
        jobs = [page for page in pages for _ in range(args.requests)]
        random.Random(1).shuffle(jobs)
        lock = threading.Lock()

        def client(offset: int) -> None:
            for i in range(offset, len(jobs), args.clients):
                label, path, session, headers = jobs[i]
                status, ms = _get(root + path, session, headers)
                with lock:
                    if status == 200:
                        timings[label].append(ms)
                    else:
                        failures.append(f"{label}: HTTP {status}")

        version_before = _counts_version(env)
        started = time.monotonic()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.monotonic() - started
        rewritten = _counts_version(env) != version_before
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(var_dir, ignore_errors=True)

    print(
        f"\nload run: {len(jobs):,} requests, {args.clients} concurrent clients, "
        f"{seconds:.1f} s ({len(jobs) / seconds:.1f} requests/s), {dt.date.today()}"
    )
    print(f"{'page':42} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    worst = 0.0
    for label, values in timings.items():
        if not values:
            continue
        p95 = _percentile(values, 0.95)
        worst = max(worst, p95)
        print(f"{label:42} {statistics.median(values):8.0f} {p95:8.0f} {max(values):8.0f}")
    if rewritten:
        print(
            "warning: the counts were rewritten during the run (another process rebuilt or "
            "recounted them): these figures include its locks and the caches it invalidated"
        )
    for failure in sorted(set(failures)):
        print(f"failed: {failure}")
    verdict = "meets" if worst < GOAL_P95_MS and not failures else "misses"
    print(f"worst page p95 {worst:.0f} ms ({verdict} the {GOAL_P95_MS} ms goal)")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
