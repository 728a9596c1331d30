"""A PostgreSQL restart in the middle of an MLLP stream loses and duplicates nothing.

The shared PostgreSQL server is never touched: this test creates a throwaway
cluster (initdb, as user postgres) on a free port, runs `cairn mllp` against it as a
subprocess, streams messages from a sender that behaves like a real one (waits for
each ACK, re-sends on a timeout, a dropped connection or anything but AA), restarts
the cluster with `pg_ctl restart -m fast` half-way, and then counts the rows.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import pytest

from cairn.surveillance.tests.hl7_samples import hl7_message, with_field

ROOT = Path(__file__).resolve().parents[3]
PG_BIN = Path("/usr/lib/postgresql/15/bin")
MESSAGES = 150

SCHEMA_FROM_MODELS = """
import django
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
django.setup()
settings.MIGRATION_MODULES = {app.label: None for app in apps.get_app_configs()}
call_command("migrate", run_syncdb=True, verbosity=0)
"""

pytestmark = [
    pytest.mark.xdist_group("pg_restart"),
    pytest.mark.skipif(
        not (PG_BIN / "initdb").exists() or os.geteuid() != 0 or not shutil.which("runuser"),
        reason="needs PostgreSQL 15 server binaries and root (to run initdb as postgres)",
    ),
]


def as_postgres(*command: str) -> None:
    subprocess.run(
        ["runuser", "-u", "postgres", "--", *command],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=120,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def throwaway_cluster():
    directory = Path(tempfile.mkdtemp(prefix="cairn-pg-restart-"))
    shutil.chown(directory, "postgres", "postgres")
    data, log, port = directory / "data", directory / "server.log", free_port()
    as_postgres(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
    pg_ctl = [str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", f"-p {port} -k {directory}"]
    as_postgres(*pg_ctl, "-l", str(log), "-w", "start")
    try:
        yield {"port": port, "pg_ctl": pg_ctl, "log": log}
    finally:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *pg_ctl, "-m", "immediate", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
        )
        shutil.rmtree(directory, ignore_errors=True)


def prepare_database(port: int) -> dict:
    with psycopg.connect(f"postgres://postgres@127.0.0.1:{port}/postgres", autocommit=True) as c:
        c.execute("CREATE DATABASE cairn_restart")
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/cairn_restart",
        "DJANGO_SETTINGS_MODULE": "cairn.settings",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    check = subprocess.run(
        [*manage, "makemigrations", "--check", "--dry-run"], env=env, cwd=ROOT, capture_output=True
    )
    if check.returncode == 0:
        subprocess.run([*manage, "migrate", "--verbosity", "0"], env=env, cwd=ROOT, check=True)
    else:
        # Some models await their migration (the lead generates them): same schema, from models.
        subprocess.run([sys.executable, "-c", SCHEMA_FROM_MODELS], env=env, cwd=ROOT, check=True)
    return env


def wait_for_port(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90  # starting Django takes long on a busy machine
    while time.monotonic() < deadline:
        assert process.poll() is None, "cairn mllp exited"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("cairn mllp did not start listening")


class Sender:
    """Sends each message until it gets AA, as an interface engine does."""

    def __init__(self, port: int, messages: list[str]):
        self.port, self.messages = port, messages
        self.acknowledged = 0
        self.resends = 0
        self.sock = None
        self.last_refusal = ""
        self.deadline = time.monotonic() + 120

    def run(self) -> None:
        for message in self.messages:
            frame = b"\x0b" + message.encode() + b"\x1c\r"
            while (code := self._exchange(frame)) != "AA":
                self.resends += 1
                self.last_refusal = code
                if time.monotonic() > self.deadline:
                    return
                time.sleep(0.05)
            self.acknowledged += 1
        if self.sock:
            self.sock.close()

    def _exchange(self, frame: bytes) -> str:
        try:
            if self.sock is None:
                self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=3)
            self.sock.sendall(frame)
            reply = b""
            while not reply.endswith(b"\x1c\r"):
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise ConnectionError("closed")
                reply += chunk
            return reply.split(b"MSA|", 1)[1][:2].decode()
        except OSError:
            if self.sock:
                self.sock.close()
            self.sock = None
            return ""


@pytest.mark.parametrize("processes", ["1", "2"])
def test_postgresql_restart_mid_stream_loses_and_duplicates_nothing(throwaway_cluster, processes):
    env = prepare_database(throwaway_cluster["port"])
    port = free_port()
    server_log = throwaway_cluster["log"].with_name("mllp.log").open("w+")
    server = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "mllp",
            "--port",
            str(port),
            "--processes",
            processes,
        ],
        env=env,
        cwd=ROOT,
        stdout=server_log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for_port(port, server)
        template = hl7_message("adt_a04_v251_fentanyl.hl7")
        messages = [
            with_field(with_field(template, "MSH", 10, f"R-{n}"), "PV1", 19, f"RV-{n}^^^UHNBC^VN")
            for n in range(MESSAGES)
        ]
        halves = [messages[0::2], messages[1::2]]
        senders = [Sender(port, half) for half in halves]
        threads = [threading.Thread(target=s.run, daemon=True) for s in senders]
        for thread in threads:
            thread.start()
        while sum(s.acknowledged for s in senders) < MESSAGES // 3:
            time.sleep(0.01)
            assert all(t.is_alive() for t in threads), [s.last_refusal for s in senders]
        acknowledged_before = sum(s.acknowledged for s in senders)
        subprocess.run(
            [
                "runuser",
                "-u",
                "postgres",
                "--",
                *throwaway_cluster["pg_ctl"],
                "-l",
                str(throwaway_cluster["log"]),
                "-m",
                "fast",
                "-w",
                "restart",
            ],
            check=True,
            # The restarted server inherits pg_ctl's output: a pipe would never reach EOF.
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
        )
        for thread in threads:
            thread.join(120)
        assert not any(t.is_alive() for t in threads), "senders did not finish"
        assert all(s.acknowledged == len(s.messages) for s in senders), [
            s.last_refusal for s in senders
        ]
        assert acknowledged_before < MESSAGES
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        server_log.seek(0)
        output = server_log.read()
    assert server.returncode == 0, output
    assert "mllp: stopped" in output

    with psycopg.connect(env["DATABASE_URL"]) as connection:
        events = connection.execute(
            "SELECT count(*), count(DISTINCT dedup_key) FROM surveillance_event"
        ).fetchone()
        received = connection.execute(
            "SELECT count(*) FROM surveillance_receivedmessage"
        ).fetchone()[0]
    assert events == (MESSAGES, MESSAGES)
    assert received == MESSAGES
    assert sum(s.acknowledged for s in senders) == MESSAGES
    assert "Database unavailable" in output  # the restart was noticed, and waited out
