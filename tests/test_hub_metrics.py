"""The hub's Prometheus endpoint (`--metrics`), scraped over HTTP from a real hub on a real
Mosquitto: events stored, duplicates, batches, acks, devices online, open alerts by rule and a
device's outbox depth, read back with prometheus_client's own parser."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from central import cli
from central.alert_rules import load_rules
from central.hub import Hub
from central.hub_metrics import HubMetrics
from central.hub_store import open_store
from tests.support.broker import Broker, free_port
from tests.support.sim_device import SimDevice
from tests.support.sync import TOPICS, new_link, serving, wait_until

ROOT = Path(__file__).resolve().parent.parent


def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
        text = answer.read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def batch(first: int, last: int) -> bytes:
    events = [
        {"seq": s, "id": f"ev-{s}", "device": TOPICS.device, "ts": "2026-11-21T09:00:00+03:00"}
        | {"kind": "placed", "parcel": f"P{s}", "from": "accepted", "to": "stored", "data": {"n": s}}
        for s in range(first, last + 1)
    ]
    return json.dumps(
        {"device": TOPICS.device, "first_seq": first, "last_seq": last, "events": events}
    ).encode()


def test_the_metrics_endpoint_shows_the_hubs_figures(tmp_path: Path, broker: Broker) -> None:
    port = free_port()

    async def main() -> None:
        store = open_store(tmp_path / "hub.db")
        metrics = HubMetrics(["paper_out", "outbox_stuck"])
        server, _thread = metrics.serve("127.0.0.1", port)
        link = new_link(broker.port, "hub-1", session_expiry=60)
        hub = Hub(store, link, metrics=metrics)
        link.start(asyncio.get_running_loop())
        await link.wait_connected(10)
        await asyncio.sleep(0.1)  # the SUBSCRIBE lands before anything is published
        try:
            async with serving(link, hub.run):
                sender = new_link(broker.port, "sender")
                sender.start(asyncio.get_running_loop())
                await sender.wait_connected(10)
                # One at a time: two batches of one device in one commit get one ack.
                await sender.publish(TOPICS.events, batch(1, 5), qos=1)
                await wait_until(lambda: hub.counters["acks"] == 1, what="the first batch acked")
                await sender.publish(TOPICS.events, batch(4, 7), qos=1)  # 4 and 5 again
                await wait_until(lambda: hub.counters["acks"] == 2, what="the second batch acked")
                sender.stop()

                device = SimDevice(tmp_path / "device", broker.port, device="pvz-dev-0002")
                await device.start()
                await wait_until(lambda: "pvz-dev-0002" in store.statuses(), what="the status at the hub")
                depth = device.status()["counts"]["outbox_depth"]
                store.raise_alert(device.topics.site, "pvz-dev-0002", "paper_out", datetime.now(UTC), {})
                metrics.refresh(hub.counters, store)
                got = await asyncio.to_thread(scrape, port)
                await device.close(goodbye=False)
        finally:
            server.shutdown()
            server.server_close()
            store.close()
        assert got[("pvz_hub_events_stored_total", ())] == 7
        assert got[("pvz_hub_duplicates_total", ())] == 2
        assert got[("pvz_hub_batches_total", ())] == 2
        assert got[("pvz_hub_acks_total", ())] == 2
        assert got[("pvz_hub_devices_online", ())] == 1
        assert got[("pvz_hub_alerts_open", (("rule", "paper_out"),))] == 1
        assert got[("pvz_hub_alerts_open", (("rule", "outbox_stuck"),))] == 0
        assert got[("pvz_hub_outbox_depth_total", ())] == depth
        key = ("pvz_device_outbox_depth", (("device", "pvz-dev-0002"), ("site", device.topics.site)))
        assert depth > 0 and got[key] == depth  # the sim device's stocking left events unsent

    asyncio.run(main())


def test_pvz_central_hub_serves_metrics_and_knows_its_rules(tmp_path: Path, broker: Broker) -> None:
    """The process as an operator starts it: --alerts and --metrics; every rule has a series at 0."""
    port = free_port()
    rules = ROOT / "docs" / "examples" / "alerts.toml"
    args = ["--broker", f"127.0.0.1:{broker.port}", "--db", str(tmp_path / "hub.db")]
    args += ["--alerts", str(rules), "--metrics", f"127.0.0.1:{port}"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "central.cli", "hub", *args], cwd=ROOT, stderr=subprocess.PIPE
    )
    try:
        got: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
        deadline = time.monotonic() + 20  # a bound on a failure, not a wait the test relies on
        while ("pvz_hub_alerts_open", (("rule", "paper_out"),)) not in got:
            assert proc.poll() is None and time.monotonic() < deadline, "the hub served no metrics"
            try:
                got = scrape(port)
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err.decode()
    names = {r.name for r in load_rules(rules)}
    assert {k[1][0][1] for k in got if k[0] == "pvz_hub_alerts_open"} == names
    assert got[("pvz_hub_devices_online", ())] == 0 and got[("pvz_hub_events_stored_total", ())] == 0


def test_a_metrics_port_in_use_stops_the_hub_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        args = [
            "hub",
            "--broker",
            "127.0.0.1:1",
            "--db",
            str(tmp_path / "hub.db"),
            "--metrics",
            f"127.0.0.1:{port}",
        ]
        assert cli.main(args) == 2
    assert f"cannot serve metrics on 127.0.0.1:{port}" in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--metrics", "--broker"])
@pytest.mark.parametrize("value", ["nonsense", "host:", ":9464", "host:99999"])
def test_a_bad_host_port_is_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str
) -> None:
    argv = ["hub", "--broker", "127.0.0.1:1", "--db", str(tmp_path / "hub.db"), option, value]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "(bad_format)" in err and "Traceback" not in err
    assert not (tmp_path / "hub.db").exists()  # refused before the store was opened
