"""A printer or scanner fault that stopped work becomes a ticket: once when it appears, not per check."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from device.engine import Engine
from device.store.journal import Stamp
from device.store.tickets import open_ticket
from workflows.tickets import OpenTicket, TicketKind, window

log = logging.getLogger("pvz.runtime")


class FaultTickets:
    """Opens a hardware ticket for each fault of a station that was not there at the previous check."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._open: dict[str, set[str]] = {}
        self.opened = 0

    def seen(self, station: str, faults: Mapping[str, Mapping[str, Any]]) -> list[str]:
        """`faults`: each fault now at the station by its identity (say "scanner:front") with what to
        keep of it. Returns the ids of the tickets opened for the new ones."""
        before = self._open.get(station, set())
        self._open[station] = set(faults)
        new = [key for key in faults if key not in before]
        return [self._open_ticket(station, key, faults[key]) for key in new]

    def _open_ticket(self, station: str, key: str, detail: Mapping[str, Any]) -> str:
        engine = self.engine
        now = engine.clock()
        with engine.store.transaction() as conn:
            stamp = Stamp(engine.device_id, now.isoformat(timespec="seconds"), station, engine.clerk(station))
            where = window(engine.policy.evidence, station, now)
            ticket = open_ticket(
                conn, stamp, OpenTicket(TicketKind.HARDWARE, where, detail={"fault": key, **detail})
            )
        self.opened += 1
        log.warning("station %s: fault %s: ticket %s opened", station, key, ticket)
        return ticket
