"""What a code looks like before the store is asked: parcel formats, issue codes, QR payloads."""

from __future__ import annotations

import re
from dataclasses import dataclass

from workflows.send_qr import PREFIX as SEND_PREFIX
from workflows.send_qr import looks_like_send_qr

# Ozon posting numbers (order-posting-part) and the generic carrier label shape:
# upper-case letters, digits and dashes. A surplus at acceptance must look like one of
# these, so a stray QR code or a typo is refused instead of becoming a phantom parcel.
_POSTING = re.compile(r"^\d{6,12}-\d{1,6}-\d{1,3}$")
_GENERIC = re.compile(r"^[A-Z0-9][A-Z0-9-]{7,39}$")
_EAN13 = re.compile(r"^\d{13}$")
# `order*code`: an order id in any shape a manifest allows (1..64 printable ASCII characters
# without spaces, `Ident` in device/intake/manifest.py), a star, and the code the customer
# dictates. A code has no star, so the last star splits the two even in an id that has one.
_ISSUE_CODE = re.compile(r"\A(?P<order>[!-~]{1,64})\*(?P<code>\d{3,12})\Z")
# A pickup code alone: what a customer reads out of the app (3..12 digits, as after the star).
_PICKUP_CODE = re.compile(r"\A\d{3,12}\Z")
QR_PREFIX = "PVZQR:"
_MIN_DIGITS = 4


def ean13_ok(text: str) -> bool:
    if not _EAN13.match(text):
        return False
    digits = [int(c) for c in text]
    total = sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits[:12]))
    return (10 - total % 10) % 10 == digits[12]


def looks_like_parcel(text: str) -> bool:
    if _EAN13.match(text):
        return ean13_ok(text)
    if _POSTING.match(text):
        return True
    # Carrier labels carry a serial number: words without digits are not parcels.
    return bool(_GENERIC.match(text)) and sum(c.isdigit() for c in text) >= _MIN_DIGITS


@dataclass(frozen=True, slots=True)
class IssueCode:
    """`12345678*1234`: the order number and the code the customer dictates."""

    order: str
    code: str


def issue_code(text: str) -> IssueCode | None:
    """`ORD-77120*482915` → order `ORD-77120`, code `482915`; a QR payload is never one."""
    if qr_token(text) is not None:
        return None
    m = _ISSUE_CODE.match(text)
    return None if m is None else IssueCode(m["order"], m["code"])


def pickup_code(text: str) -> str | None:
    """The text as a pickup code typed alone, if it has that shape."""
    return text if _PICKUP_CODE.match(text) else None


def qr_token(text: str) -> str | None:
    """The token of a customer's QR code (`PVZQR:<token>`), if the text is one."""
    if text.upper().startswith(QR_PREFIX):
        token = text[len(QR_PREFIX) :]
        return token or None
    return None


MASK = "***"


def masked(text: str) -> str:
    """A code as a log may show it: a customer's QR token, a sender's QR, pickup code or the code of
    `order*code` is hidden; a parcel barcode, cell label, badge or command barcode is shown as it is."""
    if qr_token(text) is not None:
        return text[: len(QR_PREFIX)] + MASK
    if looks_like_send_qr(text):  # a sender's shipment: whoever holds the code can send it
        return f"{SEND_PREFIX}.{MASK}"
    found = issue_code(text)
    if found is not None:
        return f"{found.order}*{MASK}"
    if pickup_code(text) is not None:
        return MASK
    return text
