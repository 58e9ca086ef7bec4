"""The kiosk's page in Debian's headless Chromium: WCAG 2.1 AA contrast, type size and targets
measured from the computed styles in every state the page has, and the whole page driven by the
keyboard alone (screenshots kept in $PVZ_SCREENSHOTS when set). The order shown here is set by
the test (tests/support/kiosk_page.py); the kiosk flow's own collection, and the screenshots of
docs/screen.md, are in tests/test_kiosk_e2e.py."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from device.engine import Result
from tests.support.kiosk_page import KioskView, check_accessible, doors, kiosk_device, measure
from tests.support.screen import ScreenDevice
from tests.test_screen_browser import WAIT_MS, browser, page, screenshot
from workflows.kiosk_model import DoorStep
from workflows.messages import Msg

__all__ = ["browser", "page"]  # the module's fixtures, shared with the counter's page


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[tuple[ScreenDevice, KioskView]]:
    with kiosk_device(tmp_path) as dev:
        yield dev, KioskView(dev)


def opened(page: Page, dev: ScreenDevice, *, lang: str = "ru") -> None:
    page.goto(dev.url("k1"))
    expect(page.locator("body")).to_have_attribute("data-connected", "1", timeout=WAIT_MS)
    expect(page.locator("html")).to_have_attribute("lang", lang)


def test_a_kiosk_station_leads_to_its_kiosk_page(page: Page, kiosk: tuple[ScreenDevice, KioskView]) -> None:
    dev, _ = kiosk
    page.goto(dev.url("k1"))
    assert page.url.endswith("/kiosk/k1")
    page.goto(dev.url() + "kiosk/s1")  # a counter has the clerk's page
    assert page.url.endswith("/station/s1")


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_every_state_of_the_kiosk_page_meets_wcag_aa(
    page: Page, kiosk: tuple[ScreenDevice, KioskView], tmp_path: Path, lang: str
) -> None:
    dev, view = kiosk
    opened(page, dev)
    if lang == "en":
        page.click('#langs [data-lang="en"]')
        expect(page.locator("html")).to_have_attribute("lang", "en", timeout=WAIT_MS)
    # The greeting (the counter's start-up pick list is no news for a customer).
    view.show(message=(Msg("kp_welcome").render(lang), [], "info"))
    expect(page.locator("#message")).to_have_class("tone-info", timeout=WAIT_MS)
    expect(page.locator("#pad")).to_be_visible()
    measured = check_accessible(page, "idle")
    if lang == "ru":
        screenshot(page, tmp_path, "kiosk-idle-ru.png")

    page.keyboard.type("1234")
    expect(page.locator("#code")).to_have_value("1234")
    measured += check_accessible(page, "typing")

    for tone in ("ok", "info", "warn", "error"):
        view.show(message=(f"Сообщение {tone}", ["Что делать дальше"], tone))
        expect(page.locator("#message")).to_have_class(f"tone-{tone}", timeout=WAIT_MS)
        measured += check_accessible(page, f"message {tone}")

    view.show(locked_s=299)
    expect(page.locator("#locked")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator('#keys [data-key="5"]')).to_be_disabled()
    measured += check_accessible(page, "locked")

    every_step = doors(*DoorStep, first=14)
    view.show(every_step)
    expect(page.locator("#doors .door")).to_have_count(len(DoorStep), timeout=WAIT_MS)
    expect(page.locator("#reopen")).to_be_visible()
    measured += check_accessible(page, "every door step")

    view.show(
        doors(DoorStep.OPEN), message=(Msg("kp_said_door_open", {"label": "14"}).render(lang), [], "ok")
    )
    expect(page.locator("#doors .door")).to_have_count(1, timeout=WAIT_MS)
    expect(page.locator(".door-name")).to_have_text("Door 14" if lang == "en" else "Дверца 14")
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.door-name')).fontSize)")
    assert size >= 96  # the door's number, read from across the locker wall
    measured += check_accessible(page, "door open")
    if lang == "en":
        screenshot(page, tmp_path, "kiosk-one-door-en.png")
    assert measured > 60


def focus_ring(page: Page) -> dict[str, object]:
    found = measure(page)["focus"]
    assert found is not None
    assert found["style"] != "none" and found["width"] >= 2 and found["ratio"] >= 3, found
    return dict(found)


def test_the_whole_kiosk_page_works_by_keyboard_alone(
    page: Page, kiosk: tuple[ScreenDevice, KioskView]
) -> None:
    dev, view = kiosk
    seen: list[Result] = []
    dev.call(lambda: setattr(dev.runtime, "on_result", seen.append))
    opened(page, dev)

    # The code field has the focus: digits typed on a physical keypad go to the code.
    expect(page.locator("#code")).to_be_focused()
    page.keyboard.type("12*3")
    expect(page.locator("#code")).to_have_value("12*3")
    page.keyboard.press("Backspace")
    expect(page.locator("#code")).to_have_value("12*")
    page.keyboard.press("Escape")  # cancels the code
    expect(page.locator("#code")).to_have_value("")

    # Tab reaches every control in reading order, each with a ring nobody can miss.
    page.keyboard.type("7")
    order: list[str] = []
    for _ in range(40):
        page.keyboard.press("Tab")
        if measure(page)["focus"] is None:
            continue  # past the last control, the browser's own; the next Tab comes back
        focus_ring(page)
        where = page.evaluate("(e => e.dataset.key || e.dataset.lang || e.id)(document.activeElement)")
        if where in order:
            break
        order.append(where)
    start = order.index("ru")
    order = order[start:] + order[:start]
    assert order == ["ru", "en", "code", *"123456789*0", "erase", "ok"], order

    # A key of the on-screen keypad works with Enter and with Space.
    page.focus('#keys [data-key="5"]')
    page.keyboard.press("Enter")
    page.keyboard.press(" ")
    expect(page.locator("#code")).to_have_value("755")

    # Enter in the code sends it as typed input; the live region gets the answer.
    before = page.locator("#message-title").text_content()
    page.focus("#code")
    page.keyboard.press("Enter")
    expect(page.locator("#code")).to_have_value("", timeout=WAIT_MS)
    expect(page.locator("#message-title")).not_to_have_text(before or "", timeout=WAIT_MS)
    assert dev.call(lambda: [r.label for r in seen]) == ["755"]
    live = page.locator("#message")
    assert live.get_attribute("aria-live") == "polite" and live.get_attribute("role") == "status"

    # The language, by keyboard: the document's lang follows, the words change.
    page.focus('#langs [data-lang="en"]')
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", "en", timeout=WAIT_MS)
    expect(page.locator("#prompt")).to_have_text("Scan the QR code from the app or type your pickup code")
    expect(page.locator('#langs [data-lang="en"]')).to_have_attribute("aria-pressed", "true")

    # A door nobody can verify: "open again" takes the focus, and Enter sends the kiosk's command.
    view.show(doors(DoorStep.UNVERIFIED))
    expect(page.locator("#reopen")).to_be_focused(timeout=WAIT_MS)
    focus_ring(page)
    page.keyboard.press("Enter")
    expect(page.locator("#reopen")).to_have_attribute("aria-disabled", "true")
    # The input is queued like a scan and handled on the daemon's loop a moment later.
    deadline = time.monotonic() + WAIT_MS / 1000
    while dev.call(lambda: [r.label for r in seen])[-1] != "PVZC-REOPEN" and time.monotonic() < deadline:
        page.wait_for_timeout(20)
    assert dev.call(lambda: [r.label for r in seen])[-1] == "PVZC-REOPEN"


def test_the_lock_counts_down_and_a_code_left_half_typed_is_cleared(
    page: Page, kiosk: tuple[ScreenDevice, KioskView]
) -> None:
    dev, view = kiosk
    page.clock.install()  # the page's own timers, moved by the test instead of waited for
    opened(page, dev)

    page.keyboard.type("123")
    page.clock.run_for(59_000)
    expect(page.locator("#code")).to_have_value("123")
    page.clock.run_for(2_000)  # a minute untouched: the next customer finds no code
    expect(page.locator("#code")).to_have_value("")

    view.show(locked_s=90)
    expect(page.locator("#locked")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#locked-clock")).to_have_text("1:30")
    page.keyboard.type("5")
    expect(page.locator("#code")).to_have_value("")
    page.clock.run_for(60_000)
    expect(page.locator("#locked-clock")).to_have_text("0:30")
    page.clock.run_for(31_000)
    expect(page.locator("#locked")).to_be_hidden()  # the lock is over: the keypad takes codes again
    expect(page.locator('#keys [data-key="5"]')).to_be_enabled()
    page.keyboard.type("5")
    expect(page.locator("#code")).to_have_value("5")
