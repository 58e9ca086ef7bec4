"""udev scenarios INSIDE the HIL guest: systemd/60-pvz.rules applied by the real udevadm to real USB devices.

The guest has no udevd, so nothing applies rules by itself: each scenario puts the project's
rules (and, for the site's own marks, a 59-pvz-local.rules) into the guest's /run/udev/rules.d
(a tmpfs of the guest; the host is not touched), makes USB gadgets, and runs the machine's own
`udevadm test --action=add` on each device the kernel made of them. udevadm test runs every
rules file of the machine, as udevd would, and applies names, links and permissions to the
guest's devtmpfs. Checked both ways: the properties it prints (DEVLINKS, ID_MM_DEVICE_IGNORE,
PVZ_SCANNER) and the guest's /dev afterwards (links, group, mode), plus the USB device's
power/control. Registered into tests/hil/guest.py's SCENARIOS.
"""

from __future__ import annotations

import grp
import os
import re
import stat
import subprocess
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from tests.hil import gadgets

REPO = Path(__file__).resolve().parents[2]
RULES = REPO / "systemd" / "60-pvz.rules"
SYSUSERS = REPO / "systemd" / "pvz.sysusers"
UNIT = REPO / "systemd" / "pvz.service"
RULES_DIR = Path("/run/udev/rules.d")
PVZ_LINKS = Path("/dev/pvz")

# A keyboard of a scanner maker (Honeywell's vendor id), an ordinary keyboard, a serial scanner
# of the same maker, an Epson-like printer, an FTDI FT232R (the usual RS-485 adapter's chip),
# and a scanner of a maker the rules do not list, which the site marks itself.
SCANNER_KBD = (0x0C2E, 0x0901)
PLAIN_KBD = (0x046D, 0xC31C)
SCANNER_ACM = (0x0C2E, 0x0B61)
PRINTER = (0x04B8, 0x0202)
RS485 = (0x0403, 0x6001)
SITE_SCANNER = (0x1234, 0x5678)
SITE_RULE = (
    f'SUBSYSTEMS=="usb", ATTRS{{idVendor}}=="{SITE_SCANNER[0]:04x}", '
    f'ATTRS{{idProduct}}=="{SITE_SCANNER[1]:04x}", ENV{{PVZ_SCANNER}}="1"\n'
)

Scenario = Callable[[], Awaitable[dict[str, Any]]]
SCENARIOS: dict[str, Scenario] = {}


class RuleCheckFailed(AssertionError):
    """What the rules made of a device is not what they should make (reported as failed)."""


def _scenario(func: Scenario) -> Scenario:
    SCENARIOS[func.__name__] = func
    return func


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise RuleCheckFailed(message)


def install_rules(*, site_rule: str | None = None) -> None:
    """The project's rules (and a site's local rule) where udev reads them, before any gadget;
    and the groups they name, made by the project's sysusers entry (the guest's root is a tmpfs
    overlay: the host's /etc/group is not touched)."""
    subprocess.run(["systemd-sysusers", str(SYSUSERS)], check=True, capture_output=True, timeout=60)
    RULES_DIR.mkdir(parents=True, exist_ok=True)
    for old in RULES_DIR.glob("*pvz*"):
        old.unlink()
    (RULES_DIR / RULES.name).write_bytes(RULES.read_bytes())
    if site_rule is not None:
        (RULES_DIR / "59-pvz-local.rules").write_text(site_rule, encoding="utf-8")


class Applied:
    """What `udevadm test --action=add` printed for one device, and the node it applied it to."""

    def __init__(self, syspath: Path) -> None:
        self.syspath = syspath
        proc = subprocess.run(
            ["udevadm", "test", "--action=add", str(syspath)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        self.returncode = proc.returncode
        self.log = proc.stderr
        self.props = dict(
            line.split("=", 1) for line in proc.stdout.splitlines() if re.fullmatch(r"[A-Z0-9_]+=.*", line)
        )
        # What our rules did, as udevadm prints each applied key: "event3: …/60-pvz.rules:48 GROUP 107".
        self.printed: list[tuple[str, str]] = []
        # udev's complaints about a rules file start with the file and line ("…/60-pvz.rules:12 …").
        self.rule_problems: list[str] = []
        for line in self.log.splitlines():
            if done := re.match(r"\S+: \S*pvz[-\w]*\.rules:\d+ (\w+) (.*)$", line):
                self.printed.append((done[1], done[2].strip("'")))
            elif re.match(r"\S*pvz[-\w]*\.rules:\d+ ", line):
                self.rule_problems.append(line)

    @property
    def links(self) -> set[str]:
        return set(self.props.get("DEVLINKS", "").split())

    def pvz_links(self) -> set[str]:
        return {link for link in self.links if link.startswith(f"{PVZ_LINKS}/")}

    def summary(self) -> dict[str, Any]:
        return {
            "syspath": str(self.syspath),
            "rc": self.returncode,
            "pvz_links": sorted(self.pvz_links()),
            "PVZ_SCANNER": self.props.get("PVZ_SCANNER"),
            "PVZ_DOORS": self.props.get("PVZ_DOORS"),
            "ID_MM_DEVICE_IGNORE": self.props.get("ID_MM_DEVICE_IGNORE"),
            "printed": [f"{key} {value}" for key, value in self.printed],
            "rule_problems": self.rule_problems,
        }

    def check_ok(self, what: str) -> None:
        _check(self.returncode == 0, f"{what}: udevadm test exit {self.returncode}:\n{self.log[-3000:]}")
        _check(not self.rule_problems, f"{what}: udev complains about the rules: {self.rule_problems}")


def _sys_of(node: Path) -> Path:
    """The sysfs directory of a /dev node (by its major:minor)."""
    st = node.stat()
    kind = "char" if stat.S_ISCHR(st.st_mode) else "block"
    return Path(f"/sys/dev/{kind}/{os.major(st.st_rdev)}:{os.minor(st.st_rdev)}").resolve()


def _usb_device(syspath: Path) -> Path:
    for parent in (syspath, *syspath.parents):
        if (parent / "idVendor").exists() and (parent / "power" / "control").exists():
            return parent
    raise RuleCheckFailed(f"no USB device above {syspath}")


def _check_node(applied: Applied, group: str, mode: int, what: str) -> dict[str, Any]:
    """The node's group and mode: printed by udevadm as set by our rules, and read back from /dev."""
    gid = grp.getgrnam(group).gr_gid
    for printed in (("GROUP", str(gid)), ("MODE", f"{mode:04o}")):
        _check(printed in applied.printed, f"{what}: our rules did not set {printed}: {applied.printed}")
    node = Path(applied.props["DEVNAME"])
    st = node.stat()
    got_group = grp.getgrgid(st.st_gid).gr_name
    got_mode = stat.S_IMODE(st.st_mode)
    _check(
        (got_group, got_mode) == (group, mode),
        f"{what}: {node} is {got_group} {got_mode:04o}, expected {group} {mode:04o}",
    )
    return {"node": str(node), "group": got_group, "mode": f"{got_mode:04o}"}


def _check_links(applied: Applied, want: set[str], what: str) -> None:
    """Exactly these /dev/pvz links, printed by udevadm and present in /dev pointing at the node."""
    got = applied.pvz_links()
    _check(got == want, f"{what}: pvz links {sorted(got)}, expected {sorted(want)}")
    printed = {f"/dev/{value}" for key, value in applied.printed if key == "LINK"}
    _check(printed == want, f"{what}: our rules printed links {sorted(printed)}, expected {sorted(want)}")
    node = Path(applied.props.get("DEVNAME", "/nonexistent"))
    for link in want:
        _check(
            Path(link).resolve() == node.resolve(),
            f"{what}: {link} does not point at {node} in /dev after udevadm test",
        )


def _check_awake(usb_dev: Path, what: str) -> str:
    """Autosuspend off: udevadm test wrote "on" to the USB device's power/control."""
    (usb_dev / "power" / "control").write_text("auto")
    applied = Applied(usb_dev)
    applied.check_ok(f"{what} USB device")
    control = (usb_dev / "power" / "control").read_text().strip()
    _check(control == "on", f"{what}: power/control of {usb_dev} is {control!r} after udevadm test")
    return control


def _scanner_links(applied: Applied, vid: int, serial: str) -> set[str]:
    path_tag = applied.props.get("ID_PATH_TAG", "")
    _check(bool(path_tag), f"no ID_PATH_TAG for {applied.syspath}")
    return {f"{PVZ_LINKS}/scanner-{vid:04x}-{serial}", f"{PVZ_LINKS}/scanner-{path_tag}"}


@_scenario
async def udev_scanners_printer() -> dict[str, Any]:
    """A listed maker's keyboard and CDC-ACM scanners get /dev/pvz/scanner-* (by serial and by port),
    input/dialout 0660, ModemManager told off the tty, autosuspend off; an ordinary keyboard gets
    nothing; the printer's usblp node is /dev/pvz/printer (lp 0660) and its raw USB device is lp."""
    install_rules()
    udcs = gadgets.udcs()
    made: list[gadgets.Gadget] = []
    details: dict[str, Any] = {}
    try:
        kbd = gadgets.hid_keyboard("scan", *SCANNER_KBD, udcs[0])
        made.append(kbd)
        plain = gadgets.hid_keyboard("plain", *PLAIN_KBD, udcs[1], product="HIL Keyboard")
        made.append(plain)
        acm = gadgets.acm_serial(udcs[2], name="acmscan", vid=SCANNER_ACM[0], pid=SCANNER_ACM[1])
        made.append(acm)
        prn = gadgets.printer(udcs[3], vid=PRINTER[0], pid=PRINTER[1])
        made.append(prn)

        event = _sys_of(kbd.input_event())
        applied = Applied(event)
        applied.check_ok("keyboard scanner")
        _check(applied.props.get("PVZ_SCANNER") == "1", f"keyboard scanner not marked: {applied.summary()}")
        _check_links(applied, _scanner_links(applied, SCANNER_KBD[0], "HIL-scan"), "keyboard scanner")
        details["keyboard_scanner"] = applied.summary() | _check_node(
            applied, "input", 0o660, "keyboard scanner"
        )
        details["keyboard_scanner"]["power_control"] = _check_awake(_usb_device(event), "keyboard scanner")

        plain_applied = Applied(_sys_of(plain.input_event()))
        plain_applied.check_ok("plain keyboard")
        _check(
            "PVZ_SCANNER" not in plain_applied.props
            and not plain_applied.pvz_links()
            and not plain_applied.printed,
            f"an ordinary keyboard was taken for a scanner: {plain_applied.summary()}",
        )
        details["plain_keyboard"] = plain_applied.summary()

        tty = _sys_of(acm.host_tty())
        acm_applied = Applied(tty)
        acm_applied.check_ok("serial scanner")
        _check(
            acm_applied.props.get("ID_MM_DEVICE_IGNORE") == "1",
            f"ModemManager not told: {acm_applied.summary()}",
        )
        _check_links(
            acm_applied, _scanner_links(acm_applied, SCANNER_ACM[0], "HIL-acmscan"), "serial scanner"
        )
        details["serial_scanner"] = acm_applied.summary() | _check_node(
            acm_applied, "dialout", 0o660, "serial scanner"
        )
        _check(
            "PVZ_DOORS" not in acm_applied.props, f"a scanner taken for the doors: {acm_applied.summary()}"
        )

        lp = _sys_of(prn.lp_device())
        lp_applied = Applied(lp)
        lp_applied.check_ok("printer (usblp)")
        _check_links(lp_applied, {f"{PVZ_LINKS}/printer"}, "printer (usblp)")
        details["printer_lp"] = lp_applied.summary() | _check_node(lp_applied, "lp", 0o660, "printer (usblp)")
        usb_dev = _usb_device(lp)
        raw = Applied(usb_dev)
        raw.check_ok("printer (raw USB)")
        _check_links(raw, {f"{PVZ_LINKS}/printer-usb"}, "printer (raw USB)")
        details["printer_usb"] = raw.summary() | _check_node(raw, "lp", 0o660, "printer (raw USB)")
        details["printer_usb"]["power_control"] = _check_awake(usb_dev, "printer")
        details["proc_devices"] = _majors_in_use([event, tty, lp, usb_dev])
        return details
    finally:
        for gadget in reversed(made):
            gadget.remove()


@_scenario
async def udev_doors_and_site_scanner() -> dict[str, Any]:
    """An FT232R's tty is /dev/pvz/doors (dialout 0660, ModemManager told off); a scanner of an
    unlisted maker becomes a scanner once the site's 59-pvz-local.rules marks it."""
    install_rules(site_rule=SITE_RULE)
    udcs = gadgets.udcs()
    made: list[gadgets.Gadget] = []
    details: dict[str, Any] = {}
    try:
        # The FT232R is a ttyUSB through ftdi_sio on a real adapter; a CDC-ACM gadget with its ids
        # gives a ttyACM, which the rules treat the same (they match any USB tty by its ids).
        doors = gadgets.acm_serial(udcs[0], name="doors", vid=RS485[0], pid=RS485[1])
        made.append(doors)
        site = gadgets.hid_keyboard("site", *SITE_SCANNER, udcs[1], product="HIL Site Scanner")
        made.append(site)

        applied = Applied(_sys_of(doors.host_tty()))
        applied.check_ok("RS-485 adapter")
        _check(applied.props.get("ID_MM_DEVICE_IGNORE") == "1", f"ModemManager not told: {applied.summary()}")
        _check_links(applied, {f"{PVZ_LINKS}/doors"}, "RS-485 adapter")
        details["doors"] = applied.summary() | _check_node(applied, "dialout", 0o660, "RS-485 adapter")

        event = _sys_of(site.input_event())
        site_applied = Applied(event)
        site_applied.check_ok("site's scanner")
        _check_links(
            site_applied, _scanner_links(site_applied, SITE_SCANNER[0], "HIL-site"), "site's scanner"
        )
        details["site_scanner"] = site_applied.summary() | _check_node(
            site_applied, "input", 0o660, "site's scanner"
        )
        details["site_scanner"]["power_control"] = _check_awake(_usb_device(event), "site's scanner")
        return details
    finally:
        for gadget in reversed(made):
            gadget.remove()
        for rule in RULES_DIR.glob("*pvz*"):
            rule.unlink()


def _majors_in_use(syspaths: list[Path]) -> dict[str, str]:
    """Each device's character major by the name /proc/devices gives it, which is what
    DeviceAllow=char-NAME in pvz.service means; every one must be allowed there."""
    names: dict[int, str] = {}
    section = ""
    for line in Path("/proc/devices").read_text().splitlines():
        if line.endswith(":"):
            section = line
        elif section.startswith("Character") and line.strip():
            number, name = line.split(None, 1)
            names[int(number)] = name
    allowed = {
        line.split("=", 1)[1].split()[0].removeprefix("char-")
        for line in UNIT.read_text(encoding="utf-8").splitlines()
        if line.startswith("DeviceAllow=char-")
    }
    found: dict[str, str] = {}
    for path in syspaths:
        major = int((path / "dev").read_text().split(":")[0])
        found[path.name] = names.get(major, f"major {major} not in /proc/devices")
        _check(
            found[path.name] in allowed,
            f"{path.name} ({found[path.name]}) is not in pvz.service's DeviceAllow=",
        )
    return found
