"""The drain's baseline: a raw paho-mqtt loop publishing one QoS 1 message per event, a window in flight.

What a careful engineer would write without pvz's machinery: the payloads are encoded before
the clock starts, the publishing runs on paho's own network loop (`loop_forever` in this
thread, no thread hand-over), and each PUBACK publishes the next message, so exactly `window`
messages are always in flight. The figure is what one message per event costs on this broker,
measured in the same run as the drain it is compared with.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

# Messages in flight: 20 (paho's default) to 200 measured alike, 10 slower, 1000 at half the rate.
WINDOW = 100
TIMEOUT_S = 600.0


class _Loop:
    """on_connect fills the window; every PUBACK sends the next payload, the last one disconnects."""

    def __init__(self, client: Any, topic: str, payloads: Sequence[bytes], window: int) -> None:
        self.client = client
        self.topic = topic
        self.payloads = payloads
        self.window = window
        self.next = 0
        self.acked = 0
        self.start = 0.0
        self.end = 0.0

    def send(self) -> None:
        if self.next < len(self.payloads):
            self.client.publish(self.topic, self.payloads[self.next], 1)
            self.next += 1

    def on_connect(self, *_: Any) -> None:
        self.start = time.perf_counter()
        for _slot in range(self.window):
            self.send()

    def on_publish(self, *_: Any) -> None:
        self.acked += 1
        if self.acked == len(self.payloads):
            self.end = time.perf_counter()
            self.client.disconnect()
        else:
            self.send()


def publish_all(port: int, topic: str, payloads: Sequence[bytes], *, window: int = WINDOW) -> float:
    """Publish every payload at QoS 1 to 127.0.0.1:`port`; return the seconds from first publish to last PUBACK."""
    client = paho.Client(CallbackAPIVersion.VERSION2, "pvz-bench-paho", protocol=paho.MQTTv5)
    client.max_inflight_messages_set(window)
    client.max_queued_messages_set(0)
    loop = _Loop(client, topic, payloads, window)
    client.on_connect = loop.on_connect
    client.on_publish = loop.on_publish
    client.connect("127.0.0.1", port)
    deadline = time.monotonic() + TIMEOUT_S
    while loop.end == 0.0 and time.monotonic() < deadline:
        client.loop(timeout=1.0)
    client.disconnect()
    if loop.end == 0.0:
        raise TimeoutError(f"paho baseline: {loop.acked} of {len(payloads)} acknowledged in {TIMEOUT_S} s")
    return loop.end - loop.start
