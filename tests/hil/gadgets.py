"""USB gadgets made through configfs, used INSIDE the HIL guest (tests/hil/guest.py).

Each gadget sits on its own dummy_hcd UDC, so the guest's kernel sees it as a real USB
device on its own bus: a boot-protocol HID keyboard (a barcode scanner) appears as
/dev/input/eventN, a printer-class gadget as /dev/usb/lp0, a CDC-ACM gadget as /dev/ttyACMn.

Also here: the HID usage ids of the keys a scanner presses, for the US layout and for the
Russian (ЙЦУКЕН) layout by physical key, and helpers that find the host-side device nodes
of a gadget in sysfs.
"""

from __future__ import annotations

import contextlib
import errno
import os
import select
import termios
import threading
import time
import tty
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

CONFIGFS = Path("/sys/kernel/config/usb_gadget")
UDC_CLASS = Path("/sys/class/udc")

# The standard boot-keyboard report descriptor (USB HID 1.11, appendix B.1): 8-byte reports of
# modifier bits, a reserved byte and up to six pressed keys' usage ids.
BOOT_KEYBOARD_REPORT_DESC = bytes(
    [
        0x05, 0x01, 0x09, 0x06, 0xA1, 0x01, 0x05, 0x07, 0x19, 0xE0, 0x29, 0xE7, 0x15, 0x00, 0x25,
        0x01, 0x75, 0x01, 0x95, 0x08, 0x81, 0x02, 0x95, 0x01, 0x75, 0x08, 0x81, 0x03, 0x95, 0x05,
        0x75, 0x01, 0x05, 0x08, 0x19, 0x01, 0x29, 0x05, 0x91, 0x02, 0x95, 0x01, 0x75, 0x03, 0x91,
        0x03, 0x95, 0x06, 0x75, 0x08, 0x15, 0x00, 0x25, 0x65, 0x05, 0x07, 0x19, 0x00, 0x29, 0x65,
        0x81, 0x00, 0xC0,
    ]
)  # fmt: skip

LEFT_SHIFT = 0x02  # modifier bit of the left shift key in a boot report

# --- HID usage ids (keyboard page 0x07) of physical keys ---------------------------------------
# Physical keys are named by what they print in the US layout; the Russian layout is a mapping
# of characters to those same physical keys (exactly as evdev's KEY_* codes name them).
_USAGE: dict[str, int] = {chr(ord("a") + i): 0x04 + i for i in range(26)}
_USAGE.update({str(d): 0x1E + (d - 1) for d in range(1, 10)})
_USAGE.update(
    {
        "0": 0x27,
        "\n": 0x28,  # Enter
        "\t": 0x2B,  # Tab
        " ": 0x2C,
        "-": 0x2D,
        "=": 0x2E,
        "[": 0x2F,
        "]": 0x30,
        "\\": 0x31,
        ";": 0x33,
        "'": 0x34,
        "`": 0x35,
        ",": 0x36,
        ".": 0x37,
        "/": 0x38,
    }
)

Stroke = tuple[int, int]  # (modifier bits, usage id)

US_LAYOUT: dict[str, Stroke] = {ch: (0, usage) for ch, usage in _USAGE.items()}
US_LAYOUT.update({ch.upper(): (LEFT_SHIFT, _USAGE[ch]) for ch in "abcdefghijklmnopqrstuvwxyz"})
US_LAYOUT.update(
    {
        shifted: (LEFT_SHIFT, _USAGE[base])
        for base, shifted in zip("1234567890-=[]\\;',./`", '!@#$%^&*()_+{}|:"<>?~', strict=True)
    }
)

# ЙЦУКЕН: the Russian letter on each physical key (named by its US character).
_RU_LETTERS = dict(zip("qwertyuiop[]asdfghjkl;'zxcvbnm,.`", "йцукенгшщзхъфывапролджэячсмитьбюё", strict=True))
RU_LAYOUT: dict[str, Stroke] = {ch: (0, _USAGE[ch]) for ch in "0123456789-= \n\t\\"}
RU_LAYOUT.update({ru: (0, _USAGE[key]) for key, ru in _RU_LETTERS.items()})
RU_LAYOUT.update({ru.upper(): (LEFT_SHIFT, _USAGE[key]) for key, ru in _RU_LETTERS.items()})
RU_LAYOUT.update(
    {
        shifted: (LEFT_SHIFT, _USAGE[base])
        for base, shifted in zip("1234567890-=\\", '!"№;%:?*()_+/', strict=True)
    }
)
RU_LAYOUT.update({".": (0, _USAGE["/"]), ",": (LEFT_SHIFT, _USAGE["/"])})

LAYOUTS: dict[str, dict[str, Stroke]] = {"us": US_LAYOUT, "ru": RU_LAYOUT}


def strokes(text: str, layout: str = "us") -> list[Stroke]:
    """The key strokes that type `text` in `layout`; KeyError names a character it cannot type."""
    table = LAYOUTS[layout]
    out = []
    for ch in text:
        if ch not in table:
            raise KeyError(f"{ch!r} cannot be typed in the {layout!r} layout")
        out.append(table[ch])
    return out


T = TypeVar("T")

# --- waiting ------------------------------------------------------------------------------------


def wait_for(what: str, probe: Callable[[], T | None], timeout: float = 15.0) -> T:
    """Poll `probe` until it returns something other than None; TimeoutError names `what`."""
    deadline = time.monotonic() + timeout
    delay = 0.005
    while True:
        value = probe()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


def udcs() -> list[str]:
    """The UDCs (dummy_udc.0, dummy_udc.1, …) in order."""
    return sorted((p.name for p in UDC_CLASS.iterdir()), key=lambda n: (len(n), n))


def _write(path: Path, value: str | bytes) -> None:
    if isinstance(value, str):
        value = value.encode()
    path.write_bytes(value)


def _dev_node(class_dir: Path, dev: str) -> Path | None:
    """The /dev node of the device in `class_dir` whose dev attribute is `dev` ("major:minor")."""
    if not class_dir.is_dir():
        return None
    for entry in class_dir.iterdir():
        with contextlib.suppress(OSError):
            if (entry / "dev").read_text().strip() == dev:
                node = Path("/dev") / entry.name
                return node if node.exists() else None
    return None


def _usb_ids(sys_device: Path) -> tuple[int, int] | None:
    """The vendor and product id of the USB device above a sysfs device (None, also when the
    device vanishes while being looked at: sysfs reads then fail with ENODEV)."""
    try:
        path = sys_device.resolve()
        for parent in (path, *path.parents):
            vendor, product = parent / "idVendor", parent / "idProduct"
            if vendor.exists() and product.exists():
                return int(vendor.read_text(), 16), int(product.read_text(), 16)
    except (OSError, ValueError):
        return None
    return None


def find_usb_device(vid: int, pid: int) -> Path | None:
    """The host's sysfs directory of the USB device vid:pid (None while there is none)."""
    for device in sorted(Path("/sys/bus/usb/devices").iterdir()):
        if (device / "idVendor").exists() and _usb_ids(device) == (vid, pid):
            return device
    return None


def find_input_event(vid: int, pid: int) -> Path | None:
    """The /dev/input/eventN of the USB device vid:pid (None while there is none)."""
    for event in sorted(Path("/sys/class/input").glob("event*")):
        if _usb_ids(event / "device") == (vid, pid):
            node = Path("/dev/input") / event.name
            if node.exists() and os.access(node, os.R_OK):
                return node
    return None


def find_tty_acm(vid: int, pid: int) -> Path | None:
    """The /dev/ttyACMn of the USB device vid:pid."""
    for tty_dir in sorted(Path("/sys/class/tty").glob("ttyACM*")):
        if _usb_ids(tty_dir / "device") == (vid, pid):
            node = Path("/dev") / tty_dir.name
            if node.exists():
                return node
    return None


def find_usb_lp(vid: int, pid: int) -> Path | None:
    """The /dev/usb/lpN of the USB printer vid:pid."""
    for lp in sorted(Path("/sys/class/usbmisc").glob("lp*")):
        if _usb_ids(lp / "device") == (vid, pid):
            node = Path("/dev/usb") / lp.name
            if node.exists():
                return node
    return None


# --- gadgets ------------------------------------------------------------------------------------


def teardown(root: Path) -> None:
    """Unbind a configfs gadget and remove it in the order configfs requires; whatever state it is in."""
    if not root.is_dir():
        return
    udc = root / "UDC"
    with contextlib.suppress(OSError):
        if udc.read_text().strip():
            _write(udc, "\n")
            # Wait for the host to let go: a lingering device would be taken for the next gadget's.
            vid, pid = (int((root / attr).read_text(), 16) for attr in ("idVendor", "idProduct"))
            wait_for(
                f"USB device {vid:04x}:{pid:04x} to leave the bus",
                lambda: True if find_usb_device(vid, pid) is None else None,
            )
    for config in (root / "configs").glob("*"):
        for entry in config.iterdir():
            if entry.is_symlink():
                entry.unlink()
        for lang in (config / "strings").glob("*"):
            lang.rmdir()
        config.rmdir()
    for function in (root / "functions").glob("*"):
        function.rmdir()
    for lang in (root / "strings").glob("*"):
        lang.rmdir()
    root.rmdir()


def remove_all() -> list[str]:
    """Remove every gadget in configfs (what an earlier scenario left behind); their names."""
    if not CONFIGFS.is_dir():
        return []
    names = sorted(p.name for p in CONFIGFS.iterdir())
    for name in names:
        teardown(CONFIGFS / name)
    return names


class Gadget:
    """One configfs gadget with one configuration; functions are added before `bind`."""

    def __init__(self, name: str, vid: int, pid: int, *, product: str, manufacturer: str = "pvz-hil") -> None:
        self.name = name
        self.vid = vid
        self.pid = pid
        self.product = product
        self.manufacturer = manufacturer
        self.udc: str | None = None
        self.root = CONFIGFS / name
        self.config = self.root / "configs" / "c.1"
        self._functions: list[Path] = []
        self.root.mkdir()
        try:
            _write(self.root / "idVendor", f"0x{vid:04x}")
            _write(self.root / "idProduct", f"0x{pid:04x}")
            _write(self.root / "bcdUSB", "0x0200")
            _write(self.root / "bcdDevice", "0x0100")
            strings = self.root / "strings" / "0x409"
            strings.mkdir(parents=True)
            _write(strings / "manufacturer", manufacturer)
            _write(strings / "product", product)
            _write(strings / "serialnumber", f"HIL-{name}")
            self.config.mkdir(parents=True)
            (self.config / "strings" / "0x409").mkdir(parents=True)
            _write(self.config / "strings" / "0x409" / "configuration", "pvz-hil")
            _write(self.config / "MaxPower", "100")
        except BaseException:
            teardown(self.root)
            raise

    def add_function(self, function: str, attrs: dict[str, str | bytes]) -> Path:
        path = self.root / "functions" / function
        try:
            path.mkdir()
            for key, value in attrs.items():
                _write(path / key, value)
            (self.config / function).symlink_to(path)
        except BaseException:
            teardown(self.root)
            raise
        self._functions.append(path)
        return path

    def bind(self, udc: str) -> None:
        """Plug the gadget into `udc` (a name from /sys/class/udc)."""
        _write(self.root / "UDC", udc + "\n")
        self.udc = udc

    def unplug(self) -> None:
        """Pull the cable; returns once the host has seen the device go."""
        _write(self.root / "UDC", "\n")
        wait_for(
            f"USB device {self.vid:04x}:{self.pid:04x} to leave the bus",
            lambda: True if find_usb_device(self.vid, self.pid) is None else None,
        )

    def replug(self) -> None:
        if self.udc is None:
            raise RuntimeError(f"gadget {self.name} was never bound")
        _write(self.root / "UDC", self.udc + "\n")

    @property
    def bound(self) -> bool:
        return (self.root / "UDC").read_text().strip() != ""

    def remove(self) -> None:
        """Unplug and take the gadget apart."""
        teardown(self.root)

    def __enter__(self) -> Gadget:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


class HidKeyboard(Gadget):
    """A USB barcode scanner in keyboard mode: types text as boot-keyboard reports on /dev/hidgN."""

    def __init__(
        self,
        name: str,
        vid: int,
        pid: int,
        *,
        product: str = "HIL Barcode Scanner",
        char_interval: float = 0.0,
    ) -> None:
        super().__init__(name, vid, pid, product=product)
        self.char_interval = char_interval
        self.function = self.add_function(
            "hid.kbd",
            {
                "protocol": "1",
                "subclass": "1",
                "report_length": "8",
                "report_desc": BOOT_KEYBOARD_REPORT_DESC,
            },
        )
        self._fd: int | None = None  # /dev/hidgN, opened once bound (the node may come with the bind)

    def _device(self) -> int:
        if self._fd is None:
            dev = (self.function / "dev").read_text().strip()
            node = wait_for(
                f"the /dev node of {self.function}", lambda: _dev_node(Path("/sys/class/hidg"), dev)
            )
            self._fd = os.open(node, os.O_RDWR | os.O_NONBLOCK)
        return self._fd

    def _close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None

    def unplug(self) -> None:
        self._close()
        super().unplug()

    def input_event(self, timeout: float = 15.0) -> Path:
        """Wait for the host's /dev/input/eventN of this keyboard."""
        return wait_for(
            f"/dev/input/event* of {self.vid:04x}:{self.pid:04x}",
            lambda: find_input_event(self.vid, self.pid),
            timeout,
        )

    def input_gone(self, timeout: float = 15.0) -> None:
        """Wait until the host has no input device of this keyboard any more."""
        wait_for(
            f"the input device of {self.vid:04x}:{self.pid:04x} to go",
            lambda: True if find_input_event(self.vid, self.pid) is None else None,
            timeout,
        )

    def send_report(self, modifiers: int, usage: int, timeout: float = 15.0) -> None:
        """Queue one report; waits (up to `timeout`) until the host has taken the previous one.

        The host's usbhid polls the keyboard only while its input device is open, so a
        report written before a reader opens /dev/input/eventN waits here, it is not lost.
        """
        report = bytes([modifiers, 0, usage, 0, 0, 0, 0, 0])
        fd = self._device()
        poller = select.poll()
        poller.register(fd, select.POLLOUT)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not poller.poll(max(1, int(left * 1000))):
                raise TimeoutError(f"{self.name}: the host took no report for {timeout:.0f} s")
            try:
                os.write(fd, report)
                return
            except BlockingIOError:
                continue

    def flush(self, timeout: float = 15.0) -> None:
        """Wait until the host has taken the last report."""
        poller = select.poll()
        poller.register(self._device(), select.POLLOUT)
        if not poller.poll(int(timeout * 1000)):
            raise TimeoutError(f"{self.name}: the host took no report for {timeout:.0f} s")

    def type(self, text: str, layout: str = "us", *, timeout: float = 15.0) -> None:
        """Press and release the key of every character ("\\n" is Enter, "\\t" Tab).

        One character per `char_interval` seconds at most, like a scanner's inter-character
        delay setting: under emulation the reading Python is slower than on a Pi, and at the
        full speed of the bus the evdev buffer could overflow (SYN_DROPPED).
        """
        for modifiers, usage in strokes(text, layout):
            started = time.monotonic()
            self.send_report(modifiers, usage, timeout)
            self.send_report(0, 0, timeout)
            rest = self.char_interval - (time.monotonic() - started)
            if rest > 0:
                time.sleep(rest)
        self.flush(timeout)

    def remove(self) -> None:
        self._close()
        super().remove()


class PrinterGadget(Gadget):
    """A USB printer-class gadget; a thread collects whatever the host prints on /dev/g_printerN."""

    def __init__(self, name: str, vid: int, pid: int, *, product: str = "HIL Receipt Printer") -> None:
        super().__init__(name, vid, pid, product=product)
        self.function = self.add_function(
            "printer.prn",
            {"pnp_string": "MFG:pvz-hil;MDL:HIL-ESCPOS;CMD:ESC/POS;CLS:PRINTER;", "q_len": "10"},
        )
        self._buf = bytearray()
        self._cond = threading.Condition()
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None

    def start_reading(self) -> None:
        """Open /dev/g_printerN and read it; do this before the host writes, or its write waits."""
        # g_printer refuses opens (ENODEV) until the host has configured the device.
        fd = wait_for(f"{self.name}: /dev/g_printer* to open", self._open_gadget_side)
        self._thread = threading.Thread(
            target=self._read, args=(fd,), name=f"{self.name}-reader", daemon=True
        )
        self._thread.start()

    @staticmethod
    def _open_gadget_side() -> int | None:
        node = _first(Path("/dev").glob("g_printer*"))
        if node is None:
            return None
        try:
            return os.open(node, os.O_RDONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno in (errno.ENODEV, errno.ENOENT, errno.EBUSY):
                return None
            raise

    def _read(self, fd: int) -> None:
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        try:
            while not self._stop.is_set():
                if not poller.poll(50):
                    continue
                try:
                    chunk = os.read(fd, 65536)
                except BlockingIOError:
                    continue
                except OSError as exc:
                    if exc.errno in (errno.ESHUTDOWN, errno.EIO, errno.ENODEV):
                        continue  # unplugged for a while
                    raise
                if chunk:
                    with self._cond:
                        self._buf += chunk
                        self._cond.notify_all()
        except BaseException as exc:
            self._error = exc
        finally:
            os.close(fd)

    def data(self) -> bytes:
        with self._cond:
            return bytes(self._buf)

    def take_until(self, marker: bytes, timeout: float = 30.0) -> bytes:
        """Everything received before `marker` (consumed with the marker itself)."""
        with self._cond:
            ok = self._cond.wait_for(lambda: marker in self._buf or self._error is not None, timeout)
            if self._error is not None:
                raise RuntimeError(f"{self.name}: reading failed: {self._error!r}")
            if not ok:
                raise TimeoutError(
                    f"{self.name}: no {marker!r} within {timeout:.0f} s; got {len(self._buf)} bytes"
                )
            head, _, tail = bytes(self._buf).partition(marker)
            self._buf = bytearray(tail)
            return head

    def lp_device(self, timeout: float = 15.0) -> Path:
        """The host's /dev/usb/lpN of this printer (usblp)."""
        return wait_for(
            f"/dev/usb/lp* of {self.vid:04x}:{self.pid:04x}", lambda: find_usb_lp(self.vid, self.pid), timeout
        )

    def remove(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        super().remove()


class AcmSerial(Gadget):
    """A serial (CDC-ACM) barcode scanner: bytes written to /dev/ttyGSn reach the host's ttyACMn."""

    def __init__(self, name: str, vid: int, pid: int, *, product: str = "HIL Serial Scanner") -> None:
        super().__init__(name, vid, pid, product=product)
        self.function = self.add_function("acm.ser", {})
        port = int((self.function / "port_num").read_text())
        self.tty = Path(f"/dev/ttyGS{port}")
        self._fd: int | None = None

    @property
    def fd(self) -> int | None:
        """The gadget side's file descriptor once open() ran (tests/hil/guest_doors.py serves a bus on it)."""
        return self._fd

    def open(self) -> None:
        """Open the gadget's tty raw: no \\n to \\r\\n translation, no echo."""
        fd = os.open(self.tty, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        tty.setraw(fd, termios.TCSANOW)
        attrs = termios.tcgetattr(fd)
        attrs[1] &= ~termios.OPOST  # oflag: no output processing at all
        termios.tcsetattr(fd, termios.TCSANOW, attrs)
        self._fd = fd

    def write(self, data: bytes, timeout: float = 15.0) -> None:
        if self._fd is None:
            self.open()
        assert self._fd is not None
        poller = select.poll()
        poller.register(self._fd, select.POLLOUT)
        view = memoryview(data)
        deadline = time.monotonic() + timeout
        while view:
            left = deadline - time.monotonic()
            if left <= 0 or not poller.poll(max(1, int(left * 1000))):
                raise TimeoutError(f"{self.name}: {len(view)} bytes not written in {timeout:.0f} s")
            try:
                view = view[os.write(self._fd, view) :]
            except BlockingIOError:
                continue
        termios.tcdrain(self._fd)

    def host_tty(self, timeout: float = 15.0) -> Path:
        return wait_for(
            f"/dev/ttyACM* of {self.vid:04x}:{self.pid:04x}",
            lambda: find_tty_acm(self.vid, self.pid),
            timeout,
        )

    def remove(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
        super().remove()


def _first(paths: Iterator[Path]) -> Path | None:
    return next(iter(sorted(paths)), None)


def hid_keyboard(
    name: str,
    vid: int,
    pid: int,
    udc: str,
    *,
    product: str = "HIL Barcode Scanner",
    char_interval: float = 0.0,
) -> HidKeyboard:
    """A keyboard-mode barcode scanner plugged into `udc`."""
    gadget = HidKeyboard(name, vid, pid, product=product, char_interval=char_interval)
    try:
        gadget.bind(udc)
    except BaseException:
        gadget.remove()
        raise
    return gadget


def printer(udc: str, *, name: str = "printer", vid: int = 0x04B8, pid: int = 0x0202) -> PrinterGadget:
    """A USB receipt printer plugged into `udc` (already reading its gadget side)."""
    gadget = PrinterGadget(name, vid, pid)
    try:
        gadget.bind(udc)
        gadget.start_reading()
    except BaseException:
        gadget.remove()
        raise
    return gadget


def acm_serial(udc: str, *, name: str = "serial", vid: int = 0x0C2E, pid: int = 0x0B61) -> AcmSerial:
    """A CDC-ACM serial scanner plugged into `udc`."""
    gadget = AcmSerial(name, vid, pid)
    try:
        gadget.bind(udc)
    except BaseException:
        gadget.remove()
        raise
    return gadget
