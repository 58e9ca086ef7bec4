"""Simulated cell lights, status light, buzzer and screen that record what they were told."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from drivers.base import Beep, Color, Pattern

Clock = Callable[[], float]

# Histories are plain lists for easy assertions; the cap keeps a long-running demo or
# simulator from growing without bound.
DEFAULT_MAX_HISTORY = 10_000


def _trim(history: list[Any], limit: int) -> None:
    if len(history) > limit:
        del history[: len(history) - limit]


def _check_limit(limit: int) -> int:
    if limit < 1:
        raise ValueError(f"max_history must be at least 1, got {limit}")
    return limit


class SimCellLights:
    """One simulated indicator per cell channel; unseen channels are off."""

    def __init__(self, *, clock: Clock = time.monotonic, max_history: int = DEFAULT_MAX_HISTORY) -> None:
        self._clock = clock
        self._max_history = _check_limit(max_history)
        self._patterns: dict[int, Pattern] = {}
        self.history: list[tuple[float, int, Pattern]] = []

    def show(self, channel: int, pattern: Pattern) -> None:
        if channel < 0:
            raise ValueError(f"light channel must be >= 0, got {channel}")
        if not isinstance(pattern, Pattern):
            raise TypeError(f"pattern must be a Pattern, not {type(pattern).__name__}")
        self._patterns[channel] = pattern
        self.history.append((self._clock(), channel, pattern))
        _trim(self.history, self._max_history)

    def clear(self) -> None:
        """Turn every lit channel off, one history entry per channel turned off."""
        now = self._clock()
        for channel, pattern in sorted(self._patterns.items()):
            if pattern is not Pattern.OFF:
                self.history.append((now, channel, Pattern.OFF))
        self._patterns.clear()
        _trim(self.history, self._max_history)

    def pattern(self, channel: int) -> Pattern:
        return self._patterns.get(channel, Pattern.OFF)

    def lit(self) -> dict[int, Pattern]:
        return {ch: p for ch, p in sorted(self._patterns.items()) if p is not Pattern.OFF}

    def status(self) -> dict[str, Any]:
        return {
            "kind": "sim",
            # String keys so the dict survives a JSON round trip unchanged.
            "lit": {str(ch): p.value for ch, p in self.lit().items()},
            "changes": len(self.history),
        }


class SimStatusLight:
    """A simulated green/amber/red light tower; starts off."""

    def __init__(self, *, clock: Clock = time.monotonic, max_history: int = DEFAULT_MAX_HISTORY) -> None:
        self._clock = clock
        self._max_history = _check_limit(max_history)
        self.color = Color.OFF
        self.pattern = Pattern.OFF
        self.history: list[tuple[float, Color, Pattern]] = []

    def show(self, color: Color, pattern: Pattern = Pattern.STEADY) -> None:
        if not isinstance(color, Color) or not isinstance(pattern, Pattern):
            raise TypeError("show() takes a Color and a Pattern")
        self.color = color
        self.pattern = pattern
        self.history.append((self._clock(), color, pattern))
        _trim(self.history, self._max_history)

    @property
    def lit(self) -> bool:
        return self.color is not Color.OFF and self.pattern is not Pattern.OFF

    def status(self) -> dict[str, Any]:
        return {
            "kind": "sim",
            "color": self.color.value,
            "pattern": self.pattern.value,
            "changes": len(self.history),
        }


class SimBuzzer:
    """A simulated buzzer that counts each kind of beep."""

    def __init__(self, *, clock: Clock = time.monotonic, max_history: int = DEFAULT_MAX_HISTORY) -> None:
        self._clock = clock
        self._max_history = _check_limit(max_history)
        self.last: Beep | None = None
        self.counts: dict[Beep, int] = dict.fromkeys(Beep, 0)
        self.history: list[tuple[float, Beep]] = []

    def beep(self, beep: Beep) -> None:
        if not isinstance(beep, Beep):
            raise TypeError(f"beep must be a Beep, not {type(beep).__name__}")
        self.last = beep
        self.counts[beep] += 1
        self.history.append((self._clock(), beep))
        _trim(self.history, self._max_history)

    def status(self) -> dict[str, Any]:
        return {
            "kind": "sim",
            "last": self.last.value if self.last is not None else None,
            "counts": {b.value: n for b, n in self.counts.items()},
        }


class SimScreen:
    """A simulated small screen; `echo`, if given, receives each rendered frame as text."""

    def __init__(
        self,
        *,
        clock: Clock = time.monotonic,
        echo: Callable[[str], None] | None = None,
        max_history: int = DEFAULT_MAX_HISTORY,
    ) -> None:
        self._clock = clock
        self._echo = echo
        self._max_history = _check_limit(max_history)
        self.title = ""
        self.lines: list[str] = []
        self.color = Color.OFF
        self.history: list[tuple[float, str, list[str]]] = []

    def show(self, title: str, lines: list[str], *, color: Color = Color.GREEN) -> None:
        # Copied so a caller reusing its list cannot rewrite what was shown.
        self.title = title
        self.lines = list(lines)
        self.color = color
        self.history.append((self._clock(), title, list(lines)))
        _trim(self.history, self._max_history)
        if self._echo is not None:
            self._echo(self.render())

    def render(self) -> str:
        """The current frame as plain text: the title, then each line indented."""
        return "\n".join([f"[{self.title}]", *(f"  {line}" for line in self.lines)])

    def status(self) -> dict[str, Any]:
        return {
            "kind": "sim",
            "title": self.title,
            "lines": list(self.lines),
            "updates": len(self.history),
        }
