"""The locker's doors when their boards are wired to a kiosk station's Pi ([doors] backend "station").

The main device's door controller (device/doors/) stays the one that decides and records: it calls
these Doors in a worker thread as it would a local board, and each call becomes a DoorRequest to the
station device, answered by a DoorAnswer from the station's own door driver. No answer within
[site] door_timeout_s is a DoorFault (`station_unreachable`), as a silent bus would be; a fault the
station's driver reports comes back with its own reason code.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import msgspec

from device.site.calls import NoAnswer, SiteCalls
from drivers.doors.base import DoorReading, DoorState, check_door
from drivers.doors.faults import REASONS, DoorFault
from sync.site import DoorAnswer, DoorRequest, SiteTopics

log = logging.getLogger("pvz.site")


class RemoteDoors:
    """drivers.doors.base.Doors over the site broker; attached to the link when SiteMain runs."""

    backend = "station"

    def __init__(self, *, station: str, device: str, site: str, timeout_s: float) -> None:
        self.name = f"{station}/doors"
        self.station = station
        self.device = device
        self.timeout_s = timeout_s
        self.topic = SiteTopics(site).of(device, "doors")
        self.calls: SiteCalls | None = None
        self._sensors: list[bool] | None = None  # from the station's describe, asked once it answers
        self.online = False
        self.last_error: str | None = None
        self.requests = 0

    def attach(self, calls: SiteCalls) -> None:
        self.calls = calls

    def _ask(self, op: str, door: int | None = None) -> DoorAnswer:
        if self.calls is None:
            raise self._fault("the main device is not connected to the site broker yet")
        request = DoorRequest(uuid.uuid4().hex, op, door)  # type: ignore[arg-type]
        key = f"door:{self.device}:{request.id}"
        self.requests += 1
        try:
            answer: DoorAnswer = self.calls.request(
                self.topic, msgspec.json.encode(request), key, self.timeout_s
            )
        except NoAnswer as exc:
            raise self._fault(f"{op}: {exc}") from exc
        self.online = True
        if not answer.ok:
            reason = answer.reason if answer.reason in REASONS else "station_unreachable"
            self.last_error = f"{self.station}: {answer.message or answer.reason or op}"
            raise DoorFault(self.last_error, reason=reason)
        self.last_error = None
        return answer

    def _fault(self, message: str) -> DoorFault:
        self.online = False
        self.last_error = f"{self.station}: {message}"
        return DoorFault(self.last_error, reason="station_unreachable")

    def _described(self) -> list[bool]:
        if self._sensors is None:
            answer = self._ask("describe")
            count = answer.count if answer.count is not None else len(answer.sensors)
            self._sensors = [answer.sensors[i] if i < len(answer.sensors) else False for i in range(count)]
        return self._sensors

    def count(self) -> int:
        """How many doors the station's driver has; 0 while it has never answered."""
        try:
            return len(self._described())
        except DoorFault:
            return 0

    def has_sensor(self, door: int) -> bool:
        sensors = self._described()
        check_door(door, len(sensors))
        return sensors[door]

    def read(self, door: int) -> DoorReading:
        check_door(door, len(self._described()))
        readings = _readings(self._ask("read", door))
        if door not in readings:
            raise self._fault(f"read {door}: the answer has no reading of that door")
        return readings[door]

    def read_all(self) -> dict[int, DoorReading]:
        self._described()
        return _readings(self._ask("read_all"))

    def pulse(self, door: int) -> None:
        check_door(door, len(self._described()))
        self._ask("pulse", door)

    def status(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "backend": self.backend,
            "station": self.station,
            "doors": 0 if self._sensors is None else len(self._sensors),
            "online": self.online,
            "last_error": self.last_error,
            "requests": self.requests,
        }

    def close(self) -> None:
        """Nothing to release: the station's own driver holds the boards."""


def _readings(answer: DoorAnswer) -> dict[int, DoorReading]:
    return {
        seen.door: DoorReading(seen.door, DoorState(seen.state), seen.occupied) for seen in answer.readings
    }
