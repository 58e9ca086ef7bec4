"""`pvz-central fleet rollout` on a real Mosquitto: the signed release, retained on the chosen devices' topics."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path

import msgspec
import pytest

from central.cli import main as central_main
from device.update.release import decode, load_public_key, verify
from sync.topics import Topics
from sync.transport import Inbound, MqttLink
from tests.support.broker import Broker
from tests.support.debs import make_deb

DEVICES = {"msk-1": ["msk-c1", "msk-c2", "msk-c3", "msk-c4"], "spb-1": ["spb-c1"]}
WAIT_S = 30.0  # a bound on a broken broker only: each wait ends as soon as the messages are there


async def connected(broker: Broker, name: str) -> MqttLink:
    link = MqttLink(client_id=name, host="127.0.0.1", port=broker.port, session_expiry=0)
    link.start(asyncio.get_running_loop())
    await link.wait_connected(WAIT_S)
    return link


async def retained_statuses(broker: Broker, reports: dict[str, dict[str, object]] | None = None) -> None:
    """What the devices left on the broker: a retained status each (one of them offline), with
    the outcome of a release where `reports` (SITE/DEVICE → its `release`) gives one."""
    link = await connected(broker, "test-devices")
    for site, devices in DEVICES.items():
        for device in devices:
            body: dict[str, object] = {"online": device != "msk-c2", "version": "1.0"}
            if reports and f"{site}/{device}" in reports:
                body["release"] = reports[f"{site}/{device}"]
            await link.publish(Topics(site, device).status, json.dumps(body), 1, True)
    link.stop()


async def releases(broker: Broker, count: int) -> dict[str, bytes]:
    """The retained releases of every device, once `count` of them have arrived."""
    link = await connected(broker, "test-reader")
    got: dict[str, bytes] = {}
    done = asyncio.Event()

    def on_release(msg: Inbound) -> None:
        got[msg.topic] = msg.payload
        if len(got) >= count:
            done.set()

    link.subscribe("pvz/v1/+/+/release", on_release)
    try:
        await asyncio.wait_for(done.wait(), WAIT_S)
    finally:
        link.stop()
    return got


def test_a_rollout_publishes_the_signed_release_to_half_a_sites_devices_and_refuses_an_unknown_site(
    tmp_path: Path, broker: Broker, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(retained_statuses(broker))
    assert central_main(["pki", "release-key", "--dir", str(tmp_path / "pki")]) == 0
    public = load_public_key((tmp_path / "pki/release/release.pub").read_text().strip())
    deb = make_deb(tmp_path, "pvzt", "2.0")
    www = tmp_path / "www"
    common = ["--broker", f"127.0.0.1:{broker.port}", "--pki", str(tmp_path / "pki"), "--serve-dir", str(www)]
    common += ["--url-base", "http://127.0.0.1:8088/releases"]

    assert central_main(["fleet", "rollout", str(deb), "--sites", "msk-1,kzn-1", *common]) == 2
    assert "(unknown_site)" in capsys.readouterr().err
    assert not www.exists()  # nothing served, nothing published

    assert (
        central_main(["fleet", "rollout", str(deb), "--sites", "msk-1", "--percent", "50", *common, "--json"])
        == 0
    )
    plan = msgspec.json.decode(capsys.readouterr().out)
    assert len(plan["devices"]) == 2 and all(d.startswith("msk-1/") for d in plan["devices"])
    assert (www / "pvzt_2.0.deb").read_bytes() == deb.read_bytes()

    got = asyncio.run(releases(broker, 2))
    assert sorted(got) == sorted(f"pvz/v1/{d}/release" for d in plan["devices"])
    for payload in got.values():
        release = verify(decode(payload), public, now=dt.datetime.now(dt.UTC))
        assert (release.package, release.version, release.url) == (
            "pvzt",
            "2.0",
            "http://127.0.0.1:8088/releases/pvzt_2.0.deb",
        )
    assert decode((www / "pvzt_2.0.release.json").read_bytes()) == decode(next(iter(got.values())))

    # One of the two reports a rollback: widening to the whole site is refused, nothing published.
    sha = plan["release"]["sha256"]
    first, second = plan["devices"]
    asyncio.run(
        retained_statuses(
            broker,
            {
                first: {"version": "2.0", "result": "installed", "sha256": sha},
                second: {"version": "2.0", "result": "rolled_back", "reason": "unhealthy", "sha256": sha},
            },
        )
    )
    assert central_main(["fleet", "rollout", str(deb), "--sites", "msk-1", *common]) == 2
    assert "(failure_threshold)" in capsys.readouterr().err
    assert len(asyncio.run(releases(broker, 2))) == 2
    assert (
        central_main(["fleet", "rollout", str(deb), "--sites", "msk-1", "--max-failures", "50", *common]) == 0
    )
    assert "reported so far: 1 installed, 1 failed, 0 pending" in capsys.readouterr().out
    assert len(asyncio.run(releases(broker, 4))) == 4
