"""The hub's web server as a real `pvz-central hub --config hub.toml` process serves it: the
dashboard's routes, its refusals (reason codes in X-Pvz-Reason), sign-in and CSRF, an operator's
command reaching the device's topic and its answer kept, a ticket answered, the live stream, and
the release files (HEAD, Range, no listing, no path out of the directory)."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from central.dashboard.server import page_texts
from central.dashboard.views import attention, problems
from central.health import derive
from central.hub_store import HubStore
from tests.support.broker import Broker
from tests.support.hub_web import (
    OPERATOR,
    TOKEN,
    Devices,
    HubProcess,
    responder,
    running_hub,
    status,
    wait_for,
)
from workflows.messages import plural_names

SITE, DEVICE = "msk-01", "pvz-a"


@pytest.fixture
def hub(tmp_path: Path, broker: Broker) -> Iterator[HubProcess]:
    releases = tmp_path / "releases"
    releases.mkdir()
    (releases / "pvz_1.2.0_all.deb").write_bytes(bytes(range(256)) * 4)
    (releases / ".hidden").write_text("no")
    (tmp_path / "secret.txt").write_text("outside")
    with running_hub(tmp_path, broker.port, releases=releases) as h:
        yield h


class EventStream:
    """The page's /events as a plain HTTP client reads it, with or without Last-Event-ID."""

    def __init__(self, port: int, last_id: str | None = None) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.headers = {} if last_id is None else {"Last-Event-ID": last_id}

    def __enter__(self) -> EventStream:
        self.conn.request("GET", "/events", headers=self.headers)
        self.response = self.conn.getresponse()
        assert self.response.headers["Content-Type"] == "text/event-stream"
        return self

    def __exit__(self, *_: object) -> None:
        self.conn.close()

    def next_event(self) -> tuple[str, str, dict[str, Any]]:
        fields: dict[str, str] = {}
        while True:
            line = self.response.readline().decode().rstrip("\n")
            if not line and "event" in fields:
                return fields["id"], fields["event"], json.loads(fields["data"])
            name, _, value = line.partition(": ")
            if name in ("id", "event", "data"):
                fields[name] = value


def state(hub: HubProcess, cookie: str = "") -> dict[str, Any]:
    code, _, body = hub.request("GET", "/state", headers={"Cookie": cookie} if cookie else None)
    assert code == 200
    return dict(json.loads(body))


def sign_in(hub: HubProcess) -> tuple[str, str]:
    code, headers, body = hub.request("POST", "/signin", {"token": TOKEN})
    assert code == 200, body
    cookie = headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    return cookie.split(";")[0], json.loads(body)["csrf"]


def test_the_page_and_its_files_anyone_may_read(hub: HubProcess) -> None:
    code, headers, body = hub.request("GET", "/")
    assert code == 200 and headers["Cache-Control"] == "no-store"
    assert (
        "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        and headers["X-Frame-Options"] == "DENY"
    )
    assert b'id="devices"' in body and b"\xd0\x9f\xd0\xb0\xd1\x80\xd0\xba" in body  # "Парк" in the texts
    assert hub.request("GET", "/static/dashboard.js")[0] == 200
    assert hub.request("GET", "/static/../hub.toml")[0] == 404
    assert state(hub)["operator"] == {"signed_in": False}


def test_changes_need_a_sign_in_and_the_csrf_token(hub: HubProcess) -> None:
    order = {"site": SITE, "device": DEVICE, "name": "ping"}
    code, headers, _ = hub.request("POST", "/api/command", order)
    assert (code, headers["X-Pvz-Reason"]) == (401, "not_signed_in")
    code, headers, _ = hub.request("POST", "/signin", {"token": "not-the-token"})
    assert (code, headers["X-Pvz-Reason"]) == (401, "bad_token")
    code, headers, _ = hub.request("POST", "/signin", {"nothing": 1})
    assert (code, headers["X-Pvz-Reason"]) == (401, "bad_token")
    cookie, csrf = sign_in(hub)
    assert state(hub, cookie)["operator"] == {"signed_in": True, "name": OPERATOR, "csrf": csrf}
    code, headers, _ = hub.request("POST", "/api/command", order, {"Cookie": cookie})
    assert (code, headers["X-Pvz-Reason"]) == (403, "bad_csrf")
    code, headers, _ = hub.request("POST", "/api/command", order, {"Cookie": cookie, "X-Pvz-Csrf": "guess"})
    assert (code, headers["X-Pvz-Reason"]) == (403, "bad_csrf")
    bad = {**order, "device": "../x"}
    code, headers, _ = hub.request("POST", "/api/command", bad, {"Cookie": cookie, "X-Pvz-Csrf": csrf})
    assert (code, headers["X-Pvz-Reason"]) == (400, "bad_target")
    code, _, _ = hub.request("POST", "/signout", None, {"Cookie": cookie})
    assert code == 200
    code, headers, _ = hub.request("POST", "/api/command", order, {"Cookie": cookie, "X-Pvz-Csrf": csrf})
    assert (code, headers["X-Pvz-Reason"]) == (401, "not_signed_in")


def test_after_ten_wrong_tokens_a_minute_every_sign_in_waits(hub: HubProcess) -> None:
    for _ in range(10):
        code, headers, _ = hub.request("POST", "/signin", {"token": "guess"})
        assert (code, headers["X-Pvz-Reason"]) == (401, "bad_token")
    code, headers, _ = hub.request("POST", "/signin", {"token": TOKEN})
    assert (code, headers["X-Pvz-Reason"]) == (429, "too_many_attempts")


def test_a_command_reaches_the_device_and_its_answer_is_shown(hub: HubProcess, broker: Broker) -> None:
    """A simulated device answers on the reply topic the request names, as sync/commands.py does."""
    got: list[dict[str, Any]] = []
    device = responder(broker.port, SITE, DEVICE, got)
    try:
        Devices(broker.port).publish(SITE, DEVICE, status(SITE, DEVICE))
        cookie, csrf = sign_in(hub)
        order = {"site": SITE, "device": DEVICE, "name": "ping"}
        code, _, body = hub.request("POST", "/api/command", order, {"Cookie": cookie, "X-Pvz-Csrf": csrf})
        assert code == 202
        command_id = json.loads(body)["id"]
        assert wait_for(lambda: got) and got[0]["name"] == "ping" and got[0]["id"] == command_id

        def answered() -> list[dict[str, Any]]:
            return [
                c for c in state(hub)["commands"] if c["id"] == command_id and c["answer"]["key"] == "cmd_ok"
            ]

        row = wait_for(answered)
        assert row and (row[0]["by"], row[0]["what"], row[0]["device"]) == (
            OPERATOR,
            {"key": "cmd", "name": "ping"},
            DEVICE,
        )
    finally:
        device.loop_stop()
        device.disconnect()


def test_a_ticket_is_answered_once(hub: HubProcess, tmp_path: Path) -> None:
    store = HubStore(tmp_path / "hub.db")
    store.conn.execute(
        "INSERT INTO tickets (ticket_id, site, device, kind, parcel, evidence_from, evidence_to, detail, opened_at) "
        "VALUES ('T-1', ?, ?, 'damaged', '11111111-0001-1', 'a', 'b', '{}', '2026-12-07T09:00:00+00:00')",
        (SITE, DEVICE),
    )
    store.close()
    assert [t["id"] for t in state(hub)["tickets"]] == ["T-1"]
    cookie, csrf = sign_in(hub)
    headers = {"Cookie": cookie, "X-Pvz-Csrf": csrf}
    assert hub.request("POST", "/api/tickets/T-1/resolve", {"text": "Списать"}, headers)[0] == 202
    assert state(hub)["tickets"] == []
    code, got, _ = hub.request("POST", "/api/tickets/T-9/resolve", {"text": "x"}, headers)
    assert (code, got["X-Pvz-Reason"]) == (404, "unknown_ticket")
    code, got, _ = hub.request("POST", "/api/tickets/T-1/resolve", {"text": ""}, headers)
    assert (code, got["X-Pvz-Reason"]) == (400, "bad_input")


def test_the_stream_starts_with_a_snapshot_then_brings_a_change(hub: HubProcess, broker: Broker) -> None:
    devices = Devices(broker.port)
    devices.publish(SITE, DEVICE, status(SITE, DEVICE))
    assert wait_for(lambda: state(hub)["devices"])
    with EventStream(hub.port) as stream:
        first_id, kind, data = stream.next_event()
        assert kind == "snapshot" and data["devices"][0]["problems"] == []
        devices.publish(SITE, DEVICE, status(SITE, DEVICE, online=False))
        while kind != "devices":
            event_id, kind, data = stream.next_event()
    assert data["section"][0]["problems"] == [{"key": "p_offline"}]
    assert event_id != first_id
    devices.close()


def test_release_files_with_head_and_range_and_nothing_else(hub: HubProcess) -> None:
    path = "/releases/pvz_1.2.0_all.deb"
    code, headers, body = hub.request("GET", path)
    assert code == 200 and body == bytes(range(256)) * 4
    code, headers, body = hub.request("HEAD", path)
    assert code == 200 and headers["Content-Length"] == "1024" and body == b""
    code, headers, body = hub.request("GET", path, headers={"Range": "bytes=1000-"})
    assert code == 206 and body == bytes(range(232, 256))
    for other in ("/releases/", "/releases/.hidden", "/releases/..%2Fsecret.txt", "/releases/absent.deb"):
        assert hub.request("GET", other)[0] == 404, other


def test_a_page_back_with_its_last_event_id_gets_what_changed_not_a_snapshot(
    hub: HubProcess, broker: Broker
) -> None:
    devices = Devices(broker.port)
    devices.publish(SITE, DEVICE, status(SITE, DEVICE))
    assert wait_for(lambda: state(hub)["devices"])
    with EventStream(hub.port) as stream:
        last_id, kind, _ = stream.next_event()
        assert kind == "snapshot"
    devices.publish(SITE, DEVICE, status(SITE, DEVICE, online=False))  # while the page is away
    assert wait_for(lambda: not state(hub)["devices"][0]["online"])
    with EventStream(hub.port, last_id) as stream:
        _, kind, data = stream.next_event()
        while kind != "devices":
            assert kind != "snapshot"
            _, kind, data = stream.next_event()
        assert data["section"][0]["problems"] == [{"key": "p_offline"}]
    with EventStream(hub.port, "older-run-7") as stream:  # an id of another run: a snapshot
        assert stream.next_event()[1] == "snapshot"
    devices.close()


def test_every_text_exists_in_both_languages_with_the_same_numbers() -> None:
    for key, (ru, en) in page_texts().items():
        assert ru and en, key
        assert plural_names(ru) == plural_names(en), key
    used = {p["key"] for p in problems(derive({}), 1)} | {"config_none", "config_applied", "config_unknown"}
    assert used <= set(page_texts())


def test_every_problem_a_device_can_have_is_worded_and_a_set_aside_store_is_severe() -> None:
    worst = derive(
        {
            "online": False,
            "counts": {"outbox_depth": 5, "tickets_open": 2},
            "health": {
                "printers": {"main": {"state": "error", "paper": "out"}},
                "scanners": {"total": 2, "connected": 1},
                "alerts": ["x"],
            },
            "config": {"version": 3, "reason": "bad_value"},
            "release": {"result": "rolled_back", "events_set_aside": 4},
        },
        {"store": {"integrity": "damaged"}, "disk_free_bytes": 1024, "hardware_problems": ["p"]},
        600.0,
    )
    found = problems(worst, 1)
    keys = [p["key"] for p in found]
    assert {"p_events_set_aside", "p_offline", "p_store_damaged", "p_scanners_missing"} <= set(keys)
    assert set(keys) <= set(page_texts())
    assert {"key": "p_events_set_aside", "n": 4} in found
    assert attention([{"key": "p_events_set_aside", "n": 4}]) == 2
