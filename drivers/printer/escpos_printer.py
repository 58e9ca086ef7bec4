"""A real ESC/POS receipt printer on a device file, USB, a serial port or TCP, via python-escpos."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal

from escpos import printer as escpos_printer
from escpos.constants import RT_STATUS_ONLINE, RT_STATUS_PAPER
from escpos.escpos import Escpos
from escpos.exceptions import Error as EscposError

from drivers.base import Printer
from drivers.document import Document
from drivers.exc import PrinterError, PrinterNotReady
from drivers.printer import escpos_link as link
from drivers.printer import presence
from drivers.printer.escpos_render import DEFAULT_PROFILE, render

log = logging.getLogger("pvz.printer")

Backend = Literal["file", "usb", "serial", "network"]
BACKENDS = ("file", "usb", "serial", "network")
# What python-escpos backends raise: its own errors, OSError (USBError, SerialException,
# socket errors, our timeouts), ValueError (pyusb's NoBackendError), RuntimeError (pyusb or
# pyserial missing), AssertionError (a write to a device that never opened).
_ERRORS = (EscposError, OSError, ValueError, RuntimeError, AssertionError)
PRESENCE_EVERY_S = 10.0  # how long a presence look stays good (status() runs on every health check)


class EscposPrinter(Printer):
    """Implements the Printer protocol on python-escpos File, Usb, Serial or Network printers.

    Each job opens the connection, checks the paper where the link can tell, renders and
    closes: a printer re-plugged between jobs is found again, one that vanishes mid-job
    raises PrinterError (the print queue keeps the job), and every step has a timeout.
    `path` of the file backend is a device node (/dev/usb/lp0), a FIFO, or an existing
    regular file that jobs are appended to; it is never created.
    """

    def __init__(
        self,
        *,
        name: str,
        backend: Backend,
        profile: str = DEFAULT_PROFILE,
        width: int = 42,
        path: str | None = None,
        host: str | None = None,
        port: int = 9100,
        vendor_id: int | None = None,
        product_id: int | None = None,
        baudrate: int = 19200,
        timeout_s: float = 10.0,
        status_timeout_s: float = 0.5,
        query_status: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if backend not in BACKENDS:
            raise ValueError(f"{name}: unknown printer backend {backend!r}")
        if backend in ("file", "serial") and not path:
            raise ValueError(f"{name}: the {backend} printer backend needs `path`")
        if backend == "network" and not host:
            raise ValueError(f"{name}: the network printer backend needs `host`")
        if backend == "usb" and not (vendor_id and product_id):
            raise ValueError(f"{name}: the usb printer backend needs `vendor_id` and `product_id`")
        if width < 1 or timeout_s <= 0 or status_timeout_s <= 0:
            raise ValueError(f"{name}: width and timeouts must be positive")
        try:
            escpos_printer.Dummy(profile=profile)  # fail at start-up, not at the first receipt
        except KeyError:
            raise ValueError(f"unknown python-escpos printer profile {profile!r}") from None
        self.name = name
        self.backend = backend
        self.profile = profile
        self.width = width
        self.path = path
        self.host = host
        self.port = port
        self.baudrate = baudrate
        self.vendor_id = vendor_id
        self.product_id = product_id
        self.timeout_s = timeout_s
        self.status_timeout_s = status_timeout_s
        self.query_status = query_status  # False: send no status queries, read no status
        self.clock = clock
        self.printed = 0
        self.last_error: str | None = None
        self.last_success: float | None = None
        self.last_status: dict[str, Any] = {}
        self._usb_interface = 0
        self._lock = threading.Lock()  # one job at a time on one printer
        self._absent: str | None = None
        self._looked_at: float | None = None

    @property
    def target(self) -> str:
        """Where the printer is: the device path, host:port, USB ids or tty@baud."""
        if self.backend == "network":
            return f"{self.host}:{self.port}"
        if self.backend == "usb":
            return f"usb {self.vendor_id or 0:04x}:{self.product_id or 0:04x}"
        if self.backend == "serial":
            return f"{self.path}@{self.baudrate}"
        return str(self.path)

    def print_document(self, doc: Document) -> None:
        self._job(lambda printer: render(printer, doc, width=self.width))

    def print_raw(self, data: bytes, kind: str = "document") -> None:
        """ESC/POS bytes rendered elsewhere for this printer's profile (a remote station's job from
        its main device), sent through the same connection, status check and timeouts."""
        self._job(lambda printer: printer._raw(data))

    def _job(self, send: Callable[[Escpos], None]) -> None:
        with self._lock:
            try:
                printer = self._connect()
                done = False
                try:
                    problem = self._check(printer)
                    if problem is not None:
                        raise PrinterNotReady(f"{self.name}: {problem} ({self.target})")
                    send(printer)
                    self._finish(printer)
                    done = True
                finally:
                    self._close(printer, failed=not done)
            except PrinterError as exc:
                own = str(exc).startswith(f"{self.name}: ")
                self.last_error = str(exc) if own else f"{self.name}: {self.target}: {exc}"
                # Unreachable or refused at the status check: nothing of the job went out.
                if isinstance(exc, PrinterNotReady):
                    raise PrinterNotReady(self.last_error) from exc
                raise PrinterError(self.last_error) from exc
            except _ERRORS as exc:
                self.last_error = f"{self.name}: {self.target}: {exc}"
                raise PrinterError(self.last_error) from exc
            self.last_error = None
            self.printed += 1
            self.last_success = self.clock()

    def absent(self, *, fresh: bool = False) -> str | None:
        """Why the printer is not there (unplugged, off, unreachable), or None when it is.

        Looked at again after PRESENCE_EVERY_S (or when `fresh`); while a job is printing
        it is there, and nothing is opened beside the job.
        """
        now = time.monotonic()
        if not fresh and self._looked_at is not None and now - self._looked_at < PRESENCE_EVERY_S:
            return self._absent
        if not self._lock.acquire(blocking=False):
            return None
        try:
            self._absent = self._look()
        finally:
            self._lock.release()
        self._looked_at = now
        return self._absent

    def _look(self) -> str | None:
        if self.backend == "usb":
            return presence.usb_problem(self.vendor_id or 0, self.product_id or 0)
        if self.backend == "network":
            return presence.network_problem(self.host or "", self.port)
        assert self.path is not None
        if self.backend == "serial":
            return presence.serial_problem(self.path, self.baudrate)
        return presence.file_problem(self.path)

    def status(self) -> dict[str, Any]:
        success = self.last_success
        absent = self.absent()
        state = "absent" if absent is not None else "ready" if self.last_error is None else "error"
        return {
            "name": self.name,
            "backend": self.backend,
            "target": self.target,
            "profile": self.profile,
            "state": state,
            "absent": absent,
            "last_error": self.last_error,
            "printed": self.printed,
            "last_success": None if success is None else datetime.fromtimestamp(success, UTC).isoformat(),
            "paper": self.last_status.get("paper"),
        }

    def probe(self) -> dict[str, Any]:
        """Connect, read what status the link gives, disconnect; never raises (`pvz hw list`)."""
        info: dict[str, Any] = {"name": self.name, "backend": self.backend, "target": self.target}
        with self._lock:
            try:
                printer = self._connect()
                try:
                    self._check(printer, force=True)
                    if self.backend == "usb":
                        dev = printer.device
                        info["usb"] = {"bus": dev.bus, "address": dev.address, "out_ep": printer.out_ep}
                finally:
                    self._close(printer, failed=False)
            except _ERRORS as exc:
                return {**info, "reachable": False, "error": str(exc), "status": {}}
        return {**info, "reachable": True, "error": None, "status": dict(self.last_status)}

    def _connect(self) -> Escpos:
        try:
            if self.backend == "file":
                assert self.path is not None
                device = link.DeviceFile(self.path, self.timeout_s)  # File.open() could block forever
                printer = escpos_printer.File(devfile=self.path, profile=self.profile)
                printer.device = device
            elif self.backend == "network":
                printer = escpos_printer.Network(self.host, self.port, self.timeout_s, profile=self.profile)
                printer.open()
            elif self.backend == "serial":
                printer = escpos_printer.Serial(
                    devfile=self.path,
                    baudrate=self.baudrate,
                    timeout=self.status_timeout_s,
                    profile=self.profile,
                )
                printer.open()
                printer.device.write_timeout = self.timeout_s
            else:
                if not escpos_printer.Usb.is_usable():  # its close() would raise in __del__ too
                    raise RuntimeError("python-escpos found no pyusb")
                ms = int(self.timeout_s * 1000)
                printer = escpos_printer.Usb(
                    self.vendor_id, self.product_id, timeout=ms, profile=self.profile
                )
                printer.open()
                self._usb_interface = link.usb_claim(printer)
        except _ERRORS as exc:
            reason = " ".join(self._unreachable(exc).split())  # python-escpos puts newlines in
            raise PrinterNotReady(f"{self.name}: {reason}") from exc
        return printer

    def _unreachable(self, exc: BaseException) -> str:
        if self.backend == "file":
            reason = os.strerror(exc.errno) if isinstance(exc, OSError) and exc.errno else str(exc)
            return f"cannot open {self.path}: {reason}"
        if self.backend != "usb":
            return f"cannot connect to {self.target}: {exc}"
        ids = f"USB printer vendor 0x{self.vendor_id or 0:04x} product 0x{self.product_id or 0:04x}"
        if isinstance(exc, RuntimeError):
            return f"{ids}: pyusb is not installed ({exc})"
        if isinstance(exc, ValueError):  # pyusb's NoBackendError
            return f"{ids}: no libusb backend (install libusb-1.0-0): {exc}"
        if isinstance(exc, EscposError):
            return f"{ids} not found (unplugged or powered off): {exc}"
        return f"{ids} unavailable (busy, or no permission: see the udev rules): {exc}"

    def _check(self, printer: Escpos, *, force: bool = False) -> str | None:
        """Read the paper and online state where the link can tell, before sending anything.

        file: LPGETSTATUS on lp/usblp nodes; usb: GET_PORT_STATUS (neither adds a byte to the
        print stream); serial and network: DLE EOT 4 then DLE EOT 1, real-time commands a
        printer answers and never prints. No answer in `status_timeout_s` means unknown.
        """
        self.last_status = {}
        if not (self.query_status or force):
            return None
        if self.backend in ("file", "usb"):
            if self.backend == "file":
                raw = printer.device.lp_status()
            else:
                raw = link.usb_port_status(printer, self._usb_interface, self.status_timeout_s)
            self.last_status = {} if raw is None else link.port_status(raw)
        else:
            paper = self._realtime(printer, RT_STATUS_PAPER)
            online = None if paper is None else self._realtime(printer, RT_STATUS_ONLINE)
            self.last_status = link.realtime_status(paper, online)
        return link.fault(self.last_status)

    def _realtime(self, printer: Escpos, query: bytes) -> int | None:
        """Send a DLE EOT query; the answer byte, or None when the printer gives no valid one."""
        dev = printer.device
        answer: bytes | None = None
        if self.backend == "serial":
            dev.reset_input_buffer()  # a late answer to an earlier query must not be taken
            printer._raw(query)
            answer = dev.read(1)
        else:
            printer._raw(query)
            dev.settimeout(self.status_timeout_s)
            try:
                answer = dev.recv(1)
            except TimeoutError:
                answer = None
            finally:
                dev.settimeout(self.timeout_s)
            if answer == b"":
                raise ConnectionError("the printer closed the connection")
        return answer[0] if answer is not None and link.realtime_valid(answer) else None

    def _finish(self, printer: Escpos) -> None:
        """Wait until the link took every byte, so closing cannot drop the end of the job."""
        if self.backend == "file":
            printer.device.wait()
        elif self.backend == "serial":
            deadline = time.monotonic() + self.timeout_s
            while printer.device.out_waiting:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"serial printer took no data for {self.timeout_s:g} s")
                time.sleep(0.01)

    def _close(self, printer: Escpos, *, failed: bool) -> None:
        try:
            if failed and self.backend == "serial" and printer.device is not None:
                # pyserial's close() drains without a timeout: drop what a stuck printer left.
                # Only then: on a pty this also drops what the other end has not read yet.
                printer.device.reset_output_buffer()
            printer.close()
        except _ERRORS as exc:
            log.debug("%s: closing %s: %s", self.name, self.target, exc)
