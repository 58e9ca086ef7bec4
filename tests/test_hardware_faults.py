"""Hardware that fails mid-day: the daemon goes on where it safely can, the store is never half
changed, the clerk is told by pvz's own message keys.

Covered elsewhere, with real parts, and not repeated here: a printer that disappears mid-job
(tests/test_escpos_printer.py: the reader of the device node gone mid-job, a network printer
hanging up), paper out (test_escpos_printer.py, test_restart.py), garbage on a serial scanner
line and a scanner unplugged in the middle of a code (tests/test_serial_scanner.py, on a pty).

Here: a broker that accepts the connection and never answers (a TCP server that reads and says
nothing); a disk that fills up: a real 4 MiB tmpfs mounted for the test, so SQLite meets the
kernel's own ENOSPC; and a store made read-only mid-day the way an SD card's filesystem goes
read-only: an ext4 image on a loop device mounted `errors=remount-ro`, whose error is
triggered through ext4's own /sys/fs/ext4/<dev>/trigger_fs_error, so the kernel turns it
read-only under the open store (a plain `mount -o remount,ro` is refused with EBUSY while
the store is open for writing). Mounting needs root: without it these tests are skipped.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from device.runtime import Runtime
from device.station_io import StationIO
from device.store.db import Store
from drivers.base import Color
from drivers.lights.sim_lights import SimCellLights, SimStatusLight
from tests.support.crash_checks import digest
from tests.support.day import Day, build_template
from tests.support.factory import new_engine, new_store, standard_manifest
from workflows.inputs import Command

BOX = "BOX00000001"


class SilentBroker:
    """Accepts TCP connections and reads whatever comes, answering nothing (not even CONNACK)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.received = 0
        self._conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = self.sock.accept()
                self._conns.append(conn)
                threading.Thread(target=self._read, args=(conn,), daemon=True).start()

    def _read(self, conn: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := conn.recv(4096):
                self.received += len(data)

    def close(self) -> None:
        self.sock.close()
        for conn in self._conns:
            conn.close()


def test_a_broker_that_never_answers_does_not_hold_up_the_counter(tmp_path: Path) -> None:
    broker = SilentBroker()
    template = build_template(tmp_path / "template.db", 4)
    day = Day(tmp_path / "device", template, broker.port)
    try:
        assert day.start()  # READY is not held back by MQTT (docs/supervision.md)
        assert day.run(80) and day.counts.scans == 80 and not day.exhausted
        day.stop()  # and it stops at the end of input, the link still waiting
    finally:
        day.close()
        broker.close()
    assert broker.received > 0  # it did connect: the silence is what it met


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def counter(db: Path) -> tuple[Store, Runtime, SimStatusLight]:
    store = new_store(db, standard_manifest())
    light = SimStatusLight()
    runtime = Runtime(new_engine(store), stations=[StationIO("s1", status_light=light)], rack=SimCellLights())
    runtime.start()
    return store, runtime, light


def fill(disk: Path) -> Path:
    """Write a file until the disk is full; return it.

    Unbuffered: a buffered file keeps the bytes the full disk refused and fails again when closed.
    """
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as f, contextlib.suppress(OSError):
        while True:
            f.write(b"\0" * 65536)
    return filler


def test_a_full_disk_refuses_the_scan_whole_and_the_counter_goes_on_once_there_is_room(
    small_disk: Path,
) -> None:
    store, runtime, light = counter(small_disk / "pvz.db")
    try:
        assert runtime.process("s1", BOX).feedback.msg.key == "acc_package_accepted"
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        before = digest(store)
        filler = fill(small_disk)
        refused = 0
        for code in ["11111111-0001-1", "22222222-0001-1", "22222222-0002-1"] * 5:
            r = runtime.process("s1", code)
            if r.feedback.msg.key == "internal_error":
                refused += 1
                assert light.color is Color.RED  # the clerk sees it at once
        filler.unlink()
        assert refused > 0, "the disk never filled up"
        # nothing of a refused scan is in the store: each scan was all or nothing
        assert store.scalar("PRAGMA integrity_check") == "ok"
        accepted = store.scalar("SELECT count(*) FROM journal WHERE kind = 'accepted'")
        assert accepted == store.scalar("SELECT count(*) FROM parcels WHERE state = 'accepted'") <= 3
        r = runtime.process("s1", Command.DONE.barcode)
        assert r.feedback.msg.key in ("acc_confirm_close", "acc_closed"), r.feedback.msg.key
        assert digest(store) != before
    finally:
        store.close()


@pytest.fixture
def sd_card(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    """An ext4 filesystem on a loop device, mounted as the Pi's card is: (mount point, the file
    that makes the kernel treat it as failing)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a loop device needs root")
    image, mount = tmp_path / "card.img", tmp_path / "card"
    mount.mkdir()
    with image.open("wb") as f:
        f.truncate(16 << 20)
    subprocess.run(["mkfs.ext4", "-q", "-F", str(image)], check=True)
    subprocess.run(["mount", "-o", "loop,errors=remount-ro", str(image), str(mount)], check=True)
    try:
        source = subprocess.run(
            ["findmnt", "-n", "-o", "SOURCE", str(mount)], capture_output=True, text=True, check=True
        ).stdout.strip()
        yield mount, Path("/sys/fs/ext4") / Path(source).name / "trigger_fs_error"
    finally:
        while subprocess.run(["mountpoint", "-q", str(mount)], check=False).returncode == 0:
            subprocess.run(["umount", str(mount)], check=True)


def test_a_store_made_read_only_mid_day_refuses_scans_and_keeps_what_was_committed(
    sd_card: tuple[Path, Path],
) -> None:
    mount, trigger = sd_card
    store, runtime, light = counter(mount / "pvz.db")
    assert runtime.process("s1", BOX).feedback.msg.key == "acc_package_accepted"
    assert runtime.process("s1", "11111111-0001-1").feedback.msg.key == "acc_parcel_accepted"
    before = digest(store)
    trigger.write_text("1")  # the kernel makes the filesystem read-only under the open store
    for code in ["22222222-0001-1", "22222222-0002-1", Command.DONE.barcode]:
        r = runtime.process("s1", code)  # the counter goes on answering: each scan refused
        assert r.feedback.msg.key == "internal_error" and light.color is Color.RED, r.feedback.msg.key
    store.close()
    # the card taken out and mounted again, as after a reboot
    subprocess.run(["umount", str(mount)], check=True)
    subprocess.run(["mount", "-o", "loop", str(mount.with_name("card.img")), str(mount)], check=True)
    with Store.open(mount / "pvz.db") as again:
        assert again.scalar("PRAGMA integrity_check") == "ok"
        assert digest(again) == before  # every answered scan is there, nothing of the refused ones
