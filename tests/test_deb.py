"""The Debian package, for real: built by deb.build, installed with dpkg into a Debian 12 root.

One journey through a device's life, in a copy of a cached Debian 12 amd64 root that holds only
the package's Depends (no compiler) and runs without a network: a fresh install refuses the
placeholder key, a store made by that version is migrated by an upgrade that keeps the config, a
forced migration failure keeps the old release current and the store byte-identical, the old
package reinstalls over the failed one, and purging leaves only /var/lib/pvz. No systemd runs in
the root, so every maintainer script must also work without one.

Cold (roots and wheels not cached) this takes a few minutes; warm, about a minute. Needs root
(chroot, mount namespaces); set PVZ_DEB=0 to leave it out.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from deb import build, chroot
from deb.lock import parse, runtime_lock

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.environ.get("PVZ_DEB") == "0", reason="PVZ_DEB=0"),
    pytest.mark.skipif(os.geteuid() != 0, reason="chroots and mount namespaces need root"),
]

REPO = chroot.REPO
INPUTS = (
    "pyproject.toml",
    "README.md",
    "requirements.lock",
    "device",
    "drivers",
    "workflows",
    "sync",
    "central",
    "systemd",
    "docs/install.md",
    "docs/config.example.toml",
    "deb",
)
KEY = "5f" * 32
KEEP_DEBS = 6
STORE = "/var/lib/pvz/pvz.db"
# The later versions the journey upgrades to: one more migration that works, then one that fails.
GOOD_MIGRATION = "CREATE TABLE deb_upgrade_probe (id INTEGER PRIMARY KEY);\n"
BAD_MIGRATION = "INSERT INTO deb_no_such_table VALUES (1);\n"


def _bump(version: str, by: int) -> str:
    parts = version.split(".")
    return ".".join([*parts[:-1], str(int(parts[-1]) + by)])


def _variant(tmp: Path, by: int, migrations: list[str]) -> Path:
    """A copy of the repository with the version bumped and extra migrations appended."""
    src = tmp / f"src-{by}"
    for name in INPUTS:
        item = REPO / name
        if item.is_dir():
            shutil.copytree(item, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif item.is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(item, src / name)
    pyproject = src / "pyproject.toml"
    old = build.version(REPO)
    pyproject.write_text(
        pyproject.read_text().replace(f'version = "{old}"', f'version = "{_bump(old, by)}"', 1)
    )
    folder = src / "device/store/migrations"
    first = len(list(folder.glob("[0-9][0-9][0-9][0-9]_*.sql"))) + 1
    for i, sql in enumerate(migrations):
        (folder / f"{first + i:04d}_deb_test.sql").write_text(sql)
    return src


def _key(src: Path) -> str:
    digest = hashlib.sha256()
    for name in INPUTS:
        item = src / name
        files = (
            sorted(p for p in item.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
            if item.is_dir()
            else [item]
        )
        for f in files:
            if f.is_file():
                digest.update(str(f.relative_to(src)).encode() + b"\0" + f.read_bytes())
    return digest.hexdigest()[:16]


def _deb(src: Path) -> Path:
    """The amd64 package of `src`, cached by its inputs (the first build takes ~30 s)."""
    out = chroot.cache_dir() / "debs" / _key(src)
    found = list(out.glob("pvz_*_amd64.deb"))
    if found:
        return found[0]
    partial = out.with_name(out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    build.build(src, "amd64", partial)
    partial.rename(out)
    # Each source change adds three packages: keep the newest few sets, not every one ever built.
    for stale in sorted(out.parent.iterdir(), key=lambda p: p.stat().st_mtime)[:-KEEP_DEBS]:
        shutil.rmtree(stale, ignore_errors=True)
    return next(out.glob("pvz_*_amd64.deb"))


@pytest.fixture(scope="module")
def debs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    tmp = tmp_path_factory.mktemp("deb-src")
    return [
        _deb(REPO),
        _deb(_variant(tmp, 1, [GOOD_MIGRATION])),
        _deb(_variant(tmp, 2, [GOOD_MIGRATION, BAD_MIGRATION])),
    ]


@pytest.fixture
def device(tmp_path: Path) -> Iterator[Path]:
    """A throwaway copy of the cached Debian 12 root with only the package's Depends."""
    base = chroot.ensure_root("amd64", "target", chroot.TARGET_PACKAGES)
    root = tmp_path / "root"
    subprocess.run(["cp", "-a", "--reflink=auto", str(base), str(root)], check=True)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def sh(root: Path, script: str, debs: list[Path], *, ok: bool = True) -> subprocess.CompletedProcess[str]:
    done = chroot.run_in(
        root,
        ["sh", "-c", script],
        network=False,
        check=False,
        capture=True,
        binds=[(debs[0].parent.parent, "/debs", False)],
    )
    if ok:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def path_in(deb: Path) -> str:
    return f"/debs/{deb.parent.name}/{deb.name}"


def current(root: Path) -> str:
    return str((root / "opt/pvz/current").readlink())


def schema(root: Path, debs: list[Path]) -> int:
    out = sh(
        root,
        f'python3 -c \'import sqlite3; print(sqlite3.connect("{STORE}").execute("PRAGMA user_version").fetchone()[0])\'',
        debs,
    )
    return int(out.stdout)


def test_install_upgrade_failed_migration_and_purge(device: Path, debs: list[Path]) -> None:
    root, (first, second, broken) = device, debs
    v1, v2 = (build.version(REPO), _bump(build.version(REPO), 1))

    # A fresh install: no compiler in the root, no network, no systemd; postinst still succeeds.
    assert not (root / "usr/bin/gcc").exists()
    done = sh(
        root,
        f"dpkg -i {path_in(first)} && apt-get -f install -y -q && dpkg-query -W -f='${{Status}}' pvz",
        debs,
    )
    assert done.stdout.endswith("install ok installed")
    assert current(root) == f"releases/{v1}"
    for path in (
        "lib/systemd/system/pvz.service",
        "lib/systemd/system/pvz-update.path",
        "lib/systemd/system/pvz-update.service",
        "etc/systemd/system/paths.target.wants/pvz-update.path",
        "lib/udev/rules.d/60-pvz.rules",
        "usr/lib/sysusers.d/pvz.conf",
        "usr/lib/tmpfiles.d/pvz.conf",
        "usr/lib/pvz/wheels.lock",
        "usr/lib/pvz/requirements.lock",
        "etc/systemd/system/multi-user.target.wants/pvz.service",
        "usr/share/doc/pvz/copyright",
    ):
        assert (root / path).exists() or (root / path).is_symlink(), path
    assert re.search(r"^pvz:x:\d+:\d+:", (root / "etc/passwd").read_text(), re.M)
    assert re.search(r"^gpio:x:", (root / "etc/group").read_text(), re.M)
    state = root / "var/lib/pvz"
    assert state.is_dir() and oct(state.stat().st_mode)[-3:] == "750"
    config = root / "etc/pvz/pvz.toml"
    assert oct(config.stat().st_mode)[-3:] == "640"

    # The shipped config does not run: the placeholder key is refused with pvz's own reason.
    refused = sh(root, "/opt/pvz/current/bin/pvz config check /etc/pvz/pvz.toml", debs, ok=False)
    assert refused.returncode == 2 and "(published_key)" in refused.stderr
    assert "(published_key)" in done.stderr  # postinst said why it did not start the service

    # The technician's first config: the site key. A store made by this version.
    config.write_text(config.read_text().replace('"CHANGE-ME: openssl rand -hex 32"', f'"{KEY}"'))
    sh(root, "/opt/pvz/current/bin/pvz config check /etc/pvz/pvz.toml", debs)
    sh(root, f"runuser -u pvz -- /opt/pvz/current/bin/pvz store info --store {STORE}", debs)
    before = schema(root, debs)

    # Upgrade: config kept, store migrated by the new release, old release kept for a rollback.
    sh(root, f"dpkg -i {path_in(second)}", debs)
    assert current(root) == f"releases/{v2}"
    assert KEY in config.read_text()
    assert schema(root, debs) == before + 1
    assert (root / f"opt/pvz/releases/{v1}").is_dir()
    assert list((state / "backups").glob(f"pvz.db.before-{v2}-*"))
    assert {p.stat().st_uid for p in state.rglob("*")} == {state.stat().st_uid}

    # A migration that fails: postinst fails loudly, the old release stays, the store is untouched.
    digest = hashlib.sha256((state / "pvz.db").read_bytes()).hexdigest()
    failed = sh(root, f"dpkg -i {path_in(broken)}", debs, ok=False)
    assert failed.returncode != 0
    assert "release: migration_failed:" in failed.stderr
    assert current(root) == f"releases/{v2}"
    assert hashlib.sha256((state / "pvz.db").read_bytes()).hexdigest() == digest
    assert not list(state.glob("backups/.trial-*"))

    # What the message says to do: reinstall the working version's package.
    sh(root, f"dpkg -i {path_in(second)} && dpkg-query -W -f='${{Status}}' pvz", debs)
    assert current(root) == f"releases/{v2}" and schema(root, debs) == before + 1

    # Purge: everything but the state goes.
    sh(root, "dpkg --purge pvz", debs)
    for path in (
        "opt/pvz",
        "etc/pvz",
        "usr/lib/pvz",
        "lib/systemd/system/pvz.service",
        "etc/systemd/system/multi-user.target.wants/pvz.service",
        "usr/lib/sysusers.d/pvz.conf",
    ):
        assert not ((root / path).exists() or (root / path).is_symlink()), path
    assert (state / "pvz.db").is_file()


def test_lintian_finds_no_errors(debs: list[Path]) -> None:
    lines = build.lintian(debs[0])
    assert not [line for line in lines if line.startswith("E:")], "\n".join(lines)


def test_runtime_lock_is_the_application_closure_without_dev_tools() -> None:
    names = {e.name for e in parse(runtime_lock(REPO / "requirements.lock", REPO / "pyproject.toml"))}
    assert {"evdev", "rpi-gpio", "lgpio", "msgspec", "pillow", "aiohttp", "yarl", "pyusb"} <= names
    assert not names & {"pytest", "mypy", "ruff", "playwright", "uv", "hypothesis", "coverage"}
