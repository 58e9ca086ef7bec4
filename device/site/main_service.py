"""The site main device's service to its remote stations: inputs in, answers out (docs/site.md).

Each input is checked (whose it is, how old, whether the runtime reads inputs now) and then decided
by `Runtime.process` on the daemon's loop, so it is serialized with local scans, one at a time,
in the same transaction as any scan; the answer is written with the decision (remote_inputs), so a
retried input is answered from the store and never decided twice. A bad payload never stops the
daemon: it is dropped, or refused when its id can be read.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from datetime import UTC, timedelta
from functools import partial
from typing import Any, Protocol

import msgspec

from device.config_schema import Config, RemoteStation
from device.decode import decode
from device.doors.controller import DoorController
from device.engine import Engine, Result
from device.exc import InputError
from device.site.calls import SiteCalls
from device.site.presence import Presence
from device.site.remote_doors import RemoteDoors
from device.site.remote_printer import RemotePrinter
from device.station_io import StationIO
from device.store import remote_inputs
from device.store.print_queue import PrintQueue
from device.store.remote_inputs import RemoteInput
from sync.site import (
    MAX_DOOR_BYTES,
    MAX_INPUT_BYTES,
    DoorAnswer,
    InputId,
    PrintDone,
    SiteInput,
    SiteReply,
    SiteTopics,
)
from sync.transport import Inbound, MqttLink
from workflows.messages import Msg
from workflows.outcome import Feedback, Level
from workflows.wire import feedback_data

log = logging.getLogger("pvz.site")

PRUNE_EVERY_S = 3600.0  # how often answers older than [site] keep_answers_h are forgotten


class Deciding(Protocol):
    """What of the runtime (device/runtime.py) the service uses; a protocol, so no import cycle."""

    stations: dict[str, StationIO]
    doors: DoorController | None
    lang: str
    engine: Engine
    prints: PrintQueue

    def process(
        self, station: str, raw: bytes | str, *, keyed: bool = False, remote: RemoteInput | None = None
    ) -> Result: ...

    def lang_of(self, station: str) -> str: ...

    def wake_printing(self) -> None: ...

    def accepting(self) -> bool: ...


class _Id(msgspec.Struct):
    """Only the id of an input that cannot be read whole: enough to tell the station it was refused."""

    id: InputId


class SiteMain:
    """Created by device/uplink/service.py on the main device's link when [site] stations is set."""

    def __init__(self, runtime: Deciding, config: Config, link: MqttLink) -> None:
        self.runtime = runtime
        self.link = link
        self.topics = SiteTopics(config.device.site)
        self.by_device: dict[str, RemoteStation] = {st.device: st for st in config.site.stations}
        self.by_name: dict[str, RemoteStation] = {st.name: st for st in config.site.stations}
        self.window_s = config.site.replay_window_s
        self.keep = timedelta(hours=config.site.keep_answers_h)
        self.presence = Presence(config.device.site, self.by_device, on_online=self._back)
        self.calls = SiteCalls()
        self.counters: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()
        self.pruned = 0
        self._attach()  # now: the printing starts before run(), and a job waits for the link

    def subscribe(self) -> None:
        """Before the link starts, so every subscription is made on each (re)connect."""
        # QoS 0 on purpose: the broker keeps nothing for a main device that is down, so no input sent
        # meanwhile is decided late after a restart; the station's own resends (same id, within its
        # window) are what carries an input through a lost packet or a reconnect.
        self.link.subscribe(self.topics.every("input"), self._on_input, qos=0)
        self.link.subscribe(self.topics.every("printed"), self._on_printed)
        self.link.subscribe(self.topics.every("door"), self._on_door)
        self.presence.subscribe(self.link)

    def online(self, station: str) -> bool | None:
        """Whether the remote station's device is up (its retained status); None: not heard yet."""
        st = self.by_name.get(station)
        return None if st is None else self.presence.online(st.device)

    def _back(self, device: str) -> None:
        """A station device came (back) online: its queued jobs are tried now, not at the backoff's end."""
        st = self.by_device.get(device)
        if st is not None and self.runtime.prints.retry_now(st.name):
            log.info("station %s is back: its queued print jobs are sent again", st.name)
            self.runtime.wake_printing()

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop`: the print jobs and door requests may go out; old answers pruned hourly."""
        self.calls.start(self.link, asyncio.get_running_loop())
        try:
            while not stop.is_set():
                self.prune()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), PRUNE_EVERY_S)
        finally:
            self.calls.stop()

    def _attach(self) -> None:
        """The remote stations' printers and the station-driven doors (built by wiring) get the calls."""
        for io in self.runtime.stations.values():
            if isinstance(io.printer, RemotePrinter):
                st = self.by_name.get(io.name)
                device = io.printer.device if st is None else st.device
                io.printer.attach(self.calls, partial(self.presence.online, device))
        if self.runtime.doors is not None and isinstance(self.runtime.doors.doors, RemoteDoors):
            self.runtime.doors.doors.attach(self.calls)

    def prune(self) -> int:
        before = (self.runtime.engine.clock().astimezone(UTC) - self.keep).isoformat(timespec="seconds")
        gone = remote_inputs.prune(self.runtime.engine.store, before)
        self.pruned += gone
        return gone

    # Inputs.

    async def _on_input(self, msg: Inbound) -> None:
        where = self.topics.parse(msg.topic)
        if where is None:
            return
        device = where[0]
        try:
            inp = decode(msg.payload, SiteInput, max_bytes=MAX_INPUT_BYTES, what="site input")
        except InputError as exc:
            input_id = _readable_id(msg.payload)
            if input_id is None:
                self.counters["bad_payloads"] += 1
                log.warning("site input from %s dropped: %s at %s", device, exc.reason, exc.path)
                return
            log.warning("site input %s from %s refused: %s at %s", input_id, device, exc.reason, exc.path)
            await self._refuse(device, input_id, "", "bad_input")
            return
        reason = self._check(device, inp, msg.received_at)
        if reason is not None:
            log.warning("site input %s from %s for %s refused: %s", inp.id, device, inp.station, reason)
            await self._refuse(device, inp.id, inp.station, reason)
            return
        try:
            result = self.runtime.process(
                inp.station, inp.raw, keyed=inp.keyed, remote=RemoteInput(inp.id, device)
            )
        except Exception:
            # Not answered: the station sends it again within its window, and it is decided then.
            self.counters["failed"] += 1
            log.exception("site input %s from %s: unexpected error", inp.id, device)
            return
        self.counters["duplicates_suppressed" if result.duplicate else "remote_inputs"] += 1
        await self._send(device, self._reply(inp, result))

    def _check(self, device: str, inp: SiteInput, received_at: float) -> str | None:
        """Why this input may not be decided (a REFUSALS code), or None."""
        station = self.by_device.get(device)
        if station is None:
            return "unknown_station"
        if inp.station != station.name:
            return "not_your_station"
        waited_ms = max(0.0, time.monotonic() - received_at) * 1000 if received_at else 0.0
        if inp.age_ms + waited_ms > self.window_s * 1000:
            return "too_old"
        if not self.runtime.accepting():  # starting, or stopping for the last prints
            return "not_ready"
        return None

    def _reply(self, inp: SiteInput, result: Result) -> SiteReply:
        lang = self.runtime.lang_of(inp.station)
        feedback = result.feedback
        return SiteReply(
            id=inp.id,
            station=inp.station,
            level=feedback.level.value,
            feedback=feedback_data(feedback),
            title=feedback.msg.render(lang),
            lines=[m.render(lang) for m in feedback.details],
            duplicate=result.duplicate,
            changed=result.changed,
            jobs=list(result.jobs),
            lit=[] if result.session is None else sorted(result.session.lights),
        )

    async def _refuse(self, device: str, input_id: str, station: str, reason: str) -> None:
        self.refused[reason] += 1
        feedback = Feedback(Level.ERROR, Msg(f"site_refused_{reason}"))
        lang = self.runtime.lang_of(station) if station in self.by_name else self.runtime.lang
        reply = SiteReply(
            id=input_id,
            station=station,
            level=feedback.level.value,
            feedback=feedback_data(feedback),
            title=feedback.msg.render(lang),
            refused=reason,
        )
        await self._send(device, reply)

    async def _send(self, device: str, reply: SiteReply) -> None:
        try:
            await self.link.publish(self.topics.of(device, "reply"), msgspec.json.encode(reply), qos=1)
        except ConnectionError as exc:
            # The station asks again with the same id; the answer is kept in the store.
            self.counters["replies_failed"] += 1
            log.warning("site reply %s to %s not sent: %s", reply.id, device, exc)

    # Answers to the main device's own requests (remote_printer, remote_doors).

    def _on_printed(self, msg: Inbound) -> None:
        where = self.topics.parse(msg.topic)
        if where is None:
            return
        try:
            done = decode(msg.payload, PrintDone, max_bytes=MAX_INPUT_BYTES, what="print done")
        except InputError as exc:
            self.counters["bad_payloads"] += 1
            log.warning("print answer from %s dropped: %s at %s", where[0], exc.reason, exc.path)
            return
        if not self.calls.answer(f"print:{where[0]}:{done.job}", done):
            self.counters["late_answers"] += 1

    def _on_door(self, msg: Inbound) -> None:
        where = self.topics.parse(msg.topic)
        if where is None:
            return
        try:
            answer = decode(msg.payload, DoorAnswer, max_bytes=MAX_DOOR_BYTES, what="door answer")
        except InputError as exc:
            self.counters["bad_payloads"] += 1
            log.warning("door answer from %s dropped: %s at %s", where[0], exc.reason, exc.path)
            return
        if not self.calls.answer(f"door:{where[0]}:{answer.id}", answer):
            self.counters["late_answers"] += 1

    def status(self) -> dict[str, Any]:
        """The runtime's `site` object (telemetry, the demo): stations, counters, refusals."""
        return {
            "stations": {
                st.name: {"device": st.device, "online": self.presence.online(st.device)}
                for st in self.by_name.values()
            },
            "remote_inputs": self.counters["remote_inputs"],
            "duplicates_suppressed": self.counters["duplicates_suppressed"],
            "refused": dict(self.refused),
            "bad_payloads": self.counters["bad_payloads"],
            "replies_failed": self.counters["replies_failed"],
            "failed": self.counters["failed"],
            "late_answers": self.counters["late_answers"],
            "answers_pruned": self.pruned,
        }


def _readable_id(payload: bytes) -> str | None:
    """The input's id when the rest of it cannot be read (a bad field): its refusal can be addressed."""
    try:
        return decode(payload, _Id, max_bytes=MAX_INPUT_BYTES).id
    except InputError:
        return None
