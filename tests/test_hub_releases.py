"""A rollout's package downloaded from the hub itself: `pvz update apply` on a device fetches the
release file a real `pvz-central hub --config hub.toml` serves from `[releases] dir`, checks it and
installs it with dpkg into a root of its own (tests/support/debs.py)."""

from __future__ import annotations

import base64
import datetime as dt
import http.client
import json
import ssl
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from central import pki
from central.release import build
from device.cli.main import main
from device.update.install import Installer, LineProbe, RealDpkg
from device.update.release import encode
from tests.support.broker import Broker
from tests.support.config import write_config
from tests.support.debs import dpkg_root, installed, make_deb
from tests.support.hub_web import TOKEN, running_hub

PKG = "pvzt"


def test_pvz_update_apply_downloads_the_release_from_the_hub(
    tmp_path: Path, broker: Broker, capsys: pytest.CaptureFixture[str]
) -> None:
    key = Ed25519PrivateKey.generate()
    root, releases = dpkg_root(tmp_path / "root"), tmp_path / "releases"
    releases.mkdir()
    first = make_deb(tmp_path, PKG, "1.0")
    RealDpkg(root=root).install(first)
    keep, handoff = tmp_path / "keep", tmp_path / "handoff"
    start = LineProbe([sys.executable, str(root / "usr/lib" / PKG / "health.py")])
    installer = Installer(
        key=key.public_key(), keep_dir=keep, report_dir=handoff, dpkg=RealDpkg(root=root), probe=start
    )
    installer.adopt(first, PKG, "1.0")  # what provisioning does for the image's own version
    public = base64.b64encode(key.public_key().public_bytes_raw()).decode()
    extra = f'[update]\npublic_key = "{public}"\nkeep_dir = "{keep}"\nhandoff_dir = "{handoff}"\n'
    config = write_config(tmp_path / "dev", extra=extra)
    probe = f"{sys.executable} {root / 'usr/lib' / PKG / 'health.py'}"
    with running_hub(tmp_path, broker.port, releases=releases) as hub:
        package = make_deb(releases, PKG, "2.0")  # where `fleet rollout --serve-dir` puts it
        now = dt.datetime.now(dt.UTC)
        release = build(package, key=key, url_base=f"{hub.url}/releases", now=now, expiry_h=1)
        doc = tmp_path / "release.json"
        doc.write_bytes(encode(release))
        capsys.readouterr()
        args = ["--config", str(config), "--root", str(root), "--probe", probe, "--lang", "en"]
        assert main(["update", "apply", str(doc), *args]) == 0
    assert capsys.readouterr().out.strip() == "Version 2.0 installed"
    assert installed(root, PKG) == "2.0"


def test_with_a_certificate_the_hub_serves_over_https_only(tmp_path: Path, broker: Broker) -> None:
    """The site PKI's server certificate (`pvz-central pki init`) as the hub's [web] cert."""
    pki_dir = tmp_path / "pki"
    pki.init(pki_dir, "msk-01", hosts=["127.0.0.1"])
    releases = tmp_path / "releases"
    releases.mkdir()
    (releases / "pvz_2.0_all.deb").write_bytes(b"deb" * 100)
    cert, key = pki_dir / "broker" / "server.crt", pki_dir / "broker" / "server.key"
    with running_hub(
        tmp_path, broker.port, releases=releases, web=f'cert = "{cert}"\nkey = "{key}"\n'
    ) as hub:
        tls = ssl.create_default_context(cafile=str(pki_dir / "ca.crt"))
        conn = http.client.HTTPSConnection("127.0.0.1", hub.port, context=tls, timeout=10)
        conn.request("GET", "/releases/pvz_2.0_all.deb", headers={"Range": "bytes=0-2"})
        response = conn.getresponse()
        assert (response.status, response.read()) == (206, b"deb")
        conn.request("POST", "/signin", body=json.dumps({"token": TOKEN}))
        response = conn.getresponse()
        response.read()
        assert response.status == 200 and "Secure" in response.headers["Set-Cookie"]
        conn.close()
        with pytest.raises((http.client.HTTPException, OSError)):
            hub.request("GET", "/releases/pvz_2.0_all.deb")  # plain HTTP on that port: nothing
