"""A site's uplink for tests: the central broker (TLS, the ACL of `pvz-central pki`), a cuttable
link to it, the site's own broker bridged by the config `pvz-central site-bridge` generates, and
the real hub (`pvz-central hub`, a process) on the central broker.

The bridge's link runs through a CuttableProxy: cut() is the uplink down (the site broker stays up
and its devices keep working), restore() brings it back.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from central import pki
from central.cli import main as central_main
from sync.transport import TlsSettings
from tests.support.broker import Broker
from tests.support.process import ROOT
from tests.support.tcp_proxy import CuttableProxy
from tests.support.tls_broker import TlsBroker


class SiteBroker(Broker):
    """The site broker: the test broker's plain listener for the site's devices, plus the bridge snippet."""

    def __init__(self, workdir: Path, snippet: Path) -> None:
        super().__init__(workdir)
        self.snippet = snippet

    def write_config(self) -> None:
        super().write_config()
        text = self.config.read_text(encoding="utf-8") + self.snippet.read_text(encoding="utf-8")
        if os.geteuid() == 0:  # else mosquitto switches to its own user, who cannot read the bridge's key
            text += "user root\n"
        self.config.write_text(text, encoding="utf-8")


@dataclass
class Uplink:
    site_id: str
    pki_dir: Path
    central: TlsBroker
    proxy: CuttableProxy
    site: SiteBroker
    hub_db: Path

    def tls(self, hub: str) -> TlsSettings:
        """A central-side client's files: hub-<hub>'s certificate and the site CA."""
        creds = self.pki_dir / "hubs" / hub
        return TlsSettings(creds / "ca.crt", creds / "client.crt", creds / "client.key")

    def hub_events(self, device: str) -> set[str]:
        """The event ids the hub holds for `device` (read beside the running hub: WAL)."""
        if not self.hub_db.exists():
            return set()
        conn = sqlite3.connect(self.hub_db)
        try:
            return {r[0] for r in conn.execute("SELECT event_id FROM events WHERE device = ?", (device,))}
        except sqlite3.OperationalError:  # the hub has not made its tables yet
            return set()
        finally:
            conn.close()


@contextmanager
def running_uplink(root: Path, site: str) -> Iterator[Uplink]:
    """Everything above started under ROOT; stopped (hub, site broker, proxy, central) at the end."""
    pki_dir = root / "pki"
    pki.init(pki_dir, site)
    pki.hub(pki_dir, "central")
    pki.hub(pki_dir, "ops")
    creds = pki.bridge(pki_dir, site)
    with ExitStack() as stack:
        central = TlsBroker(pki_dir, root / "central")
        central.start()
        stack.callback(central.stop)
        proxy = stack.enter_context(CuttableProxy(central.port))
        snippet = root / "pvz-bridge.conf"
        address = f"127.0.0.1:{proxy.port}"
        assert (
            central_main(
                [
                    "site-bridge",
                    "--site",
                    site,
                    "--central",
                    address,
                    "--tls-dir",
                    str(creds),
                    "--out",
                    str(snippet),
                ]
            )
            == 0
        )
        site_broker = SiteBroker(root / "site", snippet)
        site_broker.start()
        stack.callback(site_broker.stop)
        hub_db = root / "hub.db"
        hub_creds = pki_dir / "hubs" / "central"
        log = stack.enter_context((root / "hub.log").open("w", encoding="utf-8"))
        hub = subprocess.Popen(
            [
                *(sys.executable, "-m", "central.cli", "hub", "--broker", f"127.0.0.1:{central.port}"),
                *("--db", str(hub_db), "--site", site, "--client-id", "hub-central"),
                *(
                    f"--{n}={hub_creds / f}"
                    for n, f in (("ca", "ca.crt"), ("cert", "client.crt"), ("key", "client.key"))
                ),
            ],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=log,
            stderr=log,
        )

        def stop_hub() -> None:
            hub.terminate()
            hub.wait(30)

        stack.callback(stop_hub)
        yield Uplink(site, pki_dir, central, proxy, site_broker, hub_db)
