"""A signed release of pvz: what central publishes and what a device checks before it downloads anything.

The signature covers a canonical encoding of every field a device acts on (package, version, size,
SHA-256, URL, expiry), so a hub or a broker that alters any of them is caught. Central signs with
this module's `signed_bytes`, the device checks with `verify`: one encoding, in one place.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from typing import Annotated, Any

import msgspec
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from device.exc import PvzError

FORMAT = 1
MAX_RELEASE_BYTES = 4096  # a release document, not the package: a few hundred bytes
MAX_PACKAGE_BYTES = 512 * 1024 * 1024  # a .deb larger than this is refused before any download
_DOMAIN = b"pvz-release-v1\n"  # a signature over a release can never pass for one over a send QR

# Every reason a release is refused for; docs/rollout.md lists them for the operator.
REASONS: dict[str, str] = {
    "malformed": "not a release document of this format",
    "bad_signature": "the signature is not the release key's over these fields",
    "expired": "the release's expiry has passed; a device that was offline does not take it late",
    "too_large": "the package is larger than a device accepts",
    "bad_size": "the downloaded package has another size than the release says",
    "bad_hash": "the downloaded package's SHA-256 differs from the release's",
    "download_failed": "the package could not be fetched from the release's URL",
    "install_failed": "dpkg refused the package; the previous one was put back",
    "unhealthy": "the new version did not report READY and a good status in time; rolled back",
    "no_rollback": "the running version's package is not kept, so a failure could not be undone; nothing done",
    "rollback_failed": "dpkg refused the previous package too: the device needs a technician",
    "launch_failed": "the installer cannot be started for this keep_dir; nothing installed",
    "backup_failed": "the store could not be backed up before the install; nothing installed",
}

Sha256 = Annotated[str, msgspec.Meta(pattern=r"\A[0-9a-f]{64}\Z")]
Url = Annotated[str, msgspec.Meta(pattern=r"\A(?:https?|file)://[!-~]+\Z", max_length=1024)]
DebName = Annotated[str, msgspec.Meta(pattern=r"\A[a-z0-9][a-z0-9+.-]{1,63}\Z")]
DebVersion = Annotated[str, msgspec.Meta(pattern=r"\A[0-9][A-Za-z0-9.+~:-]{0,63}\Z")]


class UpdateRefused(PvzError, ValueError):
    """A release or its package refused; `reason` is one of REASONS, the message is for the log."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{message} ({reason})")
        self.reason = reason


class Release(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One release as published: the signed fields and the signature (base64 of 64 bytes)."""

    format: int
    package: DebName
    version: DebVersion
    size: Annotated[int, msgspec.Meta(ge=1)]
    sha256: Sha256
    url: Url
    expires_at: Annotated[int, msgspec.Meta(ge=0)]  # Unix seconds
    signature: str = ""


def signed_bytes(release: Release) -> bytes:
    """The canonical bytes signed: sorted keys, no spaces, ASCII; the signature itself left out."""
    fields: dict[str, Any] = msgspec.to_builtins(release)
    fields.pop("signature")
    return _DOMAIN + json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def sign(release: Release, key: Ed25519PrivateKey) -> Release:
    """The release with its signature (central side; the device never holds the private key)."""
    signature = base64.b64encode(key.sign(signed_bytes(release))).decode()
    return msgspec.structs.replace(release, signature=signature)


def encode(release: Release) -> bytes:
    return msgspec.json.encode(release)


def load_public_key(text: str) -> Ed25519PublicKey:
    """The release key from config: base64 of the raw 32 bytes. ValueError if it is not one."""
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error:
        raise ValueError("not base64") from None
    if len(raw) != 32:
        raise ValueError(f"{len(raw)} bytes, an Ed25519 public key has 32")
    return Ed25519PublicKey.from_public_bytes(raw)


def decode(raw: bytes) -> Release:
    """A release document read strictly; anything else is refused as `malformed`."""
    if len(raw) > MAX_RELEASE_BYTES:
        raise UpdateRefused("malformed", f"release document of {len(raw)} bytes")
    try:
        release = msgspec.json.decode(raw, type=Release)
    except msgspec.DecodeError as exc:
        raise UpdateRefused("malformed", f"release document: {exc}") from None
    if release.format != FORMAT:
        raise UpdateRefused("malformed", f"release format {release.format}, this pvz reads {FORMAT}")
    return release


def verify(release: Release, key: Ed25519PublicKey, *, now: dt.datetime) -> Release:
    """The release if its signature is the release key's, it is not expired and not too large."""
    try:
        signature = base64.b64decode(release.signature, validate=True)
    except binascii.Error:
        raise UpdateRefused("bad_signature", "the signature is not base64") from None
    try:
        key.verify(signature, signed_bytes(release))
    except InvalidSignature:
        raise UpdateRefused("bad_signature", f"{release.package} {release.version}: signature") from None
    if now.timestamp() >= release.expires_at:
        raise UpdateRefused("expired", f"{release.package} {release.version} expired at {release.expires_at}")
    if release.size > MAX_PACKAGE_BYTES:
        raise UpdateRefused("too_large", f"{release.size} bytes, at most {MAX_PACKAGE_BYTES}")
    return release


def deb_file_name(package: str, version: str) -> str:
    """A release's .deb name, served by the hub and kept on the device: made from checked fields only,
    never from a URL; the epoch's ':' of a Debian version becomes '_'."""
    return re.sub(r"[^A-Za-z0-9+.~-]", "_", f"{package}_{version}.deb")
