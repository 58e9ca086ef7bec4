"""Key events to whole codes: Shift, Caps Lock, Alt codes, the terminator, framing and the key-gap rule."""

from __future__ import annotations

from collections.abc import Iterable

from evdev import ecodes as e

from drivers.scanner.keymaps import KEYPAD, Layout, decode

# The value of an EV_KEY event.
UP = 0
DOWN = 1
REPEAT = 2

_SHIFT = frozenset({e.KEY_LEFTSHIFT, e.KEY_RIGHTSHIFT})
_ALT = frozenset({e.KEY_LEFTALT, e.KEY_RIGHTALT})
# Ctrl and Meta combinations are commands, not text.
_NOT_TEXT = frozenset({e.KEY_LEFTCTRL, e.KEY_RIGHTCTRL, e.KEY_LEFTMETA, e.KEY_RIGHTMETA})
_MODIFIERS = _SHIFT | _ALT | _NOT_TEXT

_TERMINATORS: dict[str, frozenset[int]] = {
    "enter": frozenset({e.KEY_ENTER, e.KEY_KPENTER}),
    "tab": frozenset({e.KEY_TAB}),
}
# The key that is not the terminator stays in the code, so that a misconfigured scanner
# gives a code the runtime refuses by name instead of two codes glued or cut silently.
_CONTROL_CHARS = {e.KEY_TAB: "\t", e.KEY_ENTER: "\n", e.KEY_KPENTER: "\n"}
_KEYPAD_DIGITS = {key: plain for key, (plain, _) in KEYPAD.items() if plain.isdigit()}
# Windows Alt codes, which scanners in "Alt mode" type whatever the host layout: a leading
# 0 picks the ANSI code page, none the OEM one.
_ALT_CODE_PAGES: dict[str, tuple[str, str]] = {"us": ("cp1252", "cp437"), "ru": ("cp1251", "cp866")}


def alt_code_char(digits: str, layout: Layout) -> str | None:
    """The character Alt+keypad `digits` types on Windows, or None for Alt+0."""
    value = int(digits) % 256  # Windows keeps the low byte of larger numbers
    if value == 0:
        return None
    ansi, oem = _ALT_CODE_PAGES[layout]
    return bytes([value]).decode(ansi if digits.startswith("0") else oem, errors="replace")


class KeyboardDecoder:
    """Turns (key code, value, timestamp) events from one keyboard device into codes.

    A code is the text typed before the terminator key, with `prefix` and `suffix`
    removed when present, as UTF-8. When a key press comes more than `max_gap_ms` after
    the previous one, the partial code is dropped and the code starts again: a scanner
    types a whole code within milliseconds, so a slow key is a person or noise. 0 turns
    the limit off (a keypad, typed by hand). Autorepeat events are ignored: a scanner
    never holds a key that long, and a person holding a keypad key means it once.
    Backspace and Esc edit the partial code, for keypads. Keys that type nothing, and
    keys pressed with Ctrl or Meta held, are ignored. Pure and synchronous.
    """

    def __init__(
        self,
        *,
        layout: Layout = "us",
        terminator: str = "enter",
        prefix: str = "",
        suffix: str = "",
        max_gap_ms: int = 60,
    ) -> None:
        if layout not in _ALT_CODE_PAGES:
            raise ValueError(f"unknown keyboard layout {layout!r}; expected 'us' or 'ru'")
        if terminator not in _TERMINATORS:
            raise ValueError(f"unknown terminator {terminator!r} for a keyboard; expected 'enter' or 'tab'")
        if max_gap_ms < 0:
            raise ValueError("max_gap_ms must not be negative")
        self.layout: Layout = layout
        self.prefix = prefix
        self.suffix = suffix
        self.max_gap_s = max_gap_ms / 1000
        self._terminators = _TERMINATORS[terminator]
        self._held: set[int] = set()
        self._caps = False
        self._text: list[str] = []
        self._alt_digits = ""
        self._last_press: float | None = None
        self.codes = 0
        self.dropped = 0  # partial codes given up: key gap, Esc, unplug, lost events

    @property
    def pending(self) -> bool:
        """Whether part of a code has been typed."""
        return bool(self._text or self._alt_digits)

    @property
    def caps_lock(self) -> bool:
        return self._caps

    def feed(self, keycode: int, value: int, timestamp: float) -> bytes | None:
        """One key event (value 1 down, 0 up, 2 repeat); returns a code when one is complete."""
        if value == UP:
            self._held.discard(keycode)
            if keycode in _ALT and not self._held & _ALT and self._alt_digits:
                self._finish_alt_code()
            return None
        if value != DOWN:
            return None
        last, self._last_press = self._last_press, timestamp
        # Measured press to press: a person may hold a key long but never presses keys
        # 60 ms apart for a whole code, while a scanner always does.
        if self.max_gap_s and last is not None and timestamp - last > self.max_gap_s:
            self._drop()
        if keycode in _MODIFIERS:
            self._held.add(keycode)
            return None
        if keycode == e.KEY_CAPSLOCK:
            self._caps = not self._caps
            return None
        if keycode in self._terminators:
            return self._finish()
        if self._held & _ALT:
            if keycode in _KEYPAD_DIGITS:
                self._alt_digits += _KEYPAD_DIGITS[keycode]
            return None
        if self._held & _NOT_TEXT:
            return None
        if keycode == e.KEY_BACKSPACE:
            if self._text:
                self._text.pop()
            return None
        if keycode == e.KEY_ESC:
            self._drop()
            return None
        char = _CONTROL_CHARS.get(keycode) or decode(
            keycode, bool(self._held & _SHIFT), self._caps, self.layout
        )
        if char is not None:
            self._text.append(char)
        return None

    def reset(self) -> None:
        """Forget everything, for a device that went away: a partial code is dropped, never delivered."""
        self._drop()
        self._held.clear()
        self._caps = False
        self._last_press = None

    def resync(self, held: Iterable[int]) -> None:
        """After the kernel dropped events: drop the partial code and take the keys held now."""
        self._drop()
        self._held = {key for key in held if key in _MODIFIERS}
        self._last_press = None

    def _drop(self) -> None:
        if self.pending:
            self.dropped += 1
        self._text.clear()
        self._alt_digits = ""

    def _finish_alt_code(self) -> None:
        char = alt_code_char(self._alt_digits, self.layout)
        self._alt_digits = ""
        if char is not None:
            self._text.append(char)

    def _finish(self) -> bytes | None:
        text = "".join(self._text)
        self._text.clear()
        self._alt_digits = ""
        if self.prefix and text.startswith(self.prefix):
            text = text[len(self.prefix) :]
        if self.suffix and text.endswith(self.suffix):
            text = text[: -len(self.suffix)]
        if not text:
            return None
        self.codes += 1
        return text.encode("utf-8")
