"""The main device's page of a remote station whose device went offline, in a real `pvz run` on a
real site broker: the station's retained status says online, then offline (as its last will does),
and the page's state carries the lost link in words; online again, the banner goes."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from sync.topics import Topics
from tests.support.broker import Broker
from tests.support.config import station
from tests.support.factory import SITE
from tests.support.screen import read_events
from tests.support.site import main_config, remote
from tests.test_screen_daemon import start, wait_listening
from workflows.messages import Msg

STATION_DEVICE = "pvz-0002"


def say_status(port: int, online: bool) -> None:
    """The station device's retained status on the site broker, as its daemon (or its will) leaves it."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="station-status", protocol=mqtt.MQTTv5)
    client.connect("127.0.0.1", port)
    client.loop_start()
    try:
        topic = Topics(SITE, STATION_DEVICE).status
        info = client.publish(topic, json.dumps({"online": online}).encode(), qos=1, retain=True)
        info.wait_for_publish(10)
        assert info.is_published()
    finally:
        client.disconnect()
        client.loop_stop()


def link_events(port: int) -> Any:
    """The link banner of counter-2's page, from its snapshot and then each `link` event."""
    for _, kind, data in read_events("127.0.0.1", port, "/events?station=counter-2", count=100, timeout=30):
        if kind in ("snapshot", "link"):
            yield data["link"] if kind == "snapshot" else data


def test_the_main_devices_page_says_when_a_remote_station_is_lost(tmp_path: Path, broker: Broker) -> None:
    config = main_config(
        tmp_path / "main",
        mqtt_port=broker.port,
        remotes=remote("counter-2", STATION_DEVICE),
        local=station("c1"),
    )
    screen_port = int(config.read_text(encoding="utf-8").split('listen = "127.0.0.1:')[1].split('"')[0])
    say_status(broker.port, True)
    proc = start(config)
    try:
        wait_listening(screen_port, proc)
        links = link_events(screen_port)
        assert next(links)["state"] == "ok"
        started = time.monotonic()
        say_status(broker.port, False)
        lost = next(links)
        assert lost["state"] == "lost"
        assert lost["title"] == Msg("site_station_lost", {"station": "counter-2"}).render("ru")
        assert lost["next"] == Msg("site_station_lost_next").render("ru")
        say_status(broker.port, True)
        assert next(links)["state"] == "ok"
        assert time.monotonic() - started < 30  # a correctness bound: within a few health checks
    finally:
        proc.terminate()  # a main device with remote stations runs on after its input ends
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err.decode()
    assert b"Traceback" not in err
