"""The local screen's ticket panel on a real runtime and server: the open tickets in words, and
support's answer once the device has recorded it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from device.store.journal import Stamp
from device.store.tickets import resolve_ticket
from tests.support.factory import DEVICE
from tests.support.screen import ScreenDevice
from tests.test_no_identifiers import code_names, leaks
from tests.test_screen_server import stocked, texts, wait_for
from workflows.inputs import Command


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[ScreenDevice]:
    with ScreenDevice(tmp_path, stations=("s1", "b"), langs={"b": "en"}, setup=stocked) as device:
        yield device


def test_the_panel_shows_open_tickets_and_supports_answer(dev: ScreenDevice) -> None:
    before = dev.state("s1")["tickets"]
    assert before == {"count": 0, "empty": "Открытых обращений нет", "open": [], "answers": []}
    dev.scan("s1", Command.NOTE_DAMAGED_PACK.barcode)
    state = wait_for(dev, "s1", lambda s: s["tickets"]["count"] == 1)
    [shown] = state["tickets"]["open"]
    assert shown["kind"] == "Заметка сотрудника" and shown["ticket"] == f"{DEVICE}-T00001"
    english = dev.state("b")["tickets"]
    assert english["open"][0]["kind"] == "Clerk's note" and english["empty"] is None
    assert state["labels"]["title_tickets"] == "Обращения в поддержку"

    def answer() -> None:
        assert dev.runtime is not None
        with dev.runtime.engine.store.transaction() as conn:
            assert resolve_ticket(conn, Stamp(DEVICE, "2026-11-21T12:00:00+00:00"), shown["ticket"], "Спишем")

    dev.call(answer)
    panel = dev.state("b")["tickets"]
    assert panel["count"] == 0 and panel["open"] == []
    assert [a["text"] for a in panel["answers"]] == [f"Support answered ticket {DEVICE}-T00001: Спишем"]
    names = code_names()
    seen = [("ru", t) for t in texts(state)] + [("en", t) for t in texts(dev.state("b"))]
    assert not [t for lang, t in seen if leaks(lang, t, names)]
