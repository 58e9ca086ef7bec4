"""Barcode scanners and keypads seen as Linux input devices: found, grabbed, decoded, re-opened on hotplug."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import struct
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from typing import Any, Protocol

import evdev
from evdev import ecodes as e
from evdev.device import DeviceInfo
from evdev.events import InputEvent

from drivers.base import RawScan
from drivers.exc import DeviceGone, DeviceNotFound
from drivers.scanner.device_paths import glob_paths, parse_ids
from drivers.scanner.hotplug import Attached, Hotplug, Sleep
from drivers.scanner.keyboard_decoder import KeyboardDecoder
from drivers.scanner.keymaps import Layout

log = logging.getLogger("pvz.drivers.evdev")

EVENT_GLOB = "/dev/input/event*"
# EVIOCSCLOCKID = _IOW('E', 0xa0, int): stamp this reader's events with CLOCK_MONOTONIC, so
# that the key-gap rule survives the wall clock stepping when NTP syncs a Pi without RTC.
_EVIOCSCLOCKID = 0x400445A0
_TERMINATOR_KEYS = {"enter": (e.KEY_ENTER, e.KEY_KPENTER), "tab": (e.KEY_TAB,)}


class EventStream(Protocol):
    def __anext__(self) -> Awaitable[InputEvent]: ...


class InputLike(Protocol):
    """The part of evdev.InputDevice the scanner uses; tests pass fakes."""

    @property
    def path(self) -> str | bytes: ...
    @property
    def name(self) -> str: ...
    @property
    def phys(self) -> str: ...
    @property
    def info(self) -> DeviceInfo: ...

    def capabilities(self) -> dict[int, list[Any]]: ...
    def active_keys(self) -> list[int]: ...
    def fileno(self) -> int: ...
    def grab(self) -> None: ...
    def close(self) -> None: ...
    def async_read_loop(self) -> EventStream: ...


ListDevices = Callable[[str], list[str]]
OpenDevice = Callable[[str], InputLike]


def _open(path: str) -> InputLike:
    return evdev.InputDevice(path)


def _close(dev: InputLike) -> None:
    with contextlib.suppress(OSError):
        dev.close()


def _ids(dev: InputLike) -> str:
    return f"{dev.info.vendor:04x}:{dev.info.product:04x}"


def _keys(dev: InputLike) -> set[int]:
    return set(dev.capabilities().get(e.EV_KEY, []))


def _text(path: str | bytes) -> str:
    return path.decode(errors="replace") if isinstance(path, bytes) else path


def _reason(exc: BaseException) -> str:
    """Why reading stopped: the errno's text alone, which is what an unplug gives."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or "no more events"


def find_devices(
    *, list_devices: ListDevices = glob_paths, open_device: OpenDevice = _open
) -> list[dict[str, Any]]:
    """Every input device, for `pvz hw list`: path, name, vendor:product, phys, and whether it has Enter."""
    found: list[dict[str, Any]] = []
    for path in list_devices(EVENT_GLOB):
        try:
            dev = open_device(path)
        except OSError as exc:
            found.append({"path": path, "error": exc.strerror or str(exc)})
            continue
        try:
            keyboard = bool(_keys(dev) & {e.KEY_ENTER, e.KEY_KPENTER})
            found.append(
                {"path": path, "name": dev.name, "device": _ids(dev), "phys": dev.phys, "keyboard": keyboard}
            )
        finally:
            dev.close()
    return found


def _use_monotonic_clock(dev: InputLike) -> None:
    # Best effort: without it the stamps are wall time, which only matters across a clock step.
    with contextlib.suppress(OSError, ValueError):
        fcntl.ioctl(dev.fileno(), _EVIOCSCLOCKID, struct.pack("i", time.CLOCK_MONOTONIC))


class EvdevScanner:
    """A keyboard-wedge scanner or keypad, read exclusively through evdev.

    The device is `path` (a path or glob) or, with `device` ("vvvv:pppp"), the input
    device with that USB vendor and product (under `path` when both are given). Of
    several matches the first in natural order that has the terminator key is used:
    one USB scanner often makes a keyboard node and a consumer-control node. The
    device is grabbed, so codes never reach a console. When it is missing or goes
    away, the partial code is dropped and the device is looked for every
    `reopen_interval_s` (one log line when it goes, one when it is back); `codes()`
    never ends and never raises for a missing device.
    """

    def __init__(
        self,
        *,
        name: str,
        path: str | None = None,
        device: str | None = None,
        keypad: bool = False,
        layout: Layout = "us",
        terminator: str = "enter",
        prefix: str = "",
        suffix: str = "",
        max_gap_ms: int = 60,
        reopen_interval_s: float = 1.0,
        list_devices: ListDevices = glob_paths,
        open_device: OpenDevice = _open,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if path is None and device is None:
            raise ValueError(f"{name}: an evdev scanner needs `path` or `device`")
        self.name = name
        self.path = path
        self.device = device
        self.keypad = keypad
        self._ids = parse_ids(device) if device is not None else None
        self._decoder = KeyboardDecoder(
            layout=layout, terminator=terminator, prefix=prefix, suffix=suffix, max_gap_ms=max_gap_ms
        )
        self._needed_keys = set(_TERMINATOR_KEYS[terminator])
        self._list = list_devices
        self._open = open_device
        self._dropping = False
        self._hotplug: Hotplug[InputLike, RawScan] = Hotplug(
            name=name,
            log=log,
            open_device=self._attach,
            read=self._read,
            close_device=_close,
            drop_partial=self._drop_partial,
            reopen_interval_s=reopen_interval_s,
            sleep=sleep,
        )

    def codes(self) -> AsyncIterator[RawScan]:
        return self._hotplug.run()

    def status(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": "evdev",
            "device": self.device,
            "keyed": self.keypad,
            **self._hotplug.status(self.path),
            "partial_codes_dropped": self._decoder.dropped,
        }

    async def _read(self, dev: InputLike) -> AsyncGenerator[RawScan, None]:
        stream = dev.async_read_loop()
        while True:
            try:
                event = await stream.__anext__()
                code = self._handle(dev, event)
            except BlockingIOError:
                continue  # woken with nothing to read; the device is still there
            except (OSError, StopAsyncIteration) as exc:
                raise DeviceGone(_reason(exc)) from exc
            if code is not None:
                yield RawScan(source=self.name, data=code, keyed=self.keypad)

    def _handle(self, dev: InputLike, event: InputEvent) -> bytes | None:
        if event.type == e.EV_SYN:
            # The kernel's buffer overflowed: events up to the next report are unreliable
            # and some are missing, so the partial code cannot be trusted.
            if event.code == e.SYN_DROPPED:
                self._dropping = True
                self._decoder.resync(())
            elif event.code == e.SYN_REPORT and self._dropping:
                self._dropping = False
                self._decoder.resync(dev.active_keys())
            return None
        if event.type != e.EV_KEY or self._dropping:
            return None
        return self._decoder.feed(event.code, event.value, event.sec + event.usec / 1_000_000)

    def _attach(self) -> Attached[InputLike]:
        dev = self._find()
        try:
            dev.grab()
        except OSError as exc:
            _close(dev)
            why = f"{_text(dev.path)}: cannot grab it ({exc.strerror or exc}): another program holds it?"
            raise DeviceNotFound(why) from exc
        _use_monotonic_clock(dev)
        path = _text(dev.path)
        return Attached(dev, path, f"{path} ({dev.name}, {_ids(dev)})")

    def absent(self) -> str | None:
        """Why no matching input device is there, or None when one is (opened and closed, not grabbed)."""
        try:
            _close(self._find())
        except DeviceNotFound as exc:
            return str(exc)
        return None

    def _find(self) -> InputLike:
        pattern = self.path or EVENT_GLOB
        problems: list[str] = []
        for path in self._list(pattern):
            try:
                dev = self._open(path)
            except OSError as exc:
                problems.append(f"{path}: {exc.strerror or exc}")
                continue
            if self._ids is not None and (dev.info.vendor, dev.info.product) != self._ids:
                dev.close()
                continue
            if not _keys(dev) & self._needed_keys:
                dev.close()
                problems.append(f"{path}: has no terminator key")
                continue
            return dev
        wanted = (
            f"input device {self.device} under {pattern}" if self.device else f"input device at {pattern}"
        )
        raise DeviceNotFound(f"no {wanted}" + (f" ({'; '.join(problems)})" if problems else ""))

    def _drop_partial(self) -> bool:
        pending = self._decoder.pending
        self._decoder.reset()
        self._dropping = False
        return pending
