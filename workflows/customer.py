"""What the device keeps of a customer: the masked name and the phone's last four digits.

Issuing needs only enough to tell a handful of orders apart and to check with the person at the
counter: "Иван П." and "•••• 4567". Everything else central may know (the full name, the whole
phone) is dropped at intake (device/intake/manifest.py) and never reaches the store, a log or the
journal. The mask is applied once at intake and again wherever a name is shown, so it must be
idempotent: a masked name masks to itself.
"""

from __future__ import annotations

PHONE_TAIL = 4  # digits of the phone kept: what a customer reads back to confirm an order
HIDDEN = "••••"  # the part of the phone that is not kept, as a screen or receipt shows it
NO_NAME = "—"  # a name that is empty or was purged


def masked_name(name: str) -> str:
    """The given name whole and the initial of the last word: "Иван Петров" → "Иван П.".

    Central sends the given name first (docs/manifest.md), so the last word is the surname:
    "Мария Ивановна Петрова" → "Мария П."; words between (a patronymic) are dropped. The same
    rule is spelled in SQL by migration 0011 for names stored before it; keep the two alike.
    """
    words = name.split()
    if not words:
        return NO_NAME
    if len(words) == 1:
        return words[0]
    return f"{words[0]} {words[-1][0]}."


def phone_tail(phone: str) -> str | None:
    """The last four digits of a phone number in any spelling, or None with fewer than four."""
    digits = [c for c in phone if c.isascii() and c.isdigit()]
    if len(digits) < PHONE_TAIL:
        return None
    return "".join(digits[-PHONE_TAIL:])


def shown_phone(tail: str | None) -> str | None:
    """The phone as a screen or receipt shows it: "•••• 4567"; None when none is kept."""
    return None if not tail else f"{HIDDEN} {tail}"
