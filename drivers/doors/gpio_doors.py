"""Locker doors on Raspberry Pi GPIO: a relay per door lock, a reed switch per door, an occupancy sensor where fitted.

Wiring (docs/doors.md): each relay's coil on `relay_pins[door]` (active high unless
`relay_active_high` is false, as on most opto-isolated relay boards); each door's reed switch
between `sensor_pins[door]` and ground, closed while the door is shut, read with the pin's
pull-up; each occupancy sensor's open-collector output on `occupancy_pins[door]`, pulled low
while something is in the cell. Relays are created off, so a power-up or a restart never fires a
lock; pulse() holds one relay on for `pulse_s`, and one lock at a time (lock solenoids draw amps).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from drivers.doors.base import DoorReading, DoorState, check_door
from drivers.doors.faults import DoorFault

log = logging.getLogger("pvz.drivers.doors")

DEFAULT_PULSE_S = 0.5


class GpioDoors:
    def __init__(
        self,
        *,
        relay_pins: Sequence[int],
        sensor_pins: Sequence[int] = (),
        occupancy_pins: Sequence[int] = (),
        pin_factory: Any,
        relay_active_high: bool = True,
        pulse_s: float = DEFAULT_PULSE_S,
        sleep: Callable[[float], None] = time.sleep,
        name: str = "gpio-doors",
    ) -> None:
        if not relay_pins:
            raise ValueError("GPIO doors need a relay pin per door")
        for what, pins in (("sensor", sensor_pins), ("occupancy", occupancy_pins)):
            if pins and len(pins) != len(relay_pins):
                raise ValueError(
                    f"{len(pins)} {what} pins for {len(relay_pins)} doors: give one per door or none"
                )
        if pulse_s <= 0:
            raise ValueError(f"pulse_s must be positive, got {pulse_s}")
        self.name = name
        self._pulse_s = pulse_s
        self._sleep = sleep
        self._fire = threading.Lock()
        self._devices: list[Any] = []
        self.pulses = 0
        try:
            self._relays = [
                self._open("OutputDevice", p, f"door {d} relay", pin_factory, relay_active_high)
                for d, p in enumerate(relay_pins)
            ]
            self._sensors = [
                self._open("DigitalInputDevice", p, f"door {d} sensor", pin_factory)
                for d, p in enumerate(sensor_pins)
            ]
            self._occupancy = [
                self._open("DigitalInputDevice", p, f"door {d} occupancy sensor", pin_factory)
                for d, p in enumerate(occupancy_pins)
            ]
        except DoorFault:
            self.close()
            raise
        self._pins = {
            "relays": list(relay_pins),
            "sensors": list(sensor_pins),
            "occupancy": list(occupancy_pins),
        }

    def count(self) -> int:
        return len(self._relays)

    def has_sensor(self, door: int) -> bool:
        check_door(door, self.count())
        return bool(self._sensors)

    def where(self, door: int) -> str:
        check_door(door, self.count())
        sensor = f", sensor GPIO{self._pins['sensors'][door]}" if self._sensors else ", no sensor"
        return f"relay GPIO{self._pins['relays'][door]}{sensor}"

    def read(self, door: int) -> DoorReading:
        check_door(door, self.count())
        return self._reading(door)

    def read_all(self) -> dict[int, DoorReading]:
        return {door: self._reading(door) for door in range(self.count())}

    def pulse(self, door: int) -> None:
        check_door(door, self.count())
        relay = self._relays[door]
        with self._fire:
            try:
                relay.on()
                try:
                    self.pulses += 1
                    self._sleep(self._pulse_s)
                finally:
                    relay.off()
            except Exception as exc:  # gpiozero's own errors and the pin library's
                raise DoorFault(
                    f"door {door}: cannot drive its relay: {exc}", reason="gpio_unavailable"
                ) from exc

    def status(self) -> dict[str, Any]:
        return {
            "backend": "gpio",
            "doors": self.count(),
            "sensors": bool(self._sensors),
            "occupancy": bool(self._occupancy),
            "pins": self._pins,
            "open": sorted(d for d, r in self.read_all().items() if r.state is DoorState.OPEN)
            if self._devices
            else [],
            "pulses": self.pulses,
            "online": True,
        }

    def close(self) -> None:
        for device in self._devices:
            try:
                device.close()
            except Exception as exc:  # noqa: BLE001 - every pin must be released; nothing to undo
                log.debug("%s: closing a pin: %s", self.name, exc)
        self._devices.clear()

    def _open(self, kind: str, pin: int, purpose: str, factory: Any, active_high: bool = True) -> Any:
        import gpiozero

        try:
            if kind == "OutputDevice":
                device = gpiozero.OutputDevice(
                    pin, active_high=active_high, initial_value=False, pin_factory=factory
                )
            else:
                device = gpiozero.DigitalInputDevice(pin, pull_up=True, pin_factory=factory)
        except Exception as exc:  # an invalid or taken pin, no GPIO library: gpiozero's own errors
            raise DoorFault(f"{purpose}: cannot use GPIO{pin}: {exc}", reason="gpio_unavailable") from exc
        self._devices.append(device)
        return device

    def _reading(self, door: int) -> DoorReading:
        try:
            # Pulled up: a closed reed switch (the door shut) and a detecting sensor both read active (low).
            state = DoorState.UNKNOWN
            if self._sensors:
                state = DoorState.CLOSED if self._sensors[door].is_active else DoorState.OPEN
            occupied = bool(self._occupancy[door].is_active) if self._occupancy else None
        except Exception as exc:  # a closed device, a failed pin library
            raise DoorFault(
                f"door {door}: cannot read its sensors: {exc}", reason="gpio_unavailable"
            ) from exc
        return DoorReading(door, state, occupied)
