"""The MLLP listener: asyncio TCP, MLLP framing, group commit, ACK after commit.

MLLP wraps each message as 0x0B <message> 0x1C 0x0D. Every connection reads frames,
reads each message (lean parse and mapping, on the event loop: tens of microseconds)
and hands it to the batcher. The batcher takes every message waiting, from all
connections, and processes them in one transaction on a database thread (the Django
ORM is synchronous); while that transaction runs, the next messages gather, so the
batch grows with the load and no fixed delay is added. Each message's ACK is written
only after its transaction has committed. While the database is unavailable the
batch is retried with backoff and nothing is acknowledged, so a sender that gives up
re-sends, and the re-sent message is recognised by its control id: nothing lost,
nothing twice.

Counts are not recounted before the ACK: the records' transaction marks their cells,
and a `Drainer` thread recounts the marks and checks the spike rules a few times a
second (`cairn.surveillance.classification.after`).

`run(..., processes=N)` forks N listener processes, each with its own socket on the
same port (SO_REUSEPORT: the kernel spreads connections over them), its own batcher
and database connection, so parsing and record building use every core. The first
process also runs the Drainer.
"""

import asyncio
import collections
import contextlib
import logging
import os
import signal
import socket
import time
from concurrent.futures import ThreadPoolExecutor

from django.db import OperationalError, connections

from cairn.surveillance.classification.after import Drainer, drain_marked_cells, recount_deferred
from cairn.surveillance.intake.hl7.acks import reject_unreadable
from cairn.surveillance.intake.hl7.processing import (
    UNAVAILABLE,
    ReadMessage,
    Reply,
    decode_frame,
    process_messages,
    read_message,
)

logger = logging.getLogger(__name__)

START_BLOCK = b"\x0b"
END_BLOCK = b"\x1c\x0d"
MAX_FRAME_BYTES = 1024 * 1024
MAX_BATCH = 1000
MAX_PENDING_FRAMES = 64
LINGER_SECONDS = 0.004
LINGER_STEP_SECONDS = 0.0005
COMMITTERS = 1
MAX_BACKOFF_SECONDS = 5.0
SHUTDOWN_GRACE_SECONDS = 30.0


class FrameTooLarge(Exception):
    pass


class FrameReader:
    """Splits a byte stream into MLLP frames; bytes outside a frame are skipped."""

    def __init__(self, max_bytes: int = MAX_FRAME_BYTES):
        self.buffer = bytearray()
        self.max_bytes = max_bytes
        self.skipped = 0

    def feed(self, data: bytes) -> list[bytes]:
        # The common case: the buffer is empty and the data is exactly one frame.
        if not self.buffer and data[:1] == START_BLOCK and data[-2:] == END_BLOCK:
            end = data.find(END_BLOCK, 1)
            if end == len(data) - 2 and data.find(START_BLOCK, 1) < 0:
                return [data[1:end]]
        self.buffer += data
        frames = []
        while True:
            start = self.buffer.find(START_BLOCK)
            if start < 0:
                self.skipped += len(self.buffer)
                self.buffer.clear()
                break
            if start:
                self.skipped += start
                del self.buffer[:start]
            end = self.buffer.find(END_BLOCK, 1)
            if end < 0:
                if len(self.buffer) > self.max_bytes + 1:
                    raise FrameTooLarge(f"frame larger than {self.max_bytes} bytes")
                break
            frame = bytes(self.buffer[1:end])
            del self.buffer[: end + 2]
            # A start block inside a frame means the previous frame was cut short.
            restart = frame.rfind(START_BLOCK)
            if restart >= 0:
                self.skipped += restart + 1
                frame = frame[restart + 1 :]
            frames.append(frame)
        return frames


def frame(message: str) -> bytes:
    return START_BLOCK + message.encode("utf-8") + END_BLOCK


def read_frame(payload: bytes) -> ReadMessage:
    """Decode and read one frame; never raises (a surprise becomes an AE, kept)."""
    text = decode_frame(payload)
    try:
        return read_message(text)
    except Exception as error:  # the listener must outlive any input
        logger.exception("HL7 message could not be read")
        reason = f"could not be processed: {error}"
        item = ReadMessage(raw=text, rejection=(reason, "MSH"))
        item.reply = Reply("AE", reject_unreadable(reason, code="AE"), "quarantined", reason)
        return item


class MLLPConnection(asyncio.Protocol):
    """One sender's connection: frames in, one message in flight at a time, ACKs in order.

    A sender waits for each ACK; one that sends ahead has its frames queued here (and
    reading paused while many are waiting), each processed after the previous one's ACK.
    """

    def __init__(self, server: "MLLPServer"):
        self.server = server
        self.frames = FrameReader()
        self.pending: collections.deque[bytes] = collections.deque()
        self.busy = False
        self.closed = False
        self.paused = False
        self.transport = None
        self.last_heard = 0.0

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.last_heard = self.server.loop.time()
        self.server.connections.add(self)

    def connection_lost(self, exc) -> None:
        self.closed = True
        self.server.connections.discard(self)
        if exc is not None:
            logger.info(
                "MLLP connection from %s dropped", self.transport.get_extra_info("peername")
            )

    def data_received(self, data: bytes) -> None:
        self.last_heard = self.server.loop.time()
        try:
            received = self.frames.feed(data)
        except FrameTooLarge as error:
            self.transport.write(frame(reject_unreadable(f"MLLP: {error}")))
            self.server.counts["AR"] += 1
            self.transport.close()
            return
        self.pending.extend(received)
        if len(self.pending) > MAX_PENDING_FRAMES and not self.paused:
            self.paused = True
            self.transport.pause_reading()
        self._next()

    def _next(self) -> None:
        if self.busy or self.closed or not self.pending or self.server.closing:
            return
        self.busy = True
        self.server.queue.put_nowait((read_frame(self.pending.popleft()), self))
        if self.paused and len(self.pending) < MAX_PENDING_FRAMES // 2:
            self.paused = False
            self.transport.resume_reading()

    def answer(self, reply: Reply) -> None:
        """The message's transaction has committed (or it was refused): send its ACK."""
        self.busy = False
        if self.closed:
            return
        self.transport.write(frame(reply.ack))
        counts = self.server.counts
        counts[reply.code] = counts.get(reply.code, 0) + 1
        self._next()


class MLLPServer:
    """Serve until `stop()`; `serve_forever()` also stops on SIGTERM and SIGINT."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 2575,
        *,
        max_batch: int = MAX_BATCH,
        idle_timeout: float = 600.0,
        sock: socket.socket | None = None,
        drain: bool = True,
        drain_interval: float | None = None,
        committers: int = COMMITTERS,
        linger: float = LINGER_SECONDS,
    ):
        self.linger = linger
        self.host, self.port, self.sock = host, port, sock
        self.max_batch, self.idle_timeout = max_batch, idle_timeout
        # Several batches in flight, each on its own thread and connection: while one
        # waits for PostgreSQL (statements, the commit's WAL flush), the next is built.
        self.committers = committers
        self.database = ThreadPoolExecutor(max_workers=committers, thread_name_prefix="mllp-db")
        self.drainer = (
            Drainer(**({"interval": drain_interval} if drain_interval else {})) if drain else None
        )
        self.queue: asyncio.Queue | None = None
        self.server: asyncio.base_events.Server | None = None
        self.connections: set[MLLPConnection] = set()
        self.stopping: asyncio.Event | None = None
        self.ready = None  # threading.Event set once listening, for tests
        self.counts = {"AA": 0, "AE": 0, "AR": 0}
        self.batches = 0
        self._busy = 0
        self._in_flight = 0
        self.closing = False

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.queue = asyncio.Queue()
        self.stopping = asyncio.Event()
        self.batchers = [asyncio.create_task(self._batch_forever()) for _ in range(self.committers)]
        if self.drainer is not None:
            self.drainer.start()
        self.cpu_at_start = time.process_time()
        DATABASE_CPU[0] = 0.0
        if self.sock is not None:
            self.server = await self.loop.create_server(
                lambda: MLLPConnection(self), sock=self.sock
            )
        else:
            self.server = await self.loop.create_server(
                lambda: MLLPConnection(self), self.host, self.port
            )
        self.idle_checker = asyncio.create_task(self._close_idle_connections())
        self.port = self.server.sockets[0].getsockname()[1]
        logger.info("MLLP listening on %s:%s (process %s)", self.host, self.port, os.getpid())
        if self.ready is not None:
            self.ready.set()

    async def serve_forever(self, *, handle_signals: bool = True) -> None:
        await self.start()
        loop = asyncio.get_running_loop()
        if handle_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, self.stopping.set)
        await self.stopping.wait()
        await self.shutdown()

    def stop(self) -> None:
        """Thread-safe request to stop (for a server running in another thread)."""
        self.loop.call_soon_threadsafe(self.stopping.set)

    async def shutdown(self) -> None:
        """Stop accepting, let every received frame be committed and answered, then close."""
        self.closing = True
        self.server.close()
        await self.server.wait_closed()
        # Unacknowledged frames are safe to abandon (the sender re-sends them), so a
        # database that stays down does not hold the shutdown for ever.
        deadline = asyncio.get_running_loop().time() + SHUTDOWN_GRACE_SECONDS
        while (not self.queue.empty() or self._busy) and self.loop.time() < deadline:
            await asyncio.sleep(0.01)
        for connection in list(self.connections):
            connection.transport.close()
        self.idle_checker.cancel()
        for batcher in self.batchers:
            batcher.cancel()
        await asyncio.gather(*self.batchers, return_exceptions=True)
        loop = asyncio.get_running_loop()
        if self.drainer is not None:
            await loop.run_in_executor(None, self.drainer.stop)  # one last drain
        await asyncio.gather(
            *(
                loop.run_in_executor(self.database, _close_after, 0.05)
                for _ in range(self.committers)
            )
        )
        self.database.shutdown(wait=True)
        total = time.process_time() - self.cpu_at_start
        drainer = self.drainer.cpu_seconds if self.drainer is not None else 0.0
        logger.info(
            "MLLP stopped: %s in %s batches; CPU %.2f s: storing batches %.2f s, "
            "recounting %.2f s, reading and answering (event loop) %.2f s",
            self.counts,
            self.batches,
            total,
            DATABASE_CPU[0],
            drainer,
            total - DATABASE_CPU[0] - drainer,
        )

    async def _batch_forever(self) -> None:
        while True:
            batch = [await self.queue.get()]
            # A batch costs a fixed amount besides its messages, so it waits (up to
            # `linger`) for every connected sender that is not already in a batch: the
            # senders just answered send their next message within a round trip.
            deadline = self.loop.time() + self.linger
            while (
                self.queue.qsize() + 1 + self._in_flight < len(self.connections)
                and self.queue.qsize() + 1 < self.max_batch
                and self.loop.time() < deadline
            ):
                await asyncio.sleep(LINGER_STEP_SECONDS)
            while len(batch) < self.max_batch and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            self._busy += 1
            self._in_flight += len(batch)
            items = [item for item, _ in batch]
            try:
                replies = await self._commit(items)
            except Exception as error:  # the batcher must outlive anything: refuse, never hang
                logger.exception("HL7 batch could not be processed")
                reason = f"could not be processed: {error}"
                replies = [Reply("AE", reject_unreadable(reason, code="AE"))] * len(items)
            finally:
                self._busy -= 1
                self._in_flight -= len(batch)
            self.batches += 1
            for (_, connection), reply in zip(batch, replies, strict=True):
                connection.answer(reply)

    async def _close_idle_connections(self) -> None:
        while True:
            await asyncio.sleep(min(self.idle_timeout, 10.0))
            quiet_since = self.loop.time() - self.idle_timeout
            for connection in list(self.connections):
                if connection.last_heard < quiet_since and not connection.busy:
                    connection.transport.close()

    async def _commit(self, items: list[ReadMessage]) -> list[Reply]:
        """Process one batch; while the database is down, wait and retry (never ACK)."""
        backoff = 0.05
        while True:
            try:
                return await self.loop.run_in_executor(self.database, _process_in_thread, items)
            except UNAVAILABLE as error:
                logger.warning("Database unavailable (%s); retrying in %.2f s", error, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)


# CPU seconds spent in the database threads (storing batches), for the shutdown summary.
DATABASE_CPU = [0.0]


def _process_in_thread(items: list[ReadMessage]) -> list[Reply]:
    # The database thread keeps its connection open between batches (opening one costs
    # more than a batch); any error closes it, so a restarted server gets a fresh one.
    raws = [item.raw for item in items]
    started = time.thread_time()
    try:
        with recount_deferred():
            try:
                return process_messages(raws, source="mllp", read=items)
            except Exception as error:
                _raise_if_database_unavailable(error)
                logger.exception(
                    "HL7 batch failed; processing its %d messages one by one", len(raws)
                )
                return [_process_one(raw) for raw in raws]
    finally:
        DATABASE_CPU[0] += time.thread_time() - started


def _close_after(seconds: float) -> None:
    """Close this database thread's connection (the pause lets every thread take one)."""
    time.sleep(seconds)
    connections.close_all()


def _process_one(raw: str) -> Reply:
    try:
        return process_messages([raw], source="mllp")[0]
    except Exception as error:
        _raise_if_database_unavailable(error)
        logger.exception("HL7 message could not be processed")
        reason = f"could not be processed: {error}"
        return Reply("AE", reject_unreadable(reason, code="AE"), "", reason)


def _raise_if_database_unavailable(error: Exception) -> None:
    """A broken connection can surface as many error types; ask the database itself.

    Either way the connection is dropped, so the next attempt opens a fresh one.
    """
    connections.close_all()
    if isinstance(error, UNAVAILABLE):
        raise error
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as probe:
        connections.close_all()
        raise OperationalError(f"database unavailable: {probe}") from error


def listening_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket that other processes may bind to the same port as well."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.setblocking(False)
    return sock


def run(host: str, port: int, *, processes: int = 1, committers: int = COMMITTERS) -> None:
    """Serve until SIGTERM/SIGINT, in `processes` listener processes sharing the port."""
    if processes <= 1:
        asyncio.run(MLLPServer(host, port, committers=committers).serve_forever())
        return
    first = listening_socket(host, port)
    port = first.getsockname()[1]
    sockets = [first] + [listening_socket(host, port) for _ in range(processes - 1)]
    connections.close_all()  # a child must not share the parent's database connection
    children = []
    for index in range(1, processes):
        pid = os.fork()
        if pid == 0:  # a child: its own socket, batcher and connection; no drainer
            status = 1
            try:
                for other in sockets:
                    if other is not sockets[index]:
                        other.close()
                asyncio.run(
                    MLLPServer(
                        host, port, sock=sockets[index], drain=False, committers=committers
                    ).serve_forever()
                )
                status = 0
            except BaseException:
                logger.exception("MLLP listener process %s failed", os.getpid())
            finally:
                os._exit(status)
        children.append(pid)
    for sock in sockets[1:]:
        sock.close()
    try:
        asyncio.run(MLLPServer(host, port, sock=first, committers=committers).serve_forever())
    finally:
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        for pid in children:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        # The children's last batches committed after the first process's last drain.
        try:
            drain_marked_cells()
        except Exception as error:
            logger.warning("Counts left for the next recount (%s)", error)
        finally:
            connections.close_all()
