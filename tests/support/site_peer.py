"""The other end of a remote station for tests: a raw MQTT client playing the site's main device
(its retained status, answers to inputs, print jobs, door requests) and a real `pvz run` station."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, Literal

import msgspec

from sync.site import DoorAnswer, DoorRequest, PrintDone, PrintJob, SiteInput, SiteReply, SiteTopics
from sync.status import JSON
from sync.topics import Topics
from sync.transport import Inbound, MqttLink
from tests.support.factory import SITE
from tests.support.process import ROOT
from tests.support.site import MAIN
from workflows.messages import Msg
from workflows.outcome import Feedback, Level
from workflows.wire import feedback_data

WAIT_S = 30.0
DoorOp = Literal["describe", "read", "read_all", "pulse"]

# What the fake main device answers: the feedback of a scan it "accepted".
ACCEPTED = Feedback(Level.OK, Msg("hw_ok"))


def start_station(config: Path, log: IO[str], **environ: str) -> subprocess.Popen[str]:
    """`pvz run` on the station's config; its stdin is the stdin scanner (write a line: a scan)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), **environ}
    return subprocess.Popen(
        [sys.executable, "-m", "device.cli.main", "-v", "run", "--config", str(config)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=log,
        stderr=log,
        text=True,
    )


def scan(station: subprocess.Popen[str], code: str) -> None:
    assert station.stdin is not None
    station.stdin.write(code + "\n")
    station.stdin.flush()


def stop_station(station: subprocess.Popen[str]) -> int:
    station.terminate()
    return station.wait(20)


class FakeMain:
    """Plays the main device over the site broker; `answering` False leaves inputs unanswered."""

    def __init__(self, port: int, station_device: str, *, site: str = SITE, main: str = MAIN) -> None:
        self.site = SiteTopics(site)
        self.station_device = station_device
        self.main_status = Topics(site, main).status
        self.station_status_topic = Topics(site, station_device).status
        self.link = MqttLink(client_id=f"test-{uuid.uuid4().hex[:8]}", host="127.0.0.1", port=port)
        self.answering = True
        self.reply_fields: dict[str, Any] = {}  # further SiteReply fields of every answer (duplicate=True)
        self.inputs: list[SiteInput] = []
        self.printed: list[PrintDone] = []
        self.door_answers: dict[str, DoorAnswer] = {}
        self.station_status: dict[str, Any] = {}
        self.link.subscribe(self.site.of(station_device, "input"), self._input)
        self.link.subscribe(self.site.of(station_device, "printed"), self._printed)
        self.link.subscribe(self.site.of(station_device, "door"), self._door)
        self.link.subscribe(self.station_status_topic, self._status)
        self.up: bool | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.link.on_connect(self._reconnected)

    async def start(self) -> None:
        self.link.start(asyncio.get_running_loop())
        await self.link.wait_connected(WAIT_S)

    def stop(self) -> None:
        self.link.stop()

    async def online(self, up: bool) -> None:
        """The main device's retained status, as its own daemon (or its last will) says it; said
        again at every reconnect, as the daemon's StatusReporter does."""
        self.up = up
        body = {"online": up, "device": MAIN, "site": self.site.site, "role": "counter"}
        await self.link.publish(self.main_status, json.dumps(body), 1, True, JSON)

    def _reconnected(self, _session_present: bool) -> None:
        if self.up is not None:
            task = asyncio.get_running_loop().create_task(self.online(self.up))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _input(self, message: Inbound) -> None:
        item = msgspec.json.decode(message.payload, type=SiteInput)
        self.inputs.append(item)
        if self.answering:
            await self.reply(item, **self.reply_fields)

    async def reply(self, item: SiteInput, feedback: Feedback = ACCEPTED, **fields: Any) -> None:
        reply = SiteReply(
            id=item.id,
            station=item.station,
            level=feedback.level.value,
            feedback=feedback_data(feedback),
            **fields,
        )
        await self.link.publish(self.site.of(self.station_device, "reply"), msgspec.json.encode(reply), 1)

    async def print_job(self, job: PrintJob) -> None:
        await self.link.publish(self.site.of(self.station_device, "print"), msgspec.json.encode(job), 1)

    async def door(self, op: DoorOp, door: int | None = None) -> DoorAnswer:
        request = DoorRequest(id=uuid.uuid4().hex, op=op, door=door)
        await self.link.publish(self.site.of(self.station_device, "doors"), msgspec.json.encode(request), 1)
        await until(lambda: request.id in self.door_answers)
        return self.door_answers[request.id]

    def _printed(self, message: Inbound) -> None:
        self.printed.append(msgspec.json.decode(message.payload, type=PrintDone))

    def _door(self, message: Inbound) -> None:
        answer = msgspec.json.decode(message.payload, type=DoorAnswer)
        self.door_answers[answer.id] = answer

    def _status(self, message: Inbound) -> None:
        self.station_status = json.loads(message.payload)

    def reachable(self) -> bool | None:
        """Whether the station says its main device is reachable; None while it says nothing (offline)."""
        main = self.station_status.get("main")
        return None if main is None else bool(main["reachable"])

    def counters(self) -> dict[str, int]:
        return dict(self.station_status.get("site", {}).get("counters", {}))

    def light(self, station: str) -> tuple[str, str] | None:
        light = self.station_status.get("stations", {}).get(station, {}).get("light")
        return None if light is None else (light["color"], light["pattern"])

    def shown(self, station: str) -> dict[str, str] | None:
        shown: dict[str, str] | None = self.station_status.get("stations", {}).get(station, {}).get("shown")
        return shown

    def shown_key(self, station: str) -> str | None:
        """The message key of what the station last showed (its feedback's title)."""
        shown = self.shown(station)
        return None if shown is None else shown["key"]

    async def station_says(self, check: Callable[[FakeMain], bool], timeout: float = WAIT_S) -> None:
        """Until the station's retained status passes `check`."""
        await until(lambda: bool(self.station_status) and check(self), timeout)


async def until(check: Callable[[], bool], timeout: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("the condition never held")
        await asyncio.sleep(0.02)
