"""Is a receipt printer there at all: a quick look that sends it nothing, before anyone calls it ready.

A printer that was never printed on has no error yet, so "no error" cannot mean "ready":
USB is looked up by vendor:product on the bus, a device file must exist, a serial port must
open, and a network printer must take a TCP connection within a short timeout.
"""

from __future__ import annotations

import socket
from pathlib import Path

PRESENCE_TIMEOUT_S = 0.5  # the longest a network or serial look may take


def usb_problem(vendor_id: int, product_id: int) -> str | None:
    """None when a device with these ids is on a USB bus; else what is wrong."""
    ids = f"USB printer {vendor_id:04x}:{product_id:04x}"
    try:
        import usb.core
    except ImportError:
        return f"{ids}: pyusb is not installed, cannot look for it"
    try:
        found = usb.core.find(idVendor=vendor_id, idProduct=product_id)
    except ValueError as exc:  # pyusb's NoBackendError
        return f"{ids}: no libusb backend to look for it (install libusb-1.0-0): {exc}"
    except OSError as exc:
        return f"{ids}: cannot look at the USB bus: {exc}"
    return None if found is not None else f"{ids} is not on the USB bus (unplugged or switched off)"


def file_problem(path: str) -> str | None:
    """None when the device file (or FIFO, or file) exists."""
    return None if Path(path).exists() else f"{path} does not exist (printer unplugged or switched off)"


def serial_problem(path: str, baudrate: int) -> str | None:
    """None when the serial port opens; it is closed again at once."""
    try:
        import serial
    except ImportError:
        return f"{path}: pyserial is not installed, cannot open it"
    try:
        port = serial.Serial(path, baudrate=baudrate, timeout=PRESENCE_TIMEOUT_S)
    except (OSError, ValueError) as exc:  # serial.SerialException is an OSError
        return f"cannot open serial port {path}: {exc}"
    port.close()
    return None


def network_problem(host: str, port: int, timeout_s: float = PRESENCE_TIMEOUT_S) -> str | None:
    """None when host:port takes a TCP connection within `timeout_s`; it is closed again at once."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return None
    except TimeoutError:
        return f"{host}:{port} did not answer within {timeout_s:g} s (printer off or not on the network)"
    except OSError as exc:
        return f"cannot connect to {host}:{port}: {exc.strerror or exc}"
