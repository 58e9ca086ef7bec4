"""The daemon's side of a rollout (device/update/follow.py, device/uplink/releases.py): a release taken
from its retained topic once, its outcome in the status, the mark the installer waits for."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from device.update.follow import (
    PENDING,
    RUNNING,
    MarkProbe,
    PathUnitLauncher,
    ReleaseFollower,
    SimLauncher,
    mark_running,
)
from device.update.install import Outcome, write_outcome
from device.update.release import FORMAT, Release, encode, sign
from sync.topics import Topics
from sync.transport import Inbound, MqttLink
from tests.support.broker import Broker
from tests.support.config import write_config

KEY = Ed25519PrivateKey.generate()
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
WAIT_S = 30.0  # a bound on a broken broker only: each wait ends when the message is there


def release(
    version: str = "0.2.0", *, expires_at: int | None = None, key: Ed25519PrivateKey = KEY
) -> Release:
    unsigned = Release(
        format=FORMAT,
        package="pvz",
        version=version,
        size=100,
        sha256=(version.encode().hex() * 64)[:64],
        url=f"https://hub.example/r/pvz_{version}.deb",
        expires_at=int(NOW.timestamp()) + 3600 if expires_at is None else expires_at,
    )
    return sign(unsigned, key)


@pytest.fixture
def keep(tmp_path: Path) -> Path:
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "current.json").write_text('{"package":"pvz","version":"0.1.0","file":"pvz_0.1.0.deb"}')
    return keep


@pytest.fixture
def handoff(tmp_path: Path) -> Path:
    return tmp_path / "handoff"


def follower(keep: Path, launcher: object, handoff: Path) -> ReleaseFollower:
    return ReleaseFollower(
        key=KEY.public_key(),
        keep_dir=keep,
        handoff_dir=handoff,
        launcher=launcher,  # type: ignore[arg-type]
        clock=lambda: NOW,
    )


def test_a_release_starts_the_installer_once_however_often_it_is_delivered(keep: Path, handoff: Path) -> None:
    sim = SimLauncher()
    follow = follower(keep, sim, handoff)
    first = follow.on_release(encode(release()))
    assert first is not None and (first.result, first.version, first.running) == ("pending", "0.2.0", "0.1.0")
    assert sim.launched == [handoff / "pending.release.json"]
    assert sorted(p.name for p in keep.iterdir()) == ["current.json"]  # the daemon never writes there
    assert msgspec.json.decode(sim.launched[0].read_bytes(), type=Release) == release()
    assert follow.on_release(encode(release())) == first  # retained, delivered again after a reconnect
    # the installer rolled back and the old daemon starts again: the same release is not retried
    write_outcome(handoff, msgspec.structs.replace(first, result="rolled_back", reason="unhealthy"))
    again = follow.on_release(encode(release()))
    assert again is not None and (again.result, again.reason) == ("rolled_back", "unhealthy")
    assert len(sim.launched) == 1 and follow.report() == msgspec.to_builtins(again)
    assert follow.on_release(b"") is None  # withdrawn on the broker: nothing to do


def test_refusals_are_reported_and_start_nothing(keep: Path, handoff: Path) -> None:
    sim = SimLauncher()
    follow = follower(keep, sim, handoff)
    for payload, reason in [
        (encode(release(key=Ed25519PrivateKey.generate())), "bad_signature"),
        (encode(release(expires_at=int(NOW.timestamp()))), "expired"),
        (b'{"format":1}', "malformed"),
    ]:
        outcome = follow.on_release(payload)
        assert outcome is not None and (outcome.result, outcome.reason, outcome.running) == (
            "refused",
            reason,
            "0.1.0",
        )
    assert sim.launched == []
    # The package's path unit watches the default handoff_dir only: another one could start nothing.
    assert follower(keep, PathUnitLauncher(), handoff).on_release(encode(release("0.3.0"))) == Outcome(
        "pvz", "0.3.0", "failed", "launch_failed", "0.1.0", release("0.3.0").sha256
    )
    watched = follower(keep, PathUnitLauncher(handoff / PENDING), handoff).on_release(
        encode(release("0.4.0"))
    )
    assert watched is not None and watched.result == "pending"
    running = follow.on_release(encode(release("0.1.0")))
    assert running is not None and running.result == "installed" and sim.launched == []


def test_the_mark_probe_sees_only_a_daemon_started_after_the_install(handoff: Path) -> None:
    probe = MarkProbe(handoff)
    mark_running(handoff, "0.1.0")  # the old daemon's
    probe.prepare()
    assert not (handoff / RUNNING).exists()
    assert probe.healthy(release(), 0) is False
    mark_running(handoff, "0.2.0")  # the restarted daemon's
    assert probe.healthy(release(), 0) is True


@pytest.fixture
def service(tmp_path: Path, broker: Broker, keep: Path, handoff: Path) -> Iterator[object]:
    from device.config import load_config
    from device.uplink.service import SyncService
    from device.wiring import build_runtime, open_store

    public = base64.b64encode(KEY.public_key().public_bytes_raw()).decode()
    extra = f'[update]\npublic_key = "{public}"\nkeep_dir = "{keep}"\nhandoff_dir = "{handoff}"\nlauncher = "sim"\n'
    config_file = write_config(
        tmp_path / "dev", device="pvz-upd-0001", site="lab", mqtt_port=broker.port, extra=extra
    )
    config = load_config(config_file)
    store = open_store(config, config_file, owner=True)
    try:
        yield SyncService(build_runtime(config, config_file, store), config, config_file)
    finally:
        store.close()


def test_the_daemon_takes_a_retained_release_and_reports_it_in_its_status(
    service: object, broker: Broker, handoff: Path
) -> None:
    from device.uplink.service import SyncService

    assert isinstance(service, SyncService) and service.releases is not None
    topics = Topics("lab", "pvz-upd-0001")
    # expires in an hour from the daemon's own clock
    doc = release(expires_at=int(dt.datetime.now(dt.UTC).timestamp()) + 3600)

    async def run() -> dict[str, object]:
        central = MqttLink(client_id="test-central", host="127.0.0.1", port=broker.port, session_expiry=0)
        central.start(asyncio.get_running_loop())
        await central.wait_connected(WAIT_S)
        await central.publish(topics.release, encode(doc), 1, True)  # before the device is up: retained
        pending: asyncio.Future[dict[str, object]] = asyncio.get_running_loop().create_future()

        def on_status(msg: Inbound) -> None:
            body = json.loads(msg.payload)
            if (body.get("release") or {}).get("result") == "pending" and not pending.done():
                pending.set_result(body)

        central.subscribe(topics.status, on_status)
        stop = asyncio.Event()
        task = asyncio.create_task(service.run(stop))
        try:
            return await asyncio.wait_for(pending, WAIT_S)
        finally:
            stop.set()
            await task
            central.stop()

    status = asyncio.run(run())
    assert status["release"] == {
        "package": "pvz",
        "version": "0.2.0",
        "result": "pending",
        "reason": None,
        "running": "0.1.0",
        "sha256": doc.sha256,
        "store_set_aside": None,
        "events_set_aside": 0,
    }
    assert isinstance(service.releases.launcher, SimLauncher)
    assert service.releases.launcher.launched == [handoff / "pending.release.json"]
    assert json.loads((handoff / RUNNING).read_text())["version"]  # the first acknowledged status marked it
