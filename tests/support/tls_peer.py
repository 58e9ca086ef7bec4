"""A plain MQTT 5 client over TLS for broker tests: it records what the broker answered (CONNACK, SUBACK,
PUBACK reason codes) and the messages it got, so a test asserts on who may publish and read what."""

from __future__ import annotations

from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from tests.support.tls_broker import WAIT_S, wait_until

NOT_AUTHORIZED = 0x87


class Peer:
    """One MQTT 5 client over TLS that records CONNACK, SUBACK and PUBACK reason codes and messages."""

    def __init__(self, port: int, ca: Path, creds: Path | None, client_id: str = "") -> None:
        self.port = port
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
        cert, key = (str(creds / "client.crt"), str(creds / "client.key")) if creds else (None, None)
        self.client.tls_set(ca_certs=str(ca), certfile=cert, keyfile=key)
        self.connack: ReasonCode | None = None
        self.error: str | None = None
        self.subacks: dict[int, list[ReasonCode]] = {}
        self.pubacks: dict[int, ReasonCode] = {}
        self.messages: list[mqtt.MQTTMessage] = []  # appended by paho's thread, read by the test's
        self.client.on_connect = lambda _c, _u, _f, code, _p: setattr(self, "connack", code)
        self.client.on_disconnect = lambda _c, _u, _f, code, _p: setattr(
            self, "error", self.error or str(code)
        )
        self.client.on_subscribe = lambda _c, _u, mid, codes, _p: self.subacks.__setitem__(mid, codes)
        self.client.on_publish = lambda _c, _u, mid, code, _p: self.pubacks.__setitem__(mid, code)
        self.client.on_message = lambda _c, _u, message: self.messages.append(message)

    def connect(self) -> bool:
        """True once the broker accepted the connection; False when it refused it, at TLS or MQTT level."""
        try:
            self.client.connect("127.0.0.1", self.port, keepalive=30)
        except OSError as exc:  # ssl.SSLError included: the handshake failed
            self.error = f"{type(exc).__name__}: {exc}"
            return False
        self.client.loop_start()
        assert wait_until(lambda: self.connack is not None or self.error is not None), "no answer to CONNECT"
        return self.connack is not None and not self.connack.is_failure and self.error is None

    def subscribe(self, topic: str) -> list[int]:
        _, mid = self.client.subscribe(topic, qos=1)
        assert mid is not None
        assert wait_until(lambda: mid in self.subacks), f"no SUBACK for {topic}"
        return [rc.value for rc in self.subacks[mid]]

    def publish(self, topic: str, payload: bytes, *, qos: int = 1, props: Properties | None = None) -> int:
        """The PUBACK's reason code (QoS 1), or 0 once a QoS 0 message has left."""
        info = self.client.publish(topic, payload, qos=qos, properties=props)
        if qos == 0:
            info.wait_for_publish(WAIT_S)
            return 0
        assert wait_until(lambda: info.mid in self.pubacks), f"no PUBACK for {topic}"
        return self.pubacks[info.mid].value

    def next_message(self, topic: str) -> mqtt.MQTTMessage:
        """The first message on `topic`; everything that arrived before it stays in `messages`."""
        assert wait_until(lambda: any(m.topic == topic for m in self.messages)), f"nothing on {topic}"
        return next(m for m in self.messages if m.topic == topic)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
