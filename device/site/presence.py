"""Whether each remote station device is up, from its ordinary retained status topic.

Every device publishes `pvz/v1/<site>/<device>/status` retained, with `online` false by its last
will, so the main device learns a station's state as soon as it subscribes, and again on each change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any

import msgspec

from device.decode import decode
from device.exc import InputError
from sync.topics import Topics
from sync.transport import Inbound, MqttLink

log = logging.getLogger("pvz.site")

MAX_STATUS_BYTES = 64 * 1024


class _Online(msgspec.Struct):
    """Of a device's status (sync/status.py), only whether it is up; the rest is the hub's."""

    online: bool


class Presence:
    """`online(device)`: True or False as the station last said, None before it said anything."""

    def __init__(
        self, site: str, devices: Iterable[str], *, on_online: Callable[[str], None] | None = None
    ) -> None:
        self.topics = {Topics(site, device).status: device for device in devices}
        self._online: dict[str, bool] = {}
        self.on_online = on_online  # told a device's id when it says it is up after being down or unknown

    def subscribe(self, link: MqttLink) -> None:
        for topic in self.topics:
            link.subscribe(topic, self._on_status)

    def online(self, device: str) -> bool | None:
        return self._online.get(device)

    def _on_status(self, msg: Inbound) -> None:
        device = self.topics.get(msg.topic)
        if device is None:
            return
        if not msg.payload:
            self._online.pop(device, None)  # a retained status cleared: nothing known
            return
        try:
            online = decode(msg.payload, _Online, max_bytes=MAX_STATUS_BYTES, what="station status").online
        except InputError as exc:
            log.warning("station device %s: status ignored: %s at %s", device, exc.reason, exc.path)
            return
        changed = self._online.get(device) != online
        self._online[device] = online
        if changed:
            log.info("station device %s is %s", device, "online" if online else "offline")
            if online and self.on_online is not None:
                self.on_online(device)

    def status(self) -> dict[str, Any]:
        return {device: self._online.get(device) for device in self.topics.values()}
