"""Hardware-in-the-loop: the real drivers against a real Linux kernel's USB, input and tty stacks.

One QEMU guest (Debian's own kernel, software emulation) is booted once per test session and
runs every scenario of tests/hil/guest.py; each test below asserts one scenario's result. The
ingredients (qemu, kernel, busybox, initramfs) are fetched and built on first use and cached;
see tests/hil/README.md. PVZ_HIL=0 skips these tests (a machine with no network and no cache).
"""

from __future__ import annotations

import gzip
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from drivers.scanner.keymaps import Layout, encode
from tests.hil import build, gadgets
from tests.hil.guest import KEY_NAMES, MUST_FAIL, SCENARIOS

pytestmark = pytest.mark.slow


@dataclass
class HilRun:
    boot: build.BootResult
    results: dict[str, dict[str, Any]]

    def result(self, name: str) -> dict[str, Any]:
        found = self.results.get(name)
        if found is None:
            tail = "".join(self.boot.console.splitlines(keepends=True)[-40:])
            pytest.fail(
                f"the guest gave no result for {name} (qemu exit {self.boot.returncode}, "
                f"{self.boot.seconds:.0f} s); console in {self.boot.log_path}:\n{tail}"
            )
        return found


@pytest.fixture(scope="session")
def hil() -> HilRun:
    if os.environ.get("PVZ_HIL") == "0":
        pytest.skip("PVZ_HIL=0: hardware-in-the-loop tests skipped")
    try:
        ingredients = build.ensure_ingredients()
    except build.BuildError as exc:
        pytest.fail(f"cannot build the HIL guest: {exc}")
    boot = build.boot(list(SCENARIOS), ingredients=ingredients)
    return HilRun(boot, {r["name"]: r for r in boot.results})


def _details(result: dict[str, Any]) -> str:
    details = result.get("details")
    return details if isinstance(details, str) else json.dumps(details, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("name", [name for name in SCENARIOS if name not in MUST_FAIL])
def test_scenario(hil: HilRun, name: str) -> None:
    result = hil.result(name)
    if result["status"] == "skipped":
        pytest.skip(f"{name}: {result['details']}")
    assert result["status"] == "passed", (
        f"{name} {result['status']} in the guest after {result.get('seconds')} s:\n{_details(result)}\n"
        f"(guest console: {hil.boot.log_path})"
    )


def test_harness_reports_a_failed_scenario(hil: HilRun) -> None:
    """A scenario that checks something false comes back failed: the harness is no rubber stamp."""
    for name in MUST_FAIL:
        result = hil.result(name)
        assert result["status"] == "failed", f"{name} should have failed: {result}"
        assert result["ok"] is False
        assert "deliberately wrong expectation" in result["details"]


def test_guest_powered_off_cleanly(hil: HilRun) -> None:
    assert hil.boot.returncode == 0, f"qemu exit {hil.boot.returncode}; console in {hil.boot.log_path}"
    assert build.DONE_MARKER in hil.boot.console
    assert set(hil.results) == set(SCENARIOS)


# --- the harness's own tables, no guest needed -------------------------------------------------


@pytest.mark.parametrize("layout", ["us", "ru"])
def test_gadget_layout_matches_the_drivers_keymap(layout: Layout) -> None:
    """The gadget's HID usage table (HID spec) and drivers.scanner.keymaps (evdev codes) agree on every
    character both can type: two independent tables, so a slip in either shows here first."""
    from evdev import ecodes

    table = gadgets.LAYOUTS[layout]
    checked = 0
    for char, (modifiers, usage) in table.items():
        if char in "\n\t":
            continue
        keycode, shift = encode(char, layout)[0]
        names = ecodes.KEY[keycode]
        name = names if isinstance(names, str) else names[0]
        assert (name, shift) == (KEY_NAMES[usage], bool(modifiers & gadgets.LEFT_SHIFT)), char
        checked += 1
    assert checked >= 90 if layout == "us" else checked >= 80


def test_initramfs_is_a_valid_newc_archive(tmp_path: Path) -> None:
    """The Python cpio writer: headers, names, 4-byte padding and the trailer, read back."""
    busybox = tmp_path / "busybox"
    busybox.write_bytes(b"\x7fELF-not-really")
    out = tmp_path / "initrd.gz"
    build.build_initramfs(busybox, [], out)
    data = gzip.decompress(out.read_bytes())
    names: dict[str, tuple[int, bytes]] = {}
    pos = 0
    while True:
        assert data[pos : pos + 6] == b"070701"
        fields = [int(data[pos + 6 + 8 * i : pos + 14 + 8 * i], 16) for i in range(13)]
        mode, size, namesize = fields[1], fields[6], fields[11]
        name = data[pos + 110 : pos + 110 + namesize - 1].decode()
        pos = (pos + 110 + namesize + 3) & ~3
        names[name] = (mode, data[pos : pos + size])
        pos = (pos + size + 3) & ~3
        if name == "TRAILER!!!":
            break
    assert names["init"] == (0o100755, build.INIT_SCRIPT.read_bytes())
    assert names["bin/busybox"][1] == busybox.read_bytes()
    assert names["bin/sh"] == (0o120777, b"busybox")
    assert names["dev/console"][0] == 0o020600
    assert names["modules/order"][1] == b"\n"
    assert len(data) % 512 == 0
