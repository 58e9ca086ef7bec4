"""The exception queue's decisions: what a ticket is and its evidence window, with no I/O.

A workflow that meets an exception (a surplus barcode, a damaged parcel, a refusal, a parcel not
found) returns an OpenTicket effect beside its other effects, so the ticket is written in the same
transaction as what caused it (device/store/tickets.py).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from workflows.context import Ctx, Evidence


class TicketKind(enum.Enum):
    """The kinds of the `tickets` table (migration 0012)."""

    UNKNOWN_BARCODE = "unknown_barcode"  # a surplus at acceptance that no manifest lists
    DAMAGED = "damaged"  # damaged at acceptance or at issue
    REFUSED = "refused"  # the customer refused the parcel at issue
    NOT_FOUND = "not_found"  # not found at issue or in an inventory count
    DOOR = "door"  # a kiosk door that jammed or opened unasked
    HARDWARE = "hardware"  # a printer or scanner fault that stopped work
    NOTE = "note"  # a clerk's own note, from a command barcode


class TicketState(enum.Enum):
    OPEN = "open"
    RESOLVED = "resolved"


# The local barcode printed on a surplus parcel's label: it scans back to its ticket.
LABEL_PREFIX = "PVZT-"


@dataclass(frozen=True, slots=True)
class Window:
    """The evidence window: the station's camera and the wall times (UTC) around the moment."""

    camera: str | None
    start: datetime
    end: datetime


def window(evidence: Evidence, station: str | None, moment: datetime) -> Window:
    """The camera and the span of video a dispute about `moment` at `station` needs."""
    at = moment.astimezone(UTC)
    camera = evidence.cameras.get(station or "") or None
    return Window(camera, at - timedelta(seconds=evidence.before_s), at + timedelta(seconds=evidence.after_s))


@dataclass(frozen=True, slots=True)
class OpenTicket:
    """Open a ticket in this transaction; the store gives it its id and journals ticket_opened."""

    kind: TicketKind
    window: Window
    parcel: str | None = None
    order_id: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)
    label: bool = False  # print a local label that scans back to the ticket (a surplus barcode)


def ticket(
    ctx: Ctx,
    kind: TicketKind,
    *,
    parcel: str | None = None,
    order_id: str | None = None,
    detail: Mapping[str, Any] | None = None,
    label: bool = False,
) -> OpenTicket:
    """A ticket opened by a workflow step at its station, now."""
    return OpenTicket(
        kind, window(ctx.policy.evidence, ctx.station, ctx.now), parcel, order_id, detail or {}, label
    )
