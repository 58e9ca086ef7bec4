"""A real `pvz-central hub` process with a hub.toml ([web], [dashboard], [releases]) for tests: its
dashboard and release files on a free port, devices' statuses published with plain paho."""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from central.dashboard.auth import digest
from tests.support.broker import free_port
from tests.support.process import ROOT

TOKEN = "operator-token-of-anna"
OPERATOR = "Анна"


def hub_toml(
    directory: Path, *, port: int, releases: Path | None = None, extra: str = "", token: str = TOKEN
) -> Path:
    """A hub.toml: [web] on `port`, a dashboard with one operator (`token`), and the releases dir."""
    text = (
        f'[web]\nlisten = "127.0.0.1:{port}"\n{extra}\n'
        f"[dashboard]\nsession_hours = 1\nhistory_days = 2\n"
        f'[[dashboard.operator]]\nname = "{OPERATOR}"\ntoken_sha256 = "{digest(token)}"\n'
    )
    if releases is not None:
        text += f'\n[releases]\ndir = "{releases}"\n'
    path = directory / "hub.toml"
    path.write_text(text, encoding="utf-8")
    return path


@dataclass
class HubProcess:
    proc: subprocess.Popen[bytes]
    port: int
    stderr: list[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        data = None if body is None else json.dumps(body).encode()
        try:
            conn.request(
                method, path, body=data, headers={"Content-Type": "application/json", **(headers or {})}
            )
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()


@contextmanager
def running_hub(
    directory: Path,
    broker_port: int,
    *,
    releases: Path | None = None,
    rules: Path | None = None,
    web: str = "",
    db: str | None = None,
    client_id: str | None = None,
    token: str = TOKEN,
    port: int | None = None,
) -> Iterator[HubProcess]:
    """The hub on SQLite in `directory` or on the `db` URL, serving hub.toml's [web] (`web`: more
    of its keys) on `port` (a free one by default), with one operator of `token`; stopped with
    SIGTERM (exit code 0 checked). Hubs of one group on one broker need their own `client_id`."""
    port = free_port() if port is None else port
    config = hub_toml(directory, port=port, releases=releases, extra=web, token=token)
    args = [
        "--broker",
        f"127.0.0.1:{broker_port}",
        "--db",
        str(directory / "hub.db") if db is None else db,
        "--config",
        str(config),
    ]
    if client_id is not None:
        args += ["--client-id", client_id]
    if rules is not None:
        args += ["--alerts", str(rules)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "central.cli", "hub", *args], cwd=ROOT, stderr=subprocess.PIPE
    )
    lines: list[bytes] = []
    connected = threading.Event()

    def read() -> None:
        assert proc.stderr is not None
        for line in iter(proc.stderr.readline, b""):
            lines.append(line)
            if b"connected to" in line:
                connected.set()

    threading.Thread(target=read, daemon=True).start()
    hub = HubProcess(proc, port, lines)
    try:
        assert connected.wait(20), b"".join(lines).decode()
        yield hub
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)
    assert proc.returncode == 0, b"".join(lines).decode()


def status(site: str, device: str, **changes: Any) -> dict[str, Any]:
    """A device's retained status as sync/status.py writes it: online, one printer, two scanners."""
    body: dict[str, Any] = {
        "online": True,
        "device": device,
        "site": site,
        "role": "main",
        "version": "0.1.0",
        "ts": "2026-12-07T10:00:00Z",
        "counts": {"outbox_depth": 0, "tickets_open": 0},
        "config": {},  # no desired config pushed yet
        "health": {
            "printers": {"s1": {"state": "ready", "paper": "ok"}},
            "scanners": {"total": 2, "connected": 2},
            "alerts": [],
        },
    }
    for key, value in changes.items():
        body[key] = value
    return body


class Devices:
    """Plain paho: publishes devices' retained statuses as the devices themselves would."""

    def __init__(self, port: int) -> None:
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="sim-devices", protocol=mqtt.MQTTv5)
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()

    def publish(self, site: str, device: str, body: dict[str, Any]) -> None:
        info = self.client.publish(f"pvz/v1/{site}/{device}/status", json.dumps(body), qos=1, retain=True)
        info.wait_for_publish(10)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def responder(port: int, site: str, device: str, got: list[dict[str, Any]] | None = None) -> mqtt.Client:
    """A device that answers every command ok on the reply topic the request names, with its
    correlation data, as sync/commands.py does; the requests it got go to `got`."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"dev-{device}", protocol=mqtt.MQTTv5)

    def on_message(c: mqtt.Client, _: Any, msg: mqtt.MQTTMessage) -> None:
        request = json.loads(msg.payload)
        if got is not None:
            got.append(request)
        given: Any = msg.properties
        props = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
        props.CorrelationData = given.CorrelationData
        answer = {"id": request["id"], "ok": True, "result": {}}
        c.publish(given.ResponseTopic, json.dumps(answer), qos=1, properties=props)

    subscribed = threading.Event()
    client.on_message = on_message
    client.on_subscribe = lambda *_: subscribed.set()
    client.connect("127.0.0.1", port)
    client.subscribe(f"pvz/v1/{site}/{device}/cmd", qos=1)
    client.loop_start()
    assert subscribed.wait(10), "the simulated device did not subscribe"
    return client


def wait_for(check: Any, timeout: float = 10.0) -> Any:
    """Poll `check()` until it returns something true (the hub's loop is another process)."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)
