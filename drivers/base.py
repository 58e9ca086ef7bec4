"""The interfaces every driver implements, real or simulated; drivers know nothing of parcels."""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from drivers.document import Document


class Pattern(enum.Enum):
    """How a light shows a meaning; the runtime maps meanings to patterns."""

    OFF = "off"
    STEADY = "steady"
    BLINK = "blink"
    FAST_BLINK = "fast_blink"


class Color(enum.Enum):
    """Colours of the status light tower."""

    OFF = "off"
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


class Beep(enum.Enum):
    """Buzzer patterns: a short ok chirp, a double warning, a long error tone."""

    OK = "ok"
    WARN = "warn"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class RawScan:
    """One code as read from an input device, before any validation.

    `data` stays bytes because a scanner can send anything, including bytes that are
    not UTF-8; validation and decoding belong to the runtime.
    """

    source: str
    data: bytes
    keyed: bool = False  # typed on a keypad rather than scanned


@runtime_checkable
class CodeSource(Protocol):
    """A scanner or keypad: yields complete codes (terminator already removed)."""

    name: str

    def codes(self) -> AsyncIterator[RawScan]: ...

    def status(self) -> dict[str, Any]: ...


@runtime_checkable
class ThreadedSource(Protocol):
    """A code source that reads in a thread of its own: stop() stops and joins it.

    Sources read on the event loop (evdev, serial) release their device when their
    iteration is cancelled; a thread is not cancelled, so the owner stops it at shutdown.
    """

    def stop(self) -> None: ...


@runtime_checkable
class Printer(Protocol):
    """Prints one neutral document; raises PrinterError when it cannot."""

    name: str

    def print_document(self, doc: Document) -> None: ...

    def status(self) -> dict[str, Any]: ...


@runtime_checkable
class RawPrinter(Protocol):
    """A printer that also takes bytes rendered elsewhere: a remote station prints what its site's
    main device rendered for this printer's profile (device/site/). Raises PrinterError."""

    name: str

    def print_raw(self, data: bytes, kind: str = "document") -> None: ...


@runtime_checkable
class CellLights(Protocol):
    """One indicator per cell, addressed by light channel number."""

    def show(self, channel: int, pattern: Pattern) -> None: ...

    def clear(self) -> None: ...

    def status(self) -> dict[str, Any]: ...


@runtime_checkable
class StatusLight(Protocol):
    """The station's green/amber/red light."""

    def show(self, color: Color, pattern: Pattern = Pattern.STEADY) -> None: ...

    def status(self) -> dict[str, Any]: ...


@runtime_checkable
class Buzzer(Protocol):
    """The station's buzzer."""

    def beep(self, beep: Beep) -> None: ...

    def status(self) -> dict[str, Any]: ...


@runtime_checkable
class Screen(Protocol):
    """An optional screen: a title and a few lines, already localised, in the status light's colour
    (green: done or go on, amber: look, red: refused or a fault)."""

    def show(self, title: str, lines: list[str], *, color: Color = Color.GREEN) -> None: ...

    def status(self) -> dict[str, Any]: ...
