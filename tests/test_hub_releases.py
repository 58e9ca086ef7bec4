"""A rollout's package downloaded from the hub itself: `pvz update apply` on a device fetches the
release file a real `pvz-central hub --config hub.toml` serves from `[releases] dir`, checks it and
installs it with dpkg into a root of its own (tests/support/debs.py)."""

from __future__ import annotations

import base64
import datetime as dt
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from central.release import build
from device.cli.main import main
from device.update.install import Installer, LineProbe, RealDpkg
from device.update.release import encode
from tests.support.broker import Broker
from tests.support.config import write_config
from tests.support.debs import dpkg_root, installed, make_deb
from tests.support.hub_web import running_hub

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
