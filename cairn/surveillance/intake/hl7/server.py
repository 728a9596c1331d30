"""The MLLP listener: asyncio TCP, MLLP framing, group commit, ACK after commit.

MLLP wraps each message as 0x0B <message> 0x1C 0x0D. Every connection reads frames
and hands them to one batcher; the batcher gathers the frames that arrive within a
few milliseconds from all connections and processes them in one transaction on a
database thread (the Django ORM is synchronous). Each frame's ACK is written only
after that transaction has committed. While the database is unavailable the batch is
retried with backoff and nothing is acknowledged, so a sender that gives up re-sends,
and the re-sent message is recognised by its control id: nothing lost, nothing twice.
"""

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import django
from django.db import OperationalError, connections

from cairn.surveillance.intake.hl7.acks import reject_unreadable
from cairn.surveillance.intake.hl7.processing import (
    UNAVAILABLE,
    Reply,
    decode_frame,
    process_messages,
    read_lean,
)

logger = logging.getLogger(__name__)

START_BLOCK = b"\x0b"
END_BLOCK = b"\x1c\x0d"
MAX_FRAME_BYTES = 1024 * 1024
MAX_BATCH = 1000
LINGER_SECONDS = 0.002
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


class MLLPServer:
    """Serve until `stop()`; `serve_forever()` also stops on SIGTERM and SIGINT."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 2575,
        *,
        linger: float = LINGER_SECONDS,
        max_batch: int = MAX_BATCH,
        idle_timeout: float = 600.0,
        parse_workers: int = 0,
    ):
        self.host, self.port = host, port
        self.linger, self.max_batch, self.idle_timeout = linger, max_batch, idle_timeout
        self.database = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mllp-db")
        # python-hl7 parsing costs more than the database work: worker processes parse
        # frames from many connections at once while the database thread commits.
        self.parsers = (
            ProcessPoolExecutor(
                parse_workers,
                mp_context=multiprocessing.get_context("forkserver"),
                initializer=_start_parser,
            )
            if parse_workers
            else None
        )
        self.queue: asyncio.Queue | None = None
        self.server: asyncio.base_events.Server | None = None
        self.connections: set[asyncio.Task] = set()
        self.stopping: asyncio.Event | None = None
        self.ready = None  # threading.Event set once listening, for tests
        self.counts = {"AA": 0, "AE": 0, "AR": 0}

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.queue = asyncio.Queue()
        self.stopping = asyncio.Event()
        self.batcher = asyncio.create_task(self._batch_forever())
        self.server = await asyncio.start_server(
            self._serve_connection, self.host, self.port, limit=MAX_FRAME_BYTES
        )
        self.port = self.server.sockets[0].getsockname()[1]
        logger.info("MLLP listening on %s:%s", self.host, self.port)
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
        self.server.close()
        await self.server.wait_closed()
        # Unacknowledged frames are safe to abandon (the sender re-sends them), so a
        # database that stays down does not hold the shutdown for ever.
        deadline = asyncio.get_running_loop().time() + SHUTDOWN_GRACE_SECONDS
        while (not self.queue.empty() or self._busy) and self.loop.time() < deadline:
            await asyncio.sleep(0.01)
        for task in list(self.connections):
            task.cancel()
        await asyncio.gather(*self.connections, return_exceptions=True)
        self.batcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.batcher
        await asyncio.get_running_loop().run_in_executor(self.database, connections.close_all)
        self.database.shutdown(wait=True)
        if self.parsers is not None:
            self.parsers.shutdown(wait=True, cancel_futures=True)
        logger.info("MLLP stopped: %s", self.counts)

    _busy = False

    async def _serve_connection(self, reader, writer) -> None:
        task = asyncio.current_task()
        self.connections.add(task)
        peer = writer.get_extra_info("peername")
        frames = FrameReader()
        try:
            while not self.stopping.is_set():
                try:
                    data = await asyncio.wait_for(reader.read(65536), self.idle_timeout)
                except TimeoutError:
                    break
                if not data:
                    break
                try:
                    received = frames.feed(data)
                except FrameTooLarge as error:
                    writer.write(frame(reject_unreadable(f"MLLP: {error}")))
                    await writer.drain()
                    self.counts["AR"] += 1
                    break
                for payload in received:
                    reply = await self._submit(payload)
                    writer.write(frame(reply.ack))
                    self.counts[reply.code] = self.counts.get(reply.code, 0) + 1
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            logger.info("MLLP connection from %s dropped", peer)
        except asyncio.CancelledError:
            pass
        finally:
            self.connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _submit(self, payload: bytes) -> Reply:
        loop = asyncio.get_running_loop()
        text, read = decode_frame(payload), None
        if self.parsers is not None:
            try:
                read = await loop.run_in_executor(self.parsers, read_lean, text)
            except Exception:  # a broken worker: the database thread reads it instead
                logger.exception("HL7 parse worker failed")
        done = loop.create_future()
        await self.queue.put((text, read, done))
        return await done

    async def _batch_forever(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self.queue.get()]
            if self.queue.qsize() < self.max_batch and self.linger:
                await asyncio.sleep(self.linger)
            while len(batch) < self.max_batch and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            self._busy = True
            raws = [raw for raw, _, _ in batch]
            try:
                read = [item for _, item, _ in batch]
                replies = await self._commit(loop, raws, None if None in read else read)
            except Exception as error:  # the batcher must outlive anything: refuse, never hang
                logger.exception("HL7 batch could not be processed")
                reason = f"could not be processed: {error}"
                replies = [Reply("AE", reject_unreadable(reason, code="AE"))] * len(raws)
            finally:
                self._busy = False
            for (_, _, done), reply in zip(batch, replies, strict=True):
                if not done.done():
                    done.set_result(reply)

    async def _commit(self, loop, raws: list[str], read) -> list[Reply]:
        """Process one batch; while the database is down, wait and retry (never ACK)."""
        backoff = 0.05
        while True:
            try:
                return await loop.run_in_executor(self.database, _process_in_thread, raws, read)
            except UNAVAILABLE as error:
                logger.warning("Database unavailable (%s); retrying in %.2f s", error, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)


def _process_in_thread(raws: list[str], read=None) -> list[Reply]:
    # The database thread keeps its connection open between batches (opening one costs
    # more than a batch); any error closes it, so a restarted server gets a fresh one.
    try:
        return process_messages(raws, source="mllp", read=read)
    except Exception as error:
        _raise_if_database_unavailable(error)
        logger.exception("HL7 batch failed; processing its %d messages one by one", len(raws))
        return [_process_one(raw) for raw in raws]


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


def _start_parser() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cairn.settings")
    django.setup()


def run(host: str, port: int, *, parse_workers: int = 0) -> None:
    asyncio.run(MLLPServer(host, port, parse_workers=parse_workers).serve_forever())
