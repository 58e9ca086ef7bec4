"""`pvz update adopt`, the provisioning step of a device installed from the .deb: the technician
names the package file, pvz reads its name and version and keeps it only if dpkg (a real one, in
a root of the test's own) has exactly that installed; then a release is taken, not refused."""

from __future__ import annotations

import base64
import datetime as dt
import sys
from pathlib import Path

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from central.release import build
from device.cli.main import main
from device.update.install import RealDpkg
from device.update.release import encode
from tests.support.config import write_config
from tests.support.debs import dpkg_root, installed, make_deb, serve

KEY = Ed25519PrivateKey.generate()


def test_adopt_keeps_only_the_installed_package_and_then_a_release_installs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = dpkg_root(tmp_path / "root")
    first = make_deb(tmp_path, "pvzt", "1.0")
    assert main(["update", "adopt", str(first), "--config", str(tmp_path / "none.toml")]) == 2  # no config
    public = base64.b64encode(KEY.public_key().public_bytes_raw()).decode()
    keep = tmp_path / "keep"
    extra = f'[update]\npublic_key = "{public}"\nkeep_dir = "{keep}"\nhandoff_dir = "{tmp_path / "h"}"\n'
    config = write_config(tmp_path / "dev", extra=extra)
    common = ["--config", str(config), "--root", str(root), "--lang", "en"]
    capsys.readouterr()

    assert main(["update", "adopt", str(first), *common]) == 2  # dpkg has nothing installed yet
    assert "(not_installed)" in capsys.readouterr().err and not keep.exists()
    RealDpkg(root=root).install(first)
    newer = make_deb(tmp_path / "other", "pvzt", "1.1")
    assert main(["update", "adopt", str(newer), *common]) == 2  # another version than the running one
    assert "(not_installed)" in capsys.readouterr().err
    assert main(["update", "adopt", str(first), *common, "--version", "0.9"]) == 2
    assert "(not_installed)" in capsys.readouterr().err
    text = tmp_path / "notes.deb"
    text.write_text("not a package\n")
    assert main(["update", "adopt", str(text), *common]) == 2
    assert "(not_a_package)" in capsys.readouterr().err
    assert not keep.exists()

    assert main(["update", "adopt", str(first), *common]) == 0
    assert capsys.readouterr().out.strip() == "Version 1.0 kept to go back to"
    assert msgspec.json.decode((keep / "current.json").read_bytes()) == {
        "package": "pvzt",
        "version": "1.0",
        "file": "pvzt_1.0.deb",
    }

    www = tmp_path / "www"
    www.mkdir()
    with serve(www) as url:
        release = build(
            make_deb(www, "pvzt", "1.1"), key=KEY, url_base=url, now=dt.datetime.now(dt.UTC), expiry_h=1
        )
        doc = tmp_path / "release.json"
        doc.write_bytes(encode(release))
        probe = f"{sys.executable} {root / 'usr/lib/pvzt/health.py'}"
        assert main(["update", "apply", str(doc), *common, "--probe", probe]) == 0
    assert capsys.readouterr().out.strip() == "Version 1.1 installed"
    assert installed(root, "pvzt") == "1.1"
