"""The MLLP listener with a real MLLP client (python-hl7's MLLPClient), on a free port.

The server runs in a thread with its own event loop and database connection, so
these tests use committed data (`transactional_db`).
"""

import asyncio
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import hl7
import pytest
from django.db import OperationalError
from django.db.models import Sum
from django.utils import timezone
from hl7.client import MLLPClient

from cairn.geography.placement import forget_cached_geography
from cairn.surveillance.alerts.testing import definitions
from cairn.surveillance.intake.hl7 import server as server_module
from cairn.surveillance.intake.hl7.acks import ack_code
from cairn.surveillance.intake.hl7.server import FrameReader, MLLPServer
from cairn.surveillance.models import Event, QuarantinedRecord, ReceivedMessage
from cairn.surveillance.models.alerts import Alert, SpikeRule
from cairn.surveillance.models.counts import CountCellToRecount, DailyCount
from cairn.surveillance.tests.hl7_samples import hl7_message, with_field

A04 = "adt_a04_v251_fentanyl.hl7"


@pytest.fixture(params=[2], ids=["two-committers"])
def mllp(request, transactional_db):
    forget_cached_geography()  # other tests' communities are gone from this database
    server = MLLPServer(
        "127.0.0.1", 0, idle_timeout=30, committers=request.param, drain_interval=0.1
    )
    server.ready = threading.Event()
    thread = threading.Thread(
        target=lambda: asyncio.run(server.serve_forever(handle_signals=False)), daemon=True
    )
    thread.start()
    assert server.ready.wait(10)
    yield server
    server.stop()
    thread.join(15)
    assert not thread.is_alive()
    forget_cached_geography()


def send(server, message: str) -> str:
    with MLLPClient("127.0.0.1", server.port) as client:
        return client.send_message(message).decode()


def raw_exchange(server, data: bytes, *, timeout: float = 5) -> bytes:
    """Send bytes as they are; return what comes back until the server closes or goes quiet."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        sock.sendall(data)
        received = b""
        try:
            while not received.endswith(b"\x1c\r"):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                received += chunk
        except TimeoutError:
            pass
        return received


def unframe(data: bytes) -> str:
    return data.strip(b"\x0b\x1c\r").decode()


def test_a_message_sent_by_mllp_client_is_stored_then_acknowledged_aa(mllp):
    ack = send(mllp, hl7_message(A04))
    assert ack.startswith("\x0bMSH|")
    assert ack_code(unframe(ack.encode())) == "AA"
    assert str(hl7.parse(unframe(ack.encode())).segment("MSA")[2]) == "UHNBC-20261120-0001"
    assert Event.objects.filter(dedup_key="ed:UHNBC:V26-445120").exists()


def test_one_connection_carries_a_visit_from_registration_to_discharge(mllp):
    names = [A04, "adt_a08_v251_fentanyl_update.hl7", "adt_a03_v251_fentanyl_left_ama.hl7"]
    with MLLPClient("127.0.0.1", mllp.port) as client:
        codes = [ack_code(unframe(client.send_message(hl7_message(n)))) for n in names]
        again = ack_code(unframe(client.send_message(hl7_message(A04))))
    assert codes == ["AA", "AA", "AA"] and again == "AA"
    event = Event.objects.get()
    assert (event.revision, event.disposition) == (3, "left_ama")
    assert ReceivedMessage.objects.count() == 3


@pytest.mark.parametrize("mllp", [1, 2], ids=["one-committer", "two-committers"], indirect=True)
def test_many_concurrent_senders_each_get_every_ack(mllp):
    template = hl7_message("adt_a04_v231_methamphetamine.hl7")
    senders, per_sender = 8, 15
    codes: list[str] = []

    def sender(number):
        with MLLPClient("127.0.0.1", mllp.port) as client:
            for index in range(per_sender):
                message = with_field(template, "MSH", 10, f"S{number}-{index}")
                message = with_field(message, "PV1", 19, f"V{number}-{index}^^^SPH^VN")
                codes.append(ack_code(unframe(client.send_message(message))))

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert codes == ["AA"] * senders * per_sender
    assert Event.objects.count() == senders * per_sender


def test_a_rejected_message_gets_ae_naming_the_field_and_is_quarantined(mllp):
    ack = unframe(send(mllp, with_field(hl7_message(A04), "PID", 7, "20261399")).encode())
    assert ack_code(ack) == "AE"
    assert "PID-7: birth date 20261399 is not a date" in ack
    assert QuarantinedRecord.objects.get().location == "PID-7"


@pytest.mark.parametrize(
    "payload",
    [b"", b"\x00\x01\x02\xff\xfe\xfd" * 50, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", b"MSH|^^^^|X"],
)
def test_an_unparseable_frame_gets_ar_and_the_server_keeps_serving(mllp, payload):
    reply = raw_exchange(mllp, b"\x0b" + payload + b"\x1c\r")
    assert ack_code(unframe(reply)) == "AR"
    assert ack_code(unframe(send(mllp, hl7_message(A04)).encode())) == "AA"


def test_garbage_outside_frames_is_skipped_and_the_next_frame_answered(mllp):
    data = b"\xde\xad\xbe\xef garbage \r\n" + b"\x0b" + hl7_message(A04).encode() + b"\x1c\r"
    assert ack_code(unframe(raw_exchange(mllp, data))) == "AA"


def test_an_oversize_frame_gets_ar_and_the_connection_closes(mllp):
    reply = raw_exchange(mllp, b"\x0bMSH|^~\\&|" + b"A" * (server_module.MAX_FRAME_BYTES + 10))
    assert ack_code(unframe(reply)) == "AR"
    assert b"larger than" in reply
    assert ack_code(unframe(send(mllp, hl7_message(A04)).encode())) == "AA"


def test_half_frames_and_dropped_connections_store_nothing_and_harm_nothing(mllp):
    for _ in range(5):
        with socket.create_connection(("127.0.0.1", mllp.port)) as sock:
            sock.sendall(b"\x0b" + hl7_message(A04).encode()[:200])
    with socket.create_connection(("127.0.0.1", mllp.port)) as sock:
        sock.sendall(b"\x0b" + hl7_message(A04).encode() + b"\x1c\r")  # leave before the ACK
    time.sleep(0.3)
    assert ack_code(unframe(send(mllp, hl7_message(A04)).encode())) == "AA"
    assert Event.objects.count() == 1  # the abandoned full frame, stored once
    assert ReceivedMessage.objects.count() == 1


def test_nothing_is_acknowledged_while_the_database_is_down(mllp, monkeypatch):
    real = server_module.process_messages
    failures = []

    def flaky(raws, **kwargs):
        if len(failures) < 3:
            failures.append(time.monotonic())
            raise OperationalError("server closed the connection unexpectedly")
        return real(raws, **kwargs)

    monkeypatch.setattr(server_module, "process_messages", flaky)
    started = time.monotonic()
    ack = unframe(send(mllp, hl7_message(A04)).encode())
    assert ack_code(ack) == "AA"
    assert len(failures) == 3 and time.monotonic() - started >= 0.3  # backed off, then committed
    assert Event.objects.count() == 1


def test_frame_reader_splits_joins_and_resynchronises():
    reader = FrameReader(max_bytes=100)
    assert reader.feed(b"junk\x0bone\x1c") == []
    assert reader.feed(b"\r\x0btwo\x1c\r\x0bthr") == [b"one", b"two"]
    assert reader.feed(b"ee\x1c\r") == [b"three"]
    assert reader.feed(b"\x0bcut sho\x0bfour\x1c\r") == [b"four"]
    assert reader.skipped == len(b"junk") + len(b"\x0bcut sho")


def test_counts_and_spike_alerts_follow_the_acks_through_the_drainer(prince_george, mllp):
    """The ACK waits for the commit only; the drainer recounts and checks the rules."""
    SpikeRule.objects.create(
        community=prince_george, definition=definitions()["all_drug"], threshold=3
    )
    now = timezone.localtime().strftime("%Y%m%d%H%M%S")
    template = with_field(hl7_message(A04), "PV1", 44, now)
    with MLLPClient("127.0.0.1", mllp.port) as client:
        for n in range(3):
            message = with_field(template, "MSH", 10, f"D-{n}")
            message = with_field(message, "PV1", 19, f"DV-{n}^^^UHNBC^VN")
            assert ack_code(unframe(client.send_message(message))) == "AA"
    # The drainer may take more than one pass (two committers mark cells on their own).
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and (
        not Alert.objects.exists() or CountCellToRecount.objects.exists()
    ):
        time.sleep(0.05)
    alert = Alert.objects.get()
    assert (alert.community, alert.method, alert.observed) == (prince_george, "spike_rule", 3)
    assert not CountCellToRecount.objects.exists()
    every_visit = DailyCount.objects.filter(community=prince_george, definition__isnull=True)
    assert every_visit.aggregate(total=Sum("count"))["total"] == 3


def test_python_hl7_mllp_send_command_streams_a_file_and_every_message_gets_aa(mllp, tmp_path):
    """python-hl7's own sender (`mllp_send`, as interface engines' test tools use it)."""
    names = [A04, "adt_a08_v251_fentanyl_update.hl7", "adt_a03_v251_fentanyl_left_ama.hl7"]
    path = tmp_path / "visit.hl7"
    path.write_text("\n".join(hl7_message(n).replace("\r", "\n") for n in names))
    mllp_send = Path(sys.executable).parent / "mllp_send"
    result = subprocess.run(
        [str(mllp_send), "--loose", "--file", str(path), "--port", str(mllp.port), "127.0.0.1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("MSA|AA|") == 3
    event = Event.objects.get()
    assert (event.revision, event.disposition) == (3, "left_ama")
