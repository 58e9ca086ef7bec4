"""A real Mosquitto broker for tests: started on a free port with its own config, stopped after."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Broker:
    """One mosquitto process; `restart()` keeps the port, config and persistence file."""

    def __init__(
        self, workdir: Path, *, extra: str = "", port: int | None = None, nodelay: bool = False
    ) -> None:
        self.workdir = workdir
        self.nodelay = nodelay  # set_tcp_nodelay: small packets go out at once, as a site broker needs
        self.port = port or free_port()
        self.extra = extra
        self.proc: subprocess.Popen[bytes] | None = None
        self.config = workdir / "mosquitto.conf"
        self.log = workdir / "mosquitto.log"

    def write_config(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        lines = [
            f"listener {self.port} 127.0.0.1",
            "allow_anonymous true",
            "persistence true",
            f"persistence_location {self.workdir}/",
            "max_queued_messages 100000",
            "max_inflight_messages 100",
            f"log_dest file {self.log}",
            "log_type error",
            "log_type warning",
        ]
        if self.nodelay:
            lines.append("set_tcp_nodelay true")
        if self.extra:
            lines = [ln for ln in lines if not ln.startswith(("listener", "allow_anonymous"))] + [self.extra]
        self.config.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def start(self) -> None:
        self.write_config()
        self.proc = subprocess.Popen([MOSQUITTO, "-c", str(self.config)], stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(
                    f"mosquitto exited: {err} {self.log.read_text() if self.log.exists() else ''}"
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"mosquitto did not listen on {self.port}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()


@contextmanager
def running_broker(workdir: Path, *, extra: str = "") -> Iterator[Broker]:
    broker = Broker(workdir, extra=extra)
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()
