"""The real drivers INSIDE the HIL guest under pvz.service's syscall filter and W^X rule.

systemd cannot be PID 1 of this guest (its /init runs the scenarios), so the scenario here runs
some of guest.py's driver scenarios again in a child process that tests/support/sandbox.py has
put under what systemd 252 loads for the unit: SystemCallFilter= (with the ioctls of evdev's
grab, termios and usbfs), RestrictAddressFamilies=, MemoryDenyWriteExecute= and
NoNewPrivileges=. A driver that needed a refused system call would fail its scenario there.
Registered into tests/hil/guest.py's SCENARIOS.
"""

from __future__ import annotations

import asyncio
import errno
import json
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
UNIT = REPO / "systemd" / "pvz.service"
# The keyboard scanner (evdev grab), the serial scanner (termios), the printer through usblp and
# through pyusb (usbfs ioctls, libusb), the locker's lock boards (termios, the port's flock).
DRIVER_SCENARIOS = (
    "evdev_scanner_us",
    "serial_scanner_acm",
    "printer_file_receipt",
    "printer_usb_receipt",
    "kerong_bus_acm",
)
TIMEOUT_S = 400.0

Scenario = Callable[[], Awaitable[dict[str, Any]]]
SCENARIOS: dict[str, Scenario] = {}


class SandboxedScenarioFailed(AssertionError):
    """A driver scenario did not pass under the unit's restrictions (reported as failed)."""


# Run under the sandbox first: the filters are in force on this kernel (each refusal's errno).
PROBE = """
import mmap, os, socket
def errno_of(call):
    try:
        call()
    except OSError as exc:
        return exc.errno
    return 0
print(errno_of(lambda: mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)),
      errno_of(lambda: os.chroot("/")),
      errno_of(lambda: socket.socket(socket.AF_PACKET, socket.SOCK_RAW)))
"""


async def _sandboxed(*argv: str, cwd: Path) -> tuple[int | None, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.support.sandbox", str(UNIT), "--", *argv,
        cwd=cwd, env=dict(os.environ),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await proc.communicate()
    return proc.returncode, output.decode(errors="replace")


async def sandboxed_drivers() -> dict[str, Any]:
    """evdev, serial, usblp, pyusb and lock-board drivers pass their scenarios under the unit's seccomp filters."""
    _, probe = await _sandboxed(sys.executable, "-c", PROBE, cwd=REPO)
    refused = probe.split()
    if refused != [str(errno.EPERM), str(errno.EPERM), str(errno.EAFNOSUPPORT)]:
        raise SandboxedScenarioFailed(f"the filters are not in force (W+X mmap, chroot, AF_PACKET): {probe}")
    with tempfile.TemporaryDirectory(prefix="pvz-sandbox-") as tmp:
        job, results = Path(tmp) / "job.json", Path(tmp) / "results.json"
        job.write_text(json.dumps({"scenarios": list(DRIVER_SCENARIOS), "env": {}}), encoding="utf-8")
        returncode, output = await _sandboxed(
            sys.executable, "-m", "tests.hil.guest", str(job), str(results), cwd=REPO
        )
        if not results.exists():
            raise SandboxedScenarioFailed(
                f"the sandboxed runner wrote no results (exit {returncode}):\n{output[-3000:]}"
            )
        got = {r["name"]: r for r in json.loads(results.read_text(encoding="utf-8"))["results"]}
    statuses = {name: got.get(name, {}).get("status", "missing") for name in DRIVER_SCENARIOS}
    bad = {name: got.get(name, {}).get("details") for name, status in statuses.items() if status != "passed"}
    if bad:
        raise SandboxedScenarioFailed(
            f"under the unit's filters: {statuses}\n{json.dumps(bad, ensure_ascii=False)[:3000]}"
        )
    return {
        "refused_errnos": refused,
        "statuses": statuses,
        "seconds": {name: got[name]["seconds"] for name in DRIVER_SCENARIOS},
    }


sandboxed_drivers.timeout_s = TIMEOUT_S  # type: ignore[attr-defined]
SCENARIOS["sandboxed_drivers"] = sandboxed_drivers
