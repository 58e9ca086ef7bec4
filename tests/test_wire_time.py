"""Every time stamp a real `pvz run` puts on the wire is UTC in one form (`…+00:00`), whatever its zone."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sync.topics import Topics, replies_for, reply_topic
from sync.transport import PublishProps
from tests.support.broker import Broker
from tests.support.config import station, write_config
from tests.support.process import PVZ, ROOT
from tests.support.sim_device import command
from tests.support.sync import wait_until
from tests.test_status import Watcher

SITE = "lab"
DEVICE = "pvz-time-0001"
BADGE = "BADGE-0007"


def utc_stamp(value: Any) -> datetime:
    """A wire time stamp: a string ending in +00:00 that parses to an aware UTC moment."""
    assert isinstance(value, str) and value.endswith("+00:00"), value
    moment = datetime.fromisoformat(value)
    assert moment.utcoffset() is not None and moment.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    return moment


def test_status_telemetry_events_replies_and_outcomes_carry_utc(tmp_path: Path, broker: Broker) -> None:
    # The site is in Moscow (the default zone), three hours east of UTC: the engine's clock is too.
    mqtt = f'[mqtt]\nhost = "127.0.0.1"\nport = {broker.port}\ntelemetry_s = 1\n'
    config = write_config(
        tmp_path, device=DEVICE, site=SITE, stations=station("s1"), clerks={BADGE: "Ида К."}, extra=mqtt
    )
    seen = asyncio.run(_run_device(config, broker.port))
    assert seen["status"]["online"] is True
    assert seen["outcome"]["outcome"] == "rejected"
    assert seen["events"]["events"][0]["kind"] == "signed_in"
    stamps = [seen[kind]["ts"] for kind in ("status", "telemetry", "outcome", "goodbye")]
    stamps += [seen["reply"]["result"]["time"]]
    stamps += [event["ts"] for event in seen["events"]["events"]]
    now = datetime.now(UTC)
    assert all(abs((now - utc_stamp(ts)).total_seconds()) < 120 for ts in stamps)
    assert seen["goodbye"]["online"] is False and seen["goodbye"]["reason"] == "shutdown"


async def _run_device(config: Path, port: int) -> dict[str, Any]:
    """`pvz run` as a process; a badge on its stdin, a ping and a bad manifest over the broker;
    one message of each kind collected, then the goodbye after SIGTERM."""
    topics = Topics(SITE, DEVICE)
    replies = reply_topic(SITE, DEVICE, "t1")
    watcher = Watcher(port)
    await watcher.start(topics.status, topics.telemetry, topics.events, topics.outcome, replies_for("t1"))
    proc = subprocess.Popen(
        [*PVZ, "run", "--config", str(config)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdin is not None
        proc.stdin.write(f"{BADGE}\n")
        proc.stdin.flush()
        online = lambda: (watcher.last(topics.status) or {}).get("online") is True  # noqa: E731
        await wait_until(online, 30, "the online status")
        props = PublishProps(response_topic=replies, correlation_data=b"c1")
        await watcher.link.publish(topics.cmd, json.dumps(command("ping")).encode(), 1, False, props)
        await watcher.link.publish(topics.manifest, b'{"id": "m-1"}', 1, False)
        seen = {
            "status": watcher.last(topics.status),
            "reply": await wait_until(lambda: watcher.last(replies), 20, "a reply"),
            "outcome": await wait_until(lambda: watcher.last(topics.outcome), 20, "an outcome"),
            "telemetry": await wait_until(lambda: watcher.last(topics.telemetry), 20, "telemetry"),
            "events": await wait_until(lambda: watcher.last(topics.events), 20, "an events batch"),
        }
        proc.send_signal(signal.SIGTERM)
        offline = lambda: (watcher.last(topics.status) or {}).get("online") is False  # noqa: E731
        await wait_until(offline, 20, "the goodbye")
        seen["goodbye"] = watcher.last(topics.status)
        await asyncio.to_thread(proc.wait, 20)
        assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
        return seen
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        watcher.link.stop()
