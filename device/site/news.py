"""What the main device tells a remote station unasked: a door's report or the kiosk's timer at that
station is decided on the main device (Runtime.process_event), and the station must show it as it
shows an answer (its light, its buzzer, its words), or a customer at a remote kiosk would see the
door's news on the page only. Sent as a SiteReply with an empty id: no input of the station's asked
for it, so none is settled by it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from device.config_schema import RemoteStation
from device.engine import Result
from sync.site import NEWS_ID, SiteReply
from workflows.wire import feedback_data

log = logging.getLogger("pvz.site")

Send = Callable[[str, SiteReply], Coroutine[Any, Any, None]]


def site_reply(input_id: str, station: str, result: Result, lang: str) -> SiteReply:
    """The station's view of one decision: its level, the feedback (key and parameters), the words in
    the station's language `lang`, and what it did."""
    feedback = result.feedback
    return SiteReply(
        id=input_id,
        station=station,
        level=feedback.level.value,
        feedback=feedback_data(feedback),
        title=feedback.msg.render(lang),
        lines=[m.render(lang) for m in feedback.details],
        duplicate=result.duplicate,
        changed=result.changed,
        jobs=list(result.jobs),
        lit=[] if result.session is None else sorted(result.session.lights),
    )


class StationNews:
    """A runtime watcher (device.station_feedback.Watcher): each device event's result at a remote
    station is sent to that station's device."""

    def __init__(
        self, stations: Mapping[str, RemoteStation], lang_of: Callable[[str], str], send: Send
    ) -> None:
        self.stations = stations
        self.lang_of = lang_of
        self.send = send
        self.sent = 0
        self._tasks: set[asyncio.Task[None]] = set()

    def scanned(self, result: Result) -> None:
        station = self.stations.get(result.station)
        if station is None or not result.event:
            return  # a local station's, or an input's: its answer goes back as the reply
        reply = site_reply(NEWS_ID, result.station, result, self.lang_of(result.station))
        try:
            task = asyncio.get_running_loop().create_task(self.send(station.device, reply))
        except RuntimeError:
            log.warning("station %s: news not sent, no loop running", result.station)
            return
        self.sent += 1
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def lights_changed(self) -> None:
        """The rack is the main device's: nothing to tell a station."""

    def print_job(self, job: int, station: str, state: str) -> None:
        """A job's progress reaches the station's page through the main device's screen."""

    def hardware_checked(self) -> None:
        """Nothing: the station reads its own hardware."""
