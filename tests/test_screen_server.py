"""The local screen's server on a real runtime: what /state shows through an issue, the event
stream and its replay, touch input going through the engine like a scan, and bad requests."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from device.screen.view import LABELS
from device.store.queries import StoreQueries
from tests.support.factory import CLERK, KEY, scan
from tests.support.screen import COD_CODE, COD_PARCELS, ScreenDevice, read_events
from tests.test_no_identifiers import code_names, leaks
from workflows.inputs import Command


def stocked(dev: ScreenDevice) -> None:
    """Clerk signed in at s1, order 55555555's three parcels accepted and placed."""
    assert dev.runtime is not None
    engine = dev.runtime.engine
    scan(engine, CLERK)
    scan(engine, *COD_PARCELS, Command.DONE)
    scan(
        engine,
        Command.START_PLACEMENT,
        COD_PARCELS[0],
        "C-A-01-1",
        COD_PARCELS[1],
        "C-A-02-1",
        COD_PARCELS[2],
        "C-A-01-2",
        Command.DONE,
    )
    for station in dev.runtime.stations:
        if station != "s1":
            scan(engine, CLERK, station=station)


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[ScreenDevice]:
    with ScreenDevice(tmp_path, stations=("s1", "b"), langs={"b": "en"}, setup=stocked) as device:
        yield device


def wait_for(dev: ScreenDevice, station: str, check: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while True:
        state = dev.state(station)
        if check(state):
            return state
        assert time.monotonic() < deadline, json.dumps(state, ensure_ascii=False)[:2000]
        time.sleep(0.02)


def texts(value: Any, key: str = "") -> Iterator[str]:
    """Every text a person reads in a state: codes, ids, urls and the page's own keys left out."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k not in (
                "code",
                "url",
                "station",
                "stations",
                "scan",
                "number",
                "pattern",
                "color",
                "kind",
                "state",
                "status",
                "tone",
                "address",
                "zone",
                "group",
                "at",
                "lang",
                "cell",
                "label",
            ):
                yield from texts(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from texts(v, key)
    elif isinstance(value, str):
        yield value


def test_an_issue_with_cash_and_a_refusal_as_the_page_sees_it(dev: ScreenDevice) -> None:
    states = [dev.state("s1")]
    assert states[0]["clerk"] == {"name": "Анна С."}
    assert states[0]["order"] is None and states[0]["workflow"] is None
    assert "PVZC-ISSUE" in [b["code"] for b in states[0]["buttons"]]

    # The customer dictates the code: the keypad sends it as typed input.
    status, _, body = dev.request("POST", "/station/s1/input", {"code": COD_CODE, "keyed": True})
    assert (status, json.loads(body)) == (202, {"accepted": True})
    state = wait_for(dev, "s1", lambda s: s["order"] is not None)
    order = state["order"]
    assert state["workflow"] == "Выдача"
    assert order["customer"] == "Иван П." and order["number"] == "55555555"
    assert order["due"] == "7\u00a0183,50 ₽" and order["paid"] is None and order["adult"] is True
    assert [(p["cell"], p["status"]) for p in order["parcels"]] == [
        ("C-A-01-1", "waiting"),
        ("C-A-02-1", "waiting"),
        ("C-A-01-2", "waiting"),
    ]
    assert state["screen"]["scan"] == "***"  # the pickup code is never shown
    assert set(state["rack"]["lit"]) == {"A-01-1", "A-02-1", "A-01-2"}
    assert {v["pattern"] for v in state["rack"]["lit"].values()} == {"blink"}
    assert "PVZC-PAID-CASH" in [b["code"] for b in state["buttons"]]
    states.append(state)

    dev.scan("s1", COD_PARCELS[0])
    state = wait_for(dev, "s1", lambda s: s["order"]["left"] == 2)
    assert state["order"]["parcels"][0]["status"] == "taken" and state["order"]["parcels"][0]["cell"] is None
    assert "A-01-1" not in state["rack"]["lit"]
    states.append(state)

    # REFUSE as a touch button, then the refused parcel scanned: the amount drops by its price.
    assert dev.request("POST", "/station/s1/input", {"code": "PVZC-REFUSE"})[0] == 202
    dev.scan("s1", COD_PARCELS[2])
    state = wait_for(dev, "s1", lambda s: s["order"]["parcels"][2]["status"] == "refused")
    assert state["order"]["due"] == "6\u00a0183,50 ₽"
    assert state["screen"]["tone"] == "warn"
    states.append(state)

    dev.scan("s1", Command.ID_CHECKED.barcode, COD_PARCELS[1])
    state = wait_for(dev, "s1", lambda s: s["order"]["left"] == 0)
    states.append(state)
    assert dev.request("POST", "/station/s1/input", {"code": "PVZC-PAID-CASH"})[0] == 202
    state = wait_for(dev, "s1", lambda s: s["order"]["paid"] is not None)
    assert state["order"]["paid"] == "Оплачено наличными: 6\u00a0183,50 ₽" and state["order"]["due"] is None
    states.append(state)

    dev.scan("s1", Command.DONE.barcode)
    state = wait_for(dev, "s1", lambda s: s["order"] is None and s["prints"][0]["state"] == "printed")
    receipt = state["prints"][0]
    assert receipt["title"] == "Чек выдачи"
    status, headers, png = dev.request("GET", receipt["url"])
    assert status == 200 and headers["Content-Type"] == "image/png" and png.startswith(b"\x89PNG")
    assert state["rack"]["lit"] == {}
    states.append(state)

    names = code_names()
    bad = [(text, found) for s in states for text in texts(s) if (found := leaks("ru", text, names))]
    assert not bad


def test_each_station_speaks_its_own_language(dev: ScreenDevice) -> None:
    ru, en = dev.state("s1"), dev.state("b")
    assert (ru["lang"], en["lang"]) == ("ru", "en")
    assert set(ru["labels"]) == set(en["labels"]) == set(LABELS)
    assert all(ru["labels"].values()) and all(en["labels"].values())
    assert en["labels"]["title_due"] == "To pay" and ru["labels"]["title_due"] == "К оплате"
    assert en["buttons"][0]["text"] == "Start issue"
    dev.scan("b", "PVZC-NOPE")
    state = wait_for(dev, "b", lambda s: s["screen"]["scan"] == "PVZC-NOPE")
    assert state["screen"]["tone"] == "error" and "PVZC-NOPE" in state["screen"]["title"]
    assert not any(leaks("en", text, code_names()) for text in texts(state))


def test_a_page_that_lost_its_stream_gets_what_it_missed_and_a_new_one_a_snapshot(dev: ScreenDevice) -> None:
    [(first_id, kind, snapshot)] = list(read_events("127.0.0.1", dev.port, "/events?station=s1", count=1))
    assert kind == "snapshot" and snapshot["station"] == "s1" and snapshot["labels"]
    # While the page is away: a scan at s1 and one at the other station.
    dev.scan("s1", Command.START_ISSUE.barcode)
    dev.scan("b", Command.START_ISSUE.barcode)
    wait_for(dev, "s1", lambda s: s["workflow"] == "Выдача")
    wait_for(dev, "b", lambda s: s["workflow"] == "Issue")
    replay = list(read_events("127.0.0.1", dev.port, "/events?station=s1", count=1, last_id=first_id))
    [(replay_id, kind, data)] = replay
    assert kind == "station" and data["station"] == "s1" and data["workflow"] == "Выдача"
    assert int(replay_id.split("-")[1]) > int(first_id.split("-")[1])
    # An id from another run of the daemon: the page starts over from a snapshot.
    [(_, kind, _)] = list(read_events("127.0.0.1", dev.port, "/events?station=s1", count=1, last_id="dead-1"))
    assert kind == "snapshot"


def test_a_live_stream_sees_each_scan_as_one_station_event(dev: ScreenDevice) -> None:
    events = read_events("127.0.0.1", dev.port, "/events?station=s1", count=3)
    assert next(events)[1] == "snapshot"
    dev.scan("s1", Command.START_ISSUE.barcode, Command.CANCEL.barcode)
    seen = [(kind, data["screen"]["scan"]) for _, kind, data in events]
    assert seen == [("station", "Начать выдачу"), ("station", "Отмена")]  # commands by their names


def test_the_keypad_counts_wrong_codes_like_a_scanner(dev: ScreenDevice) -> None:
    assert dev.runtime is not None
    dev.scan("s1", Command.START_ISSUE.barcode)
    wait_for(dev, "s1", lambda s: s["workflow"] == "Выдача")
    for _ in range(3):
        assert dev.request("POST", "/station/s1/input", {"code": "0000", "keyed": True})[0] == 202
    engine = dev.runtime.engine

    def failures() -> int:
        return StoreQueries(engine.store.conn, pickup_key=KEY).wrong_codes("s1").failures

    deadline = time.monotonic() + 10
    while dev.call(failures) < 3:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert dev.call(failures) == 3


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        (b"{not json", 400, "not_json"),
        ({"code": 5}, 400, "bad_input"),
        ({"code": ""}, 400, "bad_input"),
        ({"code": "1" * 513}, 400, "bad_input"),
        ({"code": "1", "keyed": "yes"}, 400, "bad_input"),
        ({"code": "1", "station": "b"}, 400, "bad_input"),
        (["PVZC-DONE"], 400, "bad_input"),
    ],
)
def test_a_malformed_touch_input_is_refused_with_its_reason(
    dev: ScreenDevice, body: Any, status: int, reason: str
) -> None:
    got, _, answer = dev.request("POST", "/station/s1/input", body)
    assert (got, json.loads(answer)) == (status, {"error": reason})


def test_unknown_stations_and_jobs_are_not_found(dev: ScreenDevice) -> None:
    assert dev.request("GET", "/station/nope")[0] == 404
    assert dev.request("GET", "/state?station=nope")[0] == 404
    assert dev.request("POST", "/station/nope/input", {"code": "PVZC-DONE"})[0] == 404
    assert dev.request("GET", "/preview/999.png")[0] == 404
    assert dev.request("GET", "/static/../../etc/passwd")[0] == 404
    assert dev.request("GET", "/static/other.js")[0] == 404
