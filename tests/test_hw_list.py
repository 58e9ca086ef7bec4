"""`pvz hw list` and `lights-test` as a technician runs them: a table, an honest exit code, absent parts named."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

from device.config import load_config
from device.hardware_status import status_file
from device.wiring import build_runtime, open_store
from drivers.printer.escpos_printer import EscposPrinter
from sync.status import device_health
from tests.support.config import STDIN, station, write_config
from tests.support.process import ROOT, pvz

ABSENT_SCANNER = 'backend = "evdev"\npath = "/dev/input/by-id/usb-pvz-absent-scanner-event-kbd"'
USB_PRINTER = '[stations.printer]\nbackend = "usb"\nvendor_id = 0x0416\nproduct_id = 0x5011\n'


def absent_config(tmp_path: Path) -> Path:
    """counter-1: an unplugged evdev scanner and a USB printer not on the bus; kiosk-1: a device-file
    printer whose node is missing."""
    counter = station("counter-1", ABSENT_SCANNER) + USB_PRINTER
    kiosk = station("kiosk-1") + f'[stations.printer]\nbackend = "file"\npath = "{tmp_path / "lp9"}"\n'
    return write_config(tmp_path, stations=counter + kiosk)


def test_absent_parts_are_named_with_what_to_do_and_the_exit_is_1(tmp_path: Path) -> None:
    result = pvz("hw", "list", "--config", absent_config(tmp_path))
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "source: looked now (no daemon holds the store)" in out
    header = next(line for line in out.splitlines() if line.startswith("station"))
    assert header.split() == ["station", "device", "name", "backend", "found", "connected", "ready"]
    printer = next(line for line in out.splitlines() if "counter-1/printer" in line)
    assert printer.split()[-3:] == ["NO", "NO", "NO"]
    assert "USB printer 0416:5011 is not on the USB bus" in out or "no libusb backend" in out
    assert f"{tmp_path / 'lp9'} does not exist" in out
    assert "no input device at /dev/input/by-id/usb-pvz-absent-scanner-event-kbd" in out
    assert out.count("to do:") == 3
    assert "3 problem(s)" in out


def test_json_keeps_the_parts_and_their_problems(tmp_path: Path) -> None:
    result = pvz("hw", "list", "--json", "--config", absent_config(tmp_path))
    assert result.returncode == 1
    found = json.loads(result.stdout)
    ready = {(p["station"], p["device"]): p["ready"] for p in found["parts"]}
    assert ready[("counter-1", "printer")] is False
    assert ready[("counter-1", "scanner")] is False
    assert ready[("kiosk-1", "printer")] is False
    assert ready[("kiosk-1", "scanner")] is True
    assert len(found["problems"]) == 3
    assert "input_devices" in found and "serial_ports" in found


def test_simulated_parts_are_all_ready_and_the_exit_is_0(tmp_path: Path) -> None:
    config = write_config(tmp_path, stations=station("counter-1", prints="prints"))
    result = pvz("hw", "list", "--config", config)
    assert result.returncode == 0, result.stdout
    assert "all parts ready" in result.stdout


def test_a_printer_is_ready_only_when_it_is_there() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]
        there = EscposPrinter(name="p", backend="network", host="127.0.0.1", port=port)
        assert there.status()["state"] == "ready"
    gone = EscposPrinter(name="p", backend="network", host="127.0.0.1", port=port)
    status = gone.status()
    assert status["state"] == "absent"
    assert f"127.0.0.1:{port}" in status["absent"]
    tty = EscposPrinter(name="p", backend="serial", path="/dev/ttyPVZ-absent")
    assert tty.status()["state"] == "absent"


def test_an_unplugged_scanner_and_an_absent_printer_are_in_telemetry(tmp_path: Path) -> None:
    config_file = absent_config(tmp_path)
    config = load_config(config_file)
    store = open_store(config, config_file, owner=True)
    try:
        runtime = build_runtime(config, config_file, store)
        problems = runtime.status()["hardware_problems"]
        alerts = device_health(runtime)["alerts"]
    finally:
        store.close()
    scanner = [p for p in problems if "counter-1/scanner0" in p]
    assert scanner == [
        "scanner counter-1/scanner0: not connected: the daemon is waiting for it to be plugged in"
    ]
    assert any(p.startswith("printer counter-1: USB printer 0416:5011") for p in problems)
    assert (
        f"printer kiosk-1: {tmp_path / 'lp9'} does not exist (printer unplugged or switched off)" in problems
    )
    assert len(problems) == 3
    assert alerts == problems  # each once, with its cause


def test_hw_list_asks_the_running_daemon(tmp_path: Path) -> None:
    kiosk = f'[stations.printer]\nbackend = "file"\npath = "{tmp_path / "lp9"}"\n'
    config = write_config(
        tmp_path, stations=station("counter-1", STDIN, prints="prints") + station("kiosk-1") + kiosk
    )
    daemon = subprocess.Popen(
        [sys.executable, "-m", "device.cli.main", "run", "--config", str(config)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while not status_file(tmp_path / "pvz.db").exists():
            assert daemon.poll() is None, daemon.stderr.read() if daemon.stderr else ""
            assert time.monotonic() < deadline, "the daemon wrote no hardware status"
            time.sleep(0.1)
        result = pvz("hw", "list", "--config", config)
        assert result.returncode == 1
        assert f"source: daemon pid {daemon.pid}" in result.stdout
        assert f"{tmp_path / 'lp9'} does not exist" in result.stdout
        (tmp_path / "lp9").write_bytes(b"")  # the printer is plugged in: the daemon sees it on its next look
        deadline = time.monotonic() + 30
        while pvz("hw", "list", "--config", config).returncode != 0:
            assert time.monotonic() < deadline, "the daemon never saw the printer come back"
            time.sleep(1)
    finally:
        daemon.terminate()
        daemon.wait(10)
    after = pvz("hw", "list", "--config", config)
    assert "source: looked now (no daemon holds the store)" in after.stdout
    assert after.returncode == 0


def test_lights_test_names_the_cell_lit_at_each_step(tmp_path: Path) -> None:
    config = write_config(tmp_path, stations=station("counter-1", prints="prints"))
    imported = pvz("cells", "import", ROOT / "docs/examples/cells.json", "--store", tmp_path / "pvz.db")
    assert imported.returncode == 0, imported.stderr
    cells = json.loads((ROOT / "docs/examples/cells.json").read_text(encoding="utf-8"))["cells"]
    by_channel = {c["channel"]: c for c in cells}
    result = pvz("hw", "lights-test", "--config", config, "--step", "0", "--channels", "3")
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    for channel in range(3):
        cell = by_channel[channel]
        assert lines[channel].startswith(f"channel {channel}: cell {cell['address']}")
        assert lines[channel].endswith(" lit")
    assert "counter-1: status light green" in lines
    assert lines[-1] == "3 channel(s) walked; cell lights now off"
