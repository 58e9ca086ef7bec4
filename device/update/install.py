"""Installing a checked release with dpkg, keeping the previous package, and going back to it.

A device never runs a version it cannot leave: before a new package is installed the running
one's .deb must be in the keep directory, and the new one stays only once it has said READY and
sent one good status within HEALTH_DEADLINE_S. Otherwise the previous .deb is installed again.

The keep directory is root's alone: a package in it is installed on a rollback without another
signature check, so the daemon (the pvz user) must not be able to write there. What the daemon
and the installer exchange (the pending release, the outcome, the daemon's mark) lives in the
daemon's own handoff directory instead, and the installer checks the pending release itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import sqlite3
import subprocess
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import BinaryIO, Protocol

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from device.exc import StoreError
from device.update.release import Release, UpdateRefused, deb_file_name, verify
from device.update.store_guard import Snapshot, StoreGuard

log = logging.getLogger("pvz.update")

HEALTH_DEADLINE_S = 120.0  # READY and one good status after the restart, or the update is undone
DPKG_TIMEOUT_S = 600.0
FETCH_TIMEOUT_S = 60.0
_CHUNK = 64 * 1024
_CURRENT = "current.json"
OUTCOME = "outcome.json"  # in the handoff directory: the last release's outcome, for the status
RESULTS = ("installed", "rolled_back", "refused", "failed", "pending")  # an Outcome's `result`


class Dpkg(Protocol):
    def install(self, deb: Path) -> None:
        """Install `deb`; raise subprocess.CalledProcessError if dpkg refuses it."""


class HealthProbe(Protocol):
    def prepare(self) -> None:
        """Called just before dpkg runs: forget any sign of health from before the install."""

    def healthy(self, release: Release, deadline_s: float) -> bool:
        """Whether the version just installed said READY and sent one good status within the deadline."""


class RealDpkg:
    """`dpkg -i`, into another root with `--root` (an image being built, a test's directory)."""

    def __init__(self, *, root: Path | None = None, exe: str = "dpkg", options: Sequence[str] = ()) -> None:
        self._argv = ([exe] if root is None else [exe, f"--root={root}"]) + list(options)

    def install(self, deb: Path) -> None:
        subprocess.run(
            [*self._argv, "-i", str(deb)], check=True, capture_output=True, text=True, timeout=DPKG_TIMEOUT_S
        )


class LineProbe:
    """Starts the new version with `argv` and reads its output: a line READY, then a line
    `STATUS {json}` whose "health" is "ok". The daemon's own READY and status, as the hub sees them."""

    def __init__(self, argv: Sequence[str]) -> None:
        self._argv = list(argv)

    def prepare(self) -> None:
        """Nothing to forget: the command is started after the install."""

    def healthy(self, release: Release, deadline_s: float) -> bool:
        try:
            done = subprocess.run(self._argv, capture_output=True, text=True, timeout=deadline_s, check=False)
        except subprocess.TimeoutExpired:
            log.warning(
                "%s %s: no READY and status within %s s", release.package, release.version, deadline_s
            )
            return False
        ready = False
        for line in done.stdout.splitlines():
            if line.strip() == "READY":
                ready = True
            elif ready and line.startswith("STATUS "):
                try:
                    status = json.loads(line.removeprefix("STATUS "))
                except ValueError:
                    return False
                return isinstance(status, dict) and status.get("health") == "ok"
        return False


class Outcome(msgspec.Struct, frozen=True):
    """What a device reports about one release: `result` installed, rolled_back, refused or failed,
    or pending while the installer runs. `sha256` names the release: the same one delivered again
    (a retained message after the restart) is recognised and not installed twice."""

    package: str
    version: str
    result: str
    reason: str | None = None
    running: str | None = None  # the version installed now
    sha256: str = ""
    # A rollback past a migration: the newer store, kept in keep_dir, and its events the store put back lacks.
    store_set_aside: str | None = None
    events_set_aside: int = 0


class Kept(msgspec.Struct, frozen=True):
    package: str
    version: str
    file: str


def open_url(url: str) -> BinaryIO:
    """The package's bytes from the hub over HTTP(S) (file:// for a package already on the device)."""
    return urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_S)  # type: ignore[no-any-return]  # noqa: S310 - the scheme is checked by the release's schema


class Installer:
    """One device's update path: check, fetch, install, watch, keep or roll back."""

    def __init__(
        self,
        *,
        key: Ed25519PublicKey,
        keep_dir: Path,
        report_dir: Path,
        dpkg: Dpkg,
        probe: HealthProbe,
        fetch: Callable[[str], BinaryIO] = open_url,
        deadline_s: float = HEALTH_DEADLINE_S,
        store: StoreGuard | None = None,
    ) -> None:
        self._key, self._keep, self._dpkg, self._probe = key, keep_dir, dpkg, probe
        self._report, self._store = report_dir, store
        self._fetch, self._deadline_s = fetch, deadline_s

    def current(self) -> Kept | None:
        return read_kept(self._keep)

    def adopt(self, deb: Path, package: str, version: str) -> None:
        """Keep the running version's .deb (the image's own, at provisioning) as the one to go back to."""
        self._keep.mkdir(parents=True, exist_ok=True)
        target = self._keep / deb.name
        if deb.resolve() != target.resolve():
            target.write_bytes(deb.read_bytes())
        self._record(Kept(package=package, version=version, file=target.name))

    def apply(self, release: Release, *, now: dt.datetime) -> Outcome:
        """Install `release` or leave the device on its previous version; never raises for a bad release.

        The outcome is also written to REPORT/outcome.json, for the daemon that runs afterwards."""
        outcome = msgspec.structs.replace(self._apply(release, now=now), sha256=release.sha256)
        write_outcome(self._report, outcome)
        return outcome

    def refuse_unread(self, reason: str) -> Outcome:
        """A release document that could not even be read: reported too, so the daemon's status
        does not stay `pending` for ever."""
        previous = self.current()
        outcome = Outcome("", "", "refused", reason, previous.version if previous else None)
        write_outcome(self._report, outcome)
        return outcome

    def _apply(self, release: Release, *, now: dt.datetime) -> Outcome:
        previous = self.current()
        running = previous.version if previous else None
        try:
            verify(release, self._key, now=now)
            if previous is None or previous.package != release.package:
                raise UpdateRefused("no_rollback", "the running version's package is not kept")
            if previous.version == release.version:  # started again for a release already in place
                return Outcome(release.package, release.version, "installed", None, release.version)
            deb = self._download(release)
            snapshot = self._store.snapshot(previous.version) if self._store else None
        except UpdateRefused as exc:
            log.warning("release refused: %s", exc)
            return Outcome(release.package, release.version, "refused", exc.reason, running)
        self._probe.prepare()
        try:
            self._dpkg.install(deb)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            log.warning("dpkg refused %s: %s", deb.name, getattr(exc, "stderr", exc))
            return self._roll_back(release, previous, "install_failed", snapshot)
        if not self._probe.healthy(release, self._deadline_s):
            return self._roll_back(release, previous, "unhealthy", snapshot)
        self._record(Kept(package=release.package, version=release.version, file=deb.name))
        self._prune(keep={deb.name, previous.file})
        if self._store:
            self._store.discard(snapshot)
        return Outcome(release.package, release.version, "installed", None, release.version)

    def _roll_back(self, release: Release, previous: Kept, reason: str, snapshot: Snapshot | None) -> Outcome:
        """The previous package again, after the store from before the install if the new version
        migrated it (device/update/store_guard.py); a store that cannot be put back stops here."""
        failed = Outcome(release.package, release.version, "failed", "rollback_failed", None)
        aside = None
        if self._store:
            try:
                aside = self._store.restore_if_newer(snapshot, release.version)
            except (OSError, StoreError, sqlite3.Error) as exc:
                log.error("the store could not be put back before the rollback: %s", exc)
                return failed
        try:
            self._dpkg.install(self._keep / previous.file)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            log.error("dpkg refused the previous %s too: %s", previous.file, getattr(exc, "stderr", exc))
            if aside is None:
                return failed
            return msgspec.structs.replace(failed, store_set_aside=aside.file, events_set_aside=aside.events)
        if self._store and aside is None:
            self._store.discard(snapshot)
        log.warning("%s %s: %s; back on %s", release.package, release.version, reason, previous.version)
        rolled = Outcome(release.package, release.version, "rolled_back", reason, previous.version)
        if aside is None:
            return rolled
        return msgspec.structs.replace(rolled, store_set_aside=aside.file, events_set_aside=aside.events)

    def _download(self, release: Release) -> Path:
        """The package fetched to the keep directory, its size and SHA-256 checked before it is named."""
        self._keep.mkdir(parents=True, exist_ok=True)
        partial = self._keep / ".download.partial"
        digest, size = hashlib.sha256(), 0
        try:
            with self._fetch(release.url) as src, partial.open("wb") as out:
                while chunk := src.read(_CHUNK):
                    size += len(chunk)
                    if size > release.size:
                        raise UpdateRefused("bad_size", f"more than the release's {release.size} bytes")
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise UpdateRefused("download_failed", f"{release.url}: {exc}") from None
        except UpdateRefused:
            partial.unlink(missing_ok=True)
            raise
        if size != release.size:
            partial.unlink()
            raise UpdateRefused("bad_size", f"{size} bytes, the release says {release.size}")
        if digest.hexdigest() != release.sha256:
            partial.unlink()
            raise UpdateRefused(
                "bad_hash", f"SHA-256 {digest.hexdigest()}, the release says {release.sha256}"
            )
        target = self._keep / deb_file_name(release.package, release.version)
        partial.replace(target)
        return target

    def _record(self, kept: Kept) -> None:
        self._keep.mkdir(parents=True, exist_ok=True)
        tmp = self._keep / f".{_CURRENT}.tmp"
        tmp.write_bytes(msgspec.json.encode(kept))
        tmp.replace(self._keep / _CURRENT)

    def _prune(self, keep: set[str]) -> None:
        """Only the running package and the one before it stay: a card has little room."""
        for path in self._keep.glob("*.deb"):
            if path.name not in keep:
                path.unlink()


def write_outcome(keep: Path, outcome: Outcome) -> None:
    keep.mkdir(parents=True, exist_ok=True)
    tmp = keep / f".{OUTCOME}.tmp"
    tmp.write_bytes(msgspec.json.encode(outcome))
    tmp.replace(keep / OUTCOME)


def read_outcome(keep: Path) -> Outcome | None:
    """The last outcome, or None (none yet, or a file this version cannot read: reported as none)."""
    try:
        return msgspec.json.decode((keep / OUTCOME).read_bytes(), type=Outcome)
    except (OSError, msgspec.DecodeError):
        return None


def read_kept(keep: Path) -> Kept | None:
    """The package kept as the running one, or None (never adopted, or unreadable: nothing to go back to)."""
    try:
        return msgspec.json.decode((keep / _CURRENT).read_bytes(), type=Kept)
    except (OSError, msgspec.DecodeError):
        return None
