"""A real Mosquitto with TLS client certificates and the ACL of `pvz-central pki`: who may publish and read what."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from central import pki
from tests.support.tls_broker import WAIT_S, TlsBroker, wait_until
from tests.support.tls_peer import NOT_AUTHORIZED, Peer


def publish_props(**values: object) -> Properties:
    """MQTT 5 PUBLISH properties (paho's Properties class has no type hints)."""
    props = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
    for name, value in values.items():
        setattr(props, name, value)
    return props


def make_site(root: Path) -> TlsBroker:
    """Site s1 with devices dev-a and dev-b and hub-central, and its broker running."""
    pki.init(root / "pki", "s1")
    for device in ("dev-a", "dev-b"):
        pki.device(root / "pki", "s1", device)
    pki.hub(root / "pki", "central")
    broker = TlsBroker(root / "pki", root / "broker")
    broker.start()
    return broker


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsBroker]:
    broker = make_site(tmp_path_factory.mktemp("security"))
    yield broker
    broker.stop()


@pytest.fixture
def connect(site: TlsBroker) -> Iterator[Callable[..., Peer]]:
    """connect("dev-a") → a connected Peer with dev-a's certificate, closed after the test."""
    peers: list[Peer] = []

    def make(who: str | Path | None, *, client_id: str = "", ok: bool = True) -> Peer:
        """`who`: a device id or hub-<name> of the site, another directory of `pvz-central pki`, or no certificate."""
        creds = site.creds(who) if isinstance(who, str) else who
        peer = Peer(site.port, site.pki_dir / "ca.crt", creds, client_id)
        peers.append(peer)
        assert peer.connect() is ok, peer.error or f"CONNACK {peer.connack}"
        return peer

    yield make
    for peer in peers:
        peer.close()


def test_a_device_publishes_its_events_and_the_hub_receives_them(connect: Callable[..., Peer]) -> None:
    hub = connect("hub-central")
    assert hub.subscribe("$share/hubs/pvz/v1/+/+/events") == [1]
    dev_a = connect("dev-a")
    assert dev_a.publish("pvz/v1/s1/dev-a/events", b"batch-1") == 0
    assert hub.next_message("pvz/v1/s1/dev-a/events").payload == b"batch-1"


def test_a_device_reports_manifest_outcomes_and_the_hub_reads_them(connect: Callable[..., Peer]) -> None:
    hub = connect("hub-central")
    assert hub.subscribe("$share/hubs/pvz/v1/s1/+/outcome") == [1]
    dev_a = connect("dev-a")
    assert dev_a.publish("pvz/v1/s1/dev-a/outcome", b"applied") == 0
    assert hub.next_message("pvz/v1/s1/dev-a/outcome").payload == b"applied"
    assert dev_a.publish("pvz/v1/s1/dev-b/outcome", b"forged") == NOT_AUTHORIZED


@pytest.mark.parametrize(
    "topic",
    [
        "pvz/v1/s1/dev-b/events",  # another device's events
        "pvz/v1/s1/dev-b/status",
        "pvz/v1/s2/dev-a/events",  # its own id at another site
        "pvz/v1/s1/dev-a/manifest",  # its own downstream: only the central side writes there
        "pvz/v1/replies/s1/dev-b/hub-central",  # a reply in another device's name
        "pvz/v1/s1/dev-a",
    ],
)
def test_a_device_cannot_publish_as_anyone_else(connect: Callable[..., Peer], topic: str) -> None:
    hub = connect("hub-central")
    hub.subscribe("pvz/v1/+/+/#")
    hub.subscribe("pvz/v1/replies/#")
    dev_a = connect("dev-a")
    assert dev_a.publish(topic, b"forged") == NOT_AUTHORIZED  # MQTT 5 PUBACK: Not authorized
    dev_a.publish(topic, b"forged-qos0", qos=0)  # dropped without a word
    assert dev_a.publish("pvz/v1/s1/dev-a/events", b"barrier") == 0
    hub.next_message("pvz/v1/s1/dev-a/events")  # one publisher, one subscriber: in order
    assert [m.payload for m in hub.messages] == [b"barrier"]


def test_a_device_reads_its_own_downstream_and_nothing_of_another_device(
    connect: Callable[..., Peer],
) -> None:
    hub = connect("hub-central")
    hub.client.publish("pvz/v1/s1/dev-b/config", b"b-retained", qos=1, retain=True).wait_for_publish(WAIT_S)
    hub.client.publish("pvz/v1/s1/dev-a/config", b"a-retained", qos=1, retain=True).wait_for_publish(WAIT_S)
    dev_a = connect("dev-a")
    # mosquitto's acl_file does not judge SUBSCRIBE (the SUBACK grants); it filters every message
    # at delivery, retained ones included. A broker that refuses at SUBACK would answer 0x87.
    for topic in ("pvz/v1/s1/dev-b/config", "pvz/v1/s1/dev-b/manifest", "pvz/v1/#"):
        assert dev_a.subscribe(topic) in ([1], [NOT_AUTHORIZED])
    assert dev_a.subscribe("pvz/v1/s1/dev-a/config") == [1]
    assert dev_a.next_message("pvz/v1/s1/dev-a/config").payload == b"a-retained"
    assert dev_a.subscribe("pvz/v1/s1/dev-a/manifest") == [1]
    assert hub.publish("pvz/v1/s1/dev-b/manifest", b"for-b") == 0
    assert hub.publish("pvz/v1/s1/dev-a/manifest", b"for-a") == 0
    dev_a.next_message("pvz/v1/s1/dev-a/manifest")  # from one publisher in order: for-b came first
    # (pvz/v1/# overlaps the device's own subscriptions, so its own messages may come twice)
    assert {(m.topic, m.payload) for m in dev_a.messages} == {
        ("pvz/v1/s1/dev-a/config", b"a-retained"),
        ("pvz/v1/s1/dev-a/manifest", b"for-a"),
    }
    for topic in ("pvz/v1/s1/dev-a/config", "pvz/v1/s1/dev-b/config"):  # leave no retained state behind
        hub.client.publish(topic, b"", qos=1, retain=True).wait_for_publish(WAIT_S)


def test_a_command_is_answered_on_the_reply_topic_of_the_device(connect: Callable[..., Peer]) -> None:
    hub, dev_a = connect("hub-central"), connect("dev-a")
    reply_topic = "pvz/v1/replies/s1/dev-a/hub-central"
    assert hub.subscribe(reply_topic) == [1]
    assert dev_a.subscribe("pvz/v1/s1/dev-a/cmd") == [1]
    request = publish_props(ResponseTopic=reply_topic, CorrelationData=b"cmd-42")
    assert hub.publish("pvz/v1/s1/dev-a/cmd", b'{"cmd": "ping"}', props=request) == 0
    asked: Any = dev_a.next_message("pvz/v1/s1/dev-a/cmd").properties
    reply = publish_props(CorrelationData=asked.CorrelationData)
    assert dev_a.publish(asked.ResponseTopic, b'{"ok": true}', props=reply) == 0
    answer: Any = hub.next_message(reply_topic)
    assert (answer.payload, answer.properties.CorrelationData) == (b'{"ok": true}', b"cmd-42")


def leave_with_will(peer: Peer, will: str) -> None:
    """Connect with a will, then leave with MQTT 5's "Disconnect with will message": the will is due."""
    peer.client.will_set(will, b"offline", qos=1)
    assert peer.connect()
    peer.client.disconnect(reasoncode=ReasonCode(PacketTypes.DISCONNECT, "Disconnect with will message"))
    assert wait_until(lambda: peer.error is not None)
    peer.client.loop_stop()


def test_a_will_in_another_devices_name_is_dropped(connect: Callable[..., Peer], site: TlsBroker) -> None:
    hub = connect("hub-central")
    hub.subscribe("pvz/v1/s1/+/status")
    for will in ("pvz/v1/s1/dev-b/status", "pvz/v1/s1/dev-a/status"):
        leave_with_will(Peer(site.port, site.pki_dir / "ca.crt", site.creds("dev-a")), will)
    hub.next_message("pvz/v1/s1/dev-a/status")
    assert [m.topic for m in hub.messages] == ["pvz/v1/s1/dev-a/status"]


def test_a_client_id_cannot_push_another_device_off(connect: Callable[..., Peer]) -> None:
    dev_b = connect("dev-b", client_id="pvz-counter")
    assert dev_b.subscribe("pvz/v1/s1/dev-b/manifest") == [1]
    connect("dev-a", client_id="pvz-counter")  # the broker uses the certificate's CN as client id
    assert connect("hub-central").publish("pvz/v1/s1/dev-b/manifest", b"still-there") == 0
    assert dev_b.next_message("pvz/v1/s1/dev-b/manifest").payload == b"still-there"
    assert dev_b.error is None


def test_a_client_without_a_certificate_is_refused(connect: Callable[..., Peer]) -> None:
    assert connect(None, ok=False).connack is None  # refused in the TLS handshake


def test_a_certificate_from_another_ca_is_refused(connect: Callable[..., Peer], tmp_path: Path) -> None:
    pki.init(tmp_path / "rogue", "s1")  # the same site name and device id, another CA
    assert connect(pki.device(tmp_path / "rogue", "s1", "dev-a"), ok=False).connack is None


def test_a_revoked_device_is_refused_after_a_reload(tmp_path: Path) -> None:
    broker = make_site(tmp_path)
    kept = tmp_path / "dev-b-kept"  # what a stolen device still holds
    shutil.copytree(broker.creds("dev-b"), kept)
    peers: list[Peer] = []

    def attempt(creds: Path) -> bool:
        peers.append(Peer(broker.port, broker.pki_dir / "ca.crt", creds))
        return peers[-1].connect()

    try:
        assert attempt(kept)
        pki.revoke(broker.pki_dir, device_id="dev-b")
        broker.reload()
        assert peers[0].publish("pvz/v1/s1/dev-b/events", b"late") == NOT_AUTHORIZED  # open, but no ACL
        assert not attempt(kept)
        assert attempt(broker.creds("dev-a"))
        assert "user dev-b" not in (broker.pki_dir / "broker" / "acl").read_text(encoding="utf-8")
    finally:
        for peer in peers:
            peer.close()
        broker.stop()
