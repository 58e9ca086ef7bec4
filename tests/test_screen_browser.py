"""The station's page in a real headless Chromium (Debian's, driven by Playwright): an issue with
cash on delivery and a refusal from the first scan to the receipt's preview, a stream cut in the
middle of it, and screenshots in both languages (saved under the test's own directory, and also
in $PVZ_SCREENSHOTS when set)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from device.screen.netaddr import is_loopback, local_addresses
from device.screen.tokens import new_token, revoke
from tests.support.screen import COD_CODE, COD_PARCELS, ScreenDevice
from tests.support.tcp_proxy import CuttableProxy
from tests.test_screen_server import stocked, wait_for
from workflows.inputs import Command

CHROMIUM = "/usr/bin/chromium"
WAIT_MS = 10_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


def screenshot(page: Page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    keep = os.environ.get("PVZ_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / name)
    return path


def tone(name: str) -> re.Pattern[str]:
    return re.compile(rf"(^|\s){name}(\s|$)")


def keypad(page: Page, digits: str) -> None:
    for digit in digits:
        page.click(f'#keypad-keys [data-key="{digit}"]')
    page.click('#keypad-keys [data-key="send"]')


def parcel(page: Page, code: str) -> str:
    return f'#order-parcels [data-code="{code}"]'


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_an_issue_with_cash_and_a_refusal_on_the_page(page: Page, tmp_path: Path, lang: str) -> None:
    words = {
        "ru": ("Выдача", "7\u00a0183,50 ₽", "6\u00a0183,50 ₽", "К оплате", "Оплачено наличными"),
        "en": ("Issue", "RUB", "RUB", "To pay", "Paid in cash"),
    }[lang]
    with ScreenDevice(tmp_path, lang=lang, setup=stocked) as dev:
        page.goto(dev.url("s1"))
        expect(page.locator("body")).to_have_attribute("data-connected", "1", timeout=WAIT_MS)
        expect(page.locator("#clerk")).to_contain_text("Анна С.")
        expect(page.locator("#order")).to_be_hidden()

        # The customer dictates the code; the clerk types it on the page's keypad.
        keypad(page, COD_CODE)
        expect(page.locator("#workflow")).to_have_text(words[0], timeout=WAIT_MS)
        expect(page.locator("#order")).to_be_visible()
        expect(page.locator("#order-number")).to_have_text("55555555")
        expect(page.locator("#order-customer")).to_have_text("Иван П. · •••• 1234")
        expect(page.locator("#order-due")).to_contain_text(words[1] if lang == "ru" else "7,183.50")
        expect(page.locator("#order-due-box")).to_contain_text(words[3])
        expect(page.locator("#order-flags")).to_contain_text("18+")
        expect(page.locator("#order-parcels [data-status=waiting]")).to_have_count(3)
        expect(page.locator(parcel(page, COD_PARCELS[0]))).to_contain_text("C-A-01-1")
        for address in ("A-01-1", "A-02-1", "A-01-2"):
            expect(page.locator(f'#rack [data-address="{address}"]')).to_have_attribute(
                "data-pattern", "blink"
            )
        expect(page.locator('#rack [data-address="A-03-1"]')).to_have_attribute("data-pattern", "off")
        screenshot(page, tmp_path, f"screen-issue-{lang}.png")

        dev.scan("s1", COD_PARCELS[0])
        expect(page.locator(parcel(page, COD_PARCELS[0]))).to_have_attribute("data-status", "taken")
        expect(page.locator("#message")).to_have_class(tone("tone-ok"))
        expect(page.locator('#rack [data-address="A-01-1"]')).to_have_attribute("data-pattern", "off")

        # A refusal by touch: REFUSE on the page, then the parcel scanned.
        page.click(f'#buttons [data-code="{Command.REFUSE_ITEM.barcode}"]')
        dev.scan("s1", COD_PARCELS[2])
        expect(page.locator(parcel(page, COD_PARCELS[2]))).to_have_attribute("data-status", "refused")
        expect(page.locator("#message")).to_have_class(tone("tone-warn"))
        expect(page.locator("#order-due")).to_contain_text(words[2] if lang == "ru" else "6,183.50")

        # The 18+ parcel before the ID check is refused loudly.
        dev.scan("s1", COD_PARCELS[1])
        expect(page.locator("#message")).to_have_class(tone("tone-error"))
        page.click(f'#buttons [data-code="{Command.ID_CHECKED.barcode}"]')
        expect(page.locator("#message")).not_to_have_class(tone("tone-error"))
        dev.scan("s1", COD_PARCELS[1])
        expect(page.locator(parcel(page, COD_PARCELS[1]))).to_have_attribute("data-status", "taken")

        page.click(f'#buttons [data-code="{Command.PAID_CASH.barcode}"]')
        expect(page.locator("#order-paid")).to_contain_text(words[4])
        expect(page.locator("#order-due-box")).to_be_hidden()
        screenshot(page, tmp_path, f"screen-paid-{lang}.png")

        page.click(f'#buttons [data-code="{Command.DONE.barcode}"]')
        expect(page.locator("#order")).to_be_hidden(timeout=WAIT_MS)
        receipt = page.locator('#prints img[data-state="printed"]').first
        expect(receipt).to_be_visible(timeout=WAIT_MS)
        page.wait_for_function(
            "() => { const i = document.querySelector('#prints img[data-state=printed]');"
            " return i && i.complete && i.naturalWidth > 0; }",
            timeout=WAIT_MS,
        )
        assert page.evaluate("document.querySelector('#prints img').naturalWidth") == 576
        expect(page.locator("#rack [data-pattern=blink]")).to_have_count(0)
        screenshot(page, tmp_path, f"screen-receipt-{lang}.png")
        # Everything the page showed came through the engine: the printer has the receipt.
        assert dev.call(lambda: len(dev.printers["s1"].printed)) == 2  # the acceptance act, the receipt


def test_a_page_whose_stream_was_cut_mid_issue_catches_up(page: Page, tmp_path: Path) -> None:
    with ScreenDevice(tmp_path, setup=stocked) as dev, CuttableProxy(dev.port) as proxy:
        page.goto(f"http://127.0.0.1:{proxy.port}/station/s1")
        expect(page.locator("body")).to_have_attribute("data-connected", "1", timeout=WAIT_MS)
        keypad(page, COD_CODE)
        expect(page.locator("#order-parcels [data-status=waiting]")).to_have_count(3, timeout=WAIT_MS)
        seen_before = page.evaluate("window.pvzScreen.events")

        proxy.cut()
        expect(page.locator("body")).to_have_attribute("data-connected", "0", timeout=WAIT_MS)
        expect(page.locator("#banner")).to_be_visible()
        # While the page is away the counter goes on: two parcels taken, one refused.
        dev.scan("s1", COD_PARCELS[0], Command.REFUSE_ITEM.barcode, COD_PARCELS[2])
        statuses = ["taken", "waiting", "refused"]
        expected = wait_for(dev, "s1", lambda s: [p["status"] for p in s["order"]["parcels"]] == statuses)
        expect(page.locator(parcel(page, COD_PARCELS[0]))).to_have_attribute("data-status", "waiting")

        proxy.restore()
        expect(page.locator("body")).to_have_attribute("data-connected", "1", timeout=WAIT_MS)
        expect(page.locator("#banner")).to_be_hidden()
        expect(page.locator(parcel(page, COD_PARCELS[0]))).to_have_attribute("data-status", "taken")
        expect(page.locator(parcel(page, COD_PARCELS[2]))).to_have_attribute("data-status", "refused")
        expect(page.locator("#message-title")).to_have_text(expected["screen"]["title"])
        expect(page.locator("#order-due")).to_have_text(expected["order"]["due"])
        # It resumed from its last event (a replay, not a fresh snapshot).
        resumed = [r for r in proxy.requests if r.startswith(b"GET /events")][-1]
        assert b"last-event-id:" in resumed.lower()
        assert page.evaluate("window.pvzScreen.events") > seen_before


def lan_address() -> str:
    found = [a for a in local_addresses() if not is_loopback(a)]
    assert found, "this machine has no network address besides loopback"
    return found[0]


def test_an_unpaired_browser_on_the_lan_sees_nothing_and_a_paired_one_its_station(
    page: Page, tmp_path: Path
) -> None:
    lan = lan_address()
    with ScreenDevice(tmp_path, host="0.0.0.0", stations=("s1", "b"), setup=stocked) as dev:
        base = f"http://{lan}:{dev.port}"
        for path in ("/", "/station/s1", "/state?station=s1", "/static/screen.js"):
            response = page.goto(base + path)
            assert response is not None and response.status == 401, path
            assert response.headers["x-pvz-reason"] == "not_paired"
            body = page.content()
            assert "Анна" not in body and "s1" not in body and "55555555" not in body
        status = page.evaluate(
            "async (url) => (await fetch(url, {method: 'POST', body: '{\"code\": \"PVZC-ISSUE\"}'})).status",
            f"{base}/station/s1/input",
        )
        assert status == 401
        assert dev.state("s1")["workflow"] is None  # nothing reached the counter

        # Paired with s1 (the token as the printed slip carries it): s1's page, and only s1's.
        def pair() -> str:
            assert dev.runtime is not None
            store = dev.runtime.engine.store
            with store.transaction() as conn:
                return new_token(conn, "s1", "tablet", dev.runtime.engine.clock())[1]

        token = dev.call(pair)
        page.goto(f"{base}/pair?token={token}")
        assert page.url == f"{base}/station/s1"
        expect(page.locator("body")).to_have_attribute("data-connected", "1", timeout=WAIT_MS)
        expect(page.locator("#clerk")).to_contain_text("Анна С.")
        response = page.goto(f"{base}/station/b")
        assert response is not None and response.status == 403
        page.goto(f"{base}/")
        expect(page.locator("body")).to_have_attribute("data-station", "s1")
        expect(page.locator("body")).to_have_attribute("data-connected", "1", timeout=WAIT_MS)

        # Revoked: the open stream is cut within a recheck, and the page cannot get back in.
        def revoke_all() -> None:
            assert dev.runtime is not None
            store = dev.runtime.engine.store
            with store.transaction() as conn:
                for (token_id,) in conn.execute("SELECT id FROM screen_tokens").fetchall():
                    revoke(conn, token_id, dev.runtime.engine.clock())

        dev.call(revoke_all)
        expect(page.locator("body")).to_have_attribute("data-connected", "0", timeout=WAIT_MS)
        response = page.goto(f"{base}/station/s1")
        assert response is not None and response.status == 401
