"""The site demo's running parts as processes, the way a site runs them: Debian's mosquitto (the
site broker and the central one), `pvz-central hub` and `pvz-central site-bridge`, and `pvz run`
for the main device and each remote station, every one on a free port in the demo's directory.

Central's tools run as their own processes: nothing on a device imports `central`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

from device.exc import PvzError

ROOT = Path(__file__).resolve().parents[2]
START_S = 10.0  # a broker listens within this long, or the demo stops with the reason
STOP_S = 15.0


class DemoError(PvzError, RuntimeError):
    """A part of the site demo could not run (mosquitto missing, a process that would not start)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env() -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }


class Mosquitto:
    """One mosquitto process with its own config, persistence and log under `workdir`, on one port
    it keeps across stop() and start() (the central broker goes away for the uplink's cut)."""

    def __init__(self, workdir: Path, *, extra: str = "") -> None:
        exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        if not Path(exe).exists():
            raise DemoError("the site demo needs Debian's mosquitto (apt-get install mosquitto)")
        self.exe = exe
        self.workdir = workdir
        self.port = free_port()
        self.extra = extra
        self.proc: subprocess.Popen[bytes] | None = None
        workdir.mkdir(parents=True, exist_ok=True)
        lines = [
            f"listener {self.port} 127.0.0.1",
            "allow_anonymous true",
            "persistence true",
            f"persistence_location {workdir}/",
            f"log_dest file {workdir}/mosquitto.log",
            "log_type error",
            "log_type warning",
        ]
        if os.geteuid() == 0:  # else mosquitto switches to its own user, who may not read the directory
            lines.append("user root")
        (workdir / "mosquitto.conf").write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.exe, "-c", str(self.workdir / "mosquitto.conf")], stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + START_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise DemoError(f"mosquitto exited: see {self.workdir / 'mosquitto.log'}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.02)
        raise DemoError(f"mosquitto did not listen on {self.port}")

    def stop(self) -> None:
        stop(self.proc)
        self.proc = None


def stop(proc: subprocess.Popen[bytes] | subprocess.Popen[str] | None) -> None:
    """SIGTERM, then SIGKILL if it does not end in time."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(STOP_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(STOP_S)


def central_tool(*args: str) -> str:
    """`pvz-central ARGS` to its end; its standard output."""
    done = subprocess.run(
        [sys.executable, "-m", "central.cli", *args],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0:
        raise DemoError(f"pvz-central {args[0]} failed: {done.stderr.strip()}")
    return done.stdout


def start_hub(port: int, db: Path, site: str, log: IO[str]) -> subprocess.Popen[str]:
    """`pvz-central hub` on the central broker: stores each event once, acks it."""
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "central.cli", "hub", "--broker", f"127.0.0.1:{port}"),
            *("--db", str(db), "--site", site, "--client-id", "demo-hub"),
        ],
        cwd=ROOT,
        env=_env(),
        stdout=log,
        stderr=log,
        text=True,
    )


class Pvz:
    """`pvz run --config FILE`: its stdin is the stdin scanner of its one station (if it has one)."""

    def __init__(self, config: Path, log: IO[str]) -> None:
        self.config = config
        self.log = log
        self.proc: subprocess.Popen[str] | None = None

    def start(self, *, crash: str = "") -> None:
        """Start it; `crash` arms a crash point (PVZ_CRASH, device/crash_points.py)."""
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "device.cli.main", "-v", "run", "--config", str(self.config)],
            cwd=ROOT,
            env={**_env(), "PVZ_CRASH": crash},
            stdin=subprocess.PIPE,
            stdout=self.log,
            stderr=self.log,
            text=True,
        )

    def scan(self, *codes: str) -> None:
        """Codes read by the station's scanner, one a line."""
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write("".join(f"{c}\n" for c in codes))
        self.proc.stdin.flush()

    def wait_exit(self) -> None:
        """Until the process has ended by itself (a crash point it was started with)."""
        assert self.proc is not None
        try:
            self.proc.wait(STOP_S)
        except subprocess.TimeoutExpired as exc:
            raise DemoError("the main device did not stop at its crash point") from exc

    def stop(self) -> None:
        if self.proc is not None and self.proc.stdin is not None:
            self.proc.stdin.close()
        stop(self.proc)
        self.proc = None
