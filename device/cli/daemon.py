"""`pvz demo`, `pvz sim` and `pvz run`: a simulated day, a simulated counter, the daemon itself."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
from pathlib import Path
from typing import TYPE_CHECKING

from device.cli.common import Add

if TYPE_CHECKING:
    from device.config_schema import Config
    from device.screen.server import ScreenServer

log = logging.getLogger("pvz.daemon")
# The startup line is written whatever the level (-v or not): the journal always shows what runs.
log.setLevel(logging.INFO)


def _demo(args: argparse.Namespace) -> int:
    from device.demo.day import run_demo

    result = run_demo(Path(args.out), seed=args.seed, lang=args.lang, quiet=args.quiet)
    print("\n" + json.dumps(result, ensure_ascii=False, indent=2))
    print(f"\nstore: {Path(args.out) / 'pvz.db'}  receipts: {Path(args.out) / 'receipts'}")
    return 0


def _sim(args: argparse.Namespace) -> int:
    from device.demo.sim import run_sim

    return run_sim(Path(args.store), lang=args.lang, seed=args.seed)


def _run(args: argparse.Namespace) -> int:
    from device.config import load_config
    from device.preflight import check_for_run
    from device.wiring import build_runtime, build_screen, open_store

    config_file = Path(args.config)
    config = load_config(config_file)
    if config.mqtt.host is not None:
        from sync.desired_config import DesiredConfig

        # The desired config last pushed by the central side stays in force across restarts.
        config, _ = DesiredConfig(config_file).effective()
    check_for_run(config, config_file)
    store = open_store(config, config_file, owner=True)
    log.info("%s", startup_line(config, store.path))
    try:
        runtime = build_runtime(config, config_file, store)
        screen = build_screen(config, runtime)
        runtime.start()
        stop = asyncio.Event()

        async def main() -> None:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, stop.set)
            serving = screen is not None and await start_screen(screen)
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
                if serving and screen is not None:
                    await screen.stop()

        asyncio.run(main())
    finally:
        store.close()
    return 0


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
        parts = f"scanner {scanners}, printer {st.printer.backend}, light {st.status_light.backend}"
        stations.append(f"{st.name} ({parts}, buzzer {st.buzzer.backend})")
    mqtt = "off" if config.mqtt.host is None else f"{config.mqtt.host}:{config.mqtt.port}"
    screen = config.screen.listen
    return (
        f"pvz {__version__} starting: device {config.device.id}, site {config.device.site}, "
        f"store {store_path}, stations {'; '.join(stations)}, cell lights {config.lights.backend}, mqtt {mqtt}, screen {screen}"
    )


def register(add: Add) -> None:
    p = add("demo", "run a simulated day on a fresh store, write a summary", _demo)
    p.add_argument("--out", default="demo-out", help="output directory (default: demo-out)")
    p.add_argument("--seed", type=int, default=1, help="random seed of the day (default: 1)")
    p.add_argument("--lang", choices=["ru", "en"], default="ru", help="language of messages and receipts")
    p.add_argument("--quiet", action="store_true", help="print only the summary")

    p = add("sim", "drive one simulated counter by typing or pasting codes", _sim)
    p.add_argument("--store", default="pvz-sim/pvz.db", help="store file (created with demo data if new)")
    p.add_argument("--seed", type=int, default=1, help="random seed of the demo data")
    p.add_argument("--lang", choices=["ru", "en"], default="ru")

    p = add("run", "run the device daemon with the configured backends", _run)
    p.add_argument("--config", required=True, help="device config file (TOML)")
