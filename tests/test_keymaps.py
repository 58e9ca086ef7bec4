"""Tests for the key tables: known keys of the US and ЙЦУКЕН layouts, Shift, Caps Lock, the keypad."""

from __future__ import annotations

import string

import pytest
from evdev import ecodes as e

from drivers.scanner.keymaps import KEYPAD, LAYOUTS, RU, US, Layout, decode, encode

# Written out key by key, independently of the tables under test.
TOP = [e.KEY_Q, e.KEY_W, e.KEY_E, e.KEY_R, e.KEY_T, e.KEY_Y, e.KEY_U, e.KEY_I, e.KEY_O, e.KEY_P]
TOP += [e.KEY_LEFTBRACE, e.KEY_RIGHTBRACE]
HOME = [e.KEY_A, e.KEY_S, e.KEY_D, e.KEY_F, e.KEY_G, e.KEY_H, e.KEY_J, e.KEY_K, e.KEY_L]
HOME += [e.KEY_SEMICOLON, e.KEY_APOSTROPHE]
BOTTOM = [e.KEY_Z, e.KEY_X, e.KEY_C, e.KEY_V, e.KEY_B, e.KEY_N, e.KEY_M, e.KEY_COMMA, e.KEY_DOT, e.KEY_SLASH]
DIGITS = [e.KEY_1, e.KEY_2, e.KEY_3, e.KEY_4, e.KEY_5, e.KEY_6, e.KEY_7, e.KEY_8, e.KEY_9, e.KEY_0]


def typed(keys: list[int], layout: Layout, shift: bool = False, caps: bool = False) -> str:
    return "".join(decode(key, shift, caps, layout) or "?" for key in keys)


@pytest.mark.parametrize(
    ("keys", "plain", "shifted"),
    [
        (TOP, "qwertyuiop[]", "QWERTYUIOP{}"),
        (HOME, "asdfghjkl;'", 'ASDFGHJKL:"'),
        (BOTTOM, "zxcvbnm,./", "ZXCVBNM<>?"),
        (DIGITS, "1234567890", "!@#$%^&*()"),
        ([e.KEY_MINUS, e.KEY_EQUAL, e.KEY_GRAVE, e.KEY_BACKSLASH, e.KEY_SPACE], "-=`\\ ", "_+~| "),
    ],
)
def test_us_rows(keys: list[int], plain: str, shifted: str) -> None:
    assert typed(keys, "us") == plain
    assert typed(keys, "us", shift=True) == shifted


@pytest.mark.parametrize(
    ("keys", "plain", "shifted"),
    [
        (TOP, "йцукенгшщзхъ", "ЙЦУКЕНГШЩЗХЪ"),
        (HOME, "фывапролджэ", "ФЫВАПРОЛДЖЭ"),
        (BOTTOM, "ячсмитьбю.", "ЯЧСМИТЬБЮ,"),
        (DIGITS, "1234567890", '!"№;%:?*()'),
        ([e.KEY_MINUS, e.KEY_EQUAL, e.KEY_GRAVE, e.KEY_BACKSLASH, e.KEY_SPACE], "-=ё\\ ", "_+Ё/ "),
    ],
)
def test_russian_rows(keys: list[int], plain: str, shifted: str) -> None:
    assert typed(keys, "ru") == plain
    assert typed(keys, "ru", shift=True) == shifted


def test_russian_layout_has_every_cyrillic_letter_once() -> None:
    letters = [plain for plain, _ in RU.values() if plain.isalpha()]
    assert sorted(letters) == sorted("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")
    assert all(shifted == plain.upper() for plain, shifted in RU.values() if plain.isalpha())


def test_latin_letters_decode_as_cyrillic_in_the_russian_layout() -> None:
    # The documented rule: A-Z keys are what a Russian-layout host types for them.
    assert typed([e.KEY_A, e.KEY_B, e.KEY_C], "ru", shift=True) == "ФИС"


def test_us_layout_types_every_printable_ascii_character() -> None:
    chars = {c for pair in US.values() for c in pair}
    assert chars == set(string.printable) - set("\t\n\r\x0b\x0c")


@pytest.mark.parametrize("layout", ["us", "ru"])
def test_caps_lock_inverts_shift_for_letters_only(layout: Layout) -> None:
    for key, (plain, shifted) in LAYOUTS[layout].items():
        if plain.isalpha():
            assert decode(key, False, True, layout) == shifted
            assert decode(key, True, True, layout) == plain
        else:
            assert decode(key, False, True, layout) == plain
            assert decode(key, True, True, layout) == shifted


@pytest.mark.parametrize("layout", ["us", "ru"])
def test_keypad_types_the_same_in_every_layout_and_ignores_shift(layout: Layout) -> None:
    keys = [e.KEY_KP1, e.KEY_KP2, e.KEY_KP3, e.KEY_KP0, e.KEY_KPDOT, e.KEY_KPASTERISK, e.KEY_KPMINUS]
    assert typed(keys, layout) == "1230.*-"
    assert typed(keys, layout, shift=True, caps=True) == "1230.*-"
    assert decode(e.KEY_KPPLUS, False, False, layout) == "+"
    assert decode(e.KEY_KPSLASH, False, False, layout) == "/"
    assert len(KEYPAD) == 17  # ten digits and . , * - + / =


@pytest.mark.parametrize(
    "key", [e.KEY_ENTER, e.KEY_KPENTER, e.KEY_TAB, e.KEY_LEFTSHIFT, e.KEY_F1, e.KEY_ESC, 0]
)
def test_keys_that_type_nothing(key: int) -> None:
    assert decode(key, False, False, "us") is None
    assert decode(key, True, True, "ru") is None


def test_encode_is_the_inverse_of_decode() -> None:
    assert encode("Ab1!", "us") == [(e.KEY_A, True), (e.KEY_B, False), (e.KEY_1, False), (e.KEY_1, True)]
    assert encode("Жё.,№", "ru") == [
        (e.KEY_SEMICOLON, True),
        (e.KEY_GRAVE, False),
        (e.KEY_SLASH, False),
        (e.KEY_SLASH, True),
        (e.KEY_3, True),
    ]
    assert encode(" ", "us") == [(e.KEY_SPACE, False)]


@pytest.mark.parametrize(("text", "layout"), [("A", "ru"), ("@", "ru"), ("ж", "us"), ("\n", "us")])
def test_encode_refuses_what_a_layout_cannot_type(text: str, layout: Layout) -> None:
    with pytest.raises(ValueError, match="has no key for"):
        encode(text, layout)
