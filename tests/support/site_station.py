"""A remote station played by a plain MQTT client, and the main device as a real `pvz run` process.

The station daemon is another module's work; these tests of the main device speak the site protocol
(sync/site.py) themselves, byte for byte, so they also pin it down.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import IO, Any

import msgspec

from sync.site import DoorAnswer, DoorRequest, PrintDone, PrintJob, SiteInput, SiteReply, SiteTopics
from sync.topics import Topics
from sync.transport import Inbound
from tests.support.factory import DEVICE, KEY, SITE, new_engine, new_store, standard_manifest
from tests.support.process import ROOT
from tests.support.site import main_config, remote
from tests.support.stock import stock
from tests.support.sync import new_link, wait_until

WAIT_S = 30.0
REMOTES = remote("a", "pvz-a") + remote("b", "pvz-b") + remote("c", "pvz-c")


def start_main(config: Path, log: IO[str], crash: str = "") -> subprocess.Popen[str]:
    """`pvz run` of the main device; stdin is a pipe so nothing ends it but a signal (or a crash point)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PVZ_CRASH": crash}
    return subprocess.Popen(
        [sys.executable, "-m", "device.cli.main", "-v", "run", "--config", str(config)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=log,
        stderr=log,
        text=True,
    )


def main_device(directory: Path, port: int, *, site: str = "", remotes: str = REMOTES) -> Path:
    """A stocked store (stations a and b signed in, c not) and the main device's config over it."""
    directory.mkdir(parents=True)
    store = new_store(directory / "pvz.db", standard_manifest())
    stock(new_engine(store))
    with store.transaction() as conn:
        conn.execute("UPDATE parcels SET deadline = '2999-12-31'")  # today's sweep moves nothing
        conn.execute("UPDATE print_jobs SET state = 'printed'")  # the stocking's papers are out
    store.close()
    return main_config(
        directory,
        mqtt_port=port,
        remotes=remotes,
        device=DEVICE,
        key=KEY.hex(),
        mqtt="telemetry_s = 1\n",
        extra=site,
    )


def rows(db: Path, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def new_id() -> str:
    return uuid.uuid4().hex


class FakeStation:
    """A station device: sends inputs, keeps the replies, print jobs and door requests it gets."""

    def __init__(self, port: int, device: str, name: str, *, site: str = SITE) -> None:
        self.device = device
        self.name = name
        self.topics = SiteTopics(site)
        self.status_topic = Topics(site, device).status
        offline = json.dumps({"online": False}).encode()
        self.link = new_link(port, device, will=(self.status_topic, offline, 1, True))
        self.replies: dict[str, list[SiteReply]] = {}
        self.jobs: list[PrintJob] = []
        self.printed: set[int] = set()
        self.answer_prints = True
        self.doors: Any = None  # a drivers.doors Doors that answers DoorRequests, when set
        self.door_requests: list[DoorRequest] = []

    async def start(self) -> None:
        self.link.subscribe(self.topics.of(self.device, "reply"), self._on_reply)
        self.link.subscribe(self.topics.of(self.device, "print"), self._on_print)
        self.link.subscribe(self.topics.of(self.device, "doors"), self._on_doors)
        self.link.start(asyncio.get_running_loop())
        await self.link.wait_connected(10)
        await self.say_online(True)

    async def say_online(self, online: bool) -> None:
        await self.link.publish(self.status_topic, json.dumps({"online": online}).encode(), 1, True)

    async def stop(self) -> None:
        self.link.stop()

    def _on_reply(self, msg: Inbound) -> None:
        reply = msgspec.json.decode(msg.payload, type=SiteReply)
        self.replies.setdefault(reply.id, []).append(reply)

    async def _on_print(self, msg: Inbound) -> None:
        job = msgspec.json.decode(msg.payload, type=PrintJob)
        if not self.answer_prints:
            return
        if job.job not in self.printed:  # a station prints a job id once
            self.printed.add(job.job)
            self.jobs.append(job)
        done = msgspec.json.encode(PrintDone(job.job, True))
        await self.link.publish(self.topics.of(self.device, "printed"), done, 1)

    async def _on_doors(self, msg: Inbound) -> None:
        request = msgspec.json.decode(msg.payload, type=DoorRequest)
        self.door_requests.append(request)
        if self.doors is None:
            return
        answer = await asyncio.to_thread(door_answer, self.doors, request)
        await self.link.publish(self.topics.of(self.device, "door"), msgspec.json.encode(answer), 1)

    async def publish(self, payload: bytes, *, device: str | None = None) -> None:
        await self.link.publish(self.topics.of(device or self.device, "input"), payload, 1)

    async def send(
        self,
        raw: bytes | str,
        *,
        input_id: str | None = None,
        keyed: bool = False,
        age_ms: int = 0,
        station: str | None = None,
    ) -> str:
        input_id = input_id or new_id()
        data = raw.encode() if isinstance(raw, str) else raw
        body = SiteInput(input_id, station or self.name, data, keyed=keyed, age_ms=age_ms)
        await self.publish(msgspec.json.encode(body))
        return input_id

    async def reply(self, input_id: str, *, count: int = 1, timeout: float = WAIT_S) -> SiteReply:
        """The `count`-th reply to `input_id`."""
        await wait_until(
            lambda: len(self.replies.get(input_id, ())) >= count, timeout, f"reply to {input_id}"
        )
        return self.replies[input_id][count - 1]

    async def ask(self, raw: bytes | str, *, keyed: bool = False, timeout: float = WAIT_S) -> SiteReply:
        """Send until answered (the main device may still be starting), as a station does: one id."""
        input_id = new_id()
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            await self.send(raw, input_id=input_id, keyed=keyed)
            try:
                return await self.reply(input_id, timeout=1.0)
            except AssertionError:
                if asyncio.get_running_loop().time() > deadline:
                    raise


def door_answer(doors: Any, request: DoorRequest) -> DoorAnswer:
    """What a station's own door driver says to one request (drivers.doors.base.Doors)."""
    from drivers.doors.base import DoorError
    from sync.site import DoorSeen

    try:
        if request.op == "describe":
            count = doors.count()
            sensors = [doors.has_sensor(d) for d in range(count)]
            return DoorAnswer(request.id, True, count=count, sensors=sensors)
        if request.op == "pulse":
            assert request.door is not None
            doors.pulse(request.door)
            return DoorAnswer(request.id, True)
        found = doors.read_all() if request.op == "read_all" else {request.door: doors.read(request.door)}
        seen = [DoorSeen(r.door, r.state.value, r.occupied) for r in found.values()]
        return DoorAnswer(request.id, True, readings=seen)
    except DoorError as exc:
        return DoorAnswer(request.id, False, reason=getattr(exc, "reason", None), message=str(exc))
