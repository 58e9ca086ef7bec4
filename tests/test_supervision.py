"""systemd supervision through a real NOTIFY_SOCKET: READY only once the screen listens, STATUS
lines, watchdog pings while the loop is healthy and none while it hangs, STOPPING on SIGTERM."""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from device.engine import Result
from device.intake.deadlines import last_sweep
from device.runtime import Runtime
from device.station_io import StationIO
from device.store.db import Store
from device.store.journal import Stamp, append
from device.supervision.notify import Notifier, socket_address, watchdog_period_s
from device.supervision.watchdog import INPUTS_STUCK, Watchdog
from drivers.lights.sim_lights import SimCellLights
from drivers.scanner.sim_input import ScriptSource
from tests.support.config import write_config
from tests.support.factory import CLERK, DEVICE, new_engine, new_store
from tests.support.notify import notify_socket
from tests.support.process import PVZ, ROOT

PERIOD_USEC = 1_000_000  # WatchdogSec=1 s: a ping every 0.5 s


def test_the_notifier_reaches_a_socket_by_path_and_by_abstract_name(tmp_path: Path) -> None:
    with notify_socket(tmp_path / "notify.sock") as by_path:
        notifier = Notifier(socket_address(by_path.env))
        assert notifier.ready("ready: test") and notifier.watchdog()
        by_path.wait_for("WATCHDOG=1")
    with notify_socket(abstract=f"pvz-test-{os.getpid()}") as abstract:
        assert abstract.env.startswith("@")
        notifier = Notifier(socket_address(abstract.env))
        assert notifier.stopping() and not notifier.stopping()  # STOPPING=1 goes once
        abstract.wait_for("STOPPING=1")
    assert by_path.messages[0][1] == "READY=1\nSTATUS=ready: test"
    assert notifier.status() == {"enabled": True, "sent": 1, "failed": 0}


def test_without_notify_socket_nothing_is_sent_and_a_gone_supervisor_stops_nothing(tmp_path: Path) -> None:
    env: dict[str, str] = {}
    quiet = Notifier.from_environ(env)
    assert not quiet.enabled and not quiet.ready("ready") and quiet.status()["sent"] == 0
    env = {"NOTIFY_SOCKET": str(tmp_path / "nobody.sock")}
    gone = Notifier.from_environ(env)
    assert "NOTIFY_SOCKET" not in env  # programs pvz starts do not speak for it
    assert gone.enabled and not gone.watchdog() and not gone.watchdog()
    assert gone.status() == {"enabled": True, "sent": 0, "failed": 2}


def test_the_watchdog_period_is_systemds_and_only_for_the_process_it_names() -> None:
    assert watchdog_period_s({"WATCHDOG_USEC": "30000000"}) == 30.0
    assert watchdog_period_s({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": str(os.getpid())}) == 30.0
    assert watchdog_period_s({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}) is None
    assert watchdog_period_s({}) is None
    assert watchdog_period_s({"WATCHDOG_USEC": "0"}) is None
    assert watchdog_period_s({"WATCHDOG_USEC": "soon"}) is None


def test_pvz_run_is_ready_only_once_its_screen_listens_pings_and_says_stopping(tmp_path: Path) -> None:
    config = write_config(tmp_path / "device")
    port = int(config.read_text(encoding="utf-8").split('listen = "127.0.0.1:')[1].split('"')[0])
    with notify_socket(abstract=f"pvz-run-{os.getpid()}") as systemd:
        env = {**os.environ, "NOTIFY_SOCKET": systemd.env, "WATCHDOG_USEC": str(PERIOD_USEC)}
        env["PYTHONPATH"] = str(ROOT)
        proc = subprocess.Popen(
            [*PVZ, "run", "--config", str(config)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            ready = systemd.wait_for("READY=1")
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                pass  # listening when READY came, not some time after
            ready_at = systemd.messages[ready][0]
            systemd.wait_for("WATCHDOG=1", after=ready)
            time.sleep(2.0)
            pings = [t for t in systemd.times_of("WATCHDOG=1") if t >= ready_at]
            assert len(pings) >= 4, pings  # a ping every 0.5 s
            assert max(b - a for a, b in itertools.pairwise(pings)) < 1.0  # never a whole period without
            assert not [t for t in systemd.times_of("WATCHDOG=1") if t < ready_at]
            proc.send_signal(signal.SIGTERM)
            systemd.wait_for("STOPPING=1", after=ready)
            _, err = proc.communicate(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert proc.returncode == 0, err.decode()
    statuses = systemd.statuses()
    assert statuses[0] == "starting: opening the store"
    assert "starting: opening the screen" in statuses
    assert f"ready: 1 station, screen on 127.0.0.1:{port}, mqtt off" in statuses
    assert statuses[-1] == "stopping"
    assert systemd.messages[ready][1].startswith("READY=1\nSTATUS=ready: ")


def counter(store: Store) -> Runtime:
    """One station with a scanner that stays open (a runtime without sources stops at once)."""
    station = StationIO("s1", sources=[ScriptSource(name="s1/scanner")])
    return Runtime(new_engine(store), stations=[station], rack=SimCellLights())


class Hang:
    """A watcher that blocks the loop with time.sleep after one scan: a hung driver call."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.began = self.ended = 0.0

    def scanned(self, result: Result) -> None:
        self.began = time.monotonic()
        time.sleep(self.seconds)
        self.ended = time.monotonic()

    def lights_changed(self) -> None: ...

    def print_job(self, job: int, station: str, state: str) -> None: ...

    def hardware_checked(self) -> None: ...


def test_a_loop_that_hangs_sends_no_pings_and_pings_again_after(tmp_path: Path) -> None:
    store = new_store(tmp_path / "pvz.db")
    runtime = counter(store)
    hang = Hang(1.5)
    runtime.watchers.append(hang)
    with notify_socket(tmp_path / "notify.sock") as systemd:
        notifier = Notifier(socket_address(systemd.env))
        watchdog = Watchdog(notifier, period_s=0.2, inputs=runtime, status=lambda: "ready: test")

        async def main() -> None:
            stop = asyncio.Event()
            running = asyncio.create_task(runtime.run(stop=stop))
            pinging = asyncio.create_task(watchdog.run())
            await asyncio.sleep(0.6)
            runtime.submit("s1", CLERK)
            await asyncio.sleep(0.1)  # the hang: this task wakes after it
            await asyncio.sleep(0.6)
            stop.set()
            await running
            pinging.cancel()

        asyncio.run(main())
        time.sleep(0.1)  # the last datagrams reach the reading thread
    store.close()
    pings = systemd.times_of("WATCHDOG=1")
    assert hang.ended - hang.began >= 1.5
    assert [t for t in pings if t < hang.began], pings
    assert not [t for t in pings if hang.began < t < hang.ended], pings
    assert [t for t in pings if t > hang.ended], pings
    assert watchdog.longest_stall_s > 1.0


class Waiting:
    def __init__(self) -> None:
        self.wait_s = 0.0

    def input_wait_s(self) -> float:
        return self.wait_s


def test_a_turning_loop_whose_inputs_do_not_move_withholds_the_ping(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    inputs = Waiting()
    with notify_socket(tmp_path / "notify.sock") as systemd:
        watchdog = Watchdog(
            Notifier(socket_address(systemd.env)), period_s=1.0, inputs=inputs, status=lambda: "ready"
        )
        watchdog.tick()
        inputs.wait_s = 20.0
        watchdog.tick()
        watchdog.tick()
        assert watchdog.status()["unhealthy"] == INPUTS_STUCK
        inputs.wait_s = 0.0
        watchdog.tick()
        time.sleep(0.2)
    assert [m for _, m in systemd.messages] == ["WATCHDOG=1", "STATUS=ready", "WATCHDOG=1"]
    assert (watchdog.pings, watchdog.withheld, watchdog.unhealthy) == (2, 2, None)


def test_the_runtime_tells_how_long_its_oldest_input_has_waited(tmp_path: Path) -> None:
    store = new_store(tmp_path / "pvz.db")
    runtime = counter(store)
    seen: list[float] = []

    class Busy(Hang):
        def scanned(self, result: Result) -> None:
            if not seen:
                runtime.submit("s1", CLERK)  # waits behind this slow one
                time.sleep(self.seconds)
            seen.append(runtime.input_wait_s())

    runtime.watchers.append(Busy(0.3))

    async def main() -> None:
        stop = asyncio.Event()
        running = asyncio.create_task(runtime.run(stop=stop))
        await asyncio.sleep(0)
        runtime.submit("s1", CLERK)
        while len(seen) < 2:
            await asyncio.sleep(0.01)
        stop.set()
        await running

    asyncio.run(main())
    store.close()
    assert seen[0] >= 0.3 and seen[1] == 0.0
    assert runtime.input_wait_s() == 0.0


def test_the_notify_module_runs_without_the_rest_of_pvz() -> None:
    # The sender must work in the smallest process; it imports nothing of pvz's own.
    code = "import sys, device.supervision.notify; print(sorted(m for m in sys.modules if m.startswith(('device.', 'drivers', 'workflows', 'sync'))))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['device.supervision', 'device.supervision.notify']"


def test_a_taken_port_still_makes_pvz_run_ready_and_says_so(tmp_path: Path) -> None:
    with socket.socket() as taken, notify_socket(tmp_path / "notify.sock") as systemd:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = write_config(tmp_path / "device", screen=f"127.0.0.1:{port}")
        env = {**os.environ, "NOTIFY_SOCKET": systemd.env, "PYTHONPATH": str(ROOT)}
        env.pop("WATCHDOG_USEC", None)
        proc = subprocess.Popen(
            [*PVZ, "run", "--config", str(config)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        _, err = proc.communicate(b"", timeout=60)  # no input: it starts, is ready, and stops
        time.sleep(0.1)
    assert proc.returncode == 0, err.decode()
    assert f"ready: 1 station, screen failed on 127.0.0.1:{port}, mqtt off" in systemd.statuses()
    assert systemd.times_of("WATCHDOG=1") == []  # no WATCHDOG_USEC, no pings
    assert systemd.statuses()[-1] == "stopping"


def test_pvz_run_with_a_journal_from_the_future_is_ready_but_waits_for_the_clock(tmp_path: Path) -> None:
    config = write_config(tmp_path / "device")
    store = Store.open(tmp_path / "device" / "pvz.db")
    with store.transaction() as conn:  # the device ran with the right time once; now it boots in the past
        store.set_meta("device_id", DEVICE)
        append(conn, Stamp(DEVICE, (datetime.now(UTC) + timedelta(days=30)).isoformat()), "device_started")
    store.close()
    with notify_socket(tmp_path / "notify.sock") as systemd:
        env = {**os.environ, "NOTIFY_SOCKET": systemd.env, "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen(
            [*PVZ, "run", "--config", str(config)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        _, err = proc.communicate(b"", timeout=60)
        time.sleep(0.1)
    assert proc.returncode == 0, err.decode()
    ready = next(m for _, m in systemd.messages if m.startswith("READY=1"))
    assert ready.endswith("mqtt off; waiting for the clock to be set (deadlines not swept)")
    store = Store.open(tmp_path / "device" / "pvz.db")
    assert last_sweep(store) is None
    store.close()
