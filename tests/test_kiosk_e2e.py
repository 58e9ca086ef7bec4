"""One collection at a kiosk, end to end, in Debian's headless Chromium: the daemon's own wiring
with simulated doors (tests/support/kiosk_daemon.py), the customer typing the pickup code on the
kiosk page's on-screen keypad, the kiosk flow opening door 14 through the door controller, the
page saying "take your parcels from door 14" with the door's number in very large type, the
door spoken, the door shut with the cell empty, the shelf parcel scanned, and the receipt; then the
keypad locked by wrong codes, "open again" at a door without a sensor, and an order sent to the
counter with why."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.kiosk import COD, CODES, COUNTER, KIOSK, LOCKED, MIXED
from tests.support.kiosk_daemon import KioskDaemon, kiosk_config
from tests.support.kiosk_page import check_accessible
from tests.test_screen_browser import WAIT_MS, browser, page, screenshot
from workflows.messages import Msg

__all__ = ["browser", "page"]

SHELF_PARCEL = f"{MIXED}-0002-1"  # the order's other parcel, on the open shelf S-01


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_a_customer_collects_an_order_from_door_14_on_the_kiosk_page(
    page: Page, tmp_path: Path, lang: str
) -> None:
    def words(key: str, **params: str | int) -> str:
        return Msg(key, params).render(lang)

    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    with KioskDaemon(kiosk_config(tmp_path)) as kd:
        page.goto(kd.url("/"))
        assert page.url.endswith(f"/kiosk/{KIOSK}")  # the first station is the kiosk
        expect(page.locator("body")).to_have_attribute("data-connected", "1", timeout=WAIT_MS)
        if lang == "en":  # the customer's own choice, on a kiosk that speaks Russian
            page.click('#langs [data-lang="en"]')
            expect(page.locator("html")).to_have_attribute("lang", "en", timeout=WAIT_MS)
        expect(page.locator("#prompt")).to_have_text(words("kp_prompt_idle"))
        if lang == "ru":
            screenshot(page, tmp_path, "kiosk-ru.png")

        # The code typed on the on-screen keypad, as a customer's finger does.
        for digit in CODES[MIXED]:
            page.click(f'#keys [data-key="{digit}"]')
        expect(page.locator("#code")).to_have_value(CODES[MIXED])
        page.click('#keys [data-key="ok"]')

        # The order is found, door 14 fires, the controller reads it open: the page says where.
        take = words("ksk_take_door", door="14")
        expect(page.locator("#message-title")).to_have_text(take, timeout=WAIT_MS)
        assert (
            take
            == {
                "ru": "Заберите отправления из дверцы 14 и закройте её",
                "en": "Take your parcels from door 14, then close it",
            }[lang]
        )
        expect(page.locator("#pad")).to_be_hidden()
        expect(page.locator("#order-customer")).to_contain_text("Иван П.")
        expect(page.locator("#order-count")).to_have_text(words("kp_parcels", count=2))
        door = page.locator('#doors [data-cell="L-14"]')
        expect(door).to_have_attribute("data-step", "open")
        expect(door.locator(".door-name")).to_have_text({"ru": "Дверца 14", "en": "Door 14"}[lang])
        expect(door.locator(".door-state")).to_contain_text(words("kp_step_open"))
        expect(page.locator('#doors [data-cell="S-01"]')).to_have_attribute("data-step", "lit")
        check_accessible(page, "door 14 open")
        if lang == "en":
            screenshot(page, tmp_path, "kiosk-door-en.png")
        assert kd.call(lambda: [door for _, door in kd.doors.pulses]) == [14]
        said = kd.call(lambda: list(kd.speaker.said))
        assert (lang, words("kp_said_door_open", label="14")) in said
        assert (lang, take + ".") in said

        # The customer takes the parcel and shuts the door: the sensors say so.
        kd.call(lambda: kd.doors.take(14))
        expect(door).to_have_attribute("data-step", "taken", timeout=WAIT_MS)
        expect(page.locator("#message-title")).to_have_text(
            words("ksk_door_taken", door="14"), timeout=WAIT_MS
        )

        # Then the parcel from the lit shelf cell, scanned at the kiosk's scanner: done, receipt.
        kd.scan(KIOSK, SHELF_PARCEL)
        expect(page.locator("#message-title")).to_have_text(words("ksk_done", count=2), timeout=WAIT_MS)
        expect(page.locator("#message")).to_have_class("tone-ok")
        expect(page.locator("#order")).to_be_hidden()
        expect(page.locator("#pad")).to_be_visible()

        def issued() -> tuple[object, object]:
            assert kd.runtime is not None
            store = kd.runtime.engine.store
            return (
                store.scalar(
                    "SELECT count(*) FROM parcels WHERE order_id = ? AND state = 'issued'", (MIXED,)
                ),
                store.scalar(
                    "SELECT count(*) FROM print_jobs WHERE station = ? AND kind = 'receipt'", (KIOSK,)
                ),
            )

        assert kd.call(issued) == (2, 1)
        assert errors == []  # the page's script never failed
        assert COUNTER in kd.sources  # the counter beside it stayed as it was


def test_wrong_codes_lock_the_keypad_with_the_time_left_and_the_kiosk_says_so(
    page: Page, tmp_path: Path
) -> None:
    with KioskDaemon(kiosk_config(tmp_path)) as kd:
        page.goto(kd.url(f"/kiosk/{KIOSK}"))
        expect(page.locator("body")).to_have_attribute("data-connected", "1", timeout=WAIT_MS)
        expect(page.locator("#code")).to_be_focused()
        for wrong in ("11111", "22222", "33333"):  # typed on a physical keypad, sent with Enter
            # (a sent code rests the OK key a moment, against a double press)
            page.wait_for_function("() => !document.querySelector('#keys [data-key=ok]').dataset.busy")
            page.keyboard.type(wrong)
            page.keyboard.press("Enter")
            expect(page.locator("#code")).to_have_value("", timeout=WAIT_MS)
            expect(page.locator("#message")).to_have_class("tone-error", timeout=WAIT_MS)

        # The kiosk flow's counters in the store lock the keypad: the page shows for how long.
        expect(page.locator("#locked")).to_be_visible(timeout=WAIT_MS)
        expect(page.locator("#locked-text")).to_contain_text("5 минут")
        expect(page.locator("#locked-clock")).to_have_text(re.compile(r"^[45]:\d\d$"))
        expect(page.locator('#keys [data-key="1"]')).to_be_disabled()
        page.keyboard.type("12345")
        expect(page.locator("#code")).to_have_value("")  # the physical keypad rests too
        check_accessible(page, "locked")
        said = kd.call(lambda: [text for _, text in kd.speaker.said])
        assert said[-1].startswith(page.locator("#message-title").inner_text())


def test_a_door_without_a_sensor_offers_open_again_once(page: Page, tmp_path: Path) -> None:
    with KioskDaemon(kiosk_config(tmp_path), without_sensor=frozenset({15})) as kd:
        page.goto(kd.url(f"/kiosk/{KIOSK}"))
        expect(page.locator("body")).to_have_attribute("data-connected", "1", timeout=WAIT_MS)
        page.keyboard.type(CODES[LOCKED])
        page.keyboard.press("Enter")

        # The lock fired, nobody knows whether the door opened: "open again" takes the focus.
        door = page.locator('#doors [data-cell="L-15"]')
        expect(door).to_have_attribute("data-step", "unverified", timeout=WAIT_MS)
        expect(page.locator("#message-title")).to_have_text(
            Msg("ksk_door_unverified", {"door": "15"}).render("ru"), timeout=WAIT_MS
        )
        reopen = page.locator("#reopen")
        expect(reopen).to_be_focused()
        expect(reopen).to_have_text(Msg("cmd_REOPEN").render("ru"))
        check_accessible(page, "open again")
        page.keyboard.press("Enter")  # the customer presses it, by keypad or by touch

        # Fired once more (the controller fires after the page has shown the new command), and
        # not offered a third time.
        expect(reopen).to_be_hidden(timeout=WAIT_MS)
        expect(door).to_have_attribute("data-step", "unverified", timeout=WAIT_MS)
        fired = [door for _, door in kd.call(lambda: list(kd.doors.pulses))]
        deadline = time.monotonic() + WAIT_MS / 1000
        while fired != [15, 15] and time.monotonic() < deadline:
            page.wait_for_timeout(20)
            fired = [door for _, door in kd.call(lambda: list(kd.doors.pulses))]
        assert fired == [15, 15]


def test_a_cash_on_delivery_order_is_sent_to_the_counter_with_why(page: Page, tmp_path: Path) -> None:
    with KioskDaemon(kiosk_config(tmp_path)) as kd:
        page.goto(kd.url(f"/kiosk/{KIOSK}"))
        expect(page.locator("body")).to_have_attribute("data-connected", "1", timeout=WAIT_MS)
        for digit in CODES[COD]:
            page.click(f'#keys [data-key="{digit}"]')
        page.click('#keys [data-key="ok"]')
        expect(page.locator("#message-title")).to_have_text(
            Msg("ksk_to_counter").render("ru"), timeout=WAIT_MS
        )
        expect(page.locator("#message-lines")).to_have_text(
            Msg("ksk_why_cod", {"amount": 10_000}).render("ru")
        )
        expect(page.locator("#message-tone")).to_have_text(Msg("kp_tone_error").render("ru"))
        expect(page.locator("#order")).to_be_hidden()  # no door opens for it
        expect(page.locator("#pad")).to_be_visible()
        check_accessible(page, "sent to the counter")
        assert kd.call(lambda: list(kd.doors.pulses)) == []
