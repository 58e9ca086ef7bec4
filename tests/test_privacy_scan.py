"""No personal data in logs or telemetry: a whole demo day, then the daemon over it, scanned for it.

The demo's customers have full names and phones, as central knows them (device/demo/data.py);
the test draws the same seeded day to know them, their pickup codes and QR tokens. Everything
the device writes for a technician or sends to the fleet is then searched (tests/support/pii.py):

- `pvz -vv demo`: the day's log at DEBUG and its output;
- `pvz -vv run` over the demo's store, with a real Mosquitto and a reference hub: the daemon's log
  at DEBUG while customers type their codes (a right one, a wrong one, a QR), and every MQTT
  message on the device's topics captured by mosquitto_sub (retained status, telemetry each
  second, the journal's event batches, the hub's acks).
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from device.demo.data import DemoOrder
from device.demo.day import draw_day
from device.demo.stage import DEMO_DAY, DEVICE_ID, SITE
from tests.support import pii
from tests.support.broker import Broker
from tests.support.process import PVZ, ROOT

SEED = 7
MOSQUITTO_SUB = shutil.which("mosquitto_sub") or "/usr/bin/mosquitto_sub"
MOSQUITTO_PUB = shutil.which("mosquitto_pub") or "/usr/bin/mosquitto_pub"
WAIT_S = 20.0  # a bound on waiting for what must come, not a measurement


def the_day() -> tuple[bytes, list[DemoOrder]]:
    """The seeded day `pvz demo --seed 7` plays: its pickup key, and every order with its customer."""
    key, plan, (_, last_week) = draw_day(random.Random(SEED), DEMO_DAY)
    return key, plan.orders + last_week


def needles(orders: list[DemoOrder]) -> list[pii.Needle]:
    return pii.needles(
        names=[o.customer for o in orders],
        phones=[o.phone for o in orders],
        codes=[o.code for o in orders] + [o.qr_token for o in orders if o.qr_token is not None],
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pvz -vv demo` as a process, its log (stderr) and output kept beside its store."""
    out = tmp_path_factory.mktemp("pii-demo")
    with (out / "demo.log").open("wb") as log, (out / "demo.out").open("wb") as stdout:
        result = subprocess.run(
            [*PVZ, "-vv", "demo", "--out", str(out), "--seed", str(SEED), "--quiet"],
            cwd=ROOT,
            stdout=stdout,
            stderr=log,
            timeout=300,
            check=False,
        )
    assert result.returncode == 0, (out / "demo.log").read_text(encoding="utf-8")[-2000:]
    return out


def test_the_demo_days_log_at_debug_holds_no_name_phone_or_code(demo: Path) -> None:
    log = (demo / "demo.log").read_text(encoding="utf-8")
    assert log.count(" pvz.engine: station ") > 400, "the log records every scan of the day"
    _, orders = the_day()
    pii.assert_clean([demo / "demo.log", demo / "demo.out"], needles(orders))


def test_the_demo_days_journal_the_outbox_to_the_hub_holds_none_of_it(demo: Path, tmp_path: Path) -> None:
    with sqlite3.connect(demo / "pvz.db") as db:
        rows = db.execute("SELECT * FROM journal ORDER BY seq").fetchall()
        kept = db.execute("SELECT customer FROM orders").fetchall()
    assert len(rows) > 250
    dumped = tmp_path / "journal.txt"
    dumped.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    _, orders = the_day()
    pii.assert_clean([dumped], needles(orders))
    # What the store keeps is the mask, which the scanner does see (its given name).
    shown = tmp_path / "orders.txt"
    shown.write_text("\n".join(r[0] for r in kept), encoding="utf-8")
    assert pii.scan([shown], needles(orders))


def test_the_scanner_finds_what_it_looks_for(tmp_path: Path) -> None:
    """Each way a leak could be spelled is found, so that a clean scan means something."""
    _, orders = the_day()
    order = next(o for o in orders if o.qr_token is not None)
    given, surname = order.customer.split()
    digits = "".join(c for c in order.phone if c.isdigit())
    spelled = [
        surname.upper() + "А",  # a case form, in capitals
        f"name={given.lower()}",
        f"выдано {surname}у".replace("е", "ё"),  # another case, ё for е
        f'"customer": "{given} {surname[0]}."',  # the mask itself
        '"\\u' + "\\u".join(f"{ord(c):04x}" for c in surname) + '"',  # JSON's ASCII escapes
        f"tel 8 ({digits[1:4]}) {digits[4:7]}-{digits[7:9]} {digits[9:]}",
        f"{order.id}*{order.code}",
        f"PVZQR:{order.qr_token}",
    ]
    sample = tmp_path / "sample.log"
    sample.write_text("\n".join(spelled) + "\n", encoding="utf-8")
    leaks = pii.scan([sample], needles([order]))
    assert sorted({leak.line for leak in leaks}) == list(range(1, len(spelled) + 1))
    clean = tmp_path / "clean.log"
    clean.write_text(f"{order.id}**** PVZQR:*** {order.parcels[0].barcode} •••• {digits[-4:]}\n", "utf-8")
    assert pii.scan([clean], needles([order])) == []


def daemon_config(directory: Path, *, key: bytes, port: int) -> Path:
    path = directory / "pvz.toml"
    path.write_text(
        f'[device]\nid = "{DEVICE_ID}"\nsite = "{SITE}"\ntimezone = "Europe/Moscow"\n'
        f'[store]\npath = "pvz.db"\n[security]\npickup_key = "{key.hex()}"\n'
        f'[mqtt]\nhost = "127.0.0.1"\nport = {port}\ntelemetry_s = 1\n[screen]\nlisten = "off"\n'
        '[[stations]]\nname = "counter-1"\n[[stations.scanners]]\nbackend = "stdin"\n'
        '[stations.printer]\nbackend = "sim"\nout_dir = "prints"\n',
        encoding="utf-8",
    )
    return path


def wait_for(what: str, check: object, *procs: subprocess.Popen[bytes]) -> None:
    assert callable(check)
    deadline = time.monotonic() + WAIT_S
    while not check():
        for proc in procs:
            assert proc.poll() is None, f"{proc.args!r} exited while waiting for {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def captured(path: Path, topic_end: str) -> int:
    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    return sum(1 for line in text.splitlines() if line.split(" ", 1)[0].endswith(topic_end))


def test_the_daemon_over_the_demo_day_logs_and_sends_none_of_it(
    demo: Path, tmp_path: Path, broker: Broker
) -> None:
    key, orders = the_day()
    for name in ("pvz.db", "pvz.db-wal"):
        if (demo / name).exists():
            shutil.copy(demo / name, tmp_path / name)
    config = daemon_config(tmp_path, key=key, port=broker.port)
    capture = tmp_path / "mqtt.txt"
    prefix = f"pvz/v1/{SITE}/{DEVICE_ID}"
    host = ["-h", "127.0.0.1", "-p", str(broker.port)]
    procs: list[subprocess.Popen[bytes]] = []
    files = {name: (tmp_path / name).open("wb") for name in ("sub.err", "hub.log", "pvz.log", "pvz.out")}
    try:
        sub = subprocess.Popen(
            [MOSQUITTO_SUB, *host, "-v", "-q", "1", "-t", f"{prefix}/#", "-t", "pii/probe"],
            stdout=capture.open("wb"),
            stderr=files["sub.err"],
        )
        procs.append(sub)

        def probed() -> bool:
            subprocess.run([MOSQUITTO_PUB, *host, "-t", "pii/probe", "-m", "ready"], check=True, timeout=10)
            return captured(capture, "pii/probe") > 0

        wait_for("mosquitto_sub to subscribe", probed, sub)
        hub = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "central.cli",
                "hub",
                "--broker",
                f"127.0.0.1:{broker.port}",
                "--db",
                str(tmp_path / "hub.db"),
            ],
            cwd=ROOT,
            stderr=files["hub.log"],
            stdout=files["hub.log"],
        )
        procs.append(hub)
        daemon = subprocess.Popen(
            [*PVZ, "-vv", "run", "--config", str(config)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=files["pvz.out"],
            stderr=files["pvz.log"],
        )
        procs.append(daemon)
        waiting = [o for o in orders if o.qr_token is None]
        with_qr = next(o for o in orders if o.qr_token is not None)
        typed = [
            "BADGE-7001",
            f"k:{waiting[0].id}*{waiting[0].code}",  # the order and its code, dictated
            "PVZC-CANCEL",
            f"k:{waiting[1].code}",  # the code alone
            "PVZC-CANCEL",
            f"k:{waiting[2].id}*{waiting[3].code}",  # another customer's code: wrong
            "PVZC-CANCEL",
            f"PVZQR:{with_qr.qr_token}",
            "PVZC-CANCEL",
        ]
        assert daemon.stdin is not None
        daemon.stdin.write("".join(f"{code}\n" for code in typed).encode())
        daemon.stdin.flush()
        wait_for(
            "status, two telemetry messages, event batches and an ack",
            lambda: (
                captured(capture, "/status") >= 1
                and captured(capture, "/telemetry") >= 2
                and captured(capture, "/events") >= 1
                and captured(capture, "/ack") >= 1
            ),
            daemon,
            hub,
        )
        daemon.stdin.close()
        assert daemon.wait(WAIT_S) == 0
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                proc.terminate()
                proc.wait(30)
        for f in files.values():
            f.close()
    log = (tmp_path / "pvz.log").read_text(encoding="utf-8")
    assert log.count(" pvz.engine: station counter-1: ") == len(typed), log[-3000:]
    assert "iss_wrong_code" in log
    scanned = [capture, tmp_path / "pvz.log", tmp_path / "pvz.out", tmp_path / "hub.log"]
    pii.assert_clean(scanned, needles(orders))


def test_the_kiosk_demo_days_log_and_timeline_hold_no_name_phone_or_code(tmp_path: Path) -> None:
    """`pvz -vv demo --kiosk`, timeline and all: customers type codes and show QR codes at the kiosk,
    one goes to the counter, the power goes mid-opening; none of it names a customer."""
    from device.demo.kiosk_data import make_kiosk_day

    seed = 5
    with (tmp_path / "kiosk.log").open("wb") as log, (tmp_path / "kiosk.out").open("wb") as stdout:
        result = subprocess.run(
            [*PVZ, "-vv", "demo", "--kiosk", "--out", str(tmp_path), "--seed", str(seed)],
            cwd=ROOT,
            stdout=stdout,
            stderr=log,
            timeout=300,
            check=False,
        )
    assert result.returncode == 0, (tmp_path / "kiosk.log").read_text(encoding="utf-8")[-2000:]
    assert (tmp_path / "kiosk.log").read_text(encoding="utf-8").count(" pvz.engine: station kiosk-1") > 20
    rng = random.Random(seed)
    bytes(rng.getrandbits(8) for _ in range(32))  # the demo's key is drawn first
    orders = make_kiosk_day(rng, day=DEMO_DAY).orders
    pii.assert_clean([tmp_path / "kiosk.log"], needles(orders))
    # The timeline shows each customer as the screen does ("Татьяна Л."): never the surname,
    # the phone or a code.
    shown = pii.needles(
        names=[o.customer.split()[-1] for o in orders],
        phones=[o.phone for o in orders],
        codes=[o.code for o in orders] + [o.qr_token for o in orders if o.qr_token is not None],
    )
    pii.assert_clean([tmp_path / "kiosk.out"], shown)
