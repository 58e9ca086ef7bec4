"""What the site demo sees of the site while it runs: every device's retained status and telemetry
on a broker (the site's, or central's through the bridge), and waiting for what must happen."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from device.demo.site_procs import DemoError
from device.demo.site_setup import RemoteDevice
from device.demo.stage import SITE
from sync.topics import Topics
from sync.transport import Inbound, MqttLink

WAIT_S = 30.0  # what must happen (an answer, a drained outbox) does within this, or the demo says what not


class Watch:
    """The retained status and the telemetry of every device at the site, as its broker has them."""

    def __init__(self, port: int) -> None:
        self.link = MqttLink(client_id=f"demo-watch-{port}", host="127.0.0.1", port=port)
        self.seen: dict[str, dict[str, Any]] = {}
        self.link.subscribe(f"pvz/v1/{SITE}/+/status", self._keep)
        self.link.subscribe(f"pvz/v1/{SITE}/+/telemetry", self._keep)

    def _keep(self, msg: Inbound) -> None:
        with contextlib.suppress(ValueError):  # a payload that is not JSON is no device's status
            self.seen[msg.topic] = json.loads(msg.payload)

    def status(self, device: str) -> dict[str, Any]:
        return self.seen.get(Topics(SITE, device).status, {})

    def station_site(self, remote: RemoteDevice) -> dict[str, Any]:
        return dict(self.status(remote.device).get("site") or {})

    def counters(self, remote: RemoteDevice) -> dict[str, int]:
        return dict(self.station_site(remote).get("counters") or {})

    def main_reachable(self, remote: RemoteDevice) -> bool | None:
        main = self.status(remote.device).get("main") or {}
        return main.get("reachable")


async def until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not check():
        if time.monotonic() > deadline:
            raise DemoError(f"site demo: {what} did not happen within {WAIT_S:.0f} s")
        await asyncio.sleep(0.02)


def settled(watch: Watch, remote: RemoteDevice, inputs: int) -> Callable[[], bool]:
    """Every one of `inputs` read at the station has been answered or refused."""

    def check() -> bool:
        c = watch.counters(remote)
        done = c.get("answered", 0) + c.get("refused_while_main_down", 0) + c.get("given_up", 0)
        return c.get("inputs", 0) >= inputs and done >= inputs

    return check


def reachable(watch: Watch, remote: RemoteDevice, up: bool) -> Callable[[], bool]:
    """The station says the main device is (`up`) or is not reachable."""
    return lambda: watch.main_reachable(remote) is up


def count(db: Path, sql: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:  # the hub has not made its tables yet
        return 0
    finally:
        conn.close()
