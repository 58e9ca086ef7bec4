"""The site broker's bridge to central (docs/site.md, "The uplink"), run as `pvz-central site-bridge`
writes it: only the site's pvz/v1/<site>/… topics cross, and with the uplink down for a day the
site keeps working and every event reaches the hub exactly once when it returns.

Two real Mosquitto brokers (the site's, plain; central's, TLS with the ACL of `pvz-central pki`),
the real hub process on central, and on the site broker a real main device and a real remote
station (`pvz run`, role "station").
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from central import pki
from central.cli import main as central_main
from central.site_bridge import render_bridge_conf
from sync.site import KINDS, SiteTopics
from sync.topics import DOWN, UP, Topics, reply_topic
from sync.transport import Inbound, MqttLink, PublishProps
from tests.support.config import station
from tests.support.factory import CLERK, CLERK2, DEVICE, SITE, M, P, new_store
from tests.support.process import ROOT
from tests.support.sim_device import command
from tests.support.site import main_config, remote, station_config
from tests.support.site_uplink import Uplink, running_uplink

WAIT_S = 60.0
SCANS_ONLINE = 20
SCANS_OFFLINE = 300  # a day's parcels accepted at a busy counter while the uplink is down
STATION = "pvz-station-2"  # a remote station's device at the site (its station: counter-2)


def bridged(conf: str) -> dict[str, list[str]]:
    """The bridge's topic patterns by direction."""
    out: dict[str, list[str]] = {"in": [], "out": []}
    for line in conf.splitlines():
        if line.startswith("topic "):
            _, pattern, direction, _qos = line.split()
            out[direction].append(pattern)
    return out


def crosses(patterns: list[str], topic: str) -> bool:
    return any(paho.topic_matches_sub(p, topic) for p in patterns)


def test_the_bridge_carries_its_sites_topics_each_way_and_nothing_site_local() -> None:
    conf = render_bridge_conf("spb-12", "central.example:8883")
    way = bridged(conf)
    for device in ("pvz-0001", STATION):
        topics = Topics("spb-12", device)
        assert all(crosses(way["out"], getattr(topics, kind)) for kind in UP)
        assert all(crosses(way["in"], getattr(topics, kind)) for kind in DOWN)
        assert not any(crosses(way["in"], getattr(topics, kind)) for kind in UP)
        assert not any(crosses(way["out"], getattr(topics, kind)) for kind in DOWN)
        assert crosses(way["out"], reply_topic("spb-12", device, uuid.uuid4().hex))
        for kind in KINDS:  # the site-local protocol stays at the site
            assert not crosses(way["in"] + way["out"], SiteTopics("spb-12").of(device, kind))
        assert not crosses(way["in"] + way["out"], Topics("spb-13", device).events)
    sync, cmd = conf.split("connection pvz-spb-12-cmd")
    for line in ("bridge_protocol_version mqttv311", "cleansession false", "remote_clientid bridge-spb-12"):
        assert line in sync.splitlines()
    for line in ("bridge_protocol_version mqttv50", "remote_clientid bridge-spb-12-cmd"):
        assert line in cmd.splitlines()
    assert "set_tcp_nodelay true" in sync.splitlines()  # the site's own inputs and replies
    assert "bridge_certfile" not in conf
    with_tls = render_bridge_conf("spb-12", "central.example:8883", tls_dir="/etc/mosquitto/pvz-bridge/")
    assert "bridge_certfile /etc/mosquitto/pvz-bridge/cmd/client.crt" in with_tls.splitlines()


def test_site_bridge_refuses_what_it_cannot_render(tmp_path: Path) -> None:
    out = tmp_path / "b.conf"
    assert central_main(["site-bridge", "--site", "s1", "--central", "central", "--out", str(out)]) == 2
    assert central_main(["site-bridge", "--site", "S_1", "--central", "c:8883", "--out", str(out)]) == 2
    assert not out.exists()


def test_the_bridge_identity_may_write_only_its_own_sites_topics(tmp_path: Path) -> None:
    pki.init(tmp_path, "s1")
    creds = pki.bridge(tmp_path, "s1")
    assert (creds / "sync" / "client.crt").exists() and (creds / "cmd" / "client.crt").exists()
    acl = (tmp_path / "broker" / "acl").read_text(encoding="utf-8")
    sync, cmd = acl[acl.index("user bridge-s1\n") :].split("user bridge-s1-cmd\n")
    assert all("/s1/" in line for line in sync.splitlines()[1:] + cmd.splitlines() if line)
    assert "topic write pvz/v1/s1/+/events" in sync and "topic read pvz/v1/s1/+/ack" in sync
    assert "cmd" not in sync and "replies" not in sync
    assert cmd.split() == ["topic", "read", "pvz/v1/s1/+/cmd", "topic", "write", "pvz/v1/replies/s1/#"]
    try:
        pki.device(tmp_path, "s1", "bridge-s1")
    except pki.PkiError:
        pass
    else:
        raise AssertionError("a device took the bridge's identity")


class Watch:
    """A central-side client (hub-ops): the last message on each topic it follows."""

    def __init__(self, up: Uplink) -> None:
        self.link = MqttLink(client_id="hub-ops", host="127.0.0.1", port=up.central.port, tls=up.tls("ops"))
        self.last: dict[str, bytes] = {}
        for topic in (f"pvz/v1/{up.site_id}/+/status", f"pvz/v1/bridges/{up.site_id}/state"):
            self.link.subscribe(topic, self._keep)
        self.link.subscribe(f"pvz/v1/replies/{up.site_id}/#", self._keep)

    def _keep(self, msg: Inbound) -> None:
        self.last[msg.topic] = msg.payload


async def until(check: Callable[[], bool], what: str) -> None:
    for _ in range(int(WAIT_S / 0.05)):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never: {what}")


def journal(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        return {r[0] for r in conn.execute("SELECT event_id FROM journal")}
    finally:
        conn.close()


def drained(db: Path) -> bool:
    """The main device's outbox is acknowledged up to its last event."""
    conn = sqlite3.connect(db)
    try:
        acked = conn.execute("SELECT value FROM meta WHERE key = 'outbox_acked_seq'").fetchone()
        last = conn.execute("SELECT coalesce(max(seq), 0) FROM journal").fetchone()[0]
        return acked is not None and int(acked[0]) == last > 0
    finally:
        conn.close()


def reachable(status: bytes | None) -> bool:
    """A station's retained status says it reaches the main device."""
    return status is not None and json.loads(status).get("main", {}).get("reachable") is True


def remote_inputs(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM remote_inputs").fetchone()[0])
    finally:
        conn.close()


def pvz_run(config: Path, log: IO[str]) -> subprocess.Popen[str]:
    """`pvz run`: its stdin scanner open until the test closes it."""
    return subprocess.Popen(
        [sys.executable, "-m", "device.cli.main", "-v", "run", "--config", str(config)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdin=subprocess.PIPE,
        stdout=log,
        stderr=log,
        text=True,
    )


def site_client(port: int) -> paho.Client:
    """A plain client of the site broker (a probe): connected, its network loop running."""
    client = paho.Client(
        CallbackAPIVersion.VERSION2, client_id=f"probe-{uuid.uuid4().hex[:8]}", protocol=paho.MQTTv5
    )
    client.connect("127.0.0.1", port)
    client.loop_start()
    return client


def test_the_uplink_down_for_a_day_loses_and_repeats_nothing(tmp_path: Path) -> None:
    parcels = [P(f"7{i:07d}-0001-1", f"7{i:07d}") for i in range(SCANS_ONLINE + SCANS_OFFLINE)]
    new_store(tmp_path / "main" / "pvz.db", M("S-DAY", parcels)).close()
    db = tmp_path / "main" / "pvz.db"

    async def scenario(up: Uplink, log: IO[str]) -> None:
        # The site's main device (its own counter s1 on stdin) and a remote station's device.
        remotes = remote("counter-2", STATION)
        config = main_config(
            tmp_path / "main", mqtt_port=up.site.port, remotes=remotes, local=station("s1"), device=DEVICE
        )
        config_2 = station_config(
            tmp_path / "station", device=STATION, name="counter-2", mqtt_port=up.site.port, main=DEVICE
        )
        watch = Watch(up)
        watch.link.start(asyncio.get_running_loop())
        await watch.link.wait_connected(WAIT_S)
        state = f"pvz/v1/bridges/{SITE}/state"
        await until(lambda: watch.last.get(state) == b"1", "the bridge connected to central")

        daemon, remote_2 = pvz_run(config, log), pvz_run(config_2, log)
        assert daemon.stdin is not None and remote_2.stdin is not None
        probe = site_client(up.site.port)
        got: list[bytes] = []
        probe.on_message = lambda _c, _u, m: got.append(bytes(m.payload))
        probe.subscribe(Topics(SITE, "pvz-probe").manifest, qos=1)
        try:
            # Online: the events go up through the bridge, the acks come down, the outbox drains.
            daemon.stdin.write("\n".join([CLERK, *(p.barcode for p in parcels[:SCANS_ONLINE])]) + "\n")
            daemon.stdin.flush()
            await until(lambda: len(journal(db)) > SCANS_ONLINE and drained(db), "the outbox drained")
            assert up.hub_events(DEVICE) == journal(db)
            main_status = json.loads(watch.last[Topics(SITE, DEVICE).status])
            assert main_status["online"] is True
            # The remote station's retained status is seen at central as any device's.
            at_central = Topics(SITE, STATION).status
            await until(lambda: reachable(watch.last.get(at_central)), "the station at central")
            assert json.loads(watch.last[at_central])["online"] is True
            # A fleet command crosses down and its MQTT 5 reply (response topic, correlation) crosses up.
            answer = reply_topic(SITE, DEVICE, uuid.uuid4().hex)
            props = PublishProps(response_topic=answer, correlation_data=b"c-1")
            ping = json.dumps(command("ping")).encode()
            await watch.link.publish(Topics(SITE, DEVICE).cmd, ping, 1, False, props)
            await until(lambda: answer in watch.last, "the command's reply at central")
            assert json.loads(watch.last[answer])["ok"] is True

            # The uplink is down for a day: the site keeps working and journals every scan.
            before = up.hub_events(DEVICE)
            up.proxy.cut()
            await until(lambda: watch.last.get(state) == b"0", "central saw the bridge go (its last will)")
            await watch.link.publish(Topics(SITE, "pvz-probe").manifest, b"sent-while-down", 1)
            daemon.stdin.write("\n".join(p.barcode for p in parcels[SCANS_ONLINE:]) + "\n")
            daemon.stdin.flush()
            remote_2.stdin.write(f"{CLERK2}\n")  # the remote station works too: the main device decides
            remote_2.stdin.flush()
            await until(lambda: len(journal(db)) > SCANS_ONLINE + SCANS_OFFLINE, "a day's scans journalled")
            await until(lambda: remote_inputs(db) == 1, "the station's input decided with the uplink down")
            assert up.hub_events(DEVICE) == before and not drained(db)

            # The link returns: everything reaches the hub exactly once, and what central sent
            # meanwhile reaches the site from the bridge's persistent session.
            up.proxy.restore()
            await until(lambda: drained(db), "the outbox drained after the day")
            assert up.hub_events(DEVICE) == journal(db)
            await until(lambda: got == [b"sent-while-down"], "central's message kept for the site")
            await until(lambda: watch.last.get(state) == b"1", "the bridge back")
        finally:
            for process in (remote_2, daemon):
                if process.stdin is not None:
                    process.stdin.close()
                process.terminate()
                await asyncio.to_thread(process.wait, WAIT_S)
            probe.disconnect()
            probe.loop_stop()
            watch.link.stop()

    with (
        running_uplink(tmp_path / "uplink", SITE) as up,
        (tmp_path / "daemon.log").open("w", encoding="utf-8") as log,
    ):
        asyncio.run(scenario(up, log))
        hub = sqlite3.connect(up.hub_db)
        rows, distinct = hub.execute("SELECT count(*), count(DISTINCT event_id) FROM events").fetchone()
        assert rows == distinct == len(journal(db)) > SCANS_ONLINE + SCANS_OFFLINE


def test_a_revoked_bridge_leaves_the_acl_and_is_on_the_crl(tmp_path: Path) -> None:
    pki.init(tmp_path, "s1")
    pki.bridge(tmp_path, "s1")
    before = (tmp_path / "broker" / "crl.pem").read_bytes()
    assert central_main(["pki", "revoke", "--dir", str(tmp_path), "--bridge"]) == 0
    acl = (tmp_path / "broker" / "acl").read_text(encoding="utf-8")
    assert "bridge-s1" not in acl
    assert not (tmp_path / "bridges" / "s1").exists()
    index = (tmp_path / "ca-db" / "index.txt").read_text(encoding="utf-8")
    revoked = [line for line in index.splitlines() if line.startswith("R")]
    assert {line.rsplit("CN=", 1)[1] for line in revoked} == {"bridge-s1", "bridge-s1-cmd"}
    assert (tmp_path / "broker" / "crl.pem").read_bytes() != before
    pki.bridge(tmp_path, "s1")  # a new pair for the site: its ACL blocks come back
    assert "user bridge-s1-cmd" in (tmp_path / "broker" / "acl").read_text(encoding="utf-8")
