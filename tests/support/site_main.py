"""The site's main device in a test's own process: its store stocked with a locker, its runtime
built from config, and its SiteMain serving the site broker (what tests of remote doors and news share)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from device.config import load_config
from device.config_schema import Config
from device.runtime import Runtime
from device.site.main_service import SiteMain
from device.wiring import build_runtime, open_store
from tests.support.factory import DEVICE, KEY, new_store, standard_manifest
from tests.support.locker import rack
from tests.support.site import main_config
from tests.support.sync import new_link


@contextmanager
def main_runtime(
    directory: Path, *, mqtt_port: int, remotes: str, extra: str = ""
) -> Iterator[tuple[Config, Runtime]]:
    """The main device DEVICE in DIRECTORY: the standard manifest on the locker rack, `remotes` as
    its [[site.stations]], `extra` TOML; its store closed at the end."""
    new_store(directory / "pvz.db", standard_manifest(), rack=rack()).close()
    path = main_config(
        directory, mqtt_port=mqtt_port, remotes=remotes, device=DEVICE, key=KEY.hex(), extra=extra
    )
    config = load_config(path)
    store = open_store(config, path, owner=True)
    try:
        yield config, build_runtime(config, path, store)
    finally:
        store.close()


@asynccontextmanager
async def serving(
    runtime: Runtime, config: Config, mqtt_port: int, stop: asyncio.Event
) -> AsyncIterator[SiteMain]:
    """SiteMain on its own link to the broker, connected and running until `stop`; then stopped."""
    link = new_link(mqtt_port, DEVICE)
    site = SiteMain(runtime, config, link)
    site.subscribe()
    link.start(asyncio.get_running_loop())
    await link.wait_connected(10)
    task = asyncio.create_task(site.run(stop))
    try:
        yield site
    finally:
        stop.set()
        await task
        link.stop()
