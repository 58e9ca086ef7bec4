"""A whole device's sync side on simulated drivers, for broker tests: run in-process or as a subprocess."""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import signal
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from device.config import load_config
from device.config_schema import Config
from device.runtime import Runtime
from device.station_io import StationIO
from device.store.db import Store
from device.uplink.actions import DeviceActions, DeviceContext, apply_live
from drivers.lights.sim_lights import SimCellLights, SimStatusLight
from drivers.printer.sim_printer import SimPrinter
from drivers.scanner.sim_input import ScriptSource
from sync import commands, desired_config, status
from sync.commands import Action, CommandProcessor
from sync.desired_config import DesiredConfig
from sync.diagnostics import RecentLog
from sync.topics import Topics
from sync.transport import Inbound, MqttLink, PublishProps
from tests.support import config as config_files
from tests.support.broker import Broker
from tests.support.factory import CLERK, DEVICE, SITE, new_engine, new_store, standard_manifest
from tests.support.sync import wait_until


def write_config(directory: Path, *, device: str = DEVICE, site: str = SITE) -> Path:
    """One station s1 on stdin, clerk BADGE-0001, and a policy of its own (at most five wrong codes)."""
    return config_files.write_config(
        directory, device=device, site=site, clerks={CLERK: "Анна С."}, extra="[issue]\nmax_wrong_codes = 5\n"
    )


def open_device_store(directory: Path) -> Store:
    path = directory / "pvz.db"
    if path.exists():
        return Store.open(path)
    return new_store(path, standard_manifest())


class SimDevice:
    """Store, runtime with sim drivers, desired config, the real actions, commands, status, one MqttLink."""

    def __init__(
        self,
        directory: Path,
        port: int,
        *,
        device: str = DEVICE,
        site: str = SITE,
        store: Store | None = None,
    ) -> None:
        self.config_file = write_config(directory, device=device, site=site)
        self.config = load_config(self.config_file)
        self.topics = Topics(site, device)
        self.store = store or open_device_store(directory)
        self.rack = SimCellLights()
        self.printer = SimPrinter(name="sim-s1")
        engine = new_engine(self.store, signed_in=())
        self.runtime = Runtime(
            engine,
            stations=[
                StationIO(
                    "s1",
                    sources=[ScriptSource(name="scanner-s1")],
                    printer=self.printer,
                    status_light=SimStatusLight(),
                )
            ],
            rack=self.rack,
        )
        self.recent = RecentLog()
        self.desired = DesiredConfig(self.config_file, store=self.store)
        self.ctx = DeviceContext(
            self.runtime, self.config, self.config_file, desired=self.desired, recent_log=self.recent
        )
        self.desired.on_applied = self._apply_live
        self.ctx.status = self.status
        self.calls: collections.Counter[str] = collections.Counter()
        self.actions = {name: self._counted(name, fn) for name, fn in DeviceActions(self.ctx).table().items()}
        self.processor = CommandProcessor(self.store, self.actions)
        self.link = MqttLink(
            client_id=f"dev-{site}-{device}",
            host="127.0.0.1",
            port=port,
            will=status.will(self.topics, self.config),
        )
        self.reporter = status.StatusReporter(
            self.link, self.topics, status=self.status, telemetry=self.telemetry
        )
        commands.serve(self.link, self.topics, self.processor)
        desired_config.follow(self.link, self.topics, self.desired, self._on_report)
        self.started = time.monotonic()
        self.stop = asyncio.Event()
        self._run: asyncio.Task[None] | None = None

    def _counted(self, name: str, action: Action) -> Action:
        async def run(args: dict[str, Any]) -> Any:
            self.calls[name] += 1
            return await action(args)

        return run

    def _apply_live(self, config: Config) -> None:
        apply_live(self.ctx, config)

    async def _on_report(self, _report: dict[str, Any]) -> None:
        await self.reporter.publish_status(force=True)

    def status(self) -> dict[str, Any]:
        report = self.desired.report()
        health = status.device_health(self.runtime, report)
        return status.device_status(
            self.store, self.ctx.config, config_report=report, now=datetime.now(UTC), health=health
        )

    def telemetry(self) -> dict[str, Any]:
        uptime = time.monotonic() - self.started
        return status.telemetry(self.runtime, self.store, uptime_s=uptime, now=datetime.now(UTC))

    async def start(self) -> None:
        self.link.start(asyncio.get_running_loop())
        await self.link.wait_connected(10)
        # The first status is published after the subscriptions, on one connection: once the
        # broker acknowledged it, it also holds the subscriptions (nothing sent to us is lost).
        await wait_until(lambda: self.reporter.sent["status"] > 0, what="the first status")
        self._run = asyncio.create_task(self.reporter.run(self.stop))

    async def close(self, *, goodbye: bool = True) -> None:
        self.stop.set()
        if self._run is not None:
            await self._run
        if goodbye and self.link.connected:
            await self.reporter.goodbye(self.config)
        self.link.stop()


class Central:
    """The requesting side: one reply topic, answers matched by correlation data."""

    def __init__(self, port: int) -> None:
        self.link = MqttLink(client_id=f"central-{uuid.uuid4().hex[:8]}", host="127.0.0.1", port=port)
        self.reply_topic = f"pvz/fleet/replies/{uuid.uuid4().hex}"
        self.replies: dict[bytes, asyncio.Future[tuple[dict[str, Any], Inbound]]] = {}

    async def start(self) -> None:
        self.link.start(asyncio.get_running_loop())
        await self.link.wait_connected(10)
        self.link.subscribe(self.reply_topic, self._on_reply)

    def _on_reply(self, msg: Inbound) -> None:
        future = self.replies.get(msg.prop("CorrelationData"))
        if future is not None and not future.done():
            future.set_result((json.loads(msg.payload), msg))

    async def send(self, topic: str, body: dict[str, Any], *, expiry: int | None = None) -> bytes:
        correlation = uuid.uuid4().bytes
        self.replies[correlation] = asyncio.get_running_loop().create_future()
        props = PublishProps(
            response_topic=self.reply_topic, correlation_data=correlation, message_expiry=expiry
        )
        await self.link.publish(topic, json.dumps(body).encode(), 1, False, props)
        return correlation

    async def answer(self, correlation: bytes) -> dict[str, Any]:
        body, _ = await asyncio.wait_for(self.replies[correlation], 10)
        return body

    async def ask(self, topic: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self.answer(await self.send(topic, body))


def command(name: str, args: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    body = {
        "id": str(uuid.uuid4()),
        "name": name,
        "args": args or {},
        "issued_at": datetime.now(UTC).isoformat(),
    }
    return {**body, **fields}


Scenario = Callable[[SimDevice, Central], Awaitable[None]]


def run(tmp_path: Path, broker: Broker, scenario: Scenario, store: Store | None = None) -> SimDevice:
    async def main() -> SimDevice:
        device = SimDevice(tmp_path / "device", broker.port, store=store)
        central = Central(broker.port)
        await device.start()
        await central.start()
        try:
            await scenario(device, central)
        finally:
            central.link.stop()
            await device.close()
        return device

    return asyncio.run(main())


def main() -> None:
    """Run one device until killed; print "ready" once its retained status is on the broker."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()

    async def run() -> None:
        device = SimDevice(Path(args.dir), args.port)
        await device.start()
        print("ready", flush=True)
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, device.stop.set)
        await device.stop.wait()
        await device.close()

    asyncio.run(run())


if __name__ == "__main__":
    main()
