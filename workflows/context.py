"""Who and when a workflow step runs for: the station, its kind and clerk, the time, the rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

# What releases an order found by its number alone: "never" (only its pickup code or QR),
# or "id_check" (also an ID check the clerk confirms by scanning ID CHECKED).
ReleaseByNumber = Literal["never", "id_check"]
# A counter has a clerk and runs every workflow; a kiosk serves customers alone (workflows/kiosk.py).
StationKind = Literal["counter", "kiosk"]


@dataclass(frozen=True, slots=True)
class KioskRules:
    """Rules of the self-service kiosks and the locker's doors that config sets ([kiosk], [doors])."""

    # Wrong codes in a row before the keypad locks for `lock_s`; each further lock doubles up to
    # `max_lock_s`. A right code does not lower the lock level: only `forget_after_s` quiet does.
    max_wrong_codes: int = 3
    lock_s: int = 300
    max_lock_s: int = 86_400
    forget_after_s: int = 86_400
    # A session with lit shelf cells or unverified doors ends after this long without news.
    idle_s: float = 120.0
    # Cells of this rack zone have a door; a cell's light channel is its door number. Empty (as
    # with [doors] backend "none"): the site has no doors.
    doors_zone: str = ""
    # An open command not fired this long after it was decided is never fired.
    door_expiry_s: float = 20.0


@dataclass(frozen=True, slots=True)
class SendRules:
    """Rules of sending from the point that config sets ([send])."""

    # Central's Ed25519 public key (base64 of the raw 32 bytes) that signs a send's QR code;
    # empty: this point does not take sends.
    public_key: str = ""
    max_weight_g: int = 15_000
    max_sides_sum_cm: int = 180
    max_side_cm: int = 120
    # A scale is configured at the counter: the weight comes from it, not the keypad.
    scale: bool = False


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a ticket's video is: each station's camera ([[stations]] camera) and how long before and
    after a ticket's moment its evidence window runs ([tickets])."""

    cameras: Mapping[str, str] = field(default_factory=dict)
    before_s: int = 120
    after_s: int = 60


@dataclass(frozen=True, slots=True)
class Policy:
    """Rules of the pickup point that config sets."""

    return_window_days: int = 14
    release_by_number: ReleaseByNumber = "never"
    # Wrong pickup codes at one station: this many in a row, then the station pauses codes for
    # `pause_s`, doubling with every further wrong code up to `max_pause_s`.
    max_wrong_codes: int = 5
    pause_s: int = 30
    max_pause_s: int = 900
    kiosk: KioskRules = field(default_factory=KioskRules)
    send: SendRules = field(default_factory=SendRules)
    evidence: Evidence = field(default_factory=Evidence)


@dataclass(frozen=True, slots=True)
class Ctx:
    station: str
    now: datetime
    clerk: str | None = None
    policy: Policy = field(default_factory=Policy)
    kind: StationKind = "counter"
