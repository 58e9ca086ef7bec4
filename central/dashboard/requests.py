"""The fleet's requests as the hub's group reads them on the devices' topics: every command
(`fleet cmd`, the dashboard) and every desired config push (`fleet config push`), kept in the
store with the dashboard's operator when the dashboard sent it (the MQTT 5 user property
`operator`), so the dashboard shows each with its answer whichever tool sent it and whichever hub
of the group read it. The broker's ACL lets a hub read the cmd and config topics of its site.

A config push is retained and a shared subscription gets no retained message, so pushes made
while no hub of the group ran are not listed; the device's status still says what it applied.
"""

from __future__ import annotations

import logging
from typing import Any

from central.store_api import CentralStore
from device.decode import decode
from device.exc import InputError
from sync.desired_config import DesiredConfigError, parse_desired
from sync.topics import all_devices, parse, shared
from sync.transport import Inbound, MqttLink

log = logging.getLogger("pvz.hub.web")

MAX_COMMAND_BYTES = 64 * 1024
OPERATOR_PROPERTY = "operator"


def operator_of(msg: Inbound) -> str | None:
    for name, value in msg.prop("UserProperty") or ():
        if name == OPERATOR_PROPERTY and isinstance(value, str):
            return value
    return None


class RequestLog:
    def __init__(self, store: CentralStore, link: MqttLink, *, group: str, site: str = "+") -> None:
        self.store = store
        self.counters = dict.fromkeys(("commands", "configs", "requests_rejected"), 0)
        link.subscribe(shared(group, all_devices("cmd", site)), self._on_command)
        link.subscribe(shared(group, all_devices("config", site)), self._on_config)

    def _on_command(self, msg: Inbound) -> None:
        where = parse(msg.topic)
        if where is None or where[2] != "cmd":
            return
        try:
            body = decode(msg.payload, dict[str, Any], max_bytes=MAX_COMMAND_BYTES, what="invalid command")
            cid, name = body.get("id"), body.get("name")
            if not isinstance(cid, str) or not cid or not isinstance(name, str):
                raise InputError.at("$.id", "wrong_type", "a command has a string id and name")
        except InputError as exc:
            self._reject(msg.topic, exc)
            return
        detail = {"name": name[:64]}
        if self.store.record_request(
            where[0], where[1], "command", cid, operator=operator_of(msg), detail=detail
        ):
            self.counters["commands"] += 1

    def _on_config(self, msg: Inbound) -> None:
        where = parse(msg.topic)
        if where is None or where[2] != "config" or not msg.payload:
            return  # an empty retained message withdraws a desired config
        try:
            desired = parse_desired(msg.payload, remote_check=False)
        except DesiredConfigError as exc:
            self._reject(msg.topic, exc)
            return
        request_id = f"{desired.version}:{desired.hash}"
        detail = {"version": desired.version, "hash": desired.hash}
        if self.store.record_request(
            where[0], where[1], "config", request_id, operator=operator_of(msg), detail=detail
        ):
            self.counters["configs"] += 1

    def _reject(self, topic: str, exc: InputError) -> None:
        self.counters["requests_rejected"] += 1
        log.warning("%s not listed: %s", topic, exc)

    def status(self) -> dict[str, Any]:
        return dict(self.counters)
