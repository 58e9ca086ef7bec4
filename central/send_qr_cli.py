"""`pvz-central send-key` and `send-qr`: central's signing key for sends, and a shipment's QR made with it.

The key stays at central; a point holds only its public half ([send] public_key) and so can
check a sender's QR offline, and cannot make one.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from device.exc import PvzError
from workflows.parcel import Size
from workflows.send_qr import BadSendQr, Shipment, make, public_key_text, verify


class SendQrError(PvzError, ValueError):
    """The key file is missing, unreadable, not an Ed25519 key, or the shipment is not one a point takes."""


def new_key(path: Path) -> str:
    """Write a new private key (PEM, mode 0600, never over an existing file); return its public text."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise SendQrError(f"{path} exists: a key is never overwritten") from None
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return public_key_text(key)


def load_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise SendQrError(f"{path}: not a readable private key ({type(exc).__name__})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SendQrError(f"{path}: not an Ed25519 key")
    return key


def qr_text(key_file: Path, shipment_id: str, to_point: str, size: str, sender: str) -> str:
    """A shipment's QR text signed with the key in `key_file` (the demo calls this too)."""
    key = load_key(key_file)
    text = make(Shipment(shipment_id, to_point, Size(size), sender), key)
    try:
        verify(text, key.public_key())  # a shipment a point would refuse is refused here, by field
    except BadSendQr as exc:
        raise SendQrError(f"{exc.reason} at {exc.path or '$'}") from None
    return text


def run_key(args: argparse.Namespace) -> str:
    return new_key(Path(args.out))


def run_qr(args: argparse.Namespace) -> str:
    return qr_text(Path(args.key), args.id, args.to, args.size, args.sender)


def add_key_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, help="where to write the private key (PEM; refused if it exists)")


def add_qr_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--key", required=True, help="central's private key, from `pvz-central send-key`")
    p.add_argument("--id", required=True, help="the shipment id (A-Z, 0-9, dashes; 6 to 32)")
    p.add_argument("--to", required=True, help="the recipient pickup point")
    p.add_argument("--size", choices=[s.value for s in Size], default="M", help="declared size (default: M)")
    p.add_argument("--sender", required=True, help="the sender's name as masked in the app, e.g. 'Анна П.'")
