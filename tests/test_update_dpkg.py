"""A real rollout and a real rollback with dpkg, into a root of its own (`dpkg --root`), over real HTTP.

The packages are small ones made here with dpkg-deb; one of them reports a bad status after
its start and must be undone, one cannot be installed at all. Each case asserts on what dpkg
itself says is installed afterwards, and on pvz's reason codes.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import msgspec
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from central.release import build
from device.cli.main import main
from device.update.install import Installer, LineProbe, RealDpkg
from device.update.release import Release, encode, sign
from tests.support.config import write_config
from tests.support.debs import dpkg_root, installed, make_deb, serve

KEY = Ed25519PrivateKey.generate()
PKG = "pvzt"


class StartProbe(LineProbe):
    """What the new version prints when started: the installed health script of the root, run."""

    def __init__(self, root: Path) -> None:
        super().__init__([sys.executable, str(root / "usr/lib" / PKG / "health.py")])


@dataclass
class Site:
    root: Path
    www: Path
    url: str
    keep: Path
    installer: Installer

    def release(self, version: str, *, health: str = "ok", depends: str = "") -> Release:
        """A package of `version`, served over HTTP, and its release as central builds it."""
        path = make_deb(self.www, PKG, version, health=health, depends=depends)
        now = dt.datetime.now(dt.UTC)
        return build(path, key=KEY, url_base=self.url, now=now, expiry_h=1)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    root, www = dpkg_root(tmp_path / "root"), tmp_path / "www"
    www.mkdir()
    first = make_deb(tmp_path, PKG, "1.0")
    RealDpkg(root=root).install(first)  # the image's own version
    with serve(www) as url:
        installer = Installer(
            key=KEY.public_key(),
            keep_dir=tmp_path / "keep",
            report_dir=tmp_path / "handoff",
            dpkg=RealDpkg(root=root),
            probe=StartProbe(root),
        )
        installer.adopt(first, PKG, "1.0")
        yield Site(root, www, url, tmp_path / "keep", installer)


def apply(site: Site, release: Release) -> tuple[str, str | None, str | None]:
    outcome = site.installer.apply(release, now=dt.datetime.now(dt.UTC))
    return outcome.result, outcome.reason, outcome.running


def test_a_healthy_release_is_installed_then_a_failing_one_is_rolled_back(site: Site) -> None:
    again = site.release("1.1")
    assert apply(site, again) == ("installed", None, "1.1")
    assert installed(site.root, PKG) == "1.1"
    assert apply(site, again) == ("installed", None, "1.1")  # started again: nothing to do
    assert (site.root / "usr/lib/pvzt/VERSION").read_text() == "1.1\n"

    assert apply(site, site.release("1.2", health="degraded")) == ("rolled_back", "unhealthy", "1.1")
    assert installed(site.root, PKG) == "1.1"
    assert (site.root / "usr/lib/pvzt/VERSION").read_text() == "1.1\n"
    assert site.installer.current() is not None and site.installer.current().version == "1.1"  # type: ignore[union-attr]

    assert apply(site, site.release("1.3")) == ("installed", None, "1.3")
    assert sorted(p.name for p in site.keep.glob("*.deb")) == ["pvzt_1.1.deb", "pvzt_1.3.deb"]


def test_a_package_dpkg_refuses_leaves_the_previous_version(site: Site) -> None:
    assert apply(site, site.release("2.0", depends="pvz-no-such-package")) == (
        "rolled_back",
        "install_failed",
        "1.0",
    )
    assert installed(site.root, PKG) == "1.0"


def test_a_bad_hash_or_size_or_signature_is_refused_before_dpkg_runs(site: Site) -> None:
    good = site.release("3.0")
    served = site.www / "pvzt_3.0.deb"
    data = bytearray(served.read_bytes())
    data[-1] ^= 0xFF
    served.write_bytes(bytes(data))
    assert apply(site, good) == ("refused", "bad_hash", "1.0")

    served.write_bytes(bytes(data) + b"more")
    assert apply(site, good) == ("refused", "bad_size", "1.0")

    forged = msgspec.structs.replace(good, sha256=hashlib.sha256(served.read_bytes()).hexdigest())
    assert apply(site, forged) == ("refused", "bad_signature", "1.0")
    assert apply(site, sign(forged, Ed25519PrivateKey.generate())) == ("refused", "bad_signature", "1.0")

    gone = msgspec.structs.replace(good, url=f"{site.url}/pvzt_9.deb")
    assert apply(site, sign(gone, KEY)) == ("refused", "download_failed", "1.0")
    assert installed(site.root, PKG) == "1.0"
    assert not list(site.keep.glob(".download*")) and not (site.keep / "pvzt_3.0.deb").exists()


def test_an_expired_release_is_refused_so_a_device_back_from_offline_does_not_take_it(site: Site) -> None:
    late = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    outcome = site.installer.apply(site.release("4.0"), now=late)
    assert (outcome.result, outcome.reason) == ("refused", "expired")
    assert installed(site.root, PKG) == "1.0"


def test_without_the_running_versions_package_nothing_is_installed(tmp_path: Path, site: Site) -> None:
    bare = Installer(
        key=KEY.public_key(),
        keep_dir=tmp_path / "empty",
        report_dir=tmp_path / "empty-handoff",
        dpkg=RealDpkg(root=site.root),
        probe=StartProbe(site.root),
    )
    outcome = bare.apply(site.release("5.0"), now=dt.datetime.now(dt.UTC))
    assert (outcome.result, outcome.reason) == ("refused", "no_rollback")
    assert installed(site.root, PKG) == "1.0"


def test_pvz_update_apply_reads_the_release_key_from_the_config(
    tmp_path: Path, site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    public = base64.b64encode(KEY.public_key().public_bytes_raw()).decode()
    handoff = tmp_path / "handoff"
    extra = f'[update]\npublic_key = "{public}"\nkeep_dir = "{site.keep}"\nhandoff_dir = "{handoff}"\n'
    config = write_config(tmp_path / "dev", extra=extra)
    doc = tmp_path / "release.json"
    probe = f"{sys.executable} {site.root / 'usr/lib' / PKG / 'health.py'}"
    common = ["--config", str(config), "--root", str(site.root), "--probe", probe, "--lang", "en"]

    doc.write_bytes(encode(site.release("6.0")))
    capsys.readouterr()
    assert main(["update", "apply", str(doc), *common]) == 0
    assert capsys.readouterr().out.strip() == "Version 6.0 installed"
    # the outcome for the daemon goes to its handoff directory, never into root's keep directory
    assert msgspec.json.decode((handoff / "outcome.json").read_bytes())["result"] == "installed"
    assert not (site.keep / "outcome.json").exists()

    doc.write_bytes(
        encode(sign(msgspec.structs.replace(site.release("6.1"), size=1), Ed25519PrivateKey.generate()))
    )
    assert main(["update", "apply", str(doc), *common, "--json"]) == 1
    reported = msgspec.json.decode(capsys.readouterr().out)
    assert (reported["result"], reported["reason"], reported["running"]) == (
        "refused",
        "bad_signature",
        "6.0",
    )

    doc.write_bytes(b"{not a release")
    assert main(["update", "apply", str(doc), *common]) == 1
    assert capsys.readouterr().out.strip() == (
        "Update to version unknown refused: the release file is damaged. Running version 6.0"
    )
    assert msgspec.json.decode((handoff / "outcome.json").read_bytes())["reason"] == "malformed"

    other = write_config(tmp_path / "other", extra='[update]\npublic_key = ""\n')
    assert main(["update", "apply", str(doc), "--config", str(other), "--probe", probe]) == 2
