#!/usr/bin/python3
"""Installed as /usr/lib/pvz/release: make a version's release venv current, migrating the store safely.

The package's postinst runs `release install VERSION`. It works with the system Python alone
(stdlib only), offline: the release venv at /opt/pvz/releases/VERSION is built from the wheels
the package ships, hash-checked against their lock. Releases live outside dpkg's file list, so
an upgrade leaves the old one in place: the new one becomes /opt/pvz/current only after the
store has been backed up and migrated, first on a copy. Whatever fails, the store and
/opt/pvz/current are as they were and the old release keeps running; the last line says what
to do, with a reason code (`release: <code>: ...`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

LIB = Path(os.environ.get("PVZ_LIB", "/usr/lib/pvz"))
OPT = Path(os.environ.get("PVZ_OPT", "/opt/pvz"))
CONFIG = Path("/etc/pvz/pvz.toml")
DEFAULT_STORE = Path("/var/lib/pvz/pvz.db")
BACKUPS = Path("/var/lib/pvz/backups")
USER = "pvz"
UNIT = "pvz.service"
STAMP = ".pvz-release"
KEEP_BACKUPS = 3  # pre-upgrade store backups kept; older ones go after a successful upgrade


class ReleaseError(Exception):
    """A step that failed, with its reason code; nothing after it ran."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "install":
        print("usage: release install VERSION", file=sys.stderr)
        return 2
    try:
        install(argv[1])
    except ReleaseError as exc:
        print(f"release: {exc.code}: {exc}", file=sys.stderr)
        return 1
    return 0


def install(version: str) -> None:
    release = OPT / "releases" / version
    build_venv(release)
    current = (OPT / "current").resolve() if (OPT / "current").exists() else None
    store = store_path()
    if store.is_file():
        migrate(release, store, current, version)
    switch(release)
    prune(release, current)
    say(f"pvz {version} is current ({release})")


def build_venv(release: Path) -> None:
    """The release venv from the shipped wheels only (--no-index): the device needs no network."""
    lock = LIB / "wheels.lock"
    want = hashlib.sha256(lock.read_bytes()).hexdigest()
    stamp = release / STAMP
    if stamp.is_file() and stamp.read_text().strip() == want:
        return  # a reinstall or a rollback to a release still on disk
    shutil.rmtree(release, ignore_errors=True)
    release.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    say(f"building {release} from {LIB / 'wheels'}")
    try:
        run([sys.executable, "-m", "venv", str(release)])
        run(
            [
                str(release / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--no-index",
                "--no-cache-dir",
                "--disable-pip-version-check",
                "--only-binary=:all:",
                "--no-deps",
                "--require-hashes",
                "--find-links",
                str(LIB / "wheels"),
                "-r",
                str(lock),
            ]
        )
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(release, ignore_errors=True)
        raise ReleaseError(
            "venv_failed",
            f"could not build {release} ({exc}); the current release is unchanged; reinstall the package",
        ) from exc
    stamp.write_text(want + "\n")
    say(f"built in {time.monotonic() - started:.0f} s")


def store_path() -> Path:
    """[store] path of the installed config, read without the application (it may not be valid yet)."""
    try:
        value = tomllib.loads(CONFIG.read_text(encoding="utf-8")).get("store", {}).get("path")
    except (OSError, ValueError, AttributeError):
        return DEFAULT_STORE
    if not isinstance(value, str):
        return DEFAULT_STORE
    path = Path(value)
    return path if path.is_absolute() else CONFIG.parent / path


def migrate(release: Path, store: Path, current: Path | None, version: str) -> None:
    """Back up, migrate the backup's copy, then the store itself: only then may the release switch."""
    pvz = str(release / "bin" / "pvz")
    BACKUPS.mkdir(mode=0o750, exist_ok=True)
    shutil.chown(BACKUPS, USER, USER)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    backup = BACKUPS / f"{store.name}.before-{version}-{stamp}"
    trial = BACKUPS / f".trial-{version}-{stamp}.db"
    old = current.name if current else "the installed release"
    keep_old = (
        f"the store {store} is untouched and pvz {old} stays current"
        f"{' and running' if systemd_running() else ''}"
    )
    try:
        as_pvz([pvz, "store", "backup", "--store", str(store), "--to", str(backup)])
    except subprocess.CalledProcessError as exc:
        raise ReleaseError(
            "backup_failed",
            f"could not back up {store} before the upgrade; {keep_old}. "
            f"Check `pvz store check --store {store}` and the disk, then "
            "`dpkg --configure pvz`",
        ) from exc
    try:
        shutil.copyfile(backup, trial)
        shutil.chown(trial, USER, USER)
        as_pvz([pvz, "store", "migrate", "--store", str(trial)])
    except (subprocess.CalledProcessError, OSError) as exc:
        raise ReleaseError(
            "migration_failed",
            f"pvz {version} could not migrate a copy of the store; "
            f"{keep_old}. Backup: {backup}. Keep {old}: reinstall its package "
            f"(`apt install pvz=<old version>` or `dpkg -i` its .deb), and send "
            "the lines above to support",
        ) from exc
    finally:
        for suffix in ("", "-wal", "-shm", ".lock"):
            Path(f"{trial}{suffix}").unlink(missing_ok=True)
    stop()
    try:
        as_pvz([pvz, "store", "migrate", "--store", str(store)])
    except subprocess.CalledProcessError as exc:
        start()
        raise ReleaseError(
            "migration_failed",
            f"pvz {version} migrated a copy but not {store}; its "
            f"transaction rolled back and {keep_old}. Backup: {backup}. "
            "Send the lines above to support",
        ) from exc


def switch(release: Path) -> None:
    """Point /opt/pvz/current at `release` in one rename: the unit never sees a missing link."""
    link = OPT / "current"
    tmp = OPT / ".current.new"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(Path("releases") / release.name)
    tmp.replace(link)


def prune(release: Path, previous: Path | None) -> None:
    """Old releases go, except the one just left (a rollback to it needs no rebuild); old backups too."""
    keep = {release.name} | ({previous.name} if previous else set())
    for old in sorted((OPT / "releases").iterdir()):
        if old.name not in keep:
            shutil.rmtree(old, ignore_errors=True)
    if BACKUPS.is_dir():
        backups = sorted(BACKUPS.glob("*.before-*"), key=lambda p: p.stat().st_mtime)
        for old in backups[:-KEEP_BACKUPS]:
            old.unlink(missing_ok=True)


def as_pvz(argv: list[str]) -> None:
    """The store's files stay the service user's: a root-owned -wal would stop the daemon."""
    run(["runuser", "-u", USER, "--", *argv])


def systemd_running() -> bool:
    return Path("/run/systemd/system").is_dir()


def stop() -> None:
    if systemd_running():
        subprocess.run(["deb-systemd-invoke", "stop", UNIT], check=False)


def start() -> None:
    if systemd_running():
        subprocess.run(["deb-systemd-invoke", "start", UNIT], check=False)


def run(argv: list[str]) -> None:
    subprocess.run(argv, check=True)


def say(line: str) -> None:
    print(f"release: {line}", flush=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
