"""Tests for the key-event decoder: round trips over both layouts, Caps Lock, key gaps, framing, Alt codes."""

from __future__ import annotations

import string

import pytest
from evdev import ecodes as e
from hypothesis import given
from hypothesis import strategies as st

from drivers.scanner.keyboard_decoder import DOWN, REPEAT, UP, KeyboardDecoder, alt_code_char
from drivers.scanner.keymaps import Layout, encode

Event = tuple[int, int, float]
STEP = 0.002  # 2 ms between key events, as a USB scanner types

US_CHARS = string.digits + string.ascii_letters + string.punctuation + " "
RU_LETTERS = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
RU_CHARS = RU_LETTERS + RU_LETTERS.upper() + string.digits + ' -=_+!"№;%:?*().,/\\'


class Keys:
    """Plays a scanner: the key events that type text, each STEP after the last (the inverse encoder)."""

    def __init__(self, layout: Layout = "us", start: float = 1000.0) -> None:
        self.layout: Layout = layout
        self.t = start
        self.events: list[Event] = []
        self.caps = False

    def key(self, code: int, value: int = DOWN) -> Keys:
        self.events.append((code, value, self.t))
        self.t += STEP
        return self

    def tap(self, code: int) -> Keys:
        return self.key(code, DOWN).key(code, UP)

    def text(self, text: str, shift_keys: list[bool] | None = None) -> Keys:
        for i, (code, shifted) in enumerate(encode(text, self.layout)):
            shift = shifted != (self.caps and text[i].isalpha())
            right = bool(shift_keys and shift_keys[i % len(shift_keys)])
            shift_key = e.KEY_RIGHTSHIFT if right else e.KEY_LEFTSHIFT
            if shift:
                self.key(shift_key, DOWN)
            self.tap(code)
            if shift:
                self.key(shift_key, UP)
        return self

    def caps_lock(self) -> Keys:
        self.caps = not self.caps
        return self.tap(e.KEY_CAPSLOCK)

    def enter(self) -> Keys:
        return self.tap(e.KEY_ENTER)

    def pause(self, ms: float) -> Keys:
        self.t += ms / 1000
        return self

    def code(self, text: str) -> Keys:
        return self.text(text).enter()


def run(decoder: KeyboardDecoder, events: list[Event]) -> list[str]:
    out = []
    for code, value, t in events:
        result = decoder.feed(code, value, t)
        if result is not None:
            out.append(result.decode("utf-8"))
    return out


@given(st.text(alphabet=US_CHARS, min_size=1, max_size=60), st.lists(st.booleans(), min_size=1, max_size=5))
def test_any_us_text_round_trips(text: str, shift_keys: list[bool]) -> None:
    assert run(KeyboardDecoder(), Keys("us").text(text, shift_keys).enter().events) == [text]


@given(st.text(alphabet=RU_CHARS, min_size=1, max_size=60), st.lists(st.booleans(), min_size=1, max_size=5))
def test_any_russian_text_round_trips(text: str, shift_keys: list[bool]) -> None:
    keys = Keys("ru").text(text, shift_keys).enter()
    assert run(KeyboardDecoder(layout="ru"), keys.events) == [text]


@given(st.sampled_from(["us", "ru"]), st.data())
def test_caps_lock_on_gives_the_same_text(layout: Layout, data: st.DataObject) -> None:
    text = data.draw(st.text(alphabet=US_CHARS if layout == "us" else RU_CHARS, min_size=1, max_size=40))
    keys = Keys(layout).caps_lock().text(text).enter()
    decoder = KeyboardDecoder(layout=layout)
    assert run(decoder, keys.events) == [text]
    assert decoder.caps_lock
    # Toggled off again: plain typing again.
    again = Keys(layout, start=keys.t)
    again.caps = True
    assert run(decoder, again.caps_lock().text(text).enter().events) == [text]
    assert not decoder.caps_lock


@given(st.lists(st.text(alphabet=US_CHARS, min_size=1, max_size=20), min_size=1, max_size=8))
def test_codes_in_a_row_come_out_one_each(texts: list[str]) -> None:
    keys = Keys()
    for text in texts:
        keys.code(text).pause(20)
    assert run(KeyboardDecoder(), keys.events) == texts


@given(
    st.text(alphabet=US_CHARS, min_size=1, max_size=20),
    st.text(alphabet=US_CHARS, min_size=1, max_size=20),
    st.integers(min_value=61, max_value=100_000),
)
def test_a_slow_key_drops_the_partial_code_and_starts_over(first: str, second: str, gap_ms: int) -> None:
    keys = Keys().text(first).pause(gap_ms).text(second).enter()
    decoder = KeyboardDecoder(max_gap_ms=60)
    assert run(decoder, keys.events) == [second]
    assert decoder.dropped == 1


@given(
    st.text(alphabet=US_CHARS, min_size=1, max_size=20), st.text(alphabet=US_CHARS, min_size=1, max_size=20)
)
def test_gaps_within_the_limit_keep_the_code(first: str, second: str) -> None:
    # 40 ms of pause plus up to 10 ms of key events since the last press stays under 60 ms.
    keys = Keys().text(first).pause(40).text(second).enter()
    assert run(KeyboardDecoder(max_gap_ms=60), keys.events) == [first + second]


def test_gap_is_measured_press_to_press() -> None:
    # A person holds a key 100 ms and presses the next one right after releasing it: the
    # release-to-press gap is short, the press-to-press gap is not.
    person = Keys().key(e.KEY_1).pause(100).key(e.KEY_1, UP).tap(e.KEY_2).enter()
    assert run(KeyboardDecoder(), person.events) == ["2"]
    scanner = Keys().tap(e.KEY_1).tap(e.KEY_2).enter()
    assert run(KeyboardDecoder(), scanner.events) == ["12"]


def test_a_slow_enter_delivers_nothing() -> None:
    keys = Keys().text("12345").pause(200).enter()
    assert run(KeyboardDecoder(), keys.events) == []


@given(st.text(alphabet=string.digits, min_size=1, max_size=12), st.integers(min_value=0, max_value=60_000))
def test_a_keypad_has_no_gap_limit(digits: str, gap_ms: int) -> None:
    keys = Keys()
    for digit in digits:
        keys.pause(gap_ms).tap(getattr(e, f"KEY_KP{digit}"))
    keys.pause(gap_ms).tap(e.KEY_KPENTER)
    assert run(KeyboardDecoder(max_gap_ms=0), keys.events) == [digits]


@given(
    st.text(alphabet=US_CHARS, max_size=4),
    st.text(alphabet=US_CHARS, min_size=1, max_size=20),
    st.text(alphabet=US_CHARS, max_size=4),
)
def test_prefix_and_suffix_are_stripped_when_present(prefix: str, body: str, suffix: str) -> None:
    decoder = KeyboardDecoder(prefix=prefix, suffix=suffix)
    framed = Keys().code(prefix + body + suffix).events
    assert run(decoder, framed) == [body]


def test_prefix_and_suffix_absent_leave_the_code_alone() -> None:
    decoder = KeyboardDecoder(prefix="]C1", suffix="#")
    assert run(decoder, Keys().code("4601234567893").events) == ["4601234567893"]
    assert run(decoder, Keys(start=2000).code("]C1#").events) == []  # nothing left: not a code


def test_empty_codes_are_not_delivered() -> None:
    assert run(KeyboardDecoder(), Keys().enter().enter().events) == []


def test_tab_terminator_and_enter_inside_the_code() -> None:
    keys = Keys().text("AB").tap(e.KEY_TAB).text("C").enter().text("D").tap(e.KEY_TAB)
    assert run(KeyboardDecoder(terminator="tab"), keys.events) == ["AB", "C\nD"]
    with_enter = Keys().text("AB").tap(e.KEY_TAB).text("C").enter()
    assert run(KeyboardDecoder(terminator="enter"), with_enter.events) == ["AB\tC"]


def test_keypad_enter_ends_a_code() -> None:
    assert run(KeyboardDecoder(), Keys().text("42").tap(e.KEY_KPENTER).events) == ["42"]


def test_autorepeat_and_unknown_keys_are_ignored() -> None:
    keys = Keys().key(e.KEY_A).key(e.KEY_A, REPEAT).key(e.KEY_A, REPEAT).key(e.KEY_A, UP)
    keys.tap(e.KEY_F5).tap(e.KEY_UP).tap(e.KEY_NUMLOCK).text("b").enter()
    assert run(KeyboardDecoder(), keys.events) == ["ab"]


def test_ctrl_and_meta_combinations_type_nothing() -> None:
    keys = Keys().text("a").key(e.KEY_LEFTCTRL).tap(e.KEY_V).key(e.KEY_LEFTCTRL, UP)
    keys.key(e.KEY_RIGHTMETA).tap(e.KEY_L).key(e.KEY_RIGHTMETA, UP).text("b").enter()
    assert run(KeyboardDecoder(), keys.events) == ["ab"]


def test_backspace_and_escape_edit_a_typed_code() -> None:
    keys = Keys().text("129").tap(e.KEY_BACKSPACE).text("3").enter()
    keys.text("77").tap(e.KEY_ESC).text("5").enter().tap(e.KEY_BACKSPACE).enter()
    decoder = KeyboardDecoder(max_gap_ms=0)
    assert run(decoder, keys.events) == ["123", "5"]
    assert decoder.dropped == 1


def alt_code(keys: Keys, digits: str) -> Keys:
    keys.key(e.KEY_LEFTALT)
    for digit in digits:
        keys.tap(getattr(e, f"KEY_KP{digit}"))
    return keys.key(e.KEY_LEFTALT, UP)


def test_alt_codes_type_characters_whatever_the_layout() -> None:
    keys = alt_code(alt_code(Keys().text("01"), "029"), "065").text("5")
    keys = alt_code(alt_code(keys, "0192"), "128").enter()
    assert run(KeyboardDecoder(layout="ru"), keys.events) == ["01\x1dA5АА"]
    assert run(KeyboardDecoder(layout="us"), keys.events) == ["01\x1dA5ÀÇ"]


def test_alt_code_values() -> None:
    assert alt_code_char("0", "us") is None
    assert alt_code_char("321", "us") == "A"  # the low byte, as Windows does
    assert alt_code_char("0129", "us") == "\ufffd"  # a hole in cp1252


def test_reset_drops_a_half_code_and_forgets_modifiers() -> None:
    decoder = KeyboardDecoder()
    half = Keys().caps_lock().key(e.KEY_LEFTSHIFT).text("half")
    assert run(decoder, half.events) == []
    assert decoder.pending
    decoder.reset()
    assert not decoder.pending
    assert not decoder.caps_lock
    assert decoder.dropped == 1
    assert run(decoder, Keys(start=half.t).code("whole").events) == ["whole"]


def test_resync_takes_the_keys_held_now() -> None:
    decoder = KeyboardDecoder()
    run(decoder, Keys().text("par").events)
    decoder.resync([e.KEY_LEFTSHIFT, e.KEY_A])
    assert not decoder.pending
    # Shift is still held after the lost events, so the next letter is upper case.
    assert run(decoder, Keys(start=2000).tap(e.KEY_B).enter().events) == ["B"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"layout": "de"}, "layout"),
        ({"terminator": "cr"}, "terminator"),
        ({"max_gap_ms": -1}, "negative"),
    ],
)
def test_bad_settings_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        KeyboardDecoder(**kwargs)  # type: ignore[arg-type]
