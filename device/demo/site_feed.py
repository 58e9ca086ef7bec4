"""The site demo's scanners: the codes each station's stdin scanner reads, at a clerk's pace, and a
kiosk customer who waits at the open door until the parcel is out before the next one steps up."""

from __future__ import annotations

import asyncio
from pathlib import Path

from device.demo.site_kiosk import KioskDay, kiosk_issued, typed
from device.demo.site_procs import Pvz
from device.demo.site_setup import KIOSK, REMOTES, RemoteDevice
from device.demo.site_watch import Watch, settled, until

SCAN_GAP_S = 0.15  # between two scans at one station: a brisk clerk, not a burst that only measures a queue

Codes = dict[RemoteDevice, list[str]]


class Feed:
    """Every station's scanner, and how many codes each has read (`fed`)."""

    def __init__(self, devices: dict[str, Pvz], watch: Watch, db: Path, kiosk: KioskDay) -> None:
        self.devices = devices
        self.watch = watch
        self.db = db  # the main device's store: where a kiosk customer's parcel is seen issued
        self.fed = dict.fromkeys((r.station for r in REMOTES), 0)
        self.parcels = {typed(o, qr=qr): len(o.parcels) for o in kiosk.prepaid for qr in (False, True)}
        self.main_up = True  # False: the kiosk's customer is refused, and waits for no door
        self.wanted = 0  # parcels the kiosk's customers have come for, while the main device was up

    async def scan(self, remote: RemoteDevice, *codes: str) -> None:
        for code in codes:
            self.devices[remote.station].scan(code)
            self.fed[remote.station] += 1
            await asyncio.sleep(SCAN_GAP_S)
            if remote is KIOSK and self.main_up and code in self.parcels:
                self.wanted += self.parcels[code]
                await until(self._served, "the kiosk's customer served")

    def _served(self) -> bool:
        """The door opened and shut on an empty cell: the parcels are issued."""
        return kiosk_issued(self.db, KIOSK.station) >= self.wanted

    async def together(self, codes: Codes) -> None:
        """The stations scan at the same time, each at its own pace."""
        await asyncio.gather(*(self.scan(remote, *each) for remote, each in codes.items()))

    async def all_settled(self, stations: tuple[RemoteDevice, ...] = REMOTES) -> None:
        for remote in stations:
            await until(
                settled(self.watch, remote, self.fed[remote.station]), f"the answers at {remote.station}"
            )
