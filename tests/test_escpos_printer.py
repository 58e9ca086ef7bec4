"""EscposPrinter on real links: a file, FIFOs, a pty, a local TCP printer, and a USB bus without one."""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import escpos.printer
import pytest
from escpos.constants import RT_STATUS_ONLINE, RT_STATUS_PAPER
from escpos.printer import Dummy

from device.store.print_queue import PrintQueue
from drivers.base import Printer
from drivers.document import QR, Align, Barcode, Columns, Document, Rule, Text
from drivers.exc import PrinterError
from drivers.printer import escpos_link as link
from drivers.printer.escpos_printer import EscposPrinter
from drivers.printer.sim_printer import SimPrinter
from tests.support.factory import T0, new_store

WAIT_S = 30.0  # generous upper bound for threads; no test waits this long when it passes
OK, PAPER_OUT, OFFLINE = 0x12, 0x72, 0x1A  # DLE EOT answers: fine, paper end sensor, offline
QUERIES = RT_STATUS_PAPER + RT_STATUS_ONLINE
F_SETPIPE_SZ, PIPE_SIZE = 1031, 4096


def receipt(lines: int = 0) -> Document:
    body = [Text(f"Строка {i}: съешь же ещё этих мягких французских булок") for i in range(lines)]
    return Document(
        "receipt",
        "ПВЗ №7",
        (
            Text("Квитанция", bold=True, double=True, align=Align.CENTER),
            Rule(),
            Columns("К оплате", "1 234,50 ₽"),
            *body,
            Barcode("12345678"),
            QR("https://example.org/o/12345678"),
        ),
    )


def sim_bytes(doc: Document) -> bytes:
    sim = SimPrinter()
    sim.print_document(doc)
    return sim.printed[-1].data


class Collector(threading.Thread):
    """Reads a fd until `expected` bytes came (then leaves the fd open) or `stop_after` (then closes it)."""

    def __init__(self, fd: int, *, expected: int = 0, stop_after: int | None = None) -> None:
        super().__init__(daemon=True)
        self.fd, self.expected, self.stop_after = fd, expected, stop_after
        self.data = bytearray()
        self.start()

    def run(self) -> None:
        limit = self.stop_after if self.stop_after is not None else self.expected
        while len(self.data) < limit:
            chunk = os.read(self.fd, min(65536, limit - len(self.data)))
            if not chunk:
                break
            self.data += chunk
        if self.stop_after is not None:
            os.close(self.fd)

    def result(self) -> bytes:
        self.join(WAIT_S)
        assert not self.is_alive(), f"reader still waiting after {len(self.data)} bytes"
        return bytes(self.data)


def fifo_reader(path: Path, *, expected: int = 0, stop_after: int | None = None) -> Collector:
    # O_RDWR opens a FIFO without waiting for a writer, and it is open before the job starts.
    fd = os.open(path, os.O_RDWR)
    fcntl.fcntl(fd, F_SETPIPE_SZ, PIPE_SIZE)  # a small pipe: a writer soon has to wait for the reader
    return Collector(fd, expected=expected, stop_after=stop_after)


def test_prints_to_a_file_the_bytes_the_simulator_makes(tmp_path: Path) -> None:
    out = tmp_path / "spool.bin"
    out.write_bytes(b"")
    times = iter([1_800_000_000.0])
    printer = EscposPrinter(name="p1", backend="file", path=str(out), clock=lambda: next(times))
    assert isinstance(printer, Printer)
    printer.print_document(receipt())
    assert out.read_bytes() == sim_bytes(receipt())
    status = printer.status()
    assert status["printed"] == 1 and status["state"] == "ready" and status["last_error"] is None
    assert status["target"] == str(out) and status["last_success"] == "2027-01-15T08:00:00+00:00"


def test_a_fifo_reader_gets_exactly_the_simulated_bytes(tmp_path: Path) -> None:
    fifo = tmp_path / "lp0"
    os.mkfifo(fifo)
    expected = sim_bytes(receipt())
    reader = fifo_reader(fifo, expected=len(expected))
    EscposPrinter(name="p1", backend="file", path=str(fifo)).print_document(receipt())
    assert reader.result() == expected


def test_a_fifo_without_reader_fails_at_once_instead_of_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "lp0"
    os.mkfifo(fifo)
    with pytest.raises(PrinterError, match=r"cannot open .*lp0"):
        EscposPrinter(name="p1", backend="file", path=str(fifo)).print_document(receipt())


def test_a_missing_device_node_is_named(tmp_path: Path) -> None:
    printer = EscposPrinter(name="p1", backend="file", path=str(tmp_path / "usb" / "lp0"))
    with pytest.raises(PrinterError, match=r"p1: cannot open .*/usb/lp0: No such file"):
        printer.print_document(receipt())
    # The node is not there: "absent", not "error" (nor "ready" before the first job).
    assert printer.status()["state"] == "absent" and "lp0" in printer.status()["last_error"]
    assert printer.probe()["reachable"] is False


def test_a_printer_that_stops_taking_data_times_out(tmp_path: Path) -> None:
    fifo = tmp_path / "lp0"
    os.mkfifo(fifo)
    fd = os.open(fifo, os.O_RDWR)  # a reader that never reads: the pipe fills up and stays full
    fcntl.fcntl(fd, F_SETPIPE_SZ, PIPE_SIZE)
    printer = EscposPrinter(name="p1", backend="file", path=str(fifo), timeout_s=0.2)
    with pytest.raises(PrinterError, match=r"p1: .*lp0: .*took no data for 0.2 s"):
        printer.print_document(receipt(lines=200))
    os.close(fd)


def test_reader_gone_mid_job_keeps_the_job_queued_until_a_reader_is_back(tmp_path: Path) -> None:
    fifo = tmp_path / "lp0"
    os.mkfifo(fifo)
    doc = receipt(lines=200)
    # Part of the first print is on paper, so the job prints again in full, marked as a copy.
    expected = sim_bytes(replace(doc, mark="КОПИЯ"))
    assert len(sim_bytes(doc)) > 2 * PIPE_SIZE  # the writer must wait for the reader, who leaves early
    store = new_store(tmp_path / "pvz.db")
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO print_jobs (station, kind, document, state, created_at) VALUES (?, ?, ?, 'queued', ?)",
            ("s1", doc.kind, json.dumps(doc.to_json()), "2026-11-21T09:00:00"),
        )
    now = [1000.0]
    printer = EscposPrinter(name="s1/printer", backend="file", path=str(fifo))
    queue = PrintQueue(
        store, {"s1": printer}, clock=lambda: now[0], device_id="d1", now=lambda: T0, lang="ru"
    )

    reader = fifo_reader(fifo, stop_after=1000)  # takes a little, then goes away
    assert queue.drain() == 0
    assert len(reader.result()) == 1000
    row = store.conn.execute("SELECT state, attempts, last_error, copy FROM print_jobs").fetchone()
    assert (row["state"], row["attempts"], row["copy"]) == ("queued", 1, 1)
    assert "Broken pipe" in row["last_error"] and "lp0" in row["last_error"]
    assert printer.status()["state"] == "error"

    now[0] += 3600  # past the back-off
    reader = fifo_reader(fifo, expected=len(expected))
    assert queue.drain() == 1
    assert reader.result() == expected
    row = store.conn.execute("SELECT state, attempts, last_error FROM print_jobs").fetchone()
    assert (row["state"], row["attempts"]) == ("printed", 2)
    assert store.scalar("SELECT count(*) FROM journal WHERE kind = 'print_copy'") == 1
    assert printer.status()["state"] == "ready" and printer.status()["printed"] == 1
    store.close()


class TcpPrinter(threading.Thread):
    """A network printer on 127.0.0.1: answers DLE EOT queries before the job, keeps every byte."""

    def __init__(self, *, paper: int | None = OK, online: int | None = OK, hang_up: bool = False) -> None:
        super().__init__(daemon=True)
        self.answers = {RT_STATUS_PAPER: paper, RT_STATUS_ONLINE: online}
        self.hang_up = hang_up
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(WAIT_S)
        self.port = self.server.getsockname()[1]
        self.data = b""
        self.start()

    def run(self) -> None:
        with self.server, self.server.accept()[0] as conn:
            if self.hang_up:
                return
            conn.settimeout(WAIT_S)
            while chunk := conn.recv(65536):
                self.data += chunk
                if b"\x1b@" not in self.data:  # the job starts with ESC @: queries come before it
                    answer = self.answers.get(self.data[-3:])
                    if answer is not None:
                        conn.sendall(bytes([answer]))

    def result(self) -> bytes:
        self.join(WAIT_S)
        assert not self.is_alive()
        return self.data


def net(server: TcpPrinter, *, status_timeout_s: float = 0.5, query_status: bool = True) -> EscposPrinter:
    return EscposPrinter(
        name="net",
        backend="network",
        host="127.0.0.1",
        port=server.port,
        status_timeout_s=status_timeout_s,
        query_status=query_status,
    )


def test_network_printer_gets_the_status_queries_then_exactly_the_job() -> None:
    server = TcpPrinter()
    printer = net(server, status_timeout_s=WAIT_S)
    printer.print_document(receipt())
    assert server.result() == QUERIES + sim_bytes(receipt())
    assert printer.status()["paper"] == "ok"


def test_network_printer_without_status_queries_gets_only_the_job() -> None:
    server = TcpPrinter()
    net(server, query_status=False).print_document(receipt())
    assert server.result() == sim_bytes(receipt())


def test_a_printer_that_does_not_answer_status_still_prints() -> None:
    server = TcpPrinter(paper=None)
    net(server, status_timeout_s=0.2).print_document(receipt())
    assert server.result() == RT_STATUS_PAPER + sim_bytes(receipt())


@pytest.mark.parametrize(
    ("paper", "online", "fault"), [(PAPER_OUT, OK, "paper out"), (OK, OFFLINE, "offline")]
)
def test_paper_out_or_offline_fails_before_anything_is_printed(paper: int, online: int, fault: str) -> None:
    server = TcpPrinter(paper=paper, online=online)
    printer = net(server, status_timeout_s=WAIT_S)
    with pytest.raises(PrinterError, match=f"net: {fault}"):
        printer.print_document(receipt())
    assert server.result() == QUERIES  # no document byte was sent
    assert printer.status()["printed"] == 0


def test_a_network_printer_that_hangs_up_fails_the_job() -> None:
    server = TcpPrinter(hang_up=True)
    with pytest.raises(PrinterError, match=r"closed the connection|reset by peer|Broken pipe"):
        net(server, status_timeout_s=WAIT_S).print_document(receipt())
    server.result()


def test_nobody_listening_is_a_printer_error() -> None:
    with socket.create_server(("127.0.0.1", 0)) as s:
        port = s.getsockname()[1]
    printer = EscposPrinter(name="net", backend="network", host="127.0.0.1", port=port)
    with pytest.raises(PrinterError, match=f"cannot connect to 127.0.0.1:{port}"):
        printer.print_document(receipt())
    probe = printer.probe()
    assert (probe["reachable"], probe["target"], probe["status"]) == (False, f"127.0.0.1:{port}", {})
    assert "cannot connect" in probe["error"]


@pytest.fixture
def pty() -> Iterator[tuple[int, str]]:
    master, slave = os.openpty()
    yield master, os.ttyname(slave)
    os.close(slave)
    os.close(master)


def test_serial_printer_on_a_pty_gets_exactly_the_job(pty: tuple[int, str]) -> None:
    master, path = pty
    expected = sim_bytes(receipt())
    reader = Collector(master, expected=len(expected))
    printer = EscposPrinter(name="ser", backend="serial", path=path, baudrate=115200, query_status=False)
    printer.print_document(receipt())
    assert reader.result() == expected
    assert printer.status()["target"] == f"{path}@115200"


def test_serial_printer_reporting_no_paper_gets_no_job(pty: tuple[int, str]) -> None:
    master, path = pty

    def answer() -> None:
        for reply in (PAPER_OUT, OK):
            query = b""
            while len(query) < 3:
                query += os.read(master, 3 - len(query))
            assert query in (RT_STATUS_PAPER, RT_STATUS_ONLINE)
            os.write(master, bytes([reply]))

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    printer = EscposPrinter(name="ser", backend="serial", path=path, status_timeout_s=WAIT_S)
    with pytest.raises(PrinterError, match="ser: paper out"):
        printer.print_document(receipt())
    thread.join(WAIT_S)
    assert not thread.is_alive()
    quiet = EscposPrinter(name="ser", backend="serial", path=path, status_timeout_s=0.1)
    assert quiet.probe()["reachable"] is True  # nobody answers now: status unknown, still reachable


def test_usb_printer_that_is_not_there_names_vendor_and_product() -> None:
    printer = EscposPrinter(name="usb", backend="usb", vendor_id=0xFFF0, product_id=0xFFF1)
    with pytest.raises(PrinterError, match="USB printer vendor 0xfff0 product 0xfff1"):
        printer.print_document(receipt())
    assert printer.status()["target"] == "usb fff0:fff1"
    assert "vendor 0xfff0" in printer.probe()["error"]


@pytest.mark.parametrize(
    "kw",
    [
        {"backend": "file"},
        {"backend": "serial"},
        {"backend": "network"},
        {"backend": "usb", "vendor_id": 0x0416},
        {"backend": "cups"},
        {"backend": "file", "path": "/dev/null", "profile": "no-such-printer"},
        {"backend": "file", "path": "/dev/null", "timeout_s": 0},
    ],
)
def test_bad_settings_fail_at_start_up(kw: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        EscposPrinter(name="p", **kw)  # type: ignore[arg-type]


def test_status_bytes_are_read_the_way_printers_mean_them(tmp_path: Path) -> None:
    assert link.fault(link.port_status(link.NOT_ERROR | link.SELECTED)) is None
    assert link.fault(link.port_status(link.PAPER_EMPTY)) == "paper out"
    assert link.fault(link.port_status(0x00)) is None  # odd select/error bits never block
    assert link.realtime_status(0x1E, OK) == {"paper": "low", "online": True}
    assert link.fault(link.realtime_status(PAPER_OUT, OK)) == "paper out"
    assert link.fault(link.realtime_status(OK, OFFLINE)) == "offline"
    assert not link.realtime_valid(b"\xff") and not link.realtime_valid(b"") and link.realtime_valid(b"\x12")
    (tmp_path / "f").write_bytes(b"")
    device = link.DeviceFile(str(tmp_path / "f"), 1.0)
    assert device.lp_status() is None  # only lp and usblp character devices are asked
    assert link.DeviceFile("/dev/null", 1.0).lp_status() is None
    device.close()
    device.close()
    with pytest.raises(OSError, match="closed"):
        device.write(b"x")


class FakeUsbDevice:
    """What pyusb shows of a USB printer gadget: one printer-class interface, bulk OUT 0x02, IN 0x81."""

    bus, address = 1, 7

    def __init__(self, port_status: int) -> None:
        self.port_status = port_status
        self.detached: list[int] = []
        self.claimed: list[int] = []
        self.printers: list[Any] = []  # each job's python-escpos Usb, with what it was sent
        ep = SimpleNamespace
        self.interface = [
            ep(bEndpointAddress=0x02, bmAttributes=2),
            ep(bEndpointAddress=0x81, bmAttributes=2),
        ]

    def get_active_configuration(self) -> list[Any]:
        intf = type("Intf", (list,), {"bInterfaceClass": 7, "bInterfaceNumber": 0})(self.interface)
        return [intf]

    def is_kernel_driver_active(self, n: int) -> bool:
        return n not in self.detached

    def detach_kernel_driver(self, n: int) -> None:
        self.detached.append(n)

    def ctrl_transfer(
        self, request_type: int, request: int, value: int, index: int, length: int, ms: int
    ) -> bytes:
        assert (request_type, request, value, index, length) == (0xA1, 1, 0, 0, 1)  # GET_PORT_STATUS
        return bytes([self.port_status])


@pytest.fixture
def fake_usb(monkeypatch: pytest.MonkeyPatch) -> FakeUsbDevice:
    """python-escpos's Usb on a Dummy with a fake pyusb underneath: the claiming and status logic."""
    device = FakeUsbDevice(port_status=link.NOT_ERROR)
    util = SimpleNamespace(
        ENDPOINT_OUT=0,
        ENDPOINT_TYPE_BULK=2,
        endpoint_type=lambda attrs: attrs & 3,
        endpoint_direction=lambda address: address & 0x80,
        claim_interface=lambda dev, n: dev.claimed.append(n),
    )
    # find: the presence look before a printer is called ready; this device is on the bus.
    core = SimpleNamespace(USBError=type("USBError", (OSError,), {}), find=lambda **ids: device)
    monkeypatch.setitem(sys.modules, "usb", SimpleNamespace(core=core, util=util))
    monkeypatch.setitem(sys.modules, "usb.core", core)
    monkeypatch.setitem(sys.modules, "usb.util", util)

    class Usb(Dummy):  # type: ignore[misc]
        is_usable = staticmethod(lambda: True)

        def __init__(self, vendor: int, product: int, *, timeout: int, profile: str) -> None:
            super().__init__(profile=profile)
            assert (vendor, product, timeout) == (0x0416, 0x5011, 10_000)
            self.out_ep, self.in_ep = 0x01, 0x82  # python-escpos's guesses

        def open(self) -> None:
            self.device = device
            device.printers.append(self)

    monkeypatch.setattr(escpos.printer, "Usb", Usb)
    return device


def test_usb_printer_is_claimed_aimed_at_its_endpoints_and_asked_for_paper(fake_usb: FakeUsbDevice) -> None:
    printer = EscposPrinter(name="usb", backend="usb", vendor_id=0x0416, product_id=0x5011)
    printer.print_document(receipt())
    assert fake_usb.detached == fake_usb.claimed == [0]
    job = fake_usb.printers[0]
    assert (job.out_ep, job.in_ep, job.output) == (0x02, 0x81, sim_bytes(receipt()))
    assert printer.status()["paper"] == "ok" and printer.status()["printed"] == 1
    probe = printer.probe()
    assert probe["usb"] == {"bus": 1, "address": 7, "out_ep": 0x02}
    assert probe["status"] == {"port_status": 0x08, "paper": "ok", "selected": False, "error": False}
    fake_usb.port_status = link.PAPER_EMPTY
    with pytest.raises(PrinterError, match="usb: paper out"):
        printer.print_document(receipt())
    assert fake_usb.printers[-1].output == b""  # nothing sent
