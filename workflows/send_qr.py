"""A send's QR code: a shipment prepared in the app, signed by central, checked offline at the point.

The point has no link to central at the moment a sender shows the code, so the code carries
its own proof: `PVZS1.<payload>.<signature>`, where payload is the base64url (unpadded) JSON
{"id", "to", "size", "sender"} and signature the base64url Ed25519 signature of the ASCII text
`PVZS1.<payload>` under central's key ([send] public_key holds the public half, base64 of the
raw 32 bytes). Signing the prefix too means a payload of another version is never accepted.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from workflows.machine import WorkflowError
from workflows.parcel import Size

PREFIX = "PVZS1"
# A shipment id is printed as a Code128 on the label: letters, digits and dashes, kept short.
SHIPMENT_ID = re.compile(r"[A-Z0-9][A-Z0-9-]{5,31}")
POINT_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
MAX_SENDER = 40


class BadSendQr(WorkflowError, ValueError):
    """A send QR that is refused; `reason` is a message key, `path` the JSON path if there is one."""

    def __init__(self, reason: str, path: str = "") -> None:
        super().__init__(f"{reason} at {path or '$'}")
        self.reason = reason
        self.path = path


@dataclass(frozen=True, slots=True)
class Shipment:
    """What a checked QR says: the shipment, the point it goes to, its declared size, the masked sender."""

    shipment_id: str
    to_point: str
    size: Size
    sender: str  # already masked by central, as the app shows it


def looks_like_send_qr(text: str) -> bool:
    return text.startswith(PREFIX + ".")


def _b64decode(text: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def load_public_key(text: str) -> Ed25519PublicKey:
    """Central's public key from config: base64 of the raw 32 bytes. ValueError if it is not one."""
    try:
        raw = base64.b64decode(text, validate=True)
    except binascii.Error:
        raise ValueError("not base64") from None
    if len(raw) != 32:
        raise ValueError(f"{len(raw)} bytes, an Ed25519 public key has 32")
    return Ed25519PublicKey.from_public_bytes(raw)


def verify(text: str, key: Ed25519PublicKey) -> Shipment:
    """The shipment a QR carries, or BadSendQr: malformed, of another version, or not signed by central.

    The signature is checked before the JSON is read, so a forged code never reaches the parser.
    """
    parts = text.split(".")
    if len(parts) != 3:
        raise BadSendQr("send_qr_malformed")
    version, payload, signature = parts
    if version != PREFIX:
        raise BadSendQr("send_qr_version")
    try:
        sig = _b64decode(signature)
        body = _b64decode(payload)
    except (ValueError, binascii.Error):
        raise BadSendQr("send_qr_malformed") from None
    try:
        key.verify(sig, f"{version}.{payload}".encode("ascii"))
    except InvalidSignature:
        raise BadSendQr("send_qr_bad_signature") from None
    return _shipment(body)


def _shipment(body: bytes) -> Shipment:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadSendQr("send_qr_malformed") from None
    if not isinstance(data, dict):
        raise BadSendQr("send_qr_malformed")
    fields = {"id": SHIPMENT_ID, "to": POINT_ID}
    for name, pattern in fields.items():
        value = data.get(name)
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise BadSendQr("send_qr_field", f"$.{name}")
    size = data.get("size")
    if size not in {s.value for s in Size}:
        raise BadSendQr("send_qr_field", "$.size")
    sender = data.get("sender")
    if not isinstance(sender, str) or not 0 < len(sender) <= MAX_SENDER or not sender.isprintable():
        raise BadSendQr("send_qr_field", "$.sender")
    unknown = sorted(set(data) - {"id", "to", "size", "sender"})
    if unknown:
        raise BadSendQr("send_qr_field", f"$.{unknown[0]}")
    return Shipment(data["id"], data["to"], Size(size), sender)


def make(shipment: Shipment, key: Ed25519PrivateKey) -> str:
    """Central's side: the QR text of a shipment, signed (used by `pvz-central send-qr` and the demo)."""
    data = {"id": shipment.shipment_id, "to": shipment.to_point, "size": shipment.size.value}
    data["sender"] = shipment.sender
    payload = _b64encode(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    signed = f"{PREFIX}.{payload}"
    return f"{signed}.{_b64encode(key.sign(signed.encode('ascii')))}"


def public_key_text(key: Ed25519PrivateKey) -> str:
    """The public half as [send] public_key spells it: base64 of the raw 32 bytes."""
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")
