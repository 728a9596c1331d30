"""HL7 v2 over MLLP, end to end into PostgreSQL with ACK after commit; print the rate.

    python bench/bench_mllp.py [--messages 20000] [--senders 8] [--parse-workers 2] [--keep]

Needs DATABASE_URL pointing to a PostgreSQL server: the benchmark drops and creates
its own database there (`cairn_bench_mllp`, --database), migrates it, starts
`cairn mllp` as a subprocess on a free port and has --senders concurrent
connections each send its share of distinct overdose A04 messages, waiting for each
ACK (AA = committed) before the next, as a real sender does. It then checks that the
database holds exactly one event per message. The database is dropped afterwards
unless --keep.
"""

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psycopg
from benchdb import database_url, drop, migrate, recreate

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "cairn/surveillance/tests/hl7_messages/adt_a04_v251_fentanyl.hl7"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def messages_for(sender: int, count: int) -> list[bytes]:
    template = TEMPLATE.read_bytes().decode()
    frames = []
    for index in range(count):
        text = template.replace("UHNBC-20261120-0001", f"B{sender:02d}-{index:07d}").replace(
            "V26-445120", f"BV{sender:02d}-{index:07d}"
        )
        frames.append(b"\x0b" + text.encode() + b"\x1c\r")
    return frames


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
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


def send_all(port: int, frames: list[bytes], codes: list[str]) -> None:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        for frame in frames:
            sock.sendall(frame)
            reply = b""
            while not reply.endswith(b"\x1c\r"):
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError("server closed the connection")
                reply += chunk
            codes.append(reply.split(b"MSA|", 1)[1][:2].decode())


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--parse-workers", type=int, default=2)
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
    server = subprocess.Popen(
        [*manage, "mllp", "--port", str(port), "--parse-workers", str(args.parse_workers)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, server)
        per_sender = args.messages // args.senders
        batches = [messages_for(n, per_sender) for n in range(args.senders)]
        # Warm up: one message per sender's connection path, not timed.
        send_all(port, [frame.replace(b"BV", b"WU") for frame in messages_for(99, 1)], [])
        codes: list[str] = []
        threads = [threading.Thread(target=send_all, args=(port, b, codes)) for b in batches]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(30)

    sent = per_sender * args.senders
    with psycopg.connect(url) as connection:
        stored = connection.execute(
            "SELECT count(*) FROM surveillance_event WHERE source_record_id LIKE 'BV%%'"
        ).fetchone()[0]
    if not args.keep:
        drop(base, args.database)
    accepted = codes.count("AA")
    print(
        f"mllp: {sent} messages in {seconds:.2f} s = {sent / seconds:,.0f} msg/s "
        f"({args.senders} concurrent senders, {args.parse_workers} parse workers; "
        f"{accepted} AA, {stored} events stored)"
    )
    return 0 if accepted == stored == sent else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
