"""`pvz run` on a remote station: the drivers opened, READY and the watchdog as for the main daemon
(device/supervision/), until SIGTERM or SIGINT; no store is opened, there is none."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from pathlib import Path

from device.config_schema import Config
from device.site_station.daemon import StationDaemon
from device.supervision.notify import Notifier, watchdog_period_s
from device.supervision.watchdog import Watchdog

log = logging.getLogger("pvz.daemon")


def run_station(config: Config, config_file: Path, notifier: Notifier) -> int:
    notifier.set_status("starting: opening the drivers")
    daemon = StationDaemon(config, config_file)
    log.info("%s", startup_line(config))
    try:
        asyncio.run(serve(daemon, notifier))
    finally:
        notifier.close()
    return 0


def startup_line(config: Config) -> str:
    from device import __version__

    mqtt = config.mqtt
    stations = ", ".join(st.name for st in config.stations)
    return (
        f"pvz {__version__} starting: remote station device {config.device.id}, site {config.device.site}, "
        f"main device {config.site.main}, stations {stations}, doors {config.doors.backend}, "
        f"site broker {mqtt.host}:{mqtt.port}"
    )


def ready_line(daemon: StationDaemon) -> str:
    count = len(daemon.stations)
    main = "main device reachable" if daemon.main_up() else "main device NOT reachable"
    return f"ready: remote station, {count} station{'' if count == 1 else 's'}, {main}"


async def serve(daemon: StationDaemon, notifier: Notifier) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def stopping() -> None:
        notifier.stopping()
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping)
    period = watchdog_period_s(os.environ)
    watchdog = Watchdog(notifier, period_s=period, inputs=daemon, status=lambda: ready_line(daemon))
    watchdog.ready()
    watching = asyncio.create_task(watchdog.run(), name="watchdog")
    try:
        await daemon.run(stop)
    finally:
        notifier.stopping()
        watching.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watching
