"""The site broker run with what `pvz site broker-config` renders (TLS, client certificates from the
project's pki, the site ACL): the main device and a station work through it; another station cannot
forge the first one's input nor read its replies; a certificate of another CA cannot connect."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import uuid
from pathlib import Path

import msgspec
import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from central import pki
from central.site_bridge import render_bridge_conf
from device.cli.main import main as pvz
from device.config import load_config
from device.site.broker_acl import ACL_NAME, OWN, SiteBrokerError, render, station_devices
from device.site.main_service import SiteMain
from device.site_station.daemon import StationDaemon
from device.store import remote_inputs
from device.wiring import build_runtime, open_store
from sync.site import SiteInput, SiteTopics
from sync.topics import Topics
from sync.transport import MqttLink, TlsSettings
from tests.support.broker import Broker
from tests.support.factory import DEVICE, KEY, SITE, new_store, standard_manifest
from tests.support.site import main_config, remote, station_config
from tests.support.sync import FAST, wait_until
from tests.support.tls_broker import WAIT_S
from tests.support.tls_broker import wait_until as wait_sync
from tests.support.tls_peer import NOT_AUTHORIZED, Peer

C1, C2, STRANGER = "pvz-c1", "pvz-c2", "pvz-x"
GRANTED = (0x00, 0x10)  # PUBACK: success, or success with no subscriber yet


def tls_keys(creds: Path) -> str:
    return f'ca_file = "{creds}/ca.crt"\ncert_file = "{creds}/client.crt"\nkey_file = "{creds}/client.key"\n'


def site_broker(tmp_path: Path, config_file: Path, *, bridge: str = "") -> Broker:
    """A mosquitto with the generated snippet and ACL, reading the files of `pvz-central pki init`."""
    port = Broker(tmp_path).port
    files = render(
        load_config(config_file),
        listen=f"127.0.0.1:{port}",
        tls_dir=str(tmp_path / "pki" / "broker"),
        acl_path=str(tmp_path / ACL_NAME),
    )
    assert files.acl is not None
    (tmp_path / ACL_NAME).write_text(files.acl, encoding="utf-8")
    extra = files.conf + bridge + ("user root\n" if os.geteuid() == 0 else "")
    broker = Broker(tmp_path / "broker", extra=extra, port=port)
    broker.start()
    return broker


def test_the_site_acl_keeps_each_station_to_its_own_topics(tmp_path: Path) -> None:
    pki.init(tmp_path / "pki", SITE)
    for device in (DEVICE, C1, C2, STRANGER):
        pki.device(tmp_path / "pki", SITE, device)
    creds = {d: tmp_path / "pki" / "devices" / d for d in (DEVICE, C1, C2, STRANGER)}
    new_store(tmp_path / "pvz.db", standard_manifest()).close()
    path = main_config(
        tmp_path,
        mqtt_port=1,  # set below, once the broker's port is known
        remotes=remote("c1", C1) + remote("c2", C2),
        device=DEVICE,
        key=KEY.hex(),
        mqtt=tls_keys(creds[DEVICE]),
    )
    broker = site_broker(tmp_path, path)
    path.write_text(path.read_text(encoding="utf-8").replace("port = 1\n", f"port = {broker.port}\n"))
    config = load_config(path)
    store = open_store(config, path, owner=True)
    runtime = build_runtime(config, path, store)
    (tmp_path / "c1").mkdir()
    (tmp_path / "c1" / "codes.txt").write_text("", encoding="utf-8")
    c1_file = station_config(
        tmp_path / "c1",
        device=C1,
        name="c1",
        main=DEVICE,
        mqtt_port=broker.port,
        mqtt_keys=tls_keys(creds[C1]),
        scanner='backend = "script"\npath = "codes.txt"',
    )
    topics = SiteTopics(SITE)
    ca = tmp_path / "pki" / "ca.crt"

    async def scenario() -> None:
        assert config.mqtt is not None
        link = MqttLink(
            client_id=DEVICE,
            host="127.0.0.1",
            port=broker.port,
            reconnect=FAST,
            tls=TlsSettings(
                creds[DEVICE] / "ca.crt", creds[DEVICE] / "client.crt", creds[DEVICE] / "client.key"
            ),
        )
        site = SiteMain(runtime, config, link)
        site.subscribe()
        link.start(asyncio.get_running_loop())
        await link.wait_connected(10)
        status = Topics(SITE, DEVICE).status
        await link.publish(status, json.dumps({"online": True}).encode(), 1, True)
        stop = asyncio.Event()
        runtime.inputs.open()  # what Runtime.run() does once started; the inputs come from the site only
        serving = asyncio.create_task(site.run(stop))
        c1 = StationDaemon(load_config(c1_file), c1_file)
        station = asyncio.create_task(c1.run(stop))
        c2 = Peer(broker.port, ca, creds[C2])
        try:
            # The station reads the main device's status and its own reply: its input is decided once.
            await wait_until(c1.main_up, 10)
            c1.submit("12345", True)
            await wait_until(lambda: site.counters["remote_inputs"] == 1, 10)
            await wait_until(lambda: c1.inputs.figures.counters["answered"] == 1, 10)
            # The main device reads the station's status (presence), granted by the ACL.
            await wait_until(lambda: site.presence.status().get(C1) is True, 10)
            # Another station: its input in c1's name never reaches the main device, and it reads
            # none of c1's replies (mosquitto's SUBACK grants; every message is filtered at delivery).
            assert await asyncio.to_thread(c2.connect)
            for kind in ("reply", "print", "doors"):
                await asyncio.to_thread(c2.subscribe, topics.of(C1, kind))
            assert await asyncio.to_thread(c2.subscribe, topics.of(C2, "reply")) == [1]
            forged = SiteInput(id=uuid.uuid4().hex, station="c1", raw=b"12345", keyed=True)
            refused = await asyncio.to_thread(c2.publish, topics.of(C1, "input"), msgspec.json.encode(forged))
            assert refused == NOT_AUTHORIZED
            # A device of the site CA that the main device's config does not list may do nothing.
            stranger = Peer(broker.port, ca, creds[STRANGER])
            assert await asyncio.to_thread(stranger.connect)
            payload = msgspec.json.encode(SiteInput(id=uuid.uuid4().hex, station="c1", raw=b"1", keyed=True))
            for device in (C1, STRANGER):
                assert (
                    await asyncio.to_thread(stranger.publish, topics.of(device, "input"), payload)
                    == NOT_AUTHORIZED
                )
            stranger.close()
            c1.submit("12345", True)  # c1's reply is published while c2 listens
            await wait_until(lambda: c1.inputs.figures.counters["answered"] == 2, 10)
            # c2's own input, sent after both, is answered: what came before it from the same
            # publisher (the forged input; the main device's reply to c1) has been dealt with.
            own = SiteInput(id=uuid.uuid4().hex, station="c2", raw=b"12345", keyed=True)
            await asyncio.to_thread(c2.publish, topics.of(C2, "input"), msgspec.json.encode(own))
            await asyncio.to_thread(c2.next_message, topics.of(C2, "reply"))
            assert site.counters["remote_inputs"] == 3 and not site.refused
            assert site.counters["bad_payloads"] == 0
            with sqlite3.connect(tmp_path / "pvz.db") as conn:
                assert remote_inputs.count(conn) == 3
                ids = {r[0] for r in conn.execute("SELECT id FROM remote_inputs")}
            assert forged.id not in ids and own.id in ids
            assert [m.topic for m in c2.messages] == [topics.of(C2, "reply")]
        finally:
            c2.close()
            stop.set()
            await serving
            await station
            link.stop()

    try:
        asyncio.run(scenario())
        # A certificate of another CA cannot connect at all.
        pki.init(tmp_path / "other", SITE)
        pki.device(tmp_path / "other", SITE, C2)
        assert not Peer(broker.port, ca, tmp_path / "other" / "devices" / C2).connect()
    finally:
        store.close()
        broker.stop()


def test_every_device_keeps_the_central_acls_own_topics(tmp_path: Path) -> None:
    central = pki.render_acl(SITE, [C1], [])
    own = [ln for ln in central.splitlines() if ln.startswith("topic ") and f"/{C1}/" in ln]
    assert own == [f"topic {line.format(site=SITE, device=C1)}" for line in OWN]


def test_the_command_writes_the_snippet_and_the_acl(tmp_path: Path) -> None:
    path = main_config(tmp_path, mqtt_port=1883, remotes=remote("c1", C1) + remote("c2", C2), device=DEVICE)
    out = tmp_path / "out"
    code = pvz(["site", "broker-config", "--config", str(path), "--out", str(out), "--tls-dir", "/etc/x"])
    assert code == 0
    acl = (out / ACL_NAME).read_text(encoding="utf-8")
    assert (
        acl.count(f"user {C1}\n") == acl.count(f"user {C2}\n") == 1
        and "allow_anonymous false" in (out / "pvz-site.conf").read_text()
    )
    assert pvz(["site", "broker-config", "--config", str(path), "--out", str(out), "--listen", "nope"]) == 2
    # A station's config lists no stations: the ACL can only come from the main device's.
    station = station_config(tmp_path / "c1", device=C1, name="c1", main=DEVICE, mqtt_port=1883)
    assert pvz(["site", "broker-config", "--config", str(station), "--out", str(out)]) == 2
    with pytest.raises(SiteBrokerError):
        station_devices(load_config(station))


def test_the_bridge_carries_a_device_s_own_topics_through_the_site_acl(tmp_path: Path) -> None:
    """The bridge is the site broker's own client: the ACL does not judge it, so the main device's
    events still go up and central's ack still comes down to it, and nothing site-local goes up."""
    pki.init(tmp_path / "pki", SITE)
    pki.device(tmp_path / "pki", SITE, DEVICE)
    path = main_config(tmp_path, mqtt_port=1883, remotes=remote("c1", C1), device=DEVICE)
    central = Broker(tmp_path / "central")
    central.start()
    broker = site_broker(tmp_path, path, bridge=render_bridge_conf(SITE, f"127.0.0.1:{central.port}"))
    heard: list[tuple[str, bytes]] = []
    watcher = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="central-watch")
    watcher.on_message = lambda _c, _u, m: heard.append((m.topic, bytes(m.payload)))
    main = Peer(broker.port, tmp_path / "pki" / "ca.crt", tmp_path / "pki" / "devices" / DEVICE)
    own = Topics(SITE, DEVICE)
    try:
        watcher.connect("127.0.0.1", central.port)
        watcher.subscribe("pvz/#", qos=1)
        watcher.loop_start()
        assert main.connect()
        assert main.subscribe(own.ack) == [1]
        assert wait_sync(lambda: (f"pvz/v1/bridges/{SITE}/state", b"1") in heard)
        assert main.publish(SiteTopics(SITE).of(C1, "reply"), b"{}") in GRANTED  # and it stays here
        assert main.publish(own.events, b"up") in GRANTED
        assert wait_sync(lambda: (own.events, b"up") in heard)
        watcher.publish(own.ack, b"down", qos=1).wait_for_publish(WAIT_S)
        assert main.next_message(own.ack).payload == b"down"
        assert not [t for t, _ in heard if t.startswith("pvz/site/")]
    finally:
        main.close()
        watcher.loop_stop()
        watcher.disconnect()
        broker.stop()
        central.stop()
