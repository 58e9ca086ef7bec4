"""A remote station's inputs in one process, the link replaced by a list (device/site_station/inputs.py):
an input queued past the window is never sent, the main device lost with inputs queued refuses them
together, and the watchdog's measure counts only an input nobody carries."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Coroutine
from typing import Any

from device.site_station.inputs import StationInputs
from device.station_io import StationIO
from drivers.base import Color, Pattern, RawScan
from drivers.lights.sim_lights import SimBuzzer, SimScreen, SimStatusLight
from sync.site import SiteInput, SiteReply
from workflows.messages import Msg
from workflows.outcome import Feedback, Level
from workflows.wire import feedback_data


class Link:
    def __init__(self) -> None:
        self.sent: list[SiteInput] = []
        self.up = True

    async def send(self, message: SiteInput) -> None:
        self.sent.append(message)


class Parts:
    """The station's simulated light and screen, read back by the tests."""

    def __init__(self) -> None:
        self.light = SimStatusLight()
        self.screen = SimScreen()


def station() -> tuple[Parts, StationInputs, Link]:
    io = Parts()
    parts = StationIO("c", status_light=io.light, buzzer=SimBuzzer(), screen=io.screen)
    link = Link()
    inputs = StationInputs(
        {"c": parts},
        lang_of=lambda _: "en",
        send=link.send,
        main_up=lambda: link.up,
        reply_wait_s=0.05,
        replay_window_s=0.4,
    )
    return io, inputs, link


async def running(inputs: StationInputs, body: Coroutine[Any, Any, None]) -> None:
    task = asyncio.create_task(inputs.run())
    try:
        await body
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def test_an_input_queued_past_the_window_is_given_up_unsent() -> None:
    io, inputs, link = station()

    async def body() -> None:
        inputs.main_changed()
        inputs.read("c", RawScan("s", b"FIRST"))
        inputs.read("c", RawScan("s", b"SECOND"))  # waits behind FIRST, never answered
        while inputs.figures.counters["given_up"] < 2:
            await asyncio.sleep(0.01)

    asyncio.run(running(inputs, body()))
    assert {m.raw for m in link.sent} == {b"FIRST"}
    assert [m.attempt for m in link.sent] == list(range(1, len(link.sent) + 1))
    assert inputs.figures.counters["waited"] == 1
    assert io.screen.title == "Not done: the main device did not answer"
    assert (io.light.color, io.light.pattern) == (
        Color.RED,
        Pattern.BLINK,
    )


def test_the_main_device_lost_refuses_the_queued_inputs_together_and_an_answer_still_shows() -> None:
    io, inputs, link = station()
    feedback = Feedback(Level.OK, Msg("hw_ok"))

    async def body() -> None:
        inputs.main_changed()
        for code in (b"A", b"B", b"C"):
            inputs.read("c", RawScan("s", code))
        while not link.sent:
            await asyncio.sleep(0.01)
        link.up = False
        inputs.main_changed()
        assert inputs.figures.counters["refused_while_main_down"] == 2
        assert io.screen.lines[0] == "2 scans were not done: scan them again"
        # The one in flight is still answered by its id when the answer comes.
        first = link.sent[0]
        inputs.answer(SiteReply(id=first.id, station="c", level="ok", feedback=feedback_data(feedback)))
        while inputs.figures.counters["answered"] < 1:
            await asyncio.sleep(0.01)
        assert inputs.input_wait_s() == 0.0

    asyncio.run(running(inputs, body()))
    assert [m.raw for m in link.sent] == [b"A"]
    assert io.screen.title == "Hardware OK"
    assert inputs.figures.counters["inputs"] == 3 and inputs.figures.latency_status()["n"] == 1


def test_the_watchdog_counts_an_input_nobody_carries() -> None:
    _, inputs, _ = station()
    inputs.read("c", RawScan("s", b"A"))  # no worker runs: queued, carried by nobody
    assert inputs.input_wait_s() >= 0.0
    inputs.clock = lambda: 1e9
    assert inputs.input_wait_s() > 1000
