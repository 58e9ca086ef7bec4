"""`fleet cmd … diagnostics`: the bundle in a device's reply is saved as a zip file, never printed."""

from __future__ import annotations

import base64
import binascii
import hashlib
from pathlib import Path, PurePosixPath
from typing import Any


def save_bundle(reply: dict[str, Any], who: str, directory: Path) -> dict[str, Any]:
    """The reply with its base64 replaced by where the zip was saved (checked against its sha256).

    A bundle too big to travel stays on the device: the reply then says where it is there."""
    result = reply.get("result")
    if not isinstance(result, dict):
        return reply
    encoded = result.get("base64")
    kept = {k: v for k, v in result.items() if k != "base64"}
    if not isinstance(encoded, str):
        kept["saved"] = None
        kept["note"] = f"too big to travel in the reply: fetch {result.get('path')} from the device"
        return {**reply, "result": kept}
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return {**reply, "ok": False, "error": "the bundle in the reply is not base64", "result": kept}
    if hashlib.sha256(data).hexdigest() != result.get("sha256"):
        return {**reply, "ok": False, "error": "the bundle does not match its sha256", "result": kept}
    name = PurePosixPath(str(result.get("path") or "bundle.zip")).name
    path = directory / f"{who.replace('/', '-')}-{name}"
    directory.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    kept["saved"] = str(path)
    return {**reply, "result": kept}
