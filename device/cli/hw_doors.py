"""`pvz hw doors`: every door as its sensors read now, for a technician at the locker; no lock is fired.

Refused while the daemon runs: it drives the lock bus, and a second master on RS-485 would
garble both (`pvz hw list` shows the doors as the daemon last read them).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from device import hardware_status
from device.config import load_config, resolve_path
from device.hardware import build_doors
from drivers.doors.base import DoorError, DoorReading, Doors, DoorState

_STATE = {DoorState.CLOSED: "shut", DoorState.OPEN: "OPEN", DoorState.UNKNOWN: "no sensor"}


def hw_doors(args: Any) -> int:
    """Read every door once (state, occupancy); exit 1 when the doors do not answer, 2 under a daemon."""
    if args.config is None:
        raise SystemExit("pvz hw: --config FILE is required (see docs/config.example.toml)")
    config = load_config(args.config)
    pid = hardware_status.daemon_pid(resolve_path(Path(args.config), config.store.path))
    if pid is not None:
        print(
            f"the daemon (pid {pid}) drives the doors; a second reader on the lock bus would garble both. "
            "`pvz hw list` shows the doors as the daemon last read them; or stop it (systemctl stop pvz) "
            "and run this again"
        )
        return 2
    doors = build_doors(config)
    if doors is None:
        print('no doors in this config ([doors] backend = "none")')
        return 0
    try:
        readings = doors.read_all()
    except DoorError as exc:
        print(f"the doors do not answer: {exc}")
        print(f"to do: {hardware_status.DO_DOORS}")
        return 1
    finally:
        doors.close()
    found = [_row(doors, reading) for reading in readings.values()]
    if args.json:
        print(json.dumps({"backend": config.doors.backend, "doors": found}, ensure_ascii=False, indent=2))
    else:
        print(_table(found))
    return 0


def _row(doors: Doors, reading: DoorReading) -> dict[str, Any]:
    where = getattr(doors, "where", None)
    return {
        "door": reading.door,
        "where": where(reading.door) if callable(where) else "-",
        "state": reading.state.value,
        "occupied": reading.occupied,
    }


def _table(found: list[dict[str, Any]]) -> str:
    head = ["door", "where", "state", "occupied"]
    cells = [head] + [
        [
            str(row["door"]),
            str(row["where"]),
            _STATE[DoorState(row["state"])],
            "-" if row["occupied"] is None else ("yes" if row["occupied"] else "empty"),
        ]
        for row in found
    ]
    widths = [max(len(line[i]) for line in cells) for i in range(len(head))]
    lines = [
        "  ".join(text.ljust(w) for text, w in zip(line, widths, strict=True)).rstrip() for line in cells
    ]
    opened = [str(row["door"]) for row in found if row["state"] == DoorState.OPEN.value]
    lines.append(f"{len(found)} doors; open: {', '.join(opened) or 'none'}")
    return "\n".join(lines)
