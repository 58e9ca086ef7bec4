"""`pvz run` with the screen: docs/examples/sim.toml serves the page, a scan typed on standard
input reaches /events; a taken port leaves the counter working headless."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

from tests.support.broker import free_port
from tests.support.process import PVZ, ROOT
from tests.support.screen import read_events


def sim_config(tmp_path: Path, listen: str) -> Path:
    """docs/examples/sim.toml as it is, with its store and prints in tmp_path and the screen on `listen`."""
    text = (ROOT / "docs/examples/sim.toml").read_text(encoding="utf-8")
    text = text.replace('"../../pvz-sim/pvz.db"', '"pvz.db"').replace('"../../pvz-sim/prints"', '"prints"')
    assert '"pvz.db"' in text and '"prints"' in text and "[screen]" not in text
    path = tmp_path / "sim.toml"
    path.write_text(text + f'\n[screen]\nlisten = "{listen}"\n', encoding="utf-8")
    return path


def start(config: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*PVZ, "-v", "run", "--config", str(config)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def wait_listening(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else b""
            assert time.monotonic() < deadline, "the screen never listened"
            time.sleep(0.05)


def test_the_sim_config_serves_the_page_and_a_typed_scan_reaches_the_event_stream(tmp_path: Path) -> None:
    port = free_port()
    proc = start(sim_config(tmp_path, f"127.0.0.1:{port}"))
    assert proc.stdin is not None
    try:
        wait_listening(port, proc)
        events = read_events("127.0.0.1", port, "/events", count=2)
        _, kind, snapshot = next(events)
        assert kind == "snapshot" and snapshot["station"] == "counter-1"
        assert snapshot["clerk"] is None
        typed = time.monotonic()
        proc.stdin.write(b"BADGE-7001\n")
        proc.stdin.flush()
        _, kind, data = next(events)
        took = time.monotonic() - typed
        assert kind == "station" and data["screen"]["scan"] == "BADGE-7001"
        assert data["clerk"] == {"name": "Анна С."} and data["screen"]["tone"] == "ok"
        assert took < 5  # a correctness bound, not the benchmark (bench/screen_latency.py)
        conn_page = socket.create_connection(("127.0.0.1", port))
        conn_page.sendall(b"GET / HTTP/1.0\r\n\r\n")
        page = b""
        while chunk := conn_page.recv(65536):
            page += chunk
        conn_page.close()
        assert b"200 OK" in page.split(b"\r\n", 1)[0] and b'data-station="counter-1"' in page
    finally:
        _, err = proc.communicate(timeout=30)  # end of input: the daemon stops as it always did
    assert proc.returncode == 0, err.decode()
    assert b"screen 127.0.0.1:" in err and b"Traceback" not in err


def test_a_taken_port_leaves_the_counter_working_without_its_screen(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = start(sim_config(tmp_path, f"127.0.0.1:{port}"))
        _, err = proc.communicate(b"BADGE-7001\nPVZC-ISSUE\nPVZC-CANCEL\n", timeout=60)
    assert proc.returncode == 0, err.decode()
    log = err.decode()
    assert "screen: cannot listen on 127.0.0.1:" in log
    assert log.count("pvz.engine: station counter-1:") == 3  # every scan handled as before
    assert "Traceback" not in log


def test_the_screen_can_be_turned_off(tmp_path: Path) -> None:
    proc = start(sim_config(tmp_path, "off"))
    _, err = proc.communicate(b"BADGE-7001\n", timeout=60)
    assert proc.returncode == 0, err.decode()
    assert "screen off" in err.decode() and "serving the stations' pages" not in err.decode()
