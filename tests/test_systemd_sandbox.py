"""The daemon under pvz.service's syscall filter, address families and W^X rule, on this machine.

This machine's PID 1 is not systemd, so `systemd-run --property=…` is not there; instead
tests/support/sandbox.py loads the seccomp filters systemd 252 would load for the unit (read
from the unit file itself) and execs the command. The daemon then runs a whole acceptance from
a script scanner, prints its documents and exits cleanly; the native modules it loads (msgspec,
Pillow, evdev, pyusb with libusb, lgpio, aiohttp) work with no writable-and-executable memory.
The drivers' device I/O under the same filters is checked against a real kernel in the HIL
guest (tests/hil/guest_sandbox.py).
"""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.config import example_daemon
from tests.support.lgpio_wheel import REPO, LgpioUnavailable, lgpio_path
from tests.support.sandbox import DEBIAN_PYTHON

UNIT = REPO / "systemd" / "pvz.service"


@pytest.fixture(scope="module", autouse=True)
def libseccomp_binding() -> None:
    """Debian's python3-seccomp, installed with apt when missing (as ./dev installs its packages)."""
    if list(Path(DEBIAN_PYTHON).glob("seccomp*.so")):
        return
    result = subprocess.run(
        ["apt-get", "-o", "DPkg::Lock::Timeout=900", "install", "-y", "-q", "--no-install-recommends",
         "python3-seccomp"],
        capture_output=True, text=True, timeout=900, check=False,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
    )  # fmt: skip
    assert result.returncode == 0, f"cannot install python3-seccomp: {result.stderr[-1000:]}"


def sandboxed(*argv: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tests.support.sandbox", str(UNIT), "--", *argv],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


PROBE = """
import mmap, os, socket
def errno_of(call):
    try:
        call()
    except OSError as exc:
        return exc.errno
    return 0
socket.socket(socket.AF_INET6, socket.SOCK_STREAM).close()
socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 15).close()  # udev's uevents
print(errno_of(lambda: mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)),
      errno_of(lambda: os.chroot("/")),
      errno_of(lambda: os.setpriority(os.PRIO_PROCESS, 0, 0)),
      errno_of(lambda: socket.socket(socket.AF_PACKET, socket.SOCK_RAW)))
"""


def test_the_filters_are_in_force(tmp_path: Path) -> None:
    result = sandboxed(sys.executable, "-c", PROBE, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # W+X memory, chroot (@privileged), setpriority (@resources), a packet socket: refused.
    assert result.stdout.split() == [
        str(e) for e in (errno.EPERM, errno.EPERM, errno.EPERM, errno.EAFNOSUPPORT)
    ]


def test_the_daemon_runs_an_acceptance_under_the_filters(tmp_path: Path) -> None:
    config = example_daemon(tmp_path, device="pvz-sandbox-01", site="test", prints="prints")
    result = sandboxed(sys.executable, "-m", "device.cli.main", "run", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    conn = sqlite3.connect(tmp_path / "pvz.db")
    assert conn.execute("SELECT status FROM supplies").fetchone()[0] == "closed"
    conn.close()
    assert list((tmp_path / "prints").glob("*-acceptance_act.bin"))


NATIVE = """
import io
import aiohttp, evdev, gpiozero, lgpio, msgspec, serial, usb.core
from PIL import Image, ImageDraw
from escpos.printer import Dummy
evdev.list_devices()
list(usb.core.find(find_all=True))  # libusb initialised, the bus enumerated
image = Image.new("1", (384, 64))
ImageDraw.Draw(image).text((4, 4), "PVZ-0001", fill=1)
image.save(io.BytesIO(), "PNG")
printer = Dummy()
printer.qr("PVZ-0001")
printer.text("Приём 1\\n")
assert msgspec.json.decode(b'{"a": [1]}') == {"a": [1]}
print("ok")
"""


def test_native_modules_need_no_writable_code(tmp_path: Path) -> None:
    try:
        lgpio_dir = lgpio_path()
    except LgpioUnavailable as exc:
        pytest.skip(str(exc))
    result = sandboxed(
        sys.executable, "-c", NATIVE, cwd=tmp_path,
        env={"PYTHONPATH": f"{REPO}{os.pathsep}{lgpio_dir}", "LG_WD": str(tmp_path)},
    )  # fmt: skip
    assert (result.returncode, result.stdout.splitlines()[-1:]) == (0, ["ok"]), result.stderr[-3000:]
