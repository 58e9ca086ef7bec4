"""Pickup codes and QR tokens as keyed hashes: the store never holds a customer's code in plain text."""

from __future__ import annotations

import hashlib
import hmac


def code_hmac(key: bytes, code: str) -> str:
    """HMAC-SHA256 of a pickup code or QR token under the site key, as lowercase hex.

    The central side computes the same value when it builds the manifest, so the code
    itself never travels to or rests on the device.
    """
    return hmac.new(key, code.strip().encode("utf-8"), hashlib.sha256).hexdigest()


def codes_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)
