"""What the hub keeps of each device besides its events: its latest status and telemetry, and its
answers to fleet commands, so the fleet's state is in the central store rather than only on the broker.

The status is retained on the broker; a shared subscription gets no retained message when it
subscribes (MQTT 5), so the hub keeps the statuses published while it runs: each one at every
connect of the device and on every change. A command's answer goes to the requester's reply
topic (pvz/v1/replies/<site>/<device>/<nonce>); the hub's group reads those too and keeps one
row per (device, nonce, command id), so a QoS 1 repeat is kept once.

With a StateWriter (as `pvz-central hub` runs), they are written off the loop in batches
(central/hub_state_writer.py); without one, each on the loop as it comes.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from central.hub_state_writer import StateWriter
from central.store_api import CentralStore
from device.decode import decode
from device.exc import InputError
from sync.topics import ROOT, all_devices, parse, shared
from sync.transport import Inbound, MqttLink

log = logging.getLogger("pvz.sync.hub")

MAX_STATUS_BYTES = 64 * 1024
MAX_REPLY_BYTES = 2 * 1024 * 1024  # a diagnostics bundle's answer is the largest


def clock_skew(ts: Any) -> float | None:
    """Seconds the device's clock is behind the hub's (negative: ahead), from a message's `ts`
    taken on arrival; telemetry goes out at QoS 0, so a message is not held back for long."""
    try:
        sent = datetime.fromisoformat(ts) if isinstance(ts, str) else None
    except ValueError:
        return None
    if sent is None or sent.tzinfo is None:
        return None
    return round((datetime.now(UTC) - sent).total_seconds(), 1)


def replies_of(site: str) -> str:
    return f"{ROOT}/replies/{site}/+/+"


class DeviceState:
    """Subscribes the hub's group to the devices' statuses and command replies; keeps them."""

    def __init__(
        self,
        store: CentralStore,
        link: MqttLink,
        *,
        group: str,
        site: str = "+",
        writer: StateWriter | None = None,
    ) -> None:
        self.store = store
        self.writer = writer
        self.counters = dict.fromkeys(("statuses", "telemetry", "replies", "state_rejected"), 0)
        if writer is not None:
            writer.on_replies = self._count_replies
        link.subscribe(shared(group, all_devices("status", site)), self._on_status)
        link.subscribe(shared(group, all_devices("telemetry", site)), self._on_telemetry)
        link.subscribe(shared(group, replies_of(site)), self._on_reply)

    def _on_status(self, msg: Inbound) -> None:
        where = parse(msg.topic)
        if where is None or where[2] != "status" or not msg.payload:
            return  # an empty retained message clears a retired device's status: nothing to keep
        try:
            body = decode(msg.payload, dict[str, Any], max_bytes=MAX_STATUS_BYTES, what="invalid status")
        except InputError as exc:
            self._reject(msg.topic, exc)
            return
        if self.writer is None:
            self.store.record_status(where[0], where[1], body)
        else:
            self.writer.status(where[0], where[1], body)
        self.counters["statuses"] += 1

    def _on_telemetry(self, msg: Inbound) -> None:
        where = parse(msg.topic)
        if where is None or where[2] != "telemetry":
            return
        try:
            body = decode(msg.payload, dict[str, Any], max_bytes=MAX_STATUS_BYTES, what="invalid telemetry")
        except InputError as exc:
            self._reject(msg.topic, exc)
            return
        if self.writer is None:
            self.store.record_telemetry(where[0], where[1], body, clock_skew(body.get("ts")))
        else:
            self.writer.telemetry(where[0], where[1], body, clock_skew(body.get("ts")))
        self.counters["telemetry"] += 1

    def _on_reply(self, msg: Inbound) -> None:
        parts = msg.topic.split("/")  # pvz/v1/replies/<site>/<device>/<nonce>
        if len(parts) != 6:
            return
        site, device, nonce = parts[3:]
        try:
            body = decode(msg.payload, dict[str, Any], max_bytes=MAX_REPLY_BYTES, what="invalid reply")
            if not isinstance(body.get("id", ""), str):
                raise InputError.at("$.id", "wrong_type", "a command id is a string")
        except InputError as exc:
            self._reject(msg.topic, exc)
            return
        if self.writer is not None:
            self.writer.reply(site, device, nonce, body)  # counted once written, if new
        elif self.store.record_reply(site, device, nonce, body):
            self.counters["replies"] += 1

    def _count_replies(self, new: int) -> None:
        self.counters["replies"] += new

    def _reject(self, topic: str, exc: InputError) -> None:
        self.counters["state_rejected"] += 1
        log.warning("%s rejected: %s", topic, exc)
