"""Each configured part's state in one row for a technician: found, connected, ready, the problem and what to do.

The same rows make `pvz hw list`'s table, telemetry's `hardware_problems` and the status file
the daemon keeps beside its store (`pvz hw list` reads that file while the daemon holds the
devices, instead of opening them a second time).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from device.station_io import StationIO
from drivers.base import CellLights
from drivers.doors.base import DoorError, Doors


class Fallbacks(Protocol):
    """What of device.hardware.Hardware the rows read: the parts replaced by their simulated twin.
    A protocol, so that the runtime (which reads these rows) does not import device/hardware.py: that
    imports device/site/ (the remote doors), whose station screen imports the local screen's server,
    which imports the runtime: a cycle of packages."""

    problems: list[str]


STATUS_FILE_SUFFIX = ".hw.json"  # beside the store: pvz.db → pvz.db.hw.json
STALE_AFTER_S = 30.0  # a daemon's status file older than this is not believed (it writes every 5 s)

DO_SCANNER = "plug the scanner in (USB cable, another port), or fix path/device in [[stations.scanners]]"
DO_PRINTER_ABSENT = "switch the printer on and check its cable or network, or fix [stations.printer]"
DO_PRINTER_ERROR = "check paper, cover and cable; queued receipts print once it answers (pvz hw print-test)"
DO_DOORS = (
    "check the RS-485 adapter and bus (A/B, termination), the boards' power and addresses, or the door "
    "pins in [doors]; `pvz hw doors` reads every door without opening any (docs/doors.md)"
)
DO_FALLBACK = (
    "check the wiring and the [lights] or signal pins in config; the counter runs on a simulated twin"
)


@dataclass(frozen=True)
class PartRow:
    """One line of `pvz hw list`: None in found/connected means the backend cannot tell."""

    station: str
    device: str
    name: str
    backend: str
    found: bool | None
    connected: bool | None
    ready: bool
    problem: str | None = None
    todo: str | None = None
    detail: str | None = None  # what the part reads now, when it says (the doors open)


def rows(
    stations: Iterable[StationIO],
    rack: CellLights,
    hw: Fallbacks | None,
    *,
    look: bool,
    doors: Doors | None = None,
) -> list[PartRow]:
    """Every part's row. `look`: scanners are not being read and the doors not driven (no daemon),
    so look for them now; otherwise the doors are shown as the daemon last read them."""
    found: list[PartRow] = []
    for io in stations:
        found += [_scanner(io.name, source, look=look) for source in io.sources]
        if io.printer is not None:
            found.append(_printer(io.name, io.printer))
        for device, part in (("status light", io.status_light), ("buzzer", io.buzzer)):
            if part is not None:
                kind = str(part.status().get("kind", "?"))
                found.append(PartRow(io.name, device, device, kind, True, None, True))
    kind = str(rack.status().get("kind", "?"))
    found.append(PartRow("-", "cell lights", "rack", kind, True, None, True))
    if doors is not None:
        found.append(_doors(doors, look=look))
    for problem in [] if hw is None else hw.problems:
        found.append(PartRow("-", "fallback", "-", "sim", False, None, False, problem, DO_FALLBACK))
    return found


def _scanner(station: str, source: Any, *, look: bool) -> PartRow:
    status = source.status()
    kind = str(status.get("kind", "?"))
    if "connected" not in status:  # stdin, a script: nothing to plug in
        return PartRow(station, "scanner", source.name, kind, True, None, True)
    connected = bool(status["connected"])
    problem = status.get("last_error")
    if look and not connected:
        problem = source.absent()
        connected = problem is None
    elif not connected:
        problem = problem or "not connected: the daemon is waiting for it to be plugged in"
    else:
        problem = None
    todo = None if connected else DO_SCANNER
    return PartRow(station, "scanner", source.name, kind, connected, connected, connected, problem, todo)


def _doors(doors: Doors, *, look: bool) -> PartRow:
    if look:
        with contextlib.suppress(DoorError):  # the status below carries the reason
            doors.read_all()  # reads only: no lock is fired
    status = doors.status()
    backend = str(status.get("backend", "?"))
    online = status.get("online")
    connected = None if online is None else bool(online)
    ready = online is not False
    opened = status.get("open")
    detail = f"{status.get('doors', doors.count())} doors"
    if isinstance(opened, list) and ready:  # doors that do not answer now are not known shut
        detail += f", open: {', '.join(map(str, opened)) or 'none'}"
    problem = None if ready else str(status.get("last_error") or "the doors do not answer")
    todo = None if ready else DO_DOORS
    return PartRow("-", "doors", doors.name, backend, ready, connected, ready, problem, todo, detail)


def _printer(station: str, printer: Any) -> PartRow:
    status = printer.status()
    backend = str(status.get("backend", "sim"))
    state = status.get("state")
    if state == "ready":
        return PartRow(station, "printer", printer.name, backend, True, True, True)
    if state == "absent":
        problem = str(status.get("absent"))
        return PartRow(
            station, "printer", printer.name, backend, False, False, False, problem, DO_PRINTER_ABSENT
        )
    problem = str(status.get("last_error") or state)
    return PartRow(station, "printer", printer.name, backend, True, None, False, problem, DO_PRINTER_ERROR)


def problems(found: Iterable[PartRow]) -> list[str]:
    """One line per part that is not ready: telemetry's `hardware_problems`."""
    return [_problem(r) for r in found if not r.ready]


def _problem(row: PartRow) -> str:
    if row.device == "printer":
        return f"printer {row.station}: {row.problem}"  # one printer per station
    if row.device == "fallback":
        return str(row.problem)  # already names its part
    return f"{row.device} {row.name}: {row.problem}"


def status_file(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + STATUS_FILE_SUFFIX)


def write_status(store_path: Path, found: list[PartRow]) -> None:
    """Replace the status file beside the store in one rename, so a reader never sees half of it."""
    path = status_file(store_path)
    tmp = path.with_name(path.name + ".tmp")
    body = {"pid": os.getpid(), "written_at": time.time(), "parts": [asdict(r) for r in found]}
    tmp.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def read_status(store_path: Path, *, now: float | None = None) -> tuple[list[PartRow], str | None]:
    """The rows a running daemon wrote, and why they cannot be believed (missing, stale), if so."""
    path = status_file(store_path)
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return [], f"the daemon has not written {path} yet; wait 5 s and run again"
    age = (time.time() if now is None else now) - float(body["written_at"])
    found = [PartRow(**row) for row in body["parts"]]
    if age > STALE_AFTER_S:
        return found, f"{path} is {age:.0f} s old: the daemon (pid {body['pid']}) may be hung"
    return found, None


def daemon_pid(store_path: Path) -> int | None:
    """The pid of the live daemon holding the store's single-writer lock, or None when none does."""
    lock = store_path.with_name(store_path.name + ".lock")
    try:
        fd = os.open(lock, os.O_RDONLY)
    except OSError:
        return None
    try:
        try:
            # Shared and at once released: a daemon holds it exclusively, so this fails only then.
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            text = os.pread(fd, 32, 0).decode(errors="replace").strip()
            return int(text) if text.isdigit() else 0
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)
