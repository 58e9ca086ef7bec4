"""What a clerk must see of the hardware and the store: faults shown at each station, once per change."""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

from drivers.base import Color, Pattern
from workflows.messages import Msg

if TYPE_CHECKING:
    from device.fault_tickets import FaultTickets
    from device.station_io import StationIO
    from device.store.print_queue import PrintQueue

log = logging.getLogger("pvz.runtime")


class StationFaults:
    """A scanner that is not there, a printer that cannot print: red fast blinking and the fault
    on the station's screen; back to green when it clears. Changes are logged once, not every check."""

    def __init__(self, tickets: FaultTickets | None = None) -> None:
        self._shown: dict[str, list[str]] = {}
        self.tickets = tickets  # a ticket for each fault when it appears (device/fault_tickets.py)

    def check(
        self,
        stations: Mapping[str, StationIO],
        prints: PrintQueue,
        lang: str,
        *,
        doors: Msg | None = None,
        kiosks: Collection[str] = (),
    ) -> dict[str, list[str]]:
        """`doors`: the locker's fault (its bus silent), shown at the `kiosks` until it clears."""
        printers = prints.status()["printers"]
        queued = prints.pending()
        report: dict[str, list[str]] = {}
        for name, io in stations.items():
            missing = [source.name for source in io.sources if source.status().get("connected") is False]
            faults = [Msg("hw_scanner_missing", {"scanner": scanner}) for scanner in missing]
            known: dict[str, dict[str, str]] = {f"scanner:{s}": {"scanner": s} for s in missing}
            if doors is not None and name in kiosks:
                faults.append(doors)
            printer = printers.get(name)
            if printer is not None and printer["failures"]:
                faults.append(
                    Msg("hw_printer_fault", {"error": str(printer["last_error"]), "queued": queued})
                )
                known["printer"] = {"error": str(printer["last_error"])[:200]}
            if self.tickets is not None:
                self.tickets.seen(name, known)
            lines = [m.render(io.lang or lang) for m in faults]
            report[name] = lines
            if lines == self._shown.get(name, []):
                continue
            self._shown[name] = lines
            if lines:
                log.warning("station %s: %s", name, "; ".join(m.render("en") for m in faults))
                color, pattern, title = Color.RED, Pattern.FAST_BLINK, Msg("hw_fault")
            else:
                log.info("station %s: hardware back to normal", name)
                color, pattern, title = Color.GREEN, Pattern.STEADY, Msg("hw_ok")
            if io.status_light is not None:
                io.status_light.show(color, pattern)
            if io.screen is not None:
                io.screen.show(title.render(io.lang or lang), lines, color=color)
        return report


def show_store_damaged(stations: Mapping[str, StationIO], lang: str) -> None:
    """Every station: red fast blinking and the store's damage on the screen, until a technician restores it."""
    for io in stations.values():
        if io.status_light is not None:
            io.status_light.show(Color.RED, Pattern.FAST_BLINK)
        if io.screen is not None:
            said = io.lang or lang
            io.screen.show(
                Msg("hw_fault").render(said), [Msg("hw_store_damaged").render(said)], color=Color.RED
            )
