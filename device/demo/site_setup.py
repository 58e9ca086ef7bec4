"""The site demo's devices on disk: the main device's store (the demo rack, clerks and the day's
supplies) and the pvz.toml of the main device and of each remote station (docs/site.md)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from device.demo.data import DemoDay, make_day
from device.demo.day import import_day, setup_site
from device.demo.stage import DEMO_DAY, DEVICE_ID, MSK, SITE
from device.store.db import Store


@dataclass(frozen=True)
class RemoteDevice:
    """One remote station's device: its id, its one station's name and kind."""

    device: str
    station: str
    kind: str = "counter"


COUNTER_1 = RemoteDevice("pvz-demo-0002", "counter-1")
COUNTER_2 = RemoteDevice("pvz-demo-0003", "counter-2")
KIOSK = RemoteDevice("pvz-demo-0004", "kiosk-1", "kiosk")
REMOTES = (COUNTER_1, COUNTER_2, KIOSK)
MAIN = DEVICE_ID
# A station says "waiting for the main device", and sends the input again, after this long: long
# enough that no input of the demo is sent twice but the one the main device died before answering.
REPLY_WAIT_S = 3.0


def main_store(directory: Path, rng: random.Random) -> tuple[bytes, DemoDay]:
    """DIRECTORY/pvz.db: the demo rack, two clerks and the day's three supplies, as the main device holds them."""
    directory.mkdir(parents=True, exist_ok=True)
    key = bytes(rng.getrandbits(8) for _ in range(32))
    plan = make_day(rng, day=DEMO_DAY)
    now = datetime(DEMO_DAY.year, DEMO_DAY.month, DEMO_DAY.day, 8, 30, tzinfo=MSK)
    with Store.open(directory / "pvz.db", owner=True) as store:
        setup_site(store)
        import_day(store, plan, key, now=now, day=DEMO_DAY)
    return key, plan


def main_config(directory: Path, *, key: bytes, port: int, lang: str, doors: str = "") -> Path:
    """The main device: the store, the rack, no station of its own, the three remote stations;
    `doors`, its [doors] table (the locker's door driver)."""
    text = f'[device]\nid = "{MAIN}"\nsite = "{SITE}"\nlanguage = "{lang}"\n[store]\npath = "pvz.db"\n'
    text += f'[security]\npickup_key = "{key.hex()}"\n'
    text += f'[mqtt]\nhost = "127.0.0.1"\nport = {port}\ntelemetry_s = 1\n[screen]\nlisten = "off"\n'
    text += doors
    text += f"[site]\nreply_wait_s = {REPLY_WAIT_S}\n"
    for remote in REMOTES:
        text += f'[[site.stations]]\nname = "{remote.station}"\ndevice = "{remote.device}"\nkind = "{remote.kind}"\n'
    path = directory / "pvz.toml"
    path.write_text(text, encoding="utf-8")
    return path


def station_config(directory: Path, remote: RemoteDevice, *, port: int, lang: str) -> Path:
    """A remote station's device (role "station"): its scanner on stdin, a sim printer, no store."""
    directory.mkdir(parents=True, exist_ok=True)
    text = f'[device]\nid = "{remote.device}"\nsite = "{SITE}"\nrole = "station"\nlanguage = "{lang}"\n'
    text += '[store]\npath = "pvz.db"\n'  # no store: its directory keeps the printed jobs' ids
    text += f'[site]\nmain = "{MAIN}"\nreply_wait_s = {REPLY_WAIT_S}\n'
    text += f'[mqtt]\nhost = "127.0.0.1"\nport = {port}\ntelemetry_s = 1\n[screen]\nlisten = "off"\n'
    text += f'[[stations]]\nname = "{remote.station}"\n'
    if remote.kind == "kiosk":
        text += 'kind = "kiosk"\n'
    text += '[[stations.scanners]]\nbackend = "stdin"\n'
    text += f'[stations.printer]\nbackend = "sim"\nout_dir = "{directory / "prints"}"\n'
    path = directory / "pvz.toml"
    path.write_text(text, encoding="utf-8")
    return path
