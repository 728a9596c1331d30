"""HL7 v2 over MLLP, end to end into PostgreSQL with ACK after commit; print the rate.

    python bench/bench_mllp.py [--messages 20000] [--senders 32] [--processes 1]
                               [--committers 1] [--keep]

Needs DATABASE_URL pointing to a PostgreSQL server: the benchmark drops and creates
its own database there (`cairn_bench_mllp`, --database), migrates it, starts
`cairn mllp` as a subprocess on a free port and has --senders concurrent
connections each send its share of distinct overdose A04 messages, waiting for each
ACK (AA = committed) before the next, as a real sender does. The client is one
asyncio loop on raw sockets with prebuilt frames, so it takes little of the CPU it
shares with the server. It then checks that the database holds exactly one event
per message, and that the counts (recounted off the ACK path) include them all.

Other work may share the machine's cores, so the rate alone can mislead: the
benchmark also reads the CPU time (/proc/<pid>/stat) of the listener processes, of
the PostgreSQL backends serving the benchmark database and of the client, and prints
CPU milliseconds per message and the rate the listener and PostgreSQL together could
sustain on two cores (2,000 ms of CPU per second / their ms per message).
The database is dropped afterwards unless --keep.
"""

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from benchdb import database_url, drop, migrate, recreate

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "cairn/surveillance/tests/hl7_messages/adt_a04_v251_fentanyl.hl7"
TICKS = os.sysconf("SC_CLK_TCK")
CORES = 2


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def messages_for(sender: int, count: int, prefix: str = "B") -> list[bytes]:
    template = TEMPLATE.read_bytes().decode()
    frames = []
    for index in range(count):
        text = template.replace("UHNBC-20261120-0001", f"{prefix}{sender:02d}-{index:07d}").replace(
            "V26-445120", f"{prefix}V{sender:02d}-{index:07d}"
        )
        frames.append(b"\x0b" + text.encode() + b"\x1c\r")
    return frames


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"cairn mllp exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("cairn mllp did not start listening")


async def send_all(port: int, frames: list[bytes], codes: list[str]) -> None:
    """One sender: each frame, then wait for its ACK, on a raw non-blocking socket."""
    loop = asyncio.get_running_loop()
    sock = socket.socket()
    sock.setblocking(False)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    await loop.sock_connect(sock, ("127.0.0.1", port))
    try:
        for frame in frames:
            await loop.sock_sendall(sock, frame)
            reply = await loop.sock_recv(sock, 65536)
            while not reply.endswith(b"\x1c\r"):
                chunk = await loop.sock_recv(sock, 65536)
                if not chunk:
                    raise ConnectionError("server closed the connection")
                reply += chunk
            at = reply.find(b"MSA|")
            codes.append(reply[at + 4 : at + 6].decode())
    finally:
        sock.close()


async def send_concurrently(port: int, batches: list[list[bytes]], codes: list[str]) -> None:
    await asyncio.gather(*(send_all(port, batch, codes) for batch in batches))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def listener_pids(root: int) -> list[int]:
    """The `cairn mllp` process and the listener processes it forked."""
    children = Path(f"/proc/{root}/task/{root}/children")
    try:
        return [root, *(int(pid) for pid in children.read_text().split())]
    except OSError:
        return [root]


def backend_pids(url: str, name: str) -> list[int]:
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        ).fetchall()
    return [pid for (pid,) in rows]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--senders", type=int, default=32)
    parser.add_argument("--processes", type=int, default=1, help="cairn mllp --processes")
    parser.add_argument("--committers", type=int, default=1, help="cairn mllp --committers")
    parser.add_argument("--database", default="cairn_bench_mllp")
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    args = parser.parse_args(argv[1:])

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        print("bench_mllp: DATABASE_URL must point to PostgreSQL", file=sys.stderr)
        return 2
    url = database_url(base, args.database)
    recreate(base, args.database)
    env = {**os.environ, "DATABASE_URL": url}
    manage = [sys.executable, str(ROOT / "manage.py")]
    migrate(env)

    port = free_port()
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115 (read after the server stops)
    server = subprocess.Popen(
        [
            *manage,
            "mllp",
            "--port",
            str(port),
            "--processes",
            str(args.processes),
            "--committers",
            str(args.committers),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        wait_for_port(port, server)
        per_sender = args.messages // args.senders
        batches = [messages_for(n, per_sender) for n in range(args.senders)]
        # Warm up, not timed: enough connections that every listener process has opened
        # its database connection and read its case definitions.
        warm = [messages_for(n, 2, prefix="W") for n in range(max(8, 4 * args.processes))]
        asyncio.run(send_concurrently(port, warm, []))
        time.sleep(3.0)  # the drainer's first drain (imports, the warm-up's marks)
        listeners = listener_pids(server.pid)
        backends = backend_pids(url, args.database)
        before = {pid: cpu_seconds(pid) for pid in listeners + backends}
        client_before = time.process_time()
        codes: list[str] = []
        started = time.perf_counter()
        asyncio.run(send_concurrently(port, batches, codes))
        seconds = time.perf_counter() - started
        client_cpu = time.process_time() - client_before
        # Backends that started during the run count from zero.
        backends = sorted(set(backends) | set(backend_pids(url, args.database)))
        listener_cpu = sum(cpu_seconds(pid) - before.get(pid, 0.0) for pid in listeners)
        postgres_cpu = sum(cpu_seconds(pid) - before.get(pid, 0.0) for pid in backends)
        time.sleep(1.5)  # the drainer recounts within a second
    finally:
        server.terminate()
        server.wait(60)
        log.seek(0)
        summaries = [line for line in log.read().splitlines() if "MLLP stopped" in line]

    sent = per_sender * args.senders
    with psycopg.connect(url) as connection:
        stored = connection.execute(
            "SELECT count(*) FROM surveillance_event WHERE source_record_id LIKE 'BV%%'"
        ).fetchone()[0]
        counted = connection.execute(
            "SELECT coalesce(sum(count), 0) FROM surveillance_dailycount "
            "WHERE definition_id IS NULL"
        ).fetchone()[0]
        events = connection.execute("SELECT count(*) FROM surveillance_event").fetchone()[0]
        marks = connection.execute(
            "SELECT count(*) FROM surveillance_countcelltorecount"
        ).fetchone()[0]
    if not args.keep:
        drop(base, args.database)
    accepted = codes.count("AA")
    per_message = {
        "listener": listener_cpu * 1000 / sent,
        "postgres": postgres_cpu * 1000 / sent,
        "client": client_cpu * 1000 / sent,
    }
    server_side = per_message["listener"] + per_message["postgres"]
    print(
        f"mllp: {sent} messages in {seconds:.2f} s = {sent / seconds:,.0f} msg/s "
        f"({args.senders} concurrent senders, {args.processes} listener process(es) "
        f"with {args.committers} committer(s) each; "
        f"{accepted} AA, {stored} events stored, {counted} counted of {events}, "
        f"{marks} marks left)"
    )
    print(
        f"mllp: CPU per message: listener {per_message['listener']:.3f} ms, "
        f"PostgreSQL {per_message['postgres']:.3f} ms, client {per_message['client']:.3f} ms; "
        f"listener + PostgreSQL on {CORES} cores: {CORES * 1000 / server_side:,.0f} msg/s, "
        f"with this client too: {CORES * 1000 / (server_side + per_message['client']):,.0f} msg/s"
    )
    for line in summaries:  # one per listener process: where its CPU went
        print("mllp: " + line.split("MLLP stopped: ", 1)[1])
    return 0 if accepted == stored == sent and counted == events and marks == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
