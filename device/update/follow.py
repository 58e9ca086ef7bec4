"""The daemon's side of a rollout: a release from MQTT checked, handed to an installer that outlives
the daemon, and the outcome reported in the daemon's status; and the mark that tells the installer
the new daemon is up.

`dpkg -i` of pvz restarts pvz.service, and the daemon runs as the pvz user, so the installer can
neither run inside it nor be started by it: the daemon writes the checked release to
handoff_dir/pending.release.json and the root unit pvz-update.service, started by pvz-update.path
when that file changes, installs it (`PathUnitLauncher`). The release stays retained on the
broker, so it is delivered again to the daemon that starts afterwards; its SHA-256 in the last
outcome tells the daemon that this one was handled already.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from device.update.install import Outcome, read_kept, read_outcome, write_outcome
from device.update.release import Release, UpdateRefused, decode, verify

log = logging.getLogger("pvz.update")

PENDING = "pending.release.json"  # the release the installer is to apply
RUNNING = "running.json"  # written by a daemon once READY and its first status reached the broker
WATCHED = Path("/var/lib/pvz/releases") / PENDING  # what systemd/pvz-update.path watches
MARK_POLL_S = 0.5  # how often the installer looks for the new daemon's mark


class Launcher(Protocol):
    def launch(self, release_file: Path) -> None:
        """Have `pvz update apply release_file` run where it outlives this daemon; OSError if it cannot."""


class PathUnitLauncher:
    """pvz-update.path starts the installer when the pending release is written; that write is the
    launch. A handoff_dir other than the one the unit watches would start nothing: refused."""

    def __init__(self, watched: Path = WATCHED) -> None:
        self._watched = watched

    def launch(self, release_file: Path) -> None:
        if release_file.resolve() != self._watched.resolve():
            raise OSError(
                f"pvz-update.path watches {self._watched}, not {release_file}: set [update] handoff_dir"
            )


class SimLauncher:
    """The simulated twin for the demo and tests: remembers what it would have started, starts nothing."""

    def __init__(self) -> None:
        self.launched: list[Path] = []

    def launch(self, release_file: Path) -> None:
        self.launched.append(release_file)


class ReleaseFollower:
    """One device's releases as they arrive on its retained `release` topic."""

    def __init__(
        self,
        *,
        key: Ed25519PublicKey,
        keep_dir: Path,
        handoff_dir: Path,
        launcher: Launcher,
        clock: Callable[[], dt.datetime],
    ) -> None:
        self._key, self._keep, self._launcher, self._clock = key, keep_dir, launcher, clock
        self._handoff = handoff_dir  # the daemon's: it only reads keep_dir

    def on_release(self, payload: bytes) -> Outcome | None:
        """Check the release and start its install, unless it was handled already. None: withdrawn."""
        if not payload:
            return None
        last = read_outcome(self._handoff)
        kept = read_kept(self._keep)
        running = kept.version if kept else None
        try:
            release = verify(decode(payload), self._key, now=self._clock())
        except UpdateRefused as exc:
            log.warning("release refused: %s", exc)
            return self._write(Outcome("", "", "refused", exc.reason, running))
        if last is not None and (last.sha256, last.version) == (release.sha256, release.version):
            return last  # the same retained release, delivered again after the restart
        if running == release.version:
            return self._write(
                Outcome(release.package, release.version, "installed", None, running, release.sha256)
            )
        return self._start(release, running)

    def _start(self, release: Release, running: str | None) -> Outcome:
        self._handoff.mkdir(parents=True, exist_ok=True)
        pending = self._handoff / PENDING
        tmp = self._handoff / f".{PENDING}.tmp"
        tmp.write_bytes(msgspec.json.encode(release))
        tmp.replace(pending)  # one complete document appears at once: the path unit may start now
        try:
            self._launcher.launch(pending)
        except OSError as exc:
            log.error("the installer could not be started: %s", exc)
            return self._write(
                Outcome(release.package, release.version, "failed", "launch_failed", running, release.sha256)
            )
        log.info("release %s %s: installer started", release.package, release.version)
        return self._write(
            Outcome(release.package, release.version, "pending", None, running, release.sha256)
        )

    def _write(self, outcome: Outcome) -> Outcome:
        write_outcome(self._handoff, outcome)
        return outcome

    def report(self) -> dict[str, Any] | None:
        """The last release's outcome, for the retained status (None: no release yet)."""
        last = read_outcome(self._handoff)
        return None if last is None else msgspec.to_builtins(last)


def mark_running(handoff_dir: Path, version: str) -> None:
    """Said once by a daemon after READY, when its first status reached the broker."""
    handoff_dir.mkdir(parents=True, exist_ok=True)
    tmp = handoff_dir / f".{RUNNING}.tmp"
    tmp.write_text(json.dumps({"version": version, "pid": os.getpid()}))
    tmp.replace(handoff_dir / RUNNING)


class MarkProbe:
    """The real daemon's health: its mark is removed before dpkg runs, and only a daemon started
    afterwards writes it again, after READY and one status acknowledged by the broker."""

    def __init__(self, handoff_dir: Path, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._mark = handoff_dir / RUNNING
        self._monotonic = monotonic

    def prepare(self) -> None:
        self._mark.unlink(missing_ok=True)

    def healthy(self, release: Release, deadline_s: float) -> bool:
        end = self._monotonic() + deadline_s
        while not self._mark.exists():
            if self._monotonic() >= end:
                log.warning(
                    "%s %s: no mark of a running daemon within %s s",
                    release.package,
                    release.version,
                    deadline_s,
                )
                return False
            time.sleep(MARK_POLL_S)
        return True
