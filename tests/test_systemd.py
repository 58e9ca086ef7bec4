"""The shipped unit, sysusers and tmpfiles entries, checked by the machine's own systemd tools.

`systemd-analyze verify` and `security --offline=yes` judge the unit as the package installs
it; `systemd-sysusers` and `systemd-tmpfiles` run against a scratch root that looks like a plain
Debian one. The udev rules are parsed here by `udevadm test`; what they make of real USB devices
is tested in the HIL guest (tests/hil/guest_udev.py).
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from device.cli.main import build_parser

SYSTEMD = Path(__file__).resolve().parents[1] / "systemd"
UNIT = SYSTEMD / "pvz.service"
SYSUSERS = SYSTEMD / "pvz.sysusers"
TMPFILES = SYSTEMD / "pvz.tmpfiles"
RULES = SYSTEMD / "60-pvz.rules"
UNITS_DIR = Path("/usr/lib/systemd/system")
MAX_EXPOSURE = 3.0


def unit_settings(text: str) -> dict[str, list[str]]:
    """Every Key=value of the unit, in order (keys repeat: DeviceAllow=, SystemCallFilter=)."""
    settings: dict[str, list[str]] = {}
    lines = text.replace("\\\n", " ").splitlines()
    for line in lines:
        if line.startswith(("#", ";", "[")) or "=" not in line:
            continue
        key, value = line.split("=", 1)
        settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def one(settings: dict[str, list[str]], key: str) -> str:
    values = settings.get(key, [])
    assert len(values) == 1, f"{key}= appears {len(values)} times"
    return values[0]


@pytest.fixture(scope="module")
def settings() -> dict[str, list[str]]:
    return unit_settings(UNIT.read_text(encoding="utf-8"))


def run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)


def test_unit_commands_parse(settings: dict[str, list[str]]) -> None:
    """ExecStartPre checks the config and ExecStart runs the daemon, both from the current release."""
    commands = [one(settings, "ExecStartPre"), one(settings, "ExecStart")]
    for command in commands:
        argv = shlex.split(command)
        assert argv[0] == "/opt/pvz/current/bin/pvz"
        args = build_parser().parse_args(argv[1:])
        assert args.command in {"config", "run"}
    assert shlex.split(commands[0])[1:3] == ["config", "check"]
    assert shlex.split(commands[1])[1:] == ["run", "--config", "/etc/pvz/pvz.toml"]


def test_unit_supervision_and_identity(settings: dict[str, list[str]]) -> None:
    assert one(settings, "Type") == "notify"
    assert one(settings, "NotifyAccess") == "main"
    assert one(settings, "WatchdogSec") == "30"
    assert one(settings, "Restart") == "on-failure"
    assert (one(settings, "User"), one(settings, "Group")) == ("pvz", "pvz")
    assert one(settings, "SupplementaryGroups").split() == ["input", "dialout", "lp", "gpio"]
    # lgpio makes its pipe in the working directory: the state directory, the one writable path.
    assert one(settings, "WorkingDirectory") == one(settings, "ReadWritePaths") == "/var/lib/pvz"
    assert "time-sync.target" in one(settings, "After").split()


def test_unit_hardening_keeps_what_the_daemon_needs(settings: dict[str, list[str]]) -> None:
    assert one(settings, "ProtectSystem") == "strict"
    assert one(settings, "NoNewPrivileges") == "yes"
    assert one(settings, "CapabilityBoundingSet") == ""
    assert one(settings, "MemoryDenyWriteExecute") == "yes"
    assert "PrivateNetwork" not in settings  # MQTT and the screen need the network
    assert "PrivateDevices" not in settings  # scanners, printer, GPIO: DevicePolicy=closed instead
    assert "ProcSubset" not in settings  # gpiozero reads the board revision from /proc/cpuinfo
    assert one(settings, "DevicePolicy") == "closed"
    assert set(one(settings, "RestrictAddressFamilies").split()) == {
        "AF_UNIX",
        "AF_INET",
        "AF_INET6",
        "AF_NETLINK",
    }
    allowed = {value.split()[0] for value in settings["DeviceAllow"]}
    # /proc/devices' names of evdev, usbfs, cdc-acm, usb-serial, usblp and the GPIO chips
    # (the HIL guest checks the first five against a real kernel).
    assert {
        "char-input",
        "char-usb_device",
        "char-ttyACM",
        "char-ttyUSB",
        "char-usb",
        "char-gpiochip",
    } <= allowed
    assert settings["SystemCallFilter"][0] == "@system-service"


@pytest.fixture(scope="module")
def unit_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A root as the package leaves it: systemd's units, the unit, and a release behind `current`."""
    root = tmp_path_factory.mktemp("root")
    shutil.copytree(UNITS_DIR, root / UNITS_DIR.relative_to("/"), symlinks=True)
    (root / "etc/systemd/system").mkdir(parents=True)
    shutil.copy(UNIT, root / "etc/systemd/system/pvz.service")
    release = root / "opt/pvz/releases/1.0.0/bin"
    release.mkdir(parents=True)
    (release / "pvz").write_text("#!/bin/sh\n", encoding="utf-8")
    (release / "pvz").chmod(0o755)
    (root / "opt/pvz/current").symlink_to("releases/1.0.0")
    return root


def test_unit_verifies(unit_root: Path) -> None:
    result = run(["systemd-analyze", "verify", f"--root={unit_root}", "pvz.service"])
    assert (result.returncode, result.stderr) == (0, "")


def test_verify_is_no_rubber_stamp(unit_root: Path, tmp_path: Path) -> None:
    """Without the release's executable, verify fails: it really looks at ExecStart=."""
    (unit_root / "opt/pvz/current").unlink()
    try:
        assert run(["systemd-analyze", "verify", f"--root={unit_root}", "pvz.service"]).returncode != 0
    finally:
        (unit_root / "opt/pvz/current").symlink_to("releases/1.0.0")


def exposure(unit: Path) -> float:
    result = run(["systemd-analyze", "security", "--offline=yes", "--no-pager", str(unit)])
    found = re.search(r"Overall exposure level for \S+: (\d+(?:\.\d+)?)", result.stdout)
    assert found, f"no exposure in systemd-analyze's output:\n{result.stdout[-2000:]}{result.stderr}"
    return float(found[1])


def test_security_exposure(tmp_path: Path) -> None:
    score = exposure(UNIT)
    assert score <= MAX_EXPOSURE, f"exposure {score} > {MAX_EXPOSURE}"
    # The same unit without its [Service] hardening scores far worse: the number is read right.
    bare = tmp_path / "pvz.service"
    kept = ("Type=", "ExecStart", "User=", "Group=", "WorkingDirectory=", "[", "Description=")
    bare.write_text(
        "\n".join(ln for ln in UNIT.read_text(encoding="utf-8").splitlines() if ln.startswith(kept)) + "\n",
        encoding="utf-8",
    )
    assert exposure(bare) > 8.0


@pytest.fixture
def debian_root(tmp_path: Path) -> Path:
    """/etc/passwd and /etc/group of a plain Debian root: dialout and lp, no gpio, no input."""
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    groups = ["root:x:0:", "lp:x:7:", "dialout:x:20:", "users:x:100:", "nogroup:x:65534:"]
    (root / "etc/group").write_text("\n".join(groups) + "\n", encoding="utf-8")
    (root / "etc/passwd").write_text(
        "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
        encoding="utf-8",
    )
    for name in ("shadow", "gshadow"):
        (root / "etc" / name).touch(mode=0o640)
    return root


def groups_of(root: Path) -> dict[str, tuple[int, list[str]]]:
    found: dict[str, tuple[int, list[str]]] = {}
    for line in (root / "etc/group").read_text(encoding="utf-8").splitlines():
        name, _, gid, members = line.split(":")
        found[name] = (int(gid), [m for m in members.split(",") if m])
    return found


def test_sysusers_makes_the_user_and_every_group_the_unit_needs(
    debian_root: Path, settings: dict[str, list[str]]
) -> None:
    # The file's path is absolute: sysusers reads a relative one inside --root.
    result = run(["systemd-sysusers", f"--root={debian_root}", str(SYSUSERS)])
    assert result.returncode == 0, result.stderr
    groups = groups_of(debian_root)
    for group in one(settings, "SupplementaryGroups").split():
        assert group in groups, f"{group} is missing"
        assert "pvz" in groups[group][1]
    assert (groups["lp"][0], groups["dialout"][0]) == (7, 20)  # present ones are left alone
    passwd = {
        line.split(":")[0]: line.split(":") for line in (debian_root / "etc/passwd").read_text().splitlines()
    }
    assert passwd["pvz"][5:] == ["/var/lib/pvz", "/usr/sbin/nologin"]
    assert int(passwd["pvz"][2]) < 1000 and int(passwd["pvz"][3]) == groups["pvz"][0]


def test_sysusers_keeps_existing_input_and_gpio_groups(debian_root: Path) -> None:
    """Raspberry Pi OS has input and gpio already: their ids stay as they are."""
    with (debian_root / "etc/group").open("a", encoding="utf-8") as group:
        group.write("input:x:105:\ngpio:x:997:\n")
    assert run(["systemd-sysusers", f"--root={debian_root}", str(SYSUSERS)]).returncode == 0
    groups = groups_of(debian_root)
    assert (groups["input"][0], groups["gpio"][0]) == (105, 997)


def test_tmpfiles_makes_the_state_directory(debian_root: Path) -> None:
    assert run(["systemd-sysusers", f"--root={debian_root}", str(SYSUSERS)]).returncode == 0
    result = run(["systemd-tmpfiles", f"--root={debian_root}", "--create", str(TMPFILES)])
    assert result.returncode == 0, result.stderr
    pvz_uid = int(
        next(
            ln for ln in (debian_root / "etc/passwd").read_text().splitlines() if ln.startswith("pvz:")
        ).split(":")[2]
    )
    for path in (debian_root / "var/lib/pvz", debian_root / "var/lib/pvz/prints"):
        st = path.stat()
        assert path.is_dir() and st.st_uid == pvz_uid and st.st_mode & 0o777 == 0o750


def udevadm_parse(rules: Path, tmp_path: Path) -> list[str]:
    """udev's complaints about `rules` ("<file>:<line> …"), read by `udevadm test` in a mount
    namespace where the file sits in a private /run/udev/rules.d and /etc/group has a gpio group."""
    group = tmp_path / "group"
    group.write_text(Path("/etc/group").read_text(encoding="utf-8") + "gpio:x:999:\n", encoding="utf-8")
    script = (
        "set -e; mount -t tmpfs tmpfs /run; mkdir -p /run/udev/rules.d; "
        f"cp {shlex.quote(str(rules))} /run/udev/rules.d/60-pvz.rules; "
        f"mount --bind {shlex.quote(str(group))} /etc/group; "
        # /dev/null: a device whose node udev leaves as it is (0666 root), present everywhere.
        "exec udevadm test --action=add /sys/devices/virtual/mem/null"
    )
    result = run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script])
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Reading rules file: /run/udev/rules.d/60-pvz.rules" in result.stderr
    return [ln for ln in result.stderr.splitlines() if re.match(r"/run/udev/rules\.d/60-pvz\.rules:\d+ ", ln)]


def test_udev_rules_parse_cleanly(tmp_path: Path) -> None:
    assert udevadm_parse(RULES, tmp_path) == []


def test_udev_parse_check_sees_a_broken_rule(tmp_path: Path) -> None:
    broken = tmp_path / "60-pvz.rules"
    broken.write_text(
        RULES.read_text(encoding="utf-8") + 'SUBSYSTEM=="tty", GRUOP="dialout"\n', encoding="utf-8"
    )
    problems = udevadm_parse(broken, tmp_path)
    last_line = len(broken.read_text(encoding="utf-8").splitlines())
    assert [p.split()[0] for p in problems] == [f"/run/udev/rules.d/60-pvz.rules:{last_line}"]
