"""The HIL runner INSIDE the guest: scenarios against the real drivers and the kernel's USB stack.

Run by the guest's /init as ``python -m tests.hil.guest JOB.json RESULTS.json`` with the
checkout as the working directory. Each scenario makes its USB gadgets through configfs
(tests/hil/gadgets.py), drives the project's real driver on the "host" side of the dummy USB
bus, and compares what the driver delivered with what the gadget sent. Results are written
as JSON after every scenario (a scenario that hangs the guest still leaves the earlier ones).

A scenario passes by returning details, fails by raising ``Failed`` (or AssertionError), is
skipped by raising ``Skipped`` (e.g. pyusb not installed). The ``harness_*`` scenarios check
the harness itself without the project's drivers; ``harness_detects_failure`` checks something
false on purpose and must come back failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import itertools
import json
import logging
import os
import platform
import sys
import time
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

from drivers.base import CodeSource, RawScan
from drivers.document import QR, Align, Barcode, Columns, Document, Feed, Rule, Text
from tests.hil import gadgets, guest_doors, guest_sandbox, guest_udev
from tests.hil.gadgets import HidKeyboard

log = logging.getLogger("pvz.hil.guest")

SCENARIO_TIMEOUT_S = 120.0
CODE_TIMEOUT_S = 30.0
# A scanner's inter-character delay: one character per 15 ms at most. At the bus's full speed
# (a report per 4 ms poll) the emulated CPU's Python can fall behind and overflow the evdev
# buffer (SYN_DROPPED: the driver then rightly drops the partial code).
CHAR_INTERVAL_S = 0.015

# USB ids of the gadgets: a Honeywell-like keyboard scanner, a second one, a serial scanner
# and an Epson-like receipt printer (the ids the example config uses).
SCANNER_A = (0x0C2E, 0x0901)
SCANNER_B = (0x0C2E, 0x0902)
SERIAL_IDS = (0x0C2E, 0x0B61)
PRINTER_IDS = (0x04B8, 0x0202)
END_MARKER = b"\x1b@PVZ-HIL-END-OF-JOB\x1b@"


class Failed(AssertionError):
    """A scenario's check did not hold."""


class Skipped(Exception):
    """A scenario cannot run here (a missing optional dependency); reported as skipped."""


Scenario = Callable[[], Awaitable[dict[str, Any]]]
SCENARIOS: dict[str, Scenario] = {}
# Scenarios that check something false on purpose: they pass by failing.
MUST_FAIL = frozenset({"harness_detects_failure"})


def scenario(func: Scenario) -> Scenario:
    SCENARIOS[func.__name__] = func
    return func


def check(condition: bool, message: str) -> None:
    if not condition:
        raise Failed(message)


def _ids(ids: tuple[int, int]) -> str:
    return f"{ids[0]:04x}:{ids[1]:04x}"


class Collector:
    """Runs a code source's `codes()` in a task and hands out what it yields."""

    def __init__(self, source: CodeSource) -> None:
        self.source = source
        self.queue: asyncio.Queue[RawScan] = asyncio.Queue()
        self.task = asyncio.create_task(self._run(), name=f"codes-{source.name}")

    async def _run(self) -> None:
        async for scan in self.source.codes():
            await self.queue.put(scan)

    async def next(self, timeout: float = CODE_TIMEOUT_S) -> RawScan:
        getter = asyncio.ensure_future(self.queue.get())
        done, _ = await asyncio.wait(
            {getter, self.task}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if getter in done:
            return getter.result()
        getter.cancel()
        if self.task in done:
            exc = self.task.exception()
            raise Failed(f"{self.source.name}: codes() ended: {exc!r}; status {self.source.status()}")
        raise Failed(f"{self.source.name}: no code within {timeout:.0f} s; status {self.source.status()}")

    async def take(self, count: int, timeout: float = CODE_TIMEOUT_S) -> list[bytes]:
        return [(await self.next(timeout)).data for _ in range(count)]

    async def close(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self.task


@contextlib.asynccontextmanager
async def collecting(source: CodeSource) -> AsyncIterator[Collector]:
    collector = Collector(source)
    try:
        yield collector
    finally:
        await collector.close()


async def wait_until(what: str, probe: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not probe():
        if time.monotonic() > deadline:
            raise Failed(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.02)


def _require(module: str, why: str = "") -> None:
    if importlib.util.find_spec(module) is None:
        raise Skipped(f"{module} is not installed{': ' + why if why else ''}")


@contextlib.contextmanager
def _gadgets() -> Iterator[list[gadgets.Gadget]]:
    """Every gadget made inside is removed at the end, whatever happened."""
    made: list[gadgets.Gadget] = []
    try:
        yield made
    finally:
        for gadget in reversed(made):
            try:
                gadget.remove()
            except OSError:
                log.exception("removing gadget %s", gadget.name)


def _keyboard(made: list[gadgets.Gadget], name: str, ids: tuple[int, int], udc: int) -> HidKeyboard:
    kbd = gadgets.hid_keyboard(
        name,
        ids[0],
        ids[1],
        gadgets.udcs()[udc],
        product=f"HIL Scanner {name}",
        char_interval=CHAR_INTERVAL_S,
    )
    made.append(kbd)
    return kbd


def _evdev_scanner(name: str, ids: tuple[int, int], **kwargs: Any) -> CodeSource:
    _require("drivers.scanner.evdev_scanner")
    from drivers.scanner.evdev_scanner import EvdevScanner

    # The key-gap rule is off (max_gap_ms=0): under emulation keys come up to ~120 ms apart now
    # and then, and in the unplug scenario the rule would hide a partial code the driver failed
    # to drop. The rule is the decoder's, tested with timestamps in the unit tests.
    scanner: CodeSource = EvdevScanner(
        name=name, device=_ids(ids), reopen_interval_s=0.1, max_gap_ms=0, **kwargs
    )
    return scanner


async def connected(scanner: CodeSource, reconnects: int = 0) -> None:
    """Wait until the scanner holds (has grabbed) its device: until then the kernel's console
    keyboard handler, which opens every keyboard, would take what the gadget types."""
    await wait_until(
        f"{scanner.name} to connect",
        lambda: bool(scanner.status()["connected"]) and scanner.status()["reconnects"] == reconnects,
    )


# --- the harness itself --------------------------------------------------------------------------

# HID usage ids (gadget side) → the evdev key names the kernel's hid-input must make of them.
KEY_NAMES: dict[int, str] = {0x04 + i: f"KEY_{chr(ord('A') + i)}" for i in range(26)}
KEY_NAMES.update({0x1E + i: f"KEY_{(i + 1) % 10}" for i in range(10)})
KEY_NAMES.update(
    {
        0x28: "KEY_ENTER",
        0x2B: "KEY_TAB",
        0x2C: "KEY_SPACE",
        0x2D: "KEY_MINUS",
        0x2E: "KEY_EQUAL",
        0x2F: "KEY_LEFTBRACE",
        0x30: "KEY_RIGHTBRACE",
        0x31: "KEY_BACKSLASH",
        0x33: "KEY_SEMICOLON",
        0x34: "KEY_APOSTROPHE",
        0x35: "KEY_GRAVE",
        0x36: "KEY_COMMA",
        0x37: "KEY_DOT",
        0x38: "KEY_SLASH",
    }
)


def expected_key_names(text: str, layout: str) -> list[str]:
    """The evdev key presses that typing `text` on the gadget must produce."""
    names: list[str] = []
    for modifiers, usage in gadgets.strokes(text, layout):
        if modifiers & gadgets.LEFT_SHIFT:
            names.append("KEY_LEFTSHIFT")
        names.append(KEY_NAMES[usage])
    return names


async def _raw_key_presses(node: Path, kbd: HidKeyboard, text: str, layout: str) -> tuple[list[str], float]:
    """Type `text` + Enter on the gadget; the key presses python-evdev reads, and the largest gap."""
    import evdev

    dev = evdev.InputDevice(str(node))
    try:
        dev.grab()
        typing = asyncio.create_task(asyncio.to_thread(kbd.type, text + "\n", layout))
        names: list[str] = []
        stamps: list[float] = []
        async with asyncio.timeout(CODE_TIMEOUT_S):
            async for event in dev.async_read_loop():
                if event.type != evdev.ecodes.EV_KEY or event.value != 1:
                    continue
                name = evdev.ecodes.KEY[event.code]
                names.append(name if isinstance(name, str) else name[0])
                stamps.append(event.timestamp())
                if event.code == evdev.ecodes.KEY_ENTER:
                    break
        await typing
    finally:
        dev.close()
    gap = max((b - a for a, b in itertools.pairwise(stamps)), default=0.0)
    return names, gap


@scenario
async def harness_keyboard_keys() -> dict[str, Any]:
    """The HID gadget's reports become exactly the expected evdev key presses (US and RU text)."""
    with _gadgets() as made:
        kbd = _keyboard(made, "kbd", SCANNER_A, 0)
        node = await asyncio.to_thread(kbd.input_event)
        details: dict[str, Any] = {"node": str(node)}
        for text, layout in (
            ("Az09-=[]\\;',./`~!@#$%^&*()_+{}|:\"<>? x", "us"),
            ("ЙЦУКЕН ёЁ№;:?.,/\\ хъжэбю", "ru"),
        ):
            names, gap = await _raw_key_presses(node, kbd, text, layout)
            expected = [*expected_key_names(text, layout), "KEY_ENTER"]
            check(names == expected, f"{layout} {text!r}: read {names}, expected {expected}")
            details[f"max_key_gap_ms_{layout}"] = round(gap * 1000, 1)
        return details


@scenario
async def harness_printer_bytes() -> dict[str, Any]:
    """All 256 byte values written to usblp's /dev/usb/lpN arrive unchanged at /dev/g_printer0."""
    with _gadgets() as made:
        prn = gadgets.printer(gadgets.udcs()[0], vid=PRINTER_IDS[0], pid=PRINTER_IDS[1])
        made.append(prn)
        lp = await asyncio.to_thread(prn.lp_device)
        payload = bytes(range(256)) * 64
        fd = os.open(lp, os.O_WRONLY)
        try:
            await asyncio.to_thread(os.write, fd, payload + END_MARKER)
        finally:
            os.close(fd)
        got = await asyncio.to_thread(prn.take_until, END_MARKER)
        check(got == payload, f"{len(got)} bytes arrived, {len(payload)} were written; first {got[:32]!r}")
        return {"lp": str(lp), "bytes": len(payload)}


@scenario
async def harness_serial_bytes() -> dict[str, Any]:
    """Bytes written to the CDC-ACM gadget's raw ttyGS reach pyserial on ttyACM unchanged (no \\r added)."""
    import serial

    with _gadgets() as made:
        acm = gadgets.acm_serial(gadgets.udcs()[0], vid=SERIAL_IDS[0], pid=SERIAL_IDS[1])
        made.append(acm)
        node = await asyncio.to_thread(acm.host_tty)
        payload = b"line\n\r\n\x00\xff" + bytes(range(256))
        with serial.Serial(str(node), timeout=CODE_TIMEOUT_S) as port:
            await asyncio.to_thread(acm.write, payload)
            got = await asyncio.to_thread(port.read, len(payload))
        check(got == payload, f"read {got!r}, wrote {payload!r}")
        return {"tty": str(node), "bytes": len(payload)}


@scenario
async def harness_detects_failure() -> dict[str, Any]:
    """Checks something false on purpose: the harness must report this scenario FAILED."""
    with _gadgets() as made:
        kbd = _keyboard(made, "kbd", SCANNER_A, 0)
        node = await asyncio.to_thread(kbd.input_event)
        names, _ = await _raw_key_presses(node, kbd, "ABC", "us")
        wrong = [*expected_key_names("ABD", "us"), "KEY_ENTER"]
        check(names == wrong, f"deliberately wrong expectation: read {names}, expected {wrong} (typed 'ABC')")
        return {"node": str(node)}


# --- keyboard-wedge scanners: drivers.scanner.evdev_scanner ---------------------------------------------


@scenario
async def evdev_scanner_us() -> dict[str, Any]:
    """A HID scanner types "ABC-12345" (with Shift); EvdevScanner finds it by id, grabs it, yields the code."""
    import evdev

    with _gadgets() as made:
        kbd = _keyboard(made, "scan-us", SCANNER_A, 0)
        node = await asyncio.to_thread(kbd.input_event)
        scanner = _evdev_scanner("scan-us", SCANNER_A, layout="us")
        async with collecting(scanner) as codes:
            await connected(scanner)
            # The grab: nobody else can have the device now.
            other = evdev.InputDevice(str(node))
            try:
                other.grab()
                other.ungrab()
                raise Failed(f"{node} could be grabbed by a second reader: EvdevScanner did not grab it")
            except OSError as exc:
                grab_error = exc.strerror
            finally:
                other.close()
            await asyncio.to_thread(kbd.type, "ABC-12345\n")
            await asyncio.to_thread(kbd.type, "PVZ-0001/2=7\n")
            scans = [await codes.next(), await codes.next()]
        got = [s.data for s in scans]
        check(got == [b"ABC-12345", b"PVZ-0001/2=7"], f"codes {got!r}")
        check(all(s.source == "scan-us" and not s.keyed for s in scans), f"scans {scans!r}")
        return {"node": str(node), "codes": [c.decode() for c in got], "second_grab": grab_error}


@scenario
async def evdev_scanner_ru() -> dict[str, Any]:
    """A scanner in the Russian layout types by physical ЙЦУКЕН keys; EvdevScanner(layout="ru") reads the same text."""
    texts = ["ЗАКАЗ-№15.ёж", "Съешь/же,ещё:этих?12"]
    with _gadgets() as made:
        kbd = _keyboard(made, "scan-ru", SCANNER_A, 0)
        await asyncio.to_thread(kbd.input_event)
        scanner = _evdev_scanner("scan-ru", SCANNER_A, layout="ru")
        async with collecting(scanner) as codes:
            await connected(scanner)
            for text in texts:
                await asyncio.to_thread(kbd.type, text + "\n", "ru")
            got = await codes.take(len(texts))
        want = [t.encode() for t in texts]
        check(got == want, f"codes {[g.decode(errors='replace') for g in got]}, expected {texts}")
        return {"codes": texts}


@scenario
async def evdev_two_scanners() -> dict[str, Any]:
    """Two HID scanners on two UDCs typing at the same time: each EvdevScanner gets only its own codes."""
    a_codes = ["LEFT-0001", "LEFT-0002", "LEFT-0003"]
    b_codes = ["RIGHT-9001", "RIGHT-9002", "RIGHT-9003"]
    with _gadgets() as made:
        kbd_a = _keyboard(made, "left", SCANNER_A, 0)
        kbd_b = _keyboard(made, "right", SCANNER_B, 1)
        await asyncio.to_thread(kbd_a.input_event)
        await asyncio.to_thread(kbd_b.input_event)
        left = _evdev_scanner("left", SCANNER_A)
        right = _evdev_scanner("right", SCANNER_B)
        async with collecting(left) as from_a, collecting(right) as from_b:
            await connected(left)
            await connected(right)

            def type_all(kbd: HidKeyboard, codes: list[str]) -> None:
                for code in codes:
                    kbd.type(code + "\n")

            await asyncio.gather(
                asyncio.to_thread(type_all, kbd_a, a_codes), asyncio.to_thread(type_all, kbd_b, b_codes)
            )
            got_a = [await from_a.next() for _ in a_codes]
            got_b = [await from_b.next() for _ in b_codes]
        check([s.data.decode() for s in got_a] == a_codes, f"left got {got_a!r}")
        check([s.data.decode() for s in got_b] == b_codes, f"right got {got_b!r}")
        check(
            {s.source for s in got_a} == {"left"} and {s.source for s in got_b} == {"right"}, "sources mixed"
        )
        return {"left": a_codes, "right": b_codes, "udcs": [kbd_a.udc, kbd_b.udc]}


@scenario
async def evdev_unplug_replug() -> dict[str, Any]:
    """Half a code, the cable pulled, plugged back, a full code: exactly the full code arrives, once."""
    with _gadgets() as made:
        kbd = _keyboard(made, "hotplug", SCANNER_A, 0)
        first = await asyncio.to_thread(kbd.input_event)
        scanner = _evdev_scanner("hotplug", SCANNER_A)
        async with collecting(scanner) as codes:
            await connected(scanner)
            await asyncio.to_thread(kbd.type, "BEFORE-1\n")
            check((await codes.next()).data == b"BEFORE-1", "the code before the unplug did not arrive")
            await asyncio.to_thread(kbd.type, "HALF-")  # no Enter: the cable goes mid-code
            await asyncio.to_thread(kbd.unplug)
            await asyncio.to_thread(kbd.input_gone)
            await wait_until("the scanner to notice the unplug", lambda: not scanner.status()["connected"])
            await asyncio.to_thread(kbd.replug)
            second = await asyncio.to_thread(kbd.input_event)
            await connected(scanner, reconnects=1)
            await asyncio.to_thread(kbd.type, "FULL-0002\n")
            await asyncio.to_thread(kbd.type, "AFTER-3\n")  # whatever came before it is all there was
            got = await codes.take(2)
            status = scanner.status()
        check(
            got == [b"FULL-0002", b"AFTER-3"], f"after the replug: {got!r} (expected FULL-0002 then AFTER-3)"
        )
        check(status["reconnects"] == 1, f"reconnects {status['reconnects']}, expected 1")
        check(status["partial_codes_dropped"] >= 1, f"the partial code was not counted as dropped: {status}")
        return {"before": str(first), "after": str(second), "status": status}


# --- serial scanners: drivers.scanner.serial_scanner -----------------------------------------------------


@scenario
async def serial_scanner_acm() -> dict[str, Any]:
    """A CDC-ACM scanner sends CR, LF and CRLF ended codes, a code split over writes, and non-UTF-8 bytes."""
    _require("drivers.scanner.serial_scanner")
    from drivers.scanner.serial_scanner import SerialScanner

    sent = [b"CR-0001\r", b"LF-0002\n", b"CRLF-0003\r\n", b"SPL", b"IT-0004\r", b"\xff\xfe\x00garbage\x81\r"]
    want = [b"CR-0001", b"LF-0002", b"CRLF-0003", b"SPLIT-0004", b"\xff\xfe\x00garbage\x81"]
    crlf_sent = [b"LINE1\rLINE2\nLINE3\r\n", b"\r\n", b"NEXT\r\n"]
    crlf_want = [b"LINE1\rLINE2\nLINE3", b"NEXT"]
    with _gadgets() as made:
        acm = gadgets.acm_serial(gadgets.udcs()[0], vid=SERIAL_IDS[0], pid=SERIAL_IDS[1])
        made.append(acm)
        node = await asyncio.to_thread(acm.host_tty)
        results: dict[str, Any] = {"tty": str(node)}
        for terminator, chunks, expected in (("cr", sent, want), ("crlf", crlf_sent, crlf_want)):
            scanner = SerialScanner(
                name=f"serial-{terminator}",
                device=_ids(SERIAL_IDS),
                terminator=terminator,
                reopen_interval_s=0.1,
            )
            async with collecting(scanner) as codes:
                await connected(scanner)
                for chunk in chunks:
                    await asyncio.to_thread(acm.write, chunk)
                got = await codes.take(len(expected))
            check(got == expected, f"terminator {terminator}: codes {got!r}, expected {expected!r}")
            results[terminator] = [g.decode("utf-8", "backslashreplace") for g in got]
        return results


# --- the receipt printer: drivers.printer.escpos_printer -------------------------------------------------


def receipt_documents() -> list[Document]:
    """A receipt with Russian text, columns, a Code128 barcode and a QR; and the device's command card."""
    from device.documents.registry import Documents

    receipt = Document(
        "receipt",
        "Квитанция о выдаче",
        (
            Text("ПВЗ msk-0001 · Москва, ул. Ленина, 1", align=Align.CENTER),
            Rule(),
            Text("Заказ № 4815162342", bold=True),
            Columns("Посылка 1 из 2", "1,2 кг"),
            Columns("Наложенный платёж", "1 234,50 ₽"),
            Text("ИТОГО ОПЛАЧЕНО", double=True, align=Align.RIGHT),
            Feed(),
            Barcode("PVZ-4815162342"),
            QR("https://pvz.example/r/4815162342?c=ё"),
            Feed(2),
        ),
    )
    card = Documents(site="msk-0001", device_id="pvz-msk-0001", lang="ru").command_card()
    return [receipt, card]


def expected_bytes(doc: Document) -> bytes:
    from drivers.printer.sim_printer import SimPrinter

    sim = SimPrinter()
    sim.print_document(doc)
    return sim.printed[-1].data


@scenario
async def printer_file_receipt() -> dict[str, Any]:
    """EscposPrinter(backend="file") on usblp's /dev/usb/lpN: the gadget receives exactly SimPrinter's bytes."""
    _require("drivers.printer.escpos_printer")
    from drivers.printer.escpos_printer import EscposPrinter

    with _gadgets() as made:
        prn = gadgets.printer(gadgets.udcs()[0], vid=PRINTER_IDS[0], pid=PRINTER_IDS[1])
        made.append(prn)
        lp = await asyncio.to_thread(prn.lp_device)
        printer = EscposPrinter(name="hil-file", backend="file", path=str(lp))
        sizes = []
        for doc in receipt_documents():
            want = expected_bytes(doc)
            await asyncio.to_thread(printer.print_document, doc)
            # The end marker goes down the same pipe after the job: all before it is the job.
            fd = os.open(lp, os.O_WRONLY)
            try:
                os.write(fd, END_MARKER)
            finally:
                os.close(fd)
            got = await asyncio.to_thread(prn.take_until, END_MARKER)
            check(got == want, f"{doc.kind}: {_diff(got, want)}")
            sizes.append(len(got))
        status = printer.status()
        check(status["state"] == "ready" and status["printed"] == 2, f"status {status}")
        return {"lp": str(lp), "bytes": sizes, "paper": status["paper"]}


@scenario
async def printer_usb_receipt() -> dict[str, Any]:
    """EscposPrinter(backend="usb") through pyusb (usblp detached): exactly SimPrinter's bytes arrive."""
    _require("drivers.printer.escpos_printer")
    _require(
        "usb", "pyusb (python-escpos[usb]) is no dependency of the project, so the usb backend is untested"
    )
    import usb.core

    from drivers.printer.escpos_printer import EscposPrinter

    with _gadgets() as made:
        prn = gadgets.printer(gadgets.udcs()[0], vid=PRINTER_IDS[0], pid=PRINTER_IDS[1])
        made.append(prn)
        await asyncio.to_thread(prn.lp_device)  # enumerated, usblp bound
        # Only now the first pyusb call: without udevd in the guest, libusb learns of no device
        # plugged after its context was made.
        try:
            usb.core.find(idVendor=0xFFFF)
        except usb.core.NoBackendError as exc:
            raise Skipped(f"pyusb has no libusb backend (libusb-1.0-0 missing): {exc}") from None
        printer = EscposPrinter(
            name="hil-usb", backend="usb", vendor_id=PRINTER_IDS[0], product_id=PRINTER_IDS[1]
        )
        doc = receipt_documents()[0]
        want = expected_bytes(doc)
        await asyncio.to_thread(printer.print_document, doc)
        # The end marker straight through pyusb, on the bulk OUT endpoint the driver used.
        dev = usb.core.find(idVendor=PRINTER_IDS[0], idProduct=PRINTER_IDS[1])
        check(dev is not None, "the printer vanished from the USB bus")
        out_ep = next(
            ep.bEndpointAddress
            for ep in dev.get_active_configuration()[(0, 0)]
            if usb.util.endpoint_direction(ep.bEndpointAddress) == usb.util.ENDPOINT_OUT
        )
        await asyncio.to_thread(dev.write, out_ep, END_MARKER, 10_000)
        usb.util.dispose_resources(dev)
        got = await asyncio.to_thread(prn.take_until, END_MARKER)
        check(got == want, f"usb: {_diff(got, want)}")
        status = printer.status()
        check(status["state"] == "ready", f"status {status}")
        return {"bytes": len(got), "paper": status["paper"]}


def _diff(got: bytes, want: bytes) -> str:
    if got == want:
        return "equal"
    at = next(
        (i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b), min(len(got), len(want))
    )
    return (
        f"{len(got)} bytes arrived, {len(want)} expected; first difference at {at}: "
        f"got {got[max(0, at - 8) : at + 24]!r}, expected {want[max(0, at - 8) : at + 24]!r}"
    )


# The udev rules', the sandbox's and the doors' scenarios live in their own modules.
SCENARIOS.update(guest_udev.SCENARIOS)
SCENARIOS.update(guest_sandbox.SCENARIOS)
SCENARIOS.update(guest_doors.SCENARIOS)


# --- the runner ---------------------------------------------------------------------------------


async def run_one(name: str) -> dict[str, Any]:
    func = SCENARIOS.get(name)
    started = time.monotonic()
    result: dict[str, Any] = {"name": name}
    if func is None:
        result.update(status="error", details=f"no scenario {name!r} in tests/hil/guest.py")
    else:
        log.info("scenario %s: start", name)
        # A scenario may take longer than most (it sets `timeout_s` on itself).
        timeout_s = float(getattr(func, "timeout_s", SCENARIO_TIMEOUT_S))
        try:
            left = gadgets.remove_all()
            if left:
                log.warning("removed gadgets left behind: %s", left)
            async with asyncio.timeout(timeout_s):
                details = await func()
            result.update(status="passed", details=details)
        except Skipped as exc:
            result.update(status="skipped", details=str(exc))
        except TimeoutError:
            result.update(status="failed", details=f"timed out after {timeout_s:.0f} s")
        except AssertionError as exc:
            result.update(status="failed", details=str(exc))
        except Exception as exc:
            result.update(status="error", details=f"{exc!r}\n{traceback.format_exc()}")
    result["ok"] = result["status"] == "passed"
    result["seconds"] = round(time.monotonic() - started, 2)
    log.info("scenario %s: %s in %.1f s", name, result["status"], result["seconds"])
    return result


async def run_all(names: list[str], out: Path) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    header = {"kernel": platform.release(), "python": sys.version.split()[0], "udcs": gadgets.udcs()}
    for name in names:
        results.append(await run_one(name))
        tmp = out.with_suffix(".tmp")
        tmp.write_text(
            json.dumps({**header, "results": results}, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        tmp.replace(out)
    return results


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="guest %(relativeCreated)7.0f ms %(name)s: %(message)s")
    if len(argv) != 2:
        log.error("usage: python -m tests.hil.guest JOB.json RESULTS.json")
        return 2
    job = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    # e.g. ESCPOS_CAPABILITIES_PICKLE_DIR: python-escpos's parsed profile database, made on the host.
    os.environ.update({str(k): str(v) for k, v in job.get("env", {}).items()})
    # Extra import paths (e.g. an optional package installed with pip --target for a try-out).
    sys.path[1:1] = [p for p in os.environ.get("PVZ_HIL_PYTHONPATH", "").split(os.pathsep) if p]
    results = asyncio.run(run_all([str(n) for n in job["scenarios"]], Path(argv[1])))
    return 0 if all(r["ok"] != (r["name"] in MUST_FAIL) for r in results) else 1


if __name__ == "__main__":
    code = main(sys.argv[1:])
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    # Not sys.exit: a driver thread stuck in a device read must not keep the guest from powering off.
    os._exit(code)
