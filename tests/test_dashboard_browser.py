"""The fleet dashboard in Debian's headless Chromium (driven by Playwright) against a real
`pvz-central hub --config hub.toml` process, a real Mosquitto and simulated devices publishing
their statuses: the devices and an alert appear, a status change arrives live, the language
switches, a signed-in operator sends a command (answered by the device) and answers a ticket, and
a page whose stream was cut catches up from its last event.
Screenshots go under the test's directory, and also to $PVZ_SHOTS when set."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from central.hub_store import HubStore
from central.rollout_plans import Plan
from tests.support.broker import Broker
from tests.support.hub_web import TOKEN, Devices, responder, running_hub, status
from tests.support.tcp_proxy import CuttableProxy

CHROMIUM = "/usr/bin/chromium"
# A name from the code (a rule, a reason code, a message key, a health field) shown as it is.
IDENTIFIER = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
WAIT_MS = 10_000
SITE = "msk-01"
RULES = """
[[rule]]
name = "paper_out"
title_ru = "Нет бумаги"
title_en = "Out of paper"
field = "paper_out"
op = "=="
value = true

[[rule]]
name = "tickets_waiting"         # no title: shown as its condition in words
field = "tickets_open"
op = ">"
value = 0
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield chromium
        chromium.close()


def screenshot(page: Page, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    keep = os.environ.get("PVZ_SHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / name)


def prepared_store(path: Path) -> None:
    """An hour of outbox samples for the chart, one open ticket, and a staged rollout its failures
    stopped (as central/rollout_widen.py leaves it), before the hub starts."""
    store = HubStore(path)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    for minute in range(60, 0, -1):
        depth = max(0, 30 - abs(minute - 30))
        store.record_outbox([(SITE, "pvz-c", depth)], now - timedelta(minutes=minute))
    store.conn.execute(
        "INSERT INTO tickets (ticket_id, site, device, kind, parcel, evidence_from, evidence_to, detail, "
        "opened_at) VALUES ('T-7', ?, 'pvz-c', 'damaged', '11111111-0001-1', 'a', 'b', '{}', ?)",
        (SITE, (now - timedelta(minutes=25)).isoformat()),
    )
    at = now.isoformat()
    stopped = Plan(
        plan_id="5be2a0c4",
        package="pvz",
        version="0.2.0",
        sha256="ab" * 32,
        sites=[SITE],
        stages=[25.0, 100.0],
        every_s=1800.0,
        max_failures=10.0,
        release="{}",
        stage=0,
        published=0,
        state="paused_failures",
        devices=[f"{SITE}/pvz-b"],
        created_at=at,
        stage_at=at,
    )
    store.plans.add(stopped, now)
    store.close()


def test_the_dashboard_live_in_both_languages_and_an_operator_acting(
    browser: Browser, broker: Broker, tmp_path: Path
) -> None:
    prepared_store(tmp_path / "hub.db")
    rules = tmp_path / "alerts.toml"
    rules.write_text(RULES, encoding="utf-8")
    no_paper = {
        "printers": {"s1": {"state": "error", "paper": "out"}},
        "scanners": {"total": 2, "connected": 2},
    }
    devices = Devices(broker.port)
    device_c = responder(broker.port, SITE, "pvz-c")
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    try:
        with running_hub(tmp_path, broker.port, rules=rules) as hub:
            devices.publish(SITE, "pvz-a", status(SITE, "pvz-a"))
            rolled_back = {  # the plan's one device went back to its previous version: why it stopped
                "package": "pvz",
                "version": "0.2.0",
                "sha256": "ab" * 32,
                "result": "rolled_back",
                "reason": "not_ready",
                "running": "0.0.9",
            }
            devices.publish(
                SITE, "pvz-b", status(SITE, "pvz-b", health=no_paper, version="0.0.9", release=rolled_back)
            )
            oldest = (datetime.now(UTC) - timedelta(minutes=42)).isoformat()
            counts = {"outbox_depth": 12, "outbox_oldest": oldest, "tickets_open": 1}
            devices.publish(SITE, "pvz-c", status(SITE, "pvz-c", counts=counts))
            devices.publish("spb-02", "pvz-d", status("spb-02", "pvz-d"))
            page.goto(hub.url)
            expect(page.locator("body")).to_have_attribute("data-connected", "1", timeout=WAIT_MS)
            rows = page.locator("#devices tbody tr")
            expect(rows).to_have_count(4, timeout=WAIT_MS)
            expect(rows.first).to_have_attribute("data-device", "pvz-b")  # needs attention: first
            expect(rows.first).to_contain_text("нет бумаги в принтере")
            row_c = page.locator('#devices tr[data-device="pvz-c"]')
            expect(row_c).to_contain_text("12 событий ждут отправки")
            expect(row_c).to_contain_text("события не уходят 42 минуты")
            expect(page.locator("#alerts")).to_contain_text("Нет бумаги", timeout=WAIT_MS)
            expect(page.locator("#alerts")).to_contain_text("только что")
            expect(page.locator("#alerts")).to_contain_text("Открытых обращений > 0")
            expect(page.locator("#versions")).to_contain_text("0.1.0 — 3 устройства")
            expect(page.locator("#chart polyline")).to_have_count(1)
            expect(page.locator("#tickets")).to_contain_text("Повреждение")
            rollout = page.locator("#rollouts")
            expect(rollout).to_contain_text("pvz 0.2.0 · msk-01 · этап 1 из 2 (25 %), получили 1")
            expect(rollout).to_contain_text("остановлен: сбоев больше порога")
            expect(rollout).to_contain_text("возвращена прежняя на 1")
            expect(page.locator("#who")).to_have_text("Только просмотр")
            expect(page.locator(".send").first).to_be_hidden()  # read-only: no actions

            devices.publish(SITE, "pvz-a", status(SITE, "pvz-a", online=False))  # arrives live
            expect(page.locator('#devices tr[data-device="pvz-a"]')).to_contain_text(
                "нет связи", timeout=WAIT_MS
            )
            expect(page.locator("#devices-count")).to_contain_text("2 точки, 4 устройства, на связи 3")
            screenshot(page, tmp_path, "dashboard-ru.png")
            assert not IDENTIFIER.findall(page.inner_text("body"))

            page.click("#lang")
            expect(page.locator("h1")).to_have_text("Pickup point fleet")
            expect(page.locator("#devices-count")).to_contain_text("2 sites, 4 devices, 3 online")
            expect(page.locator("#alerts")).to_contain_text("Out of paper")
            expect(page.locator('#devices tr[data-device="pvz-a"]')).to_contain_text("offline")
            expect(rollout).to_contain_text(
                "stage 1 of 2 (25 %), 1 got it · stopped: failures past the threshold"
            )
            page.select_option("#site-filter", "spb-02")
            expect(rows).to_have_count(1)
            expect(rows.first).to_have_attribute("data-device", "pvz-d")
            page.select_option("#site-filter", "")
            expect(rows).to_have_count(4)
            screenshot(page, tmp_path, "dashboard-en.png")
            assert not IDENTIFIER.findall(page.inner_text("body"))

            page.fill("#token", "wrong")
            page.click("#signin button")
            expect(page.locator("#signin-error")).to_have_text("This token is not accepted")
            page.fill("#token", TOKEN)
            page.click("#signin button")
            expect(page.locator("#who")).to_have_text("Signed in: Анна")
            row_c.locator("select").select_option("ping")
            row_c.locator(".send").click()
            expect(page.locator("#commands tbody tr").first).to_contain_text("ping", timeout=WAIT_MS)
            expect(page.locator("#commands tbody tr").first).to_have_attribute(
                "data-answer", "cmd_ok", timeout=WAIT_MS
            )
            expect(page.locator("#commands tbody tr").first).to_contain_text("done")
            page.fill('#tickets [data-ticket="T-7"] input', "Write it off, photo sent")
            page.click('#tickets [data-ticket="T-7"] button')
            expect(page.locator("#tickets")).to_contain_text("No open tickets", timeout=WAIT_MS)
            screenshot(page, tmp_path, "dashboard-operator-en.png")
            assert not IDENTIFIER.findall(page.inner_text("body"))
    finally:
        context.close()
        device_c.loop_stop()
        device_c.disconnect()
        devices.close()


def test_a_page_whose_stream_was_cut_catches_up_from_its_last_event(
    browser: Browser, broker: Broker, tmp_path: Path
) -> None:
    devices = Devices(broker.port)
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        with running_hub(tmp_path, broker.port) as hub, CuttableProxy(hub.port) as proxy:
            devices.publish(SITE, "pvz-a", status(SITE, "pvz-a"))
            page.goto(f"http://127.0.0.1:{proxy.port}/")
            expect(page.locator("body")).to_have_attribute("data-connected", "1", timeout=WAIT_MS)
            row = page.locator('#devices tr[data-device="pvz-a"]')
            expect(row).to_contain_text("всё в порядке", timeout=WAIT_MS)

            proxy.cut()
            expect(page.locator("body")).to_have_attribute("data-connected", "0", timeout=WAIT_MS)
            expect(page.locator("#link")).to_have_text("Связь потеряна, переподключение…")
            devices.publish(SITE, "pvz-a", status(SITE, "pvz-a", online=False))  # while the page is away
            devices.publish(SITE, "pvz-b", status(SITE, "pvz-b"))
            proxy.restore()
            expect(page.locator("body")).to_have_attribute("data-connected", "1", timeout=WAIT_MS)
            expect(row).to_contain_text("нет связи", timeout=WAIT_MS)
            expect(page.locator("#devices tbody tr")).to_have_count(2)
            resumed = [r for r in proxy.requests if r.startswith(b"GET /events")][-1]
            assert b"last-event-id:" in resumed.lower()
    finally:
        context.close()
        devices.close()
