"""MqttLink: the one wrapper around paho-mqtt (MQTT 5, persistent session), bridged into asyncio."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

log = logging.getLogger("pvz.sync.transport")

MAX_IN_FLIGHT = 100  # paho slows down as its queue grows: keep at most this many publishes open
SESSION_EXPIRY_S = 24 * 3600  # the broker keeps our subscriptions and queued QoS 1 messages this long
MAX_ROUTES = 4096  # topics whose matching handlers are remembered (a hub sees one per device and kind)
RECONNECT_S = (1.0, 30.0)  # paho's backoff: first retry, doubling up to the second figure
_OK = (MQTTErrorCode.MQTT_ERR_SUCCESS, MQTTErrorCode.MQTT_ERR_NO_CONN)


@dataclass(frozen=True, slots=True)
class TlsSettings:
    """Files for paho's tls_set: the CA bundle that signs the broker, and our client certificate."""

    ca_file: str | Path | None = None
    cert_file: str | Path | None = None
    key_file: str | Path | None = None


@dataclass(frozen=True, slots=True)
class PublishProps:
    """The MQTT 5 properties a publish may carry (None: not sent)."""

    response_topic: str | None = None
    correlation_data: bytes | None = None
    message_expiry: int | None = None  # seconds
    content_type: str | None = None
    utf8: bool = False  # PayloadFormatIndicator 1: the payload is UTF-8 text
    user: tuple[tuple[str, str], ...] = ()

    def to_paho(self) -> Any:
        props = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
        for name, value in (
            ("ResponseTopic", self.response_topic),
            ("CorrelationData", self.correlation_data),
            ("MessageExpiryInterval", self.message_expiry),
            ("ContentType", self.content_type),
            ("PayloadFormatIndicator", 1 if self.utf8 else None),
            ("UserProperty", list(self.user) or None),
        ):
            if value is not None:
                setattr(props, name, value)
        return props


@dataclass(frozen=True, slots=True)
class Inbound:
    """A message: `properties` is paho's (ResponseTopic, CorrelationData, …) or None; `received_at` monotonic."""

    topic: str
    payload: bytes
    qos: int
    retain: bool
    properties: Any = None
    received_at: float = 0.0

    def prop(self, name: str) -> Any:
        return getattr(self.properties, name, None) if self.properties is not None else None


Handler = Callable[[Inbound], Awaitable[None] | None]


class PublishError(ConnectionError):
    """The broker refused a publish (a failing PUBACK reason code) or it could not be sent."""


def _no_delay(_client: Any, _userdata: Any, sock: Any) -> None:
    """Small packets go out at once: with Nagle's algorithm a PUBACK or a short reply written right
    after another packet waits for the peer's delayed ACK (about 40 ms on Linux), which on the
    site's request and reply path (docs/site.md) is most of a scan's time."""
    with contextlib.suppress(OSError, AttributeError):  # a TLS wrapper or a socket pair: leave it
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _client(client_id: str) -> Any:
    return paho.Client(CallbackAPIVersion.VERSION2, client_id, protocol=paho.MQTTv5, manual_ack=True)


class MqttLink:
    """paho's network thread does I/O and reconnects; every callback runs on the asyncio loop."""

    def __init__(
        self,
        *,
        client_id: str,
        host: str,
        port: int = 1883,
        keepalive: int = 30,
        tls: TlsSettings | None = None,
        will: tuple[str, bytes | str, int, bool] | None = None,
        session_expiry: int = SESSION_EXPIRY_S,
        max_in_flight: int = MAX_IN_FLIGHT,
        reconnect: tuple[float, float] = RECONNECT_S,
    ) -> None:
        self.client_id = client_id
        self.host = host
        self.port = port
        self.keepalive = keepalive
        self.session_expiry = session_expiry
        self.max_in_flight = max_in_flight
        self.connected = False
        names = "connects disconnects connect_failures published puback publish_refused received unmatched"
        self.counters: dict[str, int] = dict.fromkeys([*names.split(), "handler_errors"], 0)
        self.last_error: str | None = None
        self._handlers: dict[str, tuple[int, Handler, str]] = {}
        self._routes: dict[str, list[Handler]] = {}  # topic → its handlers, until the next subscribe
        self._listeners: list[Callable[[bool], None]] = []
        self._pending: dict[int, tuple[asyncio.Future[int], int]] = {}  # mid → (future, qos)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sem = asyncio.Semaphore(max_in_flight)
        self._up = asyncio.Event()
        # Connections counted on both threads: a manual ack goes only to the connection that had it.
        self._net_generation = self._generation = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self.client: Any = _client(client_id)
        self.client.max_inflight_messages_set(max_in_flight)
        self.client.reconnect_delay_set(reconnect[0], reconnect[1])
        if tls is not None:
            ca, cert, key = (f and str(f) for f in (tls.ca_file, tls.cert_file, tls.key_file))
            self.client.tls_set(ca_certs=ca, certfile=cert, keyfile=key)
        if will is not None:
            self.client.will_set(*will)
        self.client.on_connect = self._on_connect_thread
        self.client.on_connect_fail = self._bridge(lambda *_: self.count("connect_failures"))
        self.client.on_disconnect = self._bridge(self._handle_disconnect)
        self.client.on_publish = self._bridge(self._handle_publish)
        self.client.on_subscribe = self._bridge(self._handle_subscribe)
        self._suback_mid: int | None = None
        self.client.on_message = self._on_message_thread
        self.client.on_socket_open = _no_delay

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Connect in the background and keep reconnecting (paho's backoff) until stop()."""
        self._loop = loop
        props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        props.SessionExpiryInterval = self.session_expiry
        self.client.connect_async(self.host, self.port, self.keepalive, clean_start=False, properties=props)
        self.client.loop_start()

    def stop(self) -> None:
        """Disconnect cleanly (no LWT), end the network thread, cancel open publishes."""
        self.client.disconnect()
        self.client.loop_stop()
        self.connected = False
        for fut, _ in self._pending.values():
            fut.cancel()
            self._sem.release()
        self._pending.clear()
        for task in list(self._tasks):
            task.cancel()

    async def wait_connected(self, timeout: float | None = None) -> None:
        await asyncio.wait_for(self._up.wait(), timeout)

    def on_connect(self, listener: Callable[[bool], None]) -> None:
        """Call `listener(session_present)` on the loop after every successful (re)connect."""
        self._listeners.append(listener)

    def subscribe(self, topic_filter: str, handler: Handler, *, qos: int = 1) -> None:
        """Route matching messages to `handler` (run on the loop; may return an awaitable); kept on reconnects.

        QoS 1 messages are acknowledged after their handlers finish (also when they fail: a poison
        message must not come back forever), so one cut off by a crash is delivered again."""
        plain = topic_filter.split("/", 2)[2] if topic_filter.startswith("$share/") else topic_filter
        self._handlers[topic_filter] = (qos, handler, plain)  # `$share/<group>/<f>` matches like `<f>`
        self._routes.clear()
        if self.connected:
            self.client.subscribe(topic_filter, options=SubscribeOptions(qos=qos))

    async def publish(
        self,
        topic: str,
        payload: bytes | str,
        qos: int = 1,
        retain: bool = False,
        properties: PublishProps | None = None,
    ) -> None:
        """Return when the PUBACK arrives (QoS 0: when written); at most `max_in_flight` open at once.

        A QoS 1 message published while the link is down waits in paho's short queue for the reconnect."""
        assert self._loop is not None, "start() first"
        await self._sem.acquire()
        try:
            props = None if properties is None else properties.to_paho()
            info = self.client.publish(topic, payload, qos, retain, props)
        except BaseException:
            self._sem.release()
            raise
        if info.rc not in _OK or (qos == 0 and info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS):
            self._sem.release()
            raise PublishError(f"publish to {topic} failed: {paho.error_string(info.rc)}")
        fut: asyncio.Future[int] = self._loop.create_future()
        self._pending[info.mid] = (fut, qos)
        self.counters["published"] += 1
        code = await asyncio.shield(fut)  # on_publish releases the semaphore, even if we are cancelled
        if code >= 0x80:
            raise PublishError(f"publish to {topic} not accepted: reason code {code:#x}")

    def _bridge(self, target: Callable[..., None]) -> Callable[..., None]:
        def callback(*args: Any) -> None:
            loop = self._loop
            if loop is not None and not loop.is_closed():
                with contextlib.suppress(RuntimeError):  # the loop closed in between: shutting down
                    loop.call_soon_threadsafe(target, *args)

        return callback

    def _on_connect_thread(self, _c: Any, _u: Any, flags: Any, reason: Any, _props: Any) -> None:
        if not reason.is_failure:
            self._net_generation += 1
        self._bridge(self._handle_connect)(self._net_generation, flags, reason)

    def _on_message_thread(self, _client: Any, _userdata: Any, message: Any) -> None:
        fields = (str(message.topic), bytes(message.payload), int(message.qos), bool(message.retain))
        inbound = Inbound(*fields, getattr(message, "properties", None), time.monotonic())
        self._bridge(self._handle_message)(inbound, int(message.mid), self._net_generation)

    def _handle_connect(self, generation: int, flags: Any, reason: Any) -> None:
        if reason.is_failure:
            self.counters["connect_failures"] += 1
            self.last_error = f"connect refused: {reason}"
            log.warning("MQTT %s:%s refused the connection: %s", self.host, self.port, reason)
            return
        self._generation = generation
        self.connected = True
        self.counters["connects"] += 1
        present = bool(getattr(flags, "session_present", False))
        log.info("MQTT connected to %s:%s (session present: %s)", self.host, self.port, present)
        if self._handlers:
            # "Up" means subscribed: a message published to us once we are up is not lost.
            _, self._suback_mid = self.client.subscribe(
                [(f, SubscribeOptions(qos=q)) for f, (q, _, _) in self._handlers.items()]
            )
        else:
            self._up.set()
        for listener in list(self._listeners):
            try:
                listener(present)
            except Exception:
                log.exception("MQTT on-connect listener failed")

    def _handle_subscribe(self, _c: Any, _u: Any, mid: int, _codes: Any, _props: Any) -> None:
        if mid == self._suback_mid:
            self._up.set()

    def _handle_disconnect(self, _c: Any, _u: Any, _flags: Any, reason: Any, _props: Any) -> None:
        if self.connected:
            self.counters["disconnects"] += 1
            log.warning("MQTT disconnected from %s:%s: %s", self.host, self.port, reason)
        self.connected = False
        self.last_error = f"disconnected: {reason}"
        self._up.clear()
        for mid, (fut, qos) in list(self._pending.items()):
            if qos == 0:  # an unwritten QoS 0 message is gone; paho resends QoS 1 ones
                del self._pending[mid]
                self._sem.release()
                if not fut.done():
                    fut.set_result(0x80)

    def _handle_publish(self, _c: Any, _u: Any, mid: int, reason: Any, _props: Any) -> None:
        entry = self._pending.pop(mid, None)
        if entry is None:
            return
        self._sem.release()
        code = int(getattr(reason, "value", 0) or 0)
        self.counters["publish_refused" if code >= 0x80 else "puback"] += 1
        if not entry[0].done():
            entry[0].set_result(code)

    def _handle_message(self, msg: Inbound, mid: int, generation: int) -> None:
        self.counters["received"] += 1
        matching = self._routes.get(msg.topic)
        if matching is None:
            # paho's matcher builds a tree per call: a site's few topics are matched once each.
            matching = [h for _, h, f in self._handlers.values() if paho.topic_matches_sub(f, msg.topic)]
            if len(self._routes) >= MAX_ROUTES:
                self._routes.clear()
            self._routes[msg.topic] = matching
        self.counters["unmatched"] += not matching
        task = asyncio.create_task(self._dispatch(matching, msg, mid, generation))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _dispatch(self, handlers: list[Handler], msg: Inbound, mid: int, generation: int) -> None:
        for handler in handlers:
            try:
                result = handler(msg)
                if inspect.isawaitable(result):
                    await result
            except Exception:
                self.counters["handler_errors"] += 1
                log.exception("MQTT handler for %s failed", msg.topic)
        if msg.qos > 0 and generation == self._generation and self.connected:
            self.client.ack(mid, msg.qos)

    def count(self, name: str, by: int = 1) -> None:
        """A counter kept for the link's users (shown in status())."""
        self.counters[name] = self.counters.get(name, 0) + by

    def status(self) -> dict[str, Any]:
        state = {
            "connected": self.connected,
            "broker": f"{self.host}:{self.port}",
            "in_flight": len(self._pending),
        }
        return {
            **state,
            "subscriptions": sorted(self._handlers),
            "last_error": self.last_error,
            **self.counters,
        }
