"""The device's sync: one MQTT link carrying the outbox, the inbox, commands, desired config, status."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from pathlib import Path
from typing import Any

from device.config import resolve_path
from device.config_schema import Config
from device.engine import Result
from device.runtime import Runtime
from device.site.main_service import SiteMain
from device.uplink.actions import DeviceActions, DeviceContext, apply_live
from device.uplink.releases import Releases
from sync import commands, desired_config, diagnostics
from sync.commands import CommandProcessor
from sync.desired_config import DesiredConfig
from sync.inbox_service import InboxService
from sync.publisher import Publisher
from sync.status import StatusReporter, device_health, device_status, telemetry, will
from sync.topics import Topics, reply_topic
from sync.transport import MqttLink, TlsSettings

log = logging.getLogger("pvz.sync")

FINAL_SYNC_S = 5.0  # at shutdown, how long to wait for the central side's last acks


class SyncService:
    """Built from config when `[mqtt] host` is set; the device works the same without it."""

    def __init__(self, runtime: Runtime, config: Config, config_file: Path) -> None:
        self.runtime = runtime
        self.config = config
        self.store = runtime.engine.store
        self.topics = Topics(config.device.site, config.device.id)
        mqtt = config.mqtt
        assert mqtt.host is not None
        tls = None
        if mqtt.ca_file and mqtt.cert_file and mqtt.key_file:
            tls = TlsSettings(
                *(resolve_path(config_file, f) for f in (mqtt.ca_file, mqtt.cert_file, mqtt.key_file))
            )
        self.link = MqttLink(
            client_id=config.device.id,
            host=mqtt.host,
            port=mqtt.port,
            keepalive=mqtt.keepalive_s,
            tls=tls,
            will=will(self.topics, config),
        )
        self.started = time.monotonic()
        self.publisher = Publisher(self.store, self.link, self.topics)
        self.inbox = InboxService(
            self.store,
            device_id=config.device.id,
            clock=runtime.engine.clock,
            on_written=self.publisher.notify,
        )
        self.inbox.subscribe(self.link, self.topics)
        # The site's main device serves its remote stations on this same link: [mqtt] host is the
        # site broker (docs/site.md).
        self.site: SiteMain | None = None
        if config.site.stations:
            self.site = SiteMain(runtime, config, self.link)
            self.site.subscribe()
            runtime.site = self.site
        self.desired = DesiredConfig(config_file, store=self.store)
        self.recent = diagnostics.RecentLog()
        logging.getLogger().addHandler(self.recent)
        ctx = DeviceContext(
            runtime=runtime,
            config=config,
            config_file=config_file,
            desired=self.desired,
            recent_log=self.recent,
            status=self.status,
            sync_now=self.sync_now,
        )
        self.ctx = ctx
        # A pushed config takes effect now where it can (language, returns, clerks), else at restart.
        self.desired.on_applied = self._apply_live
        replies = reply_topic(self.topics.site, self.topics.device, "")
        self.commands = CommandProcessor(self.store, DeviceActions(ctx).table(), reply_prefix=replies)
        commands.serve(self.link, self.topics, self.commands)
        self.releases: Releases | None = None
        if config.update.public_key:
            self.releases = Releases(config, config_file, clock=runtime.engine.clock)
            self.releases.follow(self.link, self.topics, self._on_release_report)
        self.reporter = StatusReporter(
            self.link,
            self.topics,
            status=self._status_message,
            telemetry=self._telemetry,
            period_s=mqtt.telemetry_s,
            on_published=self.releases.on_status_published if self.releases else None,
        )
        desired_config.follow(self.link, self.topics, self.desired, self._on_config_report)
        self._previous = runtime.on_result
        runtime.on_result = self._on_result

    def _apply_live(self, config: Config) -> None:
        report = apply_live(self.ctx, config)
        log.info("desired config in force: %s", report)

    def _on_result(self, result: Result) -> None:
        """Every committed scan may have written events: wake the publisher at once."""
        if self._previous is not None:
            self._previous(result)
        self.publisher.notify()

    def _status_message(self) -> dict[str, Any]:
        report = self.desired.report()
        message = device_status(
            self.store,
            self.ctx.config,
            config_report=report,
            now=self.runtime.engine.clock(),
            health=device_health(self.runtime, report),
        )
        if self.releases is not None:
            message["release"] = self.releases.report()
        return message

    def _telemetry(self) -> dict[str, Any]:
        uptime = time.monotonic() - self.started
        return telemetry(self.runtime, self.store, uptime_s=uptime, now=self.runtime.engine.clock())

    async def _on_config_report(self, _report: dict[str, Any]) -> None:
        await self.reporter.publish_status(force=True)

    async def _on_release_report(self) -> None:
        await self.reporter.publish_status(force=True)

    async def sync_now(self) -> dict[str, Any]:
        self.publisher.notify()
        return self.publisher.status()

    def status(self) -> dict[str, Any]:
        return {
            "link": self.link.status(),
            "outbox": self.publisher.status(),
            "inbox": self.inbox.status(),
        }

    async def _flush(self) -> None:
        """At shutdown, give the central side a moment to ack what is written; the rest waits.

        Only over a link that is up: waiting for a broker that does not answer would only
        delay the stop, and the outbox keeps every unacknowledged event for the next start.
        """
        if not self.link.connected:
            log.info("shutdown: the MQTT link is down; unsent events wait in the outbox for the next start")
            return
        last = self.publisher.outbox.last_seq()
        deadline = time.monotonic() + FINAL_SYNC_S
        while self.link.connected and self.publisher.outbox.acked() < last and time.monotonic() < deadline:
            self.publisher.notify()
            await asyncio.sleep(0.05)

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop`: connect (and reconnect), send, receive; then say goodbye and disconnect."""
        self.link.start(asyncio.get_running_loop())
        # The tasks stop after the final flush, not with the runtime: the last acks count.
        inner = asyncio.Event()
        tasks = [
            asyncio.create_task(self.publisher.run(inner), name="sync-publisher"),
            asyncio.create_task(self.reporter.run(inner), name="sync-status"),
        ]
        if self.site is not None:
            tasks.append(asyncio.create_task(self.site.run(inner), name="site-main"))
        try:
            await stop.wait()
            await self._flush()
        finally:
            inner.set()
            if self.link.connected:
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self.reporter.goodbye(self.config), 5)
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            self.link.stop()
            logging.getLogger().removeHandler(self.recent)
