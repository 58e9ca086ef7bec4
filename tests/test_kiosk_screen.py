"""The kiosk's part of the screen server, over plain HTTP: where a kiosk station's pages lead, what
its state says in each of its steps (words only, no identifier), and what is the customer's: their
language, held through an order, and what they were told, both gone with them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from device.engine import Result
from device.screen import kiosk_customer
from device.screen.kiosk_view import LABELS, REOPEN_BARCODE
from drivers.base import Color
from tests.support.kiosk_page import KioskView, doors, kiosk_device
from tests.support.screen import ScreenDevice
from tests.test_no_identifiers import code_names, leaks
from tests.test_screen_server import texts, wait_for
from workflows.kiosk_model import DoorStep
from workflows.messages import Msg
from workflows.outcome import Feedback, Level


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[tuple[ScreenDevice, KioskView]]:
    with kiosk_device(tmp_path) as dev:
        yield dev, KioskView(dev)


def test_a_kiosk_stations_pages_lead_to_the_kiosk_page(kiosk: tuple[ScreenDevice, KioskView]) -> None:
    dev, _ = kiosk
    for path in ("/", "/station/k1"):
        status, headers, _ = dev.request("GET", path)
        assert (status, headers["Location"]) == (302, "/kiosk/k1"), path
    status, headers, _ = dev.request("GET", "/kiosk/s1")
    assert (status, headers["Location"]) == (302, "/station/s1")
    status, headers, body = dev.request("GET", "/kiosk/k1")
    assert status == 200 and b'<html lang="ru">' in body and b"/static/kiosk.js" in body
    for name in ("kiosk.js", "kiosk.css"):
        assert dev.request("GET", f"/static/{name}")[0] == 200
    assert dev.request("GET", "/kiosk/nowhere")[0] == 404


def every_text(state: dict[str, Any]) -> list[str]:
    """What a customer reads: a door's step name is the page's own key for its look, not a text."""
    order = state["order"]
    if order is not None:
        order = {**order, "doors": [{k: v for k, v in d.items() if k != "step"} for d in order["doors"]]}
    return [t for t in texts({**state, "order": order}) if t]


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_each_step_of_a_kiosk_reads_in_words_and_names_no_identifier(
    kiosk: tuple[ScreenDevice, KioskView], lang: str
) -> None:
    dev, view = kiosk
    if lang == "en":
        assert dev.request("POST", "/kiosk/k1/lang", {"lang": "en"})[0] == 200
    idle = wait_for(dev, "k1", lambda s: s["lang"] == lang)
    assert idle["kiosk"] is True and idle["keypad"] is True and idle["order"] is None
    assert set(idle["labels"]) == set(LABELS)
    assert (
        idle["prompt"]
        == {
            "ru": "Отсканируйте QR-код из приложения или введите код получения",
            "en": "Scan the QR code from the app or type your pickup code",
        }[lang]
    )

    view.show(locked_s=301)
    locked = wait_for(dev, "k1", lambda s: s["locked"] is not None)
    assert locked["locked"]["seconds"] == 301
    assert locked["locked"]["text"].startswith({"ru": "Слишком много", "en": "Too many"}[lang])
    assert {"ru": "6 минут", "en": "6 minutes"}[lang] in locked["locked"]["text"]

    view.show(doors(*DoorStep))
    shown = wait_for(dev, "k1", lambda s: s["order"] is not None)
    order = shown["order"]
    assert shown["keypad"] is False and shown["locked"] is None
    assert (
        order["customer"].endswith("Иван П.")
        and order["count"] == {"ru": "8 отправлений", "en": "8 parcels"}[lang]
    )
    assert order["doors"][0]["name"] == {"ru": "Дверца 14", "en": "Door 14"}[lang]
    assert [d["step"] for d in order["doors"]] == [s.value for s in DoorStep]
    assert order["reopen"]["code"] == REOPEN_BARCODE
    assert len({d["step_text"] for d in order["doors"]}) == len(DoorStep)  # every step says itself

    names = code_names() | {s.value for s in DoorStep}
    for state in (idle, locked, shown):
        for text in every_text(state):
            assert not leaks(lang, text, names), text

    # "Open again" once: offered while a door without a sensor is unverified and it was not used.
    view.show(doors(DoorStep.UNVERIFIED, DoorStep.OPEN))
    assert wait_for(dev, "k1", lambda s: s["order"] and s["order"]["reopen"])
    used = doors(DoorStep.UNVERIFIED)
    view.show(type(used)(**{**{f: getattr(used, f) for f in used.__slots__}, "reopened": True}))
    assert wait_for(dev, "k1", lambda s: s["order"] and s["order"]["reopen"] is None)


def test_the_customers_language_holds_through_an_order_and_goes_when_they_do(
    kiosk: tuple[ScreenDevice, KioskView], monkeypatch: pytest.MonkeyPatch
) -> None:
    dev, view = kiosk
    assert dev.request("POST", "/kiosk/k1/lang", {"lang": "en"})[0] == 200
    state = wait_for(dev, "k1", lambda s: s["lang"] == "en")
    assert state["screen"]["title"] == "Hello!" and state["labels"]["key_ok"] == "OK"
    assert dev.call(lambda: dev.runtime is not None and dev.runtime.lang_of("k1")) == "en"
    assert wait_for(dev, "s1", lambda s: s["lang"] == "ru")  # the counter keeps its own

    # An input at the kiosk with an order open: the language holds.
    view.show(doors(DoorStep.OPEN))
    hub = dev.hub
    assert hub is not None
    dev.call(lambda: hub.customers.scanned("k1", idle=False))
    assert wait_for(dev, "k1", lambda s: s["order"] is not None)["lang"] == "en"

    # The customer gone, the kiosk speaks its own language again.
    view.show(None)
    dev.call(lambda: hub.customers.gone("k1"))
    state = wait_for(dev, "k1", lambda s: s["lang"] == "ru")
    assert state["screen"]["title"] == "Здравствуйте!"
    assert dev.call(lambda: dev.runtime is not None and dev.runtime.lang_of("k1")) == "ru"
    assert kiosk_customer.CUSTOMER_GONE_S > 0


def test_when_the_customer_is_gone_the_next_one_is_greeted_and_reads_nothing_of_theirs(
    kiosk: tuple[ScreenDevice, KioskView],
) -> None:
    dev, view = kiosk
    hub = dev.hub
    assert hub is not None
    view.show(message=("Иван П.: 2 отправления", ["Готово: вы получили 2 отправления"], "ok"))
    said = wait_for(dev, "k1", lambda s: s["screen"]["title"].startswith("Иван П."))
    dev.call(lambda: hub.customers.scanned("k1", idle=True))  # the order ended; a minute passes:
    dev.call(lambda: hub.customers.gone("k1"))
    state = wait_for(dev, "k1", lambda s: s["screen"]["seq"] != said["screen"]["seq"])
    assert state["screen"]["title"] == "Здравствуйте!" and state["screen"]["lines"] == []
    assert "Иван" not in json.dumps(state, ensure_ascii=False)


def test_the_language_switch_refuses_what_it_does_not_know(kiosk: tuple[ScreenDevice, KioskView]) -> None:
    dev, _ = kiosk
    for body, reason in (
        ({"lang": "de"}, "bad_input"),
        ({"lang": "en", "x": 1}, "bad_input"),
        (["en"], "bad_input"),
        (b"{", "not_json"),
    ):
        status, _, answer = dev.request("POST", "/kiosk/k1/lang", body)
        assert (status, json.loads(answer)) == (400, {"error": reason}), body
    status, _, answer = dev.request("POST", "/kiosk/s1/lang", {"lang": "en"})
    assert (status, json.loads(answer)) == (400, {"error": "bad_input"})  # a counter has no switch


def test_a_tick_that_changed_nothing_keeps_the_message_and_its_number(
    kiosk: tuple[ScreenDevice, KioskView],
) -> None:
    dev, _ = kiosk
    hub = dev.hub
    assert hub is not None and dev.runtime is not None
    station_io = dev.runtime.stations["k1"]
    take = Feedback(Level.INFO, Msg("kp_step_open"))

    def told(result: Result) -> None:
        assert station_io.screen is not None
        station_io.screen.show(take.msg.render("ru"), [], color=Color.GREEN)
        hub.scanned(result)

    dev.call(lambda: told(Result("k1", None, take, None, changed=True)))
    first = wait_for(dev, "k1", lambda s: s["screen"]["title"] == take.msg.render("ru"))["screen"]
    for _ in range(3):
        dev.call(lambda: told(Result("k1", None, take, None, event="tick")))
    assert dev.state("k1")["screen"]["seq"] == first["seq"]
    dev.call(lambda: told(Result("k1", "00011", take, None)))  # an input: a new message, read again
    assert wait_for(dev, "k1", lambda s: s["screen"]["seq"] != first["seq"])
