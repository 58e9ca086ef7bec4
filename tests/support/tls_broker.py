"""The test broker run with the TLS config and ACL that `pvz-central pki` renders."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

from central import pki
from tests.support.broker import Broker

WAIT_S = 10.0  # how long a client waits for what must come; nothing waits for what must not


class TlsBroker(Broker):
    """The test broker run with the config that `pvz-central pki` renders, reading the files of DIR/broker/."""

    def __init__(self, pki_dir: Path, workdir: Path) -> None:
        super().__init__(workdir)
        self.pki_dir = pki_dir

    def write_config(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        conf = pki.render_broker_conf(
            self.pki_dir / "broker",
            listener=f"{self.port} 127.0.0.1",
            data=str(self.workdir),
            log=f"file {self.log}",
        )
        if os.geteuid() == 0:  # else mosquitto switches to its own user, who cannot read pytest's 0700 dirs
            conf += "user root\n"
        self.config.write_text(conf, encoding="utf-8")

    def creds(self, who: str) -> Path:
        """The directory `pvz-central pki` wrote for a device id or a hub-<name>."""
        if who.startswith(pki.HUB_PREFIX):
            return self.pki_dir / "hubs" / who.removeprefix(pki.HUB_PREFIX)
        return self.pki_dir / "devices" / who

    def reload(self) -> None:
        """SIGHUP: mosquitto reads the ACL and the CRL again; wait until its log says it did."""
        assert self.proc is not None
        before = self.log.read_text(encoding="utf-8").count("Reloading config")
        self.proc.send_signal(signal.SIGHUP)
        assert wait_until(lambda: self.log.read_text(encoding="utf-8").count("Reloading config") > before)


def wait_until(check: Callable[[], bool], timeout: float = WAIT_S) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True
