"""What went wrong with the doors' hardware, as a stable reason code the controller and the tests match on.

The message is for the technician's log; `reason` is pvz's own, so a pyserial or gpiozero
upgrade that rewords its errors cannot change what the kiosk decides.
"""

from __future__ import annotations

from drivers.doors.base import DoorError

# Every reason a DoorFault carries, with what it means (docs/doors.md repeats them).
REASONS: dict[str, str] = {
    "port_unavailable": "the RS-485 port cannot be opened (adapter unplugged, wrong path, no permission)",
    "port_failed": "the RS-485 port failed while in use (adapter unplugged mid-transaction)",
    "no_reply": "a board sent nothing back within the reply time (off, unpowered, wrong address or wiring)",
    "short_reply": "a board's reply stopped before its end",
    "bad_frame": "a reply without its start or end byte, or answering another command",
    "bad_checksum": "a reply whose checksum does not match its bytes (noise on the bus, a collision)",
    "wrong_address": "a reply from another board than the one asked",
    "refused": "the board answered that it did not carry the command out",
    "open_unconfirmed": "an open was sent, and neither its reply nor a status read came back: "
    "the door may have opened",
    "gpio_unavailable": "the door relays or sensors cannot be driven (no GPIO, a pin taken)",
    "station_unreachable": 'the remote station whose Pi drives the doors ([doors] backend "station") '
    "did not answer over the site broker, or the main device is not connected to it",
}


class DoorFault(DoorError):
    """A DoorError with a reason code from REASONS."""

    def __init__(self, message: str, *, reason: str) -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown door fault reason {reason!r}")
        super().__init__(message)
        self.reason = reason
