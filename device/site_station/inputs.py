"""A remote station's inputs carried to the site's main device and its answers shown (docs/site.md).

Every scan gets an id and waits in its station's FIFO; one input per station is in flight at a
time (a session is sequential). Nothing is shown green unless the main device answered:

- no answer within `reply_wait_s`: amber, "waiting for the main device", the same input (same id,
  attempt + 1) sent again every `reply_wait_s`; the main device de-duplicates it by its id;
- no answer within `replay_window_s` of its read: given up, red, the clerk told to scan again;
  an input that waited in the FIFO that long is given up the same way and never sent;
- the main device offline (its retained status) or the site broker unreachable: every input is
  refused at once, and the status light keeps the "no main device" pattern until it is back.

Everything here runs on the daemon's one loop; publishing goes through `send` (the MQTT link).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from device.site_station.figures import Figures
from device.site_station.shows import Shows
from device.station_io import StationIO
from drivers.base import RawScan
from sync.site import SiteInput, SiteReply
from workflows.messages import Msg
from workflows.outcome import Feedback, Level
from workflows.wire import feedback_from

log = logging.getLogger("pvz.site.station")

REMEMBER_GIVEN_UP = 64  # given-up ids whose late answer is still shown: the truth wins

Send = Callable[[SiteInput], Awaitable[None]]


@dataclass
class Pending:
    """One input on its way: read at `read_at` (monotonic), sent `attempt` times so far."""

    id: str
    station: str
    raw: bytes
    keyed: bool
    read_at: float
    attempt: int = 0
    waited: bool = False


class StationInputs:
    def __init__(
        self,
        stations: dict[str, StationIO],
        *,
        lang_of: Callable[[str], str],
        send: Send,
        main_up: Callable[[], bool],
        reply_wait_s: float,
        replay_window_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stations = stations
        self.lang_of = lang_of
        self.send = send
        self.main_up = main_up
        self.reply_wait_s = reply_wait_s
        self.replay_window_s = replay_window_s
        self.clock = clock
        self.figures = Figures()
        self.shows = Shows(stations, lang_of=lang_of, main_up=main_up)
        # Told an input's id once it has waited reply_wait_s, and again when it no longer waits
        # (answered or given up): the screen's link banner (device/site/station_screen_link.py).
        self.waiting: list[Callable[[str], None]] = []
        self.settled: list[Callable[[str], None]] = []
        self._queues: dict[str, deque[Pending]] = {name: deque() for name in stations}
        self._wakeups: dict[str, asyncio.Event] = {}
        self._flight: dict[str, tuple[Pending, asyncio.Future[SiteReply]]] = {}
        self._given_up: OrderedDict[str, str] = OrderedDict()  # id → station
        self._sends: set[asyncio.Task[None]] = set()
        self._main_shown_up: bool | None = None  # what the stations last showed of the main device

    # --- inputs in -------------------------------------------------------------------------

    def read(self, station: str, scan: RawScan) -> None:
        """A scan just read at `station`: refused at once while the main device is unreachable,
        else queued behind the station's earlier inputs."""
        self.figures.count("inputs")
        item = Pending(uuid.uuid4().hex, station, scan.data, scan.keyed, self.clock())
        if not self.main_up():
            self._refuse([item])
            return
        self._queues[station].append(item)
        wakeup = self._wakeups.get(station)
        if wakeup is not None:
            wakeup.set()

    async def run(self) -> None:
        """One worker per station until cancelled: its FIFO, one input in flight."""
        workers = [
            asyncio.create_task(self._serve(name), name=f"site-inputs:{name}") for name in self.stations
        ]
        try:
            await asyncio.gather(*workers)
        finally:
            for task in [*workers, *self._sends]:
                task.cancel()
            for task in [*workers, *self._sends]:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _serve(self, station: str) -> None:
        wakeup = self._wakeups.setdefault(station, asyncio.Event())
        queue = self._queues[station]
        while True:
            if not queue:
                wakeup.clear()
                await wakeup.wait()
                continue
            item = queue.popleft()
            try:
                if self.clock() - item.read_at >= self.replay_window_s:
                    self._give_up(item)  # waited in the FIFO past the window: never sent
                elif not self.main_up():
                    self._refuse([item])
                else:
                    await self._carry(item)
            except Exception:
                log.exception("station %s: unexpected error carrying an input", station)

    async def _carry(self, item: Pending) -> None:
        """Send, wait, send again every reply_wait_s, give up at the window; show what came."""
        answer: asyncio.Future[SiteReply] = asyncio.get_running_loop().create_future()
        self._flight[item.station] = (item, answer)
        try:
            while True:
                age = self.clock() - item.read_at
                if age >= self.replay_window_s:
                    self._give_up(item)
                    return
                # No send the main device would refuse as too old before its answer could come.
                if self.main_up() and (item.attempt == 0 or age + self.reply_wait_s < self.replay_window_s):
                    self._send(item, age)
                wait = min(self.reply_wait_s, self.replay_window_s - age)
                try:
                    reply = await asyncio.wait_for(asyncio.shield(answer), wait)
                except TimeoutError:
                    if not item.waited:
                        item.waited = True
                        self.figures.count("waited")
                        self.shows.waiting(item.station)
                        self._tell(self.waiting, item.id)
                    continue
                self._show_reply(item, reply)
                return
        finally:
            self._flight.pop(item.station, None)
            if item.waited:
                self._tell(self.settled, item.id)

    def _tell(self, listeners: list[Callable[[str], None]], input_id: str) -> None:
        for listener in list(listeners):
            try:
                listener(input_id)
            except Exception:
                log.exception("a watcher of input %s failed", input_id)

    def _send(self, item: Pending, age_s: float) -> None:
        item.attempt += 1
        message = SiteInput(
            id=item.id,
            station=item.station,
            raw=item.raw,
            keyed=item.keyed,
            age_ms=min(86_400_000, int(age_s * 1000)),
            attempt=min(10_000, item.attempt),
        )
        self.figures.count("sent")
        task = asyncio.create_task(self._publish(message))
        self._sends.add(task)
        task.add_done_callback(self._sends.discard)

    async def _publish(self, message: SiteInput) -> None:
        try:
            await self.send(message)
        except (ConnectionError, OSError, ValueError) as exc:  # the next attempt or the window handles it
            log.warning("station %s: input %s not sent: %s", message.station, message.id, exc)

    # --- answers in ------------------------------------------------------------------------

    def answer(self, reply: SiteReply) -> None:
        """The main device's answer to one input: matched by its id to the input in flight."""
        flight = self._flight.get(reply.station)
        if flight is not None and flight[0].id == reply.id:
            if not flight[1].done():
                flight[1].set_result(reply)
            return
        if self._given_up.get(reply.id) == reply.station and reply.refused is None:
            # Decided after all, after the clerk was told it was not: show what was done.
            del self._given_up[reply.id]
            self.figures.count("late_answers")
            self.shows.show(reply.station, self._feedback(reply))
            self.figures.count("answered")
            return
        self.figures.count("stray_replies")

    def _show_reply(self, item: Pending, reply: SiteReply) -> None:
        self.figures.count("answered")
        if reply.duplicate:
            self.figures.count("duplicates")
        if reply.refused is not None:
            self.figures.refused(reply.refused)
        self.shows.show(item.station, self._feedback(reply))
        self.figures.latency((self.clock() - item.read_at) * 1000)

    def _feedback(self, reply: SiteReply) -> Feedback:
        try:
            return feedback_from(reply.feedback)
        except (ValueError, KeyError) as exc:
            # A main device newer than this station: it answered, the words are unknown here.
            self.figures.count("bad_replies")
            log.warning("station %s: answer %s cannot be shown: %s", reply.station, reply.id, exc)
            return Feedback(Level.ERROR, Msg("stn_bad_answer"), (Msg("stn_bad_answer_what"),))

    # --- no answer: the link --------------------------------------------------------------------

    def _give_up(self, item: Pending) -> None:
        self.figures.count("given_up")
        self._given_up[item.id] = item.station
        while len(self._given_up) > REMEMBER_GIVEN_UP:
            self._given_up.popitem(last=False)
        log.warning(
            "station %s: input %s not answered in %g s: given up", item.station, item.id, self.replay_window_s
        )
        self.shows.given_up(item.station)

    def _refuse(self, items: list[Pending]) -> None:
        """Inputs refused without being sent: the main device cannot be reached."""
        if not items:
            return
        self.figures.count("refused_while_main_down", len(items))
        self.shows.refused(items[0].station, len(items))

    def main_changed(self) -> None:
        """Show the main device's reachability when it changed: queued inputs refused when it is
        gone, the "no main device" pattern kept until it is back, and the screen says so."""
        up = self.main_up()
        if up == self._main_shown_up:
            return
        first = self._main_shown_up is None
        self._main_shown_up = up
        for name, queue in self._queues.items():
            if not up:
                dropped = list(queue)
                queue.clear()
                self._refuse(dropped)
                self.shows.main_down(name, said=bool(dropped) or name in self._flight)
            elif name not in self._flight:
                self.shows.main_back(name, said=not first)

    # --- the daemon's questions ----------------------------------------------------------------

    def input_wait_s(self) -> float:
        """How long an input has waited for nobody (the watchdog's sign that the loop is wedged):
        a queued input with nothing in flight, or one in flight past its window."""
        now = self.clock()
        worst = 0.0
        for name, queue in self._queues.items():
            flight = self._flight.get(name)
            if flight is not None:
                worst = max(worst, now - flight[0].read_at - self.replay_window_s)
            elif queue:
                worst = max(worst, now - queue[0].read_at)
        return max(0.0, worst)

    def status(self) -> dict[str, Any]:
        return {
            **self.figures.status(),
            "queued": {name: len(q) for name, q in self._queues.items()},
            "in_flight": sorted(self._flight),
        }
