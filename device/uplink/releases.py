"""Releases on the daemon's MQTT link: follow the retained `release` topic, report the outcome in the
status, and mark the daemon as running once its first status after READY reached the broker."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from device import __version__
from device.config import resolve_path
from device.config_schema import Config
from device.update.follow import Launcher, PathUnitLauncher, ReleaseFollower, SimLauncher, mark_running
from device.update.release import load_public_key
from sync.topics import Topics
from sync.transport import Inbound, MqttLink


class Releases:
    """Built only when [update] public_key is set: without a key the device takes no releases."""

    def __init__(
        self,
        config: Config,
        config_file: Path,
        *,
        clock: Callable[[], dt.datetime],
        launcher: Launcher | None = None,
    ) -> None:
        self.handoff_dir = resolve_path(config_file, config.update.handoff_dir)
        if launcher is None:
            launcher = SimLauncher() if config.update.launcher == "sim" else PathUnitLauncher()
        self.launcher = launcher
        self.follower = ReleaseFollower(
            key=load_public_key(config.update.public_key),
            keep_dir=resolve_path(config_file, config.update.keep_dir),
            handoff_dir=self.handoff_dir,
            launcher=launcher,
            clock=clock,
        )
        self._marked = False

    def follow(self, link: MqttLink, topics: Topics, on_report: Callable[[], Awaitable[Any]]) -> None:
        async def on_release(msg: Inbound) -> None:
            # Files are written: off the loop.
            outcome = await asyncio.get_running_loop().run_in_executor(
                None, self.follower.on_release, msg.payload
            )
            if outcome is not None:
                await on_report()

        link.subscribe(topics.release, on_release, qos=1)

    def report(self) -> dict[str, Any] | None:
        return self.follower.report()

    def on_status_published(self, _message: dict[str, Any]) -> None:
        """The first status the broker acknowledged (the daemon said READY before sync started):
        the mark an installer waiting on this restart looks for."""
        if not self._marked:
            mark_running(self.handoff_dir, __version__)
            self._marked = True
