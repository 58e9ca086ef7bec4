"""Many lightweight simulated devices speaking the real protocol to the hubs, from one asyncio loop.

Not the daemon: each device is a paho client with its own client id, last will and persistent
session, an outbox kept in memory, and the publisher's rules (sync/publisher.py): batches of
consecutive seqs on Topics.events at QoS 1 (the project's own WireBatch and Event), at most
WINDOW batches out, the mark moved only by the hub's ack on Topics.ack, everything after the
mark sent again on a reconnect or when no ack came for the ack timeout (doubling, as the
publisher does). It publishes its retained status at every connect and with its telemetry
every period, in the shapes central/health.py reads.

Why it lives in bench/ and not as `pvz-central loadsim`: an operator measures a fleet's hubs
with their own devices and Prometheus; this is for our benchmark (bench/fleet_load.py) and our
test (tests/test_fleet_load.py), which both import it. Why one loop: a thousand MqttLinks would
be a thousand paho threads; here paho's external-loop callbacks (on_socket_open,
…register_write) put every client's socket on the asyncio loop, as paho's loop_asyncio example
does, and one task calls loop_misc for all of them.

Each event's data carries its creation time (`created`, seconds since the epoch): when an ack
covers it, the device records creation → ack, the lag bench/fleet_load.py reports.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import Any

import msgspec
import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from device import __version__
from device.decode import decode
from device.store.journal import Event
from sync.publisher import ACK_TIMEOUT_S, BATCH, MAX_ACK_BYTES, RESEND_CAP_S, WINDOW, WireAck, WireBatch
from sync.status import wire_time
from sync.topics import Topics

log = logging.getLogger("pvz.bench.fleet_sim")

KIND = "load_sim"  # the events' kind: no ticket, nothing the hub acts on besides storing it
TELEMETRY_S = 60.0  # as sync/status.py: telemetry (QoS 0) and a status check this often
MISC_S = 1.0  # paho's keepalive and the resend timers are looked at this often
SESSION_EXPIRY_S = 3600
CONNECT_TIMEOUT_S = 60.0


@dataclass
class Totals:
    """What the whole fleet did: events created, acked, and each acked event's creation → ack lag."""

    created: int = 0
    acked: int = 0
    resends: int = 0
    acks: int = 0
    acks_rejected: int = 0
    connects: int = 0
    disconnects: int = 0
    lags: list[float] = field(default_factory=list)
    created_at: list[float] = field(default_factory=list)  # each lag's event's creation (epoch s)


def status_body(topics: Topics, outbox_depth: int, *, online: bool = True) -> dict[str, Any]:
    """The retained status of a healthy counter (sync/status.py device_status and device_health)."""
    body: dict[str, Any] = {"online": online, "device": topics.device, "site": topics.site}
    body.update(role="counter", version=__version__)
    if not online:
        return body | {"reason": "connection lost"}  # the last will
    body["config"] = {}
    body["counts"] = {"parcels": {}, "outbox_depth": outbox_depth, "tickets_open": 0}
    printers = {"counter": {"state": "ready", "paper": "ok"}}
    body["health"] = {"printers": printers, "scanners": {"connected": 1, "total": 1}, "alerts": []}
    return body | {"ts": wire_time(datetime.now(UTC))}


def _json(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


class SimDevice:
    """One device: its paho client, its outbox (events not yet acked) and its publisher's state."""

    def __init__(self, fleet: SimFleet, topics: Topics, *, ack_timeout: float) -> None:
        self.fleet = fleet
        self.topics = topics
        self.ack_timeout = ack_timeout
        self.resend_after = ack_timeout
        self.outbox: deque[tuple[Event[msgspec.Raw], float]] = deque()  # (event, created) after the mark
        self.last_seq = 0
        self.ids: list[str] = []  # every event id created, for the check of what was stored
        self.acked = 0
        self.sent = 0  # the last seq handed to paho (rewound on a resend)
        self.published = 0  # the highest seq ever handed to paho: no ack may go beyond it
        self.out: list[int] = []  # last seq of each batch out, not yet acked
        self.progress_at = time.monotonic()
        self.connected = False
        self.client: Any = paho.Client(CallbackAPIVersion.VERSION2, topics.device, protocol=paho.MQTTv5)
        self.client.max_inflight_messages_set(WINDOW + 4)
        self.client.will_set(topics.status, _json(status_body(topics, 0, online=False)), 1, True)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_ack
        fleet.attach(self.client)

    def connect(self, host: str, port: int) -> None:
        props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        props.SessionExpiryInterval = SESSION_EXPIRY_S
        self.client.connect(host, port, keepalive=30, clean_start=False, properties=props)

    def create(self, now: float) -> None:
        """One new event (as a scan's commit journals one), sent at once if the window has room."""
        self.last_seq += 1
        data = msgspec.Raw(b'{"created":%.6f}' % now)
        ts = wire_time(datetime.fromtimestamp(now, UTC))
        event = Event(
            seq=self.last_seq,
            event_id=uuid.uuid4().hex,
            device_id=self.topics.device,
            ts=ts,
            kind=KIND,
            data=data,
        )
        self.outbox.append((event, now))
        self.ids.append(event.event_id)
        self.fleet.totals.created += 1
        self.fill()

    def fill(self) -> None:
        """Hand batches after `sent` to paho while fewer than WINDOW are out (sync/publisher.py)."""
        while self.connected and len(self.out) < WINDOW and self.sent < self.last_seq:
            start = self.sent - self.acked  # index in the outbox of the first event after `sent`
            events = [e for e, _ in islice(self.outbox, start, start + BATCH)]
            batch = WireBatch(self.topics.device, events[0].seq, events[-1].seq, events)
            if not self.out:
                self.progress_at = time.monotonic()
            self.out.append(batch.last_seq)
            self.sent = batch.last_seq
            self.published = max(self.published, self.sent)
            self.client.publish(self.topics.events, msgspec.json.encode(batch), 1)

    def tick(self, now: float) -> None:
        """Resend everything after the mark when no ack came for `resend_after` seconds, the next
        wait twice as long (as Publisher.resend_if_stalled)."""
        if self.out and now - self.progress_at > self.resend_after:
            self.fleet.totals.resends += 1
            self.resend_after = min(self.resend_after * 2, max(self.ack_timeout, RESEND_CAP_S))
            self._rewind()

    def _rewind(self) -> None:
        self.sent = self.acked
        self.out.clear()
        self.progress_at = time.monotonic()
        self.fill()

    def _on_connect(self, client: Any, _u: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if reason.is_failure:
            return
        self.connected = True
        self.fleet.totals.connects += 1
        client.subscribe(self.topics.ack, qos=1)
        client.publish(self.topics.status, _json(status_body(self.topics, len(self.outbox))), 1, True)
        self.resend_after = self.ack_timeout
        self._rewind()  # what was out may be lost with the broker: everything after the mark again

    def _on_disconnect(self, *_: Any) -> None:
        if self.connected:
            self.fleet.totals.disconnects += 1
        self.connected = False

    def _on_ack(self, _c: Any, _u: Any, msg: Any) -> None:
        totals = self.fleet.totals
        try:
            ack = decode(bytes(msg.payload), WireAck, max_bytes=MAX_ACK_BYTES, what="invalid ack")
            if ack.device != self.topics.device or not 0 <= ack.acked_seq <= self.published:
                raise ValueError(f"ack of {ack.device!r} to seq {ack.acked_seq}")
        except ValueError as exc:  # an InputError, or an ack ahead of what was sent
            totals.acks_rejected += 1
            log.warning("%s: ack rejected: %s", self.topics.device, exc)
            return
        totals.acks += 1
        if ack.acked_seq <= self.acked:
            return
        now = time.time()
        while self.outbox and self.outbox[0][0].seq <= ack.acked_seq:
            created = self.outbox.popleft()[1]
            totals.lags.append(now - created)
            totals.created_at.append(created)
        totals.acked += ack.acked_seq - self.acked
        self.acked = ack.acked_seq
        self.progress_at = time.monotonic()
        self.resend_after = self.ack_timeout
        self.out = [seq for seq in self.out if seq > self.acked]
        self.sent = max(self.sent, self.acked)  # a late ack after a rewind: no need to resend those
        self.fill()

    def publish_period(self) -> None:
        """Telemetry (QoS 0) and the status, as StatusReporter does every period."""
        if not self.connected:
            return
        telemetry = {"ts": wire_time(datetime.now(UTC)), "uptime_s": 0.0, "outbox_depth": len(self.outbox)}
        telemetry.update(disk_free_bytes=8 << 30, hardware_problems=[], store={"integrity": "ok"})
        self.client.publish(self.topics.telemetry, _json(telemetry), 0)
        self.client.publish(self.topics.status, _json(status_body(self.topics, len(self.outbox))), 1, True)


class SimFleet:
    """Devices `<prefix>-0000`… of one site on one loop; `run` makes each create `rate` events a
    second for `seconds`, spread evenly over the fleet, then waits until every event is acked."""

    def __init__(self, loop: asyncio.AbstractEventLoop, *, ack_timeout: float = ACK_TIMEOUT_S) -> None:
        self.loop = loop
        self.ack_timeout = ack_timeout
        self.totals = Totals()
        self.devices: list[SimDevice] = []
        self._misc: asyncio.Task[None] | None = None

    def attach(self, client: Any) -> None:
        """paho's external-loop callbacks: the client's socket is read and written by this loop."""
        loop = self.loop
        client.on_socket_open = lambda c, _u, sock: loop.add_reader(sock, c.loop_read)
        client.on_socket_close = lambda _c, _u, sock: loop.remove_reader(sock)
        client.on_socket_register_write = lambda c, _u, sock: loop.add_writer(sock, c.loop_write)
        client.on_socket_unregister_write = lambda _c, _u, sock: loop.remove_writer(sock)

    async def connect(self, site: str, count: int, *, host: str, port: int, prefix: str = "sim") -> None:
        """Connect `count` devices one after the other (a TCP connect on the loop each), then wait
        until every one has its CONNACK."""
        for i in range(count):
            device = SimDevice(self, Topics(site, f"{prefix}-{i:04d}"), ack_timeout=self.ack_timeout)
            device.connect(host, port)
            self.devices.append(device)
            if i % 50 == 49:
                await asyncio.sleep(0)  # let the CONNACKs in
        self._misc = asyncio.create_task(self._housekeeping())
        deadline = time.monotonic() + CONNECT_TIMEOUT_S
        while not all(d.connected for d in self.devices):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{sum(not d.connected for d in self.devices)} devices got no CONNACK")
            await asyncio.sleep(0.05)

    async def _housekeeping(self) -> None:
        """paho's keepalive for every client, each device's resend timer, a reconnect after a drop,
        telemetry and status every TELEMETRY_S (the fleet's spread over the period)."""
        turn = 0.0  # the fleet's next device due for its period's telemetry and status
        while True:
            await asyncio.sleep(MISC_S)
            now = time.monotonic()
            due = len(self.devices) * MISC_S / TELEMETRY_S
            for i, device in enumerate(self.devices):
                if device.client.loop_misc() == MQTTErrorCode.MQTT_ERR_NO_CONN and not device.connected:
                    with contextlib.suppress(OSError):  # the broker is away: tried again next round
                        device.client.reconnect()
                device.tick(now)
                if turn <= i < turn + due:
                    device.publish_period()
            turn = (turn + due) % max(1, len(self.devices))

    async def run(self, *, rate: float, seconds: float) -> None:
        """Event g goes to device g mod N at start + g / (N × rate): one event per device every
        1 / rate seconds, the devices' turns evenly apart."""
        n = len(self.devices)
        start = time.monotonic()
        total = int(n * rate * seconds)
        made = 0
        while made < total:
            due = min(total, int((time.monotonic() - start) * n * rate) + 1)
            wall = time.time()
            for g in range(made, due):
                self.devices[g % n].create(wall)
            made = due
            await asyncio.sleep(0.005)

    def burst(self) -> int:
        """Every connected device publishes its telemetry and its status at once, as all of them do
        when they reconnect after a broker restart; returns how many did."""
        done = 0
        for device in self.devices:
            if device.connected:
                device.publish_period()
                done += 1
        return done

    async def drain(self, timeout: float) -> bool:
        """Wait until every device's events are all acked (resends as they come due); False at timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(d.acked == d.last_seq for d in self.devices):
                return True
            await asyncio.sleep(0.1)
        return False

    async def close(self) -> None:
        """Disconnect every device cleanly (no will) and stop the housekeeping."""
        if self._misc is not None:
            self._misc.cancel()
        for device in self.devices:
            device.client.disconnect()
        await asyncio.sleep(0.1)

    def acked(self) -> dict[str, tuple[int, int]]:
        """Each device's (acked seq, last seq)."""
        return {d.topics.device: (d.acked, d.last_seq) for d in self.devices}
