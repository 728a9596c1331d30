"""Public survey submission under load: 100 responses per second, p95 under 200 ms.

    python bench/bench_survey_submit.py [--rate 100] [--seconds 30] [--existing 100000]
                                        [--workers 48] [--database cairn_bench_surveys]
                                        [--keep] [--reuse]

Needs DATABASE_URL pointing to a PostgreSQL server. Builds a throwaway database (dropped
at the end unless --keep), migrates it, loads BC's geography and the personas, and
writes: the ministry's campaign, a pre/post survey of the sample instrument (8 items,
two subscales), `--existing` earlier responses with their answers (bulk), and one
invitation per request to come.

Then it starts Cairn in a separate process (DEBUG off, collected static files) on a
fixed pool of server threads that keep their database connections, as a production
WSGI server's threaded worker does (runserver would open a thread and a database
connection per request), and sends real HTTP requests from a pool of client threads,
open loop: request i is
due at start + i / rate whatever happened before, so a slow server shows as latency
instead of a lower rate. Each request is one respondent posting their answers (consent,
eight answers, the CSRF cookie and token of a page loaded before) to
/survey/<token>/; the server checks, scores, stores the response and its answers and
marks the invitation used. Latency is measured from when the request was due to the
end of the answer. Printed: the rate achieved, p50/p95/p99/max, errors, and a check
that the database holds exactly one response per invitation used.

A short phase before measures opening the questions page (GET) the same way. The CPU
time Cairn's process and its PostgreSQL connections spent per response is printed too:
on a machine shared with other work, it says what an idle one would sustain.
"""

import argparse
import datetime as dt
import http.client
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from benchdb import drop, load_average, open_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_RATE = 100
GOAL_P95_MS = 200
SEED = 20261126
PORT = 8765  # replaced by a free port at start


def percentile(values: list[float], share: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(share * (len(values) - 1))))]


def build(existing: int, invitations: int):
    from cairn.access.personas import create_personas
    from cairn.campaigns.models import Answer, Campaign, Invitation, Response
    from cairn.campaigns.surveys import catalogue, designs
    from cairn.campaigns.surveys.invitations import new_token
    from cairn.campaigns.surveys.scoring import rule_for, score_with_rule
    from cairn.geography.models import Jurisdiction

    users = create_personas(password="bench")
    officer = users["communications_officer"]
    campaign = Campaign.objects.create(
        name="Stop overdose: people from all walks of life",
        objective="Fewer people see drug use as a moral failure.",
        frame="humanizing",
        organization=officer.memberships.first().organization,
        owner=officer,
        created_by=officer,
        starts_on=dt.date(2026, 1, 12),
        ends_on=dt.date(2026, 3, 29),
    )
    campaign.communities.set(Jurisdiction.objects.filter(code="bc"))
    instrument = catalogue.install_sample_instrument()
    survey = designs.create_survey(
        user=officer,
        campaign=campaign,
        data={
            "title": "What do you think?",
            "design": "pre_post",
            "consent_text": designs.DEFAULT_CONSENT,
        },
        instrument=instrument,
    )
    waves = list(survey.waves.all())
    items = list(instrument.items.all())
    rule = rule_for(instrument)
    rng = random.Random(SEED)
    start = dt.date(2026, 1, 1)
    made = 0
    while made < existing:
        responses, answers = [], []
        for _ in range(min(5000, existing - made)):
            made += 1
            wave = waves[made % 2]
            sheet = {item.code: rng.randint(1, 5) for item in items}
            total, scores = score_with_rule(rule, sheet)
            response = Response(
                survey=survey,
                wave=wave,
                submitted_on=start + dt.timedelta(days=rng.randrange(120)),
                source="web",
                total_score=total,
                scores=scores,
            )
            responses.append(response)
            answers.extend(
                Answer(response=response, item=item, value=sheet[item.code]) for item in items
            )
        Response.objects.bulk_create(responses)
        Answer.objects.bulk_create(answers, batch_size=10_000)
    post = waves[1]
    tokens = [new_token() for _ in range(invitations)]
    Invitation.objects.bulk_create(
        (Invitation(wave=post, token=token, batch=1) for token in tokens), batch_size=5000
    )
    return survey, tokens


def serve(port: int, threads: int) -> None:
    """Cairn's WSGI application on a fixed pool of threads that keep their database
    connections, as a production server's threaded worker (gunicorn gthread) does."""
    from concurrent.futures import ThreadPoolExecutor
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cairn.settings")
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    pool = ThreadPoolExecutor(threads)

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args):
            pass

    class PooledServer(WSGIServer):
        request_queue_size = 512

        def process_request(self, request, client_address):
            pool.submit(self._answer, request, client_address)

        def _answer(self, request, client_address):
            try:
                self.finish_request(request, client_address)
            except Exception:  # noqa: BLE001 - logged like socketserver does
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)

    server = PooledServer(("127.0.0.1", port), QuietHandler)
    server.set_app(application)
    server.serve_forever()


def cpu_ms(pids) -> float:
    """CPU milliseconds (user + system) the processes have used so far (Linux)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, ValueError, IndexError):
            continue
    return total * 1000 / ticks


def backend_pids(database: str) -> list[int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        )
        return [row[0] for row in cursor.fetchall()]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(env: dict) -> subprocess.Popen:
    """Cairn as in production (DEBUG off, collected static files), on pooled threads."""
    var_dir = Path(env["CAIRN_VAR_DIR"])
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v", "0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    log = open(var_dir / "server.log", "w")  # noqa: SIM115 - closed with the process
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(PORT), "--threads", env["BENCH_THREADS"]],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log,  # never a pipe nobody reads: a full pipe would stall the server
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            connection.request("GET", "/healthz")
            connection.getresponse().read()
            return server
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.3)
    server.kill()
    raise RuntimeError("The server did not start; see " + str(var_dir / "server.log"))


def request(method: str, path: str, body: str = "", headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    try:
        connection.request(method, path, body=body or None, headers=headers or {})
        response = connection.getresponse()
        content = response.read()
        return response.status, response.getheader("Set-Cookie") or "", content
    finally:
        connection.close()


def csrf_pair(token: str) -> tuple[str, str]:
    """The CSRF cookie and form token a respondent's browser holds after loading the page."""
    status, cookie, content = request("GET", f"/survey/{token}/?consent=yes")
    assert status == 200, status
    cookie_value = re.search(r"csrftoken=([^;]+)", cookie).group(1)
    form_token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1)
    return cookie_value, form_token.decode()


def open_loop(rate: float, count: int, send, workers: int) -> tuple[list[float], list, float]:
    """Send `count` requests, request i due at start + i / rate; latency from due time."""
    latencies, errors = [], []
    lock = threading.Lock()
    counter = iter(range(count))
    started = time.perf_counter() + 0.2

    def worker():
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            due = started + i / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            try:
                ok = send(i)
            except Exception as error:  # noqa: BLE001 - counted and shown, not hidden
                ok = repr(error)
            end = time.perf_counter()
            with lock:
                latencies.append((end - due) * 1000)
                if ok is not True:
                    errors.append(ok)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return latencies, errors, elapsed


def report(label: str, latencies: list[float], errors: list, elapsed: float, count: int) -> dict:
    rate = count / elapsed
    figures = {
        "rate": rate,
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies),
        "errors": len(errors),
    }
    print(
        f"{label:<28} {count:>6} in {elapsed:5.1f} s = {rate:6.1f}/s   "
        f"p50 {figures['p50']:6.1f} ms  p95 {figures['p95']:6.1f} ms  "
        f"p99 {figures['p99']:6.1f} ms  max {figures['max']:6.1f} ms  errors {len(errors)}"
    )
    for error in errors[:5]:
        print(f"    {error}")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="cairn_bench_surveys")
    parser.add_argument("--rate", type=float, default=GOAL_RATE)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--existing", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=48)
    parser.add_argument("--threads", type=int, default=8, help="server threads")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.threads)
        return 0
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        print("Set DATABASE_URL to a PostgreSQL server (postgres://...).", file=sys.stderr)
        return 2
    began = time.monotonic()
    submits = int(args.rate * args.seconds)
    page_views = int(args.rate * 5)
    open_database(base, args.database, reuse=False)
    from django.db import connection, connections

    server = None
    try:
        from cairn.geography.loading import load_british_columbia

        load_british_columbia()
        survey, tokens = build(args.existing, submits + page_views + 1)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        connections.close_all()
        print(
            f"survey {survey.pk}: {args.existing:,} earlier responses, "
            f"{len(tokens):,} invitations; load {load_average()}"
        )
        global PORT
        PORT = free_port()
        env = {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-secret-key-not-for-production-use-0123456789",
            "CAIRN_SSL_REDIRECT": "false",
            "CAIRN_DB_CONN_MAX_AGE": "300",  # each pooled thread keeps its connection
            "BENCH_THREADS": str(args.threads),
            "CAIRN_LOG_LEVEL": "WARNING",
            "CAIRN_VAR_DIR": tempfile.mkdtemp(prefix="cairn-bench-surveys-"),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
        }
        server = start_server(env)
        cookie, form_token = csrf_pair(tokens[-1])
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie}",
            "Referer": f"http://127.0.0.1:{PORT}/",
        }
        rng = random.Random(SEED)
        sheets = [
            urllib.parse.urlencode(
                {
                    "csrfmiddlewaretoken": form_token,
                    "consent": "yes",
                    **{f"q{n}": rng.randint(1, 5) for n in range(1, 9)},
                }
            )
            for _ in range(submits)
        ]

        def view(i):
            status, _, _ = request("GET", f"/survey/{tokens[submits + i]}/?consent=yes")
            return True if status == 200 else f"GET {status}"

        def submit(i):
            status, _, content = request(
                "POST", f"/survey/{tokens[i]}/", sheets[i], headers=headers
            )
            return True if status == 302 else f"POST {status}: {content[:200]!r}"

        print(
            f"Cairn on 127.0.0.1:{PORT} ({args.threads} server threads, DEBUG off); "
            f"load {load_average()}"
        )
        report(
            "questions page (GET)",
            *open_loop(args.rate, page_views, view, args.workers),
            page_views,
        )
        backends = backend_pids(args.database)
        connections.close_all()
        before = (cpu_ms([server.pid]), cpu_ms(backends))
        figures = report(
            "answers sent (POST)", *open_loop(args.rate, submits, submit, args.workers), submits
        )
        backends_after = backend_pids(args.database)
        connections.close_all()
        server_cpu = (cpu_ms([server.pid]) - before[0]) / submits
        pg_cpu = (cpu_ms(backends_after) - before[1]) / submits
        print(
            f"CPU per response: Cairn {server_cpu:.1f} ms + PostgreSQL {pg_cpu:.1f} ms "
            f"({len(set(backends_after))} connections); on {os.cpu_count()} idle CPUs "
            f"that is at most {os.cpu_count() * 1000 / (server_cpu + pg_cpu):.0f} responses/s"
        )
        from cairn.campaigns.models import Invitation, Response

        stored = Response.objects.filter(survey=survey).count() - args.existing
        used = Invitation.objects.filter(wave__survey=survey, used_on__isnull=False).count()
        print(f"stored {stored:,} new responses for {used:,} invitations used (must be equal)")
        connections.close_all()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=10)
        connections.close_all()
        if not args.keep:
            drop(base, args.database)
    met = (
        figures["rate"] >= 0.97 * args.rate
        and figures["p95"] < GOAL_P95_MS
        and figures["errors"] == 0
        and stored == used == submits - figures["errors"]
    )
    print(
        f"\ngoal ({GOAL_RATE}/s sustained, p95 < {GOAL_P95_MS} ms): "
        f"{'met' if met else 'NOT met'} at {figures['rate']:.1f}/s, p95 {figures['p95']:.0f} ms; "
        f"load {load_average()}; {time.monotonic() - began:.0f} s in all"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
