"""Linux key codes to characters for the US and Russian (ЙЦУКЕН) layouts, with Shift and Caps Lock.

A USB keyboard, and so a keyboard-wedge barcode scanner, sends physical key positions,
never characters; the layout is the host's table from key to character. A scanner set
to a keyboard country picks, for every character of a barcode, the key that types that
character on a host using that country's layout. So `decode` answers "what would a host
with this layout active type for this key", and that is the rule:

- "us": the standard US (ANSI) layout.
- "ru": the Russian ЙЦУКЕН layout as Windows and X11 ("ru") define it. Letter keys type
  Cyrillic (KEY_Q → й, KEY_F → а, KEY_GRAVE → ё, KEY_COMMA → б, KEY_DOT → ю); digits are
  the same keys as in US; punctuation differs: Shift+2 → ", Shift+3 → №, Shift+4 → ;,
  Shift+6 → :, Shift+7 → ?, KEY_SLASH → . and Shift+KEY_SLASH → , (the key left of the
  right Shift), KEY_BACKSLASH → \\ and Shift+KEY_BACKSLASH → /.
- The Russian layout has no Latin letters and no @ # $ ^ & [ ] { } < > | ~ ` '. Scanners
  send Latin letters as the same physical A–Z keys as in US, which a Russian-layout host
  types as Cyrillic; key codes alone cannot tell them apart, so "ru" decodes KEY_A as
  ф, just as that host would show it. A code with Latin letters needs the scanner set
  to US (and layout "us" here), which is the recommended setup for every scanner.
- Caps Lock inverts Shift for letters only (Latin in "us", Cyrillic including ё in "ru").
- Numeric keypad keys type the same characters in both layouts and ignore Shift and Num
  Lock: the daemon owns the device, so a keypad has no cursor keys to mean instead.
"""

from __future__ import annotations

from typing import Literal

from evdev import ecodes as e

Layout = Literal["us", "ru"]

KeyTable = dict[int, tuple[str, str]]


def _row(keys: list[int], plain: str, shifted: str) -> KeyTable:
    assert len(keys) == len(plain) == len(shifted)
    return {key: (p, s) for key, p, s in zip(keys, plain, shifted, strict=True)}


_DIGIT_ROW = [e.KEY_1, e.KEY_2, e.KEY_3, e.KEY_4, e.KEY_5, e.KEY_6, e.KEY_7, e.KEY_8, e.KEY_9, e.KEY_0]
_TOP_ROW = [e.KEY_Q, e.KEY_W, e.KEY_E, e.KEY_R, e.KEY_T, e.KEY_Y, e.KEY_U, e.KEY_I, e.KEY_O, e.KEY_P]
_HOME_ROW = [e.KEY_A, e.KEY_S, e.KEY_D, e.KEY_F, e.KEY_G, e.KEY_H, e.KEY_J, e.KEY_K, e.KEY_L]
_BOTTOM_ROW = [e.KEY_Z, e.KEY_X, e.KEY_C, e.KEY_V, e.KEY_B, e.KEY_N, e.KEY_M]

US: KeyTable = {
    **_row(_DIGIT_ROW, "1234567890", "!@#$%^&*()"),
    **_row([e.KEY_MINUS, e.KEY_EQUAL], "-=", "_+"),
    **_row(_TOP_ROW, "qwertyuiop", "QWERTYUIOP"),
    **_row([e.KEY_LEFTBRACE, e.KEY_RIGHTBRACE], "[]", "{}"),
    **_row(_HOME_ROW, "asdfghjkl", "ASDFGHJKL"),
    **_row([e.KEY_SEMICOLON, e.KEY_APOSTROPHE, e.KEY_GRAVE, e.KEY_BACKSLASH], ";'`\\", ':"~|'),
    **_row(_BOTTOM_ROW, "zxcvbnm", "ZXCVBNM"),
    **_row([e.KEY_COMMA, e.KEY_DOT, e.KEY_SLASH], ",./", "<>?"),
    e.KEY_SPACE: (" ", " "),
}

RU: KeyTable = {
    **_row(_DIGIT_ROW, "1234567890", '!"№;%:?*()'),
    **_row([e.KEY_MINUS, e.KEY_EQUAL], "-=", "_+"),
    **_row([*_TOP_ROW, e.KEY_LEFTBRACE, e.KEY_RIGHTBRACE], "йцукенгшщзхъ", "ЙЦУКЕНГШЩЗХЪ"),
    **_row([*_HOME_ROW, e.KEY_SEMICOLON, e.KEY_APOSTROPHE], "фывапролджэ", "ФЫВАПРОЛДЖЭ"),
    **_row([*_BOTTOM_ROW, e.KEY_COMMA, e.KEY_DOT], "ячсмитьбю", "ЯЧСМИТЬБЮ"),
    **_row([e.KEY_GRAVE, e.KEY_BACKSLASH, e.KEY_SLASH], "ё\\.", "Ё/,"),
    e.KEY_SPACE: (" ", " "),
}

KEYPAD: KeyTable = {
    **_row(
        [e.KEY_KP0, e.KEY_KP1, e.KEY_KP2, e.KEY_KP3, e.KEY_KP4, e.KEY_KP5, e.KEY_KP6, e.KEY_KP7, e.KEY_KP8],
        "012345678",
        "012345678",
    ),
    **_row(
        [e.KEY_KP9, e.KEY_KPDOT, e.KEY_KPCOMMA, e.KEY_KPASTERISK, e.KEY_KPMINUS, e.KEY_KPPLUS, e.KEY_KPSLASH],
        "9.,*-+/",
        "9.,*-+/",
    ),
    e.KEY_KPEQUAL: ("=", "="),
}

LAYOUTS: dict[str, KeyTable] = {"us": US, "ru": RU}


def decode(keycode: int, shift: bool, caps: bool, layout: Layout = "us") -> str | None:
    """The character a key types, or None for a key that types none (Enter, F1, Shift…)."""
    pair = LAYOUTS[layout].get(keycode) or KEYPAD.get(keycode)
    if pair is None:
        return None
    plain, shifted = pair
    if caps and plain.isalpha():
        shift = not shift
    return shifted if shift else plain


def _reverse(table: KeyTable) -> dict[str, tuple[int, bool]]:
    keys: dict[str, tuple[int, bool]] = {}
    for keycode, (plain, shifted) in table.items():
        # setdefault: the first key listed wins, so space stays unshifted.
        keys.setdefault(plain, (keycode, False))
        keys.setdefault(shifted, (keycode, True))
    return keys


_KEYS_FOR = {name: _reverse(table) for name, table in LAYOUTS.items()}


def encode(text: str, layout: Layout = "us") -> list[tuple[int, bool]]:
    """The keys (key code, with Shift) that type `text` with Caps Lock off; main keys, not the keypad.

    The inverse of `decode`, for tests and for harnesses that play a scanner; raises
    ValueError for a character the layout cannot type.
    """
    keys = _KEYS_FOR[layout]
    try:
        return [keys[char] for char in text]
    except KeyError as exc:
        raise ValueError(f"layout {layout!r} has no key for {exc.args[0]!r}") from None
