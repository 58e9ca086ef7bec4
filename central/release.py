"""Building a signed release of a .deb at central, and choosing which devices of which sites get it.

The release key is made once (`pvz-central pki release-key`) and stays in the PKI directory;
devices hold only its public half ([update] public_key). The encoding that is signed is the
device's own (device/update/release.py), so central and device cannot disagree about it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)

from device.exc import PvzError
from device.update import adopt
from device.update.release import (
    FORMAT,
    MAX_PACKAGE_BYTES,
    Release,
    UpdateRefused,
    deb_file_name,
    sign,
    verify,
)

KEY_FILE = "release/release.key"
PUBLIC_FILE = "release/release.pub"
DEFAULT_EXPIRY_H = 72.0  # a device offline longer than this does not take the release late
DEFAULT_MAX_FAILURES = 10.0  # percent of finished installs that may fail before widening stops


class RolloutError(PvzError, ValueError):
    """A release cannot be built or published as asked; `reason` is a stable code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{message} ({reason})")
        self.reason = reason


def public_text(key: Ed25519PrivateKey) -> str:
    return base64.b64encode(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def new_release_key(pki: Path) -> str:
    """A new release key in PKI/release/ (private PEM mode 0600, never overwritten); its public text."""
    path = pki / KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise RolloutError("key_exists", f"{path} exists: a release key is never overwritten") from None
    with os.fdopen(fd, "wb") as out:
        out.write(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    text = public_text(key)
    (pki / PUBLIC_FILE).write_text(text + "\n")
    return text


def load_release_key(pki: Path) -> Ed25519PrivateKey:
    path = pki / KEY_FILE
    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise RolloutError("no_release_key", f"{path}: not a readable key ({type(exc).__name__})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise RolloutError("no_release_key", f"{path}: not an Ed25519 key")
    return key


def deb_fields(deb: Path) -> tuple[str, str]:
    """The package's name and version, as dpkg-deb reads them from its control file (the device's
    own reading, device/update/adopt.py); a file it cannot read is `not_a_package`."""
    try:
        return adopt.deb_fields(deb)
    except adopt.NotAdoptable as exc:
        raise RolloutError(exc.reason, str(exc).removesuffix(f" ({exc.reason})")) from None


def build(deb: Path, *, key: Ed25519PrivateKey, url_base: str, now: dt.datetime, expiry_h: float) -> Release:
    """The signed release of `deb`, served at URL_BASE/<package>_<version>.deb; checked as a device would."""
    package, version = deb_fields(deb)
    data = deb.read_bytes()
    if len(data) > MAX_PACKAGE_BYTES:
        raise RolloutError(
            "too_large", f"{deb}: {len(data)} bytes, a device takes at most {MAX_PACKAGE_BYTES}"
        )
    unsigned = Release(
        format=FORMAT,
        package=package,
        version=version,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        url=f"{url_base.rstrip('/')}/{deb_file_name(package, version)}",
        expires_at=int(now.timestamp() + expiry_h * 3600),
    )
    release = sign(unsigned, key)
    try:
        verify(release, key.public_key(), now=now)
    except UpdateRefused as exc:
        raise RolloutError(exc.reason, str(exc)) from None
    return release


def choose(
    known: Mapping[str, Iterable[str]], sites: Iterable[str], percent: float, *, salt: str
) -> list[tuple[str, str]]:
    """(site, device) pairs that get the release: `percent` of the named sites' known devices.

    The order is by a hash of the release (`salt`) and the device, so the same command picks the
    same devices, a wider percent keeps those already chosen, and another release picks others
    first. At least one device is chosen when percent > 0. An unknown site is refused.
    """
    if not 0 < percent <= 100:
        raise RolloutError("bad_percent", f"percent {percent}: give more than 0 and at most 100")
    wanted = list(dict.fromkeys(sites))
    unknown = [s for s in wanted if s not in known]
    if unknown or not wanted:
        raise RolloutError(
            "unknown_site", f"no known devices at site(s): {', '.join(unknown) or '(none named)'}"
        )
    pool = [(site, device) for site in wanted for device in known[site]]

    def rank(pair: tuple[str, str]) -> str:
        return hashlib.sha256(f"{salt}\n{pair[0]}\n{pair[1]}".encode()).hexdigest()

    count = max(1, int(len(pool) * percent / 100))
    return sorted(sorted(pool, key=rank)[:count])


def check_failures(
    reports: Iterable[Mapping[str, Any] | None], sha256: str, max_failures: float
) -> dict[str, int]:
    """The devices' reports on this package (their retained status's `release`), counted; a rollout
    whose failures are more than `max_failures` percent of the finished installs is refused
    (`failure_threshold`): the release stops widening until the cause is known."""
    counts = {"installed": 0, "failed": 0, "pending": 0}
    for report in reports:
        if not isinstance(report, Mapping) or report.get("sha256") != sha256:
            continue
        result = report.get("result")
        if result == "installed":
            counts["installed"] += 1
        elif result in ("rolled_back", "failed"):
            counts["failed"] += 1
        elif result == "pending":
            counts["pending"] += 1
    finished = counts["installed"] + counts["failed"]
    if finished and counts["failed"] * 100 > max_failures * finished:
        raise RolloutError(
            "failure_threshold",
            f"{counts['failed']} of {finished} devices failed this package (more than {max_failures:g} %)",
        )
    return counts


_PROGRESS = {"installed": "healthy", "rolled_back": "failed", "failed": "failed", "refused": "refused"}


def progress(
    chosen: Iterable[tuple[str, str]], found: Mapping[tuple[str, str], Mapping[str, Any]], sha256: str
) -> dict[str, int]:
    """Where a release stands on the devices chosen for it, from their retained statuses: healthy
    (installed and reported READY and a good status), failed (rolled back, or failed outright),
    refused, installing (pending), waiting (no report on this package yet: offline, or not there)."""
    counts = dict.fromkeys(("total", "healthy", "failed", "refused", "installing", "waiting"), 0)
    for key in chosen:
        counts["total"] += 1
        report = found.get(key, {}).get("release")
        if not isinstance(report, Mapping) or report.get("sha256") != sha256:
            counts["waiting"] += 1
        elif report.get("result") == "pending":
            counts["installing"] += 1
        else:
            counts[_PROGRESS.get(str(report.get("result")), "waiting")] += 1
    return counts
