"""Tests for the evdev scanner with fake devices: finding, grabbing, decoding, unplug and re-open."""

from __future__ import annotations

import asyncio
import collections
import errno
import fnmatch
import logging
from collections.abc import Iterable
from typing import Any

import pytest
from evdev import ecodes as e
from evdev.device import DeviceInfo
from evdev.events import InputEvent

from drivers.base import CodeSource, RawScan
from drivers.scanner.device_paths import glob_paths, parse_ids
from drivers.scanner.evdev_scanner import EVENT_GLOB, EvdevScanner, find_devices
from drivers.scanner.keymaps import Layout, encode

SCANNER_IDS = (0x0C2E, 0x0B61)
KEYBOARD_KEYS = [e.KEY_ESC, *range(e.KEY_1, e.KEY_SLASH + 1), e.KEY_SPACE, e.KEY_KPENTER, e.KEY_LEFTSHIFT]
CONSUMER_KEYS = [e.KEY_VOLUMEUP, e.KEY_VOLUMEDOWN, e.KEY_MUTE]

Item = InputEvent | BaseException


class Typist:
    """Real InputEvents as the kernel reports a scanner typing: MSC_SCAN, the key, SYN_REPORT."""

    def __init__(self, start: float = 1_700_000_000.0, step: float = 0.002) -> None:
        self.t = start
        self.step = step

    def _event(self, type_: int, code: int, value: int) -> InputEvent:
        sec = int(self.t)
        return InputEvent(sec, round((self.t - sec) * 1_000_000), type_, code, value)

    def key(self, code: int, value: int) -> list[InputEvent]:
        events = [self._event(e.EV_MSC, e.MSC_SCAN, 0x70000 + code), self._event(e.EV_KEY, code, value)]
        events.append(self._event(e.EV_SYN, e.SYN_REPORT, 0))
        self.t += self.step
        return events

    def tap(self, code: int) -> list[InputEvent]:
        return self.key(code, 1) + self.key(code, 0)

    def text(self, text: str, layout: Layout = "us") -> list[InputEvent]:
        events: list[InputEvent] = []
        for code, shift in encode(text, layout):
            if shift:
                events += self.key(e.KEY_LEFTSHIFT, 1)
            events += self.tap(code)
            if shift:
                events += self.key(e.KEY_LEFTSHIFT, 0)
        return events

    def code(self, text: str, layout: Layout = "us") -> list[InputEvent]:
        return self.text(text, layout) + self.tap(e.KEY_ENTER)


class FakeStream:
    """Like evdev's ReadIterator: survives an exception, and waits when nothing is left."""

    def __init__(self, script: Iterable[Item]) -> None:
        self.script = collections.deque(script)

    async def __anext__(self) -> InputEvent:
        await asyncio.sleep(0)
        if not self.script:
            await asyncio.Event().wait()
        item = self.script.popleft()
        if isinstance(item, BaseException):
            raise item
        return item


class FakeDevice:
    def __init__(
        self,
        path: str,
        script: Iterable[Item] = (),
        *,
        ids: tuple[int, int] = SCANNER_IDS,
        keys: list[int] = KEYBOARD_KEYS,
        name: str = "HIL Barcode Scanner",
    ) -> None:
        self.path = path
        self.name = name
        self.phys = "usb-dummy_hcd.0-1/input0"
        self.info = DeviceInfo(3, ids[0], ids[1], 0x0111)
        self.keys = keys
        self.stream = FakeStream(script)
        self.held: list[int] = []
        self.grab_error: OSError | None = None
        self.grabbed = self.closed = False

    def capabilities(self) -> dict[int, list[Any]]:
        return {e.EV_SYN: [0, 1, 4], e.EV_KEY: list(self.keys), e.EV_MSC: [e.MSC_SCAN]}

    def active_keys(self) -> list[int]:
        return list(self.held)

    def fileno(self) -> int:
        return -1  # not a real fd: the clock ioctl fails and is skipped, as on an old kernel

    def grab(self) -> None:
        if self.grab_error is not None:
            raise self.grab_error
        self.grabbed = True

    def close(self) -> None:
        self.closed = True

    def async_read_loop(self) -> FakeStream:
        return self.stream


class FakeInput:
    """/dev/input as the scanner sees it: which paths exist (changeable) and what opening one gives."""

    def __init__(self, devices: Iterable[FakeDevice]) -> None:
        self.devices = {dev.path: dev for dev in devices}
        self.opened: list[str] = []
        self.sleeps: list[float] = []
        self.on_sleep: list[Any] = []  # callables run at each sleep, in turn: hotplug happens here

    def list(self, pattern: str) -> list[str]:
        return [
            p for p in sorted(self.devices, key=lambda p: int(p[16:] or 0)) if fnmatch.fnmatch(p, pattern)
        ]

    def open(self, path: str) -> FakeDevice:
        self.opened.append(path)
        dev = self.devices.get(path)
        if dev is None:
            raise OSError(errno.ENOENT, "No such file or directory", path)
        return dev

    async def sleep(self, delay: float) -> None:
        self.sleeps.append(delay)
        if self.on_sleep:
            self.on_sleep.pop(0)()
        await asyncio.sleep(0)

    def scanner(self, **kwargs: Any) -> EvdevScanner:
        kwargs.setdefault("device", "0c2e:0b61")
        return EvdevScanner(
            name="counter/scanner0", list_devices=self.list, open_device=self.open, sleep=self.sleep, **kwargs
        )


async def take(source: CodeSource, count: int, timeout: float = 5.0) -> list[RawScan]:
    got: list[RawScan] = []

    async def run() -> None:
        async for scan in source.codes():
            got.append(scan)
            if len(got) == count:
                return

    await asyncio.wait_for(run(), timeout)
    return got


def test_codes_are_decoded_from_a_grabbed_device() -> None:
    typist = Typist()
    dev = FakeDevice("/dev/input/event5", typist.code("ABC-123") + typist.code("https://x.ru/?a=1&b=%20"))
    fake = FakeInput([dev])
    scans = asyncio.run(take(fake.scanner(), 2))
    assert scans == [
        RawScan(source="counter/scanner0", data=b"ABC-123"),
        RawScan(source="counter/scanner0", data=b"https://x.ru/?a=1&b=%20"),
    ]
    assert dev.grabbed
    assert dev.closed  # the consumer stopped, so the device was let go


def test_russian_layout_keypad_and_framing_settings_reach_the_decoder() -> None:
    typist = Typist(step=5.0)  # a person: seconds between keys
    keys = [e.KEY_KP4, e.KEY_KP2, e.KEY_KPENTER]
    dev = FakeDevice("/dev/input/event5", [ev for key in keys for ev in typist.tap(key)])
    fake = FakeInput([dev])
    scans = asyncio.run(take(fake.scanner(keypad=True, max_gap_ms=0), 1))
    assert scans == [RawScan(source="counter/scanner0", data=b"42", keyed=True)]

    ru = FakeDevice("/dev/input/event6", Typist().code("*Заказ №5.", "ru") + Typist().text("x"), ids=(1, 2))
    fake = FakeInput([ru])
    scanner = fake.scanner(device="0001:0002", layout="ru", prefix="*", suffix=".")
    assert asyncio.run(take(scanner, 1))[0].data == "Заказ №5".encode()


def test_unplug_mid_code_drops_the_half_and_reopens_after_waiting(caplog: pytest.LogCaptureFixture) -> None:
    typist = Typist()
    path = "/dev/input/event5"
    first = FakeDevice(
        path, [*typist.code("FIRST"), *typist.text("HAL"), OSError(errno.ENODEV, "No such device")]
    )
    second = FakeDevice(path, typist.text("F") + typist.code("SECOND"))
    fake = FakeInput([first])
    # After the loss: gone at the first two looks, back (a new device object) at the third.
    fake.on_sleep = [fake.devices.clear, lambda: None, lambda: fake.devices.update({path: second})]
    scanner = fake.scanner(reopen_interval_s=0.5)
    with caplog.at_level(logging.INFO, logger="pvz.drivers.evdev"):
        scans = asyncio.run(take(scanner, 2))
    assert [scan.data for scan in scans] == [b"FIRST", b"FSECOND"]
    assert fake.sleeps == [0.5, 0.5, 0.5]
    assert first.closed and second.grabbed
    status = scanner.status()
    assert status["reconnects"] == 1
    assert status["codes_read"] == 2
    assert status["partial_codes_dropped"] == 1
    assert status["path"] == path
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        f"counter/scanner0: {path} went away (No such device), a partial code was dropped; looking again every 0.5 s"
    ]
    infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert len(infos) == 2 and all("reading /dev/input/event5" in m for m in infos)


def test_absent_device_is_looked_for_without_log_spam(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeInput([])
    back = FakeDevice("/dev/input/event9", Typist().code("LATE"))
    fake.on_sleep = [lambda: None] * 4 + [lambda: fake.devices.update({back.path: back})]
    scanner = fake.scanner()
    with caplog.at_level(logging.INFO, logger="pvz.drivers.evdev"):
        scans = asyncio.run(take(scanner, 1))
    assert [scan.data for scan in scans] == [b"LATE"]
    assert fake.sleeps == [1.0] * 5
    assert [r.levelname for r in caplog.records] == ["WARNING", "INFO"]
    assert "no input device 0c2e:0b61 under /dev/input/event*" in caplog.records[0].getMessage()
    assert scanner.status()["reconnects"] == 0  # the first connection is not a reconnection


def test_vendor_product_picks_the_keyboard_node_in_natural_order() -> None:
    typist = Typist()
    devices = [
        FakeDevice("/dev/input/event2", ids=(0x046D, 0xC31C), name="Logitech keyboard"),
        FakeDevice("/dev/input/event3", keys=CONSUMER_KEYS, name="HIL Barcode Scanner Consumer Control"),
        FakeDevice("/dev/input/event10", typist.code("FROM-10")),
        FakeDevice("/dev/input/event11", Typist().code("FROM-11")),
    ]
    fake = FakeInput(devices)
    scanner = fake.scanner()
    assert [scan.data for scan in asyncio.run(take(scanner, 1))] == [b"FROM-10"]
    assert fake.opened == ["/dev/input/event2", "/dev/input/event3", "/dev/input/event10"]
    assert devices[0].closed and devices[1].closed and not devices[0].grabbed
    assert scanner.status()["path"] == "/dev/input/event10"


def test_path_glob_and_device_ids_together() -> None:
    devices = [
        FakeDevice("/dev/input/event4", Typist().code("WRONG"), ids=(1, 2)),
        FakeDevice("/dev/input/event7", Typist().code("RIGHT")),
    ]
    fake = FakeInput(devices)
    scanner = fake.scanner(path="/dev/input/event[47]")
    assert [scan.data for scan in asyncio.run(take(scanner, 1))] == [b"RIGHT"]
    by_path = FakeInput(devices).scanner(path="/dev/input/event4", device=None)
    assert [scan.data for scan in asyncio.run(take(by_path, 1))] == [b"WRONG"]


def test_nothing_usable_is_explained_in_status() -> None:
    class Stop(Exception):
        pass

    fake = FakeInput([FakeDevice("/dev/input/event3", keys=CONSUMER_KEYS)])

    async def sleep(delay: float) -> None:
        raise Stop

    scanner = EvdevScanner(
        name="s", path="/dev/input/event*", list_devices=fake.list, open_device=fake.open, sleep=sleep
    )
    with pytest.raises(Stop):
        asyncio.run(take(scanner, 1))
    assert scanner.status()["last_error"] == (
        "no input device at /dev/input/event* (/dev/input/event3: has no terminator key)"
    )
    assert scanner.status()["connected"] is False


def test_a_device_grabbed_elsewhere_is_retried(caplog: pytest.LogCaptureFixture) -> None:
    dev = FakeDevice("/dev/input/event5", Typist().code("MINE"))
    dev.grab_error = OSError(errno.EBUSY, "Device or resource busy")
    fake = FakeInput([dev])

    def release() -> None:
        dev.grab_error = None

    fake.on_sleep = [lambda: None, release]
    scanner = fake.scanner()
    with caplog.at_level(logging.WARNING, logger="pvz.drivers.evdev"):
        assert [scan.data for scan in asyncio.run(take(scanner, 1))] == [b"MINE"]
    assert fake.sleeps == [1.0, 1.0]
    assert "cannot grab it (Device or resource busy)" in caplog.records[0].getMessage()
    assert len(caplog.records) == 1


def test_lost_events_drop_the_partial_code() -> None:
    typist = Typist()
    dropped = InputEvent(0, 0, e.EV_SYN, e.SYN_DROPPED, 0)
    script: list[Item] = [*typist.text("AB"), dropped, *typist.tap(e.KEY_X), *typist.key(e.KEY_LEFTSHIFT, 1)]
    script += typist.tap(e.KEY_C) + typist.key(e.KEY_LEFTSHIFT, 0) + typist.code("d")
    dev = FakeDevice("/dev/input/event5", script)
    dev.held = [e.KEY_LEFTSHIFT]  # Shift is down when the kernel catches up
    fake = FakeInput([dev])
    # The SYN_REPORT right after KEY_X's press ends the dropped stretch; Shift came back held.
    assert [scan.data for scan in asyncio.run(take(fake.scanner(), 1))] == [b"Cd"]


def test_spurious_wakeups_and_an_ended_stream() -> None:
    typist = Typist()
    dev = FakeDevice("/dev/input/event5", [*typist.text("A"), BlockingIOError(), *typist.code("B")])
    fake = FakeInput([dev])
    assert [scan.data for scan in asyncio.run(take(fake.scanner(), 1))] == [b"AB"]
    assert fake.sleeps == []

    ended = FakeDevice("/dev/input/event5", typist.text("X"))
    ended.stream.__anext__ = _stop  # type: ignore[method-assign]
    again = FakeDevice("/dev/input/event5", typist.code("Y"))
    fake = FakeInput([ended])
    fake.on_sleep = [lambda: fake.devices.update({again.path: again})]
    scanner = fake.scanner()
    assert [scan.data for scan in asyncio.run(take(scanner, 1))] == [b"Y"]
    assert "went away" in scanner.status()["last_error"]


async def _stop() -> InputEvent:
    raise StopAsyncIteration


def test_find_devices_lists_every_input_device() -> None:
    devices = [
        FakeDevice("/dev/input/event10"),
        FakeDevice("/dev/input/event2", keys=CONSUMER_KEYS, ids=(0x046D, 0xC31C), name="Consumer Control"),
    ]
    fake = FakeInput(devices)

    def open_or_refuse(path: str) -> FakeDevice:
        if path == "/dev/input/event7":
            raise PermissionError(errno.EACCES, "Permission denied")
        return fake.open(path)

    listing = ["/dev/input/event2", "/dev/input/event7", "/dev/input/event10"]
    found = find_devices(
        list_devices=lambda p: listing if p == EVENT_GLOB else [], open_device=open_or_refuse
    )
    assert found == [
        {
            "path": "/dev/input/event2",
            "name": "Consumer Control",
            "device": "046d:c31c",
            "phys": devices[1].phys,
            "keyboard": False,
        },
        {"path": "/dev/input/event7", "error": "Permission denied"},
        {
            "path": "/dev/input/event10",
            "name": "HIL Barcode Scanner",
            "device": "0c2e:0b61",
            "phys": devices[0].phys,
            "keyboard": True,
        },
    ]
    assert all(dev.closed for dev in devices)


def test_the_module_works_on_a_machine_without_input_devices() -> None:
    import drivers.scanner.evdev_scanner as module

    assert module.find_devices(list_devices=lambda p: []) == []
    assert isinstance(module.find_devices(), list)  # real /dev/input, if any
    assert glob_paths("/nonexistent/event*") == []


def test_the_real_opener_reports_a_missing_device() -> None:
    class Stop(Exception):
        pass

    async def sleep(delay: float) -> None:
        raise Stop

    scanner = EvdevScanner(
        name="s", path="/nonexistent/input/event0", list_devices=lambda p: [p], sleep=sleep
    )
    with pytest.raises(Stop):
        asyncio.run(take(scanner, 1))
    assert scanner.status()["last_error"] == (
        "no input device at /nonexistent/input/event0 (/nonexistent/input/event0: No such file or directory)"
    )


def test_scanner_settings() -> None:
    scanner = EvdevScanner(name="s", device="0C2E:0B61")
    assert isinstance(scanner, CodeSource)
    assert scanner.status() == {
        "name": "s",
        "kind": "evdev",
        "path": None,
        "device": "0C2E:0B61",
        "keyed": False,
        "connected": False,
        "codes_read": 0,
        "reconnects": 0,
        "partial_codes_dropped": 0,
        "last_error": None,
    }
    assert parse_ids("0c2e:0b61") == SCANNER_IDS
    with pytest.raises(ValueError, match="path` or `device"):
        EvdevScanner(name="s")
    with pytest.raises(ValueError, match="vvvv:pppp"):
        EvdevScanner(name="s", device="0c2e0b61")
    with pytest.raises(ValueError, match="terminator"):
        EvdevScanner(name="s", path="/dev/input/event0", terminator="crlf")
