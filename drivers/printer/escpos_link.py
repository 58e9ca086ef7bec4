"""Low-level printer links for EscposPrinter: timed device-file writes, USB claiming, status bytes."""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import stat
import sys
from typing import Any

from escpos.constants import RT_MASK_NOPAPER

LPGETSTATUS = 0x060B  # linux/lp.h: the IEEE 1284 status byte of a parallel or USB (usblp) printer
LP_MAJORS = frozenset({6, 180})  # lp (parallel port) and usblp (USB_MAJOR) character devices
# The IEEE 1284 status bits, which USB GET_PORT_STATUS gives too.
PAPER_EMPTY = 0x20
SELECTED = 0x10
NOT_ERROR = 0x08
# Every DLE EOT answer has bits 1 and 4 set and bits 0 and 7 clear.
RT_FIXED_MASK = 0x93
RT_FIXED = 0x12
RT_OFFLINE = 0x08  # DLE EOT 1 (printer status)
RT_PAPER_LOW = 0x0C  # DLE EOT 4 (paper sensor): near-end sensor
USB_PRINTER_CLASS = 7


class DeviceFile:
    """Unbuffered non-blocking writes to a device node, FIFO or file: no open or write waits forever.

    A FIFO without a reader fails at once (ENXIO) instead of blocking in open(); a printer
    that stops taking data fails after `timeout_s` without progress; and usblp reports
    POLLOUT only once its last transfer completed, so wait() before close() keeps close()
    from cancelling the end of a job.
    """

    def __init__(self, path: str, timeout_s: float) -> None:
        flags = os.O_WRONLY | os.O_APPEND | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
        self.fd: int | None = os.open(path, flags)
        self.timeout_s = timeout_s
        self._poll = select.poll()
        self._poll.register(self.fd, select.POLLOUT)

    def write(self, data: bytes) -> int:
        view = memoryview(data)
        while view:
            events = self.wait()
            try:
                view = view[os.write(self._fileno(), view) :]
            except BlockingIOError:
                if events & (select.POLLERR | select.POLLHUP | select.POLLNVAL):
                    raise OSError(f"device reported poll events {events:#x}") from None
        return len(data)

    def wait(self) -> int:
        """Wait until the device takes data; TimeoutError when it took none for `timeout_s`."""
        ready = self._poll.poll(self.timeout_s * 1000)
        if not ready:
            raise TimeoutError(f"printer took no data for {self.timeout_s:g} s")
        return int(ready[0][1])

    def lp_status(self) -> int | None:
        """The 1284 status byte of a parallel or usblp printer; None for anything else."""
        st = os.fstat(self._fileno())
        if not stat.S_ISCHR(st.st_mode) or os.major(st.st_rdev) not in LP_MAJORS:
            return None
        try:
            raw = fcntl.ioctl(self._fileno(), LPGETSTATUS, bytes(4))  # the kernel copies an int
        except OSError:
            return None
        return int.from_bytes(raw, sys.byteorder) & 0xFF

    def flush(self) -> None:
        """Writes are unbuffered; python-escpos calls this after each one."""

    def close(self) -> None:
        if self.fd is not None:
            fd, self.fd = self.fd, None
            os.close(fd)

    def _fileno(self) -> int:
        if self.fd is None:
            raise OSError("device file is closed")
        return self.fd


def port_status(raw: int) -> dict[str, Any]:
    """A 1284 status byte (usblp LPGETSTATUS, USB GET_PORT_STATUS) as status() fields."""
    return {
        "port_status": raw,
        "paper": "out" if raw & PAPER_EMPTY else "ok",
        "selected": bool(raw & SELECTED),
        "error": not raw & NOT_ERROR,
    }


def realtime_valid(answer: bytes | None) -> bool:
    """Whether `answer` is a DLE EOT status byte and not noise or a late echo."""
    return answer is not None and len(answer) > 0 and answer[0] & RT_FIXED_MASK == RT_FIXED


def realtime_status(paper: int | None, online: int | None) -> dict[str, Any]:
    """DLE EOT 4 (paper sensor) and DLE EOT 1 (printer) answers as status() fields."""
    out: dict[str, Any] = {}
    if paper is not None:
        empty = paper & RT_MASK_NOPAPER == RT_MASK_NOPAPER
        out["paper"] = "out" if empty else "low" if paper & RT_PAPER_LOW else "ok"
    if online is not None:
        out["online"] = not online & RT_OFFLINE
    return out


def fault(status: dict[str, Any]) -> str | None:
    """What must stop a job before it is sent: no paper, or a printer that says it is offline.

    A 1284 byte's select and error bits never block: cheap printers report them oddly
    while printing fine, so they are only shown.
    """
    if status.get("paper") == "out":
        return "paper out"
    if status.get("online") is False:
        return "offline"
    return None


def usb_claim(printer: Any) -> int:
    """Aim a python-escpos Usb at its printer interface's bulk endpoints and claim it; its number.

    python-escpos assumes endpoints 0x01/0x82 and detaches the kernel driver only from
    interface 0 before a reset; claiming keeps usblp from binding the interface again.
    """
    import usb.core
    import usb.util

    dev = printer.device
    config = dev.get_active_configuration()
    found = [i for i in config if i.bInterfaceClass == USB_PRINTER_CLASS]
    intf = found[0] if found else config[(0, 0)]
    number = int(intf.bInterfaceNumber)
    with contextlib.suppress(NotImplementedError, usb.core.USBError):
        if dev.is_kernel_driver_active(number):
            dev.detach_kernel_driver(number)
    usb.util.claim_interface(dev, number)
    for ep in intf:
        if usb.util.endpoint_type(ep.bmAttributes) == usb.util.ENDPOINT_TYPE_BULK:
            if usb.util.endpoint_direction(ep.bEndpointAddress) == usb.util.ENDPOINT_OUT:
                printer.out_ep = ep.bEndpointAddress
            else:
                printer.in_ep = ep.bEndpointAddress
    return number


def usb_port_status(printer: Any, interface: int, timeout_s: float) -> int | None:
    """The printer class GET_PORT_STATUS byte (what usblp's LPGETSTATUS reads); None if refused."""
    import usb.core

    try:
        data = printer.device.ctrl_transfer(0xA1, 0x01, 0, interface, 1, int(timeout_s * 1000))
    except usb.core.USBError:
        return None
    return int(data[0]) if len(data) else None
