"""A hub with an alert engine on a moved clock, on a real broker, and one simulated device that
reports to it: what the alert tests share (tests/test_alerts.py, tests/test_outbox_age.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from central.alert_rules import Rule
from central.alerts import AlertEngine
from central.hub import Hub
from central.hub_store import open_store
from central.store_api import CentralStore
from tests.support.sim_device import SimDevice
from tests.support.sync import new_link, serving, wait_until


class Clock:
    """The alert engine's clock, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Alerting:
    store: CentralStore
    engine: AlertEngine
    hub: Hub
    device: SimDevice

    @property
    def name(self) -> str:
        return self.device.topics.device


@asynccontextmanager
async def alerting_hub(tmp_path: Path, port: int, rules: list[Rule], clock: Clock) -> AsyncIterator[Alerting]:
    """The hub (its store in tmp_path/hub.db) running with `rules`, and a device whose first status
    it has; the test closes the device when it wants it gone, the store is closed after."""
    store = open_store(tmp_path / "hub.db")
    engine = AlertEngine(rules, store, clock=clock)
    link = new_link(port, "hub-1", session_expiry=60)
    hub = Hub(store, link, alerts=engine)
    link.start(asyncio.get_running_loop())
    await link.wait_connected(10)
    await asyncio.sleep(0.1)  # the SUBSCRIBE lands; the device's first status comes after
    try:
        async with serving(link, hub.run):
            device = SimDevice(tmp_path / "device", port)
            await device.start()
            name = device.topics.device
            await wait_until(lambda: name in store.statuses(), what="the device's status at the hub")
            yield Alerting(store, engine, hub, device)
    finally:
        store.close()
