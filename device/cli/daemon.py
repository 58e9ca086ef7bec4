"""`pvz demo`, `pvz sim` and `pvz run`: a simulated day, a simulated counter, the daemon itself."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from device.cli.common import Add

if TYPE_CHECKING:
    from device.config_schema import Config
    from device.runtime import Runtime
    from device.screen.server import ScreenServer
    from device.supervision.notify import Notifier

log = logging.getLogger("pvz.daemon")
# The startup line is written whatever the level (-v or not): the journal always shows what runs.
log.setLevel(logging.INFO)


def _demo(args: argparse.Namespace) -> int:
    if args.site:
        from device.demo.site_day import run_site_demo as run_demo
    elif args.kiosk:
        from device.demo.kiosk_day import run_kiosk_demo as run_demo
    else:
        from device.demo.day import run_demo

    result = run_demo(Path(args.out), seed=args.seed, lang=args.lang, quiet=args.quiet)
    print("\n" + json.dumps(result, ensure_ascii=False, indent=2))
    if args.site:  # each station device prints on its own printer, into its own folder
        print(f"\nstore: {Path(args.out) / 'main' / 'pvz.db'}  prints: {Path(args.out) / '*' / 'prints'}")
    else:
        print(f"\nstore: {Path(args.out) / 'pvz.db'}  receipts: {Path(args.out) / 'receipts'}")
    return 0


def _sim(args: argparse.Namespace) -> int:
    from device.demo.sim import run_sim

    return run_sim(Path(args.store), lang=args.lang, seed=args.seed)


def config_for_run(config_file: Path) -> Config:
    """The config the daemon runs with, checked before any device is opened."""
    from device.config import load_config
    from device.preflight import check_for_run

    config = load_config(config_file)
    if config.mqtt.host is not None:
        from sync.desired_config import DesiredConfig

        # The desired config last pushed by the central side stays in force across restarts.
        config, _ = DesiredConfig(config_file).effective()
    check_for_run(config, config_file)
    return config


def _run(args: argparse.Namespace) -> int:
    from device.supervision.notify import Notifier
    from device.wall_clock import ClockTrust
    from device.wiring import build_runtime, build_screen, open_store

    notifier = Notifier.from_environ()
    config_file = Path(args.config)
    config = config_for_run(config_file)
    if config.device.role == "station":
        from device.site_station.run import run_station

        return run_station(config, config_file, notifier)  # no store: the main device decides
    notifier.set_status("starting: opening the store")
    store = open_store(config, config_file, owner=True)
    store.defer_checkpoints()
    log.info("%s", startup_line(config, store.path))
    clean = False
    try:
        notifier.set_status("starting: opening the drivers")
        runtime = build_runtime(config, config_file, store, clock_trust=ClockTrust.for_store(store))
        screen = build_screen(config, runtime)
        notifier.set_status("starting: redrawing the lights and recovering the print queue")
        # Queued prints and a backlog of overdue parcels are handled after READY, off the scan path.
        runtime.start(background=True)
        asyncio.run(serve(config, config_file, runtime, screen, notifier))
        # Stopped by a signal or the end of input, with no damage found: the next start may
        # skip the quick check (Store.check_after_last_stop). Any other way out leaves it due.
        clean = runtime.integrity.last_ok is not False
    finally:
        if clean:
            store.close_cleanly(datetime.now(UTC).isoformat(timespec="seconds"))
        else:
            store.close()
        notifier.close()
    return 0


async def serve(
    config: Config, config_file: Path, runtime: Runtime, screen: ScreenServer | None, notifier: Notifier
) -> None:
    """The daemon's loop: signals, the screen, READY and the watchdog, the counter and sync."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def stopping() -> None:
        notifier.stopping()  # at once: the last prints may still take FINAL_PRINT_S
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping)
    if screen is not None:
        notifier.set_status("starting: opening the screen")
    serving = screen is not None and await start_screen(screen)
    watching = supervise(notifier, runtime, ready_line(config, serving, screen))
    try:
        if config.mqtt.host is None:
            await runtime.run(stop=stop)
            return
        from device.uplink.service import SyncService

        sync = SyncService(runtime, config, config_file)
        syncing = asyncio.create_task(sync.run(stop))
        await runtime.run(stop=stop)
        stop.set()
        await syncing
    finally:
        notifier.stopping()
        watching.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watching
        if serving and screen is not None:
            await screen.stop()


def supervise(notifier: Notifier, runtime: Runtime, ready: str) -> asyncio.Task[None]:
    """READY=1 now (the store is open, the drivers started, the screen listens or cannot), then
    the watchdog task on this loop: pings while healthy, STATUS kept current."""
    from device.supervision.notify import watchdog_period_s
    from device.supervision.watchdog import Watchdog

    def status() -> str:
        if runtime.clock_trusted():
            return ready
        return f"{ready}; waiting for the clock to be set (deadlines not swept)"

    period = watchdog_period_s(os.environ)
    watchdog = Watchdog(notifier, period_s=period, inputs=runtime, status=status)
    watchdog.ready()
    if notifier.enabled:
        log.info("systemd notified: ready%s", "" if period is None else f", watchdog every {period / 2:g} s")
    return asyncio.create_task(watchdog.run(), name="watchdog")


def ready_line(config: Config, serving: bool, screen: ScreenServer | None) -> str:
    """What the daemon does, for `systemctl status`: its stations, its screen, its uplink."""
    count = len(config.stations)
    stations = f"{count} station{'' if count == 1 else 's'}"
    if screen is None:
        shown = "screen off"
    elif serving:
        shown = f"screen on {screen.host}:{screen.port}"
    else:
        shown = f"screen failed on {screen.host}:{screen.port}"
    mqtt = "mqtt off" if config.mqtt.host is None else f"mqtt {config.mqtt.host}:{config.mqtt.port}"
    return f"ready: {stations}, {shown}, {mqtt}"


async def start_screen(screen: ScreenServer) -> bool:
    """Listen for the stations' pages; a port that is taken leaves the counter working headless."""
    try:
        await screen.start()
    except OSError as exc:
        log.error(
            "screen: cannot listen on %s:%d (%s); the counter works on lights and sound. "
            "Free the port or change [screen] listen",
            screen.host,
            screen.port,
            exc.strerror or exc,
        )
        return False
    return True


def startup_line(config: Config, store_path: Path | None) -> str:
    """Version, store, each station's backends, lights and sync: what a technician checks first."""
    from device import __version__

    stations = []
    for st in config.stations:
        scanners = "+".join(s.backend for s in st.scanners)
        kind = st.kind or ("kiosk" if config.device.role == "kiosk" else "counter")
        parts = f"{kind}, scanner {scanners}, printer {st.printer.backend}, light {st.status_light.backend}"
        stations.append(f"{st.name} ({parts}, buzzer {st.buzzer.backend})")
    mqtt = "off" if config.mqtt.host is None else f"{config.mqtt.host}:{config.mqtt.port}"
    screen = config.screen.listen
    doors: str = config.doors.backend
    if doors != "none":
        doors += f" (zone {config.doors.zone})"
    speaker = config.kiosk.speaker or "none"
    return (
        f"pvz {__version__} starting: device {config.device.id}, site {config.device.site}, "
        f"store {store_path}, stations {'; '.join(stations)}, cell lights {config.lights.backend}, "
        f"doors {doors}, speaker {speaker}, mqtt {mqtt}, screen {screen}"
    )


def register(add: Add) -> None:
    p = add("demo", "run a simulated day on a fresh store, write a summary", _demo)
    p.add_argument("--out", default="demo-out", help="output directory (default: demo-out)")
    p.add_argument("--seed", type=int, default=1, help="random seed of the day (default: 1)")
    p.add_argument("--lang", choices=["ru", "en"], default="ru", help="language of messages and receipts")
    p.add_argument("--quiet", action="store_true", help="print only the summary")
    p.add_argument(
        "--kiosk", action="store_true", help="a self-service kiosk's day at a parcel locker instead"
    )
    p.add_argument(
        "--site",
        action="store_true",
        help="two counters and a kiosk on devices of their own at one site, bridged to central",
    )

    p = add("sim", "drive one simulated counter by typing or pasting codes", _sim)
    p.add_argument("--store", default="pvz-sim/pvz.db", help="store file (created with demo data if new)")
    p.add_argument("--seed", type=int, default=1, help="random seed of the demo data")
    p.add_argument("--lang", choices=["ru", "en"], default="ru")

    p = add("run", "run the device daemon with the configured backends", _run)
    p.add_argument("--config", required=True, help="device config file (TOML)")
