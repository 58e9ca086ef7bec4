"""The serial scale against a fake scale on a pty, the line parser, and the simulated twin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.exc import DeviceNotFound, ScaleError
from drivers.scale.protocol import Reading, Stability, format_line, parse_line
from drivers.scale.serial_scale import SerialScale
from drivers.scale.sim_scale import SimScale
from tests.support.fake_scale import FakeScale


@pytest.fixture
def fake() -> Iterator[FakeScale]:
    scale = FakeScale()
    yield scale
    scale.close()


def scale_at(path: str) -> SerialScale:
    return SerialScale(name="counter/scale0", path=path, settle_timeout_s=1.5)


def test_a_settled_weight_in_grams(fake: FakeScale) -> None:
    fake.lines = [b"ST,GS,+0001.234kg\r\n"]
    assert scale_at(fake.path).read_grams() == 1234


def test_grams_and_net_lines(fake: FakeScale) -> None:
    fake.lines = [b"ST,NT,+  850g\r\n"]
    assert scale_at(fake.path).read_grams() == 850


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        ([b"\x00\xffhello\r\n"], "scale_garbage"),
        ([b"US,GS,+0001.200kg\r\n", b"US,GS,+0001.300kg\r\n"], "scale_unstable"),
        ([b"OL,GS,+9999.999kg\r\n"], "scale_overload"),
        ([b"ST,GS,-0000.120kg\r\n"], "scale_negative"),
        ([], "scale_silent"),
    ],
)
def test_a_scale_that_gives_no_weight_is_refused_by_reason(
    fake: FakeScale, lines: list[bytes], reason: str
) -> None:
    fake.lines = lines
    with pytest.raises(ScaleError) as caught:
        scale_at(fake.path).read_grams()
    assert caught.value.reason == reason


def test_a_line_that_never_ends_is_garbage(fake: FakeScale) -> None:
    fake.lines = [b"ST" * 50]
    with pytest.raises(ScaleError) as caught:
        scale_at(fake.path).read_grams()
    assert caught.value.reason == "scale_garbage"


def test_a_scale_that_is_not_there() -> None:
    with pytest.raises(DeviceNotFound):
        scale_at("/dev/pvz-no-such-scale").read_grams()


def test_the_sim_scale_speaks_the_same_protocol() -> None:
    sim = SimScale()
    sim.put(2500)
    assert sim.read_grams() == 2500
    sim.feed([b"garbage"] * 3)
    with pytest.raises(ScaleError) as caught:
        sim.read_grams()
    assert caught.value.reason == "scale_garbage"


@given(st.integers(min_value=0, max_value=999_999), st.sampled_from(list(Stability)))
def test_lines_round_trip(grams: int, stability: Stability) -> None:
    reading = Reading(stability, grams)
    assert parse_line(format_line(reading).rstrip(b"\r\n")) == reading


@given(st.binary(max_size=40))
def test_any_bytes_are_a_reading_or_garbage(data: bytes) -> None:
    try:
        parse_line(data)
    except ScaleError as exc:
        assert exc.reason == "scale_garbage"
