"""A scale on a serial port sending the continuous line protocol (drivers/scale/protocol.py)."""

from __future__ import annotations

import logging
import time

import serial

from drivers.exc import DeviceNotFound, ScaleError
from drivers.scale.base import Scale
from drivers.scale.protocol import Settler

log = logging.getLogger("pvz.drivers.scale")

# How long a weighing may take before the scale is called unstable (or silent): a parcel
# put down settles in about a second on a counter scale.
SETTLE_TIMEOUT_S = 5.0
MAX_LINE = 64  # a weight line is about 20 bytes; anything longer is garbage


class SerialScale(Scale):
    """Opens the port for each weighing, so a scale unplugged between sends is found again."""

    def __init__(
        self,
        *,
        name: str,
        path: str,
        baudrate: int = 9600,
        settle_timeout_s: float = SETTLE_TIMEOUT_S,
        stable_lines: int = 3,
    ) -> None:
        self.name = name
        self.path = path
        self.baudrate = baudrate
        self.settle_timeout_s = settle_timeout_s
        self.stable_lines = stable_lines

    def read_grams(self) -> int:
        try:
            port = serial.Serial(self.path, self.baudrate, timeout=0.2, exclusive=True)
        except serial.SerialException as exc:
            log.warning("scale %s: %s", self.name, exc)
            raise DeviceNotFound(f"scale {self.name} at {self.path}") from None
        try:
            return self._settle(port)
        except serial.SerialException as exc:
            log.warning("scale %s: %s", self.name, exc)
            raise ScaleError("scale_gone") from None
        finally:
            port.close()

    def _settle(self, port: serial.Serial) -> int:
        settler = Settler(stable_lines=self.stable_lines)
        deadline = time.monotonic() + self.settle_timeout_s
        port.reset_input_buffer()
        buffer = b""
        heard = False
        while time.monotonic() < deadline:
            buffer += port.read(max(1, port.in_waiting))
            while b"\n" in buffer or b"\r" in buffer:
                line, buffer = _split(buffer)
                if not line.strip():
                    continue
                heard = True
                grams = settler.feed(line)
                if grams is not None:
                    return grams
            if len(buffer) > MAX_LINE:
                heard = True
                settler.feed(buffer)
                buffer = b""
        raise ScaleError("scale_unstable" if heard else "scale_silent")

    def status(self) -> dict[str, object]:
        return {**super().status(), "path": self.path, "baudrate": self.baudrate}


def _split(buffer: bytes) -> tuple[bytes, bytes]:
    ends = [i for i in (buffer.find(b"\r"), buffer.find(b"\n")) if i >= 0]
    cut = min(ends)
    return buffer[:cut], buffer[cut + 1 :]
